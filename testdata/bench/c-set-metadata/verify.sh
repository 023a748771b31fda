source ../lib.sh
props=$(server_field web properties)
if [[ "$props" != *"'owner': 'team-a'"* && "$props" != *"owner='team-a'"* ]]; then
	echo "FAIL: ${BENCH_PREFIX}-web's properties are: $props"
	exit 1
fi
