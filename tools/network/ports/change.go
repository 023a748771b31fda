package ports

// The port change tools: port.create, port.set, port.unset and
// port.delete. Set and unset share one planner (planUpdate) so that the
// preflight, the dry run and the run compute the same request from the
// port as it is.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/layer3/floatingips"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/portsecurity"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/ports"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/blockstorage"
	"github.com/kriscelmer/os-tui/tools/network"
	"github.com/kriscelmer/os-tui/tools/network/networks"
	"github.com/kriscelmer/os-tui/tools/network/secgroups"
	"github.com/kriscelmer/os-tui/tools/quota"
)

// Kind names a port in targets and findings.
const Kind = "port"

// previousKey is the output of port.set and port.unset that holds the
// old values, as port.set arguments, for the undo.
const previousKey = "previous"

// CreateArgs are the arguments of port.create.
type CreateArgs struct {
	Name                string       `json:"name,omitempty"`
	Network             string       `json:"network"`
	FixedIPs            []FixedIPArg `json:"fixed_ips,omitempty"`
	SecurityGroups      []string     `json:"security_groups,omitempty"`
	NoSecurityGroup     bool         `json:"no_security_group,omitempty"`
	PortSecurityEnabled *bool        `json:"port_security_enabled,omitempty"`
	AllowedAddressPairs []PairArg    `json:"allowed_address_pairs,omitempty"`
	Description         string       `json:"description,omitempty"`
	AdminStateUp        *bool        `json:"admin_state_up,omitempty"`
	MACAddress          string       `json:"mac_address,omitempty"`
	DeviceOwner         string       `json:"device_owner,omitempty"`
}

// SetArgs are the arguments of port.set. Lists add to what the port has;
// the No… switches clear it first, so "--no-security-group
// --security-group web" replaces the groups with web.
type SetArgs struct {
	Port                  string       `json:"port"`
	Name                  *string      `json:"name,omitempty"`
	Description           *string      `json:"description,omitempty"`
	SecurityGroups        []string     `json:"security_groups,omitempty"`
	NoSecurityGroup       bool         `json:"no_security_group,omitempty"`
	PortSecurityEnabled   *bool        `json:"port_security_enabled,omitempty"`
	AllowedAddressPairs   []PairArg    `json:"allowed_address_pairs,omitempty"`
	NoAllowedAddressPairs bool         `json:"no_allowed_address_pairs,omitempty"`
	FixedIPs              []FixedIPArg `json:"fixed_ips,omitempty"`
	NoFixedIP             bool         `json:"no_fixed_ip,omitempty"`
	AdminStateUp          *bool        `json:"admin_state_up,omitempty"`
}

// UnsetArgs are the arguments of port.unset: what to take off the port.
type UnsetArgs struct {
	Port                string       `json:"port"`
	SecurityGroups      []string     `json:"security_groups,omitempty"`
	AllowedAddressPairs []PairArg    `json:"allowed_address_pairs,omitempty"`
	FixedIPs            []FixedIPArg `json:"fixed_ips,omitempty"`
}

// DeleteArgs are the arguments of port.delete.
type DeleteArgs struct {
	Port string `json:"port"`
}

func changeTools() []tools.Tool {
	return []tools.Tool{
		tools.ChangeTool(tools.ChangeSpec[CreateArgs]{
			Name: "port.create", Effect: tools.Change, Service: network.Service,
			Produces: []string{"id", "name"},
			Subject:  func(a CreateArgs) (string, string) { return "network", a.Network },
			Check:    checkCreate, Preview: previewCreate, Run: runCreate,
			Undo: func(args CreateArgs, res *tools.Result) *tools.Call {
				id := tools.CreatedID(res, args.Name)
				return &tools.Call{Tool: "port.delete", Args: tools.JSON(DeleteArgs{Port: id}), Why: "undo creating the port"}
			},
		}),
		tools.ChangeTool(tools.ChangeSpec[SetArgs]{
			Name: "port.set", Effect: tools.Change, Service: network.Service,
			Produces: []string{"id", "name"},
			Subject:  func(a SetArgs) (string, string) { return Kind, a.Port },
			Check:    checkSet, Preview: previewSet, Run: runSet,
			Undo: undoUpdate("undo: set the port's old values back"),
		}),
		tools.ChangeTool(tools.ChangeSpec[UnsetArgs]{
			Name: "port.unset", Effect: tools.Change, Service: network.Service,
			Produces: []string{"id", "name"},
			Subject:  func(a UnsetArgs) (string, string) { return Kind, a.Port },
			Check:    checkUnset, Preview: previewUnset, Run: runUnset,
			Undo: func(_ UnsetArgs, res *tools.Result) *tools.Call {
				return undoUpdate("undo: put back what was taken off the port")(SetArgs{}, res)
			},
		}),
		tools.ChangeTool(tools.ChangeSpec[DeleteArgs]{
			Name: "port.delete", Effect: tools.Destroy, Service: network.Service,
			Produces: []string{"id"},
			Subject:  func(a DeleteArgs) (string, string) { return Kind, a.Port },
			Check:    checkDelete, Preview: previewDelete, Run: runDelete,
		}),
	}
}

