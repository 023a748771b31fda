// Package monitors holds the health monitor tools: list, show, create,
// set and delete.
package monitors

import (
	"context"
	"fmt"

	"github.com/gophercloud/gophercloud/v2/openstack/loadbalancer/v2/monitors"

	"github.com/kriscelmer/os-tui/tools"
	lb "github.com/kriscelmer/os-tui/tools/loadbalancer"
)

// Tools returns the health monitor tools.
func Tools() []tools.Tool {
	return []tools.Tool{
		tools.ReadTool("loadbalancer.healthmonitor.list", lb.Service, list),
		tools.ReadTool("loadbalancer.healthmonitor.show", lb.Service, show),
		tools.ChangeTool(tools.ChangeSpec[CreateArgs]{
			Name: "loadbalancer.healthmonitor.create", Effect: tools.Change, Service: lb.Service, Produces: []string{"id", "name"},
			Check: checkCreate, Preview: previewCreate, Run: runCreate,
			Undo: func(_ CreateArgs, res *tools.Result) *tools.Call {
				if res == nil || res.Outputs["id"] == "" {
					return nil
				}
				return &tools.Call{Tool: "loadbalancer.healthmonitor.delete", Args: tools.JSON(ShowArgs{Healthmonitor: res.Outputs["id"]}), Why: "undo adding the health monitor"}
			},
		}),
		tools.ChangeTool(tools.ChangeSpec[SetArgs]{
			Name: "loadbalancer.healthmonitor.set", Effect: tools.Change, Service: lb.Service, Produces: []string{"id"},
			Subject: func(a SetArgs) (string, string) { return lb.KindMonitor, a.Healthmonitor },
			Check:   checkSet, Preview: previewSet, Run: runSet,
		}),
		tools.ChangeTool(tools.ChangeSpec[ShowArgs]{
			Name: "loadbalancer.healthmonitor.delete", Effect: tools.Destroy, Service: lb.Service, Produces: []string{"id"},
			Subject: func(a ShowArgs) (string, string) { return lb.KindMonitor, a.Healthmonitor },
			Check:   checkDelete, Preview: previewDelete, Run: runDelete,
		}),
	}
}

// ListArgs are the arguments of loadbalancer.healthmonitor.list.
type ListArgs struct {
	Pool string `json:"pool,omitempty"`
}

// ShowArgs name one monitor: show and delete.
type ShowArgs struct {
	Healthmonitor string `json:"healthmonitor"`
}

// CreateArgs are the arguments of loadbalancer.healthmonitor.create.
type CreateArgs struct {
	Pool           string `json:"pool"`
	Name           string `json:"name,omitempty"`
	Type           string `json:"type"`
	Delay          int    `json:"delay"`
	Timeout        int    `json:"timeout"`
	MaxRetries     int    `json:"max_retries"`
	MaxRetriesDown int    `json:"max_retries_down,omitempty"`
	URLPath        string `json:"url_path,omitempty"`
	HTTPMethod     string `json:"http_method,omitempty"`
	ExpectedCodes  string `json:"expected_codes,omitempty"`
	AdminStateUp   *bool  `json:"admin_state_up,omitempty"`
}

// SetArgs are the arguments of loadbalancer.healthmonitor.set.
type SetArgs struct {
	Healthmonitor string  `json:"healthmonitor"`
	Name          *string `json:"name,omitempty"`
	Delay         int     `json:"delay,omitempty"`
	Timeout       int     `json:"timeout,omitempty"`
	MaxRetries    int     `json:"max_retries,omitempty"`
	URLPath       string  `json:"url_path,omitempty"`
	ExpectedCodes string  `json:"expected_codes,omitempty"`
	AdminStateUp  *bool   `json:"admin_state_up,omitempty"`
}

