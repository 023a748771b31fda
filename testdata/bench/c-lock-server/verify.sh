source ../lib.sh
want "$(server_field db locked)" True "${BENCH_PREFIX}-db's locked flag"
