source ../lib.sh
rules=$(must os security group rule list "$BENCH_PREFIX-web-sg" -f value -c "IP Protocol" -c "Port Range" -c "IP Range" -c Direction)
if ! grep -Eq "^tcp 0\.0\.0\.0/0 443:443 ingress$" <<<"$rules"; then
	echo "FAIL: ${BENCH_PREFIX}-web-sg has no rule for tcp 443 from 0.0.0.0/0; its rules: $(echo $rules)"
	exit 1
fi
