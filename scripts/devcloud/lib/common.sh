# shellcheck shell=bash disable=SC2034  # the settings are used by the sourcing scripts
# devcloud/lib/common.sh - settings and process bookkeeping shared by up/down/status.
#
# Every daemon is started in its own session (setsid), so its pid is also its process
# group and session id. run/NAME.pid holds that pid and run/NAME.start the kernel start
# time of the process (/proc/PID/stat field 22). A pid file only counts while both match:
# a pid reused by some other process is never mistaken for (or signalled as) a service.

DEVCLOUD_DIR=${DEVCLOUD_DIR:-/var/lib/devcloud}
ETC=$DEVCLOUD_DIR/etc
LOG=$DEVCLOUD_DIR/log
RUN=$DEVCLOUD_DIR/run
DATA=$DEVCLOUD_DIR/data
BIN=$DEVCLOUD_DIR/bin
HOST_IP=127.0.0.1

# TCP ports each service must own; checked before it is started.
declare -A SERVICE_PORTS=(
  [mysql]=3306 [epmd]=4369 [rabbitmq]="5672 25672" [memcached]=11211
  [keystone]=5000 [placement-api]=8778 [glance-api]=9292 [nova-api]=8774
  [neutron-server]=9696 [cinder-api]=8776 [swift-object]=6200 [swift-container]=6201
  [swift-account]=6202 [swift-proxy]=8080 [heat]=8004 [octavia-api]=9876
  [barbican-api]=9311 [gnocchi-api]=8041 [aodh-api]=8042
)

# Infrastructure daemons: stopped after every OpenStack service.
INFRA_SERVICES="memcached rabbitmq mysql epmd"

say()  { printf '[devcloud %4ss] %s\n' "$(( $(date +%s) - ${T0:-$(date +%s)} ))" "$*"; }
warn() { printf '[devcloud] WARNING: %s\n' "$*" >&2; }

# starttime PID: kernel start time (clock ticks since boot). Fields are counted after
# the last ')' so that a command name with spaces cannot shift them.
starttime() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  # shellcheck disable=SC2086
  set -- $stat
  echo "${20}"
}

# recorded_pid NAME: the pid in run/NAME.pid, if it is a number
recorded_pid() {
  local p
  p=$(cat "$RUN/$1.pid" 2>/dev/null) || return 1
  case "$p" in ''|*[!0-9]*) return 1 ;; esac
  echo "$p"
}

# is_running NAME: the recorded pid is alive AND has the recorded start time
is_running() {
  local p
  p=$(recorded_pid "$1") || return 1
  [ -d "/proc/$p" ] && [ "$(starttime "$p")" = "$(cat "$RUN/$1.start" 2>/dev/null)" ]
}

# session_members SID: pids of every process in session SID
session_members() { ps -e -o pid=,sid= | awk -v s="$1" '$2 == s { print $1 }'; }

# leftovers NAME: when the recorded leader is dead, pids still in its session
# (forked workers orphaned by a kill -9 of the leader). Linux does not hand out a pid
# again while a session or group still uses it, so these are ours.
leftovers() {
  local p
  p=$(recorded_pid "$1") || return 0
  [ -d "/proc/$p" ] && return 0
  session_members "$p"
}

# port_holder PORT: "pid command" of the process listening on 127.0.0.1/any:PORT
port_holder() {
  local line pid
  line=$(ss -ltnpH "( sport = :$1 )" 2>/dev/null | head -n 1)
  [ -n "$line" ] || return 1
  pid=$(printf '%s' "$line" | grep -o 'pid=[0-9]*' | head -n 1 | cut -d= -f2)
  echo "${pid:-?} $(ps -o args= -p "${pid:-0}" 2>/dev/null | cut -c1-80)"
}

# stop_services NAME...: SIGTERM each running service's process group (and leftovers
# of dead ones), wait up to 15 s, then SIGKILL what is left. Removes the pid files.
stop_services() {
  local n p pids=() names=() left
  for n in "$@"; do
    if is_running "$n"; then
      p=$(recorded_pid "$n")
      echo "stopping $n (pid $p)"
      kill -TERM -- "-$p" 2>/dev/null || kill -TERM "$p" 2>/dev/null || true
      pids+=("$p"); names+=("$n")
    else
      if p=$(recorded_pid "$n") && [ -d "/proc/$p" ]; then
        echo "skip $n: pid $p is alive but is not the process devcloud started (pid reused)"
      fi
      for p in $(leftovers "$n"); do
        echo "killing leftover process $p of dead $n"
        kill -KILL "$p" 2>/dev/null || true
      done
    fi
    rm -f "$RUN/$n.pid" "$RUN/$n.start"
  done
  [ ${#pids[@]} -gt 0 ] || return 0
  for _ in $(seq 1 75); do
    left=0
    for p in "${pids[@]}"; do kill -0 -- "-$p" 2>/dev/null && left=1; done
    [ $left = 0 ] && return 0
    sleep 0.2
  done
  for i in "${!pids[@]}"; do
    if kill -0 -- "-${pids[$i]}" 2>/dev/null; then
      echo "  ${names[$i]} still running after 15 s: SIGKILL"
      kill -KILL -- "-${pids[$i]}" 2>/dev/null || true
    fi
  done
}

# recorded_services: names of every run/*.pid (in no particular order)
recorded_services() {
  local f
  for f in "$RUN"/*.pid; do
    [ -e "$f" ] || continue
    f=${f##*/}; f=${f%.pid}
    [ "$f" = rabbitmq.beam ] || echo "$f"
  done
}
