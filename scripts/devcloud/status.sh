#!/usr/bin/env bash
# scripts/devcloud/status.sh - one line per devcloud service: pid, up/DOWN, port,
# process count and memory (RSS, and PSS which counts shared pages once) in MiB.
# Exits 1 if any recorded service is DOWN.
set -uo pipefail
DEVCLOUD_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib/common.sh
. "$DEVCLOUD_SRC/lib/common.sh"

[ -d "$RUN" ] || { echo "devcloud not set up ($RUN missing)"; exit 1; }
bad=0; total_rss=0; total_pss=0
printf '%-24s %8s %-5s %-11s %5s %8s %8s\n' SERVICE PID STATE PORT PROCS RSS_MiB PSS_MiB
for n in $(recorded_services | sort); do
  pid=$(recorded_pid "$n" || echo '?')
  if is_running "$n"; then state=up; else state=DOWN; bad=1; fi
  rss=0; pss=0; procs=0
  if [ "$state" = up ]; then
    for p in $(session_members "$pid"); do
      read -r r q < <(awk '/^Rss:/ { r = $2 } /^Pss:/ { q = $2 } END { print r + 0, q + 0 }' \
                        "/proc/$p/smaps_rollup" 2>/dev/null || echo "0 0")
      rss=$((rss + ${r:-0})); pss=$((pss + ${q:-0})); procs=$((procs + 1))
    done
  fi
  total_rss=$((total_rss + rss)); total_pss=$((total_pss + pss))
  port=${SERVICE_PORTS[$n]:--}
  printf '%-24s %8s %-5s %-11s %5d %8d %8d\n' "$n" "$pid" "$state" "${port// /,}" \
    "$procs" $((rss / 1024)) $((pss / 1024))
done
printf '%-24s %8s %-5s %-11s %5s %8d %8d\n' TOTAL "" "" "" "" $((total_rss / 1024)) $((total_pss / 1024))
exit $bad
