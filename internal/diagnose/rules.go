package diagnose

import (
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/kriscelmer/os-tui/internal/netstate"
	"github.com/kriscelmer/os-tui/tools/network/secgroups"
)

// The checks, in the order the path is walked and reported.
const (
	CheckServer = "server"
	CheckPort   = "port"
	// CheckOtherPort is each of the server's other ports: not on this
	// path, but a port down there is worth knowing.
	CheckOtherPort    = "other port"
	CheckPortSecurity = "port security"
	CheckGroups       = "security group"
	CheckFloatingIP   = "floating IP"
	CheckRouter       = "router"
	CheckGateway      = "gateway"
	CheckSubnet       = "subnet"
	CheckNetwork      = "network"
)

// fixOrder is the order fixes run in: the server and the network first,
// then what admits traffic, then the router and its gateway, and the
// floating IP last, because Neutron binds one only to a port whose
// subnet a router joins to the floating IP's network.
var fixOrder = []string{CheckServer, CheckNetwork, CheckSubnet, CheckPort, CheckPortSecurity, CheckGroups, CheckRouter, CheckGateway, CheckFloatingIP}

// Report is a diagnosis: the traffic, the server, the port whose path was
// walked and one finding per link.
type Report struct {
	Query  Query
	Server netstate.Server
	// Port is the port whose path was walked (nil: the server has none).
	Port *netstate.Port
	// Address is the port's address on that path; Floating its floating
	// IP ("" when it has none).
	Address  string
	Floating string
	Findings []Finding
}

// Failed counts the links that stop the traffic.
func (r *Report) Failed() int {
	n := 0
	for _, f := range r.Findings {
		if f.Status == Fail {
			n++
		}
	}
	return n
}

// Steps are the fixes of every failed link as one list of plan steps, in
// the order they must run; step IDs are unique.
func (r *Report) Steps() []Step {
	var out []Step
	used := map[string]bool{}
	for _, check := range fixOrder {
		for _, f := range r.Findings {
			if f.Check != check || f.Status != Fail {
				continue
			}
			for _, s := range f.Fix {
				if used[s.ID] {
					// IDs are distinct by construction; a repeat would be a
					// second copy of the same fix.
					continue
				}
				used[s.ID] = true
				out = append(out, s)
			}
		}
	}
	return out
}

// diag walks one path.
type diag struct {
	p    *Path
	q    Query
	from netip.Prefix // valid when q.From is set
	rep  *Report
	// family is the ethertype of the traffic: that of --from, else IPv4.
	family string
	// internal: the source is inside the port's own subnet, so neither a
	// floating IP nor a router is on the path.
	internal bool
	subnet   *netstate.Subnet
	// router is the router joining the subnet, when there is one; newRouter
	// says a fix creates one.
	router    *netstate.Router
	newRouter bool
}

// Diagnose walks the path of q through p. q must be Normalized.
func Diagnose(p *Path, q Query) *Report {
	d := &diag{p: p, q: q, rep: &Report{Query: q, Server: p.Server}, family: "IPv4"}
	if q.From != "" {
		if pref, err := netip.ParsePrefix(q.From); err == nil {
			d.from = pref
			if pref.Addr().Is6() && !pref.Addr().Is4In6() {
				d.family = "IPv6"
			}
		}
	}
	d.server()
	if !d.choosePort() {
		return d.rep
	}
	d.port()
	d.otherPorts()
	d.groups()
	d.routerLink()
	d.gateway()
	d.floatingIP()
	d.subnetAndNetwork()
	return d.rep
}

func (d *diag) add(f Finding) { d.rep.Findings = append(d.rep.Findings, f) }

