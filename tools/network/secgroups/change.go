package secgroups

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/security/groups"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/security/rules"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/ports"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/blockstorage"
	"github.com/kriscelmer/os-tui/tools/network"
	quotas "github.com/kriscelmer/os-tui/tools/quota"
)

// Kind is the resource kind of a security group in targets and the
// session's name completion.
const Kind = "security-group"

// targetKind names a security group in a review ("security group web").
const targetKind = "security group"

// defaultName is the group Neutron makes for every project; it cannot be
// renamed or deleted by its project.
const defaultName = "default"

// previousKey is the output of security-group.set and
// security-group.rule.delete that holds what their undo restores.
const previousKey = "previous"

// CreateArgs are the arguments of security-group.create.
type CreateArgs struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Stateful    *bool  `json:"stateful,omitempty"`
}

// SetArgs are the arguments of security-group.set. Pointers tell "not
// given" from an empty value (--description "" clears it).
type SetArgs struct {
	Group       string  `json:"group"`
	Name        *string `json:"name,omitempty"`
	Description *string `json:"description,omitempty"`
}

// DeleteArgs are the arguments of security-group.delete.
type DeleteArgs struct {
	Group string `json:"group"`
}

func changeTools() []tools.Tool {
	return []tools.Tool{
		tools.ChangeTool(tools.ChangeSpec[CreateArgs]{
			Name:     "security-group.create",
			Effect:   tools.Change,
			Service:  network.Service,
			Produces: []string{"id", "name"},
			Check:    checkCreate,
			Preview:  previewCreate,
			Run:      runCreate,
			Undo: func(args CreateArgs, res *tools.Result) *tools.Call {
				group := tools.CreatedID(res, args.Name)
				return &tools.Call{Tool: "security-group.delete", Args: tools.JSON(DeleteArgs{Group: group}), Why: "undo creating security group " + args.Name}
			},
		}),
		tools.ChangeTool(tools.ChangeSpec[SetArgs]{
			Name:     "security-group.set",
			Effect:   tools.Change,
			Service:  network.Service,
			Produces: []string{"id", "name"},
			Subject:  func(a SetArgs) (string, string) { return targetKind, a.Group },
			Check:    checkSet,
			Preview:  previewSet,
			Run:      runSet,
			Undo: func(args SetArgs, res *tools.Result) *tools.Call {
				switch {
				case res == nil || len(res.Outputs) == 0:
					// Under review: the old values are read when it runs.
					return &tools.Call{Tool: "security-group.set", Args: tools.JSON(SetArgs{Group: args.Group}), Why: "undo: set the old values back"}
				case res.Outputs[previousKey] == "":
					return nil // it ran and changed nothing
				}
				prev, err := tools.Decode[SetArgs](tools.Args(res.Outputs[previousKey]))
				if err != nil || prev.Group == "" {
					return nil
				}
				return &tools.Call{Tool: "security-group.set", Args: tools.JSON(prev), Why: "undo: set the security group's old name and description back"}
			},
		}),
		tools.ChangeTool(tools.ChangeSpec[DeleteArgs]{
			Name:     "security-group.delete",
			Effect:   tools.Destroy,
			Service:  network.Service,
			Produces: []string{"id"},
			Subject:  func(a DeleteArgs) (string, string) { return targetKind, a.Group },
			Check:    checkDelete,
			Preview:  previewDelete,
			Run:      runDelete,
		}),
	}
}

func groupTarget(g *Group) tools.Target {
	return tools.Target{Kind: targetKind, ID: g.ID, Name: g.Name}
}

// label names a group in findings: its name, or its ID when it has none.
func (g *Group) label() string {
	if g.Name != "" {
		return g.Name
	}
	return g.ID
}

// --- security-group.create ---

func checkCreate(ctx context.Context, env *tools.Env, args CreateArgs) (*tools.Check, error) {
	client, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	chk := &tools.Check{Targets: []tools.Target{{Kind: targetKind, Name: args.Name}}}
	same, err := network.ListAll[Group](ctx, groups.List(client, groups.ListOpts{Name: args.Name}), "security_groups")
	if err != nil {
		return nil, fmt.Errorf("list security groups named %s: %w", args.Name, err)
	}
	if len(same) > 0 {
		ids := make([]string, 0, len(same))
		for _, g := range same {
			ids = append(ids, g.ID)
		}
		// Neutron allows it; every later command naming the group would
		// then have to use its ID.
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Warn,
			Text: fmt.Sprintf("a security group named %s already exists (%s); Neutron allows a second one, but commands will then need the ID instead of the name — choose another name unless you mean it", args.Name, strings.Join(ids, ", "))})
	}
	if args.Name == defaultName {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Warn,
			Text: "every project already has a group named default, used by servers launched without one; a second default makes the name ambiguous"})
	}
	if args.Stateful != nil {
		if ok, err := network.HasExtension(ctx, client, "stateful-security-group"); err != nil {
			return nil, err
		} else if !ok {
			chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block,
				Text: "this cloud's Neutron has no stateful-security-group extension, so every group is stateful; leave out --stateful/--stateless"})
		} else if !*args.Stateful {
			chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Info,
				Text: "a stateless group does not admit replies by itself: add an ingress rule for the return traffic of every egress rule (and the reverse)"})
		}
	}
	chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Info,
		Text: "Neutron adds two rules allowing all outgoing traffic (IPv4 and IPv6) and none for incoming: add ingress rules with /security-group rule create"})
	if err := quotas.Preflight(ctx, env, chk, "", quotas.Need{Service: "network", Resource: "security_group", Delta: 1,
		Full: func(u tools.QuotaUse) string {
			return fmt.Sprintf("the security group quota is full (%d of %d); delete an unused group with /security-group delete or ask for more quota", u.InUse, u.Limit)
		}}); err != nil {
		return nil, err
	}
	return chk, nil
}

