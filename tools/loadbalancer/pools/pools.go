// Package pools holds the pool tools: list, show, create (a listener's
// default pool, or a load balancer's), set and delete (whose preview
// names the members and monitor that go with it).
package pools

import (
	"context"
	"fmt"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/loadbalancer/v2/pools"

	"github.com/kriscelmer/os-tui/tools"
	lb "github.com/kriscelmer/os-tui/tools/loadbalancer"
)

// Tools returns the pool tools.
func Tools() []tools.Tool {
	return []tools.Tool{
		tools.ReadTool("loadbalancer.pool.list", lb.Service, list),
		tools.ReadTool("loadbalancer.pool.show", lb.Service, show),
		tools.ChangeTool(tools.ChangeSpec[CreateArgs]{
			Name: "loadbalancer.pool.create", Effect: tools.Change, Service: lb.Service, Produces: []string{"id", "name"},
			Check: checkCreate, Preview: previewCreate, Run: runCreate,
			Undo: func(_ CreateArgs, res *tools.Result) *tools.Call {
				if res == nil || res.Outputs["id"] == "" {
					return nil
				}
				return &tools.Call{Tool: "loadbalancer.pool.delete", Args: tools.JSON(DeleteArgs{Pool: res.Outputs["id"]}), Why: "undo creating pool " + res.Outputs["name"]}
			},
		}),
		tools.ChangeTool(tools.ChangeSpec[SetArgs]{
			Name: "loadbalancer.pool.set", Effect: tools.Change, Service: lb.Service, Produces: []string{"id"},
			Subject: func(a SetArgs) (string, string) { return lb.KindPool, a.Pool },
			Check:   checkSet, Preview: previewSet, Run: runSet,
		}),
		tools.ChangeTool(tools.ChangeSpec[DeleteArgs]{
			Name: "loadbalancer.pool.delete", Effect: tools.Destroy, Service: lb.Service, Produces: []string{"id"},
			Subject: func(a DeleteArgs) (string, string) { return lb.KindPool, a.Pool },
			Check:   checkDelete, Preview: previewDelete, Run: runDelete,
		}),
	}
}

// ListArgs are the arguments of loadbalancer.pool.list.
type ListArgs struct {
	Loadbalancer string `json:"loadbalancer,omitempty"`
	Name         string `json:"name,omitempty"`
}

// ShowArgs are the arguments of loadbalancer.pool.show.
type ShowArgs struct {
	Pool string `json:"pool"`
}

// CreateArgs are the arguments of loadbalancer.pool.create.
type CreateArgs struct {
	Listener     string `json:"listener,omitempty"`
	Loadbalancer string `json:"loadbalancer,omitempty"`
	Name         string `json:"name,omitempty"`
	Description  string `json:"description,omitempty"`
	Protocol     string `json:"protocol"`
	LBAlgorithm  string `json:"lb_algorithm"`
	AdminStateUp *bool  `json:"admin_state_up,omitempty"`
}

// SetArgs are the arguments of loadbalancer.pool.set.
type SetArgs struct {
	Pool         string  `json:"pool"`
	Name         *string `json:"name,omitempty"`
	Description  *string `json:"description,omitempty"`
	LBAlgorithm  string  `json:"lb_algorithm,omitempty"`
	AdminStateUp *bool   `json:"admin_state_up,omitempty"`
}

// DeleteArgs are the arguments of loadbalancer.pool.delete.
type DeleteArgs struct {
	Pool string `json:"pool"`
}

func list(ctx context.Context, env *tools.Env, args ListArgs) (*tools.Result, error) {
	c, err := lb.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	opts := pools.ListOpts{Name: args.Name}
	if args.Loadbalancer != "" {
		v, err := lb.FindLB(ctx, c, args.Loadbalancer)
		if err != nil {
			return nil, err
		}
		opts.LoadbalancerID = v.ID
	}
	all, err := lb.All(ctx, pools.List(c, opts), pools.ExtractPools)
	if err != nil {
		return nil, fmt.Errorf("list pools: %w", err)
	}
	out := &tools.List{Columns: []tools.Column{
		{Name: "ID"}, {Name: "Name"}, {Name: "Project ID", Long: true}, {Name: "Provisioning Status", Kind: tools.Status},
		{Name: "Protocol"}, {Name: "LB Algorithm"}, {Name: "Admin State Up"},
	}}
	var names []string
	for _, p := range all {
		out.Rows = append(out.Rows, []any{p.ID, p.Name, p.ProjectID, p.ProvisioningStatus, p.Protocol, p.LBMethod, p.AdminStateUp})
		names = append(names, p.Name)
	}
	env.Names.Replace(lb.KindPool, names...)
	return &tools.Result{List: out}, nil
}

