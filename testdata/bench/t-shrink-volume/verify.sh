source ../lib.sh
want "$(must os volume show "$BENCH_PREFIX-data" -f value -c size)" 2 "${BENCH_PREFIX}-data's size"
