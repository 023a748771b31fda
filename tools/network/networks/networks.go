// Package networks holds the network tools: list, show, create, set,
// unset, delete, and sharing with other projects (RBAC).
package networks

import (
	"context"
	"fmt"
	"sort"

	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/external"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/networks"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/network"
)

// Tools returns the network tools.
func Tools() []tools.Tool {
	all := []tools.Tool{
		tools.ReadTool("network.list", network.Service, list),
		tools.ReadTool("network.show", network.Service, show),
	}
	all = append(all, changeTools()...)
	return append(all, rbacTools()...)
}

// Network is a neutron network with the extension attributes the
// openstack CLI shows.
type Network struct {
	ID                    string   `json:"id"`
	Name                  string   `json:"name"`
	Description           string   `json:"description"`
	Status                string   `json:"status"`
	AdminStateUp          bool     `json:"admin_state_up"`
	Shared                bool     `json:"shared"`
	External              bool     `json:"router:external"`
	Subnets               []string `json:"subnets"`
	ProjectID             string   `json:"project_id"`
	MTU                   *int     `json:"mtu"`
	PortSecurityEnabled   *bool    `json:"port_security_enabled"`
	NetworkType           *string  `json:"provider:network_type"`
	PhysicalNetwork       *string  `json:"provider:physical_network"`
	SegmentationID        *int     `json:"provider:segmentation_id"`
	AvailabilityZones     []string `json:"availability_zones"`
	AvailabilityZoneHints []string `json:"availability_zone_hints"`
	IsDefault             *bool    `json:"is_default"`
	VLANTransparent       *bool    `json:"vlan_transparent"`
	DNSDomain             *string  `json:"dns_domain"`
	QoSPolicyID           *string  `json:"qos_policy_id"`
	IPv4AddressScope      *string  `json:"ipv4_address_scope"`
	IPv6AddressScope      *string  `json:"ipv6_address_scope"`
	Tags                  []string `json:"tags"`
	RevisionNumber        int      `json:"revision_number"`
	CreatedAt             string   `json:"created_at"`
	UpdatedAt             string   `json:"updated_at"`
}

// ListArgs are the arguments of network.list.
type ListArgs struct {
	Name     string `json:"name,omitempty"`
	External *bool  `json:"external,omitempty"`
	Shared   *bool  `json:"shared,omitempty"`
	Project  string `json:"project,omitempty"`
	Status   string `json:"status,omitempty"`
}

// ShowArgs are the arguments of network.show.
type ShowArgs struct {
	Network string `json:"network,omitempty"`
}

// All lists networks matching opts.
func All(ctx context.Context, env *tools.Env, opts networks.ListOptsBuilder) ([]Network, error) {
	client, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	all, err := network.ListAll[Network](ctx, networks.List(client, opts), "networks")
	if err != nil {
		return nil, fmt.Errorf("list networks: %w", err)
	}
	return all, nil
}

func list(ctx context.Context, env *tools.Env, args ListArgs) (*tools.Result, error) {
	var opts networks.ListOptsBuilder = networks.ListOpts{
		Name:      args.Name,
		Shared:    args.Shared,
		ProjectID: args.Project,
		Status:    args.Status,
	}
	if args.External != nil {
		opts = external.ListOptsExt{ListOptsBuilder: opts, External: args.External}
	}
	all, err := All(ctx, env, opts)
	if err != nil {
		return nil, err
	}
	// This sort needs every row, so network.list does not stream to a page
	// sink (tools.PageSinkOf): the export gets its rows when the list is
	// complete. Asking the cloud for the order instead would not give the
	// same rows: Neutron's sort_key=name would order by the database's
	// collation, not byte order, and break ties differently.
	sort.SliceStable(all, func(i, j int) bool { return all[i].Name < all[j].Name })
	out := &tools.List{Columns: []tools.Column{
		{Name: "ID"}, {Name: "Name"},
		{Name: "Status", Long: true, Kind: tools.Status},
		{Name: "Project", Long: true},
		{Name: "State", Long: true},
		{Name: "Shared", Long: true},
		{Name: "Subnets"},
		{Name: "Network Type", Long: true},
		{Name: "Router Type", Long: true},
		{Name: "Availability Zones", Long: true},
		{Name: "Tags", Long: true},
	}}
	// State and Router Type stay booleans, as in the openstack CLI's JSON
	// output; its table prints them as UP/DOWN and External/Internal.
	for _, n := range all {
		out.Rows = append(out.Rows, []any{
			n.ID, n.Name, n.Status, n.ProjectID, n.AdminStateUp, n.Shared,
			network.Tags(n.Subnets), network.Opt(n.NetworkType), n.External,
			network.Tags(n.AvailabilityZones), network.Tags(n.Tags),
		})
	}
	// A filtered list is not every network: only remember, never replace.
	names := network.Names(all, func(n Network) string { return n.Name })
	env.Names.Listed("network", args == (ListArgs{}), names...)
	return &tools.Result{List: out}, nil
}

