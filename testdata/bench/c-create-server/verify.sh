source ../lib.sh
wait_status new1 ACTIVE
want "$(server_field new1 flavor)" m1.nano "${BENCH_PREFIX}-new1's flavor"
