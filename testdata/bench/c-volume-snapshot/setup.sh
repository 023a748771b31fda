source ../lib.sh
os volume create --size 1 "$BENCH_PREFIX-data" >/dev/null
wait_volume data available