// Resolve finds one network by ID or exact name.
func Resolve(ctx context.Context, env *tools.Env, nameOrID string) (*Network, error) {
	client, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	return network.Finder[Network]{
		Kind: "network",
		Get: func(ctx context.Context, id string) (*Network, error) {
			return network.GetOne[Network](networks.Get(ctx, client, id).Result, "network")
		},
		ByName: func(ctx context.Context, name string) ([]Network, error) {
			return network.ListAll[Network](ctx, networks.List(client, networks.ListOpts{Name: name}), "networks")
		},
		Candidate: func(n Network) tools.Candidate { return tools.Candidate{ID: n.ID, Name: n.Name} },
	}.Find(ctx, nameOrID)
}

func show(ctx context.Context, env *tools.Env, args ShowArgs) (*tools.Result, error) {
	n, err := Resolve(ctx, env, args.Network)
	if err != nil {
		return nil, err
	}
	env.Names.Remember("network", n.Name)
	return &tools.Result{Record: &tools.Record{Fields: []tools.Field{
		{Name: "admin_state_up", Value: n.AdminStateUp},
		{Name: "availability_zone_hints", Value: network.Tags(n.AvailabilityZoneHints)},
		{Name: "availability_zones", Value: network.Tags(n.AvailabilityZones)},
		{Name: "created_at", Value: n.CreatedAt, Kind: tools.Time},
		{Name: "description", Value: n.Description},
		{Name: "dns_domain", Value: network.Opt(n.DNSDomain)},
		{Name: "id", Value: n.ID},
		{Name: "ipv4_address_scope", Value: network.Opt(n.IPv4AddressScope)},
		{Name: "ipv6_address_scope", Value: network.Opt(n.IPv6AddressScope)},
		{Name: "is_default", Value: network.Opt(n.IsDefault)},
		{Name: "is_vlan_transparent", Value: network.Opt(n.VLANTransparent)},
		{Name: "mtu", Value: network.Opt(n.MTU)},
		{Name: "name", Value: n.Name},
		{Name: "port_security_enabled", Value: network.Opt(n.PortSecurityEnabled)},
		{Name: "project_id", Value: n.ProjectID},
		{Name: "provider:network_type", Value: network.Opt(n.NetworkType)},
		{Name: "provider:physical_network", Value: network.Opt(n.PhysicalNetwork)},
		{Name: "provider:segmentation_id", Value: network.Opt(n.SegmentationID)},
		{Name: "qos_policy_id", Value: network.Opt(n.QoSPolicyID)},
		{Name: "revision_number", Value: n.RevisionNumber},
		{Name: "router:external", Value: n.External},
		{Name: "shared", Value: n.Shared},
		{Name: "status", Value: n.Status, Kind: tools.Status},
		{Name: "subnets", Value: network.Tags(n.Subnets)},
		{Name: "tags", Value: network.Tags(n.Tags)},
		{Name: "updated_at", Value: n.UpdatedAt, Kind: tools.Time},
	}}}, nil
}
