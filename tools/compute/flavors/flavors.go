// Package flavors holds the flavor tools: list and show.
package flavors

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"sync"

	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/flavors"

	"github.com/kriscelmer/os-tui/tools"
)

// Tools returns the flavor tools.
func Tools() []tools.Tool {
	return []tools.Tool{
		tools.ReadTool("flavor.list", "compute", list),
		tools.ReadTool("flavor.show", "compute", show),
	}
}

// digits matches a numeric flavor ID.
var digits = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9]+$`) })

// idLike reports the usual shapes of flavor IDs: UUIDs and numbers.
func idLike(s string) bool { return digits().MatchString(s) || tools.IsUUID(s) }

// ListArgs are the arguments of flavor.list.
type ListArgs struct {
	All bool `json:"all,omitempty"`
}

// ShowArgs are the arguments of flavor.show.
type ShowArgs struct {
	Flavor string `json:"flavor,omitempty"`
}

func list(ctx context.Context, env *tools.Env, args ListArgs) (*tools.Result, error) {
	client, err := env.Clients.ServiceClient(ctx, "compute")
	if err != nil {
		return nil, err
	}
	opts := flavors.ListOpts{AccessType: flavors.PublicAccess}
	if args.All {
		opts.AccessType = flavors.AllAccess
	}
	pages, err := flavors.ListDetail(client, opts).AllPages(ctx)
	if err != nil {
		return nil, fmt.Errorf("list flavors: %w", err)
	}
	all, err := flavors.ExtractFlavors(pages)
	if err != nil {
		return nil, fmt.Errorf("list flavors: %w", err)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Name < all[j].Name })
	out := &tools.List{Columns: []tools.Column{
		{Name: "ID"}, {Name: "Name"}, {Name: "RAM"}, {Name: "Disk"}, {Name: "Ephemeral"},
		{Name: "VCPUs"}, {Name: "Is Public"},
		{Name: "Swap", Long: true}, {Name: "RXTX Factor", Long: true},
	}}
	names := make([]string, 0, len(all))
	for _, f := range all {
		out.Rows = append(out.Rows, []any{f.ID, f.Name, f.RAM, f.Disk, f.Ephemeral, f.VCPUs, f.IsPublic, f.Swap, f.RxTxFactor})
		names = append(names, f.Name)
	}
	env.Names.Replace("flavor", names...)
	return &tools.Result{List: out}, nil
}

// Resolve finds one flavor by ID or exact name, in one call for the usual
// cases: something shaped like a flavor ID (a UUID or a number) is fetched
// by ID, anything else is found in the list (which also holds IDs).
func Resolve(ctx context.Context, env *tools.Env, nameOrID string) (*flavors.Flavor, error) {
	client, err := env.Clients.ServiceClient(ctx, "compute")
	if err != nil {
		return nil, err
	}
	if idLike(nameOrID) {
		if f, err := flavors.Get(ctx, client, nameOrID).Extract(); err == nil {
			return f, nil
		}
	}
	pages, err := flavors.ListDetail(client, flavors.ListOpts{AccessType: flavors.AllAccess}).AllPages(ctx)
	if err != nil {
		return nil, fmt.Errorf("find flavor %s: %w", nameOrID, err)
	}
	all, err := flavors.ExtractFlavors(pages)
	if err != nil {
		return nil, fmt.Errorf("find flavor %s: %w", nameOrID, err)
	}
	cands := make([]tools.Candidate, 0, len(all))
	for _, f := range all {
		cands = append(cands, tools.Candidate{ID: f.ID, Name: f.Name})
	}
	c, err := tools.Pick("flavor", nameOrID, cands)
	if err != nil {
		return nil, err
	}
	for i := range all {
		if all[i].ID == c.ID {
			return &all[i], nil
		}
	}
	return nil, &tools.NotFoundError{Kind: "flavor", Name: nameOrID}
}

func show(ctx context.Context, env *tools.Env, args ShowArgs) (*tools.Result, error) {
	f, err := Resolve(ctx, env, args.Flavor)
	if err != nil {
		return nil, err
	}
	env.Names.Remember("flavor", f.Name)
	return &tools.Result{Record: &tools.Record{Fields: []tools.Field{
		{Name: "id", Value: f.ID},
		{Name: "name", Value: f.Name},
		{Name: "ram", Value: f.RAM},
		{Name: "disk", Value: f.Disk},
		{Name: "OS-FLV-EXT-DATA:ephemeral", Value: f.Ephemeral},
		{Name: "vcpus", Value: f.VCPUs},
		{Name: "swap", Value: f.Swap},
		{Name: "rxtx_factor", Value: f.RxTxFactor},
		{Name: "os-flavor-access:is_public", Value: f.IsPublic},
		{Name: "description", Value: f.Description},
		{Name: "properties", Value: f.ExtraSpecs},
	}}}, nil
}
