# shellcheck shell=bash
# devcloud/lib/run.sh - up.sh's helpers: fatal errors, step timings, config files that
# are only rewritten when their content changes, and starting/waiting for daemons.

die() { printf '[devcloud] FATAL: %s\n' "$*" >&2; exit 1; }

# fatal SERVICE REASON: the service's log tail, then "FATAL: SERVICE: REASON"
fatal() {
  local name=$1; shift
  if [ -f "$LOG/$name.log" ]; then
    echo "---- last 40 lines of $LOG/$name.log:" >&2
    tail -n 40 "$LOG/$name.log" >&2
  fi
  die "$name: $*"
}

# step NAME: closes the previous step and records its wall time in timings.txt
STEP_NAME=""; STEP_T=0
step() {
  local now; now=$(date +%s.%N)
  if [ -n "$STEP_NAME" ]; then
    awk -v n="$STEP_NAME" -v a="$STEP_T" -v b="$now" \
      'BEGIN { printf "%-20s %7.1f s\n", n, b - a }' >> "$DEVCLOUD_DIR/timings.txt"
  fi
  STEP_NAME=$1; STEP_T=$now
  if [ -n "$1" ]; then say "== $1"; fi
}

# put FILE GROUP [MODE] < content: write FILE only when its content differs, and then
# mark GROUP (keystone, nova, ...) as changed so that its running daemons get restarted.
declare -A CHANGED=()
put() {
  local file=$1 group=$2 mode=${3:-} tmp
  tmp=$(mktemp "$file.XXXXXX")
  cat > "$tmp"
  if [ -f "$file" ] && cmp -s "$tmp" "$file"; then
    rm -f "$tmp"
  else
    chmod "${mode:-644}" "$tmp"
    mv -f "$tmp" "$file"
    CHANGED[$group]=1
  fi
}

# group_of SERVICE: the config group a daemon belongs to (nova-api -> nova, ...)
group_of() {
  case "$1" in
    glance-api) echo glance ;; placement-api) echo placement ;;
    # its own group: its config is a second file, so adding it (or changing it)
    # restarts only cinder-backup; configure_cinder marks it when cinder.conf changes
    cinder-backup) echo cinder-backup ;;
    nova-*|neutron-*|cinder-*|swift-*|octavia-*|barbican-*|gnocchi-*|aodh-*) echo "${1%%-*}" ;;
    *) echo "$1" ;;
  esac
}

# start NAME CMD...: make sure NAME runs.
#  - running (pid + start time match) with unchanged config: left alone;
#  - running but its config changed: stopped and started again;
#  - dead: orphaned workers of its session are killed, its ports must be free (a port
#    held by any other process is fatal), then CMD runs in its own session with
#    stdout+stderr appended to log/NAME.log; pid and start time go to run/.
STARTED=()
start() {
  local name=$1 port holder pid; shift
  if is_running "$name"; then
    if [ -z "${CHANGED[$(group_of "$name")]:-}" ]; then
      return 0
    fi
    say "$name: configuration changed, restarting"
    stop_services "$name" >> "$LOG/setup.log"
  elif [ -s "$RUN/$name.pid" ]; then
    pid=$(recorded_pid "$name" || echo '?')
    if [ -d "/proc/$pid" ]; then
      say "$name: stale pid file (pid $pid now belongs to another process), restarting"
    else
      say "$name: recorded pid $pid is dead, restarting"
    fi
    stop_services "$name" >> "$LOG/setup.log"   # kills orphaned workers only
  fi
  for port in ${SERVICE_PORTS[$name]:-}; do
    if holder=$(port_holder "$port"); then
      fatal "$name" "port $port is already taken by pid ${holder} (not a process devcloud recorded); stop it and re-run"
    fi
  done
  echo "=== $(date -Is) start: $*" >> "$LOG/$name.log"
  setsid "$@" >> "$LOG/$name.log" 2>&1 < /dev/null &
  pid=$!
  echo "$pid" > "$RUN/$name.pid"
  starttime "$pid" > "$RUN/$name.start"
  STARTED+=("$name")
}

# uwsgi_start NAME PORT WSGI_FILE PROCESSES [uwsgi args...]: an API under uwsgi.
# "Connection: close" because clients reuse keep-alive connections that uwsgi has
# already closed (ConnectionResetError); the short mercy times let SIGTERM work at once.
uwsgi_start() {
  local name=$1 port=$2 wsgi=$3 procs=$4; shift 4
  start "$name" /usr/bin/uwsgi --plugins python3 --http-socket "$HOST_IP:$port" \
    --wsgi-file "$wsgi" --master --processes "$procs" --threads 4 \
    --enable-threads --lazy-apps --die-on-term --need-app --buffer-size 65535 \
    --add-header "Connection: close" --worker-reload-mercy 5 --reload-mercy 5 \
    --procname-prefix-spaced "devcloud-$name" "$@"
}

# wait_port NAME PORT [TIMEOUT]: until something accepts TCP on 127.0.0.1:PORT
wait_port() {
  local name=$1 port=$2 t=${3:-120} i=0
  while ! (exec 3<>"/dev/tcp/$HOST_IP/$port") 2>/dev/null; do
    is_running "$name" || fatal "$name" "died during start-up"
    i=$((i + 1)); [ $i -le $((t * 5)) ] || fatal "$name" "port $port not open after ${t}s"
    sleep 0.2
  done
}

# wait_http NAME URL [TIMEOUT]: until URL answers 2xx, 3xx or 401
wait_http() {
  local name=$1 url=$2 t=${3:-120} i=0 code
  while :; do
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$url" || true)
    case "$code" in 2??|3??|401) return 0 ;; esac
    is_running "$name" || fatal "$name" "died during start-up"
    i=$((i + 1)); [ $i -le $((t * 4)) ] || fatal "$name" "$url answered '$code' after ${t}s"
    sleep 0.25
  done
}

# run_log CMD...: run a setup command, output to log/setup.log; fatal on failure
run_log() {
  echo "=== $(date -Is) $*" >> "$LOG/setup.log"
  "$@" >> "$LOG/setup.log" 2>&1 || fatal setup "failed: $*"
}
