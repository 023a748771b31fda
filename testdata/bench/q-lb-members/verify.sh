source ../lib.sh
members=$(must os loadbalancer member list "$BENCH_PREFIX-pool" -f value -c address)
want "$(echo $members | tr ' ' '\n' | sort | xargs)" "10.0.0.11 10.0.0.12" "${BENCH_PREFIX}-pool's members"
