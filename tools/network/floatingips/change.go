package floatingips

// The floating IP change tools: floating-ip.create (allocate, optionally
// on a port), floating-ip.set (associate with a port or a server's port),
// floating-ip.unset (disassociate) and floating-ip.delete (release).

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/external"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/layer3/floatingips"
	gcnetworks "github.com/gophercloud/gophercloud/v2/openstack/networking/v2/networks"
	gcports "github.com/gophercloud/gophercloud/v2/openstack/networking/v2/ports"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/blockstorage"
	"github.com/kriscelmer/os-tui/tools/network"
	"github.com/kriscelmer/os-tui/tools/network/networks"
	"github.com/kriscelmer/os-tui/tools/network/ports"
	"github.com/kriscelmer/os-tui/tools/network/routers"
	"github.com/kriscelmer/os-tui/tools/network/subnets"
	"github.com/kriscelmer/os-tui/tools/quota"
)

// Kind names a floating IP in targets and findings.
const Kind = "floating IP"

// previousKey is the output of floating-ip.set that holds what it
// replaced, as floating-ip.set arguments, for its undo.
const previousKey = "previous"

// CreateArgs are the arguments of floating-ip.create.
type CreateArgs struct {
	Network           string `json:"network"`
	Port              string `json:"port,omitempty"`
	FixedIPAddress    string `json:"fixed_ip_address,omitempty"`
	FloatingIPAddress string `json:"floating_ip_address,omitempty"`
	Subnet            string `json:"subnet,omitempty"`
	Description       string `json:"description,omitempty"`
}

// SetArgs are the arguments of floating-ip.set: associate with a port
// (or a server's one port), and or change the description.
type SetArgs struct {
	FloatingIP     string  `json:"floating_ip"`
	Port           string  `json:"port,omitempty"`
	Server         string  `json:"server,omitempty"`
	FixedIPAddress string  `json:"fixed_ip_address,omitempty"`
	Description    *string `json:"description,omitempty"`
}

// UnsetArgs are the arguments of floating-ip.unset. Port is the openstack
// CLI's --port switch; disassociating is all unset does, so it is the
// default.
type UnsetArgs struct {
	FloatingIP string `json:"floating_ip"`
	Port       *bool  `json:"port,omitempty"`
}

// DeleteArgs are the arguments of floating-ip.delete.
type DeleteArgs struct {
	FloatingIP string `json:"floating_ip"`
}

func changeTools() []tools.Tool {
	return []tools.Tool{
		tools.ChangeTool(tools.ChangeSpec[CreateArgs]{
			Name: "floating-ip.create", Effect: tools.Change, Service: network.Service,
			Produces: []string{"id", "floating_ip_address"},
			Subject: func(a CreateArgs) (string, string) {
				if tools.IsRef(a.Port) {
					return "port", a.Port
				}
				return "network", a.Network
			},
			Check: checkCreate, Preview: previewCreate, Run: runCreate,
			Undo: func(args CreateArgs, res *tools.Result) *tools.Call {
				id := ""
				if res != nil {
					id = res.Outputs["id"]
				}
				return &tools.Call{Tool: "floating-ip.delete", Args: tools.JSON(DeleteArgs{FloatingIP: id}), Why: "undo allocating the floating IP (release it)"}
			},
		}),
		tools.ChangeTool(tools.ChangeSpec[SetArgs]{
			Name: "floating-ip.set", Effect: tools.Change, Service: network.Service,
			Produces: []string{"id", "floating_ip_address", "port"},
			Subject: func(a SetArgs) (string, string) {
				if tools.IsRef(a.Port) {
					return "port", a.Port
				}
				return Kind, a.FloatingIP
			},
			Check: checkSet, Preview: previewSet, Run: runSet, Undo: undoSet,
		}),
		tools.ChangeTool(tools.ChangeSpec[UnsetArgs]{
			Name: "floating-ip.unset", Effect: tools.Change, Service: network.Service,
			Produces: []string{"id", "floating_ip_address", "port", "fixed_ip_address"},
			Subject:  func(a UnsetArgs) (string, string) { return Kind, a.FloatingIP },
			Check:    checkUnset, Preview: previewUnset, Run: runUnset,
			Undo: func(args UnsetArgs, res *tools.Result) *tools.Call {
				call := &tools.Call{Tool: "floating-ip.set", Args: tools.JSON(SetArgs{FloatingIP: args.FloatingIP}), Why: "undo: associate the floating IP with its port again"}
				if res == nil || res.Outputs["id"] == "" {
					return call // under review: the port is known only after the run
				}
				if res.Outputs["port"] == "" {
					return nil // it was on nothing
				}
				call.Args = tools.JSON(SetArgs{FloatingIP: res.Outputs["id"], Port: res.Outputs["port"], FixedIPAddress: res.Outputs["fixed_ip_address"]})
				return call
			},
		}),
		tools.ChangeTool(tools.ChangeSpec[DeleteArgs]{
			Name: "floating-ip.delete", Effect: tools.Destroy, Service: network.Service,
			Produces: []string{"id", "floating_ip_address"},
			Subject:  func(a DeleteArgs) (string, string) { return Kind, a.FloatingIP },
			Check:    checkDelete, Preview: previewDelete, Run: runDelete,
		}),
	}
}

