// Package subnets holds the subnet tools: list, show, create, set, unset
// and delete.
package subnets

import (
	"context"
	"fmt"
	"sort"

	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/subnets"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/network"
	"github.com/kriscelmer/os-tui/tools/network/networks"
)

// Tools returns the subnet tools.
func Tools() []tools.Tool {
	return append([]tools.Tool{
		tools.ReadTool("subnet.list", network.Service, list),
		tools.ReadTool("subnet.show", network.Service, show),
	}, changeTools()...)
}

// Pool is one allocation pool.
type Pool struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

// Route is one host route.
type Route struct {
	Destination string `json:"destination"`
	NextHop     string `json:"nexthop"`
}

// Subnet is a neutron subnet.
type Subnet struct {
	ID                string   `json:"id"`
	Name              string   `json:"name"`
	Description       string   `json:"description"`
	NetworkID         string   `json:"network_id"`
	CIDR              string   `json:"cidr"`
	IPVersion         int      `json:"ip_version"`
	GatewayIP         *string  `json:"gateway_ip"`
	EnableDHCP        bool     `json:"enable_dhcp"`
	AllocationPools   []Pool   `json:"allocation_pools"`
	DNSNameservers    []string `json:"dns_nameservers"`
	HostRoutes        []Route  `json:"host_routes"`
	ProjectID         string   `json:"project_id"`
	IPv6AddressMode   *string  `json:"ipv6_address_mode"`
	IPv6RAMode        *string  `json:"ipv6_ra_mode"`
	SubnetPoolID      *string  `json:"subnetpool_id"`
	SegmentID         *string  `json:"segment_id"`
	ServiceTypes      []string `json:"service_types"`
	DNSPublishFixedIP *bool    `json:"dns_publish_fixed_ip"`
	Tags              []string `json:"tags"`
	RevisionNumber    int      `json:"revision_number"`
	CreatedAt         string   `json:"created_at"`
	UpdatedAt         string   `json:"updated_at"`
}

// ListArgs are the arguments of subnet.list.
type ListArgs struct {
	Network   string `json:"network,omitempty"`
	IPVersion int    `json:"ip_version,omitempty"`
	Name      string `json:"name,omitempty"`
	Project   string `json:"project,omitempty"`
}

// ShowArgs are the arguments of subnet.show.
type ShowArgs struct {
	Subnet string `json:"subnet,omitempty"`
}

// FormatPools renders allocation pools as "start-end".
func FormatPools(pools []Pool) []string {
	out := make([]string, 0, len(pools))
	for _, p := range pools {
		out = append(out, p.Start+"-"+p.End)
	}
	return out
}

// FormatRoutes renders host routes the way the openstack CLI does.
func FormatRoutes(routes []Route) []string {
	out := make([]string, 0, len(routes))
	for _, r := range routes {
		out = append(out, fmt.Sprintf("destination='%s', gateway='%s'", r.Destination, r.NextHop))
	}
	return out
}

