package backups

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/gophercloud/gophercloud/v2/openstack/blockstorage/v3/backups"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/blockstorage"
	"github.com/kriscelmer/os-tui/tools/blockstorage/volumes"
)

// CreateArgs are the arguments of volume.backup.create.
type CreateArgs struct {
	Volume      string `json:"volume"`
	Name        string `json:"name,omitempty"`
	Description string `json:"description,omitempty"`
	Incremental bool   `json:"incremental,omitempty"`
	Force       bool   `json:"force,omitempty"`
	Snapshot    string `json:"snapshot,omitempty"`
}

// RestoreArgs are the arguments of volume.backup.restore: into an
// existing volume (Volume, which it overwrites: Force) or a new one
// (Name; a Volume that names no volume is the new one's name, as the
// openstack CLI takes it).
type RestoreArgs struct {
	Backup string `json:"backup"`
	Volume string `json:"volume,omitempty"`
	Name   string `json:"name,omitempty"`
	Force  bool   `json:"force,omitempty"`
}

// DeleteArgs are the arguments of volume.backup.delete.
type DeleteArgs struct {
	Backup string `json:"backup"`
}

// volumeDeleteArgs are volume.delete's arguments, for the undo of a
// restore into a new volume.
type volumeDeleteArgs struct {
	Volume string `json:"volume"`
}

func createTool() tools.Tool {
	return tools.ChangeTool(tools.ChangeSpec[CreateArgs]{
		Name:     "volume.backup.create",
		Effect:   tools.Change,
		Service:  blockstorage.Service,
		Produces: []string{"id", "name"},
		Subject:  func(a CreateArgs) (string, string) { return volumes.Kind, a.Volume },
		Check:    checkCreate,
		Preview:  previewCreate,
		Run:      runCreate,
		Undo: func(args CreateArgs, res *tools.Result) *tools.Call {
			id := tools.CreatedID(res, args.Name)
			return &tools.Call{Tool: "volume.backup.delete", Args: tools.JSON(DeleteArgs{Backup: id}), Why: "undo the backup"}
		},
	})
}

func restoreTool() tools.Tool {
	return tools.ChangeTool(tools.ChangeSpec[RestoreArgs]{
		Name:     "volume.backup.restore",
		Effect:   tools.Change,
		Service:  blockstorage.Service,
		Produces: []string{"id", "name", "backup"},
		Subject:  func(a RestoreArgs) (string, string) { return Kind, a.Backup },
		Check:    checkRestore,
		Preview:  previewRestore,
		Run:      runRestore,
		Undo: func(args RestoreArgs, res *tools.Result) *tools.Call {
			if res == nil || res.Outputs["id"] == "" {
				if args.Volume != "" && args.Name == "" {
					return nil // into an existing volume: what it held is gone
				}
				return &tools.Call{Tool: "volume.delete", Args: tools.JSON(volumeDeleteArgs{Volume: args.Name}), Why: "undo the restore: delete the new volume"}
			}
			if res.Outputs["new_volume"] != "true" {
				return nil
			}
			return &tools.Call{Tool: "volume.delete", Args: tools.JSON(volumeDeleteArgs{Volume: res.Outputs["id"]}), Why: "undo the restore: delete the volume it made"}
		},
	})
}

func deleteTool() tools.Tool {
	return tools.ChangeTool(tools.ChangeSpec[DeleteArgs]{
		Name:     "volume.backup.delete",
		Effect:   tools.Destroy,
		Service:  blockstorage.Service,
		Produces: []string{"id", "name"},
		Subject:  func(a DeleteArgs) (string, string) { return Kind, a.Backup },
		Check:    checkDelete,
		Preview:  previewDelete,
		Run:      runDelete,
	})
}

func add(chk *tools.Check, l tools.Level, format string, a ...any) {
	chk.Findings = append(chk.Findings, tools.Finding{Level: l, Text: fmt.Sprintf(format, a...)})
}

