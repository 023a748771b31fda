package snapshots

import (
	"context"
	"fmt"

	"github.com/gophercloud/gophercloud/v2/openstack/blockstorage/v3/snapshots"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/blockstorage"
	"github.com/kriscelmer/os-tui/tools/blockstorage/volumes"
	"github.com/kriscelmer/os-tui/tools/network"
)

// Kind is what findings and targets call a snapshot.
const Kind = "volume snapshot"

// CreateArgs are the arguments of volume.snapshot.create.
type CreateArgs struct {
	Name        string            `json:"name"`
	Volume      string            `json:"volume"`
	Force       bool              `json:"force,omitempty"`
	Description string            `json:"description,omitempty"`
	Properties  map[string]string `json:"properties,omitempty"`
}

// DeleteArgs are the arguments of volume.snapshot.delete.
type DeleteArgs struct {
	Snapshot string `json:"snapshot"`
}

// ShowArgs are the arguments of volume.snapshot.show.
type ShowArgs struct {
	Snapshot string `json:"snapshot"`
}

func createTool() tools.Tool {
	return tools.ChangeTool(tools.ChangeSpec[CreateArgs]{
		Name:     "volume.snapshot.create",
		Effect:   tools.Change,
		Service:  blockstorage.Service,
		Produces: []string{"id", "name"},
		Subject:  func(a CreateArgs) (string, string) { return volumes.Kind, a.Volume },
		Check:    checkCreate,
		Preview:  previewCreate,
		Run:      runCreate,
		Undo: func(args CreateArgs, res *tools.Result) *tools.Call {
			id := tools.CreatedID(res, args.Name)
			return &tools.Call{Tool: "volume.snapshot.delete", Args: tools.JSON(DeleteArgs{Snapshot: id}), Why: "undo taking the snapshot"}
		},
	})
}

func deleteTool() tools.Tool {
	return tools.ChangeTool(tools.ChangeSpec[DeleteArgs]{
		Name:     "volume.snapshot.delete",
		Effect:   tools.Destroy,
		Service:  blockstorage.Service,
		Produces: []string{"id", "name"},
		Subject:  func(a DeleteArgs) (string, string) { return Kind, a.Snapshot },
		Check:    checkDelete,
		Preview:  previewDelete,
		Run:      runDelete,
	})
}

func checkCreate(ctx context.Context, env *tools.Env, args CreateArgs) (*tools.Check, error) {
	v, err := volumes.Resolve(ctx, env, args.Volume)
	if err != nil {
		return nil, err
	}
	resolved := args
	resolved.Volume = v.ID
	chk := &tools.Check{Targets: []tools.Target{v.Target(), {Kind: Kind, Name: args.Name}}, State: v.State(), Resolved: tools.JSON(resolved)}
	add := func(l tools.Level, format string, a ...any) {
		chk.Findings = append(chk.Findings, tools.Finding{Level: l, Text: fmt.Sprintf(format, a...)})
	}
	switch {
	case v.Status == "available":
		add(tools.Info, "%s", v.Describe())
	case v.Status == "in-use" && args.Force:
		add(tools.Warn, "volume %s is attached to %s; a snapshot of a disk in use holds what was on it mid-write, which may be inconsistent (flush or stop its writers first)", v.Label(), v.AttachedTo(ctx, env))
	case v.Status == "in-use":
		add(tools.Block, "volume %s is in use, attached to %s; a snapshot of a disk in use may be inconsistent: give --force to take it anyway, or detach it first", v.Label(), v.AttachedTo(ctx, env))
	default:
		f := v.Allows(ctx, env, volumes.Rule{Verb: "snapshotted", From: []string{"available", "in-use (with --force)"}})
		chk.Findings = append(chk.Findings, f)
	}
	c, err := blockstorage.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	if same, err := network.ListAll[Snapshot](ctx, snapshots.ListDetail(c, snapshots.ListOpts{Name: args.Name}), "snapshots"); err != nil {
		return nil, fmt.Errorf("list snapshots named %s: %w", args.Name, err)
	} else if len(same) > 0 {
		add(tools.Warn, "a snapshot named %s already exists (%s); the name will no longer find one snapshot", args.Name, same[0].ID)
	}
	if err := volumes.Preflight(ctx, env, chk, volumes.Need{Snapshots: 1, Gigabytes: v.Size, Type: v.VolumeType}); err != nil {
		return nil, err
	}
	return chk, nil
}

func createOpts(args CreateArgs) snapshots.CreateOpts {
	return snapshots.CreateOpts{VolumeID: args.Volume, Name: args.Name, Description: args.Description, Force: args.Force, Metadata: args.Properties}
}

