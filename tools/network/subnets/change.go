package subnets

// The tools that change subnets: subnet.create, subnet.set, subnet.unset
// and subnet.delete. The address rules they apply are in cidr.go.

import (
	"context"
	"fmt"
	"net/http"
	"net/netip"
	"slices"
	"sort"
	"strings"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/ports"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/subnets"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/blockstorage"
	"github.com/kriscelmer/os-tui/tools/network"
	"github.com/kriscelmer/os-tui/tools/network/networks"
	"github.com/kriscelmer/os-tui/tools/quota"
)

// Kind is the resource kind of a subnet in targets and name completion.
const Kind = "subnet"

// previousKey is the output of subnet.set and subnet.unset holding the
// old values, as subnet.set arguments, for their undo.
const previousKey = "previous"

// Gateway words: Neutron picks the gateway, or the subnet has none.
const (
	GatewayAuto = "auto"
	GatewayNone = "none"
)

// CreateArgs are the arguments of subnet.create.
type CreateArgs struct {
	Name            string   `json:"name"`
	Network         string   `json:"network"`
	SubnetRange     string   `json:"subnet_range"`
	IPVersion       int      `json:"ip_version,omitempty"`
	Gateway         string   `json:"gateway,omitempty"`
	DHCP            *bool    `json:"dhcp,omitempty"`
	DNSNameservers  []string `json:"dns_nameservers,omitempty"`
	AllocationPools []string `json:"allocation_pools,omitempty"`
	HostRoutes      []string `json:"host_routes,omitempty"`
	Description     string   `json:"description,omitempty"`
	IPv6AddressMode string   `json:"ipv6_address_mode,omitempty"`
	IPv6RAMode      string   `json:"ipv6_ra_mode,omitempty"`
	Tag             []string `json:"tag,omitempty"`
}

// SetArgs are the arguments of subnet.set. Lists are added to what the
// subnet has, as the openstack CLI does; the clear_ flags empty a list
// first, so clear and add together replace it (which is how the undo
// gives a list back).
type SetArgs struct {
	Subnet               string   `json:"subnet"`
	Name                 *string  `json:"name,omitempty"`
	Description          *string  `json:"description,omitempty"`
	Gateway              string   `json:"gateway,omitempty"`
	DHCP                 *bool    `json:"dhcp,omitempty"`
	DNSNameservers       []string `json:"dns_nameservers,omitempty"`
	ClearDNSNameservers  bool     `json:"clear_dns_nameservers,omitempty"`
	AllocationPools      []string `json:"allocation_pools,omitempty"`
	ClearAllocationPools bool     `json:"clear_allocation_pools,omitempty"`
	HostRoutes           []string `json:"host_routes,omitempty"`
	ClearHostRoutes      bool     `json:"clear_host_routes,omitempty"`
	Tag                  []string `json:"tag,omitempty"`
	ClearTags            bool     `json:"clear_tags,omitempty"`
}

// UnsetArgs are the arguments of subnet.unset.
type UnsetArgs struct {
	Subnet          string   `json:"subnet"`
	Description     bool     `json:"description,omitempty"`
	Gateway         bool     `json:"gateway,omitempty"`
	DNSNameservers  []string `json:"dns_nameservers,omitempty"`
	AllocationPools []string `json:"allocation_pools,omitempty"`
	HostRoutes      []string `json:"host_routes,omitempty"`
	Tag             []string `json:"tag,omitempty"`
	AllTag          bool     `json:"all_tag,omitempty"`
}

// DeleteArgs are the arguments of subnet.delete.
type DeleteArgs struct {
	Subnet string `json:"subnet"`
}

func changeTools() []tools.Tool {
	return []tools.Tool{
		tools.ChangeTool(tools.ChangeSpec[CreateArgs]{
			Name: "subnet.create", Effect: tools.Change, Service: network.Service,
			Produces: []string{"id", "name", "cidr"},
			Check:    checkCreate, Preview: previewCreate, Run: runCreate,
			Undo: func(args CreateArgs, res *tools.Result) *tools.Call {
				target := tools.CreatedID(res, args.Name)
				return &tools.Call{Tool: "subnet.delete", Args: tools.JSON(DeleteArgs{Subnet: target}), Why: "undo creating subnet " + args.Name}
			},
		}),
		tools.ChangeTool(tools.ChangeSpec[SetArgs]{
			Name: "subnet.set", Effect: tools.Change, Service: network.Service,
			Produces: []string{"id", "name"},
			Subject:  func(a SetArgs) (string, string) { return Kind, a.Subnet },
			Check:    checkSet, Preview: previewSet, Run: runSet,
			Undo: func(_ SetArgs, res *tools.Result) *tools.Call {
				return undoToSet(res, "undo: set the subnet's old values back")
			},
		}),
		tools.ChangeTool(tools.ChangeSpec[UnsetArgs]{
			Name: "subnet.unset", Effect: tools.Change, Service: network.Service,
			Produces: []string{"id", "name"},
			Subject:  func(a UnsetArgs) (string, string) { return Kind, a.Subnet },
			Check:    checkUnset, Preview: previewUnset, Run: runUnset,
			Undo: func(_ UnsetArgs, res *tools.Result) *tools.Call {
				return undoToSet(res, "undo: give the subnet back what was unset")
			},
		}),
		tools.ChangeTool(tools.ChangeSpec[DeleteArgs]{
			Name: "subnet.delete", Effect: tools.Destroy, Service: network.Service,
			// network lets a later step of the plan delete the subnet's
			// network by reference, so its preflight runs after this one.
			Produces: []string{"id", "network"},
			Subject:  func(a DeleteArgs) (string, string) { return Kind, a.Subnet },
			Check:    checkDelete, Preview: previewDelete, Run: runDelete,
		}),
	}
}

func undoToSet(res *tools.Result, why string) *tools.Call {
	if res == nil || res.Outputs[previousKey] == "" {
		return nil
	}
	prev, err := tools.Decode[SetArgs](tools.Args(res.Outputs[previousKey]))
	if err != nil || prev.Subnet == "" {
		return nil
	}
	return &tools.Call{Tool: "subnet.set", Args: tools.JSON(prev), Why: why}
}

