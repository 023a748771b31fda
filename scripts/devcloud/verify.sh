#!/usr/bin/env bash
# scripts/devcloud/verify.sh - short smoke test of a running devcloud with the openstack
# CLI, as the demo user (cloud "devcloud"). Every command is echoed; the first failure
# stops the run with a non-zero exit. Resources it creates are named smoke-* and are
# deleted again, also on failure.
set -Eeuo pipefail
DEVCLOUD_DIR=${DEVCLOUD_DIR:-/var/lib/devcloud}
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin   # Debian's openstack CLI
export OS_CLIENT_CONFIG_FILE=$DEVCLOUD_DIR/clouds.yaml PYTHONWARNINGS=ignore
unset OS_CLOUD
T0=$(date +%s)
OBJ=$(mktemp)

os() { openstack --os-cloud devcloud "$@"; }
admin() { openstack --os-cloud devcloud-admin "$@"; }
run() { echo "\$ $*"; "$@"; }

# wait_status KIND NAME WANT [TIMEOUT]: poll "KIND show NAME -c status" until WANT
wait_status() {
  local kind=$1 name=$2 want=$3 t=${4:-60} v=""
  for _ in $(seq 1 "$t"); do
    # shellcheck disable=SC2086
    v=$(os $kind show "$name" -f value -c status 2>/dev/null || true)
    [ "$v" = "$want" ] && { echo "  $kind $name: $v"; return 0; }
    case "$v" in error*|ERROR*) break ;; esac
    sleep 1
  done
  echo "$kind $name: wanted status $want, last saw '$v'" >&2
  return 1
}

DONE=0
cleanup() {
  trap - ERR
  set +e
  rm -f "$OBJ"
  [ "$DONE" = 1 ] && return 0   # everything was already deleted on the way
  os server delete --wait smoke-vm > /dev/null 2>&1
  os volume backup delete smoke-backup > /dev/null 2>&1
  os volume delete smoke-vol > /dev/null 2>&1
  os object delete smoke-container hello.txt > /dev/null 2>&1
  os container delete smoke-container > /dev/null 2>&1
  [ -z "${SECRET:-}" ] || os secret delete "$SECRET" > /dev/null 2>&1
  os alarm delete smoke-alarm > /dev/null 2>&1
  [ -z "${RES:-}" ] || os metric resource batch delete "id=$RES" > /dev/null 2>&1
  rm -f "$OBJ"
}
trap cleanup EXIT
trap 'echo "VERIFY FAILED at line $LINENO: $BASH_COMMAND" >&2' ERR