func list(ctx context.Context, env *tools.Env, args ListArgs) (*tools.Result, error) {
	c, err := lb.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	opts := monitors.ListOpts{}
	if args.Pool != "" {
		p, err := lb.FindPool(ctx, c, args.Pool)
		if err != nil {
			return nil, err
		}
		opts.PoolID = p.ID
	}
	all, err := lb.All(ctx, monitors.List(c, opts), monitors.ExtractMonitors)
	if err != nil {
		return nil, fmt.Errorf("list health monitors: %w", err)
	}
	out := &tools.List{Columns: []tools.Column{{Name: "ID"}, {Name: "Name"}, {Name: "Project ID", Long: true}, {Name: "Type"}, {Name: "Admin State Up"}}}
	var names []string
	for _, m := range all {
		out.Rows = append(out.Rows, []any{m.ID, m.Name, m.ProjectID, m.Type, m.AdminStateUp})
		names = append(names, m.Name)
	}
	env.Names.Replace(lb.KindMonitor, names...)
	return &tools.Result{List: out}, nil
}

func show(ctx context.Context, env *tools.Env, args ShowArgs) (*tools.Result, error) {
	c, err := lb.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	m, err := lb.FindMonitor(ctx, c, args.Healthmonitor)
	if err != nil {
		return nil, err
	}
	var ps []string
	for _, p := range m.Pools {
		ps = append(ps, p.ID)
	}
	return &tools.Result{Record: &tools.Record{Fields: []tools.Field{
		{Name: "admin_state_up", Value: m.AdminStateUp},
		{Name: "delay", Value: m.Delay},
		{Name: "expected_codes", Value: m.ExpectedCodes},
		{Name: "http_method", Value: m.HTTPMethod},
		{Name: "id", Value: m.ID},
		{Name: "max_retries", Value: m.MaxRetries},
		{Name: "max_retries_down", Value: m.MaxRetriesDown},
		{Name: "name", Value: m.Name},
		{Name: "operating_status", Value: m.OperatingStatus, Kind: tools.Status},
		{Name: "pools", Value: ps},
		{Name: "project_id", Value: m.ProjectID},
		{Name: "provisioning_status", Value: m.ProvisioningStatus, Kind: tools.Status},
		{Name: "timeout", Value: m.Timeout},
		{Name: "type", Value: m.Type},
		{Name: "url_path", Value: m.URLPath},
	}}}, nil
}

// timingFindings applies Octavia's rules on the timings.
func timingFindings(delay, timeout int, chk *tools.Check) {
	if delay > 0 && timeout > delay {
		chk.Findings = append(chk.Findings, lb.Block("--timeout %d is longer than --delay %d: a check must end before the next starts; make the timeout at most the delay", timeout, delay))
	}
}

func checkCreate(ctx context.Context, env *tools.Env, args CreateArgs) (*tools.Check, error) {
	chk := &tools.Check{Targets: []tools.Target{{Kind: lb.KindMonitor, Name: args.Name}}}
	timingFindings(args.Delay, args.Timeout, chk)
	if (args.URLPath != "" || args.HTTPMethod != "" || args.ExpectedCodes != "") && args.Type != "HTTP" && args.Type != "HTTPS" {
		chk.Findings = append(chk.Findings, lb.Block("--url-path, --http-method and --expected-codes are for HTTP and HTTPS monitors, not %s", args.Type))
	}
	if tools.IsRef(args.Pool) {
		chk.Findings = append(chk.Findings, lb.Info("pool %s comes from an earlier step", args.Pool))
		return chk, nil
	}
	c, err := lb.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	p, err := lb.FindPool(ctx, c, args.Pool)
	if err != nil {
		f, err := lb.LookupFinding(err)
		if err != nil {
			return nil, err
		}
		chk.Findings = append(chk.Findings, f)
		return chk, nil
	}
	if p.MonitorID != "" {
		chk.Findings = append(chk.Findings, lb.Block("pool %s already has health monitor %s; a pool takes one: change it with /loadbalancer healthmonitor set", lb.Label(p.Name, p.ID), p.MonitorID))
	}
	if p.Protocol == "UDP" && (args.Type == "HTTP" || args.Type == "HTTPS" || args.Type == "TCP") {
		chk.Findings = append(chk.Findings, lb.Block("a UDP pool is checked with UDP-CONNECT, HTTP or PING monitors per Octavia; use --type UDP-CONNECT"))
	}
	findings, state := lb.ParentFindings(ctx, c, lb.LBOfPool(p))
	chk.Findings = append(chk.Findings, findings...)
	if state != "" {
		chk.State = state
	}
	args.Pool = p.ID
	chk.Resolved = tools.JSON(args)
	return chk, nil
}

