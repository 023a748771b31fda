"""Agentless ML2 mechanism driver for the devcloud.

The devcloud runs no L2 agent (no OVS or linuxbridge data plane), so none of the stock
mechanism drivers can bind a port, and nova fails every boot with PortBindingFailed.
This driver binds each port on the first segment offered as an OVS port and marks it
ACTIVE straight away. ML2 finds it through the entry point written next to it
(devcloud_ml2-1.0.dist-info/entry_points.txt) by up.sh.
"""
from neutron_lib import constants
from neutron_lib.api.definitions import portbindings
from neutron_lib.plugins.ml2 import api


class DevcloudMechanismDriver(api.MechanismDriver):
    """Binds every port; there is nothing behind the binding."""

    def initialize(self):
        pass

    @property
    def connectivity(self):
        return portbindings.CONNECTIVITY_L2

    def bind_port(self, context):
        vif_details = {portbindings.CAP_PORT_FILTER: True,
                       portbindings.OVS_HYBRID_PLUG: False}
        for segment in context.segments_to_bind:
            context.set_binding(segment[api.ID], portbindings.VIF_TYPE_OVS,
                                vif_details, status=constants.PORT_STATUS_ACTIVE)
            return