// undoSet turns a set's "previous" output into the call that restores
// it: an unset when the floating IP was on nothing, else a set.
func undoSet(args SetArgs, res *tools.Result) *tools.Call {
	if res == nil || res.Outputs[previousKey] == "" {
		return &tools.Call{Tool: "floating-ip.unset", Args: tools.JSON(UnsetArgs{FloatingIP: args.FloatingIP}), Why: "undo: put the floating IP back where it was"}
	}
	var prev SetArgs
	// Lenient: an output written by an older ostui may carry other fields.
	if err := json.Unmarshal([]byte(res.Outputs[previousKey]), &prev); err != nil {
		return nil
	}
	if prev.FloatingIP == "" {
		prev.FloatingIP = res.Outputs["id"]
	}
	if prev.FloatingIP == "" {
		return nil
	}
	if prev.Port == "" && prev.Description == nil {
		return &tools.Call{Tool: "floating-ip.unset", Args: tools.JSON(UnsetArgs{FloatingIP: prev.FloatingIP}), Why: "undo: disassociate the floating IP again"}
	}
	return &tools.Call{Tool: "floating-ip.set", Args: tools.JSON(prev), Why: "undo: put the floating IP back where it was"}
}

// Resolve finds one floating IP by ID or address.
func Resolve(ctx context.Context, env *tools.Env, idOrAddress string) (*FloatingIP, error) {
	c, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	return network.Finder[FloatingIP]{
		Kind: Kind,
		Get: func(ctx context.Context, id string) (*FloatingIP, error) {
			return network.GetOne[FloatingIP](floatingips.Get(ctx, c, id).Result, "floatingip")
		},
		ByName: func(ctx context.Context, addr string) ([]FloatingIP, error) {
			if net.ParseIP(addr) == nil {
				// Floating IPs have no names; only an address can match.
				return nil, nil
			}
			return network.ListAll[FloatingIP](ctx, floatingips.List(c, floatingips.ListOpts{FloatingIP: addr}), "floatingips")
		},
		Candidate: func(f FloatingIP) tools.Candidate { return tools.Candidate{ID: f.ID, Name: f.FloatingIP} },
	}.Find(ctx, idOrAddress)
}

func block(chk *tools.Check, format string, a ...any) {
	chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block, Text: fmt.Sprintf(format, a...)})
}

func warn(chk *tools.Check, format string, a ...any) {
	chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Warn, Text: fmt.Sprintf(format, a...)})
}

func info(chk *tools.Check, format string, a ...any) {
	chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Info, Text: fmt.Sprintf(format, a...)})
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func portLabel(p *ports.Port) string {
	if p.Name != "" {
		return p.Name
	}
	return p.ID
}

// place says where a floating IP maps to, in words: "port web-port of
// server web-1 (10.0.0.5)", or "nothing".
func place(ctx context.Context, env *tools.Env, f *FloatingIP) string {
	id := str(f.PortID)
	if id == "" {
		return "nothing"
	}
	where := "port " + id
	if p, err := ports.Resolve(ctx, env, id); err == nil {
		where = "port " + portLabel(p)
		if strings.HasPrefix(p.DeviceOwner, "compute:") {
			where += " of server " + blockstorage.ServerName(ctx, env, p.DeviceID, false)
		}
	}
	if fixed := str(f.FixedIP); fixed != "" {
		where += " (" + fixed + ")"
	}
	return where
}

