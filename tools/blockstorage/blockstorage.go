// Package blockstorage holds what the volume tools share. The tools live
// in one package per resource below this one.
package blockstorage

import (
	"context"
	"fmt"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/servers"

	"github.com/kriscelmer/os-tui/tools"
)

// Service is the catalog type every volume tool needs.
const Service = "volumev3"

// Client returns the block storage service client.
func Client(ctx context.Context, env *tools.Env) (*gophercloud.ServiceClient, error) {
	c, err := env.Clients.ServiceClient(ctx, Service)
	if err != nil {
		return nil, fmt.Errorf("block storage service: %w", err)
	}
	return c, nil
}

// ServerName returns the name of a server for display, through the
// session's lookup cache: one server list answers every row. A name that
// cannot be found (no compute service, a server in another project, an
// error) falls back to the ID, because a list should not fail for want
// of a nicer label.
func ServerName(ctx context.Context, env *tools.Env, id string, allProjects bool) string {
	name, err := env.Lookups.Name(ctx, "server", id, func(ctx context.Context) (map[string]string, error) {
		client, err := env.Clients.ServiceClient(ctx, "compute")
		if err != nil {
			return nil, err
		}
		pages, err := servers.ListSimple(client, servers.ListOpts{AllTenants: allProjects}).AllPages(ctx)
		if err != nil {
			return nil, fmt.Errorf("list servers: %w", err)
		}
		all, err := servers.ExtractServers(pages)
		if err != nil {
			return nil, fmt.Errorf("list servers: %w", err)
		}
		m := make(map[string]string, len(all))
		for _, s := range all {
			m[s.ID] = s.Name
		}
		return m, nil
	})
	if err != nil || name == "" {
		return id
	}
	return name
}
