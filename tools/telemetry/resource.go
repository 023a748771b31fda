package telemetry

import (
	"context"
	"errors"
	"fmt"
	"regexp"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/servers"

	"github.com/kriscelmer/os-tui/tools"
)

// Resource is what a metric belongs to: usually a server.
type Resource struct {
	ID string
	// Label names it in sentences: "server web-1", or the ID when it is
	// not a server.
	Label string
	// Name is the server's name ("" when not a server).
	Name string
}

// ResolveResource turns what a person typed into a resource ID: a
// server's name or ID through Nova, or any other ID as it is (a Gnocchi
// resource of another type: a volume, a network port, a generic one).
func ResolveResource(ctx context.Context, env *tools.Env, nameOrID string) (Resource, error) {
	caps, err := env.Clients.Capabilities(ctx)
	if err != nil {
		return Resource{}, err
	}
	if !caps.Has("compute") {
		return Resource{ID: nameOrID, Label: nameOrID}, nil
	}
	c, err := env.Clients.ServiceClient(ctx, "compute")
	if err != nil {
		return Resource{}, fmt.Errorf("compute service: %w", err)
	}
	if tools.IsUUID(nameOrID) {
		s, err := servers.Get(ctx, c, nameOrID).Extract()
		switch {
		case err == nil:
			env.Names.Remember("server", s.Name)
			return Resource{ID: s.ID, Name: s.Name, Label: "server " + s.Name}, nil
		case gophercloud.ResponseCodeIs(err, 404):
			// Not a server: a resource of another kind, taken as it is.
			return Resource{ID: nameOrID, Label: "resource " + nameOrID}, nil
		default:
			return Resource{}, fmt.Errorf("look up server %s: %w", nameOrID, err)
		}
	}
	pages, err := servers.ListSimple(c, servers.ListOpts{Name: "^" + regexp.QuoteMeta(nameOrID) + "$"}).AllPages(ctx)
	if err != nil {
		return Resource{}, fmt.Errorf("look up server %s: %w", nameOrID, err)
	}
	all, err := servers.ExtractServers(pages)
	if err != nil {
		return Resource{}, fmt.Errorf("look up server %s: %w", nameOrID, err)
	}
	cands := make([]tools.Candidate, len(all))
	for i, s := range all {
		cands[i] = tools.Candidate{ID: s.ID, Name: s.Name}
	}
	picked, err := tools.Pick("server", nameOrID, cands)
	var nf *tools.NotFoundError
	if errors.As(err, &nf) {
		return Resource{}, fmt.Errorf("no server named %q; give a server's name or ID, or the ID of another resource the metrics service knows", nameOrID)
	}
	if err != nil {
		return Resource{}, err
	}
	env.Names.Remember("server", picked.Name)
	return Resource{ID: picked.ID, Name: picked.Name, Label: "server " + picked.Name}, nil
}