func (d *diag) server() {
	s := d.p.Server
	name := s.Label()
	fix := func(tool, why string) []Step {
		return []Step{{ID: "server", Tool: tool, Args: map[string]any{"server": s.ID}, Why: why}}
	}
	switch strings.ToUpper(s.Status) {
	case "ACTIVE":
		d.add(Finding{Check: CheckServer, Status: Pass, Text: fmt.Sprintf("server %s is ACTIVE", name)})
	case "SHUTOFF":
		d.add(Finding{Check: CheckServer, Status: Fail, Text: fmt.Sprintf("server %s is SHUTOFF: nothing answers until it runs", name),
			Fix: fix("server.start", "start the server"), Hint: "/server start " + name})
	case "PAUSED":
		d.add(Finding{Check: CheckServer, Status: Fail, Text: fmt.Sprintf("server %s is PAUSED", name),
			Fix: fix("server.unpause", "unpause the server"), Hint: "/server unpause " + name})
	case "SUSPENDED":
		d.add(Finding{Check: CheckServer, Status: Fail, Text: fmt.Sprintf("server %s is SUSPENDED", name),
			Fix: fix("server.resume", "resume the server"), Hint: "/server resume " + name})
	case "SHELVED", "SHELVED_OFFLOADED":
		d.add(Finding{Check: CheckServer, Status: Fail, Text: fmt.Sprintf("server %s is %s", name, s.Status),
			Fix: fix("server.unshelve", "unshelve the server"), Hint: "/server unshelve " + name})
	case "ERROR":
		d.add(Finding{Check: CheckServer, Status: Fail, Text: fmt.Sprintf("server %s is in ERROR", name),
			Hint: fmt.Sprintf("/server show %s tells the fault; rebuild or delete the server", name)})
	default:
		text := fmt.Sprintf("server %s is %s", name, s.Status)
		if s.TaskState != "" {
			text += " (" + s.TaskState + ")"
		}
		d.add(Finding{Check: CheckServer, Status: Warn, Text: text + ": wait until it is ACTIVE, then diagnose again"})
	}
}

// choosePort picks the port whose path is walked: the one on the
// source's own subnet, else the one with a floating IP, else one whose
// subnet a router joins to the outside, else the first.
func (d *diag) choosePort() bool {
	if len(d.p.Ports) == 0 {
		d.add(Finding{Check: CheckPort, Status: Fail, Text: fmt.Sprintf("server %s has no port: it is on no network", d.p.Server.Label()),
			Hint: "attach it to a network: openstack server add network " + d.p.Server.Label() + " NETWORK"})
		return false
	}
	type cand struct {
		port *netstate.Port
		ip   netstate.FixedIP
	}
	var cands []cand
	for i := range d.p.Ports {
		port := &d.p.Ports[i]
		for _, ip := range port.FixedIPs {
			a, err := netip.ParseAddr(ip.IP)
			if err != nil || familyOfAddr(a) != d.family {
				continue
			}
			cands = append(cands, cand{port, ip})
		}
	}
	pick := func(c cand) {
		d.rep.Port = c.port
		d.rep.Address = c.ip.IP
		if sn, ok := d.p.Subnets[c.ip.SubnetID]; ok {
			d.subnet = &sn
		}
		for _, f := range d.p.FloatingIPs {
			if f.PortID == c.port.ID && (f.FixedIP == "" || f.FixedIP == c.ip.IP) {
				d.rep.Floating = f.Address
			}
		}
	}
	if len(cands) == 0 {
		d.rep.Port = &d.p.Ports[0]
		d.add(Finding{Check: CheckPort, Status: Fail, Text: fmt.Sprintf("server %s has no %s address, so %s cannot reach it", d.p.Server.Label(), d.family, d.q.Traffic()),
			Hint: "give it a port on a subnet of that family"})
		return false
	}
	if d.from.IsValid() {
		for _, c := range cands {
			sn, ok := d.p.Subnets[c.ip.SubnetID]
			if !ok {
				continue
			}
			if sp, err := netip.ParsePrefix(sn.CIDR); err == nil && sp.Bits() <= d.from.Bits() && sp.Contains(d.from.Addr()) {
				d.internal = true
				pick(c)
				return true
			}
		}
	}
	for _, c := range cands {
		for _, f := range d.p.FloatingIPs {
			if f.PortID == c.port.ID {
				pick(c)
				return true
			}
		}
	}
	for _, c := range cands {
		if r := d.routerOf(c.ip.SubnetID); r != nil && r.GatewayNetworkID != "" {
			pick(c)
			return true
		}
	}
	pick(cands[0])
	return true
}

