# shellcheck shell=bash
# devcloud/lib/barbican.sh - Barbican (key-manager), the simple_crypto plugin, for the
# certificates of Octavia's TERMINATED_HTTPS listeners. Only barbican-api runs: storing
# secrets and containers needs no worker (orders do) and no keystone listener.
#
# Barbican reads barbican.conf from oslo.config's default places and its paste file from
# /etc/barbican; the devcloud keeps its own config under etc/barbican and points oslo at
# it through HOME (~/.barbican/barbican.conf comes first in oslo's search).

BARBICAN_HOME=$DATA/barbican/home

configure_barbican() {
  local kek=$DATA/barbican/kek
  mkdir -p "$BARBICAN_HOME/.barbican"
  if [ ! -s "$kek" ]; then
    ( umask 077; "$PY" -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())' > "$kek" )
  fi
  put "$ETC/barbican/barbican.conf" barbican 600 <<EOF
[DEFAULT]
host_href = http://$HOST_IP:9311
transport_url = $TRANSPORT_URL
# Barbican's own option (not oslo.db's [database] connection); its default
# is a sqlite file in the working directory
sql_connection = $(db_url barbican)
$(authtoken barbican)
[secretstore]
enabled_secretstore_plugins = store_crypto
[crypto]
enabled_crypto_plugins = simple_crypto
[simple_crypto_plugin]
kek = $(cat "$kek")
[keystone_notifications]
enable = false
$(common_sections barbican)
EOF
  ln -sfn "$ETC/barbican/barbican.conf" "$BARBICAN_HOME/.barbican/barbican.conf"
}

barbican_db_setup() { HOME=$BARBICAN_HOME barbican-manage db upgrade; }

start_barbican() {
  uwsgi_start barbican-api 9311 /usr/bin/barbican-wsgi-api 1 --env HOME="$BARBICAN_HOME" \
    --chdir "$DATA/barbican"
}
