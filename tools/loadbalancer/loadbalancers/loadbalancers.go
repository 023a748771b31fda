// Package loadbalancers holds the load balancer tools: list, show, the
// status tree, create (which is also the wizard that builds a working
// HTTP load balancer in one plan), set and delete (with --cascade, whose
// preview names everything it removes).
package loadbalancers

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/gophercloud/gophercloud/v2/openstack/loadbalancer/v2/loadbalancers"

	"github.com/kriscelmer/os-tui/tools"
	lb "github.com/kriscelmer/os-tui/tools/loadbalancer"
)

// Tools returns the load balancer tools.
func Tools() []tools.Tool {
	return []tools.Tool{
		tools.ReadTool("loadbalancer.list", lb.Service, list),
		tools.ReadTool("loadbalancer.show", lb.Service, show),
		tools.ReadTool("loadbalancer.status", lb.Service, status),
		// "openstack loadbalancer status show LB": a second name, since an
		// x-cli spelling may not extend a command taking a positional.
		{Name: "loadbalancer.status.show", As: "loadbalancer.status"},
		createTool(), setTool(), deleteTool(),
	}
}

// ListArgs are the arguments of loadbalancer.list.
type ListArgs struct {
	Name               string `json:"name,omitempty"`
	ProvisioningStatus string `json:"provisioning_status,omitempty"`
}

// ShowArgs are the arguments of loadbalancer.show and loadbalancer.status.
type ShowArgs struct {
	Loadbalancer string `json:"loadbalancer"`
}

func list(ctx context.Context, env *tools.Env, args ListArgs) (*tools.Result, error) {
	c, err := lb.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	all, err := lb.All(ctx, loadbalancers.List(c, loadbalancers.ListOpts{Name: args.Name, ProvisioningStatus: args.ProvisioningStatus}), loadbalancers.ExtractLoadBalancers)
	if err != nil {
		return nil, fmt.Errorf("list load balancers: %w", err)
	}
	out := &tools.List{Columns: []tools.Column{
		{Name: "ID"}, {Name: "Name"}, {Name: "Project ID", Long: true}, {Name: "VIP Address"},
		{Name: "Provisioning Status", Kind: tools.Status}, {Name: "Operating Status", Kind: tools.Status}, {Name: "Provider"},
	}}
	names := make([]string, 0, len(all))
	for _, v := range all {
		out.Rows = append(out.Rows, []any{v.ID, v.Name, v.ProjectID, v.VipAddress, v.ProvisioningStatus, v.OperatingStatus, v.Provider})
		names = append(names, v.Name)
	}
	env.Names.Replace(lb.KindLB, names...)
	return &tools.Result{List: out}, nil
}

func timeField(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(time.RFC3339)
}

// Record is a load balancer as the openstack CLI shows it.
func Record(v *loadbalancers.LoadBalancer) *tools.Record {
	var ls, ps []string
	for _, l := range v.Listeners {
		ls = append(ls, l.ID)
	}
	for _, p := range v.Pools {
		ps = append(ps, p.ID)
	}
	return &tools.Record{Fields: []tools.Field{
		{Name: "admin_state_up", Value: v.AdminStateUp},
		{Name: "availability_zone", Value: v.AvailabilityZone},
		{Name: "created_at", Value: timeField(v.CreatedAt), Kind: tools.Time},
		{Name: "description", Value: v.Description},
		{Name: "flavor_id", Value: v.FlavorID},
		{Name: "id", Value: v.ID},
		{Name: "listeners", Value: strings.Join(ls, "\n")},
		{Name: "name", Value: v.Name},
		{Name: "operating_status", Value: v.OperatingStatus, Kind: tools.Status},
		{Name: "pools", Value: strings.Join(ps, "\n")},
		{Name: "project_id", Value: v.ProjectID},
		{Name: "provider", Value: v.Provider},
		{Name: "provisioning_status", Value: v.ProvisioningStatus, Kind: tools.Status},
		{Name: "tags", Value: v.Tags},
		{Name: "updated_at", Value: timeField(v.UpdatedAt), Kind: tools.Time},
		{Name: "vip_address", Value: v.VipAddress},
		{Name: "vip_network_id", Value: v.VipNetworkID},
		{Name: "vip_port_id", Value: v.VipPortID},
		{Name: "vip_qos_policy_id", Value: v.VipQosPolicyID},
		{Name: "vip_subnet_id", Value: v.VipSubnetID},
	}}
}

