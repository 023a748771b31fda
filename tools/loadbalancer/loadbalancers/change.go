package loadbalancers

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"strings"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/loadbalancer/v2/l7policies"
	"github.com/gophercloud/gophercloud/v2/openstack/loadbalancer/v2/listeners"
	"github.com/gophercloud/gophercloud/v2/openstack/loadbalancer/v2/loadbalancers"
	"github.com/gophercloud/gophercloud/v2/openstack/loadbalancer/v2/monitors"
	"github.com/gophercloud/gophercloud/v2/openstack/loadbalancer/v2/pools"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/subnets"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/keymanager"
	lb "github.com/kriscelmer/os-tui/tools/loadbalancer"
	"github.com/kriscelmer/os-tui/tools/network"
)

// CreateArgs are the arguments of loadbalancer.create. Name and Subnet
// make a load balancer; any of the wizard's arguments (Protocol, Port,
// Members, Monitor, ...) make it the whole thing in one plan.
type CreateArgs struct {
	Name        string `json:"name"`
	Subnet      string `json:"subnet"`
	VipAddress  string `json:"vip_address,omitempty"`
	Description string `json:"description,omitempty"`
	Provider    string `json:"provider,omitempty"`

	Protocol     string   `json:"protocol,omitempty"`
	Port         int      `json:"port,omitempty"`
	Members      []string `json:"members,omitempty"`
	MemberPort   int      `json:"member_port,omitempty"`
	Algorithm    string   `json:"algorithm,omitempty"`
	Monitor      string   `json:"monitor,omitempty"`
	Cert         string   `json:"cert,omitempty"`
	Key          string   `json:"key,omitempty"`
	TLSContainer string   `json:"tls_container,omitempty"`
}

// wizard reports whether the arguments ask for more than the load
// balancer itself.
func (a CreateArgs) wizard() bool {
	return a.Protocol != "" || a.Port != 0 || len(a.Members) > 0 || a.Monitor != "" || a.Algorithm != "" ||
		a.MemberPort != 0 || a.Cert != "" || a.Key != "" || a.TLSContainer != ""
}

// SetArgs are the arguments of loadbalancer.set.
type SetArgs struct {
	Loadbalancer string  `json:"loadbalancer"`
	Name         *string `json:"name,omitempty"`
	Description  *string `json:"description,omitempty"`
	AdminStateUp *bool   `json:"admin_state_up,omitempty"`
}

// DeleteArgs are the arguments of loadbalancer.delete.
type DeleteArgs struct {
	Loadbalancer string `json:"loadbalancer"`
	Cascade      bool   `json:"cascade,omitempty"`
}

func createTool() tools.Tool {
	return tools.ChangeTool(tools.ChangeSpec[CreateArgs]{
		Name: "loadbalancer.create", Effect: tools.Change, Service: lb.Service,
		Produces: []string{"id", "name", "vip_address"},
		Expand:   expand,
		Check:    checkCreate,
		Preview:  previewCreate,
		Run:      runCreate,
		Undo: func(_ CreateArgs, res *tools.Result) *tools.Call {
			if res == nil || res.Outputs["id"] == "" {
				return nil
			}
			return &tools.Call{Tool: "loadbalancer.delete", Args: tools.JSON(DeleteArgs{Loadbalancer: res.Outputs["id"], Cascade: true}),
				Why: "undo creating load balancer " + res.Outputs["name"] + ", with whatever was built on it"}
		},
	})
}

func setTool() tools.Tool {
	return tools.ChangeTool(tools.ChangeSpec[SetArgs]{
		Name: "loadbalancer.set", Effect: tools.Change, Service: lb.Service,
		Produces: []string{"id"},
		Subject:  func(a SetArgs) (string, string) { return lb.KindLB, a.Loadbalancer },
		Check:    checkSet, Preview: previewSet, Run: runSet,
		Undo: func(a SetArgs, res *tools.Result) *tools.Call {
			if res == nil || res.Outputs["previous"] == "" {
				return nil
			}
			var prev SetArgs
			if err := json.Unmarshal([]byte(res.Outputs["previous"]), &prev); err != nil {
				return nil
			}
			// The load balancer is the one the step changed, whatever the
			// output says.
			prev.Loadbalancer = a.Loadbalancer
			if prev.Name == nil && prev.Description == nil && prev.AdminStateUp == nil {
				return nil
			}
			return &tools.Call{Tool: "loadbalancer.set", Args: tools.JSON(prev), Why: "undo the change to load balancer " + a.Loadbalancer}
		},
	})
}