func checkCreate(ctx context.Context, env *tools.Env, args CreateArgs) (*tools.Check, error) {
	v, err := volumes.Resolve(ctx, env, args.Volume)
	if err != nil {
		return nil, err
	}
	resolved := args
	resolved.Volume = v.ID
	chk := &tools.Check{Targets: []tools.Target{v.Target()}, State: v.State()}
	if args.Name != "" {
		chk.Targets = append(chk.Targets, tools.Target{Kind: Kind, Name: args.Name})
	}
	f, err := volumes.BackupFinding(ctx, env, "a backup")
	if err != nil {
		return nil, err
	}
	chk.Findings = append(chk.Findings, f)
	switch {
	case args.Snapshot != "":
		s, err := volumes.FindSnapshot(ctx, env, args.Snapshot)
		if err != nil {
			return nil, err
		}
		resolved.Snapshot = s.ID
		switch {
		case s.VolumeID != v.ID:
			add(chk, tools.Block, "snapshot %s is not of volume %s; back up the snapshot's own volume, or leave out --snapshot", s.Label(), v.Label())
		case s.Status != "available":
			add(chk, tools.Block, "snapshot %s is %s; only an available snapshot can be backed up", s.Label(), s.Status)
		default:
			add(chk, tools.Info, "the backup holds volume %s as it was at snapshot %s (%s)", v.Label(), s.Label(), s.CreatedAt)
		}
	case v.Status == "available":
		add(chk, tools.Info, "%s", v.Describe())
	case v.Status == "in-use" && args.Force:
		add(chk, tools.Warn, "volume %s is attached to %s; Cinder backs up a temporary snapshot of it, which holds what was on the disk mid-write", v.Label(), v.AttachedTo(ctx, env))
	case v.Status == "in-use":
		add(chk, tools.Block, "volume %s is in use, attached to %s; give --force to back it up anyway (from a temporary snapshot; what is mid-write may be inconsistent), or detach it first", v.Label(), v.AttachedTo(ctx, env))
	default:
		chk.Findings = append(chk.Findings, v.Allows(ctx, env, volumes.Rule{Verb: "backed up", From: []string{"available", "in-use (with --force)"}}))
	}
	if args.Incremental {
		full, err := volumes.Backups(ctx, env, volumes.BackupListOpts{VolumeID: v.ID, Status: "available"})
		if err != nil {
			return nil, err
		}
		if len(full) == 0 {
			add(chk, tools.Block, "volume %s has no available backup yet, and an incremental backup only adds the changes since one: leave out --incremental for a full backup first", v.Label())
		} else {
			add(chk, tools.Info, "incremental: only what changed since backup %s (%s) is stored; that backup must stay while this one does", full[0].Label(), full[0].CreatedAt)
		}
	}
	if args.Name != "" {
		if same, err := volumes.Backups(ctx, env, volumes.BackupListOpts{Name: args.Name}); err != nil {
			return nil, err
		} else if len(same) > 0 {
			add(chk, tools.Warn, "a backup named %s already exists (%s); the name will no longer find one backup", args.Name, same[0].ID)
		}
	}
	chk.Resolved = tools.JSON(resolved)
	if err := volumes.Preflight(ctx, env, chk, volumes.Need{Backups: 1, BackupGigabytes: v.Size}); err != nil {
		return nil, err
	}
	return chk, nil
}

func createOpts(args CreateArgs) backups.CreateOpts {
	return backups.CreateOpts{VolumeID: args.Volume, Name: args.Name, Description: args.Description,
		Incremental: args.Incremental, Force: args.Force, SnapshotID: args.Snapshot}
}

func previewCreate(ctx context.Context, env *tools.Env, args CreateArgs, _ *tools.Check) (*tools.Preview, error) {
	c, err := blockstorage.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	body, err := createOpts(args).ToBackupCreateMap()
	if err != nil {
		return nil, err
	}
	what := "full"
	if args.Incremental {
		what = "incremental"
	}
	name := args.Name
	if name == "" {
		name = "(unnamed)"
	}
	return &tools.Preview{
		Requests: []tools.Request{{Method: "POST", URL: c.ServiceURL("backups"), Body: body}},
		Creates:  []string{fmt.Sprintf("volume backup %s: a %s backup of volume %s", name, what, args.Volume)},
	}, nil
}

// backupFail are the statuses that end a wait on a backup in failure.
var backupFail = []string{"error"}

func runCreate(ctx context.Context, env *tools.Env, args CreateArgs) (*tools.Result, error) {
	c, err := blockstorage.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	r := backups.Create(ctx, c, createOpts(args))
	b, err := r.Extract()
	if err != nil {
		return nil, fmt.Errorf("back up volume %s: %w", args.Volume, err)
	}
	env.Names.Remember(names, b.Name)
	label := b.Name
	if label == "" {
		label = b.ID
	}
	return &tools.Result{
		Message:    fmt.Sprintf("volume backup %s (%s) creating", label, b.ID),
		Outputs:    map[string]string{"id": b.ID, "name": b.Name},
		RequestIDs: tools.HeaderRequestIDs(r.Header),
		Await:      blockstorage.Await("backup", b.ID, label, []string{"available"}, backupFail),
	}, nil
}