// undoUpdate turns the "previous" output of a set or unset into the
// port.set that restores it. Under review (no run yet) it only names the
// tool.
func undoUpdate(why string) func(SetArgs, *tools.Result) *tools.Call {
	return func(_ SetArgs, res *tools.Result) *tools.Call {
		call := &tools.Call{Tool: "port.set", Args: tools.JSON(SetArgs{}), Why: why}
		if res == nil || res.Outputs[previousKey] == "" {
			return call
		}
		var prev SetArgs
		// Lenient on purpose: an output written by an older ostui may
		// carry fields this one no longer knows.
		if err := json.Unmarshal([]byte(res.Outputs[previousKey]), &prev); err != nil {
			return nil
		}
		if prev.Port == "" {
			prev.Port = res.Outputs["id"]
		}
		// Nothing changed, nothing to restore.
		if prev.Port == "" || string(tools.JSON(prev)) == string(tools.JSON(SetArgs{Port: prev.Port})) {
			return nil
		}
		call.Args = tools.JSON(prev)
		return call
	}
}

func portTarget(p *Port) tools.Target {
	return tools.Target{Kind: Kind, ID: p.ID, Name: p.Name}
}

// label names a port in findings: "web-port", or its ID when unnamed.
func (p *Port) label() string {
	if p.Name != "" {
		return p.Name
	}
	return p.ID
}

