package networks

// The tools that change networks: network.create, network.set,
// network.unset and network.delete. Sharing with other projects (RBAC)
// is in rbac.go.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/dns"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/external"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/mtu"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/portsecurity"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/rbacpolicies"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/networks"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/ports"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/subnets"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/blockstorage"
	"github.com/kriscelmer/os-tui/tools/network"
	"github.com/kriscelmer/os-tui/tools/quota"
)

// Kind is the resource kind of a network in targets and name completion.
const Kind = "network"

// previousKey is the output of network.set and network.unset holding
// the old values, as network.set arguments, for their undo.
const previousKey = "previous"

// CreateArgs are the arguments of network.create. Pointers tell "not
// given" (Neutron's default) from false.
type CreateArgs struct {
	Name                string   `json:"name"`
	Description         string   `json:"description,omitempty"`
	AdminStateUp        *bool    `json:"admin_state_up,omitempty"`
	Shared              *bool    `json:"shared,omitempty"`
	External            *bool    `json:"external,omitempty"`
	MTU                 int      `json:"mtu,omitempty"`
	PortSecurityEnabled *bool    `json:"port_security_enabled,omitempty"`
	DNSDomain           string   `json:"dns_domain,omitempty"`
	Tag                 []string `json:"tag,omitempty"`
}

// SetArgs are the arguments of network.set; its undo is a network.set
// too, so every field a set changes can be given back.
type SetArgs struct {
	Network             string   `json:"network"`
	Name                *string  `json:"name,omitempty"`
	Description         *string  `json:"description,omitempty"`
	AdminStateUp        *bool    `json:"admin_state_up,omitempty"`
	Shared              *bool    `json:"shared,omitempty"`
	External            *bool    `json:"external,omitempty"`
	MTU                 *int     `json:"mtu,omitempty"`
	PortSecurityEnabled *bool    `json:"port_security_enabled,omitempty"`
	DNSDomain           *string  `json:"dns_domain,omitempty"`
	Tag                 []string `json:"tag,omitempty"`
	ClearTags           bool     `json:"clear_tags,omitempty"`
}

// UnsetArgs are the arguments of network.unset.
type UnsetArgs struct {
	Network     string   `json:"network"`
	Description bool     `json:"description,omitempty"`
	Tag         []string `json:"tag,omitempty"`
	AllTag      bool     `json:"all_tag,omitempty"`
}

// DeleteArgs are the arguments of network.delete.
type DeleteArgs struct {
	Network string `json:"network"`
}

func subject(network string) (string, string) { return Kind, network }

func changeTools() []tools.Tool {
	return []tools.Tool{
		tools.ChangeTool(tools.ChangeSpec[CreateArgs]{
			Name: "network.create", Effect: tools.Change, Service: network.Service,
			Produces: []string{"id", "name"},
			Check:    checkCreate, Preview: previewCreate, Run: runCreate,
			Undo: func(args CreateArgs, res *tools.Result) *tools.Call {
				target := tools.CreatedID(res, args.Name)
				return &tools.Call{Tool: "network.delete", Args: tools.JSON(DeleteArgs{Network: target}), Why: "undo creating network " + args.Name}
			},
		}),
		tools.ChangeTool(tools.ChangeSpec[SetArgs]{
			Name: "network.set", Effect: tools.Change, Service: network.Service,
			Produces: []string{"id", "name"},
			Subject:  func(a SetArgs) (string, string) { return subject(a.Network) },
			Check:    checkSet, Preview: previewSet, Run: runSet,
			Undo: func(_ SetArgs, res *tools.Result) *tools.Call {
				return undoToSet(res, "undo: set the network's old values back")
			},
		}),
		tools.ChangeTool(tools.ChangeSpec[UnsetArgs]{
			Name: "network.unset", Effect: tools.Change, Service: network.Service,
			Produces: []string{"id", "name"},
			Subject:  func(a UnsetArgs) (string, string) { return subject(a.Network) },
			Check:    checkUnset, Preview: previewUnset, Run: runUnset,
			Undo: func(_ UnsetArgs, res *tools.Result) *tools.Call {
				return undoToSet(res, "undo: give the network its description and tags back")
			},
		}),
		tools.ChangeTool(tools.ChangeSpec[DeleteArgs]{
			Name: "network.delete", Effect: tools.Destroy, Service: network.Service,
			Produces: []string{"id"},
			Subject:  func(a DeleteArgs) (string, string) { return subject(a.Network) },
			Check:    checkDelete, Preview: previewDelete, Run: runDelete,
		}),
	}
}

// undoToSet is the network.set that gives back what a set or unset
// changed, read from its "previous" output.
func undoToSet(res *tools.Result, why string) *tools.Call {
	if res == nil || res.Outputs[previousKey] == "" {
		return nil
	}
	prev, err := tools.Decode[SetArgs](tools.Args(res.Outputs[previousKey]))
	if err != nil || prev.Network == "" {
		return nil
	}
	return &tools.Call{Tool: "network.set", Args: tools.JSON(prev), Why: why}
}

