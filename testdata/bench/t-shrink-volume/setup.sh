source ../lib.sh
os volume create --size 2 "$BENCH_PREFIX-data" >/dev/null
wait_volume data available
