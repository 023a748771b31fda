source ../lib.sh
# The devcloud's Octavia has no-op backends: a load balancer is ACTIVE in
# seconds and nothing is booted.
os loadbalancer create --name "$BENCH_PREFIX-lb" --vip-subnet-id private-subnet --wait >/dev/null
os loadbalancer pool create --name "$BENCH_PREFIX-pool" --loadbalancer "$BENCH_PREFIX-lb" \
	--protocol HTTP --lb-algorithm ROUND_ROBIN --wait >/dev/null
for ip in 10.0.0.11 10.0.0.12; do
	os loadbalancer member create --address "$ip" --protocol-port 80 --wait "$BENCH_PREFIX-pool" >/dev/null
done