// Caller is who a step runs as: the token's project and whether it holds
// the admin role, which Neutron's default policy asks for sharing a
// network with everyone, making it external, or changing another
// project's network.
type Caller struct {
	ProjectID string
	Admin     bool
	Roles     []string
}

// WhoIs reads the caller from the session's token.
func WhoIs(ctx context.Context, env *tools.Env) (*Caller, error) {
	id, err := tools.CurrentIdentity(ctx, env)
	if err != nil {
		return nil, err
	}
	return &Caller{ProjectID: id.ProjectID, Admin: slices.Contains(id.Roles, "admin"), Roles: id.Roles}, nil
}

// rolesText names the caller's roles for a finding.
func (c *Caller) rolesText() string {
	if len(c.Roles) == 0 {
		return "no role"
	}
	return "roles " + strings.Join(c.Roles, ", ")
}

// Owns reports whether the caller may change network n: its project
// owns it, or it is an admin.
func (c *Caller) Owns(n *Network) bool { return c.Admin || n.ProjectID == c.ProjectID }

// notOwner is the finding for a network the caller may not change.
func notOwner(n *Network, what string) tools.Finding {
	return tools.Finding{Level: tools.Block, Text: fmt.Sprintf(
		"network %s belongs to project %s, not yours; only its owner or an admin can %s it", n.label(), n.ProjectID, what)}
}

// label names a network in findings: its name, or its ID without one.
func (n *Network) label() string {
	if n.Name != "" {
		return n.Name
	}
	return n.ID
}

func target(n *Network) tools.Target { return tools.Target{Kind: Kind, ID: n.ID, Name: n.Name} }

// adminOnly is the finding for an attribute Neutron's default policy
// keeps for admins (shared, router:external).
func adminOnly(c *Caller, what, instead string) tools.Finding {
	return tools.Finding{Level: tools.Block, Text: fmt.Sprintf(
		"Neutron lets only an admin %s, and you have %s; %s", what, c.rolesText(), instead)}
}

// plainBody turns a request body built by gophercloud into plain JSON
// values: some extension builders put pointers in the map, which a
// review would print as addresses.
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

// extensionNeeds are the Neutron extensions an argument needs, with the
// sentence to say when the cloud lacks one.
type extensionNeed struct {
	alias, flag, why string
}

// needExtensions adds a Block for every extension in needs the cloud
// lacks.
func needExtensions(ctx context.Context, c *gophercloud.ServiceClient, chk *tools.Check, needs []extensionNeed) error {
	for _, n := range needs {
		ok, err := network.HasExtension(ctx, c, n.alias)
		if err != nil {
			return err
		}
		if !ok {
			chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block,
				Text: fmt.Sprintf("this cloud's Neutron has no %s extension, so %s; leave out %s", n.alias, n.why, n.flag)})
		}
	}
	return nil
}

// dnsDomainProblem checks a DNS domain as Neutron does: a fully
// qualified name, which ends with a dot.
func dnsDomainProblem(d string) string {
	if d == "" || strings.HasSuffix(d, ".") {
		return ""
	}
	return fmt.Sprintf("DNS domain %q must be fully qualified and end with a dot: %s.", d, d)
}

// --- network.create ---

func createOpts(args CreateArgs) networks.CreateOptsBuilder {
	var b networks.CreateOptsBuilder = networks.CreateOpts{
		Name: args.Name, Description: args.Description, AdminStateUp: args.AdminStateUp, Shared: args.Shared,
	}
	if args.External != nil {
		b = external.CreateOptsExt{CreateOptsBuilder: b, External: args.External}
	}
	if args.MTU != 0 {
		b = mtu.CreateOptsExt{CreateOptsBuilder: b, MTU: args.MTU}
	}
	if args.PortSecurityEnabled != nil {
		b = portsecurity.NetworkCreateOptsExt{CreateOptsBuilder: b, PortSecurityEnabled: args.PortSecurityEnabled}
	}
	if args.DNSDomain != "" {
		b = dns.NetworkCreateOptsExt{CreateOptsBuilder: b, DNSDomain: args.DNSDomain}
	}
	return b
}

