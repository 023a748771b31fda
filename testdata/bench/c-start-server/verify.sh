source ../lib.sh
want "$(server_field web status)" ACTIVE "${BENCH_PREFIX}-web's status"
