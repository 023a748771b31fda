source ../lib.sh
if ! os keypair show "$BENCH_PREFIX-key" >/dev/null 2>&1; then
	echo "FAIL: no key pair ${BENCH_PREFIX}-key"
	exit 1
fi
