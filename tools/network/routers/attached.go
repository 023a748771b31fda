package routers

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"sort"
	"strings"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/external"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/layer3/floatingips"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/layer3/routers"
	gnetworks "github.com/gophercloud/gophercloud/v2/openstack/networking/v2/networks"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/ports"
	gsubnets "github.com/gophercloud/gophercloud/v2/openstack/networking/v2/subnets"

	"github.com/kriscelmer/os-tui/internal/cloud"
	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/blockstorage"
	"github.com/kriscelmer/os-tui/tools/network"
	"github.com/kriscelmer/os-tui/tools/network/networks"
	"github.com/kriscelmer/os-tui/tools/network/subnets"
)

// Kind is the resource kind of a router in targets and the session's
// name completion.
const Kind = "router"

// previousKey is the output of router.set and router.unset that holds
// what their undo restores.
const previousKey = "previous"

// ownerGateway is the device owner of a router's external gateway port.
const ownerGateway = "network:router_gateway"

// IsInterface reports whether a port with this device owner is a
// router's interface on a subnet (legacy, DVR and HA routers). A router's
// other ports (HA heartbeats, centralized SNAT) come and go with it.
func IsInterface(deviceOwner string) bool {
	switch deviceOwner {
	case "network:router_interface", "network:router_interface_distributed", "network:ha_router_replicated_interface":
		return true
	}
	return false
}

func target(r *Router) tools.Target { return tools.Target{Kind: Kind, ID: r.ID, Name: r.Name} }

// label names a router in sentences: its name, or its ID when it has none.
func (r *Router) label() string {
	if r.Name != "" {
		return r.Name
	}
	return r.ID
}

// ExternalGateway decodes external_gateway_info; nil when the router has
// no gateway.
func (r *Router) ExternalGateway() *routers.GatewayInfo {
	if len(r.ExternalGatewayInfo) == 0 || string(r.ExternalGatewayInfo) == "null" {
		return nil
	}
	var gw routers.GatewayInfo
	if err := json.Unmarshal(r.ExternalGatewayInfo, &gw); err != nil || gw.NetworkID == "" {
		return nil
	}
	return &gw
}

// getRouter reads one router by ID.
func getRouter(ctx context.Context, c *gophercloud.ServiceClient, id string) (*Router, error) {
	r, err := network.GetOne[Router](routers.Get(ctx, c, id).Result, "router")
	if gophercloud.ResponseCodeIs(err, http.StatusNotFound) {
		return nil, &tools.NotFoundError{Kind: Kind, Name: id}
	}
	if err != nil {
		return nil, fmt.Errorf("get router %s: %w", id, err)
	}
	return r, nil
}

// attached is a router's ports, split by role.
type attached struct {
	gateway    *network.UsedPort
	interfaces []network.UsedPort
}

// portsOf lists a router's gateway and interfaces.
func portsOf(ctx context.Context, c *gophercloud.ServiceClient, routerID string) (*attached, error) {
	all, err := network.PortsOf(ctx, c, ports.ListOpts{DeviceID: routerID})
	if err != nil {
		return nil, fmt.Errorf("ports of router %s: %w", routerID, err)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].ID < all[j].ID })
	a := &attached{}
	for i := range all {
		switch {
		case all[i].DeviceOwner == ownerGateway:
			a.gateway = &all[i]
		case IsInterface(all[i].DeviceOwner):
			a.interfaces = append(a.interfaces, all[i])
		}
	}
	return a, nil
}

// state sums up the ports for Check.State: a port added or removed
// between approval and run shows the plan again.
func (a *attached) state() string {
	ids := make([]string, 0, len(a.interfaces))
	for _, p := range a.interfaces {
		ids = append(ids, p.ID)
	}
	gw := ""
	if a.gateway != nil {
		gw = a.gateway.ID
	}
	return fmt.Sprintf("gateway-port=%s interfaces=%s", gw, strings.Join(ids, ","))
}

// on returns the interfaces with an address on subnet.
func (a *attached) on(subnetID string) []network.UsedPort {
	var out []network.UsedPort
	for _, p := range a.interfaces {
		for _, ip := range p.FixedIPs {
			if ip.SubnetID == subnetID {
				out = append(out, p)
				break
			}
		}
	}
	return out
}

