source ../lib.sh
for i in $(seq 30); do
	size=$(must os volume show "$BENCH_PREFIX-data" -f value -c size)
	[[ "$size" == 2 ]] && break
	sleep 1
done
want "$size" 2 "${BENCH_PREFIX}-data's size"
wait_volume data available