func checkCreate(ctx context.Context, env *tools.Env, args CreateArgs) (*tools.Check, error) {
	c, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	chk := &tools.Check{Targets: []tools.Target{{Kind: Kind, Name: args.Name}}}
	same, err := network.ListAll[Network](ctx, networks.List(c, networks.ListOpts{Name: args.Name}), "networks")
	if err != nil {
		return nil, fmt.Errorf("list networks named %s: %w", args.Name, err)
	}
	if len(same) > 0 {
		// Neutron allows it; every later command naming the network
		// would then need its ID.
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Warn, Text: fmt.Sprintf(
			"a network named %s already exists (%s); Neutron allows a second one, but commands will then need the ID instead of the name — choose another name unless you mean it",
			args.Name, same[0].ID)})
	}
	who, err := WhoIs(ctx, env)
	if err != nil {
		return nil, err
	}
	if args.Shared != nil && *args.Shared && !who.Admin {
		chk.Findings = append(chk.Findings, adminOnly(who, "create a network shared with every project",
			"create it unshared and share it with one project: /network share NETWORK --project PROJECT"))
	}
	if args.External != nil && *args.External && !who.Admin {
		chk.Findings = append(chk.Findings, adminOnly(who, "create an external network",
			"routers reach the outside through the cloud's existing external network (/network list --external)"))
	}
	if p := dnsDomainProblem(args.DNSDomain); p != "" {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block, Text: p})
	}
	var needs []extensionNeed
	if args.MTU != 0 {
		needs = append(needs, extensionNeed{"net-mtu-writable", "--mtu", "it sets a network's MTU itself"})
	}
	if args.PortSecurityEnabled != nil {
		needs = append(needs, extensionNeed{"port-security", "--enable-port-security/--disable-port-security", "it has no port security to switch"})
	}
	if args.DNSDomain != "" {
		needs = append(needs, extensionNeed{"dns-integration", "--dns-domain", "it keeps no DNS domain on networks"})
	}
	if len(args.Tag) > 0 {
		needs = append(needs, extensionNeed{"standard-attr-tag", "--tag", "it keeps no tags"})
	}
	if err := needExtensions(ctx, c, chk, needs); err != nil {
		return nil, err
	}
	if args.PortSecurityEnabled != nil && !*args.PortSecurityEnabled {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Warn,
			Text: "ports on a network without port security get no security groups and no anti-spoofing: every server on it is open to everything that reaches it"})
	}
	if err := quota.Preflight(ctx, env, chk, who.ProjectID, quota.Need{Service: "network", Resource: "network", Delta: 1,
		Full: func(u tools.QuotaUse) string {
			return fmt.Sprintf("the network quota is full (%d of %d); delete an unused network with /network delete or ask for more quota", u.InUse, u.Limit)
		}}); err != nil {
		return nil, err
	}
	chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Info, Text: fmt.Sprintf(
		"a network has no addresses until it has a subnet: /subnet create --network %s --subnet-range CIDR %s-subnet", args.Name, args.Name)})
	return chk, nil
}

func previewCreate(ctx context.Context, env *tools.Env, args CreateArgs, _ *tools.Check) (*tools.Preview, error) {
	c, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	raw, err := createOpts(args).ToNetworkCreateMap()
	if err != nil {
		return nil, err
	}
	body, err := plainBody(raw)
	if err != nil {
		return nil, err
	}
	pv := &tools.Preview{
		Requests: []tools.Request{{Method: "POST", URL: c.ServiceURL("networks"), Body: body}},
		Creates:  []string{"network " + args.Name},
	}
	if len(args.Tag) > 0 {
		pv.Requests = append(pv.Requests, network.TagsRequest(c, "networks", "{id}", args.Tag))
	}
	return pv, nil
}

func runCreate(ctx context.Context, env *tools.Env, args CreateArgs) (*tools.Result, error) {
	c, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	r := networks.Create(ctx, c, createOpts(args))
	ids := tools.HeaderRequestIDs(r.Header)
	n, err := network.GetOne[Network](r.Result, "network")
	if err != nil {
		return &tools.Result{RequestIDs: ids}, fmt.Errorf("create network %s: %w", args.Name, err)
	}
	if len(args.Tag) > 0 {
		more, err := network.TagNew(ctx, c, "networks", n.ID, args.Tag, "network", args.Name, "/network delete")
		ids = append(ids, more...)
		if err != nil {
			return &tools.Result{RequestIDs: ids}, err
		}
	}
	env.Names.Remember(Kind, n.Name)
	env.Lookups.Forget(Kind)
	return &tools.Result{
		Message:    fmt.Sprintf("network %s created (%s)", n.Name, n.ID),
		Outputs:    map[string]string{"id": n.ID, "name": n.Name},
		RequestIDs: ids,
	}, nil
}

// --- network.set ---

// setPlan is what a network.set or unset does to one network: the
// update body (nil when no attribute changes), the tags after it (nil
// when they stay), the fields it changes, and the network.set that
// gives them back.
type setPlan struct {
	update  networks.UpdateOptsBuilder
	tags    []string
	changes []tools.FieldChange
	prev    SetArgs
}

func (p *setPlan) empty() bool { return p.update == nil && p.tags == nil }

