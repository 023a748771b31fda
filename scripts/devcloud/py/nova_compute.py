#!/usr/bin/python3
"""nova-compute launcher for the devcloud.

Debian's nova-compute package pulls in libvirt and qemu, so the devcloud does not
install it and starts nova.cmd.compute itself. nova.cmd.compute must be imported first
(it monkey-patches eventlet); only then is devcloud_nova (found on PYTHONPATH) imported,
which registers nova.virt.fake.DevcloudFakeDriver.
"""
import sys

from nova.cmd.compute import main

import devcloud_nova  # noqa: F401  (registers the driver)

if __name__ == '__main__':
    sys.exit(main())
