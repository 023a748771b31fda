package networks

// Sharing a network with other projects: Neutron's RBAC policies on
// networks. network.share and network.unshare name the network and the
// project; network.rbac.delete names the policy, as `openstack network
// rbac delete` does; network.rbac.list reads them.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/projects"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/rbacpolicies"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/ports"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/network"
)

// policyKind names an RBAC policy in targets and reviews.
const policyKind = "rbac policy"

// AllProjects is the target of a policy that shares with every project.
const AllProjects = "*"

// Actions of a network RBAC policy.
const (
	AccessAsShared   = "access_as_shared"
	AccessAsExternal = "access_as_external"
)

// ShareArgs are the arguments of network.share. Type is there for the
// openstack spelling (`network rbac create --type network`); only
// networks are shared here.
type ShareArgs struct {
	Network string `json:"network"`
	Project string `json:"project"`
	Action  string `json:"action,omitempty"`
	Type    string `json:"type,omitempty"`
}

// UnshareArgs are the arguments of network.unshare.
type UnshareArgs struct {
	Network string `json:"network"`
	Project string `json:"project"`
	Action  string `json:"action,omitempty"`
}

// RBACDeleteArgs are the arguments of network.rbac.delete.
type RBACDeleteArgs struct {
	Policy string `json:"policy"`
}

// RBACListArgs are the arguments of network.rbac.list.
type RBACListArgs struct {
	Network string `json:"network,omitempty"`
	Project string `json:"project,omitempty"`
	Action  string `json:"action,omitempty"`
	Type    string `json:"type,omitempty"`
}

func rbacTools() []tools.Tool {
	return []tools.Tool{
		tools.ChangeTool(tools.ChangeSpec[ShareArgs]{
			Name: "network.share", Effect: tools.Change, Service: network.Service,
			Produces: []string{"id", "network", "project"},
			Subject:  func(a ShareArgs) (string, string) { return subject(a.Network) },
			Check:    checkShare, Preview: previewShare, Run: runShare,
			Undo: func(args ShareArgs, res *tools.Result) *tools.Call {
				if res == nil || res.Outputs["id"] == "" {
					return &tools.Call{Tool: "network.unshare", Args: tools.JSON(UnshareArgs{Network: args.Network, Project: args.Project, Action: args.Action}),
						Why: "undo sharing network " + args.Network}
				}
				return &tools.Call{Tool: "network.rbac.delete", Args: tools.JSON(RBACDeleteArgs{Policy: res.Outputs["id"]}),
					Why: "undo sharing the network: delete the policy that shares it"}
			},
		}),
		tools.ChangeTool(tools.ChangeSpec[UnshareArgs]{
			Name: "network.unshare", Effect: tools.Change, Service: network.Service,
			Produces: []string{"id", "network", "project", "action"},
			Subject:  func(a UnshareArgs) (string, string) { return subject(a.Network) },
			Check:    checkUnshare, Preview: previewUnshare, Run: runUnshare,
			Undo: func(_ UnshareArgs, res *tools.Result) *tools.Call { return reshare(res) },
		}),
		tools.ChangeTool(tools.ChangeSpec[RBACDeleteArgs]{
			Name: "network.rbac.delete", Effect: tools.Change, Service: network.Service,
			Produces: []string{"id", "network", "project", "action"},
			Check:    checkRBACDelete, Preview: previewRBACDelete, Run: runRBACDelete,
			Undo: func(_ RBACDeleteArgs, res *tools.Result) *tools.Call { return reshare(res) },
		}),
		tools.ReadTool("network.rbac.list", network.Service, rbacList),
	}
}

// reshare is the undo of taking a share back: share again, as it was.
func reshare(res *tools.Result) *tools.Call {
	if res == nil || res.Outputs["network"] == "" || res.Outputs["project"] == "" {
		return nil
	}
	return &tools.Call{Tool: "network.share", Args: tools.JSON(ShareArgs{
		Network: res.Outputs["network"], Project: res.Outputs["project"], Action: res.Outputs["action"]}),
		Why: "undo: share the network again"}
}

