source ../lib.sh
cidr=$(must os subnet show "$BENCH_PREFIX-backend-subnet" -f value -c cidr)
want "$cidr" 10.77.0.0/24 "${BENCH_PREFIX}-backend-subnet's range"
net=$(must os network show "$BENCH_PREFIX-backend" -f value -c id)
want "$(os subnet show "$BENCH_PREFIX-backend-subnet" -f value -c network_id)" "$net" "the subnet's network"