func (p *Port) used() network.UsedPort {
	return network.UsedPort{ID: p.ID, Name: p.Name, DeviceID: p.DeviceID, DeviceOwner: p.DeviceOwner, FixedIPs: p.FixedIPs}
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

// resolveGroups turns security group names into IDs, in the order given.
func resolveGroups(ctx context.Context, env *tools.Env, names []string) (ids, labels []string, err error) {
	for _, n := range names {
		g, err := secgroups.Resolve(ctx, env, n)
		if err != nil {
			return nil, nil, err
		}
		if !slices.Contains(ids, g.ID) {
			ids = append(ids, g.ID)
			labels = append(labels, g.Name)
		}
	}
	return ids, labels, nil
}

func pairsOf(all []PairArg) []ports.AddressPair {
	out := make([]ports.AddressPair, 0, len(all))
	for _, p := range all {
		out = append(out, ports.AddressPair{IPAddress: p.IPAddress, MACAddress: p.MACAddress})
	}
	return out
}

func ipsOf(all []FixedIPArg) []ports.IP {
	out := make([]ports.IP, 0, len(all))
	for _, f := range all {
		out = append(out, ports.IP{SubnetID: f.Subnet, IPAddress: f.IPAddress})
	}
	return out
}

// plainBody round-trips a request body through JSON, so a dry run shows
// (and a test compares) plain values rather than gophercloud's pointers.
func plainBody(body map[string]any) (any, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// portSecurityOn is what a new port on n gets unless told otherwise:
// the network's setting, which Neutron defaults to on.
func portSecurityOn(n *networks.Network, asked *bool) bool {
	if asked != nil {
		return *asked
	}
	return n.PortSecurityEnabled == nil || *n.PortSecurityEnabled
}

// --- port.create ---

func checkCreate(ctx context.Context, env *tools.Env, args CreateArgs) (*tools.Check, error) {
	c, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	n, err := networks.Resolve(ctx, env, args.Network)
	if err != nil {
		return nil, err
	}
	chk := &tools.Check{Targets: []tools.Target{{Kind: Kind, Name: args.Name}, {Kind: "network", ID: n.ID, Name: n.Name}}}
	resolved := args
	resolved.Network = n.ID
	if n.External {
		warn(chk, "network %s is external; ports on it are usually made by Neutron for routers and floating IPs", netLabel(n))
	}
	if resolved.FixedIPs, err = checkFixedIPs(ctx, env, c, n, args.FixedIPs, "", chk); err != nil {
		return nil, err
	}
	if len(args.FixedIPs) == 0 {
		subs, err := networkSubnets(ctx, c, n.ID)
		if err != nil {
			return nil, err
		}
		if len(subs) == 0 {
			warn(chk, "network %s has no subnet: the port gets no IP address", netLabel(n))
		} else {
			info(chk, "Neutron picks the address from %s", subnetLabels(subs))
		}
	}

	secure := portSecurityOn(n, args.PortSecurityEnabled)
	var groupLabels []string
	switch {
	case args.NoSecurityGroup && len(args.SecurityGroups) > 0:
		block(chk, "give --security-group or --no-security-group, not both")
	case len(args.SecurityGroups) > 0:
		if resolved.SecurityGroups, groupLabels, err = resolveGroups(ctx, env, args.SecurityGroups); err != nil {
			return nil, err
		}
		if !secure {
			if args.PortSecurityEnabled != nil {
				block(chk, "a port with port security disabled cannot have security groups (Neutron refuses both); drop --security-group, or leave out --disable-port-security")
			} else {
				block(chk, "network %s has port security disabled, so its ports cannot have security groups; add --enable-port-security or drop --security-group", netLabel(n))
			}
		} else {
			info(chk, "security groups: %s", strings.Join(groupLabels, ", "))
		}
	case !args.NoSecurityGroup && secure:
		info(chk, "the port gets the project's default security group (choose with --security-group, or none with --no-security-group)")
	}
	for _, p := range args.AllowedAddressPairs {
		if problem := p.check(); problem != "" {
			block(chk, "%s", problem)
		}
	}
	if len(args.AllowedAddressPairs) > 0 && !secure {
		block(chk, "allowed address pairs need port security, which is off for this port; drop --allowed-address or use --enable-port-security")
	}
	if args.MACAddress != "" {
		if err := checkMAC(ctx, env, c, n, args.MACAddress, chk); err != nil {
			return nil, err
		}
	}
	if args.Name != "" {
		same, err := network.PortsOf(ctx, c, ports.ListOpts{Name: args.Name})
		if err != nil {
			return nil, err
		}
		if len(same) > 0 {
			warn(chk, "%d port(s) named %s exist already; the name will need an ID to tell them apart", len(same), args.Name)
		}
	}
	if err := quota.Preflight(ctx, env, chk, "", quota.Need{Service: "network", Resource: "port", Delta: 1,
		Full: func(u tools.QuotaUse) string {
			return fmt.Sprintf("the port quota is full (%d of %d); delete a port you no longer need (/port delete PORT)", u.InUse, u.Limit)
		}}); err != nil {
		info(chk, "the port quota could not be read; Neutron checks it when the port is created")
	}
	chk.Resolved = tools.JSON(resolved)
	chk.State = "network=" + n.ID
	return chk, nil
}

// checkMAC refuses a malformed MAC or one already on the network
// (Neutron's MacAddressInUse).
func checkMAC(ctx context.Context, env *tools.Env, c *gophercloud.ServiceClient, n *networks.Network, mac string, chk *tools.Check) error {
	hw, err := net.ParseMAC(mac)
	if err != nil || len(hw) != 6 {
		block(chk, "%s is not a MAC address (fa:16:3e:12:34:56)", mac)
		return nil //nolint:nilerr // a malformed MAC is a finding, not a failure of the preflight
	}
	used, err := network.PortsOf(ctx, c, ports.ListOpts{NetworkID: n.ID, MACAddress: hw.String()})
	if err != nil {
		return err
	}
	if len(used) > 0 {
		block(chk, "MAC address %s is already used on network %s by %s; choose another or leave --mac-address out", hw, netLabel(n), holder(ctx, env, used[0]))
	}
	return nil
}

func createOpts(args CreateArgs) ports.CreateOptsBuilder {
	opts := ports.CreateOpts{
		NetworkID:    args.Network,
		Name:         args.Name,
		Description:  args.Description,
		AdminStateUp: args.AdminStateUp,
		MACAddress:   args.MACAddress,
		DeviceOwner:  args.DeviceOwner,
	}
	if len(args.FixedIPs) > 0 {
		opts.FixedIPs = ipsOf(args.FixedIPs)
	}
	switch {
	case args.NoSecurityGroup:
		opts.SecurityGroups = &[]string{}
	case len(args.SecurityGroups) > 0:
		sgs := slices.Clone(args.SecurityGroups)
		opts.SecurityGroups = &sgs
	}
	if len(args.AllowedAddressPairs) > 0 {
		opts.AllowedAddressPairs = pairsOf(args.AllowedAddressPairs)
	}
	if args.PortSecurityEnabled == nil {
		return opts
	}
	return portsecurity.PortCreateOptsExt{CreateOptsBuilder: opts, PortSecurityEnabled: args.PortSecurityEnabled}
}

func previewCreate(ctx context.Context, env *tools.Env, args CreateArgs, chk *tools.Check) (*tools.Preview, error) {
	c, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	raw, err := createOpts(args).ToPortCreateMap()
	if err != nil {
		return nil, err
	}
	body, err := plainBody(raw)
	if err != nil {
		return nil, err
	}
	what := "port"
	if args.Name != "" {
		what += " " + args.Name
	}
	what += " on network " + targetName(chk, "network", args.Network)
	if len(args.FixedIPs) > 0 {
		var ips []string
		for _, f := range args.FixedIPs {
			if f.IPAddress != "" {
				ips = append(ips, f.IPAddress)
			} else {
				ips = append(ips, "an address from subnet "+f.Subnet)
			}
		}
		what += " with " + strings.Join(ips, ", ")
	}
	return &tools.Preview{
		Requests: []tools.Request{{Method: "POST", URL: c.ServiceURL("ports"), Body: body}},
		Creates:  []string{what},
	}, nil
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

func runCreate(ctx context.Context, env *tools.Env, args CreateArgs) (*tools.Result, error) {
	c, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	r := ports.Create(ctx, c, createOpts(args))
	p, err := network.GetOne[Port](r.Result, "port")
	if err != nil {
		return &tools.Result{RequestIDs: tools.HeaderRequestIDs(r.Header)}, fmt.Errorf("create port: %w", err)
	}
	env.Names.Remember(Kind, p.Name)
	var ips []string
	for _, f := range p.FixedIPs {
		ips = append(ips, f.IPAddress)
	}
	where := p.NetworkID
	if n, err := networks.Resolve(ctx, env, p.NetworkID); err == nil && n.Name != "" {
		where = n.Name
	}
	msg := fmt.Sprintf("port %s created on network %s", p.label(), where)
	if len(ips) > 0 {
		msg += " with " + strings.Join(ips, ", ")
	}
	return &tools.Result{
		Message:    msg,
		Outputs:    map[string]string{"id": p.ID, "name": p.Name},
		RequestIDs: tools.HeaderRequestIDs(r.Header),
	}, nil
}

// --- port.set and port.unset ---

// update is what a set or unset does to one port: the request, the
// changes it makes, the arguments that would undo it, and the rules the
// result breaks.
type update struct {
	opts     ports.UpdateOptsBuilder
	changes  []tools.FieldChange
	previous SetArgs
	problems []string
}

func (u *update) empty() bool { return len(u.changes) == 0 }

// desired is the port as a set or unset leaves it.
type desired struct {
	name, description   string
	groups              []string
	secure              *bool
	pairs               []PairArg
	ips                 []FixedIPArg
	adminUp             bool
	groupsAdded, ipsSet bool
}

func currentOf(p *Port) desired {
	d := desired{name: p.Name, description: p.Description, groups: slices.Clone(p.SecurityGroups), secure: p.PortSecurityEnabled, adminUp: p.AdminStateUp}
	for _, a := range p.AllowedAddressPairs {
		d.pairs = append(d.pairs, PairArg{IPAddress: a.IPAddress, MACAddress: a.MACAddress})
	}
	for _, f := range p.FixedIPs {
		d.ips = append(d.ips, FixedIPArg{Subnet: f.SubnetID, IPAddress: f.IPAddress})
	}
	return d
}

// samePair compares pairs as Neutron does: a pair given without a MAC
// gets the port's own.
func samePair(a, b PairArg, portMAC string) bool {
	ma, mb := a.MACAddress, b.MACAddress
	if ma == "" {
		ma = portMAC
	}
	if mb == "" {
		mb = portMAC
	}
	return a.IPAddress == b.IPAddress && strings.EqualFold(ma, mb)
}

// sameIP reports whether a fixed IP given for removal names have: by
// address, or by subnet when no address is given.
func sameIP(want, have FixedIPArg) bool {
	if want.IPAddress != "" {
		return want.IPAddress == have.IPAddress && (want.Subnet == "" || want.Subnet == have.Subnet)
	}
	return want.Subnet == have.Subnet
}

// planUpdate computes the request that takes port p from now to want.
func planUpdate(p *Port, now, want desired) *update {
	u := &update{previous: SetArgs{Port: p.ID}}
	opts := ports.UpdateOpts{}
	var secure *bool
	if want.name != now.name {
		opts.Name = &want.name
		u.previous.Name = &now.name
		u.changes = append(u.changes, tools.FieldChange{Field: "name", From: now.name, To: want.name})
	}
	if want.description != now.description {
		opts.Description = &want.description
		u.previous.Description = &now.description
		u.changes = append(u.changes, tools.FieldChange{Field: "description", From: now.description, To: want.description})
	}
	if want.adminUp != now.adminUp {
		opts.AdminStateUp = &want.adminUp
		u.previous.AdminStateUp = &now.adminUp
		u.changes = append(u.changes, tools.FieldChange{Field: "admin_state_up", From: now.adminUp, To: want.adminUp})
	}
	if !sameSet(now.groups, want.groups) {
		g := append([]string{}, want.groups...)
		opts.SecurityGroups = &g
		u.previous.NoSecurityGroup = true
		u.previous.SecurityGroups = slices.Clone(now.groups)
		u.changes = append(u.changes, tools.FieldChange{Field: "security_groups", From: listOrNone(now.groups), To: listOrNone(want.groups)})
	}
	if want.secure != nil && (now.secure == nil || *now.secure != *want.secure) {
		secure = want.secure
		if now.secure != nil {
			u.previous.PortSecurityEnabled = now.secure
		}
		u.changes = append(u.changes, tools.FieldChange{Field: "port_security_enabled", From: network.Opt(now.secure), To: *want.secure})
	}
	if !samePairs(now.pairs, want.pairs, p.MACAddress) {
		pairs := pairsOf(want.pairs)
		opts.AllowedAddressPairs = &pairs
		u.previous.NoAllowedAddressPairs = true
		u.previous.AllowedAddressPairs = now.pairs
		u.changes = append(u.changes, tools.FieldChange{Field: "allowed_address_pairs", From: pairStrings(now.pairs), To: pairStrings(want.pairs)})
	}
	if want.ipsSet && !sameIPs(now.ips, want.ips) {
		opts.FixedIPs = ipsOf(want.ips)
		u.previous.NoFixedIP = true
		u.previous.FixedIPs = now.ips
		u.changes = append(u.changes, tools.FieldChange{Field: "fixed_ips", From: ipStrings(now.ips), To: ipStrings(want.ips)})
	}

	// Neutron's port security rules, said before Neutron says them.
	on := want.secure == nil || *want.secure
	switch {
	case !on && len(want.groups) > 0 && want.groupsAdded:
		u.problems = append(u.problems, fmt.Sprintf("security groups need port security, which port %s would have off; add --enable-port-security, or drop --security-group", p.label()))
	case !on && len(want.groups) > 0:
		u.problems = append(u.problems, fmt.Sprintf("port %s still has security group(s) %s, and Neutron refuses to disable port security on a port that has any; remove them in the same step: /port set %s --disable-port-security --no-security-group",
			p.label(), strings.Join(want.groups, ", "), p.label()))
	}
	if !on && len(want.pairs) > 0 {
		u.problems = append(u.problems, fmt.Sprintf("allowed address pairs need port security, and port %s would have it off; remove them in the same step with --no-allowed-address, or keep port security on", p.label()))
	}
	u.opts = opts
	if secure != nil {
		u.opts = portsecurity.PortUpdateOptsExt{UpdateOptsBuilder: opts, PortSecurityEnabled: secure}
	}
	return u
}

func listOrNone(s []string) any {
	if len(s) == 0 {
		return "(none)"
	}
	out := slices.Clone(s)
	sort.Strings(out)
	return out
}

func sameSet(a, b []string) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	sort.Strings(x)
	sort.Strings(y)
	return slices.Equal(x, y)
}

func samePairs(a, b []PairArg, mac string) bool {
	if len(a) != len(b) {
		return false
	}
	for _, p := range a {
		if !slices.ContainsFunc(b, func(q PairArg) bool { return samePair(p, q, mac) }) {
			return false
		}
	}
	return true
}

func sameIPs(a, b []FixedIPArg) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Subnet != b[i].Subnet || a[i].IPAddress != b[i].IPAddress {
			return false
		}
	}
	return true
}