func previewCreate(ctx context.Context, env *tools.Env, args CreateArgs, _ *tools.Check) (*tools.Preview, error) {
	c, err := blockstorage.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	body, err := createOpts(args).ToSnapshotCreateMap()
	if err != nil {
		return nil, err
	}
	return &tools.Preview{
		Requests: []tools.Request{{Method: "POST", URL: c.ServiceURL("snapshots"), Body: body}},
		Creates:  []string{fmt.Sprintf("volume snapshot %s of volume %s", args.Name, args.Volume)},
	}, nil
}

func runCreate(ctx context.Context, env *tools.Env, args CreateArgs) (*tools.Result, error) {
	c, err := blockstorage.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	r := snapshots.Create(ctx, c, createOpts(args))
	s, err := r.Extract()
	if err != nil {
		return nil, fmt.Errorf("create snapshot %s of volume %s: %w", args.Name, args.Volume, err)
	}
	env.Names.Remember("volume.snapshot", s.Name)
	return &tools.Result{
		Message:    fmt.Sprintf("volume snapshot %s (%s) creating", s.Name, s.ID),
		Outputs:    map[string]string{"id": s.ID, "name": s.Name},
		RequestIDs: tools.HeaderRequestIDs(r.Header),
		Await:      blockstorage.Await("snapshot", s.ID, s.Name, []string{"available"}, []string{"error"}),
	}, nil
}

// deleted is what the delete preflight read.
type deleted struct {
	snapshot *Snapshot
}

func checkDelete(ctx context.Context, env *tools.Env, args DeleteArgs) (*tools.Check, error) {
	s, err := volumes.FindSnapshot(ctx, env, args.Snapshot)
	if err != nil {
		return nil, err
	}
	chk := &tools.Check{Targets: []tools.Target{s.Target()}, State: "snapshot status=" + s.Status, Fetched: &deleted{snapshot: s},
		Resolved: tools.JSON(DeleteArgs{Snapshot: s.ID})}
	switch s.Status {
	case "available", "error":
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Info, Text: fmt.Sprintf("snapshot %s of volume %s is %s (%d GiB)", s.Label(), volumeName(ctx, env, s.VolumeID, false), s.Status, s.Size)})
	default:
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block, Text: fmt.Sprintf("snapshot %s is %s; it can be deleted only when it is available or in error: wait for it to settle (/volume snapshot show %s)", s.Label(), s.Status, s.Label())})
	}
	return chk, nil
}

func previewDelete(ctx context.Context, env *tools.Env, args DeleteArgs, chk *tools.Check) (*tools.Preview, error) {
	c, err := blockstorage.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	dep := tools.Dependent{Kind: Kind, ID: args.Snapshot, Name: args.Snapshot, Fate: "deleted; its volume and volumes made from it are kept"}
	if d, ok := tools.FetchedAs[*deleted](chk); ok {
		dep.Name = d.snapshot.Name
	}
	return &tools.Preview{
		Requests: []tools.Request{{Method: "DELETE", URL: c.ServiceURL("snapshots", args.Snapshot)}},
		Deletes:  []tools.Dependent{dep},
	}, nil
}

func runDelete(ctx context.Context, env *tools.Env, args DeleteArgs) (*tools.Result, error) {
	s, err := volumes.FindSnapshot(ctx, env, args.Snapshot)
	if err != nil {
		return nil, err
	}
	c, err := blockstorage.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	r := snapshots.Delete(ctx, c, s.ID)
	if r.Err != nil {
		return nil, fmt.Errorf("delete volume snapshot %s: %w", s.Label(), r.Err)
	}
	return &tools.Result{
		Message:    fmt.Sprintf("volume snapshot %s deleting", s.Label()),
		Outputs:    map[string]string{"id": s.ID, "name": s.Name},
		RequestIDs: tools.HeaderRequestIDs(r.Header),
		Await:      blockstorage.AwaitGone("snapshot", s.ID, s.Name),
	}, nil
}

func show(ctx context.Context, env *tools.Env, args ShowArgs) (*tools.Result, error) {
	s, err := volumes.FindSnapshot(ctx, env, args.Snapshot)
	if err != nil {
		return nil, err
	}
	env.Names.Remember("volume.snapshot", s.Name)
	props := s.Metadata
	if props == nil {
		props = map[string]string{}
	}
	return &tools.Result{Record: &tools.Record{Fields: []tools.Field{
		{Name: "created_at", Value: s.CreatedAt, Kind: tools.Time},
		{Name: "description", Value: s.Description},
		{Name: "id", Value: s.ID},
		{Name: "name", Value: s.Name},
		{Name: "os-extended-snapshot-attributes:progress", Value: s.Progress},
		{Name: "os-extended-snapshot-attributes:project_id", Value: s.ProjectID},
		{Name: "properties", Value: props},
		{Name: "size", Value: s.Size},
		{Name: "status", Value: s.Status, Kind: tools.Status},
		{Name: "updated_at", Value: s.UpdatedAt, Kind: tools.Time},
		{Name: "volume_id", Value: s.VolumeID},
	}}}, nil
}