func familyOfAddr(a netip.Addr) string {
	if a.Is6() && !a.Is4In6() {
		return "IPv6"
	}
	return "IPv4"
}

// routerOf is the router with an interface on the subnet, if any.
func (d *diag) routerOf(subnetID string) *netstate.Router {
	r, _ := d.interfaceOf(subnetID)
	return r
}

// interfaceOf is the router with an interface on the subnet and that
// interface.
func (d *diag) interfaceOf(subnetID string) (*netstate.Router, *netstate.Port) {
	for _, iface := range d.p.Interfaces[subnetID] {
		for i := range d.p.Routers {
			if d.p.Routers[i].ID == iface.DeviceID {
				return &d.p.Routers[i], &iface
			}
		}
	}
	return nil, nil
}

func (d *diag) port() {
	port := d.rep.Port
	where := d.rep.Address
	if n, ok := d.p.Networks[port.NetworkID]; ok {
		where += " on network " + n.Label()
	}
	label := fmt.Sprintf("port %s (%s)", short(port), where)
	serverUp := strings.EqualFold(d.p.Server.Status, "ACTIVE")
	switch {
	case !port.AdminStateUp:
		d.add(Finding{Check: CheckPort, Status: Fail, Text: label + " is administratively down: it passes no traffic",
			Fix:  []Step{{ID: "port-up", Tool: "port.set", Args: map[string]any{"port": port.ID, "admin_state_up": true}, Why: "bring the port up"}},
			Hint: "openstack port set --enable " + port.ID})
	case strings.EqualFold(port.Status, "ACTIVE"):
		d.add(Finding{Check: CheckPort, Status: Pass, Text: label + " is ACTIVE"})
	case !serverUp:
		d.add(Finding{Check: CheckPort, Status: Warn, Text: fmt.Sprintf("%s is %s, as a port of a server that is not running is", label, port.Status)})
	case strings.EqualFold(port.Status, "BUILD"):
		d.add(Finding{Check: CheckPort, Status: Warn, Text: label + " is BUILD: Neutron is still wiring it; diagnose again in a moment"})
	default:
		d.add(Finding{Check: CheckPort, Status: Fail, Text: fmt.Sprintf("%s is %s: Neutron has not bound it on the server's host", label, port.Status),
			Hint: "the network agent on the server's host may be down: the cloud's admin can check it (openstack network agent list)"})
	}
}

// otherPorts reports the server's ports not on this path.
func (d *diag) otherPorts() {
	for i := range d.p.Ports {
		port := &d.p.Ports[i]
		if port.ID == d.rep.Port.ID {
			continue
		}
		var ips []string
		for _, ip := range port.FixedIPs {
			ips = append(ips, ip.IP)
		}
		label := fmt.Sprintf("port %s (%s)", short(port), strings.Join(ips, ", "))
		switch {
		case !port.AdminStateUp:
			d.add(Finding{Check: CheckOtherPort, Status: Warn, Text: label + " is administratively down (not on this path)"})
		case !strings.EqualFold(port.Status, "ACTIVE"):
			d.add(Finding{Check: CheckOtherPort, Status: Warn, Text: fmt.Sprintf("%s is %s (not on this path)", label, port.Status)})
		default:
			d.add(Finding{Check: CheckOtherPort, Status: Pass, Text: label + " is ACTIVE (not on this path)"})
		}
	}
}

// short names a port by name, else by the first part of its ID.
func short(p *netstate.Port) string {
	if strings.TrimSpace(p.Name) != "" {
		return p.Name
	}
	if len(p.ID) > 8 {
		return p.ID[:8]
	}
	return p.ID
}