func pairStrings(all []PairArg) any {
	if len(all) == 0 {
		return "(none)"
	}
	out := make([]string, 0, len(all))
	for _, p := range all {
		out = append(out, p.String())
	}
	return out
}

func ipStrings(all []FixedIPArg) any {
	if len(all) == 0 {
		return "(none)"
	}
	out := make([]string, 0, len(all))
	for _, f := range all {
		out = append(out, f.String())
	}
	return out
}

// portState sums up what a set or unset depends on; a change between
// approval and run shows the plan again.
func portState(p *Port) string {
	d := currentOf(p)
	groups := slices.Clone(d.groups)
	sort.Strings(groups)
	return fmt.Sprintf("name=%q description=%q admin=%t secure=%v groups=%v pairs=%v ips=%v owner=%s device=%s",
		d.name, d.description, d.adminUp, network.Opt(d.secure), groups, pairStrings(d.pairs), ipStrings(d.ips), p.DeviceOwner, p.DeviceID)
}

// wantSet applies a (resolved) set to the port's current values.
func wantSet(p *Port, args SetArgs) desired {
	now := currentOf(p)
	want := currentOf(p)
	if args.Name != nil {
		want.name = *args.Name
	}
	if args.Description != nil {
		want.description = *args.Description
	}
	if args.AdminStateUp != nil {
		want.adminUp = *args.AdminStateUp
	}
	if args.NoSecurityGroup {
		want.groups = nil
	}
	for _, g := range args.SecurityGroups {
		if !slices.Contains(want.groups, g) {
			want.groups = append(want.groups, g)
			want.groupsAdded = !slices.Contains(now.groups, g) || want.groupsAdded
		}
	}
	if args.PortSecurityEnabled != nil {
		want.secure = args.PortSecurityEnabled
	}
	if args.NoAllowedAddressPairs {
		want.pairs = nil
	}
	for _, a := range args.AllowedAddressPairs {
		if !slices.ContainsFunc(want.pairs, func(q PairArg) bool { return samePair(a, q, p.MACAddress) }) {
			want.pairs = append(want.pairs, PairArg{IPAddress: a.IPAddress, MACAddress: a.MACAddress})
		}
	}
	if args.NoFixedIP || len(args.FixedIPs) > 0 {
		want.ipsSet = true
		if args.NoFixedIP {
			want.ips = nil
		}
		for _, f := range args.FixedIPs {
			if f.IPAddress == "" || !slices.ContainsFunc(want.ips, func(h FixedIPArg) bool { return h.IPAddress == f.IPAddress }) {
				want.ips = append(want.ips, f)
			}
		}
	}
	return want
}

