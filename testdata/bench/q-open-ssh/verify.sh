source ../lib.sh
os security group show "$BENCH_PREFIX-open" >/dev/null
