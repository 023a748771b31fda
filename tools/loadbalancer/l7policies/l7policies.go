// Package l7policies holds the L7 policy tools and the tools of their
// rules: list, show, create, set and delete each. A policy redirects or
// rejects the requests of a listener that all its rules match.
package l7policies

import (
	"context"
	"fmt"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/loadbalancer/v2/l7policies"
	"github.com/gophercloud/gophercloud/v2/openstack/loadbalancer/v2/loadbalancers"

	"github.com/kriscelmer/os-tui/tools"
	lb "github.com/kriscelmer/os-tui/tools/loadbalancer"
)

// Tools returns the L7 policy and rule tools.
func Tools() []tools.Tool {
	return append([]tools.Tool{
		tools.ReadTool("loadbalancer.policy.list", lb.Service, list),
		tools.ReadTool("loadbalancer.policy.show", lb.Service, show),
		tools.ChangeTool(tools.ChangeSpec[CreateArgs]{
			Name: "loadbalancer.policy.create", Effect: tools.Change, Service: lb.Service, Produces: []string{"id", "name"},
			Check: checkCreate, Preview: previewCreate, Run: runCreate,
			Undo: func(_ CreateArgs, res *tools.Result) *tools.Call {
				if res == nil || res.Outputs["id"] == "" {
					return nil
				}
				return &tools.Call{Tool: "loadbalancer.policy.delete", Args: tools.JSON(ShowArgs{L7Policy: res.Outputs["id"]}), Why: "undo adding the L7 policy"}
			},
		}),
		tools.ChangeTool(tools.ChangeSpec[SetArgs]{
			Name: "loadbalancer.policy.set", Effect: tools.Change, Service: lb.Service, Produces: []string{"id"},
			Subject: func(a SetArgs) (string, string) { return lb.KindPolicy, a.L7Policy },
			Check:   checkSet, Preview: previewSet, Run: runSet,
		}),
		tools.ChangeTool(tools.ChangeSpec[ShowArgs]{
			Name: "loadbalancer.policy.delete", Effect: tools.Destroy, Service: lb.Service, Produces: []string{"id"},
			Subject: func(a ShowArgs) (string, string) { return lb.KindPolicy, a.L7Policy },
			Check:   checkDelete, Preview: previewDelete, Run: runDelete,
		}),
	}, ruleTools()...)
}

// ListArgs are the arguments of loadbalancer.l7policy.list.
type ListArgs struct {
	Listener string `json:"listener,omitempty"`
}

// ShowArgs name one policy: show and delete.
type ShowArgs struct {
	L7Policy string `json:"l7policy"`
}

// CreateArgs are the arguments of loadbalancer.l7policy.create.
type CreateArgs struct {
	Listener       string `json:"listener"`
	Name           string `json:"name,omitempty"`
	Description    string `json:"description,omitempty"`
	Action         string `json:"action"`
	RedirectPool   string `json:"redirect_pool,omitempty"`
	RedirectURL    string `json:"redirect_url,omitempty"`
	RedirectPrefix string `json:"redirect_prefix,omitempty"`
	Position       int    `json:"position,omitempty"`
	AdminStateUp   *bool  `json:"admin_state_up,omitempty"`
}

// SetArgs are the arguments of loadbalancer.l7policy.set.
type SetArgs struct {
	L7Policy     string  `json:"l7policy"`
	Name         *string `json:"name,omitempty"`
	Description  *string `json:"description,omitempty"`
	Action       string  `json:"action,omitempty"`
	RedirectPool *string `json:"redirect_pool,omitempty"`
	RedirectURL  *string `json:"redirect_url,omitempty"`
	Position     int     `json:"position,omitempty"`
	AdminStateUp *bool   `json:"admin_state_up,omitempty"`
}

func list(ctx context.Context, env *tools.Env, args ListArgs) (*tools.Result, error) {
	c, err := lb.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	opts := l7policies.ListOpts{}
	if args.Listener != "" {
		l, err := lb.FindListener(ctx, c, args.Listener)
		if err != nil {
			return nil, err
		}
		opts.ListenerID = l.ID
	}
	all, err := lb.All(ctx, l7policies.List(c, opts), l7policies.ExtractL7Policies)
	if err != nil {
		return nil, fmt.Errorf("list L7 policies: %w", err)
	}
	out := &tools.List{Columns: []tools.Column{{Name: "ID"}, {Name: "Name"}, {Name: "Project ID", Long: true}, {Name: "Provisioning Status", Kind: tools.Status},
		{Name: "Action"}, {Name: "Position"}, {Name: "Admin State Up"}}}
	var names []string
	for _, p := range all {
		out.Rows = append(out.Rows, []any{p.ID, p.Name, p.ProjectID, p.ProvisioningStatus, p.Action, int(p.Position), p.AdminStateUp})
		names = append(names, p.Name)
	}
	env.Names.Replace(lb.KindPolicy, names...)
	return &tools.Result{List: out}, nil
}

