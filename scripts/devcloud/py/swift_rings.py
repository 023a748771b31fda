"""Build the devcloud's three one-device swift rings in one process.

Equivalent to `swift-ring-builder NAME.builder create 8 1 1`, `add r1z1-IP:PORT/d1 1`
and `rebalance` for account, container and object, without nine slow CLI start-ups.
Usage: swift_rings.py SWIFT_DIR IP
"""
import os
import sys

from swift.common.ring import RingBuilder

PORTS = (('account', 6202), ('container', 6201), ('object', 6200))


def main(swift_dir, ip):
    for name, port in PORTS:
        builder = RingBuilder(8, 1, 1)
        builder.add_dev({'region': 1, 'zone': 1, 'ip': ip, 'port': port,
                         'device': 'd1', 'weight': 1})
        builder.rebalance()
        builder.save(os.path.join(swift_dir, name + '.builder'))
        builder.get_ring().save(os.path.join(swift_dir, name + '.ring.gz'))
        print('ring %s ok' % name)


if __name__ == '__main__':
    main(*sys.argv[1:3])
