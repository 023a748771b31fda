"""os-bench's window on the cloud: one process per call, because the
openstack CLI costs a second or more per command and a snapshot needs a
dozen lists.

  python3 cloud.py snapshot CLOUD          -> JSON list of resources on stdout
  python3 cloud.py cleanup CLOUD ADMIN PREFIX [NEW_FIP_ID...]

A resource is {kind, id, name, fields}; fields are strings so the Go side
compares them without knowing each kind's shape.
"""
import json
import sys
import time

import openstack


def s(v):
    if isinstance(v, (list, tuple)):
        return ",".join(sorted(s(x) for x in v))
    if isinstance(v, dict):
        return ",".join(sorted("%s=%s" % (k, s(x)) for k, x in v.items()))
    if v is None:
        return ""
    return str(v)


def actions(c, server_id):
    # openstacksdk 0.101's server_actions() sends a query Nova refuses, so
    # the list is read as the API gives it.
    r = c.compute.get("/servers/%s/os-instance-actions" % server_id)
    if r.status_code == 404:
        return ""  # deleted between the two lists
    r.raise_for_status()
    return ",".join(a["action"] for a in r.json().get("instanceActions", []))


def snapshot(cloud):
    c = openstack.connect(cloud=cloud)
    pid = c.current_project_id
    out = []

    def add(kind, id_, label, **fields):
        out.append({"kind": kind, "id": id_, "name": label or id_,
                    "fields": {k: s(v) for k, v in fields.items()}})

    servers = {}
    for v in c.compute.servers(details=True):
        servers[v.id] = v.name
        add("server", v.id, v.name, name=v.name, status=v.status,
            locked=v.is_locked, metadata=v.metadata,
            flavor=(v.flavor or {}).get("original_name") or (v.flavor or {}).get("id"),
            image=(v.image or {}).get("id"), key_name=v.key_name,
            security_groups=[g.get("name") for g in (v.security_groups or [])],
            # Nova's instance actions, newest first: a reboot or a stop and
            # start leave the status as it was, but not this list.
            actions=actions(c, v.id))
    for v in c.block_storage.volumes(details=True):
        add("volume", v.id, v.name, name=v.name, status=v.status, size=v.size,
            attachments=[a.get("server_id") for a in (v.attachments or [])])
    for v in c.network.networks():
        if v.project_id != pid and not v.is_router_external and not v.is_shared:
            continue
        add("network", v.id, v.name, name=v.name, admin_state_up=v.is_admin_state_up,
            external=v.is_router_external, shared=v.is_shared, subnets=v.subnet_ids)
    for v in c.network.subnets(project_id=pid):
        add("subnet", v.id, v.name, name=v.name, cidr=v.cidr,
            gateway=v.gateway_ip, dhcp=v.is_dhcp_enabled)
    for v in c.network.ports(project_id=pid):
        owner = servers.get(v.device_id) or v.device_id or "unbound"
        add("port", v.id, v.name or "port:%s:%s" % (v.device_owner or "none", owner),
            name=v.name, device_owner=v.device_owner, device_id=v.device_id,
            network=v.network_id,
            fixed_ips=[ip.get("ip_address") for ip in (v.fixed_ips or [])],
            security_groups=v.security_group_ids, admin_state_up=v.is_admin_state_up)
    for v in c.network.routers(project_id=pid):
        add("router", v.id, v.name, name=v.name, admin_state_up=v.is_admin_state_up,
            gateway=(v.external_gateway_info or {}).get("network_id"))
    for v in c.network.ips(project_id=pid):
        add("floating_ip", v.id, v.floating_ip_address, port=v.port_id,
            fixed_ip=v.fixed_ip_address)
    groups = {}
    for v in c.network.security_groups(project_id=pid):
        groups[v.id] = v.name
        add("security_group", v.id, v.name, name=v.name, description=v.description)
    for v in c.network.security_group_rules(project_id=pid):
        label = "%s:%s:%s:%s-%s:%s" % (groups.get(v.security_group_id, v.security_group_id),
                                       v.direction, v.protocol or "any", v.port_range_min or "",
                                       v.port_range_max or "", v.remote_ip_prefix or v.remote_group_id or "")
        add("security_group_rule", v.id, label, group=v.security_group_id,
            direction=v.direction, protocol=v.protocol, ethertype=v.ether_type,
            port_min=v.port_range_min, port_max=v.port_range_max,
            remote=v.remote_ip_prefix or v.remote_group_id)
    for v in c.compute.keypairs():
        add("keypair", v.name, v.name, fingerprint=v.fingerprint)
    for v in c.image.images():
        add("image", v.id, v.name, name=v.name, status=v.status,
            visibility=v.visibility, min_disk=v.min_disk, protected=v.is_protected)
    for v in c.block_storage.snapshots(details=True):
        add("volume_snapshot", v.id, v.name, name=v.name, status=v.status,
            volume=v.volume_id, size=v.size)
    if c.has_service("block-storage"):
        for v in c.block_storage.backups(details=True):
            add("volume_backup", v.id, v.name, name=v.name, status=v.status,
                volume=v.volume_id, size=v.size)
    if c.has_service("object-store"):
        for v in c.object_store.containers():
            add("container", v.name, v.name, count=v.count, bytes=v.bytes)
            for o in c.object_store.objects(v.name):
                add("object", v.name + "/" + o.name, v.name + "/" + o.name,
                    etag=o.etag, bytes=o.content_length)
    if c.has_service("load-balancer"):
        lb = c.load_balancer
        for v in lb.load_balancers(project_id=pid):
            add("loadbalancer", v.id, v.name, name=v.name, vip=v.vip_address,
                admin_state_up=v.is_admin_state_up)
        for v in lb.listeners(project_id=pid):
            add("listener", v.id, v.name, name=v.name, protocol=v.protocol,
                port=v.protocol_port, pool=v.default_pool_id,
                admin_state_up=v.is_admin_state_up)
        for v in lb.pools(project_id=pid):
            add("pool", v.id, v.name, name=v.name, protocol=v.protocol,
                algorithm=v.lb_algorithm, admin_state_up=v.is_admin_state_up)
            for m in lb.members(v.id):
                add("member", m.id, m.name or "%s:%s:%s" % (v.name, m.address, m.protocol_port),
                    name=m.name, address=m.address, port=m.protocol_port,
                    weight=m.weight, admin_state_up=m.is_admin_state_up)
    if c.has_service("orchestration"):
        for v in c.orchestration.stacks():
            # The status of a stack names the last action too
            # (UPDATE_COMPLETE), so a change shows even when it ends well.
            add("stack", v.id, v.name, name=v.name, status=v.status)
    json.dump(out, sys.stdout)