func deleteTool() tools.Tool {
	return tools.ChangeTool(tools.ChangeSpec[DeleteArgs]{
		Name: "loadbalancer.delete", Effect: tools.Destroy, Service: lb.Service,
		Produces: []string{"id"},
		Subject:  func(a DeleteArgs) (string, string) { return lb.KindLB, a.Loadbalancer },
		Check:    checkDelete, Preview: previewDelete, Run: runDelete,
	})
}

// findSubnet resolves a subnet by name or ID through Neutron.
func findSubnet(ctx context.Context, env *tools.Env, ref string) (*subnets.Subnet, error) {
	nc, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	return network.Finder[subnets.Subnet]{
		Kind: "subnet",
		Get: func(ctx context.Context, id string) (*subnets.Subnet, error) {
			return subnets.Get(ctx, nc, id).Extract()
		},
		ByName: func(ctx context.Context, name string) ([]subnets.Subnet, error) {
			return network.ListAll[subnets.Subnet](ctx, subnets.List(nc, subnets.ListOpts{Name: name}), "subnets")
		},
		Candidate: func(s subnets.Subnet) tools.Candidate { return tools.Candidate{ID: s.ID, Name: s.Name} },
	}.Find(ctx, ref)
}

func checkCreate(ctx context.Context, env *tools.Env, args CreateArgs) (*tools.Check, error) {
	c, err := lb.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	chk := &tools.Check{Targets: []tools.Target{{Kind: lb.KindLB, Name: args.Name}}}
	if args.wizard() {
		// Only reached when the wizard's expansion was skipped (a step
		// whose arguments refer to another's output).
		chk.Findings = append(chk.Findings, lb.Block("the wizard's arguments (--protocol, --port, --members, --monitor) need literal values; give the subnet by name or ID"))
		return chk, nil
	}
	sub, err := findSubnet(ctx, env, args.Subnet)
	if err != nil {
		f, err := lb.LookupFinding(err)
		if err != nil {
			return nil, err
		}
		chk.Findings = append(chk.Findings, f)
		return chk, nil
	}
	chk.Findings = append(chk.Findings, lb.Info("the VIP is allocated on subnet %s (%s)", lb.Label(sub.Name, sub.ID), sub.CIDR))
	if args.VipAddress != "" {
		if problem := inSubnet(args.VipAddress, sub); problem != "" {
			chk.Findings = append(chk.Findings, lb.Block("--vip-address %s", problem))
		}
	}
	same, err := lb.All(ctx, loadbalancers.List(c, loadbalancers.ListOpts{Name: args.Name}), loadbalancers.ExtractLoadBalancers)
	if err != nil {
		return nil, fmt.Errorf("list load balancers: %w", err)
	}
	if len(same) > 0 {
		chk.Findings = append(chk.Findings, lb.Warn("a load balancer named %s already exists (%s); commands naming it will have to use IDs", args.Name, same[0].ID))
	}
	args.Subnet = sub.ID
	chk.Resolved = tools.JSON(args)
	return chk, nil
}

// inSubnet says why an address is not a host of a subnet's range, or "".
func inSubnet(addr string, sub *subnets.Subnet) string {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return fmt.Sprintf("%q is not an IP address", addr)
	}
	p, err := netip.ParsePrefix(sub.CIDR)
	if err != nil || !p.Contains(a) {
		return fmt.Sprintf("%s is not in subnet %s's range %s", addr, lb.Label(sub.Name, sub.ID), sub.CIDR)
	}
	return ""
}

func createOpts(args CreateArgs) loadbalancers.CreateOpts {
	return loadbalancers.CreateOpts{Name: args.Name, VipSubnetID: args.Subnet, VipAddress: args.VipAddress, Description: args.Description, Provider: args.Provider}
}

