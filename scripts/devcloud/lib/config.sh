# shellcheck shell=bash
# devcloud/lib/config.sh - configuration of every OpenStack service for 127.0.0.1.
# Configs are regenerated on every run but only rewritten when they change (put), and a
# change restarts that service's daemons. No service sets log_file: oslo.log then
# writes to stdout, which lands in log/<service>.log with any start-up traceback.

# ---- shared oslo sections
authtoken() {  # authtoken USER: keystonemiddleware section
  cat <<EOF
[keystone_authtoken]
www_authenticate_uri = $KS_URL
auth_url = $KS_URL
memcached_servers = $MEMCACHE
auth_type = password
project_domain_name = Default
user_domain_name = Default
project_name = service
username = $1
password = $PASSWORD
region_name = $REGION
service_token_roles = service
service_token_roles_required = true
EOF
}

ks_auth() {  # ks_auth SECTION USER: keystoneauth password section for service-to-service calls
  cat <<EOF
[$1]
auth_url = $KS_URL
auth_type = password
project_domain_name = Default
user_domain_name = Default
project_name = service
username = $2
password = $PASSWORD
region_name = $REGION
valid_interfaces = public
EOF
}

common_sections() {  # common_sections SERVICE: locks, no notifications, Zed's policy defaults
  cat <<EOF
[oslo_concurrency]
lock_path = $DATA/$1/lock
[oslo_messaging_notifications]
driver = noop
[oslo_messaging_rabbit]
heartbeat_timeout_threshold = 0
[oslo_policy]
enforce_new_defaults = false
enforce_scope = false
EOF
}

# install_py FILE DEST GROUP [MODE]: copy one of the project's Python shims into place
install_py() { put "$2" "$3" "${4:-}" < "$DEVCLOUD_SRC/py/$1"; }

configure_keystone() {
  mkdir -p "$DATA/keystone/fernet-keys" "$DATA/keystone/credential-keys"
  put "$ETC/keystone/keystone.conf" keystone <<EOF
[DEFAULT]
[database]
connection = $(db_url keystone)
[auth]
# the defaults plus totp: the devcloud's totp-user logs in with password + passcode
methods = external,password,token,oauth1,mapped,application_credential,totp
[token]
provider = fernet
expiration = 86400
[fernet_tokens]
key_repository = $DATA/keystone/fernet-keys
[credential]
key_repository = $DATA/keystone/credential-keys
[cache]
enabled = true
backend = dogpile.cache.pymemcache
memcache_servers = $MEMCACHE
$(common_sections keystone)
EOF
}

configure_glance() {
  mkdir -p "$DATA/glance/images" "$DATA/glance/staging" "$DATA/glance/tasks"
  put "$ETC/glance/glance-api.conf" glance <<EOF
[DEFAULT]
graceful_shutdown_timeout = 5
bind_host = $HOST_IP
bind_port = 9292
workers = 0
enabled_backends = file:file
image_cache_dir = $DATA/glance/cache
[database]
connection = $(db_url glance)
$(authtoken glance)
[paste_deploy]
flavor = keystone
config_file = /etc/glance/glance-api-paste.ini
[glance_store]
default_backend = file
[file]
filesystem_store_datadir = $DATA/glance/images/
[os_glance_staging_store]
filesystem_store_datadir = $DATA/glance/staging/
[os_glance_tasks_store]
filesystem_store_datadir = $DATA/glance/tasks/
$(common_sections glance)
EOF
}

configure_placement() {
  put "$ETC/placement/placement.conf" placement <<EOF
[DEFAULT]
[api]
auth_strategy = keystone
[placement_database]
connection = $(db_url placement)
$(authtoken placement)
$(common_sections placement)
EOF
}

