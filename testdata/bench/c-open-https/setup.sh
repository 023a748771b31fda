source ../lib.sh
os security group create "$BENCH_PREFIX-web-sg" >/dev/null
