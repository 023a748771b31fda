// Package floatingips holds the floating IP tools: list, create (allocate),
// set (associate), unset (disassociate) and delete (release).
package floatingips

import (
	"context"
	"fmt"
	"sort"

	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/layer3/floatingips"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/network"
	"github.com/kriscelmer/os-tui/tools/network/networks"
)

// Tools returns the floating IP tools.
func Tools() []tools.Tool {
	return append([]tools.Tool{
		tools.ReadTool("floating-ip.list", network.Service, list),
	}, changeTools()...)
}

// FloatingIP is a neutron floating IP.
type FloatingIP struct {
	ID                string   `json:"id"`
	FloatingIP        string   `json:"floating_ip_address"`
	FixedIP           *string  `json:"fixed_ip_address"`
	PortID            *string  `json:"port_id"`
	FloatingNetworkID string   `json:"floating_network_id"`
	RouterID          *string  `json:"router_id"`
	ProjectID         string   `json:"project_id"`
	Status            string   `json:"status"`
	Description       string   `json:"description"`
	Tags              []string `json:"tags"`
}

// ListArgs are the arguments of floating-ip.list.
type ListArgs struct {
	Network string `json:"network,omitempty"`
	Status  string `json:"status,omitempty"`
	Project string `json:"project,omitempty"`
}

func list(ctx context.Context, env *tools.Env, args ListArgs) (*tools.Result, error) {
	opts := floatingips.ListOpts{Status: args.Status, ProjectID: args.Project}
	if args.Network != "" {
		n, err := networks.Resolve(ctx, env, args.Network)
		if err != nil {
			return nil, err
		}
		opts.FloatingNetworkID = n.ID
	}
	client, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	all, err := network.ListAll[FloatingIP](ctx, floatingips.List(client, opts), "floatingips")
	if err != nil {
		return nil, fmt.Errorf("list floating IPs: %w", err)
	}
	// This sort needs every row, so floating-ip.list does not stream to a
	// page sink (tools.PageSinkOf): the export gets its rows when the list
	// is complete. Asking the cloud for the order instead would not give
	// the same rows: Neutron's sort_key=floating_ip_address orders by the
	// database's collation, not byte order, and breaks ties differently.
	sort.SliceStable(all, func(i, j int) bool { return all[i].FloatingIP < all[j].FloatingIP })
	out := &tools.List{Columns: []tools.Column{
		{Name: "ID"}, {Name: "Floating IP Address"}, {Name: "Fixed IP Address"}, {Name: "Port"},
		{Name: "Floating Network"}, {Name: "Project"},
		{Name: "Router", Long: true},
		{Name: "Status", Long: true, Kind: tools.Status},
		{Name: "Description", Long: true},
		{Name: "Tags", Long: true},
	}}
	addrs := make([]string, 0, len(all))
	for _, f := range all {
		out.Rows = append(out.Rows, []any{
			f.ID, f.FloatingIP, network.Opt(f.FixedIP), network.Opt(f.PortID), f.FloatingNetworkID, f.ProjectID,
			network.Opt(f.RouterID), f.Status, f.Description, network.Tags(f.Tags),
		})
		addrs = append(addrs, f.FloatingIP)
	}
	// Floating IPs have no useful names; their addresses are what people type.
	env.Names.Listed("floating-ip", args == (ListArgs{}), addrs...)
	return &tools.Result{List: out}, nil
}