func previewCreate(ctx context.Context, env *tools.Env, args CreateArgs, _ *tools.Check) (*tools.Preview, error) {
	c, err := lb.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	body, err := createOpts(args).ToLoadBalancerCreateMap()
	if err != nil {
		return nil, err
	}
	return &tools.Preview{
		Requests: []tools.Request{{Method: "POST", URL: c.ServiceURL("lbaas", "loadbalancers"), Body: body}},
		Creates:  []string{fmt.Sprintf("load balancer %s with its VIP on subnet %s (a Neutron port); waits until ACTIVE", args.Name, args.Subnet)},
	}, nil
}

func runCreate(ctx context.Context, env *tools.Env, args CreateArgs) (*tools.Result, error) {
	c, err := lb.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	r := loadbalancers.Create(ctx, c, createOpts(args))
	v, err := r.Extract()
	if err != nil {
		return nil, fmt.Errorf("create load balancer %s: %w", args.Name, err)
	}
	env.Names.Remember(lb.KindLB, v.Name)
	return &tools.Result{
		Message:    fmt.Sprintf("load balancer %s created (%s), VIP %s", v.Name, v.ID, v.VipAddress),
		Outputs:    map[string]string{"id": v.ID, "name": v.Name, "vip_address": v.VipAddress},
		Await:      lb.AwaitLB(c, v.ID, v.Name),
		RequestIDs: tools.HeaderRequestIDs(r.Header),
	}, nil
}

func checkSet(ctx context.Context, env *tools.Env, args SetArgs) (*tools.Check, error) {
	c, err := lb.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	v, err := lb.FindLB(ctx, c, args.Loadbalancer)
	if err != nil {
		return nil, err
	}
	chk := &tools.Check{Targets: []tools.Target{{Kind: lb.KindLB, ID: v.ID, Name: v.Name}}, Fetched: v,
		State: v.ProvisioningStatus, Findings: lb.StateFindings(v)}
	if args.Name == nil && args.Description == nil && args.AdminStateUp == nil {
		chk.Findings = append(chk.Findings, lb.Block("nothing to change: give --name, --description, --enable or --disable"))
	}
	args.Loadbalancer = v.ID
	chk.Resolved = tools.JSON(args)
	return chk, nil
}

func updateOpts(args SetArgs) loadbalancers.UpdateOpts {
	return loadbalancers.UpdateOpts{Name: args.Name, Description: args.Description, AdminStateUp: args.AdminStateUp}
}

func previewSet(ctx context.Context, env *tools.Env, args SetArgs, chk *tools.Check) (*tools.Preview, error) {
	c, err := lb.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	body, err := updateOpts(args).ToLoadBalancerUpdateMap()
	if err != nil {
		return nil, err
	}
	p := &tools.Preview{Requests: []tools.Request{{Method: "PUT", URL: c.ServiceURL("lbaas", "loadbalancers", args.Loadbalancer), Body: body}}}
	if v, ok := tools.FetchedAs[*loadbalancers.LoadBalancer](chk); ok {
		if args.Name != nil {
			p.Changes = append(p.Changes, tools.FieldChange{Field: "name", From: v.Name, To: *args.Name})
		}
		if args.Description != nil {
			p.Changes = append(p.Changes, tools.FieldChange{Field: "description", From: v.Description, To: *args.Description})
		}
		if args.AdminStateUp != nil {
			p.Changes = append(p.Changes, tools.FieldChange{Field: "admin_state_up", From: v.AdminStateUp, To: *args.AdminStateUp})
		}
	}
	return p, nil
}

