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

# must CMD... runs a command for a verify check and prints its stdout; when
# the command fails it says so with the command's own error (on stderr,
# which the harness reports) and the check fails, so a CLI error never
# reads as "no such thing". Use it in an assignment, out=$(must os ...),
# and match on the variable: piping the CLI into `grep -q` under pipefail
# fails at random, because grep exits at the first match and the CLI's
# next write dies of SIGPIPE (that was c-reboot-server's "no reboot event").
must() {
	local out
	if ! out=$("$@" 2>&1); then
		echo "FAIL: $* failed: $out" >&2
		return 1
	fi
	printf '%s\n' "$out"
}

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

# wait_volume NAME STATUS waits up to two minutes for $BENCH_PREFIX-NAME.
wait_volume() {
	local i status
	for i in $(seq 60); do
		status=$(os volume show "$BENCH_PREFIX-$1" -f value -c status)
		[[ "$status" == "$2" ]] && return 0
		[[ "$status" == error* ]] && break
		sleep 2
	done
	echo "FAIL: $BENCH_PREFIX-$1 is '$status', want '$2'"
	return 1
}
