source ../lib.sh
for i in $(seq 60); do
	os stack show "$BENCH_PREFIX-old" >/dev/null 2>&1 || break
	sleep 2
done
if status=$(os stack show "$BENCH_PREFIX-old" -f value -c stack_status 2>/dev/null); then
	echo "FAIL: ${BENCH_PREFIX}-old is still there ($status)"
	exit 1
fi
want "$(must os stack show "$BENCH_PREFIX-keep" -f value -c stack_status)" CREATE_COMPLETE "${BENCH_PREFIX}-keep's status"