func runSet(ctx context.Context, env *tools.Env, args SetArgs) (*tools.Result, error) {
	c, err := lb.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	old, err := lb.Settle(ctx, env, c, args.Loadbalancer)
	if err != nil {
		return nil, err
	}
	prev := SetArgs{Loadbalancer: old.ID}
	if args.Name != nil {
		prev.Name = &old.Name
	}
	if args.Description != nil {
		prev.Description = &old.Description
	}
	if args.AdminStateUp != nil {
		prev.AdminStateUp = &old.AdminStateUp
	}
	r := loadbalancers.Update(ctx, c, args.Loadbalancer, updateOpts(args))
	v, err := r.Extract()
	if err != nil {
		return nil, fmt.Errorf("update load balancer %s: %w", lb.Label(old.Name, old.ID), err)
	}
	return &tools.Result{
		Message:    fmt.Sprintf("load balancer %s updated", lb.Label(v.Name, v.ID)),
		Outputs:    map[string]string{"id": v.ID, "previous": string(tools.JSON(prev))},
		Await:      lb.AwaitLB(c, v.ID, v.Name),
		RequestIDs: tools.HeaderRequestIDs(r.Header),
	}, nil
}

// tree is what a cascade delete removes, read for the preview.
type tree struct {
	deletes []tools.Dependent
	counts  map[string]int
}

func (t *tree) add(kind, id, name, fate string) {
	t.deletes = append(t.deletes, tools.Dependent{Kind: kind, ID: id, Name: name, Fate: fate})
	t.counts[kind]++
}

// dependents reads everything on a load balancer: listeners with their
// L7 policies, pools with their members and health monitors.
func dependents(ctx context.Context, env *tools.Env, c *gophercloud.ServiceClient, v *loadbalancers.LoadBalancer) (*tree, error) {
	t := &tree{counts: map[string]int{}}
	const fate = "deleted with the load balancer"
	ls, err := lb.All(ctx, listeners.List(c, listeners.ListOpts{LoadbalancerID: v.ID}), listeners.ExtractListeners)
	if err != nil {
		return nil, fmt.Errorf("list the listeners of %s: %w", lb.Label(v.Name, v.ID), err)
	}
	for _, l := range ls {
		t.add("listener", l.ID, fmt.Sprintf("%s (%s %d)", lb.Label(l.Name, l.ID), l.Protocol, l.ProtocolPort), fate)
		if l.DefaultTlsContainerRef != "" {
			// Octavia never deletes a certificate; say so, so none is
			// forgotten in Barbican.
			t.deletes = append(t.deletes, tools.Dependent{Kind: "certificate container", ID: l.DefaultTlsContainerRef,
				Name: containerName(ctx, env, l.DefaultTlsContainerRef), Fate: "kept in Barbican (openstack secret container delete removes it)"})
		}
		pols, err := lb.All(ctx, l7policies.List(c, l7policies.ListOpts{ListenerID: l.ID}), l7policies.ExtractL7Policies)
		if err != nil {
			return nil, fmt.Errorf("list the L7 policies of %s: %w", lb.Label(l.Name, l.ID), err)
		}
		for _, p := range pols {
			t.add("l7policy", p.ID, lb.Label(p.Name, p.ID), fate+" (with its "+fmt.Sprint(len(p.Rules))+" rules)")
		}
	}
	ps, err := lb.All(ctx, pools.List(c, pools.ListOpts{LoadbalancerID: v.ID}), pools.ExtractPools)
	if err != nil {
		return nil, fmt.Errorf("list the pools of %s: %w", lb.Label(v.Name, v.ID), err)
	}
	for _, p := range ps {
		t.add("pool", p.ID, fmt.Sprintf("%s (%s, %s)", lb.Label(p.Name, p.ID), p.Protocol, p.LBMethod), fate)
		if p.MonitorID != "" {
			name := p.MonitorID
			if m, err := monitors.Get(ctx, c, p.MonitorID).Extract(); err == nil {
				name = lb.Label(m.Name, m.ID)
			}
			t.add("healthmonitor", p.MonitorID, name, fate)
		}
		ms, err := lb.Members(ctx, c, p.ID)
		if err != nil {
			return nil, err
		}
		for _, m := range ms {
			t.add("member", m.ID, fmt.Sprintf("%s:%d", m.Address, m.ProtocolPort), fate+" (the server itself is kept)")
		}
	}
	return t, nil
}

// containerName is a certificate container's name, or its ref when
// Barbican cannot say.
func containerName(ctx context.Context, env *tools.Env, ref string) string {
	kc, err := keymanager.Client(ctx, env)
	if err != nil {
		return ref
	}
	ct, err := keymanager.Container(ctx, kc, ref)
	if err != nil || ct.Name == "" {
		return ref
	}
	return ct.Name
}

