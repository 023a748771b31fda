package vpc

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/kriscelmer/os-tui/agent/plan"
	"github.com/kriscelmer/os-tui/internal/netstate"
)

// Found is what exists of a VPC: each part is nil when missing, so a VPC
// left half-built by a failed create can still be taken apart.
type Found struct {
	Name    string
	Network *netstate.Network
	Subnet  *netstate.Subnet
	Router  *netstate.Router
	Group   *netstate.Group
	// Gateway names the external network of the router's gateway.
	Gateway string
	// Attached: the router has an interface on the subnet.
	Attached bool
	// OtherInterfaces are the router's interfaces on subnets not the
	// VPC's: removing the router would cut them off.
	OtherInterfaces []netstate.Port
	// Users are the ports (other than DHCP's and the router's) on the
	// network or in the group: servers, load balancers, ports made by
	// hand. Neutron refuses to delete a network or group they use.
	Users []Dependent
	// Problems say what stops the delete (several parts of one name).
	Problems []string
}

// Dependent is a port that keeps the VPC in use, named for a person.
type Dependent struct {
	Port netstate.Port
	// Owner names what owns it: "server web-1", "compute:nova".
	Owner string
}

// String reads "server web-1 (10.0.0.5)".
func (d Dependent) String() string {
	var ips []string
	for _, ip := range d.Port.FixedIPs {
		ips = append(ips, ip.IP)
	}
	s := d.Owner
	if s == "" {
		s = "port " + d.Port.Label()
	}
	if len(ips) > 0 {
		s += " (" + strings.Join(ips, ", ") + ")"
	}
	return s
}

// Empty reports whether nothing of the VPC exists.
func (f *Found) Empty() bool {
	return f.Network == nil && f.Subnet == nil && f.Router == nil && f.Group == nil
}

// Parts lists what exists, for a person: "network demo-net (id)".
func (f *Found) Parts() []string {
	var out []string
	if f.Network != nil {
		out = append(out, fmt.Sprintf("network %s (%s)", f.Network.Label(), f.Network.ID))
	}
	if f.Subnet != nil {
		out = append(out, fmt.Sprintf("subnet %s (%s, %s)", f.Subnet.Label(), f.Subnet.CIDR, f.Subnet.ID))
	}
	if f.Router != nil {
		gw := "no gateway"
		if f.Router.GatewayNetworkID != "" {
			gw = "gateway on " + firstOf(f.Gateway, f.Router.GatewayNetworkID)
		}
		out = append(out, fmt.Sprintf("router %s (%s, %s)", f.Router.Label(), gw, f.Router.ID))
	}
	if f.Group != nil {
		out = append(out, fmt.Sprintf("security group %s (%s)", f.Group.Label(), f.Group.ID))
	}
	return out
}

// Find reads what exists of the VPC called name, and what still uses it.
func Find(ctx context.Context, read netstate.Reader, name string) (*Found, error) {
	n := NamesFor(name)
	f := &Found{Name: name}
	several := func(kind, name string, count int) {
		f.Problems = append(f.Problems, fmt.Sprintf("%d %ss are named %s: /vpc delete cannot tell which is the VPC's; delete them by ID (/%s delete ID)",
			count, kind, name, strings.ReplaceAll(kind, " ", "-")))
	}
	var (
		nets    []netstate.Network
		subnets []netstate.Subnet
		routers []netstate.Router
		groups  []string
	)
	wrap := func(what string, err error) error {
		if err != nil {
			return fmt.Errorf("read %s: %w", what, err)
		}
		return nil
	}
	err := netstate.Parallel(
		func() (err error) {
			nets, err = netstate.Networks(ctx, read, map[string]any{"name": n.Network})
			return wrap("networks", err)
		},
		func() (err error) {
			subnets, err = netstate.Subnets(ctx, read, map[string]any{"name": n.Subnet})
			return wrap("subnets", err)
		},
		func() (err error) {
			routers, err = netstate.Routers(ctx, read, map[string]any{"name": n.Router})
			return wrap("routers", err)
		},
		func() (err error) { groups, err = groupsNamed(ctx, read, n.Group); return wrap("security groups", err) },
	)
	if err != nil {
		return nil, err
	}
	switch {
	case len(nets) == 1:
		f.Network = &nets[0]
	case len(nets) > 1:
		several("network", n.Network, len(nets))
	}
	switch {
	case len(subnets) == 1:
		f.Subnet = &subnets[0]
	case len(subnets) > 1:
		several("subnet", n.Subnet, len(subnets))
	}
	switch {
	case len(routers) == 1:
		f.Router = &routers[0]
	case len(routers) > 1:
		several("router", n.Router, len(routers))
	}
	switch {
	case len(groups) == 1:
		f.Group = &netstate.Group{ID: groups[0], Name: n.Group}
	case len(groups) > 1:
		several("security group", n.Group, len(groups))
	}
	if f.Subnet != nil && f.Network != nil && f.Subnet.NetworkID != f.Network.ID {
		f.Problems = append(f.Problems, fmt.Sprintf("subnet %s is on network %s, not on %s: it is not the VPC's; delete it by itself if it should go",
			f.Subnet.Label(), f.Subnet.NetworkID, f.Network.Label()))
	}
	routerPorts := map[string]bool{}
	if f.Router != nil && f.Router.GatewayNetworkID != "" {
		// Only to name it; an external network that cannot be read is
		// shown by ID.
		if ext, err := netstate.Networks(ctx, read, map[string]any{"external": true}); err == nil {
			for _, n := range ext {
				if n.ID == f.Router.GatewayNetworkID {
					f.Gateway = n.Label()
				}
			}
		}
	}
	if f.Router != nil {
		ports, err := netstate.Ports(ctx, read, map[string]any{"router": f.Router.ID})
		if err != nil {
			return nil, fmt.Errorf("read the ports of router %s: %w", f.Router.Label(), err)
		}
		for _, p := range ports {
			routerPorts[p.ID] = true
			if !p.RouterInterface() {
				continue
			}
			if f.Subnet != nil && slices.ContainsFunc(p.FixedIPs, func(ip netstate.FixedIP) bool { return ip.SubnetID == f.Subnet.ID }) {
				f.Attached = true
				continue
			}
			f.OtherInterfaces = append(f.OtherInterfaces, p)
		}
	}
	var users []netstate.Port
	seen := map[string]bool{}
	if f.Network != nil {
		ports, err := netstate.Ports(ctx, read, map[string]any{"network": f.Network.ID})
		if err != nil {
			return nil, fmt.Errorf("read the ports of network %s: %w", f.Network.Label(), err)
		}
		for _, p := range ports {
			if routerPorts[p.ID] || p.DeviceOwner == "network:dhcp" || p.RouterInterface() && f.Router == nil {
				continue
			}
			seen[p.ID] = true
			users = append(users, p)
		}
	}
	if f.Group != nil {
		ports, err := netstate.Ports(ctx, read, nil)
		if err != nil {
			return nil, fmt.Errorf("read ports: %w", err)
		}
		for _, p := range ports {
			if !seen[p.ID] && slices.Contains(p.SecurityGroups, f.Group.ID) {
				seen[p.ID] = true
				users = append(users, p)
			}
		}
	}
	f.Users = owners(ctx, read, users)
	return f, nil
}

