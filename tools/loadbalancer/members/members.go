// Package members holds the pool member tools: list, show, create (whose
// preflight refuses an address the load balancer cannot reach), set and
// delete; drain and undrain, the steps of a rolling update; and rotate,
// the wizard that builds the rolling update of a whole pool as one plan.
package members

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/loadbalancer/v2/loadbalancers"
	"github.com/gophercloud/gophercloud/v2/openstack/loadbalancer/v2/pools"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/ports"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/subnets"

	"github.com/kriscelmer/os-tui/tools"
	lb "github.com/kriscelmer/os-tui/tools/loadbalancer"
	"github.com/kriscelmer/os-tui/tools/network"
)

// Tools returns the member tools.
func Tools() []tools.Tool {
	return []tools.Tool{
		tools.ReadTool("loadbalancer.member.list", lb.Service, list),
		tools.ReadTool("loadbalancer.member.show", lb.Service, show),
		tools.ChangeTool(tools.ChangeSpec[CreateArgs]{
			Name: "loadbalancer.member.create", Effect: tools.Change, Service: lb.Service, Produces: []string{"id", "name"},
			Check: checkCreate, Preview: previewCreate, Run: runCreate,
			Undo: func(a CreateArgs, res *tools.Result) *tools.Call {
				if res == nil || res.Outputs["id"] == "" || res.Outputs["pool"] == "" {
					return nil
				}
				return &tools.Call{Tool: "loadbalancer.member.delete", Args: tools.JSON(MemberArgs{Pool: res.Outputs["pool"], Member: res.Outputs["id"]}),
					Why: "undo adding member " + a.Address}
			},
		}),
		tools.ChangeTool(tools.ChangeSpec[SetArgs]{
			Name: "loadbalancer.member.set", Effect: tools.Change, Service: lb.Service, Produces: []string{"id"},
			Check: checkSet, Preview: previewSet, Run: runSet,
			Undo: func(a SetArgs, res *tools.Result) *tools.Call {
				if res == nil || res.Outputs["previous"] == "" {
					return nil
				}
				var prev SetArgs
				if err := json.Unmarshal([]byte(res.Outputs["previous"]), &prev); err != nil {
					return nil
				}
				prev.Pool, prev.Member = a.Pool, a.Member
				if prev.Name == nil && prev.Weight == nil && prev.AdminStateUp == nil {
					return nil
				}
				return &tools.Call{Tool: "loadbalancer.member.set", Args: tools.JSON(prev), Why: "undo the change to member " + a.Member}
			},
		}),
		tools.ChangeTool(tools.ChangeSpec[MemberArgs]{
			Name: "loadbalancer.member.delete", Effect: tools.Destroy, Service: lb.Service, Produces: []string{"id"},
			Check: checkDelete, Preview: previewDelete, Run: runDelete,
		}),
		drainTool(), undrainTool(), rotateTool(),
	}
}

// ListArgs are the arguments of loadbalancer.member.list.
type ListArgs struct {
	Pool string `json:"pool"`
}

// MemberArgs name one member: show and delete.
type MemberArgs struct {
	Pool   string `json:"pool"`
	Member string `json:"member"`
}

// CreateArgs are the arguments of loadbalancer.member.create.
type CreateArgs struct {
	Pool         string `json:"pool"`
	Address      string `json:"address"`
	ProtocolPort int    `json:"protocol_port"`
	Subnet       string `json:"subnet,omitempty"`
	Name         string `json:"name,omitempty"`
	Weight       *int   `json:"weight,omitempty"`
	AdminStateUp *bool  `json:"admin_state_up,omitempty"`
}

// SetArgs are the arguments of loadbalancer.member.set.
type SetArgs struct {
	Pool         string  `json:"pool"`
	Member       string  `json:"member"`
	Name         *string `json:"name,omitempty"`
	Weight       *int    `json:"weight,omitempty"`
	AdminStateUp *bool   `json:"admin_state_up,omitempty"`
}