func (d *diag) groups() {
	port := d.rep.Port
	if port.PortSecurity != nil && !*port.PortSecurity {
		d.add(Finding{Check: CheckPortSecurity, Status: Pass, Text: fmt.Sprintf("port security is off on port %s: no security group filters it", short(port))})
		d.add(Finding{Check: CheckGroups, Status: Skip, Text: "not applied: port security is off"})
		return
	}
	if port.PortSecurity == nil {
		d.add(Finding{Check: CheckPortSecurity, Status: Pass, Text: "the cloud has no port security switch: the port's security groups always apply"})
	} else {
		d.add(Finding{Check: CheckPortSecurity, Status: Pass, Text: fmt.Sprintf("port security is on: port %s's security groups decide what reaches it", short(port))})
	}
	if len(port.SecurityGroups) == 0 {
		d.add(Finding{Check: CheckGroups, Status: Fail,
			Text: fmt.Sprintf("port %s is in no security group: with port security on, every packet coming in is dropped", short(port)),
			Fix: []Step{
				{ID: "group", Tool: "security-group.create", Args: map[string]any{"name": d.p.Server.Label() + "-access", "description": "admits " + d.q.Traffic() + " to " + d.p.Server.Label()}, Why: "a group for the traffic"},
				{ID: "rule", Tool: "security-group.rule.create", Args: d.ruleArgs("${group.id}"), Why: "admit " + d.q.Traffic()},
				{ID: "port-groups", Tool: "port.set", Args: map[string]any{"port": port.ID, "security_groups": []any{"${group.id}"}}, Why: "put the port in the group"},
			},
			Hint: "put the port in a group that admits the traffic: openstack port set --security-group GROUP " + port.ID})
		return
	}
	var names []string
	var partial []string
	for _, id := range port.SecurityGroups {
		g, ok := d.p.Groups[id]
		if !ok {
			g = netstate.Group{ID: id}
		}
		names = append(names, g.Label())
		for _, r := range g.Rules {
			switch ok, why := d.admits(r); {
			case ok:
				d.add(Finding{Check: CheckGroups, Status: Pass, Text: fmt.Sprintf("group %s admits it: rule %s", g.Label(), r.String())})
				return
			case why != "":
				partial = append(partial, fmt.Sprintf("group %s admits it only from %s", g.Label(), why))
			}
		}
	}
	sort.Strings(partial)
	target := d.fixGroup(port)
	fix := []Step{{ID: "rule", Tool: "security-group.rule.create", Args: d.ruleArgs(target.ID),
		Why: fmt.Sprintf("admit %s in group %s", d.q.Traffic(), target.Label())}}
	hint := d.ruleHint(target)
	if len(partial) > 0 && d.q.From == "" {
		// Some sources are admitted: that may well be the intent, so it is
		// a warning, and --from asks about one source for certain.
		d.add(Finding{Check: CheckGroups, Status: Warn,
			Text: fmt.Sprintf("only some sources are admitted: %s; give --from CIDR to check yours", strings.Join(partial, "; "))})
		return
	}
	text := fmt.Sprintf("no rule of group %s admits %s", strings.Join(names, ", "), d.q.Traffic())
	if len(partial) > 0 {
		text += " (" + strings.Join(partial, "; ") + ")"
	}
	d.add(Finding{Check: CheckGroups, Status: Fail, Text: text, Fix: fix, Hint: hint})
}

// fixGroup is the group a missing rule goes into: the port's first group
// not named "default" (a group of its own is narrower), else its first.
func (d *diag) fixGroup(port *netstate.Port) netstate.Group {
	var first netstate.Group
	for i, id := range port.SecurityGroups {
		g, ok := d.p.Groups[id]
		if !ok {
			g = netstate.Group{ID: id}
		}
		if i == 0 {
			first = g
		}
		if g.Name != "default" {
			return g
		}
	}
	return first
}