// planSet compares network n with what args ask for.
func planSet(n *Network, args SetArgs) *setPlan {
	p := &setPlan{prev: SetArgs{Network: n.ID}}
	var base networks.UpdateOpts
	baseSet := false
	change := func(field string, from, to any) {
		p.changes = append(p.changes, tools.FieldChange{Field: field, From: from, To: to})
	}
	if args.Name != nil && *args.Name != n.Name {
		base.Name, p.prev.Name, baseSet = args.Name, ptr(n.Name), true
		change("name", n.Name, *args.Name)
	}
	if args.Description != nil && *args.Description != n.Description {
		base.Description, p.prev.Description, baseSet = args.Description, ptr(n.Description), true
		change("description", n.Description, *args.Description)
	}
	if args.AdminStateUp != nil && *args.AdminStateUp != n.AdminStateUp {
		base.AdminStateUp, p.prev.AdminStateUp, baseSet = args.AdminStateUp, ptr(n.AdminStateUp), true
		change("admin_state_up", n.AdminStateUp, *args.AdminStateUp)
	}
	if args.Shared != nil && *args.Shared != n.Shared {
		base.Shared, p.prev.Shared, baseSet = args.Shared, ptr(n.Shared), true
		change("shared", n.Shared, *args.Shared)
	}
	var b networks.UpdateOptsBuilder = base
	if args.External != nil && *args.External != n.External {
		b, p.prev.External, baseSet = external.UpdateOptsExt{UpdateOptsBuilder: b, External: args.External}, ptr(n.External), true
		change("router:external", n.External, *args.External)
	}
	if args.MTU != nil && (n.MTU == nil || *args.MTU != *n.MTU) {
		b, baseSet = mtu.UpdateOptsExt{UpdateOptsBuilder: b, MTU: *args.MTU}, true
		if n.MTU != nil {
			p.prev.MTU = ptr(*n.MTU)
		}
		change("mtu", network.Opt(n.MTU), *args.MTU)
	}
	if args.PortSecurityEnabled != nil && (n.PortSecurityEnabled == nil || *args.PortSecurityEnabled != *n.PortSecurityEnabled) {
		b, baseSet = portsecurity.NetworkUpdateOptsExt{UpdateOptsBuilder: b, PortSecurityEnabled: args.PortSecurityEnabled}, true
		if n.PortSecurityEnabled != nil {
			p.prev.PortSecurityEnabled = ptr(*n.PortSecurityEnabled)
		}
		change("port_security_enabled", network.Opt(n.PortSecurityEnabled), *args.PortSecurityEnabled)
	}
	if args.DNSDomain != nil && (n.DNSDomain == nil || *args.DNSDomain != *n.DNSDomain) {
		b, baseSet = dns.NetworkUpdateOptsExt{UpdateOptsBuilder: b, DNSDomain: args.DNSDomain}, true
		old := ""
		if n.DNSDomain != nil {
			old = *n.DNSDomain
		}
		p.prev.DNSDomain = &old
		change("dns_domain", old, *args.DNSDomain)
	}
	if baseSet {
		p.update = b
	}
	if args.ClearTags || len(args.Tag) > 0 {
		after := network.TagsAfter(n.Tags, args.ClearTags, args.Tag, nil)
		if !network.SameTags(after, n.Tags) {
			p.tags = after
			change("tags", network.Tags(n.Tags), after)
			p.prev.ClearTags = true
			p.prev.Tag = network.Tags(n.Tags)
			if len(p.prev.Tag) == 0 {
				p.prev.Tag = nil
			}
		}
	}
	return p
}

func ptr[T any](v T) *T { return &v }

// networkState fingerprints what a set depends on.
func networkState(n *Network) string {
	return fmt.Sprintf("name=%q description=%q admin_state_up=%t shared=%t external=%t mtu=%v port_security=%v dns_domain=%v tags=%q",
		n.Name, n.Description, n.AdminStateUp, n.Shared, n.External, network.Opt(n.MTU), network.Opt(n.PortSecurityEnabled), network.Opt(n.DNSDomain), network.Tags(n.Tags))
}

// portsOn lists ports, sorted so findings read the same every time.
func portsOn(ctx context.Context, c *gophercloud.ServiceClient, opts ports.ListOpts) ([]network.UsedPort, error) {
	all, err := network.PortsOf(ctx, c, opts)
	if err != nil {
		return nil, err
	}
	sort.Slice(all, func(i, j int) bool { return all[i].ID < all[j].ID })
	return all, nil
}

// labels names up to five ports, and how many more there are.
func labels(ps []network.UsedPort, each func(network.UsedPort) string) string {
	var out []string
	for i, p := range ps {
		if i == 5 {
			out = append(out, fmt.Sprintf("and %d more", len(ps)-5))
			break
		}
		out = append(out, each(p))
	}
	return strings.Join(out, "; ")
}