func show(ctx context.Context, env *tools.Env, args ShowArgs) (*tools.Result, error) {
	c, err := lb.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	p, err := lb.FindPool(ctx, c, args.Pool)
	if err != nil {
		return nil, err
	}
	env.Names.Remember(lb.KindPool, p.Name)
	var ls, ms []string
	for _, l := range p.Listeners {
		ls = append(ls, l.ID)
	}
	for _, m := range p.Members {
		ms = append(ms, m.ID)
	}
	return &tools.Result{Record: &tools.Record{Fields: []tools.Field{
		{Name: "admin_state_up", Value: p.AdminStateUp},
		{Name: "description", Value: p.Description},
		{Name: "healthmonitor_id", Value: p.MonitorID},
		{Name: "id", Value: p.ID},
		{Name: "lb_algorithm", Value: p.LBMethod},
		{Name: "listeners", Value: ls},
		{Name: "loadbalancers", Value: lb.LBOfPool(p)},
		{Name: "members", Value: ms},
		{Name: "name", Value: p.Name},
		{Name: "operating_status", Value: p.OperatingStatus, Kind: tools.Status},
		{Name: "project_id", Value: p.ProjectID},
		{Name: "protocol", Value: p.Protocol},
		{Name: "provisioning_status", Value: p.ProvisioningStatus, Kind: tools.Status},
		{Name: "tags", Value: p.Tags},
	}}}, nil
}

// compatible reports whether a pool protocol can serve a listener
// protocol, as Octavia's rules allow.
func compatible(listener, pool string) bool {
	switch listener {
	case "HTTP", "TERMINATED_HTTPS":
		return pool == "HTTP" || pool == "PROXY" || pool == "PROXYV2"
	case "HTTPS":
		return pool == "HTTPS" || pool == "PROXY" || pool == "PROXYV2" || pool == "TCP"
	case "TCP":
		return pool == "TCP" || pool == "HTTP" || pool == "HTTPS" || pool == "PROXY" || pool == "PROXYV2"
	case "UDP":
		return pool == "UDP"
	case "SCTP":
		return pool == "SCTP"
	}
	return true
}

func checkCreate(ctx context.Context, env *tools.Env, args CreateArgs) (*tools.Check, error) {
	chk := &tools.Check{Targets: []tools.Target{{Kind: lb.KindPool, Name: args.Name}}}
	if args.Listener != "" && args.Loadbalancer != "" {
		chk.Findings = append(chk.Findings, lb.Block("give --listener (the pool becomes its default pool) or --loadbalancer, not both"))
		return chk, nil
	}
	if tools.IsRef(args.Listener) || tools.IsRef(args.Loadbalancer) {
		chk.Findings = append(chk.Findings, lb.Info("its listener or load balancer comes from an earlier step"))
		return chk, nil
	}
	c, err := lb.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	var lbID string
	if args.Listener != "" {
		l, err := lb.FindListener(ctx, c, args.Listener)
		if err != nil {
			f, err := lb.LookupFinding(err)
			if err != nil {
				return nil, err
			}
			chk.Findings = append(chk.Findings, f)
			return chk, nil
		}
		if l.DefaultPoolID != "" {
			chk.Findings = append(chk.Findings, lb.Block("listener %s already has default pool %s; give --loadbalancer for another pool, or delete that one first", lb.Label(l.Name, l.ID), l.DefaultPoolID))
		}
		if !compatible(l.Protocol, args.Protocol) {
			chk.Findings = append(chk.Findings, lb.Block("a %s pool cannot serve listener %s, which is %s; use --protocol %s", args.Protocol, lb.Label(l.Name, l.ID), l.Protocol, suggest(l.Protocol)))
		}
		args.Listener, lbID = l.ID, lb.LBOfListener(l)
	} else {
		v, err := lb.FindLB(ctx, c, args.Loadbalancer)
		if err != nil {
			f, err := lb.LookupFinding(err)
			if err != nil {
				return nil, err
			}
			chk.Findings = append(chk.Findings, f)
			return chk, nil
		}
		args.Loadbalancer, lbID = v.ID, v.ID
	}
	findings, state := lb.ParentFindings(ctx, c, lbID)
	chk.Findings = append(chk.Findings, findings...)
	if state != "" {
		chk.State = state
	}
	chk.Resolved = tools.JSON(args)
	return chk, nil
}