func block(chk *tools.Check, text string) {
	chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block, Text: text})
}

func note(chk *tools.Check, level tools.Level, text string) {
	chk.Findings = append(chk.Findings, tools.Finding{Level: level, Text: text})
}

// label names a subnet in findings: its name, or its ID without one.
func (s *Subnet) label() string {
	if s.Name != "" {
		return s.Name
	}
	return s.ID
}

func target(s *Subnet) tools.Target { return tools.Target{Kind: Kind, ID: s.ID, Name: s.Name} }

// autoAddressModes hand out IPv6 addresses without Neutron's IPAM
// choosing them; Neutron removes such addresses from ports itself when
// the subnet goes.
var autoAddressModes = []string{"slaac", "dhcpv6-stateless"}

// --- subnet.create ---

// parsedCreate is a create's arguments as addresses.
type parsedCreate struct {
	cidr   netip.Prefix
	pools  []AddrPool
	routes []HostRoute
}

// checkAddresses applies the address rules to a create's arguments,
// normalising them in args (canonical range, pools as START-END, routes
// the openstack way, the IP version and gateway filled in). ok is false
// when the range itself cannot be read, so nothing can be compared with it.
func checkAddresses(args *CreateArgs, chk *tools.Check) (pc parsedCreate, ok bool) {
	cidr, problem := ParseCIDR(args.SubnetRange)
	if problem != "" {
		block(chk, problem)
		return pc, false
	}
	pc.cidr = cidr
	args.SubnetRange = cidr.String()
	v := Version(cidr)
	switch {
	case args.IPVersion == 0:
		args.IPVersion = v
	case args.IPVersion != v:
		block(chk, fmt.Sprintf("%s is an IPv%d range but --ip-version is %d; leave --ip-version out, it follows the range", cidr, v, args.IPVersion))
	}
	if p := SizeProblem(cidr); p != "" {
		note(chk, tools.Warn, p)
	}
	args.AllocationPools = normalisePools(args.AllocationPools, &pc.pools, chk)
	for _, p := range PoolProblems(cidr, pc.pools) {
		block(chk, p)
	}
	switch gw := strings.ToLower(args.Gateway); gw {
	case "", GatewayAuto:
		args.Gateway = GatewayAuto
		// Neutron's automatic gateway is the first host address; a pool
		// that starts there makes it refuse the subnet.
		if p := GatewayProblem(cidr, DefaultGateway(cidr), pc.pools); p != "" && len(pc.pools) > 0 {
			block(chk, fmt.Sprintf("the automatic gateway %s lies inside the allocation pools; start them after it, or give --gateway none or another --gateway", DefaultGateway(cidr)))
		}
	case GatewayNone:
		args.Gateway = GatewayNone
	default:
		a, err := netip.ParseAddr(args.Gateway)
		if err != nil {
			block(chk, fmt.Sprintf("gateway %q is not an address; give an address inside %s, auto, or none", args.Gateway, cidr))
			break
		}
		args.Gateway = a.String()
		if p := GatewayProblem(cidr, a, pc.pools); p != "" {
			block(chk, p)
		}
	}
	args.HostRoutes = normaliseRoutes(args.HostRoutes, &pc.routes, chk)
	for _, p := range NameserverProblems(args.DNSNameservers) {
		block(chk, p)
	}
	if args.IPv6AddressMode != "" || args.IPv6RAMode != "" {
		switch {
		case v == 4:
			block(chk, "IPv6 address and router advertisement modes apply to IPv6 subnets only; leave them out for "+cidr.String())
		case args.IPv6AddressMode != "" && args.IPv6RAMode != "" && args.IPv6AddressMode != args.IPv6RAMode:
			block(chk, fmt.Sprintf("Neutron wants the IPv6 address mode and RA mode equal when both are given (%s and %s); give one, or the same for both", args.IPv6AddressMode, args.IPv6RAMode))
		case slices.Contains(autoAddressModes, args.IPv6AddressMode) && cidr.Bits() != 64:
			block(chk, fmt.Sprintf("%s addressing needs a /64 range (EUI-64), and %s is a /%d", args.IPv6AddressMode, cidr, cidr.Bits()))
		}
	}
	return pc, true
}

// normalisePools parses pools into out and returns them as START-END.
func normalisePools(in []string, out *[]AddrPool, chk *tools.Check) []string {
	var norm []string
	for _, s := range in {
		p, problem := ParsePool(s)
		if problem != "" {
			block(chk, problem)
			norm = append(norm, s)
			continue
		}
		*out = append(*out, p)
		norm = append(norm, p.String())
	}
	return norm
}

// normaliseRoutes parses routes into out and returns them the openstack way.
func normaliseRoutes(in []string, out *[]HostRoute, chk *tools.Check) []string {
	var norm []string
	for _, s := range in {
		r, problem := ParseRoute(s)
		if problem != "" {
			block(chk, problem)
			norm = append(norm, s)
			continue
		}
		*out = append(*out, r)
		norm = append(norm, r.String())
	}
	return norm
}

// visibleSubnet is a subnet as the overlap checks need it.
type visibleSubnet struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	NetworkID string `json:"network_id"`
	CIDR      string `json:"cidr"`
	ProjectID string `json:"project_id"`
}

func (s visibleSubnet) label() string {
	if s.Name != "" {
		return fmt.Sprintf("%s (%s)", s.Name, s.CIDR)
	}
	return fmt.Sprintf("%s (%s)", s.ID, s.CIDR)
}

