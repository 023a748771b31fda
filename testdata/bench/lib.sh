# Shared by the tasks' setup.sh and verify.sh: sourced, never run.
# Every name a task creates starts with $BENCH_PREFIX, so cleanup finds it.
set -euo pipefail
: "${BENCH_PREFIX:?run through osbench, which sets BENCH_PREFIX}"

# os runs the openstack CLI as the demo project; osadmin as admin.
os() { openstack --os-cloud "${BENCH_CLOUD:-devcloud}" "$@"; }
osadmin() { openstack --os-cloud "${BENCH_ADMIN_CLOUD:-devcloud-admin}" "$@"; }

# boot NAME [ARGS...] starts $BENCH_PREFIX-NAME (m1.nano, cirros, private)
# and waits for it to leave BUILD.
boot() {
	local name=$1
	shift
	os server create --flavor m1.nano --image cirros --network private --wait "$@" \
		"$BENCH_PREFIX-$name" >/dev/null
}

# server_field NAME FIELD prints one field of $BENCH_PREFIX-NAME.
server_field() { os server show "$BENCH_PREFIX-$1" -f value -c "$2"; }

# want GOT WANT WHAT: verify.sh's one check, with a reason when it fails.
want() {
	if [[ "$1" != "$2" ]]; then
		echo "FAIL: $3 is '$1', want '$2'"
		exit 1
	fi
}

# wait_status NAME STATUS waits up to a minute for $BENCH_PREFIX-NAME.
wait_status() {
	local i
	for i in $(seq 60); do
		[[ "$(server_field "$1" status)" == "$2" ]] && return 0
		sleep 1
	done
	echo "$BENCH_PREFIX-$1 never reached $2" >&2
	return 1
}