// gatewayAddresses lists the addresses of a router's gateway
// ("203.0.113.7"), from the router itself: a project cannot list its
// gateway port, which belongs to the cloud.
func gatewayAddresses(r *Router) string {
	gw := r.ExternalGateway()
	if gw == nil {
		return ""
	}
	out := make([]string, 0, len(gw.ExternalFixedIPs))
	for _, ip := range gw.ExternalFixedIPs {
		out = append(out, ip.IPAddress)
	}
	return strings.Join(out, ", ")
}

// gatewayDependent is a router's gateway in a dry run's list of what a
// step deletes: its port when the caller can see it (admins), else its
// address.
func gatewayDependent(r *Router, a *attached, netName, fate string) tools.Dependent {
	addrs := gatewayAddresses(r)
	if a != nil && a.gateway != nil {
		return tools.Dependent{Kind: "port", ID: a.gateway.ID, Name: a.gateway.Name,
			Fate: fmt.Sprintf("the gateway on network %s (%s): %s", netName, addrs, fate)}
	}
	return tools.Dependent{Kind: "gateway", ID: addrs, Name: addrs, Fate: fmt.Sprintf("on network %s: %s", netName, fate)}
}

// addresses lists a port's addresses ("10.0.0.1, fd00::1").
func addresses(p network.UsedPort) string {
	out := make([]string, 0, len(p.FixedIPs))
	for _, ip := range p.FixedIPs {
		out = append(out, ip.IPAddress)
	}
	return strings.Join(out, ", ")
}

// subnetBook reads subnets by ID once each, for naming them in sentences.
type subnetBook struct {
	c    *gophercloud.ServiceClient
	seen map[string]*subnets.Subnet
}

func newSubnetBook(c *gophercloud.ServiceClient) *subnetBook {
	return &subnetBook{c: c, seen: map[string]*subnets.Subnet{}}
}

// get returns the subnet, or nil when it cannot be seen (another
// project's): a sentence then names it by ID.
func (b *subnetBook) get(ctx context.Context, id string) (*subnets.Subnet, error) {
	if s, ok := b.seen[id]; ok {
		return s, nil
	}
	s, err := network.GetOne[subnets.Subnet](gsubnets.Get(ctx, b.c, id).Result, "subnet")
	switch {
	case gophercloud.ResponseCodeIs(err, http.StatusNotFound):
		s = nil
	case err != nil:
		return nil, fmt.Errorf("get subnet %s: %w", id, err)
	}
	b.seen[id] = s
	return s, nil
}

// label names a subnet: its name, or its ID.
func (b *subnetBook) label(ctx context.Context, id string) string {
	if s, err := b.get(ctx, id); err == nil && s != nil && s.Name != "" {
		return s.Name
	}
	return id
}

// subnetLabel names a subnet: its name, or its ID when it has none.
func subnetLabel(s *subnets.Subnet) string {
	if s.Name != "" {
		return s.Name
	}
	return s.ID
}

// interfaceSubnets lists the subnets a router's interfaces are on, each
// once, in the order of the interfaces.
func interfaceSubnets(a *attached) []string {
	var out []string
	seen := map[string]bool{}
	for _, p := range a.interfaces {
		for _, ip := range p.FixedIPs {
			if !seen[ip.SubnetID] {
				seen[ip.SubnetID] = true
				out = append(out, ip.SubnetID)
			}
		}
	}
	return out
}

// inCIDR reports whether addr lies in cidr; anything unparsable is not.
func inCIDR(addr, cidr string) bool {
	p, err := netip.ParsePrefix(cidr)
	if err != nil {
		return false
	}
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return false
	}
	return p.Contains(a)
}

// overlaps reports whether two CIDRs share an address.
func overlaps(a, b string) bool {
	pa, err := netip.ParsePrefix(a)
	if err != nil {
		return false
	}
	pb, err := netip.ParsePrefix(b)
	if err != nil {
		return false
	}
	return pa.Overlaps(pb)
}

