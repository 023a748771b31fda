source ../lib.sh
if ! err=$(os keypair show "$BENCH_PREFIX-key" 2>&1 >/dev/null); then
	echo "FAIL: no key pair ${BENCH_PREFIX}-key: $err"
	exit 1
fi