func rbacOf(ctx context.Context, c *gophercloud.ServiceClient, opts rbacpolicies.ListOpts) ([]rbacpolicies.RBACPolicy, error) {
	all, err := network.ListAll[rbacpolicies.RBACPolicy](ctx, rbacpolicies.List(c, opts), "rbac_policies")
	if err != nil {
		return nil, fmt.Errorf("list RBAC policies: %w", err)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].ID < all[j].ID })
	return all, nil
}

// Project is a project as a share names it.
type Project struct {
	ID   string
	Name string
	// Unverified: the caller may not read other projects, so the ID was
	// taken as given.
	Unverified bool
}

// label names a project in findings.
func (p Project) label() string {
	switch {
	case p.ID == AllProjects:
		return "every project (*)"
	case p.Name != "" && p.Name != p.ID:
		return fmt.Sprintf("%s (%s)", p.Name, p.ID)
	}
	return p.ID
}

// ProjectProblem is a project reference that cannot be resolved; its
// message says what would work.
type ProjectProblem struct{ Text string }

func (e *ProjectProblem) Error() string { return e.Text }

// ResolveProject finds the project a share names: "*", an ID, or a name.
// Keystone lets most users read neither other projects nor the project
// list, so an ID the caller cannot read is taken as given (Neutron does
// not check it either), and a name is looked up among all projects when
// allowed, else among the caller's own.
func ResolveProject(ctx context.Context, env *tools.Env, ref string) (Project, error) {
	if ref == AllProjects {
		return Project{ID: AllProjects, Name: AllProjects}, nil
	}
	c, err := env.Clients.ServiceClient(ctx, "identity")
	if err != nil {
		return Project{}, fmt.Errorf("identity service: %w", err)
	}
	if tools.IsUUID(ref) {
		p, err := projects.Get(ctx, c, ref).Extract()
		switch {
		case err == nil:
			return Project{ID: p.ID, Name: p.Name}, nil
		case gophercloud.ResponseCodeIs(err, http.StatusForbidden), gophercloud.ResponseCodeIs(err, http.StatusUnauthorized):
			return Project{ID: ref, Unverified: true}, nil
		case !gophercloud.ResponseCodeIs(err, http.StatusNotFound):
			return Project{}, fmt.Errorf("get project %s: %w", ref, err)
		}
		// Not an ID after all; perhaps a name.
	}
	var found []projects.Project
	pages, err := projects.List(c, projects.ListOpts{Name: ref}).AllPages(ctx)
	if err == nil {
		found, err = projects.ExtractProjects(pages)
	}
	if err != nil && (gophercloud.ResponseCodeIs(err, http.StatusForbidden) || gophercloud.ResponseCodeIs(err, http.StatusUnauthorized)) {
		// The caller's own projects are readable by anyone.
		if pages, err = projects.ListAvailable(c).AllPages(ctx); err == nil {
			var mine []projects.Project
			if mine, err = projects.ExtractProjects(pages); err == nil {
				for _, p := range mine {
					if p.Name == ref {
						found = append(found, p)
					}
				}
				if len(found) == 0 {
					return Project{}, &ProjectProblem{Text: fmt.Sprintf(
						"your role cannot look up other projects by name, and none of yours is named %s; give the project's ID (its members see it with: openstack project show %s -c id)", ref, ref)}
				}
			}
		}
	}
	if err != nil {
		return Project{}, fmt.Errorf("find project %s: %w", ref, err)
	}
	switch len(found) {
	case 0:
		return Project{}, &ProjectProblem{Text: fmt.Sprintf("no project is named or has the ID %s", ref)}
	case 1:
		return Project{ID: found[0].ID, Name: found[0].Name}, nil
	}
	var ids []string
	for _, p := range found {
		ids = append(ids, p.ID+" (domain "+p.DomainID+")")
	}
	return Project{}, &ProjectProblem{Text: fmt.Sprintf("%d projects are named %s: %s; give the ID", len(found), ref, strings.Join(ids, ", "))}
}