func list(ctx context.Context, env *tools.Env, args ListArgs) (*tools.Result, error) {
	c, err := lb.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	p, err := lb.FindPool(ctx, c, args.Pool)
	if err != nil {
		return nil, err
	}
	all, err := lb.Members(ctx, c, p.ID)
	if err != nil {
		return nil, err
	}
	out := &tools.List{Columns: []tools.Column{
		{Name: "ID"}, {Name: "Name"}, {Name: "Project ID", Long: true}, {Name: "Provisioning Status", Kind: tools.Status},
		{Name: "Address"}, {Name: "Protocol Port"}, {Name: "Operating Status", Kind: tools.Status}, {Name: "Weight"},
	}}
	var names []string
	for _, m := range all {
		out.Rows = append(out.Rows, []any{m.ID, m.Name, m.ProjectID, m.ProvisioningStatus, m.Address, m.ProtocolPort, m.OperatingStatus, m.Weight})
		names = append(names, memberName(m))
	}
	env.Names.Replace(lb.KindMember, names...)
	return &tools.Result{List: out}, nil
}

func memberName(m pools.Member) string {
	if m.Name != "" {
		return m.Name
	}
	return m.Address
}

func show(ctx context.Context, env *tools.Env, args MemberArgs) (*tools.Result, error) {
	c, err := lb.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	p, err := lb.FindPool(ctx, c, args.Pool)
	if err != nil {
		return nil, err
	}
	m, err := lb.FindMember(ctx, c, p.ID, args.Member)
	if err != nil {
		return nil, err
	}
	return &tools.Result{Record: &tools.Record{Fields: []tools.Field{
		{Name: "address", Value: m.Address},
		{Name: "admin_state_up", Value: m.AdminStateUp},
		{Name: "backup", Value: m.Backup},
		{Name: "id", Value: m.ID},
		{Name: "monitor_address", Value: m.MonitorAddress},
		{Name: "monitor_port", Value: m.MonitorPort},
		{Name: "name", Value: m.Name},
		{Name: "operating_status", Value: m.OperatingStatus, Kind: tools.Status},
		{Name: "project_id", Value: m.ProjectID},
		{Name: "protocol_port", Value: m.ProtocolPort},
		{Name: "provisioning_status", Value: m.ProvisioningStatus, Kind: tools.Status},
		{Name: "subnet_id", Value: m.SubnetID},
		{Name: "tags", Value: m.Tags},
		{Name: "weight", Value: m.Weight},
	}}}, nil
}

// subnetFinder finds subnets by name or ID.
func subnetFinder(nc *gophercloud.ServiceClient) network.Finder[subnets.Subnet] {
	return network.Finder[subnets.Subnet]{
		Kind: "subnet",
		Get: func(ctx context.Context, id string) (*subnets.Subnet, error) {
			return subnets.Get(ctx, nc, id).Extract()
		},
		ByName: func(ctx context.Context, name string) ([]subnets.Subnet, error) {
			return network.ListAll[subnets.Subnet](ctx, subnets.List(nc, subnets.ListOpts{Name: name}), "subnets")
		},
		Candidate: func(s subnets.Subnet) tools.Candidate { return tools.Candidate{ID: s.ID, Name: s.Name} },
	}
}

func contains(cidr string, a netip.Addr) bool {
	p, err := netip.ParsePrefix(cidr)
	return err == nil && p.Contains(a)
}

// routerInterfaceOwners are the device owners of a router's interfaces.
var routerInterfaceOwners = []string{"network:router_interface", "network:router_interface_distributed", "network:ha_router_replicated_interface"}

// joined reports the router that has interfaces on subnet a and on one
// of subnets b, "" when none does.
func joined(ctx context.Context, nc *gophercloud.ServiceClient, a string, b map[string]bool) (string, error) {
	onA, onB := map[string]bool{}, map[string]bool{}
	for _, owner := range routerInterfaceOwners {
		ps, err := network.ListAll[ports.Port](ctx, ports.List(nc, ports.ListOpts{DeviceOwner: owner}), "ports")
		if err != nil {
			return "", fmt.Errorf("list router interfaces: %w", err)
		}
		for _, p := range ps {
			for _, ip := range p.FixedIPs {
				if ip.SubnetID == a {
					onA[p.DeviceID] = true
				}
				if b[ip.SubnetID] {
					onB[p.DeviceID] = true
				}
			}
		}
	}
	for r := range onA {
		if onB[r] {
			return r, nil
		}
	}
	return "", nil
}

