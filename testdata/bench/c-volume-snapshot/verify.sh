source ../lib.sh
for i in $(seq 60); do
	status=$(must os volume snapshot show "$BENCH_PREFIX-data-snap" -f value -c status)
	[[ "$status" == available ]] && break
	sleep 2
done
want "$status" available "${BENCH_PREFIX}-data-snap's status"
vol=$(must os volume show "$BENCH_PREFIX-data" -f value -c id)
want "$(os volume snapshot show "$BENCH_PREFIX-data-snap" -f value -c volume_id)" "$vol" "the snapshot's volume"
