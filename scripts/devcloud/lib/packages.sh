# shellcheck shell=bash
# devcloud/lib/packages.sh - the Debian 12 packages (OpenStack Zed) and their install.

# nova-compute is deliberately absent: that package drags in libvirt and qemu; the
# devcloud runs nova.cmd.compute through its own launcher (py/nova_compute.py).
PACKAGES=(
  mariadb-server rabbitmq-server memcached uwsgi-plugin-python3 qemu-utils dmidecode
  python3-openstackclient python3-pymysql python3-pymemcache python3-keystonemiddleware
  python3-swiftclient python3-heatclient python3-osc-placement python3-octaviaclient
  keystone glance-api placement-api nova-api nova-conductor nova-scheduler
  neutron-server cinder-api cinder-scheduler cinder-volume cinder-backup
  swift-proxy swift-account swift-container swift-object heat-api heat-engine
  octavia-api octavia-worker barbican-api
  gnocchi-api gnocchi-metricd python3-gnocchiclient aodh-api aodh-evaluator aodh-notifier
  python3-aodhclient
)

# install_packages: apt-get install whatever is missing; "apt-get update" only when the
# package lists do not know the OpenStack packages yet. Maintainer scripts must not
# start daemons (policy-rc.d), and with DEBIAN_FRONTEND=noninteractive every Debian
# OpenStack debconf question defaults to "do not configure", so no preseeding is needed.
install_packages() {
  local have
  have=$(dpkg-query -W -f='${db:Status-Abbrev}\n' "${PACKAGES[@]}" 2>/dev/null | grep -c '^ii' || true)
  if [ "$have" = "${#PACKAGES[@]}" ]; then
    say "packages already installed"
    return 0
  fi
  if [ ! -x /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
  fi
  if ! apt-cache show keystone > /dev/null 2>&1; then
    say "apt lists lack the OpenStack packages: apt-get update"
    apt-get update -q > "$LOG/apt-update.log" 2>&1 || fatal apt-update "apt-get update failed"
  fi
  say "apt-get install ${#PACKAGES[@]} packages (+ dependencies, no recommends)"
  # --no-install-recommends: without it matplotlib, gdal, ... come too (521 vs 357 packages)
  apt-get install -y -q --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
    "${PACKAGES[@]}" > "$LOG/apt.log" 2>&1 || fatal apt "apt-get install failed"
}