func createOpts(a CreateArgs) monitors.CreateOpts {
	return monitors.CreateOpts{PoolID: a.Pool, Name: a.Name, Type: a.Type, Delay: a.Delay, Timeout: a.Timeout, MaxRetries: a.MaxRetries,
		MaxRetriesDown: a.MaxRetriesDown, URLPath: a.URLPath, HTTPMethod: a.HTTPMethod, ExpectedCodes: a.ExpectedCodes, AdminStateUp: a.AdminStateUp}
}

func previewCreate(ctx context.Context, env *tools.Env, args CreateArgs, _ *tools.Check) (*tools.Preview, error) {
	c, err := lb.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	body, err := createOpts(args).ToMonitorCreateMap()
	if err != nil {
		return nil, err
	}
	return &tools.Preview{Requests: []tools.Request{{Method: "POST", URL: c.ServiceURL("lbaas", "healthmonitors"), Body: body}},
		Creates: []string{fmt.Sprintf("%s health monitor on pool %s, every %ds; waits until the load balancer is ACTIVE", args.Type, args.Pool, args.Delay)}}, nil
}

func runCreate(ctx context.Context, env *tools.Env, args CreateArgs) (*tools.Result, error) {
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
	args.Pool = p.ID
	r := monitors.Create(ctx, c, createOpts(args))
	m, err := r.Extract()
	if err != nil {
		return nil, fmt.Errorf("add a health monitor to pool %s: %w", lb.Label(p.Name, p.ID), err)
	}
	return &tools.Result{Message: fmt.Sprintf("%s health monitor %s added to pool %s", m.Type, lb.Label(m.Name, m.ID), lb.Label(p.Name, p.ID)),
		Outputs: map[string]string{"id": m.ID, "name": m.Name}, Await: lb.AwaitLB(c, v.ID, v.Name), RequestIDs: tools.HeaderRequestIDs(r.Header)}, nil
}

// lbOfMonitor returns the load balancer a monitor's pool is on.
func lbOfMonitor(ctx context.Context, env *tools.Env, m *monitors.Monitor) string {
	c, err := lb.Client(ctx, env)
	if err != nil || len(m.Pools) == 0 {
		return ""
	}
	p, err := lb.FindPool(ctx, c, m.Pools[0].ID)
	if err != nil {
		return ""
	}
	return lb.LBOfPool(p)
}

func checkSet(ctx context.Context, env *tools.Env, args SetArgs) (*tools.Check, error) {
	c, err := lb.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	m, err := lb.FindMonitor(ctx, c, args.Healthmonitor)
	if err != nil {
		return nil, err
	}
	chk := &tools.Check{Targets: []tools.Target{{Kind: lb.KindMonitor, ID: m.ID, Name: m.Name}}, State: m.ProvisioningStatus, Fetched: m}
	delay, timeout := m.Delay, m.Timeout
	if args.Delay > 0 {
		delay = args.Delay
	}
	if args.Timeout > 0 {
		timeout = args.Timeout
	}
	timingFindings(delay, timeout, chk)
	args.Healthmonitor = m.ID
	chk.Resolved = tools.JSON(args)
	return chk, nil
}

func updateOpts(a SetArgs) monitors.UpdateOpts {
	return monitors.UpdateOpts{Name: a.Name, Delay: a.Delay, Timeout: a.Timeout, MaxRetries: a.MaxRetries, URLPath: a.URLPath, ExpectedCodes: a.ExpectedCodes, AdminStateUp: a.AdminStateUp}
}