// shareTarget resolves the project of a share or unshare, turning a
// reference that cannot be resolved into a Block finding.
func shareTarget(ctx context.Context, env *tools.Env, ref string, chk *tools.Check) (Project, bool, error) {
	p, err := ResolveProject(ctx, env, ref)
	var pp *ProjectProblem
	switch {
	case errors.As(err, &pp):
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block, Text: pp.Text})
		return p, false, nil
	case err != nil:
		return p, false, err
	}
	if p.Unverified {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Info, Text: fmt.Sprintf(
			"your role cannot read project %s, so its ID is used as given; Neutron does not check it either, so make sure it is right", p.ID)})
	}
	if p.ID != AllProjects {
		chk.Targets = append(chk.Targets, tools.Target{Kind: "project", ID: p.ID, Name: p.Name})
	}
	return p, true, nil
}

func actionOr(a string) string {
	if a == "" {
		return AccessAsShared
	}
	return a
}

// actionText says what an action gives a project.
func actionText(action string) string {
	if action == AccessAsExternal {
		return "as an external network (router gateways and floating IPs)"
	}
	return "to attach ports and servers to"
}

// --- network.share ---

func checkShare(ctx context.Context, env *tools.Env, args ShareArgs) (*tools.Check, error) {
	n, err := Resolve(ctx, env, args.Network)
	if err != nil {
		return nil, err
	}
	c, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	args.Network, args.Action, args.Type = n.ID, actionOr(args.Action), "network"
	chk := &tools.Check{Targets: []tools.Target{target(n)}}
	who, err := WhoIs(ctx, env)
	if err != nil {
		return nil, err
	}
	if !who.Owns(n) {
		chk.Findings = append(chk.Findings, notOwner(n, "share"))
		return chk, nil
	}
	p, ok, err := shareTarget(ctx, env, args.Project, chk)
	if err != nil || !ok {
		return chk, err
	}
	args.Project = p.ID
	chk.Resolved = tools.JSON(args)
	if p.ID == AllProjects && !who.Admin {
		chk.Findings = append(chk.Findings, adminOnly(who, "share a network with every project (*)",
			"share it with each project by name or ID: /network share "+n.label()+" --project PROJECT"))
	}
	if p.ID == n.ProjectID {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block, Text: fmt.Sprintf(
			"network %s already belongs to project %s; sharing it with its own project changes nothing", n.label(), p.label())})
	}
	same, err := rbacOf(ctx, c, rbacpolicies.ListOpts{ObjectType: "network", ObjectID: n.ID, TargetTenant: p.ID, Action: rbacpolicies.PolicyAction(args.Action)})
	if err != nil {
		return nil, err
	}
	chk.State = fmt.Sprintf("policies=%d", len(same))
	if len(same) > 0 {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block, Text: fmt.Sprintf(
			"network %s is already shared with %s as %s (policy %s); nothing to do", n.label(), p.label(), args.Action, same[0].ID)})
	} else {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Info, Text: fmt.Sprintf(
			"%s may use network %s %s; it sees the network and its subnets but cannot change them", p.label(), n.label(), actionText(args.Action))})
	}
	return chk, nil
}

func shareOpts(args ShareArgs) rbacpolicies.CreateOpts {
	return rbacpolicies.CreateOpts{Action: rbacpolicies.PolicyAction(actionOr(args.Action)), ObjectType: "network", TargetTenant: args.Project, ObjectID: args.Network}
}

// named returns the name chk resolved for the resource with this ID, or
// the ID when it has none: a review reads better with names.
func named(chk *tools.Check, id string) string {
	if chk != nil {
		for _, t := range chk.Targets {
			if t.ID == id && t.Name != "" {
				return t.Name
			}
		}
	}
	return id
}