// wantUnset takes a (resolved) unset off the port's current values.
func wantUnset(p *Port, args UnsetArgs) desired {
	want := currentOf(p)
	want.groups = slices.DeleteFunc(want.groups, func(g string) bool { return slices.Contains(args.SecurityGroups, g) })
	want.pairs = slices.DeleteFunc(want.pairs, func(h PairArg) bool {
		return slices.ContainsFunc(args.AllowedAddressPairs, func(a PairArg) bool {
			return a.IPAddress == h.IPAddress && (a.MACAddress == "" || strings.EqualFold(a.MACAddress, h.MACAddress))
		})
	})
	if len(args.FixedIPs) > 0 {
		want.ipsSet = true
		want.ips = slices.DeleteFunc(want.ips, func(h FixedIPArg) bool {
			return slices.ContainsFunc(args.FixedIPs, func(f FixedIPArg) bool { return sameIP(f, h) })
		})
	}
	return want
}

// checkUpdate is the part of set's and unset's preflight that follows
// from the plan: Neutron's rules, an empty change, a server losing its
// addresses.
func checkUpdate(p *Port, u *update, want desired, chk *tools.Check) {
	for _, problem := range u.problems {
		block(chk, "%s", problem)
	}
	if u.empty() && !chk.Blocked() {
		warn(chk, "nothing changes: port %s already is as asked", p.label())
	}
	if want.ipsSet && len(want.ips) == 0 && len(p.FixedIPs) > 0 && p.DeviceOwner != "" {
		warn(chk, "port %s would have no IP address left while %s uses it", p.label(), p.DeviceOwner)
	}
	chk.Targets = []tools.Target{portTarget(p)}
	chk.State = portState(p)
	chk.Fetched = p
}

