package diagnose

import (
	"context"
	"fmt"
	"slices"

	"github.com/kriscelmer/os-tui/internal/netstate"
)

// maxPorts bounds the port reads of a server with very many ports.
const maxPorts = 8

// Path is what the diagnosis reasons over: the server and everything its
// traffic passes, read once.
type Path struct {
	Server netstate.Server
	// Ports are the server's ports, read in full.
	Ports []netstate.Port
	// Groups are the security groups of those ports, by ID.
	Groups map[string]netstate.Group
	// Subnets and Networks are every one the project sees, by ID.
	Subnets  map[string]netstate.Subnet
	Networks map[string]netstate.Network
	// Routers are the project's routers.
	Routers []netstate.Router
	// Interfaces are the router interfaces on the subnets of the
	// server's ports, by subnet ID, read in full (DeviceID is the router).
	Interfaces map[string][]netstate.Port
	// FloatingIPs are every floating IP the project sees.
	FloatingIPs []netstate.FloatingIP
}

// Gather reads the path of q.Server. A server that cannot be found is
// the error the read tool gave (not found, or several of that name).
func Gather(ctx context.Context, read netstate.Reader, q Query) (*Path, error) {
	srv, err := netstate.ShowServer(ctx, read, q.Server)
	if err != nil {
		return nil, err
	}
	p := &Path{Server: *srv, Groups: map[string]netstate.Group{}, Subnets: map[string]netstate.Subnet{},
		Networks: map[string]netstate.Network{}, Interfaces: map[string][]netstate.Port{}}
	listed, err := netstate.Ports(ctx, read, map[string]any{"server": srv.ID})
	if err != nil {
		return nil, fmt.Errorf("read the ports of server %s: %w", srv.Label(), err)
	}
	for i, lp := range listed {
		if i == maxPorts {
			break
		}
		full, err := netstate.ShowPort(ctx, read, lp.ID)
		if err != nil {
			return nil, fmt.Errorf("read port %s: %w", lp.Label(), err)
		}
		p.Ports = append(p.Ports, *full)
	}
	var groupIDs []string
	for _, port := range p.Ports {
		groupIDs = append(groupIDs, port.SecurityGroups...)
	}
	groups, err := netstate.Groups(ctx, read, groupIDs)
	if err != nil {
		return nil, fmt.Errorf("read security groups: %w", err)
	}
	for _, g := range groups {
		p.Groups[g.ID] = g
	}
	nets, err := netstate.Networks(ctx, read, nil)
	if err != nil {
		return nil, fmt.Errorf("read networks: %w", err)
	}
	for _, n := range nets {
		p.Networks[n.ID] = n
	}
	subnets, err := netstate.Subnets(ctx, read, nil)
	if err != nil {
		return nil, fmt.Errorf("read subnets: %w", err)
	}
	for _, s := range subnets {
		p.Subnets[s.ID] = s
	}
	if p.Routers, err = netstate.Routers(ctx, read, nil); err != nil {
		return nil, fmt.Errorf("read routers: %w", err)
	}
	if p.FloatingIPs, err = netstate.FloatingIPs(ctx, read, nil); err != nil {
		return nil, fmt.Errorf("read floating IPs: %w", err)
	}
	// The router interfaces on the server's subnets: the network's ports
	// say which are interfaces; only a port read in full names its router.
	done := map[string]bool{}
	for _, port := range p.Ports {
		if done[port.NetworkID] || port.NetworkID == "" {
			continue
		}
		done[port.NetworkID] = true
		onNet, err := netstate.Ports(ctx, read, map[string]any{"network": port.NetworkID})
		if err != nil {
			return nil, fmt.Errorf("read the ports of network %s: %w", port.NetworkID, err)
		}
		for _, np := range onNet {
			if !np.RouterInterface() {
				continue
			}
			full, err := netstate.ShowPort(ctx, read, np.ID)
			if err != nil {
				return nil, fmt.Errorf("read router interface %s: %w", np.Label(), err)
			}
			for _, ip := range full.FixedIPs {
				if !slices.ContainsFunc(p.Interfaces[ip.SubnetID], func(x netstate.Port) bool { return x.ID == full.ID }) {
					p.Interfaces[ip.SubnetID] = append(p.Interfaces[ip.SubnetID], *full)
				}
			}
		}
	}
	return p, nil
}