// checkOverlaps refuses a range that overlaps a subnet of the same
// network (Neutron refuses it), and warns of one overlapping any other
// subnet the caller sees: no router can connect the two, and a router
// already on this network cannot take the new subnet when it has an
// interface on the other.
func checkOverlaps(ctx context.Context, c *gophercloud.ServiceClient, networkID string, cidr netip.Prefix, chk *tools.Check) error {
	all, err := network.ListAll[visibleSubnet](ctx, subnets.List(c, subnets.ListOpts{IPVersion: Version(cidr)}), "subnets")
	if err != nil {
		return fmt.Errorf("list subnets: %w", err)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].CIDR < all[j].CIDR })
	var taken []netip.Prefix
	var same, other []visibleSubnet
	for _, s := range all {
		p, err := netip.ParsePrefix(s.CIDR)
		if err != nil {
			continue
		}
		taken = append(taken, p)
		if !p.Overlaps(cidr) {
			continue
		}
		if s.NetworkID == networkID {
			same = append(same, s)
		} else {
			other = append(other, s)
		}
	}
	suggest := ""
	if free, ok := FreeRange(cidr, taken); ok {
		suggest = fmt.Sprintf(" (%s is free)", free)
	}
	for _, s := range same {
		block(chk, fmt.Sprintf("%s overlaps subnet %s on the same network, and Neutron refuses overlapping subnets on one network; choose a range outside it%s", cidr, s.label(), suggest))
	}
	if len(other) == 0 || networkID == "" {
		for _, s := range other {
			note(chk, tools.Warn, fmt.Sprintf("%s overlaps subnet %s of another network; no router can connect the two, so keep them apart unless they will never meet%s", cidr, s.label(), suggest))
		}
		return nil
	}
	onRouters, err := routerSubnets(ctx, c, networkID)
	if err != nil {
		return err
	}
	for _, s := range other {
		if r, ok := onRouters[s.ID]; ok {
			note(chk, tools.Warn, fmt.Sprintf("%s overlaps subnet %s, which router %s connects with this network: the router cannot take the new subnet as an interface; choose another range%s", cidr, s.label(), r, suggest))
			continue
		}
		note(chk, tools.Warn, fmt.Sprintf("%s overlaps subnet %s of another network; no router can connect the two, so keep them apart unless they will never meet%s", cidr, s.label(), suggest))
	}
	return nil
}

// routerSubnets maps the subnets of every router that has an interface
// on network networkID (its gateway included) to that router's ID.
func routerSubnets(ctx context.Context, c *gophercloud.ServiceClient, networkID string) (map[string]string, error) {
	ifaces, err := network.PortsOf(ctx, c, ports.ListOpts{NetworkID: networkID})
	if err != nil {
		return nil, err
	}
	routers := map[string]bool{}
	for _, p := range ifaces {
		if isRouterPort(p.DeviceOwner) {
			routers[p.DeviceID] = true
		}
	}
	out := map[string]string{}
	for r := range routers {
		rp, err := network.PortsOf(ctx, c, ports.ListOpts{DeviceID: r})
		if err != nil {
			return nil, err
		}
		for _, p := range rp {
			for _, ip := range p.FixedIPs {
				out[ip.SubnetID] = r
			}
		}
	}
	return out, nil
}

func isRouterPort(owner string) bool {
	switch owner {
	case "network:router_interface", "network:router_interface_distributed", "network:ha_router_replicated_interface", "network:router_gateway":
		return true
	}
	return false
}

func checkCreate(ctx context.Context, env *tools.Env, args CreateArgs) (*tools.Check, error) {
	c, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	chk := &tools.Check{Targets: []tools.Target{{Kind: Kind, Name: args.Name}}}
	pc, rangeOK := checkAddresses(&args, chk)
	who, err := networks.WhoIs(ctx, env)
	if err != nil {
		return nil, err
	}
	networkID := ""
	if tools.IsRef(args.Network) {
		note(chk, tools.Info, fmt.Sprintf("network %s comes from an earlier step; the range is checked against its subnets once that step has run", args.Network))
	} else {
		n, err := networks.Resolve(ctx, env, args.Network)
		if err != nil {
			return nil, err
		}
		networkID, args.Network = n.ID, n.ID
		chk.Targets = append(chk.Targets, tools.Target{Kind: "network", ID: n.ID, Name: n.Name})
		chk.State = fmt.Sprintf("network=%s subnets=%q", n.ID, network.Tags(n.Subnets))
		if !who.Owns(n) {
			block(chk, fmt.Sprintf("network %s belongs to project %s, not yours; only its owner or an admin can add subnets to it, even when it is shared", n.Name, n.ProjectID))
		}
		if args.IPVersion == 6 && n.MTU != nil && *n.MTU < 1280 {
			block(chk, fmt.Sprintf("network %s has an MTU of %d and IPv6 needs 1280 or more; raise it first (/network set %s --mtu 1280)", n.Name, *n.MTU, n.Name))
		}
	}
	if rangeOK {
		if err := checkOverlaps(ctx, c, networkID, pc.cidr, chk); err != nil {
			return nil, err
		}
	}
	if args.DHCP != nil && !*args.DHCP {
		note(chk, tools.Info, "without DHCP, servers on this subnet learn their address only from a config drive or by hand")
	}
	if len(args.Tag) > 0 {
		ok, err := network.HasExtension(ctx, c, "standard-attr-tag")
		if err != nil {
			return nil, err
		}
		if !ok {
			block(chk, "this cloud's Neutron has no standard-attr-tag extension, so it keeps no tags; leave out --tag")
		}
	}
	if err := quota.Preflight(ctx, env, chk, who.ProjectID, quota.Need{Service: "network", Resource: "subnet", Delta: 1,
		Full: func(u tools.QuotaUse) string {
			return fmt.Sprintf("the subnet quota is full (%d of %d); delete an unused subnet with /subnet delete or ask for more quota", u.InUse, u.Limit)
		}}); err != nil {
		return nil, err
	}
	chk.Resolved = tools.JSON(args)
	return chk, nil
}

// gatewayOpt is the gateway_ip of a request: nil lets Neutron choose, ""
// (sent as null) means none.
func gatewayOpt(gw string) *string {
	switch gw {
	case "", GatewayAuto:
		return nil
	case GatewayNone:
		return new(string)
	}
	return &gw
}

func apiPools(in []string) []subnets.AllocationPool {
	var out []subnets.AllocationPool
	for _, s := range in {
		if p, problem := ParsePool(s); problem == "" {
			out = append(out, subnets.AllocationPool{Start: p.Start.String(), End: p.End.String()})
		}
	}
	return out
}