// checkSetRules applies Neutron's rules on changing n to the plan p.
func checkSetRules(ctx context.Context, env *tools.Env, c *gophercloud.ServiceClient, n *Network, args SetArgs, p *setPlan, chk *tools.Check) error {
	who, err := WhoIs(ctx, env)
	if err != nil {
		return err
	}
	if !who.Owns(n) {
		chk.Findings = append(chk.Findings, notOwner(n, "change"))
		return nil
	}
	changed := map[string]bool{}
	for _, ch := range p.changes {
		changed[ch.Field] = true
	}
	if changed["shared"] && !who.Admin {
		what, instead := "share a network with every project", "share it with one project instead: /network share "+n.label()+" --project PROJECT"
		if !*args.Shared {
			what, instead = "make a shared network private", "ask an admin"
		}
		chk.Findings = append(chk.Findings, adminOnly(who, what, instead))
	}
	if changed["router:external"] && !who.Admin {
		chk.Findings = append(chk.Findings, adminOnly(who, "change whether a network is external", "ask an admin"))
	}
	if changed["shared"] && !*args.Shared {
		// Neutron refuses to unshare a network other projects use.
		all, err := portsOn(ctx, c, ports.ListOpts{NetworkID: n.ID})
		if err != nil {
			return err
		}
		var others []network.UsedPort
		for _, pt := range all {
			if pt.ProjectID != "" && pt.ProjectID != n.ProjectID {
				others = append(others, pt)
			}
		}
		if len(others) > 0 {
			chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block, Text: fmt.Sprintf(
				"other projects have %d port(s) on network %s (%s) and Neutron refuses to unshare a network they use; they must delete those ports (or servers) first",
				len(others), n.label(), labels(others, func(p network.UsedPort) string { return p.Label() + " of project " + p.ProjectID }))})
		}
	}
	if changed["router:external"] && !*args.External {
		gws, err := portsOn(ctx, c, ports.ListOpts{NetworkID: n.ID, DeviceOwner: "network:router_gateway"})
		if err != nil {
			return err
		}
		if len(gws) > 0 {
			chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block, Text: fmt.Sprintf(
				"%d router(s) use network %s as their external gateway and Neutron refuses to make it internal under them: %s",
				len(gws), n.label(), labels(gws, func(p network.UsedPort) string { return p.InUse() }))})
		}
	}
	if changed["mtu"] && *args.MTU < 1280 {
		ss, err := network.ListAll[struct {
			ID        string `json:"id"`
			Name      string `json:"name"`
			IPVersion int    `json:"ip_version"`
		}](ctx, subnets.List(c, subnets.ListOpts{NetworkID: n.ID, IPVersion: 6}), "subnets")
		if err != nil {
			return fmt.Errorf("list IPv6 subnets of network %s: %w", n.label(), err)
		}
		if len(ss) > 0 {
			chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block, Text: fmt.Sprintf(
				"network %s has IPv6 subnet %s and IPv6 needs an MTU of at least 1280; give --mtu 1280 or more", n.label(), ss[0].Name)})
		}
	}
	if changed["admin_state_up"] && !*args.AdminStateUp {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Warn, Text: fmt.Sprintf(
			"with network %s down, Neutron stops forwarding traffic on it: every server and router on it loses that network", n.label())})
	}
	if changed["port_security_enabled"] {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Info,
			Text: "port security applies to ports created from now on; existing ports keep theirs (change them with openstack port set)"})
	}
	if p := dnsDomainProblem(deref(args.DNSDomain)); p != "" {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block, Text: p})
	}
	var needs []extensionNeed
	if changed["mtu"] {
		needs = append(needs, extensionNeed{"net-mtu-writable", "--mtu", "a network's MTU cannot be changed"})
	}
	if changed["port_security_enabled"] {
		needs = append(needs, extensionNeed{"port-security", "--enable-port-security/--disable-port-security", "it has no port security to switch"})
	}
	if changed["dns_domain"] {
		needs = append(needs, extensionNeed{"dns-integration", "--dns-domain", "it keeps no DNS domain on networks"})
	}
	if changed["tags"] {
		needs = append(needs, extensionNeed{"standard-attr-tag", "--tag/--no-tag", "it keeps no tags"})
	}
	return needExtensions(ctx, c, chk, needs)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func checkSet(ctx context.Context, env *tools.Env, args SetArgs) (*tools.Check, error) {
	n, err := Resolve(ctx, env, args.Network)
	if err != nil {
		return nil, err
	}
	c, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	args.Network = n.ID
	chk := &tools.Check{Targets: []tools.Target{target(n)}, Resolved: tools.JSON(args), State: networkState(n), Fetched: n}
	p := planSet(n, args)
	if p.empty() {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Warn, Text: fmt.Sprintf("network %s already has these values; nothing changes", n.label())})
		return chk, nil
	}
	if err := checkSetRules(ctx, env, c, n, args, p, chk); err != nil {
		return nil, err
	}
	if args.Name != nil && *args.Name != n.Name {
		same, err := network.ListAll[Network](ctx, networks.List(c, networks.ListOpts{Name: *args.Name}), "networks")
		if err != nil {
			return nil, fmt.Errorf("list networks named %s: %w", *args.Name, err)
		}
		if len(same) > 0 {
			chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Warn, Text: fmt.Sprintf(
				"a network named %s already exists (%s); Neutron allows two, but commands will then need the ID", *args.Name, same[0].ID)})
		}
	}
	return chk, nil
}

