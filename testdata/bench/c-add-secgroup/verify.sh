source ../lib.sh
groups=$(server_field web security_groups)
if [[ "$groups" != *"$BENCH_PREFIX-web-sg"* ]]; then
	echo "FAIL: ${BENCH_PREFIX}-web's groups are: $groups"
	exit 1
fi