// restoreTarget is where a restore goes, as Check found it.
type restoreTarget struct {
	backup *Backup
	// existing is the volume restored into, nil for a new one.
	existing *volumes.Volume
}

func checkRestore(ctx context.Context, env *tools.Env, args RestoreArgs) (*tools.Check, error) {
	b, err := volumes.FindBackup(ctx, env, args.Backup)
	if err != nil {
		return nil, err
	}
	chk := &tools.Check{Targets: []tools.Target{b.Target()}, State: "backup status=" + b.Status}
	f, err := volumes.BackupFinding(ctx, env, "a restore")
	if err != nil {
		return nil, err
	}
	chk.Findings = append(chk.Findings, f)
	if b.Status != "available" {
		add(chk, tools.Block, "backup %s is %s; only an available backup can be restored", b.Label(), b.Status)
	}
	resolved := RestoreArgs{Backup: b.ID, Name: args.Name, Force: args.Force}
	target := &restoreTarget{backup: b}
	if args.Volume != "" {
		v, err := volumes.Resolve(ctx, env, args.Volume)
		var nf *tools.NotFoundError
		switch {
		case errors.As(err, &nf) && args.Name == "":
			// The openstack CLI's reading: a volume that does not exist
			// is the name of the new one.
			resolved.Name = args.Volume
		case err != nil:
			return nil, err
		default:
			target.existing = v
			resolved.Volume = v.ID
		}
	}
	chk.Fetched = target
	if v := target.existing; v != nil {
		chk.Targets = append(chk.Targets, v.Target())
		chk.State += " " + v.State()
		switch {
		case v.Status != "available":
			chk.Findings = append(chk.Findings, v.Allows(ctx, env, volumes.Rule{Verb: "restored into", From: []string{"available"}}))
		case v.Size < b.Size:
			add(chk, tools.Block, "volume %s is %d GiB, smaller than backup %s (%d GiB); restore into a new volume instead (--name NEW)", v.Label(), v.Size, b.Label(), b.Size)
		case !args.Force:
			add(chk, tools.Block, "restoring into volume %s overwrites everything on it; give --force to do that, or restore into a new volume (--name NEW)", v.Label())
		default:
			add(chk, tools.Warn, "everything on volume %s is overwritten with backup %s (%s)", v.Label(), b.Label(), b.DataTimestamp)
		}
	} else {
		name := resolved.Name
		if name == "" {
			add(chk, tools.Info, "Cinder names the new volume restore_backup_%s; give --name to choose", b.ID)
		} else {
			chk.Targets = append(chk.Targets, tools.Target{Kind: volumes.Kind, Name: name})
			add(chk, tools.Info, "backup %s (%d GiB, %s) is restored into a new volume %s", b.Label(), b.Size, b.DataTimestamp, name)
		}
		if err := volumes.Preflight(ctx, env, chk, volumes.Need{Volumes: 1, Gigabytes: b.Size, PerVolume: b.Size}); err != nil {
			return nil, err
		}
	}
	chk.Resolved = tools.JSON(resolved)
	return chk, nil
}

func restoreOpts(args RestoreArgs) backups.RestoreOpts {
	return backups.RestoreOpts{VolumeID: args.Volume, Name: args.Name}
}

func previewRestore(ctx context.Context, env *tools.Env, args RestoreArgs, chk *tools.Check) (*tools.Preview, error) {
	c, err := blockstorage.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	body, err := restoreOpts(args).ToRestoreMap()
	if err != nil {
		return nil, err
	}
	pv := &tools.Preview{Requests: []tools.Request{{Method: "POST", URL: c.ServiceURL("backups", args.Backup, "restore"), Body: body}}}
	size := "its size"
	if t, ok := tools.FetchedAs[*restoreTarget](chk); ok {
		size = fmt.Sprintf("%d GiB", t.backup.Size)
	}
	if args.Volume != "" {
		pv.Changes = []tools.FieldChange{{Field: "data of volume " + args.Volume, From: "as it is now", To: "as in backup " + args.Backup}}
	} else {
		name := args.Name
		if name == "" {
			name = "restore_backup_" + args.Backup
		}
		pv.Creates = []string{fmt.Sprintf("volume %s (%s) from backup %s", name, size, args.Backup)}
	}
	return pv, nil
}

