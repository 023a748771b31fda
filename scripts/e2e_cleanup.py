"""Delete every devcloud resource whose name starts with a prefix.

Run by scripts/e2e-cleanup (which checks the prefix) once per e2e suite.
One Python process and one login per cloud: the openstack CLI this
replaces started Python and logged in again for each of its sixty calls,
which took five minutes on the two-core devcloud even with nothing to
delete. Resources go in dependency order (stacks own servers and networks,
load balancers hold their VIP port, snapshots and backups hold volumes,
router interfaces hold subnets). Safe to re-run; a resource already gone
is not an error. Exit status 1 when something could not be deleted.
"""

import logging
import sys
import time

import openstack
from openstack import exceptions

PREFIX = sys.argv[1]
# Swift has no version document; keystoneauth warns of that on every call.
logging.getLogger("keystoneauth").setLevel(logging.ERROR)
failures = []


def mine(resource, field="name"):
    value = getattr(resource, field, None) or ""
    return value.startswith(PREFIX)


def attempt(what, fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except exceptions.NotFoundException:
        return None
    except Exception as e:  # noqa: BLE001 - every failure is reported, then the rest goes on
        failures.append(f"{what}: {e}")
        return None


def wait_gone(proxy, resource, what, wait=600):
    """Poll until the resource is gone: a 404, or a stack DELETE_COMPLETE
    or load balancer DELETED (Heat and Octavia still answer for those)."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            r = resource.fetch(proxy)
        except exceptions.NotFoundException:
            return
        except Exception as e:  # noqa: BLE001 - reported like every other failure
            failures.append(f"wait for {what}: {e}")
            return
        state = getattr(r, "status", None) or getattr(r, "provisioning_status", None)
        if state in ("DELETE_COMPLETE", "DELETED"):
            return
        if state and state.endswith("_FAILED") or state in ("ERROR", "error_deleting"):
            failures.append(f"{what} did not go: {state}")
            return
        time.sleep(2)
    failures.append(f"{what} still there after {wait} s")


def rest_client(conn, service_type):
    """A plain REST client for a service openstacksdk has no proxy for
    (Aodh, Gnocchi), or None when the catalog has no such service."""
    from keystoneauth1 import adapter
    from keystoneauth1 import exceptions as ksa

    c = adapter.Adapter(session=conn.session, service_type=service_type, interface="public",
                        region_name=conn.config.get_region_name())
    try:
        return c if c.get_endpoint() else None
    except ksa.EndpointNotFound:
        return None


def rest_delete(client, path, what):
    r = attempt(what, client.delete, path, raise_exc=False)
    if r is not None and r.status_code not in (202, 204, 404):
        failures.append(f"{what}: HTTP {r.status_code} {r.text[:200]}")


def clean_telemetry(conn, servers):
    """Aodh alarms by name; the Gnocchi resources of the servers about to
    go (e2e scripts give a server a generic resource with its own ID, as
    Ceilometer would an instance)."""
    aodh = rest_client(conn, "alarming")
    if aodh is not None:
        r = attempt("list alarms", aodh.get, "/v2/alarms", raise_exc=False)
        for a in (r.json() if r is not None and r.status_code == 200 else []):
            if (a.get("name") or "").startswith(PREFIX):
                rest_delete(aodh, f"/v2/alarms/{a['alarm_id']}", f"delete alarm {a['name']}")
    gnocchi = rest_client(conn, "metric")
    if gnocchi is not None:
        for s in servers:
            rest_delete(gnocchi, f"/v1/resource/generic/{s.id}", f"delete the Gnocchi resource of server {s.name}")


def clean(cloud):
    conn = openstack.connect(cloud=cloud)
    has = conn.has_service

    if has("orchestration"):
        stacks = [s for s in conn.orchestration.stacks() if mine(s)]
        for s in stacks:
            attempt(f"delete stack {s.name}", conn.orchestration.delete_stack, s)
        for s in stacks:
            wait_gone(conn.orchestration, s, f"stack {s.name}")

    # The demo user's only: e2e scripts make them as demo.
    if cloud == "devcloud" and has("load-balancer"):
        lbs = [lb for lb in conn.load_balancer.load_balancers() if mine(lb)]
        for lb in lbs:
            attempt(f"delete load balancer {lb.name}", conn.load_balancer.delete_load_balancer, lb, cascade=True)
        for lb in lbs:
            wait_gone(conn.load_balancer, lb, f"load balancer {lb.name}")

    if cloud == "devcloud" and has("key-manager"):
        for ct in [c for c in conn.key_manager.containers() if mine(c)]:
            attempt(f"delete secret container {ct.name}", conn.key_manager.delete_container, ct)
        for sec in [s for s in conn.key_manager.secrets() if mine(s)]:
            attempt(f"delete secret {sec.name}", conn.key_manager.delete_secret, sec)

    servers = [s for s in conn.compute.servers() if mine(s)]
    clean_telemetry(conn, servers)
    for s in servers:
        attempt(f"delete server {s.name}", conn.compute.delete_server, s)
    for s in servers:
        wait_gone(conn.compute, s, f"server {s.name}")

    for ip in [i for i in conn.network.ips() if mine(i, "description")]:
        attempt(f"delete floating IP {ip.floating_ip_address}", conn.network.delete_ip, ip)

    if has("block-storage") or has("volumev3"):
        bs = conn.block_storage
        snaps = [s for s in bs.snapshots() if mine(s)]
        for s in snaps:
            attempt(f"delete snapshot {s.name}", bs.delete_snapshot, s)
        for s in snaps:
            wait_gone(bs, s, f"snapshot {s.name}")
        # Backups outlive their volumes; incremental ones first (newest
        # first), as Cinder wants.
        backups = sorted((b for b in attempt("list backups", lambda: list(bs.backups())) or [] if mine(b)),
                         key=lambda b: b.created_at or "", reverse=True)
        for b in backups:
            attempt(f"delete backup {b.name}", bs.delete_backup, b)
            wait_gone(bs, b, f"backup {b.name}")
        vols = [v for v in bs.volumes() if mine(v)]
        for v in vols:
            attempt(f"delete volume {v.name}", bs.delete_volume, v)
        for v in vols:
            wait_gone(bs, v, f"volume {v.name}")
        # Volume types (made by an admin) go once no volume of theirs is left.
        if cloud == "devcloud-admin":
            for t in [t for t in bs.types() if mine(t)]:
                attempt(f"delete volume type {t.name}", bs.delete_type, t)

    net = conn.network
    for r in [r for r in net.routers() if mine(r)]:
        for p in net.ports(device_id=r.id):
            if p.device_owner and p.device_owner.startswith("network:router_interface"):
                attempt(f"remove port {p.id} from router {r.name}", net.remove_interface_from_router, r, port_id=p.id)
        if r.external_gateway_info:
            attempt(f"clear the gateway of router {r.name}", net.update_router, r, external_gateway_info={})
        attempt(f"delete router {r.name}", net.delete_router, r)
    for p in [p for p in net.ports() if mine(p)]:
        attempt(f"delete port {p.name}", net.delete_port, p)
    for n in [n for n in net.networks() if mine(n)]:
        attempt(f"delete network {n.name}", net.delete_network, n)
    for sg in [g for g in net.security_groups() if mine(g)]:
        attempt(f"delete security group {sg.name}", net.delete_security_group, sg)

    for kp in [k for k in conn.compute.keypairs() if mine(k)]:
        attempt(f"delete keypair {kp.name}", conn.compute.delete_keypair, kp)
    # Application credentials are the user's own.
    for ac in [a for a in conn.identity.application_credentials(conn.current_user_id) if mine(a)]:
        attempt(f"delete application credential {ac.name}", conn.identity.delete_application_credential, conn.current_user_id, ac)
    for img in [i for i in conn.image.images() if mine(i)]:
        attempt(f"delete image {img.name}", conn.image.delete_image, img)

    if has("object-store"):
        store = conn.object_store
        for ct in [c for c in store.containers() if mine(c)]:
            for obj in store.objects(ct):
                attempt(f"delete object {ct.name}/{obj.name}", store.delete_object, obj, container=ct)
            attempt(f"delete container {ct.name}", store.delete_container, ct)

    # Application credentials `ostui login cloud --name PREFIX-...` made
    # for the devcloud's totp-user (an admin may delete another user's).
    if cloud == "devcloud-admin":
        user = conn.identity.find_user("totp-user", domain_id="default")
        for ac in (conn.identity.application_credentials(user) if user else []):
            if mine(ac):
                attempt(f"delete totp-user's application credential {ac.name}",
                        conn.identity.delete_application_credential, user, ac)


for cloud in ("devcloud", "devcloud-admin"):
    try:
        clean(cloud)
    except Exception as e:  # noqa: BLE001 - a cloud that cannot be read is reported, the other still cleaned
        failures.append(f"{cloud}: {e}")

for f in failures:
    print(f, file=sys.stderr)
sys.exit(1 if failures else 0)