func suggest(listener string) string {
	switch listener {
	case "TERMINATED_HTTPS", "HTTP":
		return "HTTP"
	}
	return listener
}

func createOpts(args CreateArgs) pools.CreateOpts {
	return pools.CreateOpts{ListenerID: args.Listener, LoadbalancerID: args.Loadbalancer, Name: args.Name, Description: args.Description,
		Protocol: pools.Protocol(args.Protocol), LBMethod: pools.LBMethod(args.LBAlgorithm), AdminStateUp: args.AdminStateUp}
}

func previewCreate(ctx context.Context, env *tools.Env, args CreateArgs, _ *tools.Check) (*tools.Preview, error) {
	c, err := lb.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	body, err := createOpts(args).ToPoolCreateMap()
	if err != nil {
		return nil, err
	}
	return &tools.Preview{
		Requests: []tools.Request{{Method: "POST", URL: c.ServiceURL("lbaas", "pools"), Body: body}},
		Creates:  []string{fmt.Sprintf("pool %s(%s, %s); waits until the load balancer is ACTIVE", lb.Named(args.Name), args.Protocol, args.LBAlgorithm)},
	}, nil
}

// lbOf returns the load balancer a new pool goes on.
func lbOf(ctx context.Context, c *gophercloud.ServiceClient, args CreateArgs) (string, error) {
	if args.Loadbalancer != "" {
		return args.Loadbalancer, nil
	}
	l, err := lb.FindListener(ctx, c, args.Listener)
	if err != nil {
		return "", err
	}
	return lb.LBOfListener(l), nil
}

func runCreate(ctx context.Context, env *tools.Env, args CreateArgs) (*tools.Result, error) {
	c, err := lb.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	lbID, err := lbOf(ctx, c, args)
	if err != nil {
		return nil, err
	}
	v, err := lb.Settle(ctx, env, c, lbID)
	if err != nil {
		return nil, err
	}
	r := pools.Create(ctx, c, createOpts(args))
	p, err := r.Extract()
	if err != nil {
		return nil, fmt.Errorf("create pool: %w", err)
	}
	env.Names.Remember(lb.KindPool, p.Name)
	return &tools.Result{
		Message: fmt.Sprintf("pool %s created (%s, %s)", lb.Label(p.Name, p.ID), p.Protocol, p.LBMethod),
		Outputs: map[string]string{"id": p.ID, "name": p.Name}, Await: lb.AwaitLB(c, v.ID, v.Name),
		RequestIDs: tools.HeaderRequestIDs(r.Header),
	}, nil
}

func checkSet(ctx context.Context, env *tools.Env, args SetArgs) (*tools.Check, error) {
	c, err := lb.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	p, err := lb.FindPool(ctx, c, args.Pool)
	if err != nil {
		return nil, err
	}
	chk := &tools.Check{Targets: []tools.Target{{Kind: lb.KindPool, ID: p.ID, Name: p.Name}}, State: p.ProvisioningStatus, Fetched: p}
	parent, _ := lb.ParentFindings(ctx, c, lb.LBOfPool(p))
	chk.Findings = append(chk.Findings, parent...)
	args.Pool = p.ID
	chk.Resolved = tools.JSON(args)
	return chk, nil
}

func updateOpts(args SetArgs) pools.UpdateOpts {
	return pools.UpdateOpts{Name: args.Name, Description: args.Description, LBMethod: pools.LBMethod(args.LBAlgorithm), AdminStateUp: args.AdminStateUp}
}

func previewSet(ctx context.Context, env *tools.Env, args SetArgs, chk *tools.Check) (*tools.Preview, error) {
	c, err := lb.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	body, err := updateOpts(args).ToPoolUpdateMap()
	if err != nil {
		return nil, err
	}
	p := &tools.Preview{Requests: []tools.Request{{Method: "PUT", URL: c.ServiceURL("lbaas", "pools", args.Pool), Body: body}}}
	if old, ok := tools.FetchedAs[*pools.Pool](chk); ok {
		if args.Name != nil {
			p.Changes = append(p.Changes, tools.FieldChange{Field: "name", From: old.Name, To: *args.Name})
		}
		if args.LBAlgorithm != "" {
			p.Changes = append(p.Changes, tools.FieldChange{Field: "lb_algorithm", From: old.LBMethod, To: args.LBAlgorithm})
		}
		if args.AdminStateUp != nil {
			p.Changes = append(p.Changes, tools.FieldChange{Field: "admin_state_up", From: old.AdminStateUp, To: *args.AdminStateUp})
		}
	}
	return p, nil
}