func previewShare(ctx context.Context, env *tools.Env, args ShareArgs, chk *tools.Check) (*tools.Preview, error) {
	c, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	body, err := shareOpts(args).ToRBACPolicyCreateMap()
	if err != nil {
		return nil, err
	}
	return &tools.Preview{
		Requests: []tools.Request{{Method: "POST", URL: c.ServiceURL("rbac-policies"), Body: body}},
		Creates:  []string{fmt.Sprintf("RBAC policy: network %s %s for project %s", named(chk, args.Network), actionOr(args.Action), named(chk, args.Project))},
	}, nil
}

func runShare(ctx context.Context, env *tools.Env, args ShareArgs) (*tools.Result, error) {
	c, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	r := rbacpolicies.Create(ctx, c, shareOpts(args))
	ids := tools.HeaderRequestIDs(r.Header)
	label := args.Network
	if n, err := getByID(ctx, c, args.Network); err == nil {
		label = n.label()
	}
	pol, err := r.Extract()
	if err != nil {
		return &tools.Result{RequestIDs: ids}, fmt.Errorf("share network %s with project %s: %w", label, args.Project, err)
	}
	return &tools.Result{
		Message:    fmt.Sprintf("network %s shared with project %s as %s (policy %s)", label, pol.TargetTenant, pol.Action, pol.ID),
		Outputs:    map[string]string{"id": pol.ID, "network": pol.ObjectID, "project": pol.TargetTenant},
		RequestIDs: ids,
	}, nil
}

// --- network.unshare and network.rbac.delete ---

// inUseBy adds a Block when taking policy pol away would leave ports
// of the projects it admits on network n: Neutron refuses that.
func inUseBy(ctx context.Context, c *gophercloud.ServiceClient, n *Network, pol rbacpolicies.RBACPolicy, chk *tools.Check) error {
	all, err := portsOn(ctx, c, ports.ListOpts{NetworkID: n.ID})
	if err != nil {
		return err
	}
	// A project that another policy also admits keeps its access.
	others, err := rbacOf(ctx, c, rbacpolicies.ListOpts{ObjectType: "network", ObjectID: n.ID, Action: pol.Action})
	if err != nil {
		return err
	}
	kept := map[string]bool{n.ProjectID: true, "": true}
	for _, o := range others {
		if o.ID != pol.ID {
			kept[o.TargetTenant] = true
		}
	}
	if kept[AllProjects] {
		return nil
	}
	var using []network.UsedPort
	for _, p := range all {
		if kept[p.ProjectID] {
			continue
		}
		if pol.TargetTenant == AllProjects || p.ProjectID == pol.TargetTenant {
			using = append(using, p)
		}
	}
	if len(using) > 0 {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block, Text: fmt.Sprintf(
			"project %s still has %d port(s) on network %s (%s) and Neutron refuses to take the share back while it uses it; those ports (or their servers) must be deleted first",
			pol.TargetTenant, len(using), n.label(), labels(using, func(p network.UsedPort) string { return p.Label() }))})
	}
	return nil
}

// checkTakeBack is the preflight shared by unshare and rbac.delete once
// the policy is found.
func checkTakeBack(ctx context.Context, env *tools.Env, c *gophercloud.ServiceClient, n *Network, pol rbacpolicies.RBACPolicy, chk *tools.Check) error {
	who, err := WhoIs(ctx, env)
	if err != nil {
		return err
	}
	if !who.Admin && pol.ProjectID != who.ProjectID && n.ProjectID != who.ProjectID {
		chk.Findings = append(chk.Findings, notOwner(n, "unshare"))
		return nil
	}
	chk.Fetched = &pol
	chk.State = "policy=" + pol.ID
	if err := inUseBy(ctx, c, n, pol, chk); err != nil {
		return err
	}
	if !chk.Blocked() {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Info, Text: fmt.Sprintf(
			"project %s no longer sees network %s through policy %s", pol.TargetTenant, n.label(), pol.ID)})
	}
	return nil
}