// placePort names the port a floating IP is on, without its address:
// "port web-port of server web-1".
func placePort(ctx context.Context, env *tools.Env, f *FloatingIP) string {
	g := *f
	g.FixedIP = nil
	return place(ctx, env, &g)
}

// mapping is the port a floating IP is to map to, and the fixed address
// on it; port is nil when the preflight could not settle on one.
type mapping struct {
	port   *ports.Port
	fixed  string
	server string // the server named, for findings
}

// portFor finds the port (given, or the one port of a server) and the
// fixed IPv4 address a floating IP maps to, blocking with the choices
// when it cannot tell.
func portFor(ctx context.Context, env *tools.Env, chk *tools.Check, portRef, serverRef, fixed string) (*mapping, error) {
	m := &mapping{}
	if serverRef != "" {
		id, err := ports.ServerID(ctx, env, serverRef)
		if err != nil {
			return nil, err
		}
		c, err := network.Client(ctx, env)
		if err != nil {
			return nil, err
		}
		all, err := network.ListAll[ports.Port](ctx, gcports.List(c, gcports.ListOpts{DeviceID: id}), "ports")
		if err != nil {
			return nil, fmt.Errorf("list the ports of server %s: %w", serverRef, err)
		}
		m.server = serverRef
		var withV4 []ports.Port
		for _, p := range all {
			if fixed != "" && slices.ContainsFunc(p.FixedIPs, func(f network.FixedIP) bool { return f.IPAddress == fixed }) {
				withV4 = []ports.Port{p}
				break
			}
			if fixed == "" && firstV4(&p) != "" {
				withV4 = append(withV4, p)
			}
		}
		switch {
		case len(all) == 0:
			block(chk, "server %s has no port; attach it to a network first", serverRef)
			return m, nil
		case len(withV4) == 0 && fixed != "":
			block(chk, "server %s has no port with fixed address %s (it has %s)", serverRef, fixed, allAddresses(all))
			return m, nil
		case len(withV4) == 0:
			block(chk, "server %s has no IPv4 address for a floating IP to map to (it has %s)", serverRef, allAddresses(all))
			return m, nil
		case len(withV4) > 1:
			var choices []string
			for _, p := range withV4 {
				choices = append(choices, fmt.Sprintf("--port %s (%s)", portLabel(&p), addressesOf(&p)))
			}
			block(chk, "server %s has %d ports; say which one the floating IP goes to: %s", serverRef, len(withV4), strings.Join(choices, ", or "))
			return m, nil
		}
		m.port = &withV4[0]
	} else {
		p, err := ports.Resolve(ctx, env, portRef)
		if err != nil {
			return nil, err
		}
		m.port = p
	}
	p := m.port
	chk.Targets = append(chk.Targets, tools.Target{Kind: "port", ID: p.ID, Name: p.Name})
	if strings.HasPrefix(p.DeviceOwner, "network:") {
		block(chk, "port %s belongs to %s; a floating IP goes on a server's port or a free one", portLabel(p), p.DeviceOwner)
		return m, nil
	}
	switch {
	case fixed != "" && !slices.ContainsFunc(p.FixedIPs, func(f network.FixedIP) bool { return f.IPAddress == fixed }):
		block(chk, "port %s has no fixed address %s (it has %s)", portLabel(p), fixed, addressesOf(p))
	case fixed != "":
		m.fixed = fixed
	default:
		m.fixed = firstV4(p)
		if m.fixed == "" {
			block(chk, "port %s has no IPv4 address for a floating IP to map to (it has %s)", portLabel(p), addressesOf(p))
		}
	}
	return m, nil
}

func firstV4(p *ports.Port) string {
	for _, f := range p.FixedIPs {
		if ip := net.ParseIP(f.IPAddress); ip != nil && ip.To4() != nil {
			return f.IPAddress
		}
	}
	return ""
}

func addressesOf(p *ports.Port) string {
	if len(p.FixedIPs) == 0 {
		return "no address"
	}
	var out []string
	for _, f := range p.FixedIPs {
		out = append(out, f.IPAddress)
	}
	return strings.Join(out, ", ")
}

func allAddresses(all []ports.Port) string {
	var out []string
	for i := range all {
		for _, f := range all[i].FixedIPs {
			out = append(out, f.IPAddress)
		}
	}
	if len(out) == 0 {
		return "no address"
	}
	return strings.Join(out, ", ")
}

// routerOwners are the device owners of a router's interface ports.
var routerOwners = []string{"network:router_interface", "network:router_interface_distributed", "network:ha_router_replicated_interface"}

