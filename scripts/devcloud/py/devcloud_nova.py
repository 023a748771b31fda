"""Nova's fake virt driver, with server snapshots that really upload an image.

FakeDriver.snapshot() never uploads data, so the snapshot image stays "queued" and
`openstack server image create --wait` never returns. This subclass uploads an empty
qcow2 as big as the flavor's root disk.

Nova Zed only loads drivers as "nova.virt.<compute_driver>", so importing this module
registers the class as nova.virt.fake.DevcloudFakeDriver; the config then says
compute_driver = fake.DevcloudFakeDriver. Import it after nova.cmd.compute (which
monkey-patches eventlet); the nova-compute launcher (nova_compute.py) does that.
"""
import os
import subprocess
import tempfile

from nova.image import glance
from nova.virt import fake


class DevcloudFakeDriver(fake.FakeDriver):
    def snapshot(self, context, instance, image_id, update_task_state):
        super().snapshot(context, instance, image_id, update_task_state)
        size_gb = max(1, instance.flavor.root_gb or 1)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, 'snapshot.qcow2')
            subprocess.check_call(['qemu-img', 'create', '-q', '-f', 'qcow2', path,
                                   '%dG' % size_gb])
            with open(path, 'rb') as data:
                glance.API().update(context, image_id,
                                    {'disk_format': 'qcow2', 'container_format': 'bare'},
                                    data, purge_props=False)


fake.DevcloudFakeDriver = DevcloudFakeDriver
