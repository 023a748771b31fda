# A flavor that requires a trait no host has: the scheduler finds no valid
# host and the server goes to ERROR with a fault that says so.
source ../lib.sh
osadmin flavor create --ram 64 --disk 1 --vcpus 1 --public \
	--property trait:CUSTOM_OSBENCH_NOWHERE=required "$BENCH_PREFIX-nowhere" >/dev/null
os server create --flavor "$BENCH_PREFIX-nowhere" --image cirros --network private --wait \
	"$BENCH_PREFIX-broken" >/dev/null 2>&1 || true
wait_status broken ERROR