configure_nova() {
  mkdir -p "$DATA/nova/instances" "$DATA/nova/pylib"
  install_py devcloud_nova.py "$DATA/nova/pylib/devcloud_nova.py" nova
  install_py nova_compute.py "$BIN/nova-compute" nova 755
  put "$ETC/nova/nova.conf" nova <<EOF
[DEFAULT]
graceful_shutdown_timeout = 5
host = $HOSTNAME_OS
my_ip = $HOST_IP
transport_url = $TRANSPORT_URL
state_path = $DATA/nova
instances_path = $DATA/nova/instances
compute_driver = fake.DevcloudFakeDriver
enabled_apis = osapi_compute
osapi_compute_listen = $HOST_IP
osapi_compute_listen_port = 8774
osapi_compute_workers = 1
metadata_workers = 1
allow_resize_to_same_host = true
vif_plugging_is_fatal = false
vif_plugging_timeout = 0
default_floating_pool = public
[wsgi]
api_paste_config = /etc/nova/api-paste.ini
[api]
auth_strategy = keystone
[api_database]
connection = $(db_url nova_api)
[database]
connection = $(db_url nova)
[conductor]
workers = 1
[scheduler]
workers = 1
discover_hosts_in_cells_interval = 30
[compute]
cpu_allocation_ratio = 16.0
[vnc]
enabled = false
[spice]
enabled = false
[glance]
valid_interfaces = public
$(authtoken nova)
$(ks_auth placement nova)
$(ks_auth neutron nova)
service_metadata_proxy = false
$(ks_auth cinder nova)
catalog_info = volumev3::publicURL
os_region_name = $REGION
$(ks_auth service_user nova)
send_service_user_token = true
$(common_sections nova)
EOF
}

configure_neutron() {
  local pylib=$DATA/neutron/pylib
  mkdir -p "$pylib/devcloud_ml2-1.0.dist-info"
  install_py devcloud_ml2.py "$pylib/devcloud_ml2.py" neutron
  # ML2 loads mechanism drivers only through stevedore entry points
  printf 'Metadata-Version: 2.1\nName: devcloud-ml2\nVersion: 1.0\n' \
    | put "$pylib/devcloud_ml2-1.0.dist-info/METADATA" neutron
  printf '[neutron.ml2.mechanism_drivers]\ndevcloud = devcloud_ml2:DevcloudMechanismDriver\n' \
    | put "$pylib/devcloud_ml2-1.0.dist-info/entry_points.txt" neutron
  # trunk and qos are off: trunk refuses to load without an agent-backed driver.
  # [placement] is needed: deleting a subnet notifies placement through segments.
  put "$ETC/neutron/neutron.conf" neutron <<EOF
[DEFAULT]
graceful_shutdown_timeout = 5
host = $HOSTNAME_OS
bind_host = $HOST_IP
bind_port = 9696
core_plugin = ml2
service_plugins = router
auth_strategy = keystone
transport_url = $TRANSPORT_URL
api_workers = 0
rpc_workers = 0
rpc_state_report_workers = 0
allow_overlapping_ips = true
dhcp_agent_notification = false
notify_nova_on_port_status_changes = true
notify_nova_on_port_data_changes = true
state_path = $DATA/neutron
api_paste_config = /etc/neutron/api-paste.ini
[database]
connection = $(db_url neutron)
$(authtoken neutron)
$(ks_auth nova neutron)
$(ks_auth placement neutron)
$(common_sections neutron)
EOF
  put "$ETC/neutron/ml2_conf.ini" neutron <<EOF
[ml2]
type_drivers = flat,vlan,vxlan,local
tenant_network_types = vxlan
mechanism_drivers = devcloud
extension_drivers = port_security
[ml2_type_flat]
flat_networks = *
[ml2_type_vlan]
network_vlan_ranges = public,physnet1:100:199
[ml2_type_vxlan]
vni_ranges = 1:10000
[securitygroup]
enable_security_group = true
EOF
}

configure_cinder() {
  mkdir -p "$DATA/cinder/pylib" "$DATA/cinder/volumes" "$DATA/cinder/conversion"
  install_py devcloud_cinder.py "$DATA/cinder/pylib/devcloud_cinder.py" cinder
  put "$ETC/cinder/cinder.conf" cinder <<EOF
[DEFAULT]
graceful_shutdown_timeout = 5
host = $HOSTNAME_OS
my_ip = $HOST_IP
transport_url = $TRANSPORT_URL
auth_strategy = keystone
osapi_volume_listen = $HOST_IP
osapi_volume_listen_port = 8776
osapi_volume_workers = 1
enabled_backends = devcloud
state_path = $DATA/cinder
image_conversion_dir = $DATA/cinder/conversion
api_paste_config = /etc/cinder/api-paste.ini
[database]
connection = $(db_url cinder)
$(authtoken cinder)
$(ks_auth nova cinder)
interface = public
[devcloud]
volume_driver = devcloud_cinder.DevcloudFileDriver
volume_backend_name = devcloud
devcloud_volumes_dir = $DATA/cinder/volumes
$(common_sections cinder)
EOF
  configure_cinder_backup
}