// reach checks that the load balancer v can reach a member at addr,
// given on subnet (may be ""), and adds what it finds to chk. With a
// subnet, the amphora plugs into it: the address must be in its range.
// Without one, the member is reached through the VIP's network: the
// address must be on it, or on a subnet a router joins to it.
func reach(ctx context.Context, env *tools.Env, v *loadbalancers.LoadBalancer, addr netip.Addr, subnet string, chk *tools.Check) (string, error) {
	nc, err := network.Client(ctx, env)
	if err != nil {
		return subnet, err
	}
	if subnet != "" {
		s, err := subnetFinder(nc).Find(ctx, subnet)
		if err != nil {
			f, err := lb.LookupFinding(err)
			if err != nil {
				return subnet, err
			}
			chk.Findings = append(chk.Findings, f)
			return subnet, nil
		}
		if !contains(s.CIDR, addr) {
			chk.Findings = append(chk.Findings, lb.Block("member address %s is not on subnet %s (%s), so the load balancer cannot reach it there; give the address the back end has on that subnet, or the subnet it is on", addr, lb.Label(s.Name, s.ID), s.CIDR))
		} else if s.NetworkID != v.VipNetworkID {
			chk.Findings = append(chk.Findings, lb.Info("the load balancer reaches %s on subnet %s, which it joins (not its VIP network)", addr, lb.Label(s.Name, s.ID)))
		}
		return s.ID, nil
	}
	all, err := network.ListAll[subnets.Subnet](ctx, subnets.List(nc, subnets.ListOpts{}), "subnets")
	if err != nil {
		return "", fmt.Errorf("list subnets: %w", err)
	}
	vipSubnets := map[string]bool{}
	var home *subnets.Subnet
	for i, s := range all {
		if s.NetworkID == v.VipNetworkID {
			vipSubnets[s.ID] = true
			if contains(s.CIDR, addr) {
				return "", nil
			}
		}
		if home == nil && contains(s.CIDR, addr) {
			home = &all[i]
		}
	}
	if home == nil {
		chk.Findings = append(chk.Findings, lb.Block("member address %s is on none of the subnets this project can see, so load balancer %s cannot reach it; use the address the back end has on the VIP network, or give --subnet-id with the subnet it is on",
			addr, lb.Label(v.Name, v.ID)))
		return "", nil
	}
	r, err := joined(ctx, nc, home.ID, vipSubnets)
	if err != nil {
		return "", err
	}
	if r == "" {
		chk.Findings = append(chk.Findings, lb.Block("member address %s is on subnet %s, which load balancer %s cannot reach: it is not on the VIP's network and no router joins them; give --subnet-id %s so the load balancer plugs into that subnet, or join them with /router add subnet",
			addr, lb.Label(home.Name, home.ID), lb.Label(v.Name, v.ID), lb.Label(home.Name, home.ID)))
		return "", nil
	}
	chk.Findings = append(chk.Findings, lb.Info("the load balancer reaches %s through router %s", addr, r))
	return "", nil
}

func checkCreate(ctx context.Context, env *tools.Env, args CreateArgs) (*tools.Check, error) {
	chk := &tools.Check{Targets: []tools.Target{{Kind: lb.KindMember, Name: args.Address}}}
	addr, err := netip.ParseAddr(args.Address)
	if err != nil {
		chk.Findings = append(chk.Findings, lb.Block("--address %q is not an IP address", args.Address))
		return chk, nil //nolint:nilerr // the parse error is the Block finding
	}
	if tools.IsRef(args.Pool) {
		chk.Findings = append(chk.Findings, lb.Info("pool %s comes from an earlier step; the address is checked against its load balancer before the step runs", args.Pool))
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
	v, err := loadbalancers.Get(ctx, c, lb.LBOfPool(p)).Extract()
	if err != nil {
		return nil, fmt.Errorf("get the load balancer of pool %s: %w", lb.Label(p.Name, p.ID), err)
	}
	chk.Findings = append(chk.Findings, lb.StateFindings(v)...)
	chk.State = v.ProvisioningStatus
	ms, err := lb.Members(ctx, c, p.ID)
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		if m.Address == addr.String() && m.ProtocolPort == args.ProtocolPort {
			chk.Findings = append(chk.Findings, lb.Block("%s:%d is already member %s of pool %s; Octavia takes an address and port once per pool", addr, args.ProtocolPort, m.ID, lb.Label(p.Name, p.ID)))
		}
	}
	sub, err := reach(ctx, env, v, addr, args.Subnet, chk)
	if err != nil {
		return nil, err
	}
	args.Pool, args.Subnet, args.Address = p.ID, sub, addr.String()
	chk.Resolved = tools.JSON(args)
	return chk, nil
}

