// Package volumes holds the volume tools: list and show, and the changes
// to one volume (create, extend, retype, set, unset, delete, revert to a
// snapshot, upload to an image). The state rules they share are in
// volume.go; the kernel below (tools/blockstorage) holds what the
// snapshot and backup tools share with them.
package volumes

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/gophercloud/gophercloud/v2/openstack/blockstorage/v3/volumes"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/blockstorage"
	"github.com/kriscelmer/os-tui/tools/network"
)

// Tools returns the volume tools.
func Tools() []tools.Tool {
	return append([]tools.Tool{
		tools.ReadTool("volume.list", blockstorage.Service, list),
		tools.ReadTool("volume.show", blockstorage.Service, show),
		createTool(), extendTool(), retypeTool(), setTool(), unsetTool(),
		deleteTool(), revertTool(), uploadTool(),
	}, attachTools()...)
}

// Attachment is one attachment of a volume to a server.
type Attachment struct {
	ID         string `json:"attachment_id"`
	ServerID   string `json:"server_id"`
	Device     string `json:"device"`
	HostName   string `json:"host_name"`
	AttachedAt string `json:"attached_at"`
}

// Volume is a cinder volume.
type Volume struct {
	ID                  string            `json:"id"`
	Name                string            `json:"name"`
	Description         string            `json:"description"`
	Status              string            `json:"status"`
	Size                int               `json:"size"`
	VolumeType          string            `json:"volume_type"`
	Bootable            string            `json:"bootable"`
	Attachments         []Attachment      `json:"attachments"`
	Metadata            map[string]string `json:"metadata"`
	AvailabilityZone    string            `json:"availability_zone"`
	ProjectID           string            `json:"os-vol-tenant-attr:tenant_id"`
	Host                *string           `json:"os-vol-host-attr:host"`
	UserID              string            `json:"user_id"`
	SnapshotID          *string           `json:"snapshot_id"`
	SourceVolID         *string           `json:"source_volid"`
	Encrypted           bool              `json:"encrypted"`
	Multiattach         bool              `json:"multiattach"`
	ReplicationStatus   *string           `json:"replication_status"`
	ConsistencyGroupID  *string           `json:"consistencygroup_id"`
	VolumeImageMetadata map[string]string `json:"volume_image_metadata"`
	CreatedAt           string            `json:"created_at"`
	UpdatedAt           string            `json:"updated_at"`
}

// ListArgs are the arguments of volume.list.
type ListArgs struct {
	Name        string `json:"name,omitempty"`
	Status      string `json:"status,omitempty"`
	AllProjects bool   `json:"all_projects,omitempty"`
}

// ShowArgs are the arguments of volume.show.
type ShowArgs struct {
	Volume string `json:"volume,omitempty"`
}

// attachedTo renders attachments as the openstack CLI does: "Attached to
// web-1 on /dev/vdb", with server names from the session's lookup cache.
func attachedTo(ctx context.Context, env *tools.Env, v *Volume, allProjects bool) []string {
	out := make([]string, 0, len(v.Attachments))
	for _, a := range v.Attachments {
		out = append(out, fmt.Sprintf("Attached to %s on %s", blockstorage.ServerName(ctx, env, a.ServerID, allProjects), a.Device))
	}
	return out
}