func createOpts(args CreateArgs) groups.CreateOpts {
	return groups.CreateOpts{Name: args.Name, Description: args.Description, Stateful: args.Stateful}
}

func previewCreate(ctx context.Context, env *tools.Env, args CreateArgs, _ *tools.Check) (*tools.Preview, error) {
	client, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	body, err := createOpts(args).ToSecGroupCreateMap()
	if err != nil {
		return nil, err
	}
	what := "security group " + args.Name
	if args.Stateful != nil && !*args.Stateful {
		what += " (stateless)"
	}
	return &tools.Preview{
		Requests: []tools.Request{{Method: "POST", URL: client.ServiceURL("security-groups"), Body: body}},
		Creates:  []string{what + ", with Neutron's two egress rules"},
	}, nil
}

func runCreate(ctx context.Context, env *tools.Env, args CreateArgs) (*tools.Result, error) {
	client, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	r := groups.Create(ctx, client, createOpts(args))
	g, err := network.GetOne[Group](r.Result, "security_group")
	if err != nil {
		return &tools.Result{RequestIDs: tools.HeaderRequestIDs(r.Header)}, fmt.Errorf("create security group %s: %w", args.Name, err)
	}
	env.Names.Remember(Kind, g.Name)
	return &tools.Result{
		Message:    fmt.Sprintf("security group %s created (%s)", g.Name, g.ID),
		Outputs:    map[string]string{"id": g.ID, "name": g.Name},
		RequestIDs: tools.HeaderRequestIDs(r.Header),
	}, nil
}

// --- security-group.set ---

// setChanges compares the group with what args ask for: the update to
// send, the fields it changes, and the arguments that set them back.
func setChanges(g *Group, args SetArgs) (groups.UpdateOpts, []tools.FieldChange, SetArgs) {
	var opts groups.UpdateOpts
	var changes []tools.FieldChange
	prev := SetArgs{Group: g.ID}
	if args.Name != nil && *args.Name != g.Name {
		opts.Name = *args.Name
		changes = append(changes, tools.FieldChange{Field: "name", From: g.Name, To: *args.Name})
		old := g.Name
		prev.Name = &old
	}
	if args.Description != nil && *args.Description != g.Description {
		d := *args.Description
		opts.Description = &d
		changes = append(changes, tools.FieldChange{Field: "description", From: g.Description, To: d})
		old := g.Description
		prev.Description = &old
	}
	return opts, changes, prev
}

func checkSet(ctx context.Context, env *tools.Env, args SetArgs) (*tools.Check, error) {
	g, err := Resolve(ctx, env, args.Group)
	if err != nil {
		return nil, err
	}
	args.Group = g.ID
	chk := &tools.Check{
		Targets:  []tools.Target{groupTarget(g)},
		Resolved: tools.JSON(args),
		State:    fmt.Sprintf("name=%q description=%q", g.Name, g.Description),
		Fetched:  g,
	}
	if args.Name == nil && args.Description == nil {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block, Text: "nothing to change: give --name or --description"})
		return chk, nil
	}
	if g.Name == defaultName && args.Name != nil && *args.Name != defaultName {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block,
			Text: "Neutron does not let a project rename its default security group; create a group with the name you want instead"})
	}
	if args.Name != nil && *args.Name != g.Name {
		client, err := network.Client(ctx, env)
		if err != nil {
			return nil, err
		}
		same, err := network.ListAll[Group](ctx, groups.List(client, groups.ListOpts{Name: *args.Name}), "security_groups")
		if err != nil {
			return nil, fmt.Errorf("list security groups named %s: %w", *args.Name, err)
		}
		if len(same) > 0 {
			chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Warn,
				Text: fmt.Sprintf("a security group named %s already exists (%s); Neutron allows two, but commands will then need the ID", *args.Name, same[0].ID)})
		}
	}
	if _, changes, _ := setChanges(g, args); len(changes) == 0 {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Warn, Text: fmt.Sprintf("security group %s already has these values; nothing changes", g.label())})
	}
	return chk, nil
}

