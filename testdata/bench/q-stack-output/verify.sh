source ../lib.sh
want "$(must os stack show "$BENCH_PREFIX-app" -f value -c stack_status)" CREATE_COMPLETE "${BENCH_PREFIX}-app's status"
