# shellcheck shell=bash
# devcloud/lib/services.sh - database migrations and the OpenStack daemons.

# ---- migrations: all in parallel, each once (marker data/.NAME-db when it succeeded)
declare -A SYNC_PIDS=()

sync_bg() {  # sync_bg NAME CMD...: run CMD in the background unless already done
  local name=$1; shift
  [ -e "$DATA/.$name-db" ] && return 0
  ( "$@" > "$LOG/dbsync-$name.log" 2>&1 && touch "$DATA/.$name-db" ) &
  SYNC_PIDS[$name]=$!
}

sync_wait() {  # sync_wait NAME: wait for its migration; fatal if it failed
  local name=$1
  if [ -n "${SYNC_PIDS[$name]:-}" ]; then wait "${SYNC_PIDS[$name]}" || true; fi
  [ -e "$DATA/.$name-db" ] || fatal "dbsync-$name" "$name database migration failed"
}

keystone_setup() {  # db_sync, key repositories and bootstrap (admin, catalog entry)
  local km=(keystone-manage --config-file "$ETC/keystone/keystone.conf")
  "${km[@]}" db_sync
  [ -e "$DATA/keystone/fernet-keys/0" ] ||
    "${km[@]}" fernet_setup --keystone-user root --keystone-group root
  [ -e "$DATA/keystone/credential-keys/0" ] ||
    "${km[@]}" credential_setup --keystone-user root --keystone-group root
  "${km[@]}" bootstrap --bootstrap-password "$PASSWORD" --bootstrap-username admin \
    --bootstrap-project-name admin --bootstrap-role-name admin \
    --bootstrap-service-name keystone --bootstrap-region-id "$REGION" \
    --bootstrap-admin-url "$KS_URL/v3/" --bootstrap-internal-url "$KS_URL/v3/" \
    --bootstrap-public-url "$KS_URL/v3/"
}

nova_db_setup() {
  local nm=(nova-manage --config-file "$ETC/nova/nova.conf")
  "${nm[@]}" api_db sync
  "${nm[@]}" cell_v2 map_cell0 --database_connection "$(db_url nova_cell0)"
  "${nm[@]}" cell_v2 list_cells | grep -q ' cell1 ' || "${nm[@]}" cell_v2 create_cell --name cell1
  "${nm[@]}" db sync
}

start_migrations() {
  sync_bg keystone keystone_setup
  has glance    && sync_bg glance glance-manage --config-file "$ETC/glance/glance-api.conf" db_sync
  has placement && sync_bg placement placement-manage --config-file "$ETC/placement/placement.conf" db sync
  has nova      && sync_bg nova nova_db_setup
  has neutron   && sync_bg neutron env PYTHONPATH="$DATA/neutron/pylib" neutron-db-manage \
    --config-file "$ETC/neutron/neutron.conf" --config-file "$ETC/neutron/ml2_conf.ini" upgrade heads
  has cinder    && sync_bg cinder cinder-manage --config-file "$ETC/cinder/cinder.conf" db sync
  has heat      && sync_bg heat heat-manage --config-file "$ETC/heat/heat.conf" db_sync
  has octavia   && sync_bg octavia octavia-db-manage --config-file "$ETC/octavia/octavia.conf" upgrade head
  has barbican  && sync_bg barbican barbican_db_setup
  has gnocchi   && sync_bg gnocchi gnocchi_db_setup
  has aodh      && sync_bg aodh aodh-dbsync --config-file "$ETC/aodh/aodh.conf"
  return 0
}

wait_migrations() {
  local s
  for s in glance placement nova neutron cinder heat octavia barbican gnocchi aodh; do
    if has "$s"; then sync_wait "$s"; fi
  done
}

start_keystone() {
  uwsgi_start keystone 5000 /usr/bin/keystone-wsgi-public 2 \
    --env OS_KEYSTONE_CONFIG_FILES="$ETC/keystone/keystone.conf"
  wait_http keystone "$KS_URL/v3" 90
}

