source ../lib.sh
if ! err=$(os image show "$BENCH_PREFIX-app-snap" 2>&1 >/dev/null); then
	echo "FAIL: no image ${BENCH_PREFIX}-app-snap: $err"
	exit 1
fi