# configure_cinder_backup: cinder-backup reads cinder.conf and then this second file,
# so a devcloud that is already up gains backups without restarting cinder-api,
# -scheduler or -volume. The POSIX driver writes backups as files under
# data/cinder/backups; it reads a volume through the volume driver's "local"
# connection (the volume file itself).
configure_cinder_backup() {
  mkdir -p "$DATA/cinder/backups"
  # a changed cinder.conf restarts cinder-backup too (it is its own config group)
  if [ -n "${CHANGED[cinder]:-}" ]; then CHANGED["cinder-backup"]=1; fi
  put "$ETC/cinder/cinder-backup.conf" cinder-backup <<EOF
[DEFAULT]
backup_driver = cinder.backup.drivers.posix.PosixBackupDriver
backup_posix_path = $DATA/cinder/backups
backup_workers = 1
EOF
}

configure_swift() {
  local s name port
  mkdir -p "$DATA/swift/node/d1" "$DATA/swift/cache" /etc/swift
  # swift reads swift.conf from this fixed path only; keep the original once
  if [ -f /etc/swift/swift.conf ] && [ ! -f /etc/swift/swift.conf.devcloud-orig ]; then
    cp -p /etc/swift/swift.conf /etc/swift/swift.conf.devcloud-orig
  fi
  put /etc/swift/swift.conf swift <<EOF
# written by the devcloud (swift reads only this path); original: swift.conf.devcloud-orig
[swift-hash]
swift_hash_path_suffix = devcloud
swift_hash_path_prefix = devcloud
[storage-policy:0]
name = Policy-0
default = yes
EOF
  # account/container/object servers; recon_cache_path because the default
  # /var/cache/swift does not exist (the container-updater needs it)
  for s in account:6202 container:6201 object:6200; do
    name=${s%%:*}; port=${s##*:}
    put "$ETC/swift/$name-server.conf" swift <<EOF
[DEFAULT]
bind_ip = $HOST_IP
bind_port = $port
workers = 0
user = root
swift_dir = $ETC/swift
devices = $DATA/swift/node
mount_check = false
log_level = INFO
recon_cache_path = $DATA/swift/cache
[pipeline:main]
pipeline = healthcheck recon $name-server
[app:$name-server]
use = egg:swift#$name
[filter:healthcheck]
use = egg:swift#healthcheck
[filter:recon]
use = egg:swift#recon
recon_cache_path = $DATA/swift/cache
[$name-updater]
interval = 5
concurrency = 1
EOF
  done
  put "$ETC/swift/proxy-server.conf" swift <<EOF
[DEFAULT]
bind_ip = $HOST_IP
bind_port = 8080
workers = 0
user = root
swift_dir = $ETC/swift
log_level = INFO
[pipeline:main]
pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats container_sync bulk tempurl ratelimit formpost authtoken keystoneauth copy container-quotas account-quotas slo dlo versioned_writes symlink proxy-logging proxy-server
[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true
allow_account_management = true
[filter:catch_errors]
use = egg:swift#catch_errors
[filter:gatekeeper]
use = egg:swift#gatekeeper
[filter:healthcheck]
use = egg:swift#healthcheck
[filter:proxy-logging]
use = egg:swift#proxy_logging
[filter:cache]
use = egg:swift#memcache
memcache_servers = $MEMCACHE
[filter:listing_formats]
use = egg:swift#listing_formats
[filter:container_sync]
use = egg:swift#container_sync
[filter:bulk]
use = egg:swift#bulk
[filter:tempurl]
use = egg:swift#tempurl
[filter:ratelimit]
use = egg:swift#ratelimit
[filter:formpost]
use = egg:swift#formpost
[filter:authtoken]
paste.filter_factory = keystonemiddleware.auth_token:filter_factory
www_authenticate_uri = $KS_URL
auth_url = $KS_URL
memcached_servers = $MEMCACHE
auth_type = password
project_domain_name = Default
user_domain_name = Default
project_name = service
username = swift
password = $PASSWORD
delay_auth_decision = true
[filter:keystoneauth]
use = egg:swift#keystoneauth
operator_roles = admin, member
reseller_admin_role = ResellerAdmin
[filter:copy]
use = egg:swift#copy
[filter:container-quotas]
use = egg:swift#container_quotas
[filter:account-quotas]
use = egg:swift#account_quotas
[filter:slo]
use = egg:swift#slo
[filter:dlo]
use = egg:swift#dlo
[filter:versioned_writes]
use = egg:swift#versioned_writes
allow_versioned_writes = true
allow_object_versioning = true
[filter:symlink]
use = egg:swift#symlink
EOF
  if [ ! -f "$ETC/swift/object.ring.gz" ]; then
    run_log "$PY" "$DEVCLOUD_SRC/py/swift_rings.py" "$ETC/swift" "$HOST_IP"
    # shellcheck disable=SC2034  # read by start() in lib/run.sh
    CHANGED["swift"]=1
  fi
}

configure_heat() {
  put "$ETC/heat/heat.conf" heat <<EOF
[DEFAULT]
graceful_shutdown_timeout = 5
host = $HOSTNAME_OS
transport_url = $TRANSPORT_URL
num_engine_workers = 1
region_name_for_services = $REGION
heat_metadata_server_url = http://$HOST_IP:8000
heat_waitcondition_server_url = http://$HOST_IP:8000/v1/waitcondition
stack_domain_admin = heat_domain_admin
stack_domain_admin_password = $PASSWORD
stack_user_domain_name = heat
[heat_all]
enabled_services = api,engine
[heat_api]
bind_host = $HOST_IP
bind_port = 8004
workers = 1
[paste_deploy]
api_paste_config = /etc/heat/api-paste.ini
[database]
connection = $(db_url heat)
$(authtoken heat)
[trustee]
auth_url = $KS_URL
auth_type = password
user_domain_name = Default
username = heat
password = $PASSWORD
[clients_keystone]
auth_uri = $KS_URL
$(common_sections heat)
EOF
}

# Octavia: the amphora provider with noop amphora/compute/network/image drivers, as in
# Octavia's noop API CI job. The controller still renders amphora agent configs, so it
# needs a CA and a client certificate.
configure_octavia() {
  local certs=$DATA/octavia/certs
  if [ ! -f "$certs/client.pem" ]; then
    mkdir -p "$certs"
    ( cd "$certs" &&
      openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 3650 \
        -subj "/CN=devcloud-octavia-ca" &&
      openssl req -newkey rsa:2048 -nodes -keyout client.key -out client.csr \
        -subj "/CN=devcloud-octavia-client" &&
      openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
        -out client.crt -days 3650 &&
      cat client.crt client.key > client.pem ) >> "$LOG/setup.log" 2>&1 \
      || fatal setup "octavia certificate generation failed"
  fi
  put "$ETC/octavia/octavia.conf" octavia <<EOF
[DEFAULT]
graceful_shutdown_timeout = 5
host = $HOSTNAME_OS
transport_url = $TRANSPORT_URL
[api_settings]
bind_host = $HOST_IP
bind_port = 9876
auth_strategy = keystone
api_base_uri = http://$HOST_IP:9876
enabled_provider_drivers = amphora:The Octavia Amphora driver (noop backends in devcloud),octavia:Alias of the amphora driver
default_provider_driver = amphora
[database]
connection = $(db_url octavia)
$(authtoken octavia)
$(ks_auth service_auth octavia)
[controller_worker]
amphora_driver = amphora_noop_driver
compute_driver = compute_noop_driver
network_driver = network_noop_driver
image_driver = image_noop_driver
loadbalancer_topology = SINGLE
workers = 1
client_ca = $certs/ca.pem
[certificates]
cert_generator = local_cert_generator
ca_certificate = $certs/ca.pem
ca_private_key = $certs/ca.key
[haproxy_amphora]
client_cert = $certs/client.pem
server_ca = $certs/ca.pem
[task_flow]
jobboard_enabled = false
[oslo_messaging]
topic = octavia_prov
$(common_sections octavia)
EOF
}

# configure_services: keystone always, then every requested service
configure_services() {
  local s
  for s in keystone $SERVICES; do
    mkdir -p "$ETC/$s" "$DATA/$s/lock"
  done
  configure_keystone
  for s in $SERVICES; do
    [ "$s" = keystone ] || "configure_$s"
  done
}
