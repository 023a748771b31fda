source ../lib.sh
want "$(os volume show "$BENCH_PREFIX-spare" -f value -c status)" available "${BENCH_PREFIX}-spare's status"
