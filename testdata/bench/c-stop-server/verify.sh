source ../lib.sh
want "$(server_field web status)" SHUTOFF "${BENCH_PREFIX}-web's status"
