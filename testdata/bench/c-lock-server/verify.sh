source ../lib.sh
# "locked" appears in server show from compute microversion 2.9.
want "$(os --os-compute-api-version 2.9 server show "$BENCH_PREFIX-db" -f value -c locked)" True "${BENCH_PREFIX}-db's locked flag"