func previewSet(ctx context.Context, env *tools.Env, args SetArgs, chk *tools.Check) (*tools.Preview, error) {
	client, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	g, ok := tools.FetchedAs[*Group](chk)
	if !ok || g.ID != args.Group {
		if g, err = Resolve(ctx, env, args.Group); err != nil {
			return nil, err
		}
	}
	opts, changes, _ := setChanges(g, args)
	pv := &tools.Preview{Changes: changes}
	if len(changes) == 0 {
		return pv, nil
	}
	body, err := opts.ToSecGroupUpdateMap()
	if err != nil {
		return nil, err
	}
	pv.Requests = []tools.Request{{Method: "PUT", URL: client.ServiceURL("security-groups", g.ID), Body: body}}
	return pv, nil
}

func runSet(ctx context.Context, env *tools.Env, args SetArgs) (*tools.Result, error) {
	client, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	// Read right before the update: the undo must hold the values the
	// group had at this moment.
	g, err := network.GetOne[Group](groups.Get(ctx, client, args.Group).Result, "security_group")
	if err != nil {
		return nil, fmt.Errorf("get security group %s: %w", args.Group, err)
	}
	opts, changes, prev := setChanges(g, args)
	if len(changes) == 0 {
		return &tools.Result{Message: fmt.Sprintf("security group %s already has these values", g.label()),
			Outputs: map[string]string{"id": g.ID, "name": g.Name}}, nil
	}
	r := groups.Update(ctx, client, g.ID, opts)
	ng, err := network.GetOne[Group](r.Result, "security_group")
	if err != nil {
		return &tools.Result{RequestIDs: tools.HeaderRequestIDs(r.Header)}, fmt.Errorf("update security group %s: %w", g.label(), err)
	}
	fields := make([]string, 0, len(changes))
	for _, c := range changes {
		fields = append(fields, c.Field)
	}
	if ng.Name != g.Name {
		env.Names.Remember(Kind, ng.Name)
	}
	return &tools.Result{
		Message:    fmt.Sprintf("security group %s updated: %s", ng.label(), strings.Join(fields, ", ")),
		Outputs:    map[string]string{"id": ng.ID, "name": ng.Name, previousKey: string(tools.JSON(prev))},
		RequestIDs: tools.HeaderRequestIDs(r.Header),
	}, nil
}

// --- security-group.delete ---

// dependents is what deleting a group touches: the ports that use it
// (which make Neutron refuse), and other groups' rules that name it as
// their remote (which Neutron deletes with it).
type dependents struct {
	ports       []network.UsedPort
	remoteRules []Rule
}

func findDependents(ctx context.Context, c *gophercloud.ServiceClient, g *Group) (*dependents, error) {
	var d dependents
	var err error
	if d.ports, err = network.PortsOf(ctx, c, ports.ListOpts{SecurityGroups: []string{g.ID}}); err != nil {
		return nil, err
	}
	sort.Slice(d.ports, func(i, j int) bool { return d.ports[i].ID < d.ports[j].ID })
	refs, err := network.ListAll[Rule](ctx, rules.List(c, rules.ListOpts{RemoteGroupID: g.ID}), "security_group_rules")
	if err != nil {
		return nil, fmt.Errorf("list rules that refer to security group %s: %w", g.label(), err)
	}
	for _, r := range refs {
		if r.SecurityGroupID != g.ID {
			d.remoteRules = append(d.remoteRules, r)
		}
	}
	sortRules(d.remoteRules)
	return &d, nil
}

// portUser says who uses a port, with the server's name when it is one.
func portUser(ctx context.Context, env *tools.Env, p network.UsedPort) string {
	if strings.HasPrefix(p.DeviceOwner, "compute:") {
		name := blockstorage.ServerName(ctx, env, p.DeviceID, false)
		if name != p.DeviceID {
			return fmt.Sprintf("server %s (%s)", name, p.DeviceID)
		}
		return "server " + p.DeviceID
	}
	if p.DeviceOwner != "" {
		return p.DeviceOwner + " " + p.DeviceID
	}
	return ""
}