func runSet(ctx context.Context, env *tools.Env, args SetArgs) (*tools.Result, error) {
	c, err := lb.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	p, err := lb.FindPool(ctx, c, args.Pool)
	if err != nil {
		return nil, err
	}
	v, err := lb.Settle(ctx, env, c, lb.LBOfPool(p))
	if err != nil {
		return nil, err
	}
	r := pools.Update(ctx, c, p.ID, updateOpts(args))
	if _, err := r.Extract(); err != nil {
		return nil, fmt.Errorf("update pool %s: %w", lb.Label(p.Name, p.ID), err)
	}
	return &tools.Result{Message: fmt.Sprintf("pool %s updated", lb.Label(p.Name, p.ID)), Outputs: map[string]string{"id": p.ID},
		Await: lb.AwaitLB(c, v.ID, v.Name), RequestIDs: tools.HeaderRequestIDs(r.Header)}, nil
}

func checkDelete(ctx context.Context, env *tools.Env, args DeleteArgs) (*tools.Check, error) {
	c, err := lb.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	p, err := lb.FindPool(ctx, c, args.Pool)
	if err != nil {
		return nil, err
	}
	chk := &tools.Check{Targets: []tools.Target{{Kind: lb.KindPool, ID: p.ID, Name: p.Name}}, State: p.ProvisioningStatus}
	parent, _ := lb.ParentFindings(ctx, c, lb.LBOfPool(p))
	chk.Findings = append(chk.Findings, parent...)
	ms, err := lb.Members(ctx, c, p.ID)
	if err != nil {
		return nil, err
	}
	deletes := []tools.Dependent{{Kind: "pool", ID: p.ID, Name: lb.Label(p.Name, p.ID), Fate: "deleted"}}
	for _, m := range ms {
		deletes = append(deletes, tools.Dependent{Kind: "member", ID: m.ID, Name: fmt.Sprintf("%s:%d", m.Address, m.ProtocolPort), Fate: "deleted with the pool (the server is kept)"})
	}
	if p.MonitorID != "" {
		deletes = append(deletes, tools.Dependent{Kind: "healthmonitor", ID: p.MonitorID, Name: p.MonitorID, Fate: "deleted with the pool"})
	}
	if len(p.Listeners) > 0 {
		chk.Findings = append(chk.Findings, lb.Warn("pool %s is the default pool of %d listener(s); they are left without one and answer 503", lb.Label(p.Name, p.ID), len(p.Listeners)))
	}
	chk.Fetched = deletes
	args.Pool = p.ID
	chk.Resolved = tools.JSON(args)
	return chk, nil
}

func previewDelete(ctx context.Context, env *tools.Env, args DeleteArgs, chk *tools.Check) (*tools.Preview, error) {
	c, err := lb.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	p := &tools.Preview{Requests: []tools.Request{{Method: "DELETE", URL: c.ServiceURL("lbaas", "pools", args.Pool)}}}
	if d, ok := tools.FetchedAs[[]tools.Dependent](chk); ok {
		p.Deletes = d
	} else {
		p.Deletes = []tools.Dependent{{Kind: "pool", ID: args.Pool, Name: args.Pool, Fate: "deleted"}}
	}
	return p, nil
}

func runDelete(ctx context.Context, env *tools.Env, args DeleteArgs) (*tools.Result, error) {
	c, err := lb.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	p, err := lb.FindPool(ctx, c, args.Pool)
	if err != nil {
		return nil, err
	}
	v, err := lb.Settle(ctx, env, c, lb.LBOfPool(p))
	if err != nil {
		return nil, err
	}
	r := pools.Delete(ctx, c, p.ID)
	if r.Err != nil {
		return nil, fmt.Errorf("delete pool %s: %w", lb.Label(p.Name, p.ID), lb.NotFound(r.Err, lb.KindPool, args.Pool))
	}
	return &tools.Result{Message: fmt.Sprintf("pool %s deleted", lb.Label(p.Name, p.ID)), Outputs: map[string]string{"id": p.ID},
		Await: lb.AwaitLB(c, v.ID, v.Name), RequestIDs: tools.HeaderRequestIDs(r.Header)}, nil
}
