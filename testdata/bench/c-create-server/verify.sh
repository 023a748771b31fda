source ../lib.sh
wait_status new1 ACTIVE
flavor=$(server_field new1 flavor)
want "${flavor%% *}" m1.nano "${BENCH_PREFIX}-new1's flavor"
