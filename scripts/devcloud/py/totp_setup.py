"""Create the devcloud's TOTP user: totp-user, member (and reader) of the demo project,
with a TOTP credential and multi-factor rules, so that a password alone is answered with
an auth receipt (HTTP 401) and password + passcode gives a token.

The rules also allow an application credential on its own: that is what `ostui login
cloud` creates so that later sessions need no passcode. Every step looks before it
creates, so re-running changes nothing.

Its password is its own (not the devcloud's shared one), so that a test can search
files for it without matching every "devcloud" in them.

Usage: totp_setup.py KEYSTONE_URL ADMIN_PASSWORD SECRET_FILE PASSWORD_FILE
"""
import sys

from keystoneauth1 import session
from keystoneauth1.identity import v3
from keystoneclient.v3 import client

USER = 'totp-user'
RULES = [['password', 'totp'], ['application_credential']]


def main(ks_url, password, secret_file, password_file):
    with open(secret_file) as f:
        secret = f.read().strip()
    with open(password_file) as f:
        user_password = f.read().strip()
    auth = v3.Password(auth_url=ks_url + '/v3', username='admin', password=password,
                       project_name='admin', user_domain_id='default',
                       project_domain_id='default')
    ks = client.Client(session=session.Session(auth=auth), interface='public')

    def first(items):
        return items[0] if items else None

    demo_project = first(ks.projects.list(name='demo', domain='default'))
    if demo_project is None:
        sys.exit('no demo project: run the keystone catalog step first')
    user = first(ks.users.list(name=USER, domain='default'))
    if user is None:
        user = ks.users.create(USER, domain='default', password=user_password,
                               default_project=demo_project)
    else:
        ks.users.update(user, password=user_password)
    for r in ('member', 'reader'):
        ks.roles.grant(first(ks.roles.list(name=r)), user=user, project=demo_project)
    options = getattr(user, 'options', {}) or {}
    if (options.get('multi_factor_auth_rules') != RULES
            or not options.get('multi_factor_auth_enabled')):
        ks.users.update(user, options={'multi_factor_auth_rules': RULES,
                                       'multi_factor_auth_enabled': True})
    have = [c for c in ks.credentials.list(user_id=user.id) if c.type == 'totp']
    if not any(c.blob == secret for c in have):
        for c in have:
            ks.credentials.delete(c)
        ks.credentials.create(user=user, type="totp", blob=secret)
    print('totp user ok: %s (rules %s)' % (USER, RULES))


if __name__ == '__main__':
    main(*sys.argv[1:])