func properties(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// All lists volumes matching opts.
func All(ctx context.Context, env *tools.Env, opts volumes.ListOpts) ([]Volume, error) {
	client, err := blockstorage.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	all, err := network.ListAll[Volume](ctx, volumes.List(client, opts), "volumes")
	if err != nil {
		return nil, fmt.Errorf("list volumes: %w", err)
	}
	return all, nil
}

func list(ctx context.Context, env *tools.Env, args ListArgs) (*tools.Result, error) {
	all, err := All(ctx, env, volumes.ListOpts{Name: args.Name, Status: args.Status, AllTenants: args.AllProjects})
	if err != nil {
		return nil, err
	}
	// This sort needs every row, so volume.list does not stream to a page
	// sink (tools.PageSinkOf): the export gets its rows when the list is
	// complete. Asking the cloud for the order instead would not give the
	// same rows: Cinder's sort_key=name would order by the database's
	// collation, not byte order, and break ties differently.
	sort.SliceStable(all, func(i, j int) bool { return all[i].Name < all[j].Name })
	out := &tools.List{Columns: []tools.Column{
		{Name: "ID"}, {Name: "Name"}, {Name: "Status", Kind: tools.Status}, {Name: "Size"},
		{Name: "Type", Long: true},
		{Name: "Bootable", Long: true},
		{Name: "Attached to"},
		{Name: "Properties", Long: true},
	}}
	if args.AllProjects {
		out.Columns = append(out.Columns, tools.Column{Name: "Project", Long: true})
	}
	for i := range all {
		v := &all[i]
		row := []any{
			v.ID, v.Name, v.Status, v.Size, v.VolumeType, v.Bootable,
			strings.Join(attachedTo(ctx, env, v, args.AllProjects), "; "), properties(v.Metadata),
		}
		if args.AllProjects {
			row = append(row, v.ProjectID)
		}
		out.Rows = append(out.Rows, row)
	}
	names := network.Names(all, func(v Volume) string { return v.Name })
	env.Names.Listed("volume", args == (ListArgs{}), names...)
	return &tools.Result{List: out}, nil
}

// Resolve finds one volume by ID or exact name.
func Resolve(ctx context.Context, env *tools.Env, nameOrID string) (*Volume, error) {
	client, err := blockstorage.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	return network.Finder[Volume]{
		Kind: "volume",
		Get: func(ctx context.Context, id string) (*Volume, error) {
			return network.GetOne[Volume](volumes.Get(ctx, client, id).Result, "volume")
		},
		ByName: func(ctx context.Context, name string) ([]Volume, error) {
			return network.ListAll[Volume](ctx, volumes.List(client, volumes.ListOpts{Name: name}), "volumes")
		},
		Candidate: func(v Volume) tools.Candidate { return tools.Candidate{ID: v.ID, Name: v.Name} },
	}.Find(ctx, nameOrID)
}

func show(ctx context.Context, env *tools.Env, args ShowArgs) (*tools.Result, error) {
	v, err := Resolve(ctx, env, args.Volume)
	if err != nil {
		return nil, err
	}
	env.Names.Remember("volume", v.Name)
	return &tools.Result{Record: &tools.Record{Fields: []tools.Field{
		{Name: "attachments", Value: attachedTo(ctx, env, v, false)},
		{Name: "availability_zone", Value: v.AvailabilityZone},
		{Name: "bootable", Value: v.Bootable},
		{Name: "consistencygroup_id", Value: network.Opt(v.ConsistencyGroupID)},
		{Name: "created_at", Value: v.CreatedAt, Kind: tools.Time},
		{Name: "description", Value: v.Description},
		{Name: "encrypted", Value: v.Encrypted},
		{Name: "id", Value: v.ID},
		{Name: "multiattach", Value: v.Multiattach},
		{Name: "name", Value: v.Name},
		{Name: "os-vol-host-attr:host", Value: network.Opt(v.Host)},
		{Name: "os-vol-tenant-attr:tenant_id", Value: v.ProjectID},
		{Name: "properties", Value: properties(v.Metadata)},
		{Name: "replication_status", Value: network.Opt(v.ReplicationStatus)},
		{Name: "size", Value: v.Size},
		{Name: "snapshot_id", Value: network.Opt(v.SnapshotID)},
		{Name: "source_volid", Value: network.Opt(v.SourceVolID)},
		{Name: "status", Value: v.Status, Kind: tools.Status},
		{Name: "type", Value: v.VolumeType},
		{Name: "updated_at", Value: v.UpdatedAt, Kind: tools.Time},
		{Name: "user_id", Value: v.UserID},
		{Name: "volume_image_metadata", Value: properties(v.VolumeImageMetadata)},
	}}}, nil
}
