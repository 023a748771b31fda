source ../lib.sh
want "$(server_field db status)" ACTIVE "${BENCH_PREFIX}-db's status"