echo "== keystone"
run admin token issue -f value -c expires > /dev/null
echo "\$ admin catalog list -f value -c Type"
admin catalog list -f value -c Type | sort | tr '\n' ' '; echo
echo "== keystone totp (totp-user: a password alone gets a receipt, + passcode a token)"
echo "\$ python3 - $DEVCLOUD_DIR/totp-user.{secret,password}   # password, receipt, passcode"
/usr/bin/python3 - "$DEVCLOUD_DIR/totp-user.secret" "$DEVCLOUD_DIR/totp-user.password" <<'PY'
import base64, hashlib, hmac, json, struct, sys, time, urllib.error, urllib.request
KS = "http://127.0.0.1:5000/v3/auth/tokens"
def totp(secret):
    h = hmac.new(base64.b32decode(secret), struct.pack(">Q", int(time.time()) // 30), hashlib.sha1).digest()
    o = h[-1] & 15
    return "%06d" % ((struct.unpack(">I", h[o:o + 4])[0] & 0x7fffffff) % 1000000)
def post(method, body, headers={}):
    user = {"name": "totp-user", "domain": {"name": "Default"}}
    user.update(body)
    data = {"auth": {"identity": {"methods": [method], method: {"user": user}},
                     "scope": {"project": {"name": "demo", "domain": {"name": "Default"}}}}}
    req = urllib.request.Request(KS, json.dumps(data).encode(), dict({"Content-Type": "application/json"}, **headers))
    try:
        return urllib.request.urlopen(req, timeout=30)
    except urllib.error.HTTPError as e:
        return e
r = post("password", {"password": open(sys.argv[2]).read().strip()})
receipt = r.headers.get("Openstack-Auth-Receipt")
assert r.status == 401 and receipt, "password alone: want 401 with a receipt, got %s" % r.status
r = post("totp", {"passcode": totp(open(sys.argv[1]).read().strip())}, {"Openstack-Auth-Receipt": receipt})
assert r.status == 201, "receipt + passcode: want 201, got %s" % r.status
print("  totp-user: receipt, then a token")
PY
echo "== glance, neutron"
run os image show cirros -f value -c status
run os network show private -f value -c status
run os router show router1 -f value -c status
echo "== nova (fake driver)"
run os server create --flavor m1.nano --image cirros --network private --wait smoke-vm \
  -f value -c status
echo "== cinder (file driver)"
run os volume create --size 1 smoke-vol -f value -c status
wait_status volume smoke-vol available
run os server add volume smoke-vm smoke-vol -f value -c Device
wait_status volume smoke-vol in-use
run os server remove volume smoke-vm smoke-vol
wait_status volume smoke-vol available
echo "== cinder-backup (POSIX driver)"
run os volume backup create --name smoke-backup smoke-vol -f value -c id
wait_status "volume backup" smoke-backup available 120
run os volume backup delete smoke-backup
run os volume delete smoke-vol
run os server delete --wait smoke-vm
echo "== swift"
echo "hello devcloud" > "$OBJ"
run os container create smoke-container -f value -c container
run os object create --name hello.txt smoke-container "$OBJ" -f value -c object
[ "$(os object save --file - smoke-container hello.txt)" = "hello devcloud" ]
run os object delete smoke-container hello.txt
run os container delete smoke-container
echo "== heat, octavia"
run os stack list
run os loadbalancer list
echo "== barbican (a secret stored, read back and deleted)"
SECRET=$(os secret store --name smoke-secret -p smoke-payload -f value -c "Secret href")
echo "  stored $SECRET"
[ "$(os secret get --payload -f value -c Payload "$SECRET")" = smoke-payload ]
run os secret delete "$SECRET"
echo "== gnocchi, aodh (measures are aggregated; a threshold alarm on them fires)"
# "resource delete" and "metric delete" answer 406 in Gnocchi 4.4 to the client's
# "Accept: application/json"; "resource batch delete" (a JSON answer) works
os metric resource batch delete "id=smoke-res" > /dev/null 2>&1 || true   # a failed run's
RES=$(os metric resource create --type generic smoke-res --create-metric smoke.load:medium \
  -f value -c id)
echo "  generic resource smoke-res: $RES"
METRIC=$(os metric show --resource-id "$RES" smoke.load -f value -c id)
echo "\$ os alarm create --name smoke-alarm --type gnocchi_aggregation_by_metrics_threshold --metric $METRIC --threshold 50 --comparison-operator gt --aggregation-method mean --granularity 60 --evaluation-periods 1"
state=$(os alarm create --name smoke-alarm --type gnocchi_aggregation_by_metrics_threshold \
  --metric "$METRIC" --threshold 50 --comparison-operator gt --aggregation-method mean \
  --granularity 60 --evaluation-periods 1 -f value -c state)
echo "  smoke-alarm: $state"
[ "$state" = "insufficient data" ]
T_MEASURE=$(date +%s)
run os metric measures add --resource-id "$RES" -m "$(date -u +%FT%T)@80" smoke.load
# --refresh: the API aggregates pending measures itself instead of waiting for metricd
[ "$(os metric measures show --resource-id "$RES" --refresh --granularity 60 -f value -c value smoke.load)" = 80.0 ]
echo "  aggregated (1 min, mean): 80.0"
# aodh-evaluator runs every 10 s and metricd scans every 2 s: expect 5-15 s
for _ in $(seq 1 90); do
  state=$(os alarm show smoke-alarm -f value -c state)
  [ "$state" = alarm ] && break
  sleep 1
done
[ "$state" = alarm ] || { echo "smoke-alarm: wanted state alarm, last saw '$state'" >&2; false; }
echo "  smoke-alarm: alarm, $(( $(date +%s) - T_MEASURE )) s after the measure"
run os alarm delete smoke-alarm
run os metric resource batch delete "id=$RES" -f value -c deleted
RES=""
echo "== quotas (demo)"
echo "\$ admin quota show demo (cores floating-ips gigabytes instances ports ram volumes)"
admin quota show demo -f value -c instances -c cores -c ram -c volumes -c gigabytes \
  -c ports -c floating-ips | tr '\n' ' '; echo
DONE=1
printf '\nVERIFY OK in %ss\n' "$(( $(date +%s) - T0 ))"