func apiRoutes(in []string) []subnets.HostRoute {
	out := []subnets.HostRoute{}
	for _, s := range in {
		if r, problem := ParseRoute(s); problem == "" {
			out = append(out, subnets.HostRoute{DestinationCIDR: r.Destination.String(), NextHop: r.NextHop.String()})
		}
	}
	return out
}

func createOpts(args CreateArgs) subnets.CreateOpts {
	opts := subnets.CreateOpts{
		NetworkID: args.Network, CIDR: args.SubnetRange, Name: args.Name, Description: args.Description,
		IPVersion: gophercloud.IPVersion(args.IPVersion), GatewayIP: gatewayOpt(args.Gateway), EnableDHCP: args.DHCP,
		DNSNameservers: args.DNSNameservers, AllocationPools: apiPools(args.AllocationPools),
		IPv6AddressMode: args.IPv6AddressMode, IPv6RAMode: args.IPv6RAMode,
	}
	if len(args.HostRoutes) > 0 {
		opts.HostRoutes = apiRoutes(args.HostRoutes)
	}
	return opts
}

func previewCreate(ctx context.Context, env *tools.Env, args CreateArgs, chk *tools.Check) (*tools.Preview, error) {
	c, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	body, err := createOpts(args).ToSubnetCreateMap()
	if err != nil {
		return nil, err
	}
	gw := "gateway chosen by Neutron"
	switch args.Gateway {
	case GatewayNone:
		gw = "no gateway"
	case GatewayAuto, "":
	default:
		gw = "gateway " + args.Gateway
	}
	pv := &tools.Preview{
		Requests: []tools.Request{{Method: "POST", URL: c.ServiceURL("subnets"), Body: body}},
		Creates:  []string{fmt.Sprintf("subnet %s %s on network %s, %s", args.Name, args.SubnetRange, networkName(chk, args.Network), gw)},
	}
	if len(args.Tag) > 0 {
		pv.Requests = append(pv.Requests, network.TagsRequest(c, "subnets", "{id}", args.Tag))
	}
	return pv, nil
}

func runCreate(ctx context.Context, env *tools.Env, args CreateArgs) (*tools.Result, error) {
	c, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	r := subnets.Create(ctx, c, createOpts(args))
	ids := tools.HeaderRequestIDs(r.Header)
	s, err := network.GetOne[Subnet](r.Result, "subnet")
	if err != nil {
		return &tools.Result{RequestIDs: ids}, fmt.Errorf("create subnet %s: %w", args.Name, err)
	}
	if len(args.Tag) > 0 {
		more, err := network.TagNew(ctx, c, "subnets", s.ID, args.Tag, "subnet", args.Name, "/subnet delete")
		ids = append(ids, more...)
		if err != nil {
			return &tools.Result{RequestIDs: ids}, err
		}
	}
	env.Names.Remember(Kind, s.Name)
	gw := "no gateway"
	if s.GatewayIP != nil && *s.GatewayIP != "" {
		gw = "gateway " + *s.GatewayIP
	}
	return &tools.Result{
		Message:    fmt.Sprintf("subnet %s created (%s), %s, %s", s.Name, s.ID, s.CIDR, gw),
		Outputs:    map[string]string{"id": s.ID, "name": s.Name, "cidr": s.CIDR},
		RequestIDs: ids,
	}, nil
}

// networkName is the name Check resolved for the network, or its ID.
func networkName(chk *tools.Check, id string) string {
	if chk != nil {
		for _, t := range chk.Targets {
			if t.Kind == "network" && t.ID == id && t.Name != "" {
				return t.Name
			}
		}
	}
	return id
}

// --- subnet.set and subnet.unset ---

// updateOpts is gophercloud's subnet update, able to empty the
// allocation pools (its field is left out when empty).
type updateOpts struct {
	subnets.UpdateOpts
	clearPools bool
}

func (o updateOpts) ToSubnetUpdateMap() (map[string]any, error) {
	b, err := o.UpdateOpts.ToSubnetUpdateMap()
	if err != nil {
		return nil, err
	}
	if o.clearPools {
		b["subnet"].(map[string]any)["allocation_pools"] = []subnets.AllocationPool{}
	}
	return b, nil
}

// setPlan is what a set or unset does to one subnet.
type setPlan struct {
	update  *updateOpts
	tags    []string
	changes []tools.FieldChange
	prev    SetArgs
	// The subnet as it will be, for the address rules.
	pools   []AddrPool
	gateway string // an address, or "" for none
	gwMoved bool
}

func (p *setPlan) empty() bool { return p.update == nil && p.tags == nil }

func gatewayOf(s *Subnet) string {
	if s.GatewayIP == nil {
		return ""
	}
	return *s.GatewayIP
}

