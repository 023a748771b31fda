// Package vpc is the VPC wizard: one plan that builds a private network
// reachable from outside — network, subnet, router with its gateway on an
// external network, the interface joining them, and a baseline security
// group — and the inverse plan that takes it apart. The plans are built
// from the network change tools and go through the gate like any other,
// so every step is previewed, approved, audited, and a failure part-way
// offers the undo of the steps done.
//
// A preflight reads the project first (through a netstate.Reader) and
// refuses what would fail or confuse later: names already taken, a range
// overlapping a routed subnet, no room in the quota.
package vpc

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/kriscelmer/os-tui/agent/plan"
	"github.com/kriscelmer/os-tui/internal/netstate"
)

// The change tools the plans call.
const (
	ToolNetworkCreate   = "network.create"
	ToolSubnetCreate    = "subnet.create"
	ToolRouterCreate    = "router.create"
	ToolRouterAddSubnet = "router.add.subnet"
	ToolGroupCreate     = "security-group.create"
	ToolRuleCreate      = "security-group.rule.create"

	ToolRouterRemoveSubnet = "router.remove.subnet"
	ToolRouterUnset        = "router.unset"
	ToolRouterDelete       = "router.delete"
	ToolSubnetDelete       = "subnet.delete"
	ToolNetworkDelete      = "network.delete"
	ToolGroupDelete        = "security-group.delete"
)

// Step IDs of the create plan; later steps refer to ${net.id} and so on.
const (
	stepNetwork = "net"
	stepSubnet  = "subnet"
	stepRouter  = "router"
	stepIface   = "iface"
	stepGroup   = "sg"
	stepICMP    = "icmp"
	stepSSH     = "ssh"
)

// maxName leaves room for the longest suffix ("-router") within
// Neutron's 255 characters.
const maxName = 255 - len("-router")

// Options are what /vpc create was given.
type Options struct {
	Name string
	// CIDR is the subnet's range, IPv4 or IPv6.
	CIDR string
	// External names the external network of the router's gateway (name
	// or ID); "" picks the only one the cloud has.
	External string
	// DNS are the subnet's name servers.
	DNS []string
	// SSHFrom is the range admitted to SSH (tcp 22); "" adds no SSH rule.
	SSHFrom string
}

// Names are the names of a VPC's parts.
type Names struct {
	Network, Subnet, Router, Group string
}

// NamesFor derives the parts' names from the VPC's name.
func NamesFor(name string) Names {
	return Names{Network: name + "-net", Subnet: name + "-subnet", Router: name + "-router", Group: name + "-sg"}
}

// Check validates and normalizes the options without reading the cloud:
// the range is a network address (10.0.0.0/24, not 10.0.0.5/24), the
// name servers are addresses and the SSH range a range.
func Check(o Options) (Options, error) {
	var problems []string
	switch {
	case strings.TrimSpace(o.Name) == "":
		problems = append(problems, "the VPC needs a name")
	case len(o.Name) > maxName:
		problems = append(problems, fmt.Sprintf("the name is %d characters; at most %d leave room for the suffixes -net, -subnet, -router and -sg", len(o.Name), maxName))
	case strings.ContainsAny(o.Name, "${}"):
		problems = append(problems, "the name may not contain $, { or }: they mark step references in a plan")
	}
	if o.CIDR == "" {
		problems = append(problems, "--cidr is required: the subnet's range, e.g. --cidr 10.0.0.0/24")
	} else if p, err := netip.ParsePrefix(strings.TrimSpace(o.CIDR)); err != nil {
		problems = append(problems, fmt.Sprintf("--cidr %q is not a range like 10.0.0.0/24", o.CIDR))
	} else if p.Masked() != p {
		problems = append(problems, fmt.Sprintf("--cidr %s has host bits set; the network is %s", o.CIDR, p.Masked()))
	} else if usable(p) < 8 {
		problems = append(problems, fmt.Sprintf("--cidr %s is too small for a gateway, DHCP and servers; use a /29 or wider (IPv6: a /64)", o.CIDR))
	} else {
		o.CIDR = p.String()
	}
	dns := make([]string, 0, len(o.DNS))
	for _, d := range o.DNS {
		d = strings.TrimSpace(d)
		if d == "" {
			continue
		}
		if _, err := netip.ParseAddr(d); err != nil {
			problems = append(problems, fmt.Sprintf("--dns %q is not an IP address", d))
			continue
		}
		dns = append(dns, d)
	}
	o.DNS = dns
	if o.SSHFrom != "" {
		if p, err := netstate.ParseRange(o.SSHFrom); err != nil {
			problems = append(problems, fmt.Sprintf("--ssh-from %q is not an address or range like 203.0.113.0/24", o.SSHFrom))
		} else {
			o.SSHFrom = p.String()
		}
	}
	if len(problems) > 0 {
		return o, errors.New(strings.Join(problems, "; "))
	}
	return o, nil
}