func checkUnshare(ctx context.Context, env *tools.Env, args UnshareArgs) (*tools.Check, error) {
	n, err := Resolve(ctx, env, args.Network)
	if err != nil {
		return nil, err
	}
	c, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	args.Network, args.Action = n.ID, actionOr(args.Action)
	chk := &tools.Check{Targets: []tools.Target{target(n)}}
	p, ok, err := shareTarget(ctx, env, args.Project, chk)
	if err != nil || !ok {
		return chk, err
	}
	args.Project = p.ID
	chk.Resolved = tools.JSON(args)
	found, err := rbacOf(ctx, c, rbacpolicies.ListOpts{ObjectType: "network", ObjectID: n.ID, TargetTenant: p.ID, Action: rbacpolicies.PolicyAction(args.Action)})
	if err != nil {
		return nil, err
	}
	if len(found) == 0 {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block, Text: fmt.Sprintf(
			"network %s is not shared with %s as %s; /network rbac list --network %s shows how it is shared", n.label(), p.label(), args.Action, n.label())})
		return chk, nil
	}
	return chk, checkTakeBack(ctx, env, c, n, found[0], chk)
}

// policyFor finds the policy an unshare takes back.
func policyFor(ctx context.Context, c *gophercloud.ServiceClient, args UnshareArgs) (*rbacpolicies.RBACPolicy, error) {
	found, err := rbacOf(ctx, c, rbacpolicies.ListOpts{ObjectType: "network", ObjectID: args.Network, TargetTenant: args.Project, Action: rbacpolicies.PolicyAction(actionOr(args.Action))})
	if err != nil {
		return nil, err
	}
	if len(found) == 0 {
		return nil, fmt.Errorf("network %s is no longer shared with project %s as %s", args.Network, args.Project, actionOr(args.Action))
	}
	return &found[0], nil
}

func previewUnshare(ctx context.Context, env *tools.Env, args UnshareArgs, chk *tools.Check) (*tools.Preview, error) {
	c, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	pol, ok := tools.FetchedAs[*rbacpolicies.RBACPolicy](chk)
	if !ok {
		if pol, err = policyFor(ctx, c, args); err != nil {
			return nil, err
		}
	}
	return takeBackPreview(c, *pol, chk), nil
}

func takeBackPreview(c *gophercloud.ServiceClient, pol rbacpolicies.RBACPolicy, chk *tools.Check) *tools.Preview {
	return &tools.Preview{
		Requests: []tools.Request{{Method: "DELETE", URL: c.ServiceURL("rbac-policies", pol.ID)}},
		Deletes: []tools.Dependent{{Kind: policyKind, ID: pol.ID, Name: pol.ID,
			Fate: fmt.Sprintf("network %s %s for project %s, removed", named(chk, pol.ObjectID), pol.Action, named(chk, pol.TargetTenant))}},
	}
}

// deletePolicy deletes pol and says what it shared, for the undo.
func deletePolicy(ctx context.Context, c *gophercloud.ServiceClient, pol rbacpolicies.RBACPolicy) (*tools.Result, error) {
	label := pol.ObjectID
	if n, err := getByID(ctx, c, pol.ObjectID); err == nil {
		label = n.label()
	}
	r := rbacpolicies.Delete(ctx, c, pol.ID)
	ids := tools.HeaderRequestIDs(r.Header)
	switch {
	case gophercloud.ResponseCodeIs(r.Err, http.StatusNotFound):
		return &tools.Result{RequestIDs: ids}, &tools.NotFoundError{Kind: policyKind, Name: pol.ID}
	case gophercloud.ResponseCodeIs(r.Err, http.StatusConflict):
		return &tools.Result{RequestIDs: ids}, fmt.Errorf("delete RBAC policy %s: %w (the project started using the network after the preflight)", pol.ID, r.Err)
	case r.Err != nil:
		return &tools.Result{RequestIDs: ids}, fmt.Errorf("delete RBAC policy %s: %w", pol.ID, r.Err)
	}
	return &tools.Result{
		Message:    fmt.Sprintf("network %s is no longer shared with project %s as %s (policy %s deleted)", label, pol.TargetTenant, pol.Action, pol.ID),
		Outputs:    map[string]string{"id": pol.ID, "network": pol.ObjectID, "project": pol.TargetTenant, "action": string(pol.Action)},
		RequestIDs: ids,
	}, nil
}

