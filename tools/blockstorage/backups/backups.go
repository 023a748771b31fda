// Package backups holds the volume backup tools: list and show, create,
// restore and delete. Backups are part of the block storage API, but
// they are made by a separate service (cinder-backup) that a cloud may
// not run: the API then accepts a backup that ends in error. So every
// tool that needs the service asks the service list first (see
// volumes.BackupService) and says plainly when there is none.
package backups

import (
	"context"

	cindervolumes "github.com/gophercloud/gophercloud/v2/openstack/blockstorage/v3/volumes"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/blockstorage"
	"github.com/kriscelmer/os-tui/tools/blockstorage/volumes"
	"github.com/kriscelmer/os-tui/tools/network"
)

// Kind is what findings and targets call a backup.
const Kind = "volume backup"

// names is the completion kind of backups.
const names = "volume.backup"

// Backup is a cinder volume backup (the kernel's type).
type Backup = volumes.Backup

// Tools returns the volume backup tools.
func Tools() []tools.Tool {
	return []tools.Tool{
		tools.ReadTool("volume.backup.list", blockstorage.Service, list),
		tools.ReadTool("volume.backup.show", blockstorage.Service, show),
		createTool(), restoreTool(), deleteTool(),
	}
}

// ListArgs are the arguments of volume.backup.list.
type ListArgs struct {
	Volume      string `json:"volume,omitempty"`
	Status      string `json:"status,omitempty"`
	Name        string `json:"name,omitempty"`
	AllProjects bool   `json:"all_projects,omitempty"`
}

// ShowArgs are the arguments of volume.backup.show.
type ShowArgs struct {
	Backup string `json:"backup"`
}

func list(ctx context.Context, env *tools.Env, args ListArgs) (*tools.Result, error) {
	opts := volumes.BackupListOpts{Name: args.Name, Status: args.Status, AllProjects: args.AllProjects}
	if args.Volume != "" {
		v, err := volumes.Resolve(ctx, env, args.Volume)
		if err != nil {
			return nil, err
		}
		opts.VolumeID = v.ID
	}
	all, err := volumes.Backups(ctx, env, opts)
	if err != nil {
		return nil, err
	}
	out := &tools.List{Columns: []tools.Column{
		{Name: "ID"}, {Name: "Name"}, {Name: "Description"}, {Name: "Status", Kind: tools.Status}, {Name: "Size"},
		{Name: "Incremental"},
		{Name: "Availability Zone", Long: true},
		{Name: "Volume", Long: true},
		{Name: "Container", Long: true},
		{Name: "Created At", Long: true, Kind: tools.Time},
	}}
	for i := range all {
		b := &all[i]
		out.Rows = append(out.Rows, []any{
			b.ID, b.Name, b.Description, b.Status, b.Size, b.Incremental,
			network.Opt(b.AvailabilityZone), volumeName(ctx, env, b.VolumeID), network.Opt(b.Container), b.CreatedAt,
		})
	}
	env.Names.Listed(names, args == (ListArgs{}), network.Names(all, func(b Backup) string { return b.Name })...)
	res := &tools.Result{List: out}
	// An empty list on a cloud without a backup service is the question
	// people are really asking.
	if len(all) == 0 {
		if state, _, err := volumes.BackupService(ctx, env); err == nil && state == volumes.BackupMissing {
			res.Message = "this cloud runs no backup service (cinder-backup), so it makes no backups"
		}
	}
	return res, nil
}

// volumeName names a backup's volume, falling back to its ID: the volume
// may be gone, which is what backups are for.
func volumeName(ctx context.Context, env *tools.Env, id string) string {
	if id == "" {
		return ""
	}
	name, err := env.Lookups.Name(ctx, volumes.Kind, id, func(ctx context.Context) (map[string]string, error) {
		all, err := volumes.All(ctx, env, cindervolumes.ListOpts{})
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

func show(ctx context.Context, env *tools.Env, args ShowArgs) (*tools.Result, error) {
	b, err := volumes.FindBackup(ctx, env, args.Backup)
	if err != nil {
		return nil, err
	}
	env.Names.Remember(names, b.Name)
	return &tools.Result{Record: record(b)}, nil
}

// record is a backup as openstack volume backup show prints it.
func record(b *Backup) *tools.Record {
	return &tools.Record{Fields: []tools.Field{
		{Name: "availability_zone", Value: network.Opt(b.AvailabilityZone)},
		{Name: "container", Value: network.Opt(b.Container)},
		{Name: "created_at", Value: b.CreatedAt, Kind: tools.Time},
		{Name: "data_timestamp", Value: b.DataTimestamp, Kind: tools.Time},
		{Name: "description", Value: b.Description},
		{Name: "fail_reason", Value: network.Opt(b.FailReason)},
		{Name: "has_dependent_backups", Value: b.HasDependents},
		{Name: "id", Value: b.ID},
		{Name: "is_incremental", Value: b.Incremental},
		{Name: "name", Value: b.Name},
		{Name: "object_count", Value: b.ObjectCount},
		{Name: "size", Value: b.Size},
		{Name: "snapshot_id", Value: network.Opt(b.SnapshotID)},
		{Name: "status", Value: b.Status, Kind: tools.Status},
		{Name: "updated_at", Value: b.UpdatedAt, Kind: tools.Time},
		{Name: "volume_id", Value: b.VolumeID},
	}}
}