func show(ctx context.Context, env *tools.Env, args ShowArgs) (*tools.Result, error) {
	c, err := lb.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	p, err := lb.FindPolicy(ctx, c, args.L7Policy)
	if err != nil {
		return nil, err
	}
	var rules []string
	for _, r := range p.Rules {
		rules = append(rules, r.ID)
	}
	return &tools.Result{Record: &tools.Record{Fields: []tools.Field{
		{Name: "action", Value: p.Action},
		{Name: "admin_state_up", Value: p.AdminStateUp},
		{Name: "description", Value: p.Description},
		{Name: "id", Value: p.ID},
		{Name: "listener_id", Value: p.ListenerID},
		{Name: "name", Value: p.Name},
		{Name: "operating_status", Value: p.OperatingStatus, Kind: tools.Status},
		{Name: "position", Value: int(p.Position)},
		{Name: "project_id", Value: p.ProjectID},
		{Name: "provisioning_status", Value: p.ProvisioningStatus, Kind: tools.Status},
		{Name: "redirect_pool_id", Value: p.RedirectPoolID},
		{Name: "redirect_prefix", Value: p.RedirectPrefix},
		{Name: "redirect_url", Value: p.RedirectURL},
		{Name: "rules", Value: rules},
	}}}, nil
}

// lbOfListener returns the load balancer of a listener, by ID.
func lbOfListener(ctx context.Context, c *gophercloud.ServiceClient, listener string) (string, error) {
	l, err := lb.FindListener(ctx, c, listener)
	if err != nil {
		return "", err
	}
	return lb.LBOfListener(l), nil
}

// actionFindings checks that an action has what it needs, and only that.
func actionFindings(a CreateArgs, chk *tools.Check) {
	need := map[string]string{"REDIRECT_TO_POOL": "--redirect-pool", "REDIRECT_TO_URL": "--redirect-url", "REDIRECT_PREFIX": "--redirect-prefix"}[a.Action]
	given := map[string]bool{"--redirect-pool": a.RedirectPool != "", "--redirect-url": a.RedirectURL != "", "--redirect-prefix": a.RedirectPrefix != ""}
	for flag, ok := range given {
		switch {
		case flag == need && !ok:
			chk.Findings = append(chk.Findings, lb.Block("action %s needs %s", a.Action, need))
		case flag != need && ok:
			chk.Findings = append(chk.Findings, lb.Block("%s does not go with action %s", flag, a.Action))
		}
	}
}

func checkCreate(ctx context.Context, env *tools.Env, args CreateArgs) (*tools.Check, error) {
	chk := &tools.Check{Targets: []tools.Target{{Kind: lb.KindPolicy, Name: args.Name}}}
	actionFindings(args, chk)
	c, err := lb.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	l, err := lb.FindListener(ctx, c, args.Listener)
	if err != nil {
		return nil, err
	}
	if l.Protocol != "HTTP" && l.Protocol != "TERMINATED_HTTPS" {
		chk.Findings = append(chk.Findings, lb.Block("listener %s is %s; L7 policies read HTTP requests, so they need an HTTP or TERMINATED_HTTPS listener", lb.Label(l.Name, l.ID), l.Protocol))
	}
	if args.RedirectPool != "" {
		p, err := lb.FindPool(ctx, c, args.RedirectPool)
		if err != nil {
			f, err := lb.LookupFinding(err)
			if err != nil {
				return nil, err
			}
			chk.Findings = append(chk.Findings, f)
		} else {
			if lb.LBOfPool(p) != lb.LBOfListener(l) {
				chk.Findings = append(chk.Findings, lb.Block("pool %s is on another load balancer than listener %s", lb.Label(p.Name, p.ID), lb.Label(l.Name, l.ID)))
			}
			args.RedirectPool = p.ID
		}
	}
	findings, state := lb.ParentFindings(ctx, c, lb.LBOfListener(l))
	chk.Findings = append(chk.Findings, findings...)
	if state != "" {
		chk.State = state
	}
	args.Listener = l.ID
	chk.Resolved = tools.JSON(args)
	return chk, nil
}