// inUse is the refusal for a group ports use: each port and its user,
// then how to free the first server port and the first other port.
func inUse(ctx context.Context, env *tools.Env, g *Group, ps []network.UsedPort) string {
	var users, fixes []string
	var server, other bool
	for _, p := range ps {
		if u := portUser(ctx, env, p); u != "" {
			users = append(users, p.Label()+" of "+u)
		} else {
			users = append(users, p.Label()+" (not attached)")
		}
		switch {
		case strings.HasPrefix(p.DeviceOwner, "compute:") && !server:
			server = true
			fixes = append(fixes, fmt.Sprintf("/server remove security-group %s %s, or delete the server", blockstorage.ServerName(ctx, env, p.DeviceID, false), g.label()))
		case !strings.HasPrefix(p.DeviceOwner, "compute:") && !other:
			other = true
			fixes = append(fixes, fmt.Sprintf("openstack port unset --security-group %s %s", g.ID, p.ID))
		}
	}
	return fmt.Sprintf("security group %s is in use by %d port(s), and Neutron refuses to delete a group in use: %s. Take the group off each first (%s)",
		g.label(), len(ps), strings.Join(users, "; "), strings.Join(fixes, "; "))
}

func checkDelete(ctx context.Context, env *tools.Env, args DeleteArgs) (*tools.Check, error) {
	g, err := Resolve(ctx, env, args.Group)
	if err != nil {
		return nil, err
	}
	client, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	chk := &tools.Check{Targets: []tools.Target{groupTarget(g)}, Resolved: tools.JSON(DeleteArgs{Group: g.ID})}
	if g.Name == defaultName {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block,
			Text: "the default security group cannot be deleted: Neutron keeps one per project for servers launched without a group; remove its rules instead if it admits too much"})
	}
	d, err := findDependents(ctx, client, g)
	if err != nil {
		return nil, err
	}
	chk.Fetched = d
	if len(d.ports) > 0 {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block, Text: inUse(ctx, env, g, d.ports)})
	} else {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Info, Text: fmt.Sprintf("no port uses security group %s", g.label())})
	}
	if n := len(d.remoteRules); n > 0 {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Warn,
			Text: fmt.Sprintf("%d rule(s) of other groups admit traffic from %s; Neutron deletes them with it, so what they admitted is no longer admitted", n, g.label())})
	}
	return chk, nil
}

func previewDelete(ctx context.Context, env *tools.Env, args DeleteArgs, chk *tools.Check) (*tools.Preview, error) {
	client, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	g, err := Resolve(ctx, env, args.Group)
	if err != nil {
		return nil, err
	}
	d, ok := tools.FetchedAs[*dependents](chk)
	if !ok {
		if d, err = findDependents(ctx, client, g); err != nil {
			return nil, err
		}
	}
	pv := &tools.Preview{
		Requests: []tools.Request{{Method: "DELETE", URL: client.ServiceURL("security-groups", g.ID)}},
		Deletes:  []tools.Dependent{{Kind: targetKind, ID: g.ID, Name: g.Name, Fate: fmt.Sprintf("deleted with its %d rule(s)", len(g.Rules))}},
	}
	for _, p := range d.ports {
		user := portUser(ctx, env, p)
		if user == "" {
			user = "not attached"
		}
		pv.Deletes = append(pv.Deletes, tools.Dependent{Kind: "port", ID: p.ID, Name: p.Name,
			Fate: fmt.Sprintf("uses the group (%s): Neutron refuses the delete until it is taken off", user)})
	}
	for _, r := range d.remoteRules {
		owner := r.SecurityGroupID
		if og, err := Resolve(ctx, env, r.SecurityGroupID); err == nil {
			owner = og.label()
		}
		shown, self := r, g.label()
		shown.RemoteGroupID = &self
		pv.Deletes = append(pv.Deletes, tools.Dependent{Kind: "rule", ID: r.ID, Name: r.ID,
			Fate: fmt.Sprintf("of group %s (%s): deleted with it", owner, shown.String())})
	}
	return pv, nil
}

func runDelete(ctx context.Context, env *tools.Env, args DeleteArgs) (*tools.Result, error) {
	client, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	label := args.Group
	if g, err := network.GetOne[Group](groups.Get(ctx, client, args.Group).Result, "security_group"); err == nil {
		label = g.label()
	}
	r := groups.Delete(ctx, client, args.Group)
	ids := tools.HeaderRequestIDs(r.Header)
	switch {
	case gophercloud.ResponseCodeIs(r.Err, http.StatusNotFound):
		return &tools.Result{RequestIDs: ids}, &tools.NotFoundError{Kind: targetKind, Name: args.Group}
	case gophercloud.ResponseCodeIs(r.Err, http.StatusConflict):
		return &tools.Result{RequestIDs: ids}, fmt.Errorf("delete security group %s: %w (a port started using it after the preflight; run /security-group delete again to see which)", label, r.Err)
	case r.Err != nil:
		return &tools.Result{RequestIDs: ids}, fmt.Errorf("delete security group %s: %w", label, r.Err)
	}
	env.Lookups.Forget(Kind)
	return &tools.Result{
		Message:    fmt.Sprintf("security group %s deleted", label),
		Outputs:    map[string]string{"id": args.Group},
		RequestIDs: ids,
	}, nil
}
