package network

import (
	"context"
	"fmt"
	"strings"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/ports"
)

// UsedPort is what a delete's preflight needs to know of a port.
type UsedPort struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	DeviceID    string    `json:"device_id"`
	DeviceOwner string    `json:"device_owner"`
	FixedIPs    []FixedIP `json:"fixed_ips"`
	// ProjectID owns the port: sharing rules turn on whose ports sit on
	// a network.
	ProjectID string `json:"project_id"`
}

// autoDeleted are the device owners whose ports Neutron deletes itself
// with their network or subnet (neutron's AUTO_DELETE_PORT_OWNERS).
var autoDeleted = map[string]bool{
	"network:dhcp":                     true,
	"network:distributed":              true,
	"network:floatingip_agent_gateway": true,
}

// AutoDeleted reports a port Neutron removes with its network or subnet.
func (p UsedPort) AutoDeleted() bool { return autoDeleted[p.DeviceOwner] }

// Label names the port the way a person finds it: "port ID (name)".
func (p UsedPort) Label() string {
	if p.Name != "" {
		return fmt.Sprintf("port %s (%s)", p.ID, p.Name)
	}
	return "port " + p.ID
}

// InUse says who holds the port and what would free it.
func (p UsedPort) InUse() string {
	switch {
	case strings.HasPrefix(p.DeviceOwner, "compute:"):
		return fmt.Sprintf("%s is used by server %s; delete the server or detach the port (openstack server remove port %s %s)", p.Label(), p.DeviceID, p.DeviceID, p.ID)
	case p.DeviceOwner == "network:router_interface" || p.DeviceOwner == "network:router_interface_distributed" || p.DeviceOwner == "network:ha_router_replicated_interface":
		return fmt.Sprintf("%s is an interface of router %s; remove it first (openstack router remove port %s %s)", p.Label(), p.DeviceID, p.DeviceID, p.ID)
	case p.DeviceOwner == "network:router_gateway":
		return fmt.Sprintf("%s is the external gateway of router %s; unset it first (openstack router unset --external-gateway %s)", p.Label(), p.DeviceID, p.DeviceID)
	case p.DeviceOwner == "network:floatingip":
		return fmt.Sprintf("%s holds floating IP %s; delete the floating IP first", p.Label(), p.DeviceID)
	case p.DeviceOwner != "":
		return fmt.Sprintf("%s is used by %s %s; release it there first", p.Label(), p.DeviceOwner, p.DeviceID)
	}
	return fmt.Sprintf("%s is not attached to anything; delete it first (openstack port delete %s)", p.Label(), p.ID)
}

// PortsOf lists the ports matching opts.
func PortsOf(ctx context.Context, c *gophercloud.ServiceClient, opts ports.ListOpts) ([]UsedPort, error) {
	all, err := ListAll[UsedPort](ctx, ports.List(c, opts), "ports")
	if err != nil {
		return nil, fmt.Errorf("list ports: %w", err)
	}
	return all, nil
}
