"""Wait until every devcloud service answers a real API call, then seed the defaults.

Seeds (each only if missing): flavors m1.nano..m1.large, a public `cirros` image, the
external network `public`, demo's `private` network with `router1`, and demo's raised
quotas. Exits 1 with "FAIL <what>: <error>" when a service does not become healthy.

Usage: OS_CLIENT_CONFIG_FILE=clouds.yaml health_seed.py "SERVICES" DATA_DIR HOST
"""
import logging
import os
import subprocess
import sys
import time

import openstack

FLAVORS = (('m1.nano', 128, 1, 1), ('m1.tiny', 512, 1, 1), ('m1.small', 2048, 1, 20),
           ('m1.medium', 4096, 2, 40), ('m1.large', 8192, 4, 80))
# demo's quotas: room for end-to-end tests that boot many servers
COMPUTE_QUOTAS = {'instances': 50, 'cores': 100, 'ram': 200000}
VOLUME_QUOTAS = {'volumes': 50, 'gigabytes': 1000}
NETWORK_QUOTAS = {'port': 200, 'floatingip': 50}


def until(what, check, timeout=120):
    start, last = time.time(), None
    while time.time() - start < timeout:
        try:
            if check():
                print('ok   %-36s %5.1fs' % (what, time.time() - start), flush=True)
                return
        except Exception as exc:  # noqa: BLE001 - any error means "not yet"
            last = exc
        time.sleep(1)
    print('FAIL %s: %s' % (what, last), flush=True)
    sys.exit(1)


def health(services, admin, demo, host):
    until('keystone: token issue', lambda: admin.auth_token and demo.auth_token)
    if 'glance' in services:
        until('glance: image list', lambda: list(admin.image.images()) is not None)
    if 'placement' in services and 'nova' in services:
        until('placement: resource provider',
              lambda: len(list(admin.placement.resource_providers())) >= 1)
    if 'nova' in services:
        def compute_up():
            up = {s.binary for s in admin.compute.services()
                  if s.host == host and s.state == 'up'}
            return up >= {'nova-conductor', 'nova-scheduler', 'nova-compute'}
        until('nova: conductor/scheduler/compute up', compute_up)
        until('nova: hypervisor listed', lambda: len(list(admin.compute.hypervisors())) >= 1)
    if 'neutron' in services:
        until('neutron: network list', lambda: list(admin.network.networks()) is not None)
    if 'cinder' in services:
        def volume_up():
            # openstacksdk 0.101 has no block_storage.services()
            rows = admin.block_storage.get('/os-services').json()['services']
            up = {(s['binary'], s['host']) for s in rows if s['state'] == 'up'}
            return up >= {('cinder-scheduler', host), ('cinder-volume', host + '@devcloud')}
        until('cinder: scheduler/volume up', volume_up)
    if 'swift' in services:
        until('swift: account HEAD',
              lambda: admin.object_store.get_account_metadata() is not None)
    if 'heat' in services:
        until('heat: stack list', lambda: list(admin.orchestration.stacks()) is not None)
    if 'octavia' in services:
        until('octavia: load balancer list',
              lambda: list(admin.load_balancer.load_balancers()) is not None)
    # openstacksdk has no metric or alarming proxy: plain requests through the catalog
    if 'gnocchi' in services:
        def one_minute_policy():
            ap = get(admin, 'metric', '/v1/archive_policy/medium')
            return any(d['granularity'] == '0:01:00' for d in ap['definition'])
        until('gnocchi: 1-min archive policy', one_minute_policy)
    if 'aodh' in services:
        until('aodh: alarm list (demo)', lambda: isinstance(get(demo, 'alarming', '/v2/alarms'), list))


def get(conn, service_type, path):
    """GET path on service_type's public endpoint; the decoded JSON body."""
    resp = conn.session.get(path, endpoint_filter={'service_type': service_type,
                                                   'interface': 'public'})
    resp.raise_for_status()
    return resp.json()


def seed(services, admin, demo, data_dir):
    if 'nova' in services:
        for name, ram, vcpus, disk in FLAVORS:
            if not admin.compute.find_flavor(name, ignore_missing=True):
                admin.compute.create_flavor(name=name, ram=ram, vcpus=vcpus, disk=disk,
                                            is_public=True)
        print('ok   flavors m1.nano..m1.large')
    if 'glance' in services:
        if not admin.image.find_image('cirros', ignore_missing=True):
            path = os.path.join(data_dir, 'cirros.qcow2')
            if not os.path.exists(path):  # empty but valid; the fake driver never reads it
                subprocess.check_call(['qemu-img', 'create', '-q', '-f', 'qcow2', path, '1G'])
            admin.image.create_image(name='cirros', filename=path, disk_format='qcow2',
                                     container_format='bare', visibility='public',
                                     wait=True, allow_duplicates=False)
        print('ok   image cirros (public)')
    if 'neutron' in services:
        seed_networks(admin, demo)
    seed_quotas(services, admin, demo)


def seed_networks(admin, demo):
    public = admin.network.find_network('public')
    if not public:
        public = admin.network.create_network(
            name='public', is_router_external=True, is_shared=False,
            provider_network_type='flat', provider_physical_network='public')
    if not list(admin.network.subnets(network_id=public.id)):
        # TEST-NET-3: exists only in neutron's database, there is no data plane
        admin.network.create_subnet(
            network_id=public.id, name='public-subnet', ip_version=4,
            cidr='203.0.113.0/24', gateway_ip='203.0.113.1', is_dhcp_enabled=False,
            allocation_pools=[{'start': '203.0.113.10', 'end': '203.0.113.250'}])
    private = demo.network.find_network('private') or demo.network.create_network(name='private')
    subnet = demo.network.find_subnet('private-subnet') or demo.network.create_subnet(
        network_id=private.id, name='private-subnet', ip_version=4,
        cidr='10.0.0.0/24', gateway_ip='10.0.0.1')
    if not demo.network.find_router('router1'):
        router = demo.network.create_router(
            name='router1', external_gateway_info={'network_id': public.id})
        demo.network.add_interface_to_router(router, subnet_id=subnet.id)
    print('ok   networks public (203.0.113.0/24), private (demo, 10.0.0.0/24), router1')


def seed_quotas(services, admin, demo):
    project = demo.current_project_id
    done = []
    if 'nova' in services:
        admin.set_compute_quotas(project, **COMPUTE_QUOTAS)
        done.append('compute')
    if 'cinder' in services:
        admin.set_volume_quotas(project, **VOLUME_QUOTAS)
        done.append('volume')
    if 'neutron' in services:
        admin.set_network_quotas(project, **NETWORK_QUOTAS)
        done.append('network')
    if done:
        print('ok   demo quotas raised (%s)' % ', '.join(done))


def main(services, data_dir, host):
    logging.basicConfig(level=logging.ERROR)
    services = services.split()
    admin = openstack.connect(cloud='devcloud-admin')
    demo = openstack.connect(cloud='devcloud')
    health(services, admin, demo, host)
    seed(services, admin, demo, data_dir)


if __name__ == '__main__':
    main(*sys.argv[1:4])
