// Package routers holds the router tools: list and show, create, set,
// unset, delete, and adding and removing interfaces.
package routers

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/layer3/routers"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/ports"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/network"
	"github.com/kriscelmer/os-tui/tools/network/subnets"
)

// Tools returns the router tools.
func Tools() []tools.Tool {
	out := []tools.Tool{
		tools.ReadTool("router.list", network.Service, list),
		tools.ReadTool("router.show", network.Service, show),
	}
	out = append(out, changeTools()...)
	return append(out, interfaceTools()...)
}

// Router is a neutron router.
type Router struct {
	ID                    string          `json:"id"`
	Name                  string          `json:"name"`
	Description           string          `json:"description"`
	Status                string          `json:"status"`
	AdminStateUp          bool            `json:"admin_state_up"`
	ProjectID             string          `json:"project_id"`
	Distributed           *bool           `json:"distributed"`
	HA                    *bool           `json:"ha"`
	ExternalGatewayInfo   json.RawMessage `json:"external_gateway_info"`
	Routes                []subnets.Route `json:"routes"`
	AvailabilityZones     []string        `json:"availability_zones"`
	AvailabilityZoneHints []string        `json:"availability_zone_hints"`
	FlavorID              *string         `json:"flavor_id"`
	Tags                  []string        `json:"tags"`
	RevisionNumber        int             `json:"revision_number"`
	CreatedAt             string          `json:"created_at"`
	UpdatedAt             string          `json:"updated_at"`
}

// Gateway renders external_gateway_info as compact JSON, as the openstack
// CLI's table does; nil when the router has no gateway.
func (r *Router) Gateway() any {
	if len(r.ExternalGatewayInfo) == 0 || string(r.ExternalGatewayInfo) == "null" {
		return nil
	}
	// Re-encoding sorts the keys, so the text is stable across clouds.
	var v any
	if err := json.Unmarshal(r.ExternalGatewayInfo, &v); err != nil {
		return string(r.ExternalGatewayInfo)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return string(r.ExternalGatewayInfo)
	}
	return string(b)
}

// ListArgs are the arguments of router.list.
type ListArgs struct {
	Name    string `json:"name,omitempty"`
	Project string `json:"project,omitempty"`
	Status  string `json:"status,omitempty"`
}

// ShowArgs are the arguments of router.show.
type ShowArgs struct {
	Router string `json:"router,omitempty"`
}

func list(ctx context.Context, env *tools.Env, args ListArgs) (*tools.Result, error) {
	client, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	opts := routers.ListOpts{Name: args.Name, ProjectID: args.Project, Status: args.Status}
	all, err := network.ListAll[Router](ctx, routers.List(client, opts), "routers")
	if err != nil {
		return nil, fmt.Errorf("list routers: %w", err)
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].Name < all[j].Name })
	out := &tools.List{Columns: []tools.Column{
		{Name: "ID"}, {Name: "Name"}, {Name: "Status", Kind: tools.Status}, {Name: "State"}, {Name: "Project"},
		{Name: "Distributed", Long: true},
		{Name: "HA", Long: true},
		{Name: "Routes", Long: true},
		{Name: "External gateway info", Long: true},
		{Name: "Availability zones", Long: true},
		{Name: "Tags", Long: true},
	}}
	for _, r := range all {
		out.Rows = append(out.Rows, []any{
			r.ID, r.Name, r.Status, r.AdminStateUp, r.ProjectID,
			network.Opt(r.Distributed), network.Opt(r.HA), subnets.FormatRoutes(r.Routes),
			r.Gateway(), network.Tags(r.AvailabilityZones), network.Tags(r.Tags),
		})
	}
	names := network.Names(all, func(r Router) string { return r.Name })
	env.Names.Listed("router", args == (ListArgs{}), names...)
	return &tools.Result{List: out}, nil
}

// Resolve finds one router by ID or exact name.
func Resolve(ctx context.Context, env *tools.Env, nameOrID string) (*Router, error) {
	client, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	return network.Finder[Router]{
		Kind: "router",
		Get: func(ctx context.Context, id string) (*Router, error) {
			return network.GetOne[Router](routers.Get(ctx, client, id).Result, "router")
		},
		ByName: func(ctx context.Context, name string) ([]Router, error) {
			return network.ListAll[Router](ctx, routers.List(client, routers.ListOpts{Name: name}), "routers")
		},
		Candidate: func(r Router) tools.Candidate { return tools.Candidate{ID: r.ID, Name: r.Name} },
	}.Find(ctx, nameOrID)
}

// interfacePort is the part of a port that interfaces_info needs.
type interfacePort struct {
	ID          string            `json:"id"`
	DeviceOwner string            `json:"device_owner"`
	FixedIPs    []network.FixedIP `json:"fixed_ips"`
}

// Interfaces lists the router's ports other than its gateway, one entry
// per address, the way the openstack CLI builds interfaces_info.
func Interfaces(ctx context.Context, env *tools.Env, routerID string) ([]string, error) {
	client, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	all, err := network.ListAll[interfacePort](ctx, ports.List(client, ports.ListOpts{DeviceID: routerID}), "ports")
	if err != nil {
		return nil, fmt.Errorf("list interfaces of router %s: %w", routerID, err)
	}
	out := []string{}
	for _, p := range all {
		if p.DeviceOwner == "network:router_gateway" {
			continue
		}
		for _, ip := range p.FixedIPs {
			out = append(out, fmt.Sprintf("port_id='%s', ip_address='%s', subnet_id='%s'", p.ID, ip.IPAddress, ip.SubnetID))
		}
	}
	sort.Strings(out)
	return out, nil
}

func show(ctx context.Context, env *tools.Env, args ShowArgs) (*tools.Result, error) {
	r, err := Resolve(ctx, env, args.Router)
	if err != nil {
		return nil, err
	}
	env.Names.Remember("router", r.Name)
	ifaces, err := Interfaces(ctx, env, r.ID)
	if err != nil {
		return nil, err
	}
	return &tools.Result{Record: &tools.Record{Fields: []tools.Field{
		{Name: "admin_state_up", Value: r.AdminStateUp},
		{Name: "availability_zone_hints", Value: network.Tags(r.AvailabilityZoneHints)},
		{Name: "availability_zones", Value: network.Tags(r.AvailabilityZones)},
		{Name: "created_at", Value: r.CreatedAt, Kind: tools.Time},
		{Name: "description", Value: r.Description},
		{Name: "distributed", Value: network.Opt(r.Distributed)},
		{Name: "external_gateway_info", Value: r.Gateway()},
		{Name: "flavor_id", Value: network.Opt(r.FlavorID)},
		{Name: "ha", Value: network.Opt(r.HA)},
		{Name: "id", Value: r.ID},
		{Name: "interfaces_info", Value: ifaces},
		{Name: "name", Value: r.Name},
		{Name: "project_id", Value: r.ProjectID},
		{Name: "revision_number", Value: r.RevisionNumber},
		{Name: "routes", Value: subnets.FormatRoutes(r.Routes)},
		{Name: "status", Value: r.Status, Kind: tools.Status},
		{Name: "tags", Value: network.Tags(r.Tags)},
		{Name: "updated_at", Value: r.UpdatedAt, Kind: tools.Time},
	}}}, nil
}
