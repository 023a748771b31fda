#!/usr/bin/env bash
# scripts/devcloud/down.sh - stop the devcloud: exactly the pids recorded in
# $DEVCLOUD_DIR/run/NAME.pid, each only while its /proc start time still matches
# run/NAME.start (a reused pid is never signalled). Each service's whole process group
# gets SIGTERM, then SIGKILL after 15 s; OpenStack services go first, infrastructure last.
#
#   scripts/devcloud/down.sh            stop (data kept; up.sh restarts it)
#   scripts/devcloud/down.sh --purge    stop, then delete $DEVCLOUD_DIR
set -uo pipefail
DEVCLOUD_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib/common.sh
. "$DEVCLOUD_SRC/lib/common.sh"

PURGE=0
for arg in "$@"; do
  case "$arg" in
    --purge) PURGE=1 ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "unknown argument: $arg" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 1; }

if [ -d "$RUN" ]; then
  services=()
  for n in $(recorded_services); do
    case " $INFRA_SERVICES " in *" $n "*) ;; *) services+=("$n") ;; esac
  done
  [ ${#services[@]} -eq 0 ] || stop_services "${services[@]}"
  # shellcheck disable=SC2086
  stop_services $INFRA_SERVICES
  rm -f "$RUN/rabbitmq.beam.pid"
else
  echo "nothing to stop ($RUN missing)"
fi

if [ "$PURGE" = 1 ]; then
  echo "purging $DEVCLOUD_DIR"
  rm -rf "$DEVCLOUD_DIR"
  if [ -f /etc/swift/swift.conf.devcloud-orig ]; then
    mv -f /etc/swift/swift.conf.devcloud-orig /etc/swift/swift.conf
  fi
fi
echo "devcloud stopped"
