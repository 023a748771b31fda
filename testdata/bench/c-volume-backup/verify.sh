source ../lib.sh
for i in $(seq 90); do
	status=$(must os volume backup show "$BENCH_PREFIX-data-bak" -f value -c status)
	[[ "$status" == available || "$status" == error ]] && break
	sleep 2
done
want "$status" available "${BENCH_PREFIX}-data-bak's status"
wait_volume data available