func (t *tree) summary() string {
	var parts []string
	for _, k := range []string{"listener", "l7policy", "pool", "member", "healthmonitor"} {
		if n := t.counts[k]; n > 0 {
			s := k
			if n > 1 {
				s += "s"
			}
			parts = append(parts, fmt.Sprintf("%d %s", n, s))
		}
	}
	return strings.Join(parts, ", ")
}

func checkDelete(ctx context.Context, env *tools.Env, args DeleteArgs) (*tools.Check, error) {
	c, err := lb.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	v, err := lb.FindLB(ctx, c, args.Loadbalancer)
	if err != nil {
		return nil, err
	}
	chk := &tools.Check{Targets: []tools.Target{{Kind: lb.KindLB, ID: v.ID, Name: v.Name}}, State: v.ProvisioningStatus}
	if lb.Pending(v.ProvisioningStatus) {
		chk.Findings = append(chk.Findings, lb.Info("load balancer %s is %s; the step waits for it to settle", lb.Label(v.Name, v.ID), v.ProvisioningStatus))
	}
	t, err := dependents(ctx, env, c, v)
	if err != nil {
		return nil, err
	}
	chk.Fetched = t
	if len(t.deletes) > 0 && !args.Cascade {
		chk.Findings = append(chk.Findings, lb.Block("load balancer %s still has %s, and Octavia deletes only an empty one: add --cascade to delete them with it (the preview lists each), or delete them first",
			lb.Label(v.Name, v.ID), t.summary()))
	} else if len(t.deletes) > 0 {
		chk.Findings = append(chk.Findings, lb.Warn("--cascade deletes %s with load balancer %s", t.summary(), lb.Label(v.Name, v.ID)))
	}
	args.Loadbalancer = v.ID
	chk.Resolved = tools.JSON(args)
	return chk, nil
}

func previewDelete(ctx context.Context, env *tools.Env, args DeleteArgs, chk *tools.Check) (*tools.Preview, error) {
	c, err := lb.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	url := c.ServiceURL("lbaas", "loadbalancers", args.Loadbalancer)
	if args.Cascade {
		url += "?cascade=true"
	}
	p := &tools.Preview{Requests: []tools.Request{{Method: "DELETE", URL: url}}}
	name := args.Loadbalancer
	if len(chk.Targets) > 0 {
		name = lb.Label(chk.Targets[0].Name, args.Loadbalancer)
	}
	p.Deletes = append(p.Deletes, tools.Dependent{Kind: lb.KindLB, ID: args.Loadbalancer, Name: name, Fate: "deleted; its VIP port is released"})
	if t, ok := tools.FetchedAs[*tree](chk); ok {
		p.Deletes = append(p.Deletes, t.deletes...)
	}
	return p, nil
}

func runDelete(ctx context.Context, env *tools.Env, args DeleteArgs) (*tools.Result, error) {
	c, err := lb.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	v, err := lb.Settle(ctx, env, c, args.Loadbalancer)
	if err != nil && (v == nil || v.ProvisioningStatus != "ERROR") {
		return nil, err
	}
	r := loadbalancers.Delete(ctx, c, args.Loadbalancer, loadbalancers.DeleteOpts{Cascade: args.Cascade})
	if r.Err != nil {
		return nil, fmt.Errorf("delete load balancer %s: %w", lb.Label(v.Name, v.ID), lb.NotFound(r.Err, lb.KindLB, args.Loadbalancer))
	}
	return &tools.Result{
		Message: fmt.Sprintf("load balancer %s deleted", lb.Label(v.Name, v.ID)),
		Outputs: map[string]string{"id": v.ID},
		Await: lb.AwaitGone(lb.KindLB, v.ID, v.Name, func(ctx context.Context) (string, error) {
			g, err := loadbalancers.Get(ctx, c, v.ID).Extract()
			if err != nil {
				return "", err
			}
			return g.ProvisioningStatus, nil
		}),
		RequestIDs: tools.HeaderRequestIDs(r.Header),
	}, nil
}