// routerPorts lists the router interfaces on a subnet in one request:
// Neutron takes a repeated filter as "any of".
type routerPorts struct{ subnetID string }

func (q routerPorts) ToPortListQuery() (string, error) {
	v := url.Values{}
	for _, o := range routerOwners {
		v.Add("device_owner", o)
	}
	v.Add("fixed_ips", "subnet_id="+q.subnetID)
	return "?" + v.Encode(), nil
}

// gatewayNetwork is the external network of a router's gateway, or "".
func gatewayNetwork(r *routers.Router) string {
	var gw struct {
		NetworkID string `json:"network_id"`
	}
	if len(r.ExternalGatewayInfo) == 0 || json.Unmarshal(r.ExternalGatewayInfo, &gw) != nil {
		return ""
	}
	return gw.NetworkID
}

// checkReach says whether the fixed address's subnet reaches the
// floating IP's network through a router with a gateway there, as
// Neutron demands ("External network … is not reachable from subnet …").
func checkReach(ctx context.Context, env *tools.Env, chk *tools.Check, ext *networks.Network, m *mapping) error {
	var subnetID string
	for _, f := range m.port.FixedIPs {
		if f.IPAddress == m.fixed {
			subnetID = f.SubnetID
		}
	}
	if subnetID == "" {
		return nil
	}
	subnet := subnetID
	if s, err := subnets.Resolve(ctx, env, subnetID); err == nil && s.Name != "" {
		subnet = s.Name
	}
	c, err := network.Client(ctx, env)
	if err != nil {
		return err
	}
	ifaces, err := network.ListAll[network.UsedPort](ctx, gcports.List(c, routerPorts{subnetID: subnetID}), "ports")
	if err != nil {
		return fmt.Errorf("list the router interfaces on subnet %s: %w", subnet, err)
	}
	var elsewhere, unread []string
	seen := map[string]bool{}
	for _, i := range ifaces {
		if seen[i.DeviceID] {
			continue
		}
		seen[i.DeviceID] = true
		r, err := routers.Resolve(ctx, env, i.DeviceID)
		var nf *tools.NotFoundError
		switch {
		case errors.As(err, &nf) || gophercloud.ResponseCodeIs(err, http.StatusForbidden):
			unread = append(unread, i.DeviceID)
			continue
		case err != nil:
			return err
		}
		if gatewayNetwork(r) == ext.ID {
			info(chk, "router %s connects subnet %s to %s", routerName(r), subnet, ext.Name)
			return nil
		}
		elsewhere = append(elsewhere, routerName(r))
	}
	switch {
	case len(unread) > 0:
		warn(chk, "router %s on subnet %s belongs to another project; whether it reaches %s is Neutron's to say", strings.Join(unread, ", "), subnet, ext.Name)
	case len(elsewhere) > 0:
		block(chk, "router %s is on subnet %s but has no gateway to %s; set one with /router set %s --external-gateway %s",
			strings.Join(elsewhere, ", "), subnet, ext.Name, elsewhere[0], ext.Name)
	default:
		block(chk, "no router connects subnet %s to %s; add one with /router create ROUTER --external-gateway %s and /router add subnet ROUTER %s",
			subnet, ext.Name, ext.Name, subnet)
	}
	return nil
}

func routerName(r *routers.Router) string {
	if r.Name != "" {
		return r.Name
	}
	return r.ID
}

// checkFixedFree blocks when the fixed address already has another
// floating IP from the same external network (Neutron's
// FloatingIPPortAlreadyAssociated).
func checkFixedFree(ctx context.Context, env *tools.Env, chk *tools.Check, ext *networks.Network, m *mapping, self string) error {
	c, err := network.Client(ctx, env)
	if err != nil {
		return err
	}
	on, err := network.ListAll[FloatingIP](ctx, floatingips.List(c, floatingips.ListOpts{PortID: m.port.ID, FixedIP: m.fixed, FloatingNetworkID: ext.ID}), "floatingips")
	if err != nil {
		return fmt.Errorf("list the floating IPs of port %s: %w", m.port.ID, err)
	}
	for _, f := range on {
		if f.ID != self {
			block(chk, "%s on port %s already has floating IP %s from %s, and a fixed address takes one per external network; remove it first (/floating-ip unset %s) or map to another address",
				m.fixed, portLabel(m.port), f.FloatingIP, ext.Name, f.FloatingIP)
		}
	}
	return nil
}