// planPreview is the dry run of a set plan on network n.
func planPreview(c *gophercloud.ServiceClient, n *Network, p *setPlan) (*tools.Preview, error) {
	pv := &tools.Preview{Changes: p.changes}
	if p.update != nil {
		raw, err := p.update.ToNetworkUpdateMap()
		if err != nil {
			return nil, err
		}
		body, err := plainBody(raw)
		if err != nil {
			return nil, err
		}
		pv.Requests = append(pv.Requests, tools.Request{Method: "PUT", URL: c.ServiceURL("networks", n.ID), Body: body})
	}
	if p.tags != nil {
		pv.Requests = append(pv.Requests, network.TagsRequest(c, "networks", n.ID, p.tags))
	}
	return pv, nil
}

// fetched returns the network Check read, or reads it again.
func fetched(ctx context.Context, env *tools.Env, chk *tools.Check, id string) (*Network, error) {
	if n, ok := tools.FetchedAs[*Network](chk); ok && n.ID == id {
		return n, nil
	}
	return Resolve(ctx, env, id)
}

func previewSet(ctx context.Context, env *tools.Env, args SetArgs, chk *tools.Check) (*tools.Preview, error) {
	c, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	n, err := fetched(ctx, env, chk, args.Network)
	if err != nil {
		return nil, err
	}
	return planPreview(c, n, planSet(n, args))
}

// applyPlan sends a set plan: the update, then the tags.
func applyPlan(ctx context.Context, env *tools.Env, c *gophercloud.ServiceClient, n *Network, p *setPlan) (*tools.Result, error) {
	if p.empty() {
		return &tools.Result{Message: fmt.Sprintf("network %s already has these values", n.label()),
			Outputs: map[string]string{"id": n.ID, "name": n.Name}}, nil
	}
	var ids []string
	name := n.Name
	if p.update != nil {
		r := networks.Update(ctx, c, n.ID, p.update)
		ids = append(ids, tools.HeaderRequestIDs(r.Header)...)
		nn, err := network.GetOne[Network](r.Result, "network")
		if err != nil {
			return &tools.Result{RequestIDs: ids}, fmt.Errorf("update network %s: %w", n.label(), err)
		}
		name = nn.Name
	}
	if p.tags != nil {
		more, err := network.ReplaceTags(ctx, c, "networks", n.ID, p.tags)
		ids = append(ids, more...)
		if err != nil {
			res := &tools.Result{RequestIDs: ids}
			if p.update != nil {
				// The attributes changed; the undo must still give them back.
				prev := p.prev
				prev.ClearTags, prev.Tag = false, nil
				res.Outputs = map[string]string{"id": n.ID, "name": name, previousKey: string(tools.JSON(prev))}
			}
			return res, fmt.Errorf("set the tags of network %s: %w", n.label(), err)
		}
	}
	fields := make([]string, 0, len(p.changes))
	for _, ch := range p.changes {
		fields = append(fields, ch.Field)
	}
	if name != n.Name {
		env.Names.Remember(Kind, name)
	}
	env.Lookups.Forget(Kind)
	return &tools.Result{
		Message:    fmt.Sprintf("network %s updated: %s", name, strings.Join(fields, ", ")),
		Outputs:    map[string]string{"id": n.ID, "name": name, previousKey: string(tools.JSON(p.prev))},
		RequestIDs: ids,
	}, nil
}

// getByID reads a network right before changing it: the undo must hold
// the values it had at that moment.
func getByID(ctx context.Context, c *gophercloud.ServiceClient, id string) (*Network, error) {
	n, err := network.GetOne[Network](networks.Get(ctx, c, id).Result, "network")
	if err != nil {
		if gophercloud.ResponseCodeIs(err, http.StatusNotFound) {
			return nil, &tools.NotFoundError{Kind: Kind, Name: id}
		}
		return nil, fmt.Errorf("get network %s: %w", id, err)
	}
	return n, nil
}

func runSet(ctx context.Context, env *tools.Env, args SetArgs) (*tools.Result, error) {
	c, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	n, err := getByID(ctx, c, args.Network)
	if err != nil {
		return nil, err
	}
	return applyPlan(ctx, env, c, n, planSet(n, args))
}

// --- network.unset ---

// unsetAsSet is the network.set an unset amounts to on network n.
func unsetAsSet(n *Network, args UnsetArgs) SetArgs {
	set := SetArgs{Network: n.ID}
	if args.Description {
		set.Description = ptr("")
	}
	if args.AllTag || len(args.Tag) > 0 {
		set.ClearTags = true
		set.Tag = network.TagsAfter(n.Tags, args.AllTag, nil, args.Tag)
		if len(set.Tag) == 0 {
			set.Tag = nil
		}
	}
	return set
}

