source ../lib.sh
want "$(must os container show "$BENCH_PREFIX-logs" -f value -c object_count)" 3 "${BENCH_PREFIX}-logs's object count"
