// Package projects holds the identity tools that say where the session
// can go: the projects the user can scope to (GET /v3/auth/projects,
// which needs no admin role), the regions of the catalog, and the user's
// application credentials with their expiry. The all-clouds overview and
// global search enumerate their targets with them.
package projects

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/applicationcredentials"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/projects"

	"github.com/kriscelmer/os-tui/tools"
)

// Tools returns project.list, region.list and application-credential.list.
func Tools() []tools.Tool {
	return []tools.Tool{
		tools.ReadTool("project.list", "identity", list),
		tools.ReadTool("region.list", "identity", regions),
		tools.ReadTool("application-credential.list", "identity", appCredentials),
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

// AppCredentialArgs are the (no) arguments of application-credential.list.
type AppCredentialArgs struct{}

func appCredentials(ctx context.Context, env *tools.Env, _ AppCredentialArgs) (*tools.Result, error) {
	c, err := env.Clients.ServiceClient(ctx, "identity")
	if err != nil {
		return nil, fmt.Errorf("identity service: %w", err)
	}
	id, err := tools.CurrentIdentity(ctx, env)
	if err != nil {
		return nil, err
	}
	pages, err := applicationcredentials.List(c, id.UserID, nil).AllPages(ctx)
	if err != nil {
		return nil, fmt.Errorf("list your application credentials: %w", err)
	}
	all, err := applicationcredentials.ExtractApplicationCredentials(pages)
	if err != nil {
		return nil, fmt.Errorf("list your application credentials: %w", err)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Name+all[i].ID < all[j].Name+all[j].ID })
	out := &tools.List{Columns: []tools.Column{
		{Name: "ID"}, {Name: "Name"}, {Name: "Project ID"}, {Name: "Expires At", Kind: tools.Time}, {Name: "Unrestricted", Long: true}, {Name: "Description", Long: true},
	}}
	for _, a := range all {
		var exp any
		if !a.ExpiresAt.IsZero() {
			exp = a.ExpiresAt.UTC().Format(time.RFC3339)
		}
		out.Rows = append(out.Rows, []any{a.ID, a.Name, a.ProjectID, exp, a.Unrestricted, a.Description})
	}
	return &tools.Result{List: out}, nil
}