func createOpts(args CreateArgs) pools.CreateMemberOpts {
	return pools.CreateMemberOpts{Address: args.Address, ProtocolPort: args.ProtocolPort, SubnetID: args.Subnet, Name: args.Name, Weight: args.Weight, AdminStateUp: args.AdminStateUp}
}

func previewCreate(ctx context.Context, env *tools.Env, args CreateArgs, _ *tools.Check) (*tools.Preview, error) {
	c, err := lb.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	body, err := createOpts(args).ToMemberCreateMap()
	if err != nil {
		return nil, err
	}
	return &tools.Preview{
		Requests: []tools.Request{{Method: "POST", URL: c.ServiceURL("lbaas", "pools", args.Pool, "members"), Body: body}},
		Creates:  []string{fmt.Sprintf("member %s:%d of pool %s; waits until the load balancer is ACTIVE", args.Address, args.ProtocolPort, args.Pool)},
	}, nil
}

// settlePool finds a pool and waits for its load balancer to settle.
func settlePool(ctx context.Context, env *tools.Env, c *gophercloud.ServiceClient, ref string) (*pools.Pool, *loadbalancers.LoadBalancer, error) {
	p, err := lb.FindPool(ctx, c, ref)
	if err != nil {
		return nil, nil, err
	}
	v, err := lb.Settle(ctx, env, c, lb.LBOfPool(p))
	return p, v, err
}

func runCreate(ctx context.Context, env *tools.Env, args CreateArgs) (*tools.Result, error) {
	c, err := lb.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	p, v, err := settlePool(ctx, env, c, args.Pool)
	if err != nil {
		return nil, err
	}
	r := pools.CreateMember(ctx, c, p.ID, createOpts(args))
	m, err := r.Extract()
	if err != nil {
		return nil, fmt.Errorf("add member %s:%d to pool %s: %w", args.Address, args.ProtocolPort, lb.Label(p.Name, p.ID), err)
	}
	env.Names.Remember(lb.KindMember, memberName(*m))
	return &tools.Result{
		Message: fmt.Sprintf("member %s:%d added to pool %s", m.Address, m.ProtocolPort, lb.Label(p.Name, p.ID)),
		Outputs: map[string]string{"id": m.ID, "name": m.Name, "pool": p.ID}, Await: lb.AwaitLB(c, v.ID, v.Name),
		RequestIDs: tools.HeaderRequestIDs(r.Header),
	}, nil
}

// findBoth resolves a pool and one of its members for a check.
func findBoth(ctx context.Context, c *gophercloud.ServiceClient, pool, member string) (*pools.Pool, *pools.Member, *tools.Check, error) {
	p, err := lb.FindPool(ctx, c, pool)
	if err != nil {
		return nil, nil, nil, err
	}
	m, err := lb.FindMember(ctx, c, p.ID, member)
	if err != nil {
		return nil, nil, nil, err
	}
	chk := &tools.Check{Targets: []tools.Target{{Kind: lb.KindMember, ID: m.ID, Name: memberName(*m)}}, Fetched: m,
		State: fmt.Sprintf("%s,weight=%d", m.ProvisioningStatus, m.Weight)}
	parent, _ := lb.ParentFindings(ctx, c, lb.LBOfPool(p))
	chk.Findings = append(chk.Findings, parent...)
	return p, m, chk, nil
}

func checkSet(ctx context.Context, env *tools.Env, args SetArgs) (*tools.Check, error) {
	c, err := lb.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	p, m, chk, err := findBoth(ctx, c, args.Pool, args.Member)
	if err != nil {
		return nil, err
	}
	if args.Weight != nil && *args.Weight == 0 {
		chk.Findings = append(chk.Findings, lb.Warn("weight 0 drains member %s: it gets no new connections", memberName(*m)))
	}
	args.Pool, args.Member = p.ID, m.ID
	chk.Resolved = tools.JSON(args)
	return chk, nil
}

func updateOpts(args SetArgs) pools.UpdateMemberOpts {
	return pools.UpdateMemberOpts{Name: args.Name, Weight: args.Weight, AdminStateUp: args.AdminStateUp}
}