// overlapping names the subnets already on the router whose range
// overlaps s: Neutron refuses an interface that would make the router's
// routes ambiguous. Its own gateway subnets count too.
func overlapping(ctx context.Context, book *subnetBook, r *Router, a *attached, s *subnets.Subnet) ([]string, error) {
	ids := interfaceSubnets(a)
	// The gateway port is the cloud's, which a project cannot list; the
	// router itself names the gateway's subnets.
	gwSubnets := map[string]bool{}
	if gw := r.ExternalGateway(); gw != nil {
		for _, ip := range gw.ExternalFixedIPs {
			gwSubnets[ip.SubnetID] = true
			ids = append(ids, ip.SubnetID)
		}
	}
	var out []string
	for _, id := range ids {
		if id == s.ID {
			continue
		}
		o, err := book.get(ctx, id)
		if err != nil {
			return nil, err
		}
		if o == nil || !overlaps(o.CIDR, s.CIDR) {
			continue
		}
		where := "already attached to router " + r.label()
		if gwSubnets[id] {
			where = "the subnet of router " + r.label() + "'s external gateway"
		}
		out = append(out, fmt.Sprintf("subnet %s (%s) overlaps subnet %s (%s), %s; a router cannot route two overlapping ranges: use a subnet with another range, or another router",
			subnetLabel(s), s.CIDR, subnetLabel(o), o.CIDR, where))
	}
	return out, nil
}

// routedIP is what a router needs to know of a floating IP it carries.
type routedIP struct {
	ID          string  `json:"id"`
	Address     string  `json:"floating_ip_address"`
	FixedIP     *string `json:"fixed_ip_address"`
	PortID      *string `json:"port_id"`
	NetworkID   string  `json:"floating_network_id"`
	PortDetails *struct {
		DeviceID    string `json:"device_id"`
		DeviceOwner string `json:"device_owner"`
	} `json:"port_details"`
}

func (f routedIP) fixed() string {
	if f.FixedIP == nil {
		return ""
	}
	return *f.FixedIP
}

// floatingIPsVia lists the floating IPs associated through a router:
// Neutron sets a floating IP's router_id to the router that reaches its
// port, and refuses to take away that router's gateway, or the interface
// on the port's subnet, while the association lasts.
func floatingIPsVia(ctx context.Context, c *gophercloud.ServiceClient, routerID string) ([]routedIP, error) {
	all, err := network.ListAll[routedIP](ctx, floatingips.List(c, floatingips.ListOpts{RouterID: routerID}), "floatingips")
	if err != nil {
		return nil, fmt.Errorf("list floating IPs through router %s: %w", routerID, err)
	}
	var out []routedIP
	for _, f := range all {
		if f.PortID != nil && *f.PortID != "" {
			out = append(out, f)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Address < out[j].Address })
	return out, nil
}

// held says where a floating IP maps to ("10.0.0.5 on server web-1") and
// the command that takes it off.
func held(ctx context.Context, env *tools.Env, c *gophercloud.ServiceClient, f routedIP) (where, fix string) {
	owner, device := "", ""
	if f.PortDetails != nil {
		owner, device = f.PortDetails.DeviceOwner, f.PortDetails.DeviceID
	} else if p, err := network.GetOne[network.UsedPort](ports.Get(ctx, c, *f.PortID).Result, "port"); err == nil {
		owner, device = p.DeviceOwner, p.DeviceID
	}
	where = "port " + *f.PortID
	fix = "openstack floating ip unset --port " + f.Address
	if strings.HasPrefix(owner, "compute:") && device != "" {
		name := blockstorage.ServerName(ctx, env, device, false)
		where = "server " + name
		fix = fmt.Sprintf("/server remove floating-ip %s %s", name, f.Address)
	}
	if ip := f.fixed(); ip != "" {
		where = ip + " on " + where
	}
	return where, fix
}

// fipRefusal is the Block for floating IPs that keep a gateway or an
// interface of router r in place: each address and where it maps to,
// then how to take each off. what is "remove its gateway".
func fipRefusal(ctx context.Context, env *tools.Env, c *gophercloud.ServiceClient, fips []routedIP, r *Router, what string) string {
	var maps, fixes []string
	for _, f := range fips {
		where, fix := held(ctx, env, c, f)
		maps = append(maps, fmt.Sprintf("%s (→ %s)", f.Address, where))
		fixes = append(fixes, fix)
	}
	noun, are, it, them := "floating IP", "is", "it", "it"
	if len(fips) > 1 {
		noun, are, it, them = "floating IPs", "are", "they", "them"
	}
	return fmt.Sprintf("%s %s %s routed through router %s, and Neutron refuses to %s while %s %s associated: disassociate %s first (%s)",
		noun, strings.Join(maps, ", "), are, r.label(), what, it, are, them, strings.Join(fixes, "; "))
}

