source ../lib.sh
wait_volume logs available
want "$(os volume show "$BENCH_PREFIX-logs" -f value -c size)" 1 "${BENCH_PREFIX}-logs's size"
