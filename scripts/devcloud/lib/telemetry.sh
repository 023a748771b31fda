# shellcheck shell=bash
# devcloud/lib/telemetry.sh - Gnocchi (metric) and Aodh (alarming) from Debian's packages,
# so that metrics and alarms are real. No ceilometer: measures come from whoever posts them.
#
# Gnocchi: gnocchi-api under uwsgi and gnocchi-metricd, file storage (measures and
# aggregates under data/gnocchi/storage), MariaDB indexer, and MariaDB as the tooz
# coordinator (Gnocchi's default when coordination_url is unset). metricd looks for new
# measures every 2 s (the default is 60), so a measure is aggregated within seconds; a
# read with ?refresh=true aggregates at once.
#
# Aodh: aodh-api under uwsgi, aodh-evaluator every 10 s (default 60) against Gnocchi with
# the aodh service user, aodh-notifier for alarm actions (log://, http://). No
# aodh-listener: event alarms need service notifications, which the devcloud turns off.
#
# Both APIs read their config from oslo.config's default places (Aodh's app.wsgi passes
# no arguments, and keystonemiddleware loads [keystone_authtoken] itself through
# oslo_config_project): HOME points them at ~/.gnocchi/gnocchi.conf and ~/.aodh/aodh.conf,
# symlinks to etc/, so Debian's /etc/gnocchi and /etc/aodh are never read.

GNOCCHI_HOME=$DATA/gnocchi/home
AODH_HOME=$DATA/aodh/home
# the paste files of the Python packages (Debian's copies in /etc are the same)
GNOCCHI_PASTE=/usr/lib/python3/dist-packages/gnocchi/rest/api-paste.ini
AODH_PASTE=/usr/lib/python3/dist-packages/aodh/api/api-paste.ini
GNOCCHI_POLICY=/usr/lib/python3/dist-packages/gnocchi/rest/policy.yaml

configure_gnocchi() {
  mkdir -p "$DATA/gnocchi/storage" "$GNOCCHI_HOME/.gnocchi"
  put "$ETC/gnocchi/gnocchi.conf" gnocchi <<EOF
[DEFAULT]
# threads for aggregation work; the default is one per CPU
parallel_operations = 2
[api]
auth_mode = keystone
paste_config = $GNOCCHI_PASTE
[indexer]
url = $(db_url gnocchi)
[storage]
driver = file
file_basepath = $DATA/gnocchi/storage
[metricd]
workers = 1
# seconds between scans for new measures (file incoming cannot notify metricd)
metric_processing_delay = 2
# no reporting process: it only logs the backlog
metric_reporting_delay = -1
metric_cleanup_delay = 60
$(authtoken gnocchi)
$(common_sections gnocchi)
# the package's rules (oslo.policy's default name, policy.json, would find Debian's copy)
policy_file = $GNOCCHI_POLICY
EOF
  ln -sfn "$ETC/gnocchi/gnocchi.conf" "$GNOCCHI_HOME/.gnocchi/gnocchi.conf"
}

configure_aodh() {
  mkdir -p "$AODH_HOME/.aodh"
  put "$ETC/aodh/aodh.conf" aodh <<EOF
[DEFAULT]
transport_url = $TRANSPORT_URL
[api]
auth_mode = keystone
paste_config = $AODH_PASTE
[database]
connection = $(db_url aodh)
[evaluator]
# seconds between evaluations of every alarm (default 60)
evaluation_interval = 10
workers = 1
[notifier]
workers = 1
$(authtoken aodh)
[service_credentials]
auth_url = $KS_URL
auth_type = password
project_domain_name = Default
user_domain_name = Default
project_name = service
username = aodh
password = $PASSWORD
region_name = $REGION
interface = public
$(common_sections aodh)
EOF
  ln -sfn "$ETC/aodh/aodh.conf" "$AODH_HOME/.aodh/aodh.conf"
}

# gnocchi-upgrade: indexer schema, storage and incoming layout (8 sacks: one metricd
# scans them all every metric_processing_delay; the default is 128), and on a new
# indexer the default archive policies (bool, low, medium, high) and the rule
# "default" (* -> low)
gnocchi_db_setup() {
  gnocchi-upgrade --config-file "$ETC/gnocchi/gnocchi.conf" --sacks-number 8
}

# start_telemetry: its own step after the other services (timings.txt shows what it
# adds); waits until both APIs answer
start_telemetry() {
  if has gnocchi; then
    uwsgi_start gnocchi-api 8041 /usr/lib/python3/dist-packages/gnocchi/rest/wsgi.py 1 \
      --env HOME="$GNOCCHI_HOME" --chdir "$DATA/gnocchi"
    start gnocchi-metricd gnocchi-metricd --config-file "$ETC/gnocchi/gnocchi.conf"
  fi
  if has aodh; then
    uwsgi_start aodh-api 8042 /usr/share/aodh/app.wsgi 1 --env HOME="$AODH_HOME" \
      --chdir "$DATA/aodh"
    start aodh-evaluator aodh-evaluator --config-file "$ETC/aodh/aodh.conf"
    start aodh-notifier aodh-notifier --config-file "$ETC/aodh/aodh.conf"
  fi
  if has gnocchi; then wait_http gnocchi-api "http://$HOST_IP:8041/" 120; fi
  if has aodh; then wait_http aodh-api "http://$HOST_IP:8042/" 120; fi
  return 0
}
