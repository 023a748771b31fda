// Package ports holds the port tools: list, show, create, set, unset
// and delete.
package ports

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"

	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/servers"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/ports"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/network"
	"github.com/kriscelmer/os-tui/tools/network/networks"
	"github.com/kriscelmer/os-tui/tools/network/routers"
)

// Tools returns the port tools.
func Tools() []tools.Tool {
	return append([]tools.Tool{
		tools.ReadTool("port.list", network.Service, list),
		tools.ReadTool("port.show", network.Service, show),
	}, changeTools()...)
}

// AddressPair is one allowed address pair.
type AddressPair struct {
	IPAddress  string `json:"ip_address"`
	MACAddress string `json:"mac_address"`
}

// Port is a neutron port.
type Port struct {
	ID                  string              `json:"id"`
	Name                string              `json:"name"`
	Description         string              `json:"description"`
	NetworkID           string              `json:"network_id"`
	MACAddress          string              `json:"mac_address"`
	FixedIPs            []network.FixedIP   `json:"fixed_ips"`
	Status              string              `json:"status"`
	AdminStateUp        bool                `json:"admin_state_up"`
	DeviceID            string              `json:"device_id"`
	DeviceOwner         string              `json:"device_owner"`
	SecurityGroups      []string            `json:"security_groups"`
	ProjectID           string              `json:"project_id"`
	HostID              *string             `json:"binding:host_id"`
	VNICType            *string             `json:"binding:vnic_type"`
	VIFType             *string             `json:"binding:vif_type"`
	AllowedAddressPairs []AddressPair       `json:"allowed_address_pairs"`
	PortSecurityEnabled *bool               `json:"port_security_enabled"`
	DNSName             *string             `json:"dns_name"`
	DNSAssignment       []map[string]string `json:"dns_assignment"`
	Tags                []string            `json:"tags"`
	RevisionNumber      int                 `json:"revision_number"`
	CreatedAt           string              `json:"created_at"`
	UpdatedAt           string              `json:"updated_at"`
	// TrunkDetails is set on a trunk's parent port (where the cloud has
	// the trunk extension).
	TrunkDetails json.RawMessage `json:"trunk_details"`
}

// ListArgs are the arguments of port.list.
type ListArgs struct {
	Network     string `json:"network,omitempty"`
	Server      string `json:"server,omitempty"`
	Router      string `json:"router,omitempty"`
	DeviceOwner string `json:"device_owner,omitempty"`
	Status      string `json:"status,omitempty"`
	Project     string `json:"project,omitempty"`
}

// ShowArgs are the arguments of port.show.
type ShowArgs struct {
	Port string `json:"port,omitempty"`
}

func list(ctx context.Context, env *tools.Env, args ListArgs) (*tools.Result, error) {
	opts := ports.ListOpts{DeviceOwner: args.DeviceOwner, Status: args.Status, ProjectID: args.Project}
	if args.Network != "" {
		n, err := networks.Resolve(ctx, env, args.Network)
		if err != nil {
			return nil, err
		}
		opts.NetworkID = n.ID
	}
	if args.Server != "" {
		id, err := ServerID(ctx, env, args.Server)
		if err != nil {
			return nil, err
		}
		opts.DeviceID = id
	}
	if args.Router != "" {
		r, err := routers.Resolve(ctx, env, args.Router)
		if err != nil {
			return nil, err
		}
		opts.DeviceID = r.ID
	}
	client, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	all, err := network.ListAll[Port](ctx, ports.List(client, opts), "ports")
	if err != nil {
		return nil, fmt.Errorf("list ports: %w", err)
	}
	// This sort needs every row, so port.list does not stream to a page
	// sink (tools.PageSinkOf): the export gets its rows when the list is
	// complete. Asking the cloud for the order instead would not give the
	// same rows: Neutron's sort_key=name would order by the database's
	// collation, not byte order, and break ties differently.
	sort.SliceStable(all, func(i, j int) bool { return all[i].Name < all[j].Name })
	out := &tools.List{Columns: []tools.Column{
		{Name: "ID"}, {Name: "Name"}, {Name: "MAC Address"}, {Name: "Fixed IP Addresses"},
		{Name: "Status", Kind: tools.Status},
		{Name: "Security Groups", Long: true},
		{Name: "Device Owner", Long: true},
		{Name: "Tags", Long: true},
		// Device ID ties a router's interfaces to it in one port list
		// (the overview's orphans), instead of one list per router.
		{Name: "Device ID", Long: true},
	}}
	for _, p := range all {
		out.Rows = append(out.Rows, []any{
			p.ID, p.Name, p.MACAddress, network.FormatFixedIPs(p.FixedIPs), p.Status,
			network.Tags(p.SecurityGroups), p.DeviceOwner, network.Tags(p.Tags), p.DeviceID,
		})
	}
	names := network.Names(all, func(p Port) string { return p.Name })
	env.Names.Listed("port", args == (ListArgs{}), names...)
	return &tools.Result{List: out}, nil
}

