#!/usr/bin/env bash
# scripts/devcloud/up.sh - bring up the devcloud: a real OpenStack Zed (Debian 12
# packages) on 127.0.0.1 only, without systemd or containers. See docs/devcloud.md.
#
#   scripts/devcloud/up.sh                 install, configure, start, health-check, seed
#   scripts/devcloud/up.sh --no-install    skip the apt step
#
# Idempotent: a re-run while everything is up changes and starts nothing. A service that
# died (kill -9), a stale pid file (pid reused by another process) or a changed config
# is repaired by (re)starting that service; a port held by a foreign process is fatal.
# Failures exit non-zero with "FATAL: <service>: ..." and the tail of its log.
#
# Knobs: DEVCLOUD_DIR (state, default /var/lib/devcloud), DEVCLOUD_PASSWORD (default
# devcloud, used for everything), DEVCLOUD_SERVICES (subset of
# "keystone glance placement nova neutron cinder swift heat octavia barbican gnocchi aodh";
# keystone is required, nova needs glance, placement and neutron, aodh needs gnocchi).
set -Eeuo pipefail

DEVCLOUD_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ALL_SERVICES="keystone glance placement nova neutron cinder swift heat octavia barbican gnocchi aodh"
SERVICES=${DEVCLOUD_SERVICES:-$ALL_SERVICES}
PASSWORD=${DEVCLOUD_PASSWORD:-devcloud}
REGION=RegionOne
HOSTNAME_OS=devcloud          # nova/cinder/neutron host name (compute host, binding host)
PY=/usr/bin/python3           # Debian's python: the OpenStack libraries live in its dist-packages
T0=$(date +%s)

# shellcheck source=lib/common.sh
. "$DEVCLOUD_SRC/lib/common.sh"
# shellcheck source=lib/run.sh
. "$DEVCLOUD_SRC/lib/run.sh"
KS_URL="http://$HOST_IP:5000"
# shellcheck source=lib/packages.sh
. "$DEVCLOUD_SRC/lib/packages.sh"
# shellcheck source=lib/infra.sh
. "$DEVCLOUD_SRC/lib/infra.sh"
# shellcheck source=lib/config.sh
. "$DEVCLOUD_SRC/lib/config.sh"
# shellcheck source=lib/services.sh
. "$DEVCLOUD_SRC/lib/services.sh"
# shellcheck source=lib/barbican.sh
. "$DEVCLOUD_SRC/lib/barbican.sh"
# shellcheck source=lib/telemetry.sh
. "$DEVCLOUD_SRC/lib/telemetry.sh"
# shellcheck source=lib/seed.sh
. "$DEVCLOUD_SRC/lib/seed.sh"

has() { case " $SERVICES " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

INSTALL=1
for arg in "$@"; do
  case "$arg" in
    --no-install) INSTALL=0 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "unknown argument: $arg (see --help)" >&2; exit 2 ;;
  esac
done
for s in $SERVICES; do
  case " $ALL_SERVICES " in *" $s "*) ;; *) echo "unknown service '$s' in DEVCLOUD_SERVICES" >&2; exit 2 ;; esac
done
has keystone || { echo "DEVCLOUD_SERVICES must include keystone" >&2; exit 2; }
if has nova && ! { has glance && has placement && has neutron; }; then
  echo "nova needs glance, placement and neutron in DEVCLOUD_SERVICES" >&2; exit 2
fi
if has aodh && ! has gnocchi; then
  echo "aodh needs gnocchi in DEVCLOUD_SERVICES (its alarms evaluate Gnocchi's measures)" >&2; exit 2
fi
[ "$(id -u)" = 0 ] || die "run as root"

# A pyenv/venv python first on PATH must not be used, nor the caller's OS_* settings.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
while read -r v; do unset "$v"; done < <(env | grep -o '^OS_[A-Za-z_]*' || true)
unset PYTHONPATH VIRTUAL_ENV PYTHONHOME
export PYTHONDONTWRITEBYTECODE=1 DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8
trap 'die "command failed (line $LINENO): $BASH_COMMAND"' ERR

mkdir -p "$ETC" "$LOG" "$RUN" "$DATA" "$BIN"
chmod 755 "$DEVCLOUD_DIR" "$RUN"
: > "$DEVCLOUD_DIR/timings.txt"

step packages
if [ "$INSTALL" = 1 ]; then install_packages; fi
command -v keystone-manage > /dev/null || die "OpenStack packages missing; run without --no-install"

step infra
configure_infra
start_infra

step configure
configure_services

step "db+keystone"
start_migrations
sync_wait keystone
start_keystone

step keystone-catalog
seed_keystone
seed_totp
write_client_config

step db-wait
wait_migrations

step start-services
start_openstack

step start-telemetry
start_telemetry

step health-and-seed
map_compute_host
health_and_seed
for d in $(all_daemons); do
  is_running "$d" || fatal "$d" "not running after start-up"
done

step ""
if [ ${#STARTED[@]} -eq 0 ]; then
  say "devcloud was already up; nothing started"
else
  say "started: ${STARTED[*]}"
fi
say "devcloud is up in $(( $(date +%s) - T0 ))s: $SERVICES"
echo "  export OS_CLIENT_CONFIG_FILE=$DEVCLOUD_DIR/clouds.yaml"
echo "  openstack --os-cloud devcloud server list      # demo user; devcloud-admin for admin"
