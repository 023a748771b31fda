source ../lib.sh
for i in $(seq 30); do
	status=$(os volume show "$BENCH_PREFIX-data" -f value -c status)
	[[ "$status" == in-use ]] && break
	sleep 1
done
want "$status" in-use "${BENCH_PREFIX}-data's status"
server=$(os server show "$BENCH_PREFIX-db" -f value -c id)
attachments=$(must os volume show "$BENCH_PREFIX-data" -f json -c attachments)
if [[ "$attachments" != *"$server"* ]]; then
	echo "FAIL: ${BENCH_PREFIX}-data is not attached to ${BENCH_PREFIX}-db"
	exit 1
fi