func checkSet(ctx context.Context, env *tools.Env, args SetArgs) (*tools.Check, error) {
	p, err := Resolve(ctx, env, args.Port)
	if err != nil {
		return nil, err
	}
	chk := &tools.Check{}
	resolved := args
	resolved.Port = p.ID
	if args.NoSecurityGroup || len(args.SecurityGroups) > 0 {
		var labels []string
		if resolved.SecurityGroups, labels, err = resolveGroups(ctx, env, args.SecurityGroups); err != nil {
			return nil, err
		}
		if len(labels) > 0 {
			info(chk, "security groups to add: %s", strings.Join(labels, ", "))
		}
	}
	for _, a := range args.AllowedAddressPairs {
		if problem := a.check(); problem != "" {
			block(chk, "%s", problem)
		}
	}
	if len(args.FixedIPs) > 0 {
		c, err := network.Client(ctx, env)
		if err != nil {
			return nil, err
		}
		n, err := networks.Resolve(ctx, env, p.NetworkID)
		if err != nil {
			return nil, err
		}
		if resolved.FixedIPs, err = checkFixedIPs(ctx, env, c, n, args.FixedIPs, p.ID, chk); err != nil {
			return nil, err
		}
	}
	want := wantSet(p, resolved)
	checkUpdate(p, planUpdate(p, currentOf(p), want), want, chk)
	chk.Resolved = tools.JSON(resolved)
	return chk, nil
}

func checkUnset(ctx context.Context, env *tools.Env, args UnsetArgs) (*tools.Check, error) {
	p, err := Resolve(ctx, env, args.Port)
	if err != nil {
		return nil, err
	}
	chk := &tools.Check{}
	resolved := args
	resolved.Port = p.ID
	resolved.SecurityGroups = nil
	for _, name := range args.SecurityGroups {
		id := name
		// A group on the port may be one the person cannot read (an
		// admin's); its ID is enough to take it off.
		if !slices.Contains(p.SecurityGroups, name) {
			g, err := secgroups.Resolve(ctx, env, name)
			if err != nil {
				return nil, err
			}
			id = g.ID
		}
		if !slices.Contains(p.SecurityGroups, id) {
			warn(chk, "security group %s is not on port %s", name, p.label())
		}
		resolved.SecurityGroups = append(resolved.SecurityGroups, id)
	}
	for _, a := range args.AllowedAddressPairs {
		if problem := a.check(); problem != "" {
			block(chk, "%s", problem)
			continue
		}
		if !slices.ContainsFunc(p.AllowedAddressPairs, func(h AddressPair) bool {
			return h.IPAddress == a.IPAddress && (a.MACAddress == "" || strings.EqualFold(a.MACAddress, h.MACAddress))
		}) {
			warn(chk, "allowed address %s is not on port %s", a, p.label())
		}
	}
	resolved.FixedIPs = nil
	for _, f := range args.FixedIPs {
		if f.problem != "" {
			block(chk, "%s", f.problem)
			continue
		}
		// The subnet is matched by name or ID among the port's own.
		if f.Subnet != "" && !slices.ContainsFunc(p.FixedIPs, func(h network.FixedIP) bool { return h.SubnetID == f.Subnet }) {
			c, err := network.Client(ctx, env)
			if err != nil {
				return nil, err
			}
			n, err := networks.Resolve(ctx, env, p.NetworkID)
			if err != nil {
				return nil, err
			}
			subs, err := networkSubnets(ctx, c, n.ID)
			if err != nil {
				return nil, err
			}
			s, problem, err := findSubnet(ctx, env, n, subs, f.Subnet)
			if err != nil {
				return nil, err
			}
			if problem != "" {
				block(chk, "%s", problem)
				continue
			}
			f.Subnet = s.ID
		}
		if !slices.ContainsFunc(currentOf(p).ips, func(h FixedIPArg) bool { return sameIP(f, h) }) {
			warn(chk, "port %s has no fixed IP %s", p.label(), f)
		}
		resolved.FixedIPs = append(resolved.FixedIPs, FixedIPArg{Subnet: f.Subnet, IPAddress: f.IPAddress})
	}
	want := wantUnset(p, resolved)
	checkUpdate(p, planUpdate(p, currentOf(p), want), want, chk)
	chk.Resolved = tools.JSON(resolved)
	return chk, nil
}

