// Package snapshots holds the volume snapshot tools: list and show,
// create and delete. Reverting a volume to a snapshot is a volume verb
// (tools/blockstorage/volumes).
package snapshots

import (
	"context"
	"fmt"
	"sort"

	"github.com/gophercloud/gophercloud/v2/openstack/blockstorage/v3/snapshots"
	cindervolumes "github.com/gophercloud/gophercloud/v2/openstack/blockstorage/v3/volumes"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/blockstorage"
	"github.com/kriscelmer/os-tui/tools/blockstorage/volumes"
	"github.com/kriscelmer/os-tui/tools/network"
)

// Tools returns the volume snapshot tools.
func Tools() []tools.Tool {
	return []tools.Tool{
		tools.ReadTool("volume.snapshot.list", blockstorage.Service, list),
		tools.ReadTool("volume.snapshot.show", blockstorage.Service, show),
		createTool(), deleteTool(),
	}
}

// Snapshot is a cinder volume snapshot; the type lives in the kernel,
// since the volume tools need it too.
type Snapshot = volumes.Snapshot

// ListArgs are the arguments of volume.snapshot.list.
type ListArgs struct {
	Volume      string `json:"volume,omitempty"`
	Status      string `json:"status,omitempty"`
	AllProjects bool   `json:"all_projects,omitempty"`
}

func list(ctx context.Context, env *tools.Env, args ListArgs) (*tools.Result, error) {
	opts := snapshots.ListOpts{Status: args.Status, AllTenants: args.AllProjects}
	if args.Volume != "" {
		v, err := volumes.Resolve(ctx, env, args.Volume)
		if err != nil {
			return nil, err
		}
		opts.VolumeID = v.ID
	}
	client, err := blockstorage.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	all, err := network.ListAll[Snapshot](ctx, snapshots.ListDetail(client, opts), "snapshots")
	if err != nil {
		return nil, fmt.Errorf("list volume snapshots: %w", err)
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].Name < all[j].Name })
	out := &tools.List{Columns: []tools.Column{
		{Name: "ID"}, {Name: "Name"}, {Name: "Description"}, {Name: "Status", Kind: tools.Status}, {Name: "Size"},
		{Name: "Created At", Long: true, Kind: tools.Time},
		{Name: "Volume", Long: true},
		{Name: "Properties", Long: true},
	}}
	for _, s := range all {
		props := s.Metadata
		if props == nil {
			props = map[string]string{}
		}
		out.Rows = append(out.Rows, []any{
			s.ID, s.Name, s.Description, s.Status, s.Size, s.CreatedAt,
			volumeName(ctx, env, s.VolumeID, args.AllProjects), props,
		})
	}
	names := network.Names(all, func(s Snapshot) string { return s.Name })
	env.Names.Listed("volume.snapshot", args == (ListArgs{}), names...)
	return &tools.Result{List: out}, nil
}

// volumeName names a snapshot's volume through the session's lookup
// cache (one volume list for every row), falling back to the ID: a list
// should not fail for want of a nicer label.
func volumeName(ctx context.Context, env *tools.Env, id string, allProjects bool) string {
	name, err := env.Lookups.Name(ctx, "volume", id, func(ctx context.Context) (map[string]string, error) {
		all, err := volumes.All(ctx, env, cindervolumes.ListOpts{AllTenants: allProjects})
		if err != nil {
			return nil, err
		}
		m := make(map[string]string, len(all))
		for _, v := range all {
			m[v.ID] = v.Name
		}
		return m, nil
	})
	if err != nil || name == "" {
		return id
	}
	return name
}
