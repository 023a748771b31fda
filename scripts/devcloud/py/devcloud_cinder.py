"""File-backed cinder volume driver for the devcloud.

The devcloud machine has no device-mapper, so LVM is impossible, and cinder's own fake
driver cannot extend volumes. Here every volume is a sparse raw file
<devcloud_volumes_dir>/volume-<id> and every snapshot a sparse copy snapshot-<id>.
Create, delete, extend (also in-use), snapshot, clone, volume from snapshot, revert to
snapshot, image to volume and volume to image all work on those files. Attachments
return a "local" connection (device_path = the file), which nova's fake virt driver
only records.

cinder.conf: [devcloud] volume_driver = devcloud_cinder.DevcloudFileDriver, with this
module on cinder-volume's PYTHONPATH.
"""
import os
import subprocess

from oslo_config import cfg

from cinder.image import image_utils
from cinder.volume import driver
from cinder.volume import volume_utils

GiB = 1024 ** 3
CAPACITY_GB = 1000
OPTS = [cfg.StrOpt('devcloud_volumes_dir', default='/var/lib/devcloud/data/cinder/volumes',
                   help='directory holding the sparse volume files')]


class DevcloudFileDriver(driver.VolumeDriver):
    VERSION = '1.0.0'
    CI_WIKI_NAME = 'devcloud'

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.configuration.append_config_values(OPTS)
        self._dir = self.configuration.devcloud_volumes_dir

    # ---- file helpers
    def _path(self, kind, obj):
        return os.path.join(self._dir, '%s-%s' % (kind, obj['id']))

    def _vol(self, volume):
        return self._path('volume', volume)

    def _snap(self, snapshot):
        return self._path('snapshot', snapshot)

    @staticmethod
    def _grow(path, size_gb):
        if os.path.getsize(path) < size_gb * GiB:
            os.truncate(path, size_gb * GiB)

    def _copy(self, src, dst, size_gb=None):
        subprocess.check_call(['cp', '--sparse=always', src, dst])
        if size_gb:
            self._grow(dst, size_gb)

    @staticmethod
    def _unlink(path):
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass

    # ---- setup and capacity report
    def do_setup(self, context):
        os.makedirs(self._dir, exist_ok=True)

    def check_for_setup_error(self):
        if not os.access(self._dir, os.W_OK):
            raise RuntimeError('%s is not writable' % self._dir)

    def _update_volume_stats(self):
        used_gb = sum(os.path.getsize(os.path.join(self._dir, f))
                      for f in os.listdir(self._dir) if f.startswith('volume-')) / GiB
        self._stats = {
            'volume_backend_name':
                self.configuration.safe_get('volume_backend_name') or 'devcloud',
            'vendor_name': 'devcloud',
            'driver_version': self.VERSION,
            'storage_protocol': 'local',
            'total_capacity_gb': CAPACITY_GB,
            'free_capacity_gb': max(0, CAPACITY_GB - int(used_gb)),
            'provisioned_capacity_gb': round(used_gb, 2),
            'reserved_percentage': 0,
            'thin_provisioning_support': True,
            'thick_provisioning_support': False,
            'max_over_subscription_ratio': 20.0,
            'multiattach': True,
            'online_extend_support': True,
            'QoS_support': False,
        }

    # ---- volumes and snapshots
    def create_volume(self, volume):
        with open(self._vol(volume), 'wb'):
            pass
        os.truncate(self._vol(volume), volume['size'] * GiB)

    def delete_volume(self, volume):
        self._unlink(self._vol(volume))

    def extend_volume(self, volume, new_size):
        os.truncate(self._vol(volume), new_size * GiB)

    def create_cloned_volume(self, volume, src_vref):
        self._copy(self._vol(src_vref), self._vol(volume), volume['size'])

    def create_snapshot(self, snapshot):
        self._copy(self._vol(snapshot.volume), self._snap(snapshot))

    def delete_snapshot(self, snapshot):
        self._unlink(self._snap(snapshot))

    def create_volume_from_snapshot(self, volume, snapshot):
        self._copy(self._snap(snapshot), self._vol(volume), volume['size'])

    def revert_to_snapshot(self, context, volume, snapshot):
        self._copy(self._snap(snapshot), self._vol(volume), volume['size'])

    # ---- images
    def copy_image_to_volume(self, context, volume, image_service, image_id, **kwargs):
        image_utils.fetch_to_raw(context, image_service, image_id, self._vol(volume),
                                 self.configuration.volume_dd_blocksize,
                                 size=volume['size'], run_as_root=False)
        self._grow(self._vol(volume), volume['size'])

    def copy_volume_to_image(self, context, volume, image_service, image_meta):
        volume_utils.upload_volume(context, image_service, image_meta, self._vol(volume),
                                   volume, run_as_root=False)

    # ---- exports and attachments: nothing to export, the file is the device
    def ensure_export(self, context, volume):
        pass

    def create_export(self, context, volume, connector):
        pass

    def remove_export(self, context, volume):
        pass

    def initialize_connection(self, volume, connector):
        return {'driver_volume_type': 'local',
                'data': {'device_path': self._vol(volume), 'access_mode': 'rw'}}

    def terminate_connection(self, volume, connector, **kwargs):
        pass