func list(ctx context.Context, env *tools.Env, args ListArgs) (*tools.Result, error) {
	opts := subnets.ListOpts{Name: args.Name, IPVersion: args.IPVersion, ProjectID: args.Project}
	if args.Network != "" {
		n, err := networks.Resolve(ctx, env, args.Network)
		if err != nil {
			return nil, err
		}
		opts.NetworkID = n.ID
	}
	client, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	all, err := network.ListAll[Subnet](ctx, subnets.List(client, opts), "subnets")
	if err != nil {
		return nil, fmt.Errorf("list subnets: %w", err)
	}
	// This sort needs every row, so subnet.list does not stream to a page
	// sink (tools.PageSinkOf): the export gets its rows when the list is
	// complete. Asking the cloud for the order instead would not give the
	// same rows: Neutron's sort_key=name would order by the database's
	// collation, not byte order, and break ties differently.
	sort.SliceStable(all, func(i, j int) bool { return all[i].Name < all[j].Name })
	out := &tools.List{Columns: []tools.Column{
		{Name: "ID"}, {Name: "Name"}, {Name: "Network"}, {Name: "Subnet"},
		{Name: "Project", Long: true},
		{Name: "DHCP", Long: true},
		{Name: "Name Servers", Long: true},
		{Name: "Allocation Pools", Long: true},
		{Name: "Host Routes", Long: true},
		{Name: "IP Version", Long: true},
		{Name: "Gateway", Long: true},
		{Name: "Service Types", Long: true},
		{Name: "Tags", Long: true},
	}}
	for _, s := range all {
		out.Rows = append(out.Rows, []any{
			s.ID, s.Name, s.NetworkID, s.CIDR, s.ProjectID, s.EnableDHCP,
			network.Tags(s.DNSNameservers), FormatPools(s.AllocationPools), FormatRoutes(s.HostRoutes),
			s.IPVersion, network.Opt(s.GatewayIP), network.Tags(s.ServiceTypes), network.Tags(s.Tags),
		})
	}
	names := network.Names(all, func(s Subnet) string { return s.Name })
	env.Names.Listed("subnet", args == (ListArgs{}), names...)
	return &tools.Result{List: out}, nil
}

// Resolve finds one subnet by ID or exact name.
func Resolve(ctx context.Context, env *tools.Env, nameOrID string) (*Subnet, error) {
	client, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	return network.Finder[Subnet]{
		Kind: "subnet",
		Get: func(ctx context.Context, id string) (*Subnet, error) {
			return network.GetOne[Subnet](subnets.Get(ctx, client, id).Result, "subnet")
		},
		ByName: func(ctx context.Context, name string) ([]Subnet, error) {
			return network.ListAll[Subnet](ctx, subnets.List(client, subnets.ListOpts{Name: name}), "subnets")
		},
		Candidate: func(s Subnet) tools.Candidate { return tools.Candidate{ID: s.ID, Name: s.Name} },
	}.Find(ctx, nameOrID)
}

func show(ctx context.Context, env *tools.Env, args ShowArgs) (*tools.Result, error) {
	s, err := Resolve(ctx, env, args.Subnet)
	if err != nil {
		return nil, err
	}
	env.Names.Remember("subnet", s.Name)
	return &tools.Result{Record: &tools.Record{Fields: []tools.Field{
		{Name: "allocation_pools", Value: FormatPools(s.AllocationPools)},
		{Name: "cidr", Value: s.CIDR},
		{Name: "created_at", Value: s.CreatedAt, Kind: tools.Time},
		{Name: "description", Value: s.Description},
		{Name: "dns_nameservers", Value: network.Tags(s.DNSNameservers)},
		{Name: "dns_publish_fixed_ip", Value: network.Opt(s.DNSPublishFixedIP)},
		{Name: "enable_dhcp", Value: s.EnableDHCP},
		{Name: "gateway_ip", Value: network.Opt(s.GatewayIP)},
		{Name: "host_routes", Value: FormatRoutes(s.HostRoutes)},
		{Name: "id", Value: s.ID},
		{Name: "ip_version", Value: s.IPVersion},
		{Name: "ipv6_address_mode", Value: network.Opt(s.IPv6AddressMode)},
		{Name: "ipv6_ra_mode", Value: network.Opt(s.IPv6RAMode)},
		{Name: "name", Value: s.Name},
		{Name: "network_id", Value: s.NetworkID},
		{Name: "project_id", Value: s.ProjectID},
		{Name: "revision_number", Value: s.RevisionNumber},
		{Name: "segment_id", Value: network.Opt(s.SegmentID)},
		{Name: "service_types", Value: network.Tags(s.ServiceTypes)},
		{Name: "subnetpool_id", Value: network.Opt(s.SubnetPoolID)},
		{Name: "tags", Value: network.Tags(s.Tags)},
		{Name: "updated_at", Value: s.UpdatedAt, Kind: tools.Time},
	}}}, nil
}