func show(ctx context.Context, env *tools.Env, args ShowArgs) (*tools.Result, error) {
	c, err := lb.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	v, err := lb.FindLB(ctx, c, args.Loadbalancer)
	if err != nil {
		return nil, err
	}
	env.Names.Remember(lb.KindLB, v.Name)
	return &tools.Result{Record: Record(v)}, nil
}

// statusTree is Octavia's status tree, every object with its
// provisioning and operating status.
type statusTree struct {
	Loadbalancer struct {
		node
		Listeners []struct {
			node
			Pools []poolNode `json:"pools"`
		} `json:"listeners"`
		Pools []poolNode `json:"pools"`
	} `json:"loadbalancer"`
}

type node struct {
	ID                 string `json:"id"`
	Name               string `json:"name"`
	ProvisioningStatus string `json:"provisioning_status"`
	OperatingStatus    string `json:"operating_status"`
}

type poolNode struct {
	node
	HealthMonitor *node `json:"health_monitor"`
	Members       []struct {
		node
		Address      string `json:"address"`
		ProtocolPort int    `json:"protocol_port"`
	} `json:"members"`
}

// status is /loadbalancer status LB: one row per object, indented under
// its parent, with its provisioning and operating status.
func status(ctx context.Context, env *tools.Env, args ShowArgs) (*tools.Result, error) {
	c, err := lb.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	v, err := lb.FindLB(ctx, c, args.Loadbalancer)
	if err != nil {
		return nil, err
	}
	var tree statusTree
	if err := loadbalancers.GetStatuses(ctx, c, v.ID).ExtractInto(&struct {
		Statuses *statusTree `json:"statuses"`
	}{&tree}); err != nil {
		return nil, fmt.Errorf("status of load balancer %s: %w", lb.Label(v.Name, v.ID), lb.NotFound(err, lb.KindLB, args.Loadbalancer))
	}
	out := &tools.List{Columns: []tools.Column{
		{Name: "Object"}, {Name: "Name"}, {Name: "ID"},
		{Name: "Provisioning Status", Kind: tools.Status}, {Name: "Operating Status", Kind: tools.Status},
	}}
	row := func(depth int, kind string, n node) {
		out.Rows = append(out.Rows, []any{strings.Repeat("  ", depth) + kind, n.Name, n.ID, n.ProvisioningStatus, n.OperatingStatus})
	}
	seen := map[string]bool{}
	pool := func(depth int, p poolNode) {
		seen[p.ID] = true
		row(depth, "pool", p.node)
		if p.HealthMonitor != nil && p.HealthMonitor.ID != "" {
			row(depth+1, "healthmonitor", *p.HealthMonitor)
		}
		for _, m := range p.Members {
			n := m.node
			if n.Name == "" {
				n.Name = fmt.Sprintf("%s:%d", m.Address, m.ProtocolPort)
			}
			row(depth+1, "member", n)
		}
	}
	t := tree.Loadbalancer
	if t.ID == "" {
		t.node = node{ID: v.ID, Name: v.Name, ProvisioningStatus: v.ProvisioningStatus, OperatingStatus: v.OperatingStatus}
	}
	row(0, "loadbalancer", t.node)
	for _, l := range t.Listeners {
		row(1, "listener", l.node)
		for _, p := range l.Pools {
			pool(2, p)
		}
	}
	for _, p := range t.Pools {
		if !seen[p.ID] {
			pool(1, p)
		}
	}
	env.Names.Remember(lb.KindLB, v.Name)
	return &tools.Result{List: out}, nil
}