// externalNetwork resolves the network a gateway goes to. A network that
// does not exist or is not external is a Block naming the external
// networks to pick from, and nil.
func externalNetwork(ctx context.Context, env *tools.Env, nameOrID string, chk *tools.Check) (*networks.Network, error) {
	n, err := networks.Resolve(ctx, env, nameOrID)
	var nf *tools.NotFoundError
	switch {
	case errors.As(err, &nf):
		pick, err := externalChoice(ctx, env)
		if err != nil {
			return nil, err
		}
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block,
			Text: fmt.Sprintf("no network named or with ID %q; %s", nameOrID, pick)})
		return nil, nil
	case err != nil:
		return nil, err
	case !n.External:
		pick, err := externalChoice(ctx, env)
		if err != nil {
			return nil, err
		}
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block,
			Text: fmt.Sprintf("network %s is not external, and a router's gateway must be on an external network; %s", n.Name, pick)})
		return nil, nil
	}
	chk.Targets = append(chk.Targets, tools.Target{Kind: "network", ID: n.ID, Name: n.Name})
	return n, nil
}

// externalChoice names the external networks a gateway could use.
func externalChoice(ctx context.Context, env *tools.Env) (string, error) {
	yes := true
	all, err := networks.All(ctx, env, external.ListOptsExt{ListOptsBuilder: gnetworks.ListOpts{}, External: &yes})
	if err != nil {
		return "", err
	}
	names := network.Names(all, func(n networks.Network) string { return n.Name })
	if len(names) < len(all) {
		names = nil
		for _, n := range all {
			names = append(names, cmp.Or(n.Name, n.ID))
		}
	}
	sort.Strings(names)
	if len(names) == 0 {
		return "this project sees no external network: ask the cloud operator for one", nil
	}
	return "pick one of: " + strings.Join(names, ", "), nil
}

// networkLabel names a network by ID for a sentence: its name when it can
// be read, the ID otherwise.
func networkLabel(ctx context.Context, env *tools.Env, id string) string {
	if n, err := networks.Resolve(ctx, env, id); err == nil && n.Name != "" {
		return n.Name
	}
	return id
}

// adminOnly maps the policy rules Neutron names in a refusal to the
// flags that set them. Neutron's default policy keeps these for admins.
var adminOnly = []struct{ rule, flag string }{
	{"router:ha", "--ha"},
	{"router:distributed", "--distributed"},
	{"enable_snat", "--enable-snat/--disable-snat"},
	{"external_fixed_ips", "a fixed gateway address"},
}

// refused turns Neutron's 403 for an admin-only attribute into a
// sentence that says so and what would work; nil for any other error.
// given are the admin-only flags the step used, named when Neutron's
// message names no rule.
func refused(err error, doing string, given []string) error {
	if !gophercloud.ResponseCodeIs(err, http.StatusForbidden) || len(given) == 0 {
		return nil
	}
	var flags []string
	msg := err.Error()
	for _, a := range adminOnly {
		if strings.Contains(msg, a.rule) {
			flags = append(flags, a.flag)
		}
	}
	if len(flags) == 0 {
		flags = given
	}
	e := &cloud.Error{Kind: cloud.KindForbidden, Status: http.StatusForbidden, Err: err,
		Msg: fmt.Sprintf("Neutron refused to %s: %s is for admins under its default policy; leave %s out, or ask an admin to do it",
			doing, strings.Join(flags, " and "), pronoun(len(flags)))}
	if ids := tools.RequestIDs(nil, err); len(ids) > 0 {
		e.RequestID = ids[0]
	}
	return e
}

func pronoun(n int) string {
	if n == 1 {
		return "it"
	}
	return "them"
}

// extensionFor names the Neutron extension an admin-only flag needs.
func extensionFor(flag string) string {
	switch flag {
	case "--ha":
		return "l3-ha"
	case "--distributed":
		return "dvr"
	}
	return "ext-gw-mode"
}

// adminFlags checks the admin-only flags a step uses: a cloud without
// the extension refuses them with a terse 400, so that is a Block; with
// it, a note that a non-admin will be refused.
func adminFlags(ctx context.Context, c *gophercloud.ServiceClient, chk *tools.Check, flags []string) error {
	for _, f := range flags {
		ok, err := network.HasExtension(ctx, c, extensionFor(f))
		if err != nil {
			return err
		}
		if !ok {
			chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block,
				Text: fmt.Sprintf("this cloud's Neutron has no %s extension, so it knows nothing of %s: leave it out", extensionFor(f), f)})
			continue
		}
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Info,
			Text: fmt.Sprintf("%s is for admins under Neutron's default policy; a non-admin is refused", f)})
	}
	return nil
}