func previewSet(ctx context.Context, env *tools.Env, args SetArgs, chk *tools.Check) (*tools.Preview, error) {
	c, err := lb.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	body, err := updateOpts(args).ToMonitorUpdateMap()
	if err != nil {
		return nil, err
	}
	p := &tools.Preview{Requests: []tools.Request{{Method: "PUT", URL: c.ServiceURL("lbaas", "healthmonitors", args.Healthmonitor), Body: body}}}
	if m, ok := tools.FetchedAs[*monitors.Monitor](chk); ok {
		if args.Delay > 0 {
			p.Changes = append(p.Changes, tools.FieldChange{Field: "delay", From: m.Delay, To: args.Delay})
		}
		if args.Timeout > 0 {
			p.Changes = append(p.Changes, tools.FieldChange{Field: "timeout", From: m.Timeout, To: args.Timeout})
		}
		if args.URLPath != "" {
			p.Changes = append(p.Changes, tools.FieldChange{Field: "url_path", From: m.URLPath, To: args.URLPath})
		}
	}
	return p, nil
}

func runSet(ctx context.Context, env *tools.Env, args SetArgs) (*tools.Result, error) {
	c, err := lb.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	m, err := lb.FindMonitor(ctx, c, args.Healthmonitor)
	if err != nil {
		return nil, err
	}
	v, err := lb.Settle(ctx, env, c, lbOfMonitor(ctx, env, m))
	if err != nil {
		return nil, err
	}
	r := monitors.Update(ctx, c, m.ID, updateOpts(args))
	if _, err := r.Extract(); err != nil {
		return nil, fmt.Errorf("update health monitor %s: %w", lb.Label(m.Name, m.ID), err)
	}
	return &tools.Result{Message: fmt.Sprintf("health monitor %s updated", lb.Label(m.Name, m.ID)), Outputs: map[string]string{"id": m.ID},
		Await: lb.AwaitLB(c, v.ID, v.Name), RequestIDs: tools.HeaderRequestIDs(r.Header)}, nil
}

func checkDelete(ctx context.Context, env *tools.Env, args ShowArgs) (*tools.Check, error) {
	c, err := lb.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	m, err := lb.FindMonitor(ctx, c, args.Healthmonitor)
	if err != nil {
		return nil, err
	}
	chk := &tools.Check{Targets: []tools.Target{{Kind: lb.KindMonitor, ID: m.ID, Name: m.Name}}, State: m.ProvisioningStatus, Fetched: m,
		Findings: []tools.Finding{lb.Info("without a monitor the pool's members report NO_MONITOR and get traffic whatever their health")}}
	args.Healthmonitor = m.ID
	chk.Resolved = tools.JSON(args)
	return chk, nil
}

func previewDelete(ctx context.Context, env *tools.Env, args ShowArgs, chk *tools.Check) (*tools.Preview, error) {
	c, err := lb.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	name := args.Healthmonitor
	if m, ok := tools.FetchedAs[*monitors.Monitor](chk); ok {
		name = lb.Label(m.Name, m.ID)
	}
	return &tools.Preview{Requests: []tools.Request{{Method: "DELETE", URL: c.ServiceURL("lbaas", "healthmonitors", args.Healthmonitor)}},
		Deletes: []tools.Dependent{{Kind: "healthmonitor", ID: args.Healthmonitor, Name: name, Fate: "deleted"}}}, nil
}

func runDelete(ctx context.Context, env *tools.Env, args ShowArgs) (*tools.Result, error) {
	c, err := lb.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	m, err := lb.FindMonitor(ctx, c, args.Healthmonitor)
	if err != nil {
		return nil, err
	}
	v, err := lb.Settle(ctx, env, c, lbOfMonitor(ctx, env, m))
	if err != nil {
		return nil, err
	}
	r := monitors.Delete(ctx, c, m.ID)
	if r.Err != nil {
		return nil, fmt.Errorf("delete health monitor %s: %w", lb.Label(m.Name, m.ID), lb.NotFound(r.Err, lb.KindMonitor, args.Healthmonitor))
	}
	return &tools.Result{Message: fmt.Sprintf("health monitor %s deleted", lb.Label(m.Name, m.ID)), Outputs: map[string]string{"id": m.ID},
		Await: lb.AwaitLB(c, v.ID, v.Name), RequestIDs: tools.HeaderRequestIDs(r.Header)}, nil
}