// ruleArgs are security-group.rule.create's arguments for a rule that
// admits the traffic into group.
func (d *diag) ruleArgs(group string) map[string]any {
	args := map[string]any{"group": group, "direction": "ingress", "ethertype": d.family, "remote_ip": d.source()}
	switch d.q.Protocol {
	case "icmp":
		if d.family == "IPv6" {
			args["protocol"] = "ipv6-icmp"
		} else {
			args["protocol"] = "icmp"
		}
	default:
		args["protocol"] = d.q.Protocol
		args["dst_port"] = strconv.Itoa(d.q.Port)
	}
	return args
}

// source is the range the traffic comes from: --from, else the whole
// internet of the family.
func (d *diag) source() string {
	if d.q.From != "" {
		return d.q.From
	}
	if d.family == "IPv6" {
		return "::/0"
	}
	return "0.0.0.0/0"
}

// ruleHint says what the proposed rule does, and warns when the
// guardrail will refuse it (a service like SSH open to the internet).
func (d *diag) ruleHint(g netstate.Group) string {
	proto := d.q.Protocol
	lo := d.q.Port
	r := secgroups.Rule{Direction: "ingress", EtherType: d.family, Protocol: &proto}
	src := d.source()
	r.RemoteIPPrefix = &src
	if proto != "icmp" {
		r.PortRangeMin, r.PortRangeMax = &lo, &lo
	}
	hint := fmt.Sprintf("/security-group rule create %s --protocol %s", g.Label(), ruleProto(d))
	if proto != "icmp" {
		hint += fmt.Sprintf(" --dst-port %d", d.q.Port)
	}
	hint += " --remote-ip " + src
	if len(secgroups.Exposure(r)) > 0 {
		hint += "  (this opens " + strings.ToUpper(proto) + " " + strconv.Itoa(lo) + " to the whole internet: the guardrail refuses it unless --force; give --from with your own range instead)"
	}
	return hint
}

func ruleProto(d *diag) string {
	if d.q.Protocol == "icmp" && d.family == "IPv6" {
		return "ipv6-icmp"
	}
	return d.q.Protocol
}

// admits says whether rule r lets the traffic in. When it does for some
// sources only, why says which.
func (d *diag) admits(r secgroups.Rule) (ok bool, why string) {
	if r.Direction != "ingress" || !strings.EqualFold(r.EtherType, d.family) {
		return false, ""
	}
	if !protocolMatches(r.Protocol, d.q.Protocol) {
		return false, ""
	}
	if !portMatches(r, d.q, d.family) {
		return false, ""
	}
	if r.RemoteGroupID != nil && *r.RemoteGroupID != "" || r.RemoteAddressGroupID != nil && *r.RemoteAddressGroupID != "" {
		// A rule naming a group admits its members' ports, never a range:
		// every "default" group has one, and it says nothing of traffic
		// from outside.
		return false, ""
	}
	remote, err := netip.ParsePrefix(r.IPRange())
	if err != nil {
		return false, ""
	}
	remote = remote.Masked()
	if d.from.IsValid() {
		if remote.Bits() <= d.from.Bits() && remote.Contains(d.from.Addr()) {
			return true, ""
		}
		return false, remote.String()
	}
	if remote.Bits() == 0 {
		return true, ""
	}
	return false, remote.String()
}

// protocolMatches compares a rule's protocol (nil or "any": every one;
// a name or a number) with the traffic's.
func protocolMatches(rule *string, want string) bool {
	if rule == nil {
		return true
	}
	switch p := strings.ToLower(*rule); p {
	case "", "any", "0":
		return true
	case "tcp", "6":
		return want == "tcp"
	case "udp", "17":
		return want == "udp"
	case "icmp", "1", "ipv6-icmp", "icmpv6", "58":
		return want == "icmp"
	}
	return false
}

// portMatches: a rule without ports admits every port; for ICMP the
// port fields hold the type and code, and ping is type 8 (128 on IPv6).
func portMatches(r secgroups.Rule, q Query, family string) bool {
	if r.PortRangeMin == nil {
		return true
	}
	if q.Protocol == "icmp" {
		echo := 8
		if family == "IPv6" {
			echo = 128
		}
		return *r.PortRangeMin == echo
	}
	hi := *r.PortRangeMin
	if r.PortRangeMax != nil {
		hi = *r.PortRangeMax
	}
	return *r.PortRangeMin <= q.Port && q.Port <= hi
}