// externalNames lists the external networks, for a finding's "use …".
func externalNames(ctx context.Context, env *tools.Env) string {
	yes := true
	all, err := networks.All(ctx, env, external.ListOptsExt{ListOptsBuilder: gcnetworks.ListOpts{}, External: &yes})
	if err != nil || len(all) == 0 {
		return "see /network list --external"
	}
	var names []string
	for _, n := range all {
		names = append(names, n.Name)
	}
	return "use " + strings.Join(names, " or ")
}

// --- floating-ip.create ---

func checkCreate(ctx context.Context, env *tools.Env, args CreateArgs) (*tools.Check, error) {
	n, err := networks.Resolve(ctx, env, args.Network)
	if err != nil {
		return nil, err
	}
	chk := &tools.Check{Targets: []tools.Target{{Kind: "network", ID: n.ID, Name: n.Name}}}
	resolved := args
	resolved.Network = n.ID
	if !n.External {
		block(chk, "network %s is not external; floating IPs come from an external network (%s)", n.Name, externalNames(ctx, env))
	}
	if args.Subnet != "" {
		s, err := subnets.Resolve(ctx, env, args.Subnet)
		if err != nil {
			return nil, err
		}
		resolved.Subnet = s.ID
		if s.NetworkID != n.ID {
			block(chk, "subnet %s is not on network %s; give a subnet of %s, or leave --subnet out", args.Subnet, n.Name, n.Name)
		}
	}
	if a := args.FloatingIPAddress; a != "" {
		if net.ParseIP(a) == nil {
			block(chk, "%q is not an IP address", a)
		} else {
			c, err := network.Client(ctx, env)
			if err != nil {
				return nil, err
			}
			taken, err := network.ListAll[FloatingIP](ctx, floatingips.List(c, floatingips.ListOpts{FloatingIP: a}), "floatingips")
			if err != nil {
				return nil, fmt.Errorf("look for floating IP %s: %w", a, err)
			}
			if len(taken) > 0 {
				block(chk, "floating IP %s is already allocated (%s); use it with /floating-ip set %s --port PORT, or leave --floating-ip-address out", a, taken[0].ID, a)
			} else {
				info(chk, "most clouds let only an admin choose the address (Neutron's policy create_floatingip:floating_ip_address)")
			}
		}
	}
	if args.Port != "" {
		m, err := portFor(ctx, env, chk, args.Port, "", args.FixedIPAddress)
		if err != nil {
			return nil, err
		}
		if m.port != nil {
			resolved.Port = m.port.ID
			if m.fixed != "" {
				resolved.FixedIPAddress = m.fixed
				if n.External {
					if err := checkReach(ctx, env, chk, n, m); err != nil {
						return nil, err
					}
				}
				if err := checkFixedFree(ctx, env, chk, n, m, ""); err != nil {
					return nil, err
				}
			}
		}
	} else if args.FixedIPAddress != "" {
		block(chk, "--fixed-ip-address chooses an address of --port; give the port too")
	}
	if err := quota.Preflight(ctx, env, chk, "", quota.Need{Service: "network", Resource: "floatingip", Delta: 1,
		Full: func(u tools.QuotaUse) string {
			return fmt.Sprintf("the floating IP quota is full (%d of %d); release one you no longer need (/floating-ip delete ADDRESS) or reuse a free one (/floating-ip set ADDRESS --port PORT)", u.InUse, u.Limit)
		}}); err != nil {
		info(chk, "the floating IP quota could not be read; Neutron checks it when the IP is allocated")
	}
	chk.Resolved = tools.JSON(resolved)
	chk.State = "network=" + n.ID
	return chk, nil
}

func createOpts(args CreateArgs) floatingips.CreateOpts {
	return floatingips.CreateOpts{
		FloatingNetworkID: args.Network,
		PortID:            args.Port,
		FixedIP:           args.FixedIPAddress,
		FloatingIP:        args.FloatingIPAddress,
		SubnetID:          args.Subnet,
		Description:       args.Description,
	}
}

// targetName is the name chk resolved for a target of kind, or id.
func targetName(chk *tools.Check, kind, id string) string {
	if chk != nil {
		for _, t := range chk.Targets {
			if t.Kind == kind && t.ID == id && t.Name != "" {
				return t.Name
			}
		}
	}
	return id
}

