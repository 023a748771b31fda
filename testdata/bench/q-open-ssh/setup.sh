# One group open to the world on 22, one open only to the private range.
source ../lib.sh
os security group create "$BENCH_PREFIX-open" >/dev/null
os security group rule create --protocol tcp --dst-port 22 --remote-ip 0.0.0.0/0 "$BENCH_PREFIX-open" >/dev/null
os security group create "$BENCH_PREFIX-closed" >/dev/null
os security group rule create --protocol tcp --dst-port 22 --remote-ip 10.0.0.0/8 "$BENCH_PREFIX-closed" >/dev/null
