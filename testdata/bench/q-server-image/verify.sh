source ../lib.sh
want "$(server_field app status)" ACTIVE "${BENCH_PREFIX}-app's status"
