#!/usr/bin/env bash
# scripts/devcloud/faults.sh - fault-injection test of up.sh's repair logic, run against
# the live devcloud (it is brought up first, and left up and healthy at the end).
#
#  1. kill -9 glance-api                       -> up.sh restarts it
#  2. kill -9 the neutron-server leader only   -> its orphaned workers are killed, restarted
#  3. stale pid file: heat killed and its pid file pointed at an unrelated live process
#     (with heat's old start time)             -> the unrelated process is left alone,
#                                                 heat is restarted
#  4. a foreign process on swift-proxy's port  -> up.sh fails with "FATAL: swift-proxy"
#     and names the port; once it is gone, up.sh repairs swift-proxy
#  5. a final re-run                           -> starts nothing
set -uo pipefail
DEVCLOUD_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib/common.sh
. "$DEVCLOUD_SRC/lib/common.sh"
UP=("$DEVCLOUD_SRC/up.sh" --no-install)
OUT=$(mktemp)
pass=0; failed=0
FOREIGN=()

ok()   { echo "PASS: $*"; pass=$((pass + 1)); }
bad()  { echo "FAIL: $*"; failed=$((failed + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
cleanup() { local p; for p in "${FOREIGN[@]}"; do kill "$p" 2>/dev/null; done; rm -f "$OUT"; }
trap cleanup EXIT

session_empty() { [ -z "$(session_members "$1")" ]; }
alive() { [ -d "/proc/$1" ]; }
up_quiet() { "${UP[@]}" > "$OUT" 2>&1; }

[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 1; }
echo "== bring the devcloud up"
up_quiet || { tail -n 20 "$OUT"; echo "FAIL: devcloud does not come up"; exit 1; }

echo "== inject faults"
glance_old=$(recorded_pid glance-api)
kill -9 "$glance_old"
echo "killed glance-api (pid $glance_old) with SIGKILL"

neutron_old=$(recorded_pid neutron-server)
kill -9 "$neutron_old"
echo "killed the neutron-server leader (pid $neutron_old) with SIGKILL;" \
  "$(session_members "$neutron_old" | wc -l) worker(s) orphaned"

heat_old=$(recorded_pid heat)
kill -9 -- "-$heat_old"
setsid sleep 600 < /dev/null > /dev/null 2>&1 &
stranger=$!
FOREIGN+=("$stranger")
echo "$stranger" > "$RUN/heat.pid"   # heat.start keeps heat's old start time
echo "killed heat (pid $heat_old); run/heat.pid now names an unrelated 'sleep' (pid $stranger)"
sleep 1

echo "== up.sh repairs"
t0=$(date +%s)
if up_quiet; then ok "up.sh exits 0 after the faults ($(( $(date +%s) - t0 ))s)"; else bad "up.sh failed"; tail -n 30 "$OUT"; fi
grep -E 'dead|stale|restarting' "$OUT" | sed 's/^/    /'
restarted() { is_running "$1" && [ "$(recorded_pid "$1")" != "$2" ]; }
check "glance-api restarted with a new pid" restarted glance-api "$glance_old"
check "neutron-server restarted" restarted neutron-server "$neutron_old"
check "neutron-server's orphaned workers are gone" session_empty "$neutron_old"
check "heat restarted" restarted heat "$stranger"
check "the unrelated process behind the stale pid was not killed" alive "$stranger"
check "glance answers" curl -sf -o /dev/null http://127.0.0.1:9292/versions

echo "== a foreign process on swift-proxy's port 8080"
stop_services swift-proxy > /dev/null
setsid /usr/bin/python3 -m http.server --bind 127.0.0.1 8080 < /dev/null > /dev/null 2>&1 &
squatter=$!
FOREIGN+=("$squatter")
for _ in $(seq 1 50); do port_holder 8080 > /dev/null && break; sleep 0.1; done
if up_quiet; then
  bad "up.sh succeeded although port 8080 is taken"
else
  check "up.sh fails with 'FATAL: swift-proxy' naming port 8080" \
    grep -q 'FATAL: swift-proxy: port 8080 is already taken by pid' "$OUT"
  grep 'FATAL' "$OUT" | sed 's/^/    /'
fi
check "the foreign listener was not killed" alive "$squatter"
kill "$squatter"; wait "$squatter" 2>/dev/null
for _ in $(seq 1 50); do port_holder 8080 > /dev/null || break; sleep 0.1; done
check "up.sh repairs swift-proxy once the port is free" up_quiet
check "swift-proxy answers" curl -sf -o /dev/null http://127.0.0.1:8080/healthcheck

echo "== idempotence"
t0=$(date +%s)
up_quiet; rc=$?
check "a re-run exits 0 and starts nothing ($(( $(date +%s) - t0 ))s)" \
  grep -q "nothing started" "$OUT"
[ "$rc" = 0 ] || bad "the re-run exited $rc"
check "status.sh: every service up" "$DEVCLOUD_SRC/status.sh"

echo "faults: $pass passed, $failed failed"
[ "$failed" = 0 ]
