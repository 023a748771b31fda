source ../lib.sh
want "$(server_field broken status)" ERROR "${BENCH_PREFIX}-broken's status"
