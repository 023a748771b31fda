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
	p := &Path{Groups: map[string]netstate.Group{}, Subnets: map[string]netstate.Subnet{},
		Networks: map[string]netstate.Network{}, Interfaces: map[string][]netstate.Port{}}
	var srv *netstate.Server
	var nets []netstate.Network
	var subnets []netstate.Subnet
	// The server and the project's lists do not depend on each other.
	err := netstate.Parallel(
		func() (err error) { srv, err = netstate.ShowServer(ctx, read, q.Server); return err },
		func() (err error) {
			if nets, err = netstate.Networks(ctx, read, nil); err != nil {
				err = fmt.Errorf("read networks: %w", err)
			}
			return err
		},
		func() (err error) {
			if subnets, err = netstate.Subnets(ctx, read, nil); err != nil {
				err = fmt.Errorf("read subnets: %w", err)
			}
			return err
		},
		func() (err error) {
			if p.Routers, err = netstate.Routers(ctx, read, nil); err != nil {
				err = fmt.Errorf("read routers: %w", err)
			}
			return err
		},
		func() (err error) {
			if p.FloatingIPs, err = netstate.FloatingIPs(ctx, read, nil); err != nil {
				err = fmt.Errorf("read floating IPs: %w", err)
			}
			return err
		},
	)
	if err != nil {
		return nil, err
	}
	p.Server = *srv
	for _, n := range nets {
		p.Networks[n.ID] = n
	}
	for _, s := range subnets {
		p.Subnets[s.ID] = s
	}
	listed, err := netstate.Ports(ctx, read, map[string]any{"server": srv.ID})
	if err != nil {
		return nil, fmt.Errorf("read the ports of server %s: %w", srv.Label(), err)
	}
	if len(listed) > maxPorts {
		listed = listed[:maxPorts]
	}
	p.Ports = make([]netstate.Port, len(listed))
	var reads []func() error
	for i, lp := range listed {
		reads = append(reads, func() error {
			full, err := netstate.ShowPort(ctx, read, lp.ID)
			if err != nil {
				return fmt.Errorf("read port %s: %w", lp.Label(), err)
			}
			p.Ports[i] = *full
			return nil
		})
	}
	if err := netstate.Parallel(reads...); err != nil {
		return nil, err
	}
	if len(p.Ports) == 0 {
		// Nothing else is on the path of a server on no network.
		return p, nil
	}
	var groupIDs []string
	for _, port := range p.Ports {
		groupIDs = append(groupIDs, port.SecurityGroups...)
	}
	var groups []netstate.Group
	var ifaces []netstate.Port
	err = netstate.Parallel(
		func() (err error) {
			if groups, err = netstate.Groups(ctx, read, groupIDs); err != nil {
				err = fmt.Errorf("read security groups: %w", err)
			}
			return err
		},
		func() (err error) { ifaces, err = interfaces(ctx, read, p.Ports); return err },
	)
	if err != nil {
		return nil, err
	}
	for _, g := range groups {
		p.Groups[g.ID] = g
	}
	for _, iface := range ifaces {
		for _, ip := range iface.FixedIPs {
			if !slices.ContainsFunc(p.Interfaces[ip.SubnetID], func(x netstate.Port) bool { return x.ID == iface.ID }) {
				p.Interfaces[ip.SubnetID] = append(p.Interfaces[ip.SubnetID], iface)
			}
		}
	}
	return p, nil
}

// interfaces are the router interfaces on the networks of ports, read in
// full: the network's ports say which are interfaces, and only a port
// read in full names its router.
func interfaces(ctx context.Context, read netstate.Reader, ports []netstate.Port) ([]netstate.Port, error) {
	var out []netstate.Port
	done := map[string]bool{}
	for _, port := range ports {
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
			out = append(out, *full)
		}
	}
	return out, nil
}