// external is the network a floating IP or a gateway should come from:
// the router's gateway network, else the only external network.
func (d *diag) external() (netstate.Network, bool) {
	if d.router != nil && d.router.GatewayNetworkID != "" {
		if n, ok := d.p.Networks[d.router.GatewayNetworkID]; ok {
			return n, true
		}
		return netstate.Network{ID: d.router.GatewayNetworkID}, true
	}
	var ext []netstate.Network
	for _, n := range d.p.Networks {
		if n.External {
			ext = append(ext, n)
		}
	}
	if len(ext) == 1 {
		return ext[0], true
	}
	return netstate.Network{}, false
}

func (d *diag) externalNames() string {
	var names []string
	for _, n := range d.p.Networks {
		if n.External {
			names = append(names, n.Label())
		}
	}
	sort.Strings(names)
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

func (d *diag) routerLink() {
	if d.internal {
		d.add(Finding{Check: CheckRouter, Status: Skip, Text: fmt.Sprintf("not on the path: %s is inside the server's subnet", d.q.From)})
		return
	}
	if d.subnet == nil {
		d.add(Finding{Check: CheckRouter, Status: Warn, Text: "the subnet of address " + d.rep.Address + " is not visible to this project: its router cannot be checked"})
		return
	}
	sn := d.subnet
	r, iface := d.interfaceOf(sn.ID)
	if r == nil {
		text := fmt.Sprintf("no router has an interface on subnet %s (%s): traffic from outside cannot reach it", sn.Label(), sn.CIDR)
		if sn.GatewayIP == "" {
			d.add(Finding{Check: CheckRouter, Status: Fail, Text: text + ", and the subnet has no gateway address for one",
				Hint: fmt.Sprintf("give the subnet a gateway (openstack subnet set --gateway IP %s), then join it to a router", sn.Label())})
			return
		}
		d.add(d.joinRouter(sn, text))
		return
	}
	d.router = r
	text := fmt.Sprintf("router %s has an interface on subnet %s", r.Label(), sn.Label())
	var addrs []string
	for _, ip := range iface.FixedIPs {
		if ip.SubnetID == sn.ID {
			addrs = append(addrs, ip.IP)
		}
	}
	if len(addrs) > 0 {
		text += " (" + strings.Join(addrs, ", ") + ")"
	}
	switch {
	case !r.AdminStateUp:
		d.add(Finding{Check: CheckRouter, Status: Fail, Text: text + ", but the router is administratively down",
			Fix:  []Step{{ID: "router-up", Tool: "router.set", Args: map[string]any{"router": r.ID, "admin_state_up": true}, Why: "bring the router up"}},
			Hint: "openstack router set --enable " + r.Label()})
	case sn.GatewayIP != "" && len(addrs) > 0 && !slices.Contains(addrs, sn.GatewayIP):
		d.add(Finding{Check: CheckRouter, Status: Warn, Text: fmt.Sprintf("%s, but the subnet's gateway is %s: servers send outside traffic there, not to the router", text, sn.GatewayIP)})
	case !strings.EqualFold(iface.Status, "ACTIVE"):
		d.add(Finding{Check: CheckRouter, Status: Warn, Text: fmt.Sprintf("%s; the interface is %s (no L3 agent has set it up; expected on a cloud without one)", text, iface.Status)})
	default:
		d.add(Finding{Check: CheckRouter, Status: Pass, Text: text})
	}
}

// joinRouter is the failed router link and its fix: the subnet joined to
// the project's one router with a gateway, else to a new router.
func (d *diag) joinRouter(sn *netstate.Subnet, text string) Finding {
	var withGateway []netstate.Router
	for _, r := range d.p.Routers {
		if r.GatewayNetworkID != "" {
			withGateway = append(withGateway, r)
		}
	}
	f := Finding{Check: CheckRouter, Status: Fail, Text: text}
	if len(withGateway) == 1 {
		r := withGateway[0]
		d.router = &r
		f.Fix = []Step{{ID: "iface", Tool: "router.add.subnet", Args: map[string]any{"router": r.ID, "subnet": sn.ID},
			Why: fmt.Sprintf("join subnet %s to router %s, the project's router with a gateway", sn.Label(), r.Label())}}
		f.Hint = fmt.Sprintf("/router add subnet %s %s", r.Label(), sn.Label())
		return f
	}
	ext, ok := d.external()
	if !ok {
		f.Hint = fmt.Sprintf("create a router with its gateway on an external network (%s) and add the subnet to it", d.externalNames())
		return f
	}
	d.newRouter = true
	name := sn.Label() + "-router"
	if n, ok := d.p.Networks[sn.NetworkID]; ok && n.Name != "" {
		name = n.Name + "-router"
	}
	f.Fix = []Step{
		{ID: "router", Tool: "router.create", Args: map[string]any{"name": name, "external_gateway": ext.ID},
			Why: "a router with its gateway on " + ext.Label()},
		{ID: "iface", Tool: "router.add.subnet", Args: map[string]any{"router": "${router.id}", "subnet": sn.ID},
			Why: "join subnet " + sn.Label() + " to it"},
	}
	f.Hint = fmt.Sprintf("/router create %s --external-gateway %s, then /router add subnet %s %s", name, ext.Label(), name, sn.Label())
	return f
}

func (d *diag) gateway() {
	switch {
	case d.internal:
		d.add(Finding{Check: CheckGateway, Status: Skip, Text: "not on the path: the source is inside the server's subnet"})
		return
	case d.newRouter:
		d.add(Finding{Check: CheckGateway, Status: Skip, Text: "the router proposed above gets its gateway when it is made"})
		return
	case d.router == nil:
		d.add(Finding{Check: CheckGateway, Status: Skip, Text: "no router to check"})
		return
	}
	r := d.router
	if r.GatewayNetworkID == "" {
		f := Finding{Check: CheckGateway, Status: Fail,
			Text: fmt.Sprintf("router %s has no external gateway: nothing outside can reach the subnet, and no floating IP can be bound behind it", r.Label())}
		if ext, ok := d.external(); ok {
			f.Fix = []Step{{ID: "gateway", Tool: "router.set", Args: map[string]any{"router": r.ID, "external_gateway": ext.ID},
				Why: "set the router's gateway on " + ext.Label()}}
			f.Hint = fmt.Sprintf("/router set %s --external-gateway %s", r.Label(), ext.Label())
		} else {
			f.Hint = fmt.Sprintf("set its gateway on an external network (%s): openstack router set --external-gateway NETWORK %s", d.externalNames(), r.Label())
		}
		d.add(f)
		return
	}
	ext := r.GatewayNetworkID
	if n, ok := d.p.Networks[ext]; ok {
		ext = n.Label()
	}
	text := fmt.Sprintf("router %s has its gateway on %s", r.Label(), ext)
	if len(r.GatewayIPs) > 0 {
		text += " (" + strings.Join(r.GatewayIPs, ", ") + ")"
	}
	d.add(Finding{Check: CheckGateway, Status: Pass, Text: text})
}

func (d *diag) floatingIP() {
	port := d.rep.Port
	switch {
	case d.internal:
		d.add(Finding{Check: CheckFloatingIP, Status: Skip, Text: fmt.Sprintf("not needed: %s is inside the server's subnet", d.q.From)})
		return
	case d.family == "IPv6":
		d.add(Finding{Check: CheckFloatingIP, Status: Skip, Text: "not used for IPv6: the address is routed as it is"})
		return
	}
	for _, f := range d.p.FloatingIPs {
		if f.PortID != port.ID || (f.FixedIP != "" && f.FixedIP != d.rep.Address) {
			continue
		}
		text := fmt.Sprintf("floating IP %s → %s", f.Address, d.rep.Address)
		if d.router != nil && d.router.GatewayNetworkID != "" && f.NetworkID != d.router.GatewayNetworkID {
			d.add(Finding{Check: CheckFloatingIP, Status: Fail,
				Text: fmt.Sprintf("%s is from network %s, but router %s's gateway is on %s: Neutron cannot route it", text, f.NetworkID, d.router.Label(), d.router.GatewayNetworkID),
				Hint: "release it and take one from the router's gateway network"})
			return
		}
		if f.Status != "" && !strings.EqualFold(f.Status, "ACTIVE") {
			d.add(Finding{Check: CheckFloatingIP, Status: Warn, Text: fmt.Sprintf("%s is %s (no L3 agent has set it up; expected on a cloud without one)", text, f.Status)})
			return
		}
		d.add(Finding{Check: CheckFloatingIP, Status: Pass, Text: text})
		return
	}
	f := Finding{Check: CheckFloatingIP, Status: Fail,
		Text: fmt.Sprintf("port %s (%s) has no floating IP: nothing outside the cloud can reach it", short(port), d.rep.Address)}
	ext, ok := d.external()
	if !ok {
		f.Hint = fmt.Sprintf("take a floating IP from an external network (%s) and bind it to port %s", d.externalNames(), port.ID)
		d.add(f)
		return
	}
	// The description names the server first, so a person (and a cleanup
	// by name prefix) can tell what the address is for.
	f.Fix = []Step{{ID: "fip", Tool: "floating-ip.create", Args: map[string]any{"network": ext.ID, "port": port.ID,
		"description": d.p.Server.Label() + ": made by /diagnose for " + d.q.Traffic()},
		Why: fmt.Sprintf("a floating IP from %s, bound to the port", ext.Label())}}
	f.Hint = fmt.Sprintf("/floating-ip create %s --port %s", ext.Label(), port.ID)
	// A floating IP the project holds unbound may be kept for something
	// (a DNS name points at it), so it is only mentioned, never taken.
	var free []string
	for _, fip := range d.p.FloatingIPs {
		if fip.PortID == "" && fip.NetworkID == ext.ID {
			free = append(free, fip.Address)
		}
	}
	if len(free) > 0 {
		sort.Strings(free)
		f.Hint += fmt.Sprintf(", or bind one the project holds unused: /floating-ip set %s --port %s", free[0], port.ID)
	}
	d.add(f)
}

func (d *diag) subnetAndNetwork() {
	port := d.rep.Port
	if d.subnet != nil {
		sn := d.subnet
		text := fmt.Sprintf("subnet %s (%s", sn.Label(), sn.CIDR)
		if sn.GatewayIP != "" {
			text += ", gateway " + sn.GatewayIP
		} else {
			text += ", no gateway"
		}
		text += ")"
		d.add(Finding{Check: CheckSubnet, Status: Pass, Text: text})
	}
	n, ok := d.p.Networks[port.NetworkID]
	if !ok {
		d.add(Finding{Check: CheckNetwork, Status: Warn, Text: "network " + port.NetworkID + " is not visible to this project: its state cannot be checked"})
		return
	}
	switch {
	case !n.AdminStateUp:
		d.add(Finding{Check: CheckNetwork, Status: Fail, Text: fmt.Sprintf("network %s is administratively down: it carries no traffic", n.Label()),
			Fix:  []Step{{ID: "net-up", Tool: "network.set", Args: map[string]any{"network": n.ID, "admin_state_up": true}, Why: "bring the network up"}},
			Hint: "openstack network set --enable " + n.Label()})
	case n.Status != "" && !strings.EqualFold(n.Status, "ACTIVE"):
		d.add(Finding{Check: CheckNetwork, Status: Fail, Text: fmt.Sprintf("network %s is %s", n.Label(), n.Status),
			Hint: "the cloud's admin can tell why (openstack network show " + n.ID + ")"})
	default:
		d.add(Finding{Check: CheckNetwork, Status: Pass, Text: fmt.Sprintf("network %s is ACTIVE and up", n.Label())})
	}
}