func runUnshare(ctx context.Context, env *tools.Env, args UnshareArgs) (*tools.Result, error) {
	c, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	pol, err := policyFor(ctx, c, args)
	if err != nil {
		return nil, err
	}
	return deletePolicy(ctx, c, *pol)
}

func getPolicy(ctx context.Context, c *gophercloud.ServiceClient, id string) (*rbacpolicies.RBACPolicy, error) {
	pol, err := rbacpolicies.Get(ctx, c, id).Extract()
	if err != nil {
		if gophercloud.ResponseCodeIs(err, http.StatusNotFound) {
			return nil, &tools.NotFoundError{Kind: policyKind, Name: id}
		}
		return nil, fmt.Errorf("get RBAC policy %s: %w", id, err)
	}
	return pol, nil
}

func checkRBACDelete(ctx context.Context, env *tools.Env, args RBACDeleteArgs) (*tools.Check, error) {
	c, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	pol, err := getPolicy(ctx, c, args.Policy)
	if err != nil {
		return nil, err
	}
	chk := &tools.Check{Targets: []tools.Target{{Kind: policyKind, ID: pol.ID, Name: pol.ID}}, Resolved: tools.JSON(RBACDeleteArgs{Policy: pol.ID})}
	if pol.ObjectType != "network" {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block, Text: fmt.Sprintf(
			"policy %s shares a %s, not a network; ostui takes back network shares only: use openstack network rbac delete %s", pol.ID, pol.ObjectType, pol.ID)})
		return chk, nil
	}
	n, err := Resolve(ctx, env, pol.ObjectID)
	if err != nil {
		return nil, err
	}
	chk.Targets = append(chk.Targets, target(n))
	return chk, checkTakeBack(ctx, env, c, n, *pol, chk)
}

func previewRBACDelete(ctx context.Context, env *tools.Env, args RBACDeleteArgs, chk *tools.Check) (*tools.Preview, error) {
	c, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	pol, ok := tools.FetchedAs[*rbacpolicies.RBACPolicy](chk)
	if !ok || pol.ID != args.Policy {
		if pol, err = getPolicy(ctx, c, args.Policy); err != nil {
			return nil, err
		}
	}
	return takeBackPreview(c, *pol, chk), nil
}

func runRBACDelete(ctx context.Context, env *tools.Env, args RBACDeleteArgs) (*tools.Result, error) {
	c, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	pol, err := getPolicy(ctx, c, args.Policy)
	if err != nil {
		return nil, err
	}
	return deletePolicy(ctx, c, *pol)
}

// --- network.rbac.list ---

func rbacList(ctx context.Context, env *tools.Env, args RBACListArgs) (*tools.Result, error) {
	c, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	opts := rbacpolicies.ListOpts{ObjectType: args.Type, Action: rbacpolicies.PolicyAction(args.Action)}
	if args.Network != "" {
		n, err := Resolve(ctx, env, args.Network)
		if err != nil {
			return nil, err
		}
		opts.ObjectType, opts.ObjectID = "network", n.ID
	}
	if args.Project != "" {
		p, err := ResolveProject(ctx, env, args.Project)
		if err != nil {
			return nil, err
		}
		opts.TargetTenant = p.ID
	}
	all, err := rbacOf(ctx, c, opts)
	if err != nil {
		return nil, err
	}
	out := &tools.List{Columns: []tools.Column{
		{Name: "ID"}, {Name: "Object Type"}, {Name: "Object ID"},
		{Name: "Action", Long: true}, {Name: "Target Project", Long: true},
	}}
	for _, p := range all {
		out.Rows = append(out.Rows, []any{p.ID, p.ObjectType, p.ObjectID, string(p.Action), p.TargetTenant})
	}
	return &tools.Result{List: out}, nil
}
