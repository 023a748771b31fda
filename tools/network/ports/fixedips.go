package ports

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/ports"
	gcsubnets "github.com/gophercloud/gophercloud/v2/openstack/networking/v2/subnets"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/blockstorage"
	"github.com/kriscelmer/os-tui/tools/network"
	"github.com/kriscelmer/os-tui/tools/network/networks"
	"github.com/kriscelmer/os-tui/tools/network/subnets"
)

// networkSubnets lists the subnets of one network.
func networkSubnets(ctx context.Context, c *gophercloud.ServiceClient, networkID string) ([]subnets.Subnet, error) {
	all, err := network.ListAll[subnets.Subnet](ctx, gcsubnets.List(c, gcsubnets.ListOpts{NetworkID: networkID}), "subnets")
	if err != nil {
		return nil, fmt.Errorf("list the subnets of network %s: %w", networkID, err)
	}
	return all, nil
}

// subnetLabel names a subnet with its range: "private-subnet (10.0.0.0/24)".
func subnetLabel(s subnets.Subnet) string {
	name := s.Name
	if name == "" {
		name = s.ID
	}
	return fmt.Sprintf("%s (%s)", name, s.CIDR)
}

func subnetLabels(all []subnets.Subnet) string {
	if len(all) == 0 {
		return "none"
	}
	out := make([]string, 0, len(all))
	for _, s := range all {
		out = append(out, subnetLabel(s))
	}
	return strings.Join(out, ", ")
}

func netLabel(n *networks.Network) string {
	if n.Name != "" {
		return n.Name
	}
	return n.ID
}

// holder names who holds a port, the way a person finds it: "port ID
// (name) of server web-1".
func holder(ctx context.Context, env *tools.Env, p network.UsedPort) string {
	switch {
	case strings.HasPrefix(p.DeviceOwner, "compute:"):
		return fmt.Sprintf("%s of server %s", p.Label(), blockstorage.ServerName(ctx, env, p.DeviceID, false))
	case p.DeviceOwner != "":
		return fmt.Sprintf("%s (%s %s)", p.Label(), p.DeviceOwner, p.DeviceID)
	}
	return p.Label()
}

// findSubnet finds the subnet a --fixed-ip names among the network's own;
// problem is the sentence for a Block when it is not one of them.
func findSubnet(ctx context.Context, env *tools.Env, n *networks.Network, subs []subnets.Subnet, nameOrID string) (sub *subnets.Subnet, problem string, err error) {
	var named []subnets.Subnet
	for i := range subs {
		if subs[i].ID == nameOrID {
			return &subs[i], "", nil
		}
		if subs[i].Name == nameOrID {
			named = append(named, subs[i])
		}
	}
	switch len(named) {
	case 1:
		return &named[0], "", nil
	case 0:
	default:
		return nil, fmt.Sprintf("%d subnets of network %s are named %q; use an ID: %s", len(named), netLabel(n), nameOrID, subnetIDs(named)), nil
	}
	// Not the network's: say where it is, if anywhere, and what would work.
	other, err := subnets.Resolve(ctx, env, nameOrID)
	var nf *tools.NotFoundError
	var amb *tools.AmbiguousError
	switch {
	case errors.As(err, &nf):
		return nil, fmt.Sprintf("no subnet named or with ID %q; network %s has %s", nameOrID, netLabel(n), subnetLabels(subs)), nil
	case errors.As(err, &amb):
		return nil, fmt.Sprintf("%s; network %s has %s", err, netLabel(n), subnetLabels(subs)), nil
	case err != nil:
		return nil, "", err
	}
	where := other.NetworkID
	if on, err := networks.Resolve(ctx, env, other.NetworkID); err == nil {
		where = netLabel(on)
	}
	return nil, fmt.Sprintf("subnet %s is on network %s, not on %s; a port on %s takes an address from %s",
		subnetLabel(*other), where, netLabel(n), netLabel(n), subnetLabels(subs)), nil
}

func subnetIDs(all []subnets.Subnet) string {
	ids := make([]string, 0, len(all))
	for _, s := range all {
		ids = append(ids, s.ID)
	}
	return strings.Join(ids, ", ")
}