// planUnset is the set plan of an unset. Its undo re-adds the tags it
// removed rather than replacing the whole set, so tags added meanwhile stay.
func planUnset(n *Network, args UnsetArgs) *setPlan {
	p := planSet(n, unsetAsSet(n, args))
	if p.tags != nil {
		var removed []string
		for _, t := range n.Tags {
			if !slices.Contains(p.tags, t) {
				removed = append(removed, t)
			}
		}
		sort.Strings(removed)
		p.prev.ClearTags, p.prev.Tag = false, removed
	}
	return p
}

func checkUnset(ctx context.Context, env *tools.Env, args UnsetArgs) (*tools.Check, error) {
	n, err := Resolve(ctx, env, args.Network)
	if err != nil {
		return nil, err
	}
	args.Network = n.ID
	chk := &tools.Check{Targets: []tools.Target{target(n)}, Resolved: tools.JSON(args), State: networkState(n), Fetched: n}
	for _, t := range args.Tag {
		if !slices.Contains(n.Tags, t) {
			chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Info, Text: fmt.Sprintf("network %s has no tag %q", n.label(), t)})
		}
	}
	p := planUnset(n, args)
	if p.empty() {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Warn, Text: fmt.Sprintf("network %s has nothing of this to unset; nothing changes", n.label())})
		return chk, nil
	}
	c, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	if err := checkSetRules(ctx, env, c, n, unsetAsSet(n, args), p, chk); err != nil {
		return nil, err
	}
	return chk, nil
}

func previewUnset(ctx context.Context, env *tools.Env, args UnsetArgs, chk *tools.Check) (*tools.Preview, error) {
	c, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	n, err := fetched(ctx, env, chk, args.Network)
	if err != nil {
		return nil, err
	}
	return planPreview(c, n, planUnset(n, args))
}

func runUnset(ctx context.Context, env *tools.Env, args UnsetArgs) (*tools.Result, error) {
	c, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	n, err := getByID(ctx, c, args.Network)
	if err != nil {
		return nil, err
	}
	return applyPlan(ctx, env, c, n, planUnset(n, args))
}

// --- network.delete ---

// subnetRef is a subnet as a delete's dry run names it.
type subnetRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	CIDR string `json:"cidr"`
}

// netDependents is what deleting a network touches.
type netDependents struct {
	network *Network
	ports   []network.UsedPort
	subnets []subnetRef
	rbac    []rbacpolicies.RBACPolicy
}

// blocking are the ports Neutron would not delete with the network.
func (d *netDependents) blocking() []network.UsedPort {
	var out []network.UsedPort
	for _, p := range d.ports {
		if !p.AutoDeleted() {
			out = append(out, p)
		}
	}
	return out
}

func findNetDependents(ctx context.Context, c *gophercloud.ServiceClient, n *Network) (*netDependents, error) {
	d := &netDependents{network: n}
	var err error
	if d.ports, err = portsOn(ctx, c, ports.ListOpts{NetworkID: n.ID}); err != nil {
		return nil, err
	}
	if d.subnets, err = network.ListAll[subnetRef](ctx, subnets.List(c, subnets.ListOpts{NetworkID: n.ID}), "subnets"); err != nil {
		return nil, fmt.Errorf("list subnets of network %s: %w", n.label(), err)
	}
	sort.Slice(d.subnets, func(i, j int) bool { return d.subnets[i].CIDR < d.subnets[j].CIDR })
	if d.rbac, err = rbacOf(ctx, c, rbacpolicies.ListOpts{ObjectType: "network", ObjectID: n.ID}); err != nil {
		return nil, err
	}
	return d, nil
}

// holder says who holds a port, with a server's name when it is one.
func holder(ctx context.Context, env *tools.Env, p network.UsedPort) string {
	switch {
	case strings.HasPrefix(p.DeviceOwner, "compute:"):
		name := blockstorage.ServerName(ctx, env, p.DeviceID, false)
		if name != p.DeviceID {
			return fmt.Sprintf("server %s (%s)", name, p.DeviceID)
		}
		return "server " + p.DeviceID
	case p.DeviceOwner == "network:dhcp":
		return "Neutron's DHCP service"
	case strings.HasPrefix(p.DeviceOwner, "network:router_interface"), p.DeviceOwner == "network:ha_router_replicated_interface":
		return "router " + p.DeviceID + " as an interface"
	case p.DeviceOwner == "network:router_gateway":
		return "router " + p.DeviceID + " as its gateway"
	case p.DeviceOwner == "network:floatingip":
		return "floating IP " + p.DeviceID
	case p.DeviceOwner != "":
		return strings.TrimPrefix(p.DeviceOwner, "network:") + " " + p.DeviceID
	}
	return "nothing"
}

