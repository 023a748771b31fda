source ../lib.sh
addresses=$(server_field web addresses)
if [[ "$addresses" != *203.0.113.* ]]; then
	echo "FAIL: ${BENCH_PREFIX}-web lost its floating IP: $addresses"
	exit 1
fi
