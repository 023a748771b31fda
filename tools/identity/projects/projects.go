// Package projects holds the identity tools that say where the session
// can go: the projects the user can scope to (GET /v3/auth/projects,
// which needs no admin role) and the regions of the catalog. The
// all-clouds overview and global search enumerate their targets with
// them. The user's application credentials are tools/identity/appcreds.
package projects

import (
	"context"
	"fmt"
	"sort"

	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/projects"

	"github.com/kriscelmer/os-tui/tools"
)

// Tools returns project.list and region.list.
func Tools() []tools.Tool {
	return []tools.Tool{
		tools.ReadTool("project.list", "identity", list),
		tools.ReadTool("region.list", "identity", regions),
	}
}

// ListArgs are the (no) arguments of project.list.
type ListArgs struct{}

func list(ctx context.Context, env *tools.Env, _ ListArgs) (*tools.Result, error) {
	c, err := env.Clients.ServiceClient(ctx, "identity")
	if err != nil {
		return nil, fmt.Errorf("identity service: %w", err)
	}
	pages, err := projects.ListAvailable(c).AllPages(ctx)
	if err != nil {
		return nil, fmt.Errorf("list the projects you can use: %w", err)
	}
	all, err := projects.ExtractProjects(pages)
	if err != nil {
		return nil, fmt.Errorf("list the projects you can use: %w", err)
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].Name != all[j].Name {
			return all[i].Name < all[j].Name
		}
		return all[i].ID < all[j].ID
	})
	out := &tools.List{Columns: []tools.Column{
		{Name: "ID"}, {Name: "Name"}, {Name: "Domain ID", Long: true}, {Name: "Enabled", Long: true}, {Name: "Description", Long: true},
	}}
	for _, p := range all {
		out.Rows = append(out.Rows, []any{p.ID, p.Name, p.DomainID, p.Enabled, p.Description})
	}
	return &tools.Result{List: out}, nil
}

// RegionArgs are the (no) arguments of region.list.
type RegionArgs struct{}

func regions(ctx context.Context, env *tools.Env, _ RegionArgs) (*tools.Result, error) {
	caps, err := env.Clients.Capabilities(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the service catalog: %w", err)
	}
	out := &tools.List{Columns: []tools.Column{{Name: "Region"}, {Name: "Current"}}}
	names := caps.Regions
	if len(names) == 0 && caps.Region != "" {
		names = []string{caps.Region}
	}
	for _, r := range names {
		out.Rows = append(out.Rows, []any{r, r == caps.Region})
	}
	return &tools.Result{List: out}, nil
}