// fetchedPort is the port the preflight read, or the port read now.
func fetchedPort(ctx context.Context, env *tools.Env, id string, chk *tools.Check) (*Port, error) {
	if p, ok := tools.FetchedAs[*Port](chk); ok && p.ID == id {
		return p, nil
	}
	return Resolve(ctx, env, id)
}

func previewUpdate(ctx context.Context, env *tools.Env, p *Port, u *update) (*tools.Preview, error) {
	c, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	raw, err := u.opts.ToPortUpdateMap()
	if err != nil {
		return nil, err
	}
	body, err := plainBody(raw)
	if err != nil {
		return nil, err
	}
	return &tools.Preview{
		Requests: []tools.Request{{Method: "PUT", URL: c.ServiceURL("ports", p.ID), Body: body}},
		Changes:  u.changes,
	}, nil
}

func previewSet(ctx context.Context, env *tools.Env, args SetArgs, chk *tools.Check) (*tools.Preview, error) {
	p, err := fetchedPort(ctx, env, args.Port, chk)
	if err != nil {
		return nil, err
	}
	return previewUpdate(ctx, env, p, planUpdate(p, currentOf(p), wantSet(p, args)))
}

func previewUnset(ctx context.Context, env *tools.Env, args UnsetArgs, chk *tools.Check) (*tools.Preview, error) {
	p, err := fetchedPort(ctx, env, args.Port, chk)
	if err != nil {
		return nil, err
	}
	return previewUpdate(ctx, env, p, planUpdate(p, currentOf(p), wantUnset(p, args)))
}

// runUpdate reads the port right before changing it, so the lists sent
// whole (groups, pairs, addresses) are built on what it has now.
func runUpdate(ctx context.Context, env *tools.Env, id string, want func(*Port) desired) (*tools.Result, error) {
	p, err := Resolve(ctx, env, id)
	if err != nil {
		return nil, err
	}
	u := planUpdate(p, currentOf(p), want(p))
	if len(u.problems) > 0 {
		return nil, errors.New(u.problems[0])
	}
	c, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	r := ports.Update(ctx, c, p.ID, u.opts)
	after, err := network.GetOne[Port](r.Result, "port")
	if err != nil {
		return &tools.Result{RequestIDs: tools.HeaderRequestIDs(r.Header)}, fmt.Errorf("update port %s: %w", p.label(), err)
	}
	var fields []string
	for _, ch := range u.changes {
		fields = append(fields, ch.Field)
	}
	msg := fmt.Sprintf("port %s updated (%s)", after.label(), strings.Join(fields, ", "))
	if len(fields) == 0 {
		msg = fmt.Sprintf("port %s unchanged", after.label())
	}
	env.Names.Remember(Kind, after.Name)
	return &tools.Result{
		Message:    msg,
		Outputs:    map[string]string{"id": after.ID, "name": after.Name, previousKey: string(tools.JSON(u.previous))},
		RequestIDs: tools.HeaderRequestIDs(r.Header),
	}, nil
}

func runSet(ctx context.Context, env *tools.Env, args SetArgs) (*tools.Result, error) {
	return runUpdate(ctx, env, args.Port, func(p *Port) desired { return wantSet(p, args) })
}

func runUnset(ctx context.Context, env *tools.Env, args UnsetArgs) (*tools.Result, error) {
	return runUpdate(ctx, env, args.Port, func(p *Port) desired { return wantUnset(p, args) })
}

// --- port.delete ---

// boundFIP is a floating IP on the port being deleted.
type boundFIP struct {
	ID         string `json:"id"`
	FloatingIP string `json:"floating_ip_address"`
}

// doomed is what the delete's preflight read, for its dry run.
type doomed struct {
	port *Port
	fips []boundFIP
}