func runRestore(ctx context.Context, env *tools.Env, args RestoreArgs) (*tools.Result, error) {
	c, err := blockstorage.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	r := backups.RestoreFromBackup(ctx, c, args.Backup, restoreOpts(args))
	got, err := r.Extract()
	if err != nil {
		return nil, fmt.Errorf("restore backup %s: %w", args.Backup, err)
	}
	env.Lookups.Forget(volumes.Kind)
	name := got.VolumeName
	if name == "" {
		name = got.VolumeID
	}
	env.Names.Remember(volumes.Kind, got.VolumeName)
	return &tools.Result{
		Message:    fmt.Sprintf("backup %s restoring into volume %s (%s)", args.Backup, name, got.VolumeID),
		Outputs:    map[string]string{"id": got.VolumeID, "name": got.VolumeName, "backup": args.Backup, "new_volume": fmt.Sprint(args.Volume == "")},
		RequestIDs: tools.HeaderRequestIDs(r.Header),
		Await:      blockstorage.Await("volume", got.VolumeID, name, []string{"available"}, []string{"error", "error_restoring"}),
	}, nil
}

// deletedBackup is what the delete preflight read.
type deletedBackup struct {
	backup *Backup
}

func checkDelete(ctx context.Context, env *tools.Env, args DeleteArgs) (*tools.Check, error) {
	b, err := volumes.FindBackup(ctx, env, args.Backup)
	if err != nil {
		return nil, err
	}
	chk := &tools.Check{Targets: []tools.Target{b.Target()}, State: fmt.Sprintf("backup status=%s dependents=%t", b.Status, b.HasDependents),
		Fetched: &deletedBackup{backup: b}, Resolved: tools.JSON(DeleteArgs{Backup: b.ID})}
	switch b.Status {
	case "available", "error":
		add(chk, tools.Info, "backup %s of volume %s is %s (%d GiB, %s)", b.Label(), volumeName(ctx, env, b.VolumeID), b.Status, b.Size, b.CreatedAt)
	default:
		add(chk, tools.Block, "backup %s is %s; it can be deleted only when it is available or in error: wait for it to settle (/volume backup show %s)", b.Label(), b.Status, b.Label())
	}
	if b.HasDependents {
		// Incremental backups build on this one: the later incrementals
		// of the same volume.
		var deps []string
		if all, err := volumes.Backups(ctx, env, volumes.BackupListOpts{VolumeID: b.VolumeID}); err == nil {
			for _, o := range all {
				if o.Incremental && o.CreatedAt > b.CreatedAt {
					deps = append(deps, o.Label())
				}
			}
		}
		which := ""
		if len(deps) > 0 {
			which = " (" + strings.Join(deps, ", ") + ")"
		}
		add(chk, tools.Block, "incremental backups build on backup %s%s, and Cinder keeps it while they exist; delete them first, newest first", b.Label(), which)
	}
	return chk, nil
}

func previewDelete(ctx context.Context, env *tools.Env, args DeleteArgs, chk *tools.Check) (*tools.Preview, error) {
	c, err := blockstorage.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	dep := tools.Dependent{Kind: Kind, ID: args.Backup, Name: args.Backup, Fate: "deleted; its data cannot be restored any more"}
	if d, ok := tools.FetchedAs[*deletedBackup](chk); ok {
		dep.Name = d.backup.Name
	}
	return &tools.Preview{
		Requests: []tools.Request{{Method: "DELETE", URL: c.ServiceURL("backups", args.Backup)}},
		Deletes:  []tools.Dependent{dep},
	}, nil
}

func runDelete(ctx context.Context, env *tools.Env, args DeleteArgs) (*tools.Result, error) {
	b, err := volumes.FindBackup(ctx, env, args.Backup)
	if err != nil {
		return nil, err
	}
	c, err := blockstorage.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	r := backups.Delete(ctx, c, b.ID)
	if r.Err != nil {
		return nil, fmt.Errorf("delete volume backup %s: %w", b.Label(), r.Err)
	}
	return &tools.Result{
		Message:    fmt.Sprintf("volume backup %s deleting", b.Label()),
		Outputs:    map[string]string{"id": b.ID, "name": b.Name},
		RequestIDs: tools.HeaderRequestIDs(r.Header),
		Await:      blockstorage.AwaitGone("backup", b.ID, b.Label()),
	}, nil
}