func createOpts(a CreateArgs) l7policies.CreateOpts {
	return l7policies.CreateOpts{ListenerID: a.Listener, Name: a.Name, Description: a.Description, Action: l7policies.Action(a.Action),
		RedirectPoolID: a.RedirectPool, RedirectURL: a.RedirectURL, RedirectPrefix: a.RedirectPrefix, Position: int32(a.Position), AdminStateUp: a.AdminStateUp} //nolint:gosec // the schema bounds position to 1..2147483647
}

func previewCreate(ctx context.Context, env *tools.Env, args CreateArgs, _ *tools.Check) (*tools.Preview, error) {
	c, err := lb.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	body, err := createOpts(args).ToL7PolicyCreateMap()
	if err != nil {
		return nil, err
	}
	return &tools.Preview{Requests: []tools.Request{{Method: "POST", URL: c.ServiceURL("lbaas", "l7policies"), Body: body}},
		Creates: []string{fmt.Sprintf("L7 policy %s(%s) on listener %s; it applies once it has rules", lb.Named(args.Name), args.Action, args.Listener)}}, nil
}

func runCreate(ctx context.Context, env *tools.Env, args CreateArgs) (*tools.Result, error) {
	c, err := lb.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	lbID, err := lbOfListener(ctx, c, args.Listener)
	if err != nil {
		return nil, err
	}
	v, err := lb.Settle(ctx, env, c, lbID)
	if err != nil {
		return nil, err
	}
	r := l7policies.Create(ctx, c, createOpts(args))
	p, err := r.Extract()
	if err != nil {
		return nil, fmt.Errorf("create L7 policy: %w", err)
	}
	env.Names.Remember(lb.KindPolicy, p.Name)
	return &tools.Result{Message: fmt.Sprintf("L7 policy %s created (%s)", lb.Label(p.Name, p.ID), p.Action),
		Outputs: map[string]string{"id": p.ID, "name": p.Name}, Await: lb.AwaitLB(c, v.ID, v.Name), RequestIDs: tools.HeaderRequestIDs(r.Header)}, nil
}

// policyCheck finds a policy for set and delete, with its load balancer's state.
func policyCheck(ctx context.Context, c *gophercloud.ServiceClient, ref string) (*l7policies.L7Policy, *tools.Check, error) {
	p, err := lb.FindPolicy(ctx, c, ref)
	if err != nil {
		return nil, nil, err
	}
	chk := &tools.Check{Targets: []tools.Target{{Kind: lb.KindPolicy, ID: p.ID, Name: p.Name}}, State: p.ProvisioningStatus, Fetched: p}
	if lbID, err := lbOfListener(ctx, c, p.ListenerID); err == nil {
		parent, _ := lb.ParentFindings(ctx, c, lbID)
		chk.Findings = append(chk.Findings, parent...)
	}
	return p, chk, nil
}

func checkSet(ctx context.Context, env *tools.Env, args SetArgs) (*tools.Check, error) {
	c, err := lb.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	p, chk, err := policyCheck(ctx, c, args.L7Policy)
	if err != nil {
		return nil, err
	}
	if args.RedirectPool != nil && *args.RedirectPool != "" {
		pool, err := lb.FindPool(ctx, c, *args.RedirectPool)
		if err != nil {
			f, err := lb.LookupFinding(err)
			if err != nil {
				return nil, err
			}
			chk.Findings = append(chk.Findings, f)
		} else {
			args.RedirectPool = &pool.ID
		}
	}
	args.L7Policy = p.ID
	chk.Resolved = tools.JSON(args)
	return chk, nil
}

func updateOpts(a SetArgs) l7policies.UpdateOpts {
	return l7policies.UpdateOpts{Name: a.Name, Description: a.Description, Action: l7policies.Action(a.Action), RedirectPoolID: a.RedirectPool,
		RedirectURL: a.RedirectURL, Position: int32(a.Position), AdminStateUp: a.AdminStateUp} //nolint:gosec // the schema bounds position to 1..2147483647
}