def cleanup(cloud, admin, prefix, new_fips):
    """Delete everything named with prefix, best effort: a failure here
    must not hide the next resource's cleanup."""
    c = openstack.connect(cloud=cloud)
    errors = []

    def attempt(what, fn):
        try:
            fn()
        except Exception as e:  # noqa: BLE001 - keep cleaning
            errors.append("%s: %s" % (what, e))

    def named(v):
        return bool(v.name) and v.name.startswith(prefix)

    def wait_gone(list_fn, what):
        deadline = time.time() + 90
        while time.time() < deadline:
            try:
                if not any(named(v) for v in list_fn()):
                    return
            except Exception:  # noqa: BLE001 - a listing error ends the wait
                return
            time.sleep(2)
        errors.append("%s named %s* still there after 90 s" % (what, prefix))

    # Stacks first: deleting one deletes what it made.
    if c.has_service("orchestration"):
        for v in c.orchestration.stacks():
            if named(v):
                attempt("stack " + v.name, lambda v=v: c.orchestration.delete_stack(v))
        wait_gone(c.orchestration.stacks, "stacks")
    if c.has_service("load-balancer"):
        for v in c.load_balancer.load_balancers(project_id=c.current_project_id):
            if named(v):
                attempt("load balancer " + v.name,
                        lambda v=v: c.load_balancer.delete_load_balancer(v, cascade=True))
    if c.has_service("object-store"):
        for v in c.object_store.containers():
            if named(v):
                def drop(v=v):
                    for o in c.object_store.objects(v.name):
                        c.object_store.delete_object(o, container=v.name)
                    c.object_store.delete_container(v)
                attempt("container " + v.name, drop)
    # Floating IPs the setup made carry the prefix in their description.
    for ip in c.network.ips(project_id=c.current_project_id):
        if (ip.description or "").startswith(prefix):
            attempt("floating ip " + ip.floating_ip_address, lambda ip=ip: c.network.delete_ip(ip))

    mine = [v for v in c.compute.servers() if v.name.startswith(prefix)]
    ports = {p.id for v in mine for p in c.network.ports(device_id=v.id)}
    for ip in c.network.ips(project_id=c.current_project_id):
        if ip.id in new_fips and (ip.port_id in ports or not ip.port_id):
            attempt("floating ip " + ip.floating_ip_address, lambda ip=ip: c.network.delete_ip(ip))
    for v in mine:
        if v.is_locked:
            attempt("unlock " + v.name, lambda v=v: c.compute.unlock_server(v))
        attempt("server " + v.name, lambda v=v: c.compute.delete_server(v, force=False))
    deadline = time.time() + 60
    while time.time() < deadline and any(v.name.startswith(prefix) for v in c.compute.servers()):
        time.sleep(1)
    # Backups and snapshots hold their volume: they go first.
    if c.has_service("block-storage"):
        # Forcing a delete is an admin action; a backup or snapshot still
        # being made is waited for instead.
        def settled(list_fn):
            deadline = time.time() + 90
            while time.time() < deadline and any(
                    named(v) and v.status in ("creating", "restoring", "backing-up") for v in list_fn()):
                time.sleep(2)
        settled(c.block_storage.backups)
        for v in c.block_storage.backups():
            if named(v):
                attempt("backup " + v.name, lambda v=v: c.block_storage.delete_backup(v))
        settled(c.block_storage.snapshots)
        for v in c.block_storage.snapshots():
            if named(v):
                attempt("volume snapshot " + v.name, lambda v=v: c.block_storage.delete_snapshot(v))
        wait_gone(c.block_storage.backups, "backups")
        wait_gone(c.block_storage.snapshots, "volume snapshots")
    for v in c.block_storage.volumes():
        if v.name and v.name.startswith(prefix):
            attempt("volume " + v.name, lambda v=v: c.block_storage.delete_volume(v, force=v.status != "available"))
    for v in c.image.images(owner=c.current_project_id):
        if v.name and v.name.startswith(prefix):
            attempt("image " + v.name, lambda v=v: c.image.delete_image(v))
    for v in c.compute.keypairs():
        if v.name.startswith(prefix):
            attempt("keypair " + v.name, lambda v=v: c.compute.delete_keypair(v))
    for v in c.network.security_groups(project_id=c.current_project_id):
        if v.name.startswith(prefix):
            attempt("security group " + v.name, lambda v=v: c.network.delete_security_group(v))
    pid = c.current_project_id
    for v in c.network.routers(project_id=pid):
        if named(v):
            def drop_router(v=v):
                for p in c.network.ports(device_id=v.id, device_owner="network:router_interface"):
                    c.network.remove_interface_from_router(v, port_id=p.id)
                c.network.delete_router(v)
            attempt("router " + v.name, drop_router)
    for v in c.network.ports(project_id=pid):
        if named(v):
            attempt("port " + v.name, lambda v=v: c.network.delete_port(v))
    for v in c.network.networks(project_id=pid):
        if named(v):
            attempt("network " + v.name, lambda v=v: c.network.delete_network(v))
    a = openstack.connect(cloud=admin)
    for v in a.compute.flavors(is_public=None):
        if v.name.startswith(prefix):
            attempt("flavor " + v.name, lambda v=v: a.compute.delete_flavor(v))
    for e in errors:
        print("cleanup: " + e, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "snapshot":
        snapshot(sys.argv[2])
    elif len(sys.argv) >= 5 and sys.argv[1] == "cleanup":
        sys.exit(cleanup(sys.argv[2], sys.argv[3], sys.argv[4], set(sys.argv[5:])))
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