func floatingIPsOn(ctx context.Context, c *gophercloud.ServiceClient, portID string) ([]boundFIP, error) {
	all, err := network.ListAll[boundFIP](ctx, floatingips.List(c, floatingips.ListOpts{PortID: portID}), "floatingips")
	if err != nil {
		return nil, fmt.Errorf("list the floating IPs on port %s: %w", portID, err)
	}
	return all, nil
}

func checkDelete(ctx context.Context, env *tools.Env, args DeleteArgs) (*tools.Check, error) {
	p, err := Resolve(ctx, env, args.Port)
	if err != nil {
		return nil, err
	}
	c, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	chk := &tools.Check{Targets: []tools.Target{portTarget(p)}, Resolved: tools.JSON(DeleteArgs{Port: p.ID})}
	switch {
	case len(p.TrunkDetails) > 0 && string(p.TrunkDetails) != "null":
		var td struct {
			TrunkID string `json:"trunk_id"`
		}
		_ = json.Unmarshal(p.TrunkDetails, &td) // the ID only improves the sentence
		block(chk, "port %s is the parent port of trunk %s; delete the trunk first (/trunk delete %s)", p.label(), td.TrunkID, td.TrunkID)
	case p.DeviceOwner == "trunk:subport":
		block(chk, "port %s is a subport of trunk %s; take it off first (/trunk remove subport %s --subport %s)", p.label(), p.DeviceID, p.DeviceID, p.ID)
	case p.DeviceOwner != "":
		block(chk, "%s", holderSentence(ctx, env, p.used()))
	}
	fips, err := floatingIPsOn(ctx, c, p.ID)
	if err != nil {
		return nil, err
	}
	for _, f := range fips {
		info(chk, "floating IP %s on port %s is disassociated and stays allocated to the project", f.FloatingIP, p.label())
	}
	chk.State = fmt.Sprintf("owner=%s device=%s fips=%d", p.DeviceOwner, p.DeviceID, len(fips))
	chk.Fetched = doomed{port: p, fips: fips}
	return chk, nil
}

// holderSentence is UsedPort.InUse, with the server's name when a
// server holds the port.
func holderSentence(ctx context.Context, env *tools.Env, u network.UsedPort) string {
	if strings.HasPrefix(u.DeviceOwner, "compute:") {
		name := blockstorage.ServerName(ctx, env, u.DeviceID, false)
		return fmt.Sprintf("%s is used by server %s; delete the server or detach the port first (openstack server remove port %s %s)", u.Label(), name, name, u.ID)
	}
	return u.InUse()
}

func previewDelete(ctx context.Context, env *tools.Env, args DeleteArgs, chk *tools.Check) (*tools.Preview, error) {
	c, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	d, ok := tools.FetchedAs[doomed](chk)
	if !ok || d.port.ID != args.Port {
		p, err := Resolve(ctx, env, args.Port)
		if err != nil {
			return nil, err
		}
		fips, err := floatingIPsOn(ctx, c, p.ID)
		if err != nil {
			return nil, err
		}
		d = doomed{port: p, fips: fips}
	}
	pv := &tools.Preview{
		Requests: []tools.Request{{Method: "DELETE", URL: c.ServiceURL("ports", d.port.ID)}},
		Deletes:  []tools.Dependent{{Kind: Kind, ID: d.port.ID, Name: d.port.Name, Fate: "deleted with its addresses " + addresses(d.port)}},
	}
	for _, f := range d.fips {
		pv.Deletes = append(pv.Deletes, tools.Dependent{Kind: "floating IP", ID: f.ID, Name: f.FloatingIP, Fate: "disassociated, stays allocated to the project"})
	}
	return pv, nil
}

func addresses(p *Port) string {
	if len(p.FixedIPs) == 0 {
		return "(none)"
	}
	out := make([]string, 0, len(p.FixedIPs))
	for _, f := range p.FixedIPs {
		out = append(out, f.IPAddress)
	}
	return strings.Join(out, ", ")
}

func runDelete(ctx context.Context, env *tools.Env, args DeleteArgs) (*tools.Result, error) {
	// Read first, so the result names the port by the name people know.
	p, err := Resolve(ctx, env, args.Port)
	if err != nil {
		return nil, err
	}
	c, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	r := ports.Delete(ctx, c, p.ID)
	if r.Err != nil {
		if gophercloud.ResponseCodeIs(r.Err, http.StatusNotFound) {
			return nil, &tools.NotFoundError{Kind: Kind, Name: p.label()}
		}
		return &tools.Result{RequestIDs: tools.HeaderRequestIDs(r.Header)}, fmt.Errorf("delete port %s: %w", p.label(), r.Err)
	}
	return &tools.Result{
		Message:    fmt.Sprintf("port %s deleted", p.label()),
		Outputs:    map[string]string{"id": p.ID},
		RequestIDs: tools.HeaderRequestIDs(r.Header),
	}, nil
}