func previewCreate(ctx context.Context, env *tools.Env, args CreateArgs, chk *tools.Check) (*tools.Preview, error) {
	c, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	body, err := createOpts(args).ToFloatingIPCreateMap()
	if err != nil {
		return nil, err
	}
	what := "floating IP"
	if args.FloatingIPAddress != "" {
		what += " " + args.FloatingIPAddress
	}
	what += " from network " + targetName(chk, "network", args.Network)
	if args.Port != "" {
		what += fmt.Sprintf(", mapped to %s on port %s", args.FixedIPAddress, targetName(chk, "port", args.Port))
	}
	return &tools.Preview{
		Requests: []tools.Request{{Method: "POST", URL: c.ServiceURL("floatingips"), Body: body}},
		Creates:  []string{what},
	}, nil
}

func runCreate(ctx context.Context, env *tools.Env, args CreateArgs) (*tools.Result, error) {
	c, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	r := floatingips.Create(ctx, c, createOpts(args))
	f, err := network.GetOne[FloatingIP](r.Result, "floatingip")
	if err != nil {
		return &tools.Result{RequestIDs: tools.HeaderRequestIDs(r.Header)}, fmt.Errorf("create floating IP: %w", err)
	}
	env.Names.Remember("floating-ip", f.FloatingIP)
	msg := fmt.Sprintf("floating IP %s allocated", f.FloatingIP)
	if fixed := str(f.FixedIP); fixed != "" {
		msg += " and mapped to " + fixed
	}
	return &tools.Result{
		Message:    msg,
		Outputs:    map[string]string{"id": f.ID, "floating_ip_address": f.FloatingIP},
		RequestIDs: tools.HeaderRequestIDs(r.Header),
	}, nil
}

// --- floating-ip.set ---

func fipTarget(f *FloatingIP) tools.Target {
	return tools.Target{Kind: Kind, ID: f.ID, Name: f.FloatingIP}
}

func fipState(f *FloatingIP) string {
	return fmt.Sprintf("port=%s fixed=%s description=%q", str(f.PortID), str(f.FixedIP), f.Description)
}

func checkSet(ctx context.Context, env *tools.Env, args SetArgs) (*tools.Check, error) {
	f, err := Resolve(ctx, env, args.FloatingIP)
	if err != nil {
		return nil, err
	}
	chk := &tools.Check{Targets: []tools.Target{fipTarget(f)}, State: fipState(f), Fetched: f}
	resolved := SetArgs{FloatingIP: f.ID, Description: args.Description}
	if args.Port != "" && args.Server != "" {
		block(chk, "give --port or --server, not both")
		return chk, nil
	}
	if args.Port == "" && args.Server == "" {
		if args.FixedIPAddress != "" {
			block(chk, "--fixed-ip-address chooses an address of --port or --server; give one of them too")
		}
		if args.Description != nil && *args.Description == f.Description {
			warn(chk, "nothing changes: floating IP %s already has that description", f.FloatingIP)
		}
		chk.Resolved = tools.JSON(resolved)
		return chk, nil
	}
	m, err := portFor(ctx, env, chk, args.Port, args.Server, args.FixedIPAddress)
	if err != nil {
		return nil, err
	}
	if m.port == nil || m.fixed == "" {
		return chk, nil
	}
	resolved.Port, resolved.FixedIPAddress = m.port.ID, m.fixed
	chk.Resolved = tools.JSON(resolved)
	switch {
	case str(f.PortID) == m.port.ID && str(f.FixedIP) == m.fixed:
		if args.Description == nil || *args.Description == f.Description {
			warn(chk, "nothing changes: floating IP %s already maps to %s on port %s", f.FloatingIP, m.fixed, portLabel(m.port))
		}
		return chk, nil
	case str(f.PortID) != "":
		warn(chk, "floating IP %s is on %s now; it moves to port %s (%s)", f.FloatingIP, place(ctx, env, f), portLabel(m.port), m.fixed)
	}
	ext, err := networks.Resolve(ctx, env, f.FloatingNetworkID)
	if err != nil {
		return nil, fmt.Errorf("the floating IP's network: %w", err)
	}
	if err := checkReach(ctx, env, chk, ext, m); err != nil {
		return nil, err
	}
	if err := checkFixedFree(ctx, env, chk, ext, m, f.ID); err != nil {
		return nil, err
	}
	return chk, nil
}