func previewSet(ctx context.Context, env *tools.Env, args SetArgs, chk *tools.Check) (*tools.Preview, error) {
	c, err := lb.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	body, err := updateOpts(args).ToL7PolicyUpdateMap()
	if err != nil {
		return nil, err
	}
	p := &tools.Preview{Requests: []tools.Request{{Method: "PUT", URL: c.ServiceURL("lbaas", "l7policies", args.L7Policy), Body: body}}}
	if old, ok := tools.FetchedAs[*l7policies.L7Policy](chk); ok {
		if args.Action != "" {
			p.Changes = append(p.Changes, tools.FieldChange{Field: "action", From: old.Action, To: args.Action})
		}
		if args.Position > 0 {
			p.Changes = append(p.Changes, tools.FieldChange{Field: "position", From: int(old.Position), To: args.Position})
		}
	}
	return p, nil
}

// policyForWrite is the start of every write to a policy or its rules:
// the client, the policy, and its load balancer once settled (a write
// while it is PENDING_* is refused with 409).
func policyForWrite(ctx context.Context, env *tools.Env, ref string) (*gophercloud.ServiceClient, *l7policies.L7Policy, *loadbalancers.LoadBalancer, error) {
	c, err := lb.Client(ctx, env)
	if err != nil {
		return nil, nil, nil, err
	}
	p, err := lb.FindPolicy(ctx, c, ref)
	if err != nil {
		return nil, nil, nil, err
	}
	lbID, err := lbOfListener(ctx, c, p.ListenerID)
	if err != nil {
		return nil, nil, nil, err
	}
	v, err := lb.Settle(ctx, env, c, lbID)
	if err != nil {
		return nil, nil, nil, err
	}
	return c, p, v, nil
}

func runSet(ctx context.Context, env *tools.Env, args SetArgs) (*tools.Result, error) {
	c, p, v, err := policyForWrite(ctx, env, args.L7Policy)
	if err != nil {
		return nil, err
	}
	r := l7policies.Update(ctx, c, p.ID, updateOpts(args))
	if _, err := r.Extract(); err != nil {
		return nil, fmt.Errorf("update L7 policy %s: %w", lb.Label(p.Name, p.ID), err)
	}
	return &tools.Result{Message: fmt.Sprintf("L7 policy %s updated", lb.Label(p.Name, p.ID)), Outputs: map[string]string{"id": p.ID},
		Await: lb.AwaitLB(c, v.ID, v.Name), RequestIDs: tools.HeaderRequestIDs(r.Header)}, nil
}

func checkDelete(ctx context.Context, env *tools.Env, args ShowArgs) (*tools.Check, error) {
	c, err := lb.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	p, chk, err := policyCheck(ctx, c, args.L7Policy)
	if err != nil {
		return nil, err
	}
	args.L7Policy = p.ID
	chk.Resolved = tools.JSON(args)
	return chk, nil
}

func previewDelete(ctx context.Context, env *tools.Env, args ShowArgs, chk *tools.Check) (*tools.Preview, error) {
	c, err := lb.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	pv := &tools.Preview{Requests: []tools.Request{{Method: "DELETE", URL: c.ServiceURL("lbaas", "l7policies", args.L7Policy)}}}
	if p, ok := tools.FetchedAs[*l7policies.L7Policy](chk); ok {
		pv.Deletes = append(pv.Deletes, tools.Dependent{Kind: "l7policy", ID: p.ID, Name: lb.Label(p.Name, p.ID), Fate: "deleted"})
		for _, r := range p.Rules {
			pv.Deletes = append(pv.Deletes, tools.Dependent{Kind: "l7rule", ID: r.ID, Name: fmt.Sprintf("%s %s %s", r.RuleType, r.CompareType, r.Value), Fate: "deleted with the policy"})
		}
	}
	return pv, nil
}

func runDelete(ctx context.Context, env *tools.Env, args ShowArgs) (*tools.Result, error) {
	c, p, v, err := policyForWrite(ctx, env, args.L7Policy)
	if err != nil {
		return nil, err
	}
	r := l7policies.Delete(ctx, c, p.ID)
	if r.Err != nil {
		return nil, fmt.Errorf("delete L7 policy %s: %w", lb.Label(p.Name, p.ID), lb.NotFound(r.Err, lb.KindPolicy, args.L7Policy))
	}
	return &tools.Result{Message: fmt.Sprintf("L7 policy %s deleted", lb.Label(p.Name, p.ID)), Outputs: map[string]string{"id": p.ID},
		Await: lb.AwaitLB(c, v.ID, v.Name), RequestIDs: tools.HeaderRequestIDs(r.Header)}, nil
}