// poolHint suggests where free addresses are: the first allocation pool.
func poolHint(s subnets.Subnet) string {
	if len(s.AllocationPools) == 0 {
		return ""
	}
	p := s.AllocationPools[0]
	return fmt.Sprintf(" (its allocation pool is %s-%s)", p.Start, p.End)
}

// checkFixedIPs applies Neutron's rules to the fixed IPs asked for a port
// on network n, before Neutron is asked: each subnet is one of the
// network's, each address lies in its subnet's range and is free. It
// returns them with subnets resolved to IDs (a subnet found from an
// address included). self is the port being changed, whose own
// addresses are not "in use"; "" for a new port.
func checkFixedIPs(ctx context.Context, env *tools.Env, c *gophercloud.ServiceClient, n *networks.Network, want []FixedIPArg, self string, chk *tools.Check) ([]FixedIPArg, error) {
	if len(want) == 0 {
		return nil, nil
	}
	block := func(format string, a ...any) {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block, Text: fmt.Sprintf(format, a...)})
	}
	subs, err := networkSubnets(ctx, c, n.ID)
	if err != nil {
		return nil, err
	}
	if len(subs) == 0 {
		block("network %s has no subnet, so a port on it can have no fixed IP; add one first (/subnet create NAME --network %s --subnet-range CIDR) or leave --fixed-ip out", netLabel(n), netLabel(n))
		return want, nil
	}
	seen := map[string]bool{}
	out := make([]FixedIPArg, 0, len(want))
	for _, w := range want {
		if w.problem != "" {
			block("%s", w.problem)
			continue
		}
		var sub *subnets.Subnet
		if w.Subnet != "" {
			s, problem, err := findSubnet(ctx, env, n, subs, w.Subnet)
			if err != nil {
				return nil, err
			}
			if problem != "" {
				block("%s", problem)
				continue
			}
			sub = s
		}
		if w.IPAddress == "" {
			out = append(out, FixedIPArg{Subnet: sub.ID})
			continue
		}
		ip := net.ParseIP(w.IPAddress)
		if ip == nil {
			block("%q is not an IP address (--fixed-ip ip-address=10.0.0.5)", w.IPAddress)
			continue
		}
		if sub != nil {
			if _, cidr, err := net.ParseCIDR(sub.CIDR); err == nil && !cidr.Contains(ip) {
				block("%s is outside subnet %s; choose an address in %s%s, or leave ip-address out and Neutron picks one",
					ip, subnetLabel(*sub), sub.CIDR, poolHint(*sub))
				continue
			}
		} else {
			for i := range subs {
				if _, cidr, err := net.ParseCIDR(subs[i].CIDR); err == nil && cidr.Contains(ip) {
					sub = &subs[i]
					break
				}
			}
			if sub == nil {
				block("no subnet of network %s contains %s; its subnets are %s", netLabel(n), ip, subnetLabels(subs))
				continue
			}
		}
		if seen[ip.String()] {
			block("%s is asked for twice", ip)
			continue
		}
		seen[ip.String()] = true
		used, err := network.PortsOf(ctx, c, ports.ListOpts{NetworkID: n.ID, FixedIPs: []ports.FixedIPOpts{{IPAddress: ip.String(), SubnetID: sub.ID}}})
		if err != nil {
			return nil, err
		}
		taken := false
		for _, u := range used {
			if u.ID != self {
				block("%s is already used by %s; choose another address, or give --fixed-ip subnet=%s alone and Neutron picks a free one",
					ip, holder(ctx, env, u), subnetRef(*sub))
				taken = true
				break
			}
		}
		if taken {
			continue
		}
		if sub.GatewayIP != nil && *sub.GatewayIP == ip.String() {
			chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Warn,
				Text: fmt.Sprintf("%s is the gateway address of subnet %s; a router added to that subnet will need it", ip, subnetLabel(*sub))})
		}
		out = append(out, FixedIPArg{Subnet: sub.ID, IPAddress: ip.String()})
	}
	return out, nil
}

// subnetRef is what a person types for a subnet: its name, or its ID.
func subnetRef(s subnets.Subnet) string {
	if s.Name != "" {
		return s.Name
	}
	return s.ID
}