# start_openstack: every requested daemon, then wait until each answers HTTP
start_openstack() {
  local nc=(--config-file "$ETC/nova/nova.conf") cc=(--config-file "$ETC/cinder/cinder.conf") s
  if need_rpc; then wait_port rabbitmq 5672 120; fi
  if has glance; then
    start glance-api glance-api --config-file "$ETC/glance/glance-api.conf"
  fi
  if has placement; then
    uwsgi_start placement-api 8778 /usr/bin/placement-api 1 \
      --env OS_PLACEMENT_CONFIG_DIR="$ETC/placement"
  fi
  if has nova; then
    start nova-api nova-api "${nc[@]}"
    start nova-conductor nova-conductor "${nc[@]}"
    start nova-scheduler nova-scheduler "${nc[@]}"
  fi
  if has neutron; then
    start neutron-server env PYTHONPATH="$DATA/neutron/pylib" neutron-server \
      --config-file "$ETC/neutron/neutron.conf" --config-file "$ETC/neutron/ml2_conf.ini"
  fi
  if has cinder; then
    start cinder-api cinder-api "${cc[@]}"
    start cinder-scheduler cinder-scheduler "${cc[@]}"
    start cinder-volume env PYTHONPATH="$DATA/cinder/pylib" cinder-volume "${cc[@]}"
    start cinder-backup cinder-backup "${cc[@]}" --config-file "$ETC/cinder/cinder-backup.conf"
  fi
  if has swift; then
    # --verbose: swift logs to syslog, and without /dev/log to UDP; this gets stderr
    for s in account container object proxy; do
      start "swift-$s" "swift-$s-server" "$ETC/swift/$s-server.conf" --verbose
    done
    # keeps the account's object and byte counts current
    start swift-container-updater swift-container-updater "$ETC/swift/container-server.conf" --verbose
  fi
  if has heat; then
    start heat heat-all --config-file "$ETC/heat/heat.conf"
  fi
  if has octavia; then
    uwsgi_start octavia-api 9876 /usr/bin/octavia-wsgi 1 \
      --pyargv "--config-file $ETC/octavia/octavia.conf"
    start octavia-worker octavia-worker --config-file "$ETC/octavia/octavia.conf"
  fi
  if has barbican; then start_barbican; fi
  # nova-compute only once placement answers: its first resource report must succeed,
  # or the resource provider appears a minute later, at the next periodic task
  if has placement; then wait_http placement-api "http://$HOST_IP:8778/" 120; fi
  if has nova; then
    start nova-compute env PYTHONPATH="$DATA/nova/pylib" "$BIN/nova-compute" "${nc[@]}"
  fi
  if has glance; then wait_http glance-api "http://$HOST_IP:9292/" 120; fi
  if has nova; then wait_http nova-api "http://$HOST_IP:8774/" 120; fi
  if has neutron; then wait_http neutron-server "http://$HOST_IP:9696/" 180; fi
  if has cinder; then wait_http cinder-api "http://$HOST_IP:8776/" 120; fi
  if has swift; then
    for s in account:6202 container:6201 object:6200 proxy:8080; do
      wait_http "swift-${s%%:*}" "http://$HOST_IP:${s##*:}/healthcheck" 60
    done
  fi
  if has heat; then wait_http heat "http://$HOST_IP:8004/" 120; fi
  if has octavia; then wait_http octavia-api "http://$HOST_IP:9876/" 120; fi
  if has barbican; then wait_http barbican-api "http://$HOST_IP:9311/" 120; fi
  return 0
}

# all_daemons: every daemon name the requested services run (for the final liveness check)
all_daemons() {
  echo mysql memcached keystone
  if need_rpc; then echo epmd rabbitmq; fi
  has glance && echo glance-api
  has placement && echo placement-api
  has nova && echo nova-api nova-conductor nova-scheduler nova-compute
  has neutron && echo neutron-server
  has cinder && echo cinder-api cinder-scheduler cinder-volume cinder-backup
  has swift && echo swift-account swift-container swift-object swift-proxy swift-container-updater
  has heat && echo heat
  has octavia && echo octavia-api octavia-worker
  has barbican && echo barbican-api
  has gnocchi && echo gnocchi-api gnocchi-metricd
  has aodh && echo aodh-api aodh-evaluator aodh-notifier
  return 0
}
