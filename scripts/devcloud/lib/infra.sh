# shellcheck shell=bash disable=SC2034  # the settings are used by the sourcing scripts
# devcloud/lib/infra.sh - MariaDB, epmd, RabbitMQ and memcached, private to the devcloud
# and on 127.0.0.1 only.

DB_USER=openstack
RABBIT_USER=openstack
TRANSPORT_URL="rabbit://$RABBIT_USER:$PASSWORD@$HOST_IP:5672/"
MEMCACHE="$HOST_IP:11211"
DATABASES="keystone glance placement nova_api nova nova_cell0 neutron cinder heat octavia barbican gnocchi aodh"

# shellcheck disable=SC2120  # callers elsewhere pass mysql options
mysql_root() { mysql --protocol=socket -S "$RUN/mysql/mysqld.sock" -u root "$@"; }
db_url() { echo "mysql+pymysql://$DB_USER:$PASSWORD@$HOST_IP/$1?charset=utf8"; }

# need_rpc: is any service that talks over RabbitMQ requested?
need_rpc() { has nova || has neutron || has cinder || has heat || has octavia || has aodh; }

configure_infra() {
  mkdir -p "$ETC/mysql" "$RUN/mysql" "$ETC/rabbitmq" "$DATA/rabbitmq" "$LOG/rabbitmq"
  chown mysql:mysql "$RUN/mysql"
  # MariaDB: own datadir and socket; durability traded for speed (migrations ~20 s)
  put "$ETC/mysql/my.cnf" mysql <<EOF
[mysqld]
user = mysql
datadir = $DATA/mysql
socket = $RUN/mysql/mysqld.sock
pid-file = $RUN/mysql/mysqld.pid
bind-address = $HOST_IP
port = 3306
skip-name-resolve
skip-log-bin
max_connections = 1000
max_allowed_packet = 64M
innodb_buffer_pool_size = 256M
innodb_log_file_size = 64M
innodb_flush_log_at_trx_commit = 0
innodb_doublewrite = 0
sync_binlog = 0
performance_schema = OFF
character-set-server = utf8
collation-server = utf8_general_ci
EOF
  # RabbitMQ: node devcloud@localhost as root, HOME (erlang cookie) and mnesia in data/,
  # the distribution port pinned to loopback too
  put "$ETC/rabbitmq/rabbitmq.conf" rabbitmq <<EOF
listeners.tcp.default = $HOST_IP:5672
loopback_users = none
default_user = $RABBIT_USER
default_pass = $PASSWORD
disk_free_limit.absolute = 50MB
log.console = true
log.file = false
EOF
  echo '[].' | put "$ETC/rabbitmq/enabled_plugins" rabbitmq
  put "$ETC/rabbitmq/rabbitmq-env.conf" rabbitmq < /dev/null
}

start_infra() {
  if [ ! -d "$DATA/mysql/mysql" ]; then
    say "initialising the MariaDB datadir"
    mkdir -p "$DATA/mysql"; chown mysql:mysql "$DATA/mysql"
    mariadb-install-db --defaults-file="$ETC/mysql/my.cnf" --skip-test-db \
      --auth-root-authentication-method=socket > "$LOG/mysql-install.log" 2>&1 \
      || fatal mysql-install "mariadb-install-db failed"
  fi
  start mysql /usr/sbin/mariadbd --defaults-file="$ETC/mysql/my.cnf"
  if need_rpc; then
    # epmd first: otherwise rabbitmq spawns its own, unmanaged and on every address
    start epmd /usr/bin/epmd -address "$HOST_IP" -port 4369
    wait_port epmd 4369 20
    start rabbitmq env HOME="$DATA/rabbitmq" RABBITMQ_NODENAME=devcloud@localhost \
      RABBITMQ_NODE_IP_ADDRESS="$HOST_IP" RABBITMQ_NODE_PORT=5672 RABBITMQ_DIST_PORT=25672 \
      ERL_EPMD_ADDRESS="$HOST_IP" ERL_EPMD_PORT=4369 \
      RABBITMQ_CONF_ENV_FILE="$ETC/rabbitmq/rabbitmq-env.conf" \
      RABBITMQ_CONFIG_FILE="$ETC/rabbitmq/rabbitmq.conf" \
      RABBITMQ_ENABLED_PLUGINS_FILE="$ETC/rabbitmq/enabled_plugins" \
      RABBITMQ_MNESIA_BASE="$DATA/rabbitmq/mnesia" RABBITMQ_LOG_BASE="$LOG/rabbitmq" \
      RABBITMQ_PID_FILE="$DATA/rabbitmq/beam.pid" \
      RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}" \
      /usr/lib/rabbitmq/bin/rabbitmq-server
  fi
  start memcached /usr/bin/memcached -u memcache -l "$HOST_IP" -p 11211 -U 0 -m 64

  wait_port mysql 3306 60
  {
    for db in $DATABASES; do echo "CREATE DATABASE IF NOT EXISTS $db;"; done
    for h in localhost 127.0.0.1; do
      echo "CREATE USER IF NOT EXISTS '$DB_USER'@'$h' IDENTIFIED BY '$PASSWORD';"
      echo "GRANT ALL PRIVILEGES ON *.* TO '$DB_USER'@'$h';"
    done
  } | mysql_root --batch || fatal mysql "creating the databases failed"
  wait_port memcached 11211 20
}