// owners names what owns each port: a server by name when the port
// says which, else its device owner.
func owners(ctx context.Context, read netstate.Reader, ports []netstate.Port) []Dependent {
	out := make([]Dependent, 0, len(ports))
	for _, p := range ports {
		d := Dependent{Port: p, Owner: p.DeviceOwner}
		if strings.HasPrefix(p.DeviceOwner, "compute:") {
			if full, err := netstate.ShowPort(ctx, read, p.ID); err == nil && full.DeviceID != "" {
				d.Owner = "server " + full.DeviceID
				if srv, err := netstate.ShowServer(ctx, read, full.DeviceID); err == nil {
					d.Owner = "server " + srv.Label()
				}
			}
		}
		if d.Owner != "" && !strings.HasPrefix(d.Owner, "server ") {
			d.Owner = "port " + p.Label() + " of " + d.Owner
		}
		out = append(out, d)
	}
	return out
}

// Blockers are the sentences that stop /vpc delete: parts named twice,
// ports still using the VPC, interfaces of its router on other subnets.
func (f *Found) Blockers() []string {
	var out []string
	out = append(out, f.Problems...)
	if len(f.Users) > 0 {
		var names []string
		for _, u := range f.Users {
			names = append(names, u.String())
		}
		out = append(out, fmt.Sprintf("VPC %s is still in use by %s; delete or move %s first",
			f.Name, strings.Join(names, ", "), map[bool]string{true: "it", false: "them"}[len(names) == 1]))
	}
	if len(f.OtherInterfaces) > 0 {
		var subnets []string
		for _, p := range f.OtherInterfaces {
			for _, ip := range p.FixedIPs {
				subnets = append(subnets, ip.SubnetID+" ("+ip.IP+")")
			}
		}
		out = append(out, fmt.Sprintf("router %s also routes subnet %s, which is not the VPC's; remove that interface first (/router remove subnet %s SUBNET)",
			f.Router.Label(), strings.Join(subnets, ", "), f.Router.Label()))
	}
	return out
}

// DeletePlan is the inverse of CreatePlan for what exists: the
// interface, the gateway, the router, the subnet, the network and the
// group. A step whose preflight depends on an earlier step having run
// (the router cannot go while it has the interface; the network not while
// the interface's port is on it) names its resource by that step's
// output, ${iface.router}: the gate then checks it right before it runs,
// against the cloud as the earlier steps left it.
func DeletePlan(f *Found, goal string) *plan.Plan {
	p := &plan.Plan{ID: plan.NewID(), Goal: goal, Origin: plan.OriginSlash}
	add := func(id, tool string, args map[string]any, why string) {
		p.Steps = append(p.Steps, step(id, tool, args, why))
	}
	subnet := ""
	if f.Subnet != nil {
		subnet = f.Subnet.ID
	}
	if f.Router != nil {
		router := f.Router.ID
		if f.Attached {
			add("iface", ToolRouterRemoveSubnet, map[string]any{"router": f.Router.ID, "subnet": f.Subnet.ID},
				"detach the subnet from the router")
			router, subnet = "${iface.router}", "${iface.subnet}"
		}
		if f.Router.GatewayNetworkID != "" {
			add("gateway", ToolRouterUnset, map[string]any{"router": f.Router.ID, "external_gateway": true},
				"clear the router's gateway (releases its external address)")
			if !f.Attached {
				router = "${gateway.id}"
			}
		}
		add("router", ToolRouterDelete, map[string]any{"router": router}, "the VPC's router")
	}
	if f.Subnet != nil {
		add("subnet", ToolSubnetDelete, map[string]any{"subnet": subnet}, "the VPC's subnet")
	}
	if f.Network != nil {
		network := f.Network.ID
		if f.Subnet != nil {
			network = "${subnet.network}"
		}
		add("net", ToolNetworkDelete, map[string]any{"network": network}, "the VPC's network")
	}
	if f.Group != nil {
		add("sg", ToolGroupDelete, map[string]any{"group": f.Group.ID}, "the VPC's baseline security group")
	}
	return p
}

func firstOf(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