// ServerID finds a server's ID by name or ID. An ID is used as it is: the
// port filter answers "no ports" for an unknown one, which is the truth.
func ServerID(ctx context.Context, env *tools.Env, nameOrID string) (string, error) {
	if tools.IsUUID(nameOrID) {
		return nameOrID, nil
	}
	client, err := env.Clients.ServiceClient(ctx, "compute")
	if err != nil {
		return "", fmt.Errorf("compute service: %w", err)
	}
	// Nova's name filter is a regular expression; anchor and quote it so
	// "web" does not match "web-1".
	opts := servers.ListOpts{Name: "^" + regexp.QuoteMeta(nameOrID) + "$"}
	pages, err := servers.ListSimple(client, opts).AllPages(ctx)
	if err != nil {
		return "", fmt.Errorf("find server %s: %w", nameOrID, err)
	}
	all, err := servers.ExtractServers(pages)
	if err != nil {
		return "", fmt.Errorf("find server %s: %w", nameOrID, err)
	}
	cands := make([]tools.Candidate, 0, len(all))
	for _, s := range all {
		cands = append(cands, tools.Candidate{ID: s.ID, Name: s.Name})
	}
	c, err := tools.Pick("server", nameOrID, cands)
	if err != nil {
		return "", err
	}
	return c.ID, nil
}

// Resolve finds one port by ID or exact name.
func Resolve(ctx context.Context, env *tools.Env, nameOrID string) (*Port, error) {
	client, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	return network.Finder[Port]{
		Kind: "port",
		Get: func(ctx context.Context, id string) (*Port, error) {
			return network.GetOne[Port](ports.Get(ctx, client, id).Result, "port")
		},
		ByName: func(ctx context.Context, name string) ([]Port, error) {
			return network.ListAll[Port](ctx, ports.List(client, ports.ListOpts{Name: name}), "ports")
		},
		Candidate: func(p Port) tools.Candidate { return tools.Candidate{ID: p.ID, Name: p.Name} },
	}.Find(ctx, nameOrID)
}

func show(ctx context.Context, env *tools.Env, args ShowArgs) (*tools.Result, error) {
	p, err := Resolve(ctx, env, args.Port)
	if err != nil {
		return nil, err
	}
	env.Names.Remember("port", p.Name)
	pairs := make([]string, 0, len(p.AllowedAddressPairs))
	for _, a := range p.AllowedAddressPairs {
		pairs = append(pairs, fmt.Sprintf("ip_address='%s', mac_address='%s'", a.IPAddress, a.MACAddress))
	}
	return &tools.Result{Record: &tools.Record{Fields: []tools.Field{
		{Name: "admin_state_up", Value: p.AdminStateUp},
		{Name: "allowed_address_pairs", Value: pairs},
		{Name: "binding_host_id", Value: network.Opt(p.HostID)},
		{Name: "binding_vif_type", Value: network.Opt(p.VIFType)},
		{Name: "binding_vnic_type", Value: network.Opt(p.VNICType)},
		{Name: "created_at", Value: p.CreatedAt, Kind: tools.Time},
		{Name: "description", Value: p.Description},
		{Name: "device_id", Value: p.DeviceID},
		{Name: "device_owner", Value: p.DeviceOwner},
		{Name: "dns_name", Value: network.Opt(p.DNSName)},
		{Name: "fixed_ips", Value: network.FormatFixedIPs(p.FixedIPs)},
		{Name: "id", Value: p.ID},
		{Name: "mac_address", Value: p.MACAddress},
		{Name: "name", Value: p.Name},
		{Name: "network_id", Value: p.NetworkID},
		{Name: "port_security_enabled", Value: network.Opt(p.PortSecurityEnabled)},
		{Name: "project_id", Value: p.ProjectID},
		{Name: "revision_number", Value: p.RevisionNumber},
		{Name: "security_group_ids", Value: network.Tags(p.SecurityGroups)},
		{Name: "status", Value: p.Status, Kind: tools.Status},
		{Name: "tags", Value: network.Tags(p.Tags)},
		{Name: "updated_at", Value: p.UpdatedAt, Kind: tools.Time},
	}}}, nil
}