// usable is how many addresses a range has, capped (IPv6 ranges are huge).
func usable(p netip.Prefix) int {
	host := p.Addr().BitLen() - p.Bits()
	if host >= 16 {
		return 1 << 16
	}
	return 1 << host
}

// ipv6 reports whether the options' range is IPv6.
func (o Options) ipv6() bool {
	p, err := netip.ParsePrefix(o.CIDR)
	return err == nil && p.Addr().Is6() && !p.Addr().Is4In6()
}

// CreatePlan is the one plan that builds the VPC: network, subnet,
// router with its gateway on external (a network ID), the interface, the
// group and its rules. o must have passed Check.
func CreatePlan(o Options, external, goal string) *plan.Plan {
	n := NamesFor(o.Name)
	ipVersion, ethertype, icmp, world := 4, "IPv4", "icmp", "0.0.0.0/0"
	if o.ipv6() {
		ipVersion, ethertype, icmp, world = 6, "IPv6", "ipv6-icmp", "::/0"
	}
	subnet := map[string]any{
		"name":         n.Subnet,
		"network":      ref(stepNetwork),
		"subnet_range": o.CIDR,
		"ip_version":   ipVersion,
	}
	if len(o.DNS) > 0 {
		subnet["dns_nameservers"] = o.DNS
	}
	p := &plan.Plan{ID: plan.NewID(), Goal: goal, Origin: plan.OriginSlash}
	add := func(id, tool string, args map[string]any, why string) {
		p.Steps = append(p.Steps, step(id, tool, args, why))
	}
	add(stepNetwork, ToolNetworkCreate, map[string]any{"name": n.Network}, "the VPC's private network")
	add(stepSubnet, ToolSubnetCreate, subnet, fmt.Sprintf("addresses %s for its servers", o.CIDR))
	add(stepRouter, ToolRouterCreate, map[string]any{"name": n.Router, "external_gateway": external},
		"a router with its gateway on the external network, for floating IPs and outbound traffic")
	add(stepIface, ToolRouterAddSubnet, map[string]any{"router": ref(stepRouter), "subnet": ref(stepSubnet)},
		"join the subnet to the router")
	desc := "baseline of VPC " + o.Name + ": ICMP from anywhere"
	if o.SSHFrom != "" {
		desc += ", SSH from " + o.SSHFrom
	}
	add(stepGroup, ToolGroupCreate, map[string]any{"name": n.Group, "description": desc},
		"a baseline security group (Neutron adds rules allowing all egress)")
	add(stepICMP, ToolRuleCreate, map[string]any{
		"group": ref(stepGroup), "direction": "ingress", "ethertype": ethertype, "protocol": icmp, "remote_ip": world,
	}, "admit ping, so the path can be tested")
	if o.SSHFrom != "" {
		add(stepSSH, ToolRuleCreate, map[string]any{
			"group": ref(stepGroup), "direction": "ingress", "ethertype": familyOf(o.SSHFrom), "protocol": "tcp",
			"dst_port": "22", "remote_ip": o.SSHFrom,
		}, "admit SSH from "+o.SSHFrom)
	}
	return p
}

// familyOf is the ethertype of a range.
func familyOf(cidr string) string {
	if p, err := netip.ParsePrefix(cidr); err == nil && p.Addr().Is6() && !p.Addr().Is4In6() {
		return "IPv6"
	}
	return "IPv4"
}

func ref(step string) string { return "${" + step + ".id}" }

func step(id, tool string, args map[string]any, why string) plan.Step {
	// Maps of strings, numbers and string slices always encode.
	b, _ := json.Marshal(args)
	return plan.Step{ID: id, Tool: tool, Args: b, Why: why}
}