func gatewayWord(gw string) string {
	if gw == "" {
		return GatewayNone
	}
	return gw
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

// listAfter is a list after a set: the current one (none when clear),
// plus what is added that is not there yet.
func listAfter(cur []string, clear bool, add []string) []string {
	out := []string{}
	if !clear {
		out = append(out, cur...)
	}
	for _, a := range add {
		if !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out
}

// planSet compares subnet s with what args ask for; args must have
// passed checkSetArgs (pools and routes normalised).
func planSet(s *Subnet, args SetArgs) *setPlan {
	p := &setPlan{prev: SetArgs{Subnet: s.ID}, gateway: gatewayOf(s)}
	var u updateOpts
	changed := false
	change := func(field string, from, to any) {
		p.changes = append(p.changes, tools.FieldChange{Field: field, From: from, To: to})
		changed = true
	}
	if args.Name != nil && *args.Name != s.Name {
		u.Name, p.prev.Name = args.Name, ptr(s.Name)
		change("name", s.Name, *args.Name)
	}
	if args.Description != nil && *args.Description != s.Description {
		u.Description, p.prev.Description = args.Description, ptr(s.Description)
		change("description", s.Description, *args.Description)
	}
	if args.Gateway != "" {
		want := args.Gateway
		if strings.EqualFold(want, GatewayNone) {
			want = ""
		}
		if want != gatewayOf(s) {
			u.GatewayIP = ptr(want)
			p.prev.Gateway = gatewayWord(gatewayOf(s))
			p.gateway, p.gwMoved = want, true
			change("gateway_ip", network.Opt(s.GatewayIP), gatewayWord(want))
		}
	}
	if args.DHCP != nil && *args.DHCP != s.EnableDHCP {
		u.EnableDHCP, p.prev.DHCP = args.DHCP, ptr(s.EnableDHCP)
		change("enable_dhcp", s.EnableDHCP, *args.DHCP)
	}
	if args.ClearDNSNameservers || len(args.DNSNameservers) > 0 {
		after := listAfter(s.DNSNameservers, args.ClearDNSNameservers, args.DNSNameservers)
		if !slices.Equal(after, s.DNSNameservers) {
			u.DNSNameservers = &after
			p.prev.ClearDNSNameservers, p.prev.DNSNameservers = true, nilIfEmpty(slices.Clone(s.DNSNameservers))
			change("dns_nameservers", network.Tags(s.DNSNameservers), after)
		}
	}
	curPools := FormatPools(s.AllocationPools)
	for _, sp := range s.AllocationPools {
		if ap, problem := ParsePool(sp.Start + "-" + sp.End); problem == "" {
			p.pools = append(p.pools, ap)
		}
	}
	if args.ClearAllocationPools || len(args.AllocationPools) > 0 {
		after := listAfter(curPools, args.ClearAllocationPools, args.AllocationPools)
		if !slices.Equal(after, curPools) {
			u.AllocationPools = apiPools(after)
			u.clearPools = len(after) == 0
			p.prev.ClearAllocationPools, p.prev.AllocationPools = true, nilIfEmpty(curPools)
			p.pools = nil
			for _, a := range after {
				if ap, problem := ParsePool(a); problem == "" {
					p.pools = append(p.pools, ap)
				}
			}
			change("allocation_pools", curPools, after)
		}
	}
	curRoutes := routeStrings(s.HostRoutes)
	if args.ClearHostRoutes || len(args.HostRoutes) > 0 {
		after := listAfter(curRoutes, args.ClearHostRoutes, args.HostRoutes)
		if !slices.Equal(after, curRoutes) {
			routes := apiRoutes(after)
			u.HostRoutes = &routes
			p.prev.ClearHostRoutes, p.prev.HostRoutes = true, nilIfEmpty(curRoutes)
			change("host_routes", curRoutes, after)
		}
	}
	if changed {
		p.update = &u
	}
	if args.ClearTags || len(args.Tag) > 0 {
		after := network.TagsAfter(s.Tags, args.ClearTags, args.Tag, nil)
		if !network.SameTags(after, s.Tags) {
			p.tags = after
			p.changes = append(p.changes, tools.FieldChange{Field: "tags", From: network.Tags(s.Tags), To: after})
			p.prev.ClearTags, p.prev.Tag = true, nilIfEmpty(network.Tags(s.Tags))
		}
	}
	return p
}

func ptr[T any](v T) *T { return &v }

// routeStrings writes a subnet's routes the way set takes them.
func routeStrings(rs []Route) []string {
	out := []string{}
	for _, r := range rs {
		if hr, problem := ParseRoute("destination=" + r.Destination + ",gateway=" + r.NextHop); problem == "" {
			out = append(out, hr.String())
		}
	}
	return out
}

// subnetState fingerprints what a set depends on.
func subnetState(s *Subnet) string {
	return fmt.Sprintf("name=%q description=%q gateway=%v dhcp=%t dns=%q pools=%q routes=%q tags=%q", s.Name, s.Description,
		network.Opt(s.GatewayIP), s.EnableDHCP, s.DNSNameservers, FormatPools(s.AllocationPools), routeStrings(s.HostRoutes), network.Tags(s.Tags))
}

// checkSetArgs parses what a set adds, normalising it in args.
func checkSetArgs(cidr netip.Prefix, args *SetArgs, chk *tools.Check) {
	var pools []AddrPool
	args.AllocationPools = normalisePools(args.AllocationPools, &pools, chk)
	var routes []HostRoute
	args.HostRoutes = normaliseRoutes(args.HostRoutes, &routes, chk)
	for _, p := range NameserverProblems(args.DNSNameservers) {
		block(chk, p)
	}
	if args.Gateway != "" && !strings.EqualFold(args.Gateway, GatewayNone) {
		a, err := netip.ParseAddr(args.Gateway)
		if err != nil {
			block(chk, fmt.Sprintf("gateway %q is not an address; give an address inside %s, or none", args.Gateway, cidr))
		} else {
			args.Gateway = a.String()
		}
	} else if args.Gateway != "" {
		args.Gateway = GatewayNone
	}
}

// checkPlan applies the address rules and Neutron's in-use rules to the
// subnet as the plan leaves it.
func checkPlan(ctx context.Context, env *tools.Env, s *Subnet, p *setPlan, chk *tools.Check) error {
	cidr, problem := ParseCIDR(s.CIDR)
	if problem != "" {
		return fmt.Errorf("subnet %s has range %q: %s", s.label(), s.CIDR, problem)
	}
	changed := map[string]bool{}
	for _, ch := range p.changes {
		changed[ch.Field] = true
	}
	if changed["allocation_pools"] {
		for _, pr := range PoolProblems(cidr, p.pools) {
			block(chk, pr)
		}
	}
	if p.gateway != "" && (changed["gateway_ip"] || changed["allocation_pools"]) {
		if gw, err := netip.ParseAddr(p.gateway); err == nil {
			if pr := GatewayProblem(cidr, gw, p.pools); pr != "" {
				block(chk, pr)
			}
		}
	}
	who, err := networks.WhoIs(ctx, env)
	if err != nil {
		return err
	}
	if !who.Admin && s.ProjectID != who.ProjectID {
		block(chk, fmt.Sprintf("subnet %s belongs to project %s, not yours; only its owner or an admin can change it", s.label(), s.ProjectID))
		return nil
	}
	if changed["gateway_ip"] {
		c, err := network.Client(ctx, env)
		if err != nil {
			return err
		}
		on, err := network.PortsOf(ctx, c, ports.ListOpts{FixedIPs: []ports.FixedIPOpts{{SubnetID: s.ID}}})
		if err != nil {
			return err
		}
		old := gatewayOf(s)
		for _, pt := range on {
			for _, ip := range pt.FixedIPs {
				if ip.SubnetID != s.ID {
					continue
				}
				switch {
				case ip.IPAddress == old && isRouterPort(pt.DeviceOwner):
					block(chk, fmt.Sprintf("router %s has its interface on the current gateway %s, and Neutron refuses to move the gateway under it; remove the interface (openstack router remove subnet %s %s), change the gateway, then add it back",
						pt.DeviceID, old, pt.DeviceID, s.label()))
				case p.gateway != "" && ip.IPAddress == p.gateway:
					block(chk, fmt.Sprintf("%s already holds %s; choose a free address for the gateway", pt.Label(), p.gateway))
				}
			}
		}
	}
	if changed["enable_dhcp"] && !*dhcpAfter(p, s) {
		note(chk, tools.Warn, "without DHCP, servers on this subnet lose their address when their lease ends unless it is set by hand")
	}
	if changed["tags"] {
		c, err := network.Client(ctx, env)
		if err != nil {
			return err
		}
		ok, err := network.HasExtension(ctx, c, "standard-attr-tag")
		if err != nil {
			return err
		}
		if !ok {
			block(chk, "this cloud's Neutron has no standard-attr-tag extension, so it keeps no tags; leave out --tag/--no-tag")
		}
	}
	return nil
}

// dhcpAfter is the DHCP setting the plan leaves.
func dhcpAfter(p *setPlan, s *Subnet) *bool {
	if p.update != nil && p.update.EnableDHCP != nil {
		return p.update.EnableDHCP
	}
	return &s.EnableDHCP
}

func checkSet(ctx context.Context, env *tools.Env, args SetArgs) (*tools.Check, error) {
	s, err := Resolve(ctx, env, args.Subnet)
	if err != nil {
		return nil, err
	}
	args.Subnet = s.ID
	chk := &tools.Check{Targets: []tools.Target{target(s)}, State: subnetState(s), Fetched: s}
	cidr, _ := ParseCIDR(s.CIDR)
	checkSetArgs(cidr, &args, chk)
	chk.Resolved = tools.JSON(args)
	if chk.Blocked() {
		return chk, nil
	}
	p := planSet(s, args)
	for _, d := range args.DNSNameservers {
		if !args.ClearDNSNameservers && slices.Contains(s.DNSNameservers, d) {
			note(chk, tools.Info, fmt.Sprintf("DNS server %s is already set", d))
		}
	}
	if p.empty() {
		note(chk, tools.Warn, fmt.Sprintf("subnet %s already has these values; nothing changes", s.label()))
		return chk, nil
	}
	return chk, checkPlan(ctx, env, s, p, chk)
}

func planPreview(c *gophercloud.ServiceClient, s *Subnet, p *setPlan) (*tools.Preview, error) {
	pv := &tools.Preview{Changes: p.changes}
	if p.update != nil {
		body, err := p.update.ToSubnetUpdateMap()
		if err != nil {
			return nil, err
		}
		pv.Requests = append(pv.Requests, tools.Request{Method: "PUT", URL: c.ServiceURL("subnets", s.ID), Body: body})
	}
	if p.tags != nil {
		pv.Requests = append(pv.Requests, network.TagsRequest(c, "subnets", s.ID, p.tags))
	}
	return pv, nil
}

func fetched(ctx context.Context, env *tools.Env, chk *tools.Check, id string) (*Subnet, error) {
	if s, ok := tools.FetchedAs[*Subnet](chk); ok && s.ID == id {
		return s, nil
	}
	return Resolve(ctx, env, id)
}

func previewSet(ctx context.Context, env *tools.Env, args SetArgs, chk *tools.Check) (*tools.Preview, error) {
	c, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	s, err := fetched(ctx, env, chk, args.Subnet)
	if err != nil {
		return nil, err
	}
	return planPreview(c, s, planSet(s, args))
}

// getByID reads a subnet right before changing it: the undo must hold
// the values it had at that moment.
func getByID(ctx context.Context, c *gophercloud.ServiceClient, id string) (*Subnet, error) {
	s, err := network.GetOne[Subnet](subnets.Get(ctx, c, id).Result, "subnet")
	if err != nil {
		if gophercloud.ResponseCodeIs(err, http.StatusNotFound) {
			return nil, &tools.NotFoundError{Kind: Kind, Name: id}
		}
		return nil, fmt.Errorf("get subnet %s: %w", id, err)
	}
	return s, nil
}

func applyPlan(ctx context.Context, env *tools.Env, c *gophercloud.ServiceClient, s *Subnet, p *setPlan) (*tools.Result, error) {
	if p.empty() {
		return &tools.Result{Message: fmt.Sprintf("subnet %s already has these values", s.label()),
			Outputs: map[string]string{"id": s.ID, "name": s.Name}}, nil
	}
	var ids []string
	name := s.Name
	if p.update != nil {
		r := subnets.Update(ctx, c, s.ID, *p.update)
		ids = append(ids, tools.HeaderRequestIDs(r.Header)...)
		ns, err := network.GetOne[Subnet](r.Result, "subnet")
		if err != nil {
			return &tools.Result{RequestIDs: ids}, fmt.Errorf("update subnet %s: %w", s.label(), err)
		}
		name = ns.Name
	}
	if p.tags != nil {
		more, err := network.ReplaceTags(ctx, c, "subnets", s.ID, p.tags)
		ids = append(ids, more...)
		if err != nil {
			res := &tools.Result{RequestIDs: ids}
			if p.update != nil {
				prev := p.prev
				prev.ClearTags, prev.Tag = false, nil
				res.Outputs = map[string]string{"id": s.ID, "name": name, previousKey: string(tools.JSON(prev))}
			}
			return res, fmt.Errorf("set the tags of subnet %s: %w", s.label(), err)
		}
	}
	fields := make([]string, 0, len(p.changes))
	for _, ch := range p.changes {
		fields = append(fields, ch.Field)
	}
	if name != s.Name {
		env.Names.Remember(Kind, name)
	}
	return &tools.Result{
		Message:    fmt.Sprintf("subnet %s updated: %s", name, strings.Join(fields, ", ")),
		Outputs:    map[string]string{"id": s.ID, "name": name, previousKey: string(tools.JSON(p.prev))},
		RequestIDs: ids,
	}, nil
}

func runSet(ctx context.Context, env *tools.Env, args SetArgs) (*tools.Result, error) {
	c, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	s, err := getByID(ctx, c, args.Subnet)
	if err != nil {
		return nil, err
	}
	return applyPlan(ctx, env, c, s, planSet(s, args))
}

// unsetAsSet is the subnet.set an unset amounts to on subnet s, and the
// values asked to be removed that s does not have.
func unsetAsSet(s *Subnet, args UnsetArgs) (SetArgs, []string) {
	set := SetArgs{Subnet: s.ID}
	var missing []string
	remove := func(what string, cur, drop []string, norm func(string) string) ([]string, bool) {
		if len(drop) == 0 {
			return nil, false
		}
		var gone []string
		for _, d := range drop {
			d = norm(d)
			if !slices.Contains(cur, d) {
				missing = append(missing, fmt.Sprintf("subnet %s has no %s %s", s.label(), what, d))
			}
			gone = append(gone, d)
		}
		return slices.DeleteFunc(slices.Clone(cur), func(x string) bool { return slices.Contains(gone, x) }), true
	}
	same := func(x string) string { return x }
	if args.Description {
		set.Description = ptr("")
	}
	if args.Gateway {
		set.Gateway = GatewayNone
	}
	if after, ok := remove("DNS server", s.DNSNameservers, args.DNSNameservers, same); ok {
		set.ClearDNSNameservers, set.DNSNameservers = true, nilIfEmpty(after)
	}
	if after, ok := remove("allocation pool", FormatPools(s.AllocationPools), args.AllocationPools, func(x string) string {
		if p, problem := ParsePool(x); problem == "" {
			return p.String()
		}
		return x
	}); ok {
		set.ClearAllocationPools, set.AllocationPools = true, nilIfEmpty(after)
	}
	if after, ok := remove("host route", routeStrings(s.HostRoutes), args.HostRoutes, func(x string) string {
		if r, problem := ParseRoute(x); problem == "" {
			return r.String()
		}
		return x
	}); ok {
		set.ClearHostRoutes, set.HostRoutes = true, nilIfEmpty(after)
	}
	if args.AllTag || len(args.Tag) > 0 {
		for _, t := range args.Tag {
			if !slices.Contains(s.Tags, t) {
				missing = append(missing, fmt.Sprintf("subnet %s has no tag %q", s.label(), t))
			}
		}
		set.ClearTags = true
		set.Tag = nilIfEmpty(network.TagsAfter(s.Tags, args.AllTag, nil, args.Tag))
	}
	return set, missing
}

func checkUnset(ctx context.Context, env *tools.Env, args UnsetArgs) (*tools.Check, error) {
	s, err := Resolve(ctx, env, args.Subnet)
	if err != nil {
		return nil, err
	}
	args.Subnet = s.ID
	chk := &tools.Check{Targets: []tools.Target{target(s)}, Resolved: tools.JSON(args), State: subnetState(s), Fetched: s}
	set, missing := unsetAsSet(s, args)
	for _, m := range missing {
		note(chk, tools.Info, m)
	}
	p := planSet(s, set)
	if p.empty() {
		note(chk, tools.Warn, fmt.Sprintf("subnet %s has nothing of this to unset; nothing changes", s.label()))
		return chk, nil
	}
	if args.Gateway {
		note(chk, tools.Warn, "without a gateway, servers on this subnet reach only their own network (and its host routes)")
	}
	return chk, checkPlan(ctx, env, s, p, chk)
}

func previewUnset(ctx context.Context, env *tools.Env, args UnsetArgs, chk *tools.Check) (*tools.Preview, error) {
	c, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	s, err := fetched(ctx, env, chk, args.Subnet)
	if err != nil {
		return nil, err
	}
	set, _ := unsetAsSet(s, args)
	return planPreview(c, s, planSet(s, set))
}

func runUnset(ctx context.Context, env *tools.Env, args UnsetArgs) (*tools.Result, error) {
	c, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	s, err := getByID(ctx, c, args.Subnet)
	if err != nil {
		return nil, err
	}
	set, _ := unsetAsSet(s, args)
	return applyPlan(ctx, env, c, s, planSet(s, set))
}

// --- subnet.delete ---

// subnetDependents is what deleting a subnet touches.
type subnetDependents struct {
	subnet *Subnet
	ports  []network.UsedPort
}

// blocks says whether Neutron refuses to delete the subnet because of
// port p: every address it handed out blocks, except those of ports it
// deletes itself (DHCP) and, on an auto-addressed IPv6 subnet, those it
// removes from ports itself (all but router interfaces).
func (d *subnetDependents) blocks(p network.UsedPort) bool {
	if p.AutoDeleted() {
		return false
	}
	if d.subnet.IPv6AddressMode != nil && slices.Contains(autoAddressModes, *d.subnet.IPv6AddressMode) {
		return isRouterPort(p.DeviceOwner)
	}
	return true
}

func findSubnetDependents(ctx context.Context, c *gophercloud.ServiceClient, s *Subnet) (*subnetDependents, error) {
	on, err := network.PortsOf(ctx, c, ports.ListOpts{FixedIPs: []ports.FixedIPOpts{{SubnetID: s.ID}}})
	if err != nil {
		return nil, err
	}
	sort.Slice(on, func(i, j int) bool { return on[i].ID < on[j].ID })
	return &subnetDependents{subnet: s, ports: on}, nil
}

// freeIt says what would free port p of subnet s.
func freeIt(s *Subnet, p network.UsedPort) string {
	switch p.DeviceOwner {
	case "network:router_interface", "network:router_interface_distributed", "network:ha_router_replicated_interface":
		return fmt.Sprintf("subnet %s is an interface of router %s; remove it first (openstack router remove subnet %s %s)", s.label(), p.DeviceID, p.DeviceID, s.ID)
	}
	return p.InUse()
}

func checkDelete(ctx context.Context, env *tools.Env, args DeleteArgs) (*tools.Check, error) {
	s, err := Resolve(ctx, env, args.Subnet)
	if err != nil {
		return nil, err
	}
	c, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	chk := &tools.Check{Targets: []tools.Target{target(s)}, Resolved: tools.JSON(DeleteArgs{Subnet: s.ID})}
	who, err := networks.WhoIs(ctx, env)
	if err != nil {
		return nil, err
	}
	if !who.Admin && s.ProjectID != who.ProjectID {
		block(chk, fmt.Sprintf("subnet %s belongs to project %s, not yours; only its owner or an admin can delete it", s.label(), s.ProjectID))
		return chk, nil
	}
	d, err := findSubnetDependents(ctx, c, s)
	if err != nil {
		return nil, err
	}
	chk.Fetched = d
	chk.State = fmt.Sprintf("ports=%d", len(d.ports))
	n := 0
	for _, p := range d.ports {
		if !d.blocks(p) {
			continue
		}
		if n++; n > 5 {
			continue
		}
		block(chk, "Neutron refuses to delete a subnet whose addresses are in use: "+freeIt(s, p))
	}
	if n > 5 {
		block(chk, fmt.Sprintf("and %d more port(s) with addresses on subnet %s", n-5, s.label()))
	}
	if n == 0 {
		note(chk, tools.Info, fmt.Sprintf("no port holds an address on subnet %s", s.label()))
	}
	return chk, nil
}

func previewDelete(ctx context.Context, env *tools.Env, args DeleteArgs, chk *tools.Check) (*tools.Preview, error) {
	c, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	if tools.IsRef(args.Subnet) {
		// It comes from an earlier step: nothing to look up before that
		// step runs, and the gate checks it again then.
		return &tools.Preview{Requests: []tools.Request{{Method: "DELETE", URL: c.ServiceURL("subnets", args.Subnet)}},
			Deletes: []tools.Dependent{{Kind: Kind, ID: args.Subnet, Name: args.Subnet, Fate: "deleted"}}}, nil
	}
	d, ok := tools.FetchedAs[*subnetDependents](chk)
	if !ok || d.subnet.ID != args.Subnet {
		s, err := Resolve(ctx, env, args.Subnet)
		if err != nil {
			return nil, err
		}
		if d, err = findSubnetDependents(ctx, c, s); err != nil {
			return nil, err
		}
	}
	s := d.subnet
	pv := &tools.Preview{
		Requests: []tools.Request{{Method: "DELETE", URL: c.ServiceURL("subnets", s.ID)}},
		Deletes:  []tools.Dependent{{Kind: Kind, ID: s.ID, Name: s.Name, Fate: s.CIDR + ", deleted"}},
	}
	for _, p := range d.ports {
		var ips []string
		for _, ip := range p.FixedIPs {
			if ip.SubnetID == s.ID {
				ips = append(ips, ip.IPAddress)
			}
		}
		fate := fmt.Sprintf("holds %s (%s): Neutron refuses the delete until it is freed", strings.Join(ips, ", "), ownerText(ctx, env, p))
		switch {
		case p.AutoDeleted():
			fate = fmt.Sprintf("holds %s (%s), deleted with the subnet", strings.Join(ips, ", "), ownerText(ctx, env, p))
		case !d.blocks(p):
			fate = fmt.Sprintf("holds %s (%s), which Neutron removes from the port", strings.Join(ips, ", "), ownerText(ctx, env, p))
		}
		pv.Deletes = append(pv.Deletes, tools.Dependent{Kind: "port", ID: p.ID, Name: p.Name, Fate: fate})
	}
	return pv, nil
}

// ownerText says who holds port p, with a server's name when it is one.
func ownerText(ctx context.Context, env *tools.Env, p network.UsedPort) string {
	switch {
	case p.DeviceOwner == "network:dhcp":
		return "Neutron's DHCP service"
	case strings.HasPrefix(p.DeviceOwner, "compute:"):
		if name := blockstorage.ServerName(ctx, env, p.DeviceID, false); name != p.DeviceID {
			return fmt.Sprintf("server %s (%s)", name, p.DeviceID)
		}
		return "server " + p.DeviceID
	case isRouterPort(p.DeviceOwner) && p.DeviceOwner != "network:router_gateway":
		return "router " + p.DeviceID + " as an interface"
	case p.DeviceOwner == "network:router_gateway":
		return "router " + p.DeviceID + " as its gateway"
	case p.DeviceOwner != "":
		return strings.TrimPrefix(p.DeviceOwner, "network:") + " " + p.DeviceID
	}
	return "attached to nothing"
}

func runDelete(ctx context.Context, env *tools.Env, args DeleteArgs) (*tools.Result, error) {
	c, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	label, netID := args.Subnet, ""
	if s, err := getByID(ctx, c, args.Subnet); err == nil {
		label, netID = s.label(), s.NetworkID
	}
	r := subnets.Delete(ctx, c, args.Subnet)
	ids := tools.HeaderRequestIDs(r.Header)
	switch {
	case gophercloud.ResponseCodeIs(r.Err, http.StatusNotFound):
		return &tools.Result{RequestIDs: ids}, &tools.NotFoundError{Kind: Kind, Name: args.Subnet}
	case gophercloud.ResponseCodeIs(r.Err, http.StatusConflict):
		return &tools.Result{RequestIDs: ids}, fmt.Errorf("delete subnet %s: %w (a port took an address on it after the preflight; run /subnet delete again to see which)", label, r.Err)
	case r.Err != nil:
		return &tools.Result{RequestIDs: ids}, fmt.Errorf("delete subnet %s: %w", label, r.Err)
	}
	return &tools.Result{
		Message:    fmt.Sprintf("subnet %s deleted", label),
		Outputs:    map[string]string{"id": args.Subnet, "network": netID},
		RequestIDs: ids,
	}, nil
}