func previewSet(ctx context.Context, env *tools.Env, args SetArgs, chk *tools.Check) (*tools.Preview, error) {
	c, err := lb.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	body, err := updateOpts(args).ToMemberUpdateMap()
	if err != nil {
		return nil, err
	}
	p := &tools.Preview{Requests: []tools.Request{{Method: "PUT", URL: c.ServiceURL("lbaas", "pools", args.Pool, "members", args.Member), Body: body}}}
	if m, ok := tools.FetchedAs[*pools.Member](chk); ok {
		if args.Name != nil {
			p.Changes = append(p.Changes, tools.FieldChange{Field: "name", From: m.Name, To: *args.Name})
		}
		if args.Weight != nil {
			p.Changes = append(p.Changes, tools.FieldChange{Field: "weight", From: m.Weight, To: *args.Weight})
		}
		if args.AdminStateUp != nil {
			p.Changes = append(p.Changes, tools.FieldChange{Field: "admin_state_up", From: m.AdminStateUp, To: *args.AdminStateUp})
		}
	}
	return p, nil
}

func runSet(ctx context.Context, env *tools.Env, args SetArgs) (*tools.Result, error) {
	c, err := lb.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	p, v, err := settlePool(ctx, env, c, args.Pool)
	if err != nil {
		return nil, err
	}
	m, err := lb.FindMember(ctx, c, p.ID, args.Member)
	if err != nil {
		return nil, err
	}
	prev := SetArgs{}
	if args.Name != nil {
		prev.Name = &m.Name
	}
	if args.Weight != nil {
		prev.Weight = &m.Weight
	}
	if args.AdminStateUp != nil {
		prev.AdminStateUp = &m.AdminStateUp
	}
	r := pools.UpdateMember(ctx, c, p.ID, m.ID, updateOpts(args))
	if _, err := r.Extract(); err != nil {
		return nil, fmt.Errorf("update member %s: %w", memberName(*m), err)
	}
	return &tools.Result{Message: fmt.Sprintf("member %s updated", memberName(*m)),
		Outputs: map[string]string{"id": m.ID, "previous": string(tools.JSON(prev))},
		Await:   lb.AwaitLB(c, v.ID, v.Name), RequestIDs: tools.HeaderRequestIDs(r.Header)}, nil
}

func checkDelete(ctx context.Context, env *tools.Env, args MemberArgs) (*tools.Check, error) {
	if tools.IsRef(args.Pool) || tools.IsRef(args.Member) {
		return tools.Referenced(lb.KindMember, args.Member), nil
	}
	c, err := lb.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	p, m, chk, err := findBoth(ctx, c, args.Pool, args.Member)
	if err != nil {
		return nil, err
	}
	args.Pool, args.Member = p.ID, m.ID
	chk.Resolved = tools.JSON(args)
	return chk, nil
}

func previewDelete(ctx context.Context, env *tools.Env, args MemberArgs, chk *tools.Check) (*tools.Preview, error) {
	c, err := lb.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	name := args.Member
	if m, ok := tools.FetchedAs[*pools.Member](chk); ok {
		name = fmt.Sprintf("%s (%s:%d)", memberName(*m), m.Address, m.ProtocolPort)
	}
	return &tools.Preview{
		Requests: []tools.Request{{Method: "DELETE", URL: c.ServiceURL("lbaas", "pools", args.Pool, "members", args.Member)}},
		Deletes:  []tools.Dependent{{Kind: "member", ID: args.Member, Name: name, Fate: "removed from the pool (the server is kept)"}},
	}, nil
}

func runDelete(ctx context.Context, env *tools.Env, args MemberArgs) (*tools.Result, error) {
	c, err := lb.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	p, v, err := settlePool(ctx, env, c, args.Pool)
	if err != nil {
		return nil, err
	}
	m, err := lb.FindMember(ctx, c, p.ID, args.Member)
	if err != nil {
		return nil, err
	}
	r := pools.DeleteMember(ctx, c, p.ID, m.ID)
	if r.Err != nil {
		return nil, fmt.Errorf("remove member %s: %w", memberName(*m), lb.NotFound(r.Err, lb.KindMember, args.Member))
	}
	return &tools.Result{Message: fmt.Sprintf("member %s removed from pool %s", memberName(*m), lb.Label(p.Name, p.ID)),
		Outputs: map[string]string{"id": m.ID}, Await: lb.AwaitLB(c, v.ID, v.Name), RequestIDs: tools.HeaderRequestIDs(r.Header)}, nil
}
