"""Create the devcloud's keystone projects, users, roles and service catalog.

One Python process instead of ~60 `openstack` CLI calls (each costs ~1.5 s). Every step
looks before it creates, so re-running changes nothing.

Usage: ks_setup.py KEYSTONE_URL PASSWORD REGION "USER SERVICE TYPE URL"...
"""
import sys

from keystoneauth1 import session
from keystoneauth1.identity import v3
from keystoneclient.v3 import client

ROLES = ('admin', 'member', 'reader', 'service', 'ResellerAdmin',
         'heat_stack_owner', 'heat_stack_user',
         'load-balancer_member', 'load-balancer_observer', 'load-balancer_admin',
         'load-balancer_global_observer', 'load-balancer_quota_admin', 'creator')
INTERFACES = ('public', 'internal', 'admin')


def main(ks_url, password, region, *service_lines):
    auth = v3.Password(auth_url=ks_url + '/v3', username='admin', password=password,
                       project_name='admin', user_domain_id='default',
                       project_domain_id='default')
    ks = client.Client(session=session.Session(auth=auth), interface='public')

    def first(items):
        return items[0] if items else None

    def domain(name):
        return (first(ks.domains.list(name=name))
                or ks.domains.create(name, description='devcloud'))

    def project(name, dom='default'):
        return first(ks.projects.list(name=name, domain=dom)) or ks.projects.create(name, dom)

    def user(name, proj=None, dom='default'):
        return (first(ks.users.list(name=name, domain=dom))
                or ks.users.create(name, domain=dom, password=password, default_project=proj))

    roles = {r: first(ks.roles.list(name=r)) or ks.roles.create(r) for r in ROLES}
    service_project = project('service')
    demo_project = project('demo')
    demo = user('demo', demo_project)
    for r in ('member', 'reader'):
        ks.roles.grant(roles[r], user=demo, project=demo_project)

    services = [line.split() for line in service_lines]
    for username, name, stype, url in services:
        u = user(username, service_project)
        for r in ('admin', 'service'):
            ks.roles.grant(roles[r], user=u, project=service_project)
        svc = (first(ks.services.list(name=name, type=stype))
               or ks.services.create(name, type=stype))
        for iface in INTERFACES:
            ep = first(ks.endpoints.list(service=svc, interface=iface, region=region))
            if ep is None:
                ks.endpoints.create(svc, url, interface=iface, region=region)
            elif ep.url != url:
                ks.endpoints.update(ep, url=url)

    names = {s[1] for s in services}
    if 'heat' in names:
        heat_domain = domain('heat')
        ks.roles.grant(roles['admin'], user=user('heat_domain_admin', dom=heat_domain),
                       domain=heat_domain)
        ks.roles.grant(roles['heat_stack_owner'], user=demo, project=demo_project)
    if 'octavia' in names:
        ks.roles.grant(roles['load-balancer_member'], user=demo, project=demo_project)
    if 'barbican' in names:
        # Barbican's legacy policy lets "creator" store secrets and containers
        ks.roles.grant(roles['creator'], user=demo, project=demo_project)
    print('keystone catalog ok: %d services' % len(services))


if __name__ == '__main__':
    main(*sys.argv[1:])