// setOpts is the update a set sends, and the arguments that undo it.
func setOpts(f *FloatingIP, args SetArgs) (opts floatingips.UpdateOpts, changes []tools.FieldChange, previous SetArgs) {
	previous = SetArgs{FloatingIP: f.ID}
	if args.Port != "" && (args.Port != str(f.PortID) || args.FixedIPAddress != str(f.FixedIP)) {
		port := args.Port
		opts.PortID, opts.FixedIP = &port, args.FixedIPAddress
		previous.Port, previous.FixedIPAddress = str(f.PortID), str(f.FixedIP)
		changes = append(changes, tools.FieldChange{Field: "port", From: orNone(str(f.PortID)), To: port})
		changes = append(changes, tools.FieldChange{Field: "fixed_ip_address", From: orNone(str(f.FixedIP)), To: args.FixedIPAddress})
	}
	if args.Description != nil && *args.Description != f.Description {
		d := *args.Description
		opts.Description = &d
		old := f.Description
		previous.Description = &old
		changes = append(changes, tools.FieldChange{Field: "description", From: f.Description, To: d})
	}
	return opts, changes, previous
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func fetched(ctx context.Context, env *tools.Env, id string, chk *tools.Check) (*FloatingIP, error) {
	if f, ok := tools.FetchedAs[*FloatingIP](chk); ok && f.ID == id {
		return f, nil
	}
	return Resolve(ctx, env, id)
}

func previewSet(ctx context.Context, env *tools.Env, args SetArgs, chk *tools.Check) (*tools.Preview, error) {
	f, err := fetched(ctx, env, args.FloatingIP, chk)
	if err != nil {
		return nil, err
	}
	c, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	opts, changes, _ := setOpts(f, args)
	body, err := opts.ToFloatingIPUpdateMap()
	if err != nil {
		return nil, err
	}
	return &tools.Preview{
		Requests: []tools.Request{{Method: "PUT", URL: c.ServiceURL("floatingips", f.ID), Body: body}},
		Changes:  changes,
	}, nil
}

func runSet(ctx context.Context, env *tools.Env, args SetArgs) (*tools.Result, error) {
	f, err := Resolve(ctx, env, args.FloatingIP)
	if err != nil {
		return nil, err
	}
	c, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	opts, _, previous := setOpts(f, args)
	r := floatingips.Update(ctx, c, f.ID, opts)
	after, err := network.GetOne[FloatingIP](r.Result, "floatingip")
	if err != nil {
		return &tools.Result{RequestIDs: tools.HeaderRequestIDs(r.Header)}, fmt.Errorf("update floating IP %s: %w", f.FloatingIP, err)
	}
	msg := fmt.Sprintf("floating IP %s updated", after.FloatingIP)
	if str(after.PortID) != "" {
		msg = fmt.Sprintf("floating IP %s now maps to %s on %s", after.FloatingIP, str(after.FixedIP), placePort(ctx, env, after))
	}
	return &tools.Result{
		Message:    msg,
		Outputs:    map[string]string{"id": after.ID, "floating_ip_address": after.FloatingIP, "port": str(after.PortID), previousKey: string(tools.JSON(previous))},
		RequestIDs: tools.HeaderRequestIDs(r.Header),
	}, nil
}

// --- floating-ip.unset ---

func checkUnset(ctx context.Context, env *tools.Env, args UnsetArgs) (*tools.Check, error) {
	f, err := Resolve(ctx, env, args.FloatingIP)
	if err != nil {
		return nil, err
	}
	chk := &tools.Check{Targets: []tools.Target{fipTarget(f)}, State: fipState(f), Fetched: f,
		Resolved: tools.JSON(UnsetArgs{FloatingIP: f.ID, Port: args.Port})}
	switch {
	case args.Port != nil && !*args.Port:
		block(chk, "unset only disassociates a floating IP from its port (--port); to release it use /floating-ip delete %s", f.FloatingIP)
	case str(f.PortID) == "":
		warn(chk, "nothing changes: floating IP %s is not associated with any port", f.FloatingIP)
	default:
		info(chk, "floating IP %s is on %s; it stays allocated to the project", f.FloatingIP, place(ctx, env, f))
	}
	return chk, nil
}

func previewUnset(ctx context.Context, env *tools.Env, args UnsetArgs, chk *tools.Check) (*tools.Preview, error) {
	f, err := fetched(ctx, env, args.FloatingIP, chk)
	if err != nil {
		return nil, err
	}
	c, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	none := ""
	body, err := floatingips.UpdateOpts{PortID: &none}.ToFloatingIPUpdateMap()
	if err != nil {
		return nil, err
	}
	pv := &tools.Preview{Requests: []tools.Request{{Method: "PUT", URL: c.ServiceURL("floatingips", f.ID), Body: body}}}
	if p := str(f.PortID); p != "" {
		pv.Changes = []tools.FieldChange{{Field: "port", From: p, To: "(none)"}}
	}
	return pv, nil
}

func runUnset(ctx context.Context, env *tools.Env, args UnsetArgs) (*tools.Result, error) {
	f, err := Resolve(ctx, env, args.FloatingIP)
	if err != nil {
		return nil, err
	}
	c, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	none := ""
	r := floatingips.Update(ctx, c, f.ID, floatingips.UpdateOpts{PortID: &none})
	if _, err := network.GetOne[FloatingIP](r.Result, "floatingip"); err != nil {
		return &tools.Result{RequestIDs: tools.HeaderRequestIDs(r.Header)}, fmt.Errorf("disassociate floating IP %s: %w", f.FloatingIP, err)
	}
	msg := fmt.Sprintf("floating IP %s disassociated from %s; it stays allocated to the project", f.FloatingIP, placePort(ctx, env, f))
	if str(f.PortID) == "" {
		msg = fmt.Sprintf("floating IP %s was on no port", f.FloatingIP)
	}
	return &tools.Result{
		Message:    msg,
		Outputs:    map[string]string{"id": f.ID, "floating_ip_address": f.FloatingIP, "port": str(f.PortID), "fixed_ip_address": str(f.FixedIP)},
		RequestIDs: tools.HeaderRequestIDs(r.Header),
	}, nil
}

// --- floating-ip.delete ---

func checkDelete(ctx context.Context, env *tools.Env, args DeleteArgs) (*tools.Check, error) {
	f, err := Resolve(ctx, env, args.FloatingIP)
	if err != nil {
		return nil, err
	}
	chk := &tools.Check{Targets: []tools.Target{fipTarget(f)}, State: fipState(f), Fetched: f,
		Resolved: tools.JSON(DeleteArgs{FloatingIP: f.ID})}
	if str(f.PortID) != "" {
		warn(chk, "floating IP %s maps to %s; that address loses its public reachability", f.FloatingIP, place(ctx, env, f))
	}
	info(chk, "the address %s goes back to the pool of its network; a new allocation may get another address", f.FloatingIP)
	return chk, nil
}

func previewDelete(ctx context.Context, env *tools.Env, args DeleteArgs, chk *tools.Check) (*tools.Preview, error) {
	f, err := fetched(ctx, env, args.FloatingIP, chk)
	if err != nil {
		return nil, err
	}
	c, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	pv := &tools.Preview{
		Requests: []tools.Request{{Method: "DELETE", URL: c.ServiceURL("floatingips", f.ID)}},
		Deletes:  []tools.Dependent{{Kind: Kind, ID: f.ID, Name: f.FloatingIP, Fate: "released"}},
	}
	if p := str(f.PortID); p != "" {
		pv.Deletes = append(pv.Deletes, tools.Dependent{Kind: "port", ID: p, Name: strings.TrimPrefix(place(ctx, env, f), "port "),
			Fate: "loses the floating IP, keeps its fixed address"})
	}
	return pv, nil
}

func runDelete(ctx context.Context, env *tools.Env, args DeleteArgs) (*tools.Result, error) {
	// Read first, so the result names the address released, not an ID.
	f, err := Resolve(ctx, env, args.FloatingIP)
	if err != nil {
		return nil, err
	}
	c, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	r := floatingips.Delete(ctx, c, f.ID)
	if r.Err != nil {
		if gophercloud.ResponseCodeIs(r.Err, http.StatusNotFound) {
			return nil, &tools.NotFoundError{Kind: Kind, Name: f.FloatingIP}
		}
		return &tools.Result{RequestIDs: tools.HeaderRequestIDs(r.Header)}, fmt.Errorf("delete floating IP %s: %w", f.FloatingIP, r.Err)
	}
	return &tools.Result{
		Message:    fmt.Sprintf("floating IP %s released", f.FloatingIP),
		Outputs:    map[string]string{"id": f.ID, "floating_ip_address": f.FloatingIP},
		RequestIDs: tools.HeaderRequestIDs(r.Header),
	}, nil
}