func checkDelete(ctx context.Context, env *tools.Env, args DeleteArgs) (*tools.Check, error) {
	n, err := Resolve(ctx, env, args.Network)
	if err != nil {
		return nil, err
	}
	c, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	chk := &tools.Check{Targets: []tools.Target{target(n)}, Resolved: tools.JSON(DeleteArgs{Network: n.ID})}
	who, err := WhoIs(ctx, env)
	if err != nil {
		return nil, err
	}
	if !who.Owns(n) {
		chk.Findings = append(chk.Findings, notOwner(n, "delete"))
		return chk, nil
	}
	d, err := findNetDependents(ctx, c, n)
	if err != nil {
		return nil, err
	}
	chk.Fetched = d
	chk.State = fmt.Sprintf("ports=%d subnets=%d rbac=%d", len(d.ports), len(d.subnets), len(d.rbac))
	blocking := d.blocking()
	for i, p := range blocking {
		if i == 5 {
			chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block, Text: fmt.Sprintf("and %d more port(s) in use on network %s", len(blocking)-5, n.label())})
			break
		}
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block, Text: "Neutron refuses to delete a network with ports in use: " + p.InUse()})
	}
	if len(blocking) == 0 {
		text := fmt.Sprintf("no port keeps network %s in use; it has no subnets", n.label())
		if len(d.subnets) > 0 {
			text = fmt.Sprintf("no port keeps network %s in use; its %d subnet(s) go with it", n.label(), len(d.subnets))
		}
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Info, Text: text})
	}
	if n.External {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Warn, Text: fmt.Sprintf(
			"network %s is external: routers and floating IPs of every project may rely on it", n.label())})
	}
	if len(d.rbac) > 0 || n.Shared {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Warn, Text: fmt.Sprintf(
			"network %s is shared with other projects; they lose it too", n.label())})
	}
	return chk, nil
}

func previewDelete(ctx context.Context, env *tools.Env, args DeleteArgs, chk *tools.Check) (*tools.Preview, error) {
	c, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	if tools.IsRef(args.Network) {
		// It comes from an earlier step: nothing to look up before that
		// step runs, and the gate checks it again then.
		return &tools.Preview{Requests: []tools.Request{{Method: "DELETE", URL: c.ServiceURL("networks", args.Network)}},
			Deletes: []tools.Dependent{{Kind: Kind, ID: args.Network, Name: args.Network, Fate: "deleted"}}}, nil
	}
	d, ok := tools.FetchedAs[*netDependents](chk)
	if !ok || d.network.ID != args.Network {
		n, err := Resolve(ctx, env, args.Network)
		if err != nil {
			return nil, err
		}
		if d, err = findNetDependents(ctx, c, n); err != nil {
			return nil, err
		}
	}
	n := d.network
	pv := &tools.Preview{
		Requests: []tools.Request{{Method: "DELETE", URL: c.ServiceURL("networks", n.ID)}},
		Deletes:  []tools.Dependent{{Kind: Kind, ID: n.ID, Name: n.Name, Fate: "deleted"}},
	}
	for _, s := range d.subnets {
		pv.Deletes = append(pv.Deletes, tools.Dependent{Kind: "subnet", ID: s.ID, Name: s.Name, Fate: s.CIDR + ", deleted with the network"})
	}
	for _, p := range d.ports {
		who := "held by " + holder(ctx, env, p)
		if p.DeviceOwner == "" {
			who = "attached to nothing"
		}
		fate := who + ": Neutron refuses the delete until it is freed"
		if p.AutoDeleted() {
			fate = who + ", deleted with the network"
		}
		pv.Deletes = append(pv.Deletes, tools.Dependent{Kind: "port", ID: p.ID, Name: p.Name, Fate: fate})
	}
	for _, r := range d.rbac {
		pv.Deletes = append(pv.Deletes, tools.Dependent{Kind: "rbac policy", ID: r.ID, Name: r.ID,
			Fate: fmt.Sprintf("%s to project %s, removed with the network", r.Action, r.TargetTenant)})
	}
	return pv, nil
}

func runDelete(ctx context.Context, env *tools.Env, args DeleteArgs) (*tools.Result, error) {
	c, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	label := args.Network
	if n, err := getByID(ctx, c, args.Network); err == nil {
		label = n.label()
	}
	r := networks.Delete(ctx, c, args.Network)
	ids := tools.HeaderRequestIDs(r.Header)
	switch {
	case gophercloud.ResponseCodeIs(r.Err, http.StatusNotFound):
		return &tools.Result{RequestIDs: ids}, &tools.NotFoundError{Kind: Kind, Name: args.Network}
	case gophercloud.ResponseCodeIs(r.Err, http.StatusConflict):
		return &tools.Result{RequestIDs: ids}, fmt.Errorf("delete network %s: %w (a port appeared on it after the preflight; run /network delete again to see which)", label, r.Err)
	case r.Err != nil:
		return &tools.Result{RequestIDs: ids}, fmt.Errorf("delete network %s: %w", label, r.Err)
	}
	env.Lookups.Forget(Kind)
	return &tools.Result{
		Message:    fmt.Sprintf("network %s deleted", label),
		Outputs:    map[string]string{"id": args.Network},
		RequestIDs: ids,
	}, nil
}
