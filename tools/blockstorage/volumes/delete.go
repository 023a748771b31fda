package volumes

import (
	"context"
	"fmt"
	"slices"
	"strings"

	cindervolumes "github.com/gophercloud/gophercloud/v2/openstack/blockstorage/v3/volumes"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/blockstorage"
)

func deleteTool() tools.Tool {
	return tools.ChangeTool(tools.ChangeSpec[DeleteArgs]{
		Name:     "volume.delete",
		Effect:   tools.Destroy,
		Service:  blockstorage.Service,
		Produces: []string{"id", "name"},
		Subject:  func(a DeleteArgs) (string, string) { return Kind, a.Volume },
		Check:    checkDelete,
		Preview:  previewDelete,
		Run:      runDelete,
	})
}

// deleteFrom are the statuses Cinder deletes a volume in (without
// --force, which is an administrator's).
var deleteFrom = []string{"available", "error", "error_restoring", "error_extending", "error_managing"}

// snapshotDeletable are the statuses a cascading delete takes a
// snapshot in.
var snapshotDeletable = []string{"available", "error"}

// deleted is what a volume.delete preflight found: the volume and, for a
// cascade, its snapshots.
type deleted struct {
	volume    *Volume
	snapshots []Snapshot
}

func checkDelete(ctx context.Context, env *tools.Env, args DeleteArgs) (*tools.Check, error) {
	v, err := Resolve(ctx, env, args.Volume)
	if err != nil {
		return nil, err
	}
	snaps, err := SnapshotsOf(ctx, env, v.ID)
	if err != nil {
		return nil, err
	}
	chk := &tools.Check{Targets: []tools.Target{v.Target()}, Fetched: &deleted{volume: v, snapshots: snaps},
		Resolved: tools.JSON(DeleteArgs{Volume: v.ID, Cascade: args.Cascade}),
		State:    fmt.Sprintf("%s snapshots=%d", v.State(), len(snaps))}
	switch {
	case v.Status == "in-use" || len(v.Attachments) > 0:
		blockf(chk, "volume %s is in use, attached to %s; detach it first (%s), then delete it", v.Label(), v.AttachedTo(ctx, env), v.DetachCommand(ctx, env))
	case !slices.Contains(deleteFrom, v.Status):
		f := v.Allows(ctx, env, Rule{Verb: "deleted", From: deleteFrom})
		chk.Findings = append(chk.Findings, f)
	default:
		infof(chk, "%s", v.Describe())
	}
	names := make([]string, 0, len(snaps))
	for _, s := range snaps {
		names = append(names, s.Label())
		if args.Cascade && !slices.Contains(snapshotDeletable, s.Status) {
			blockf(chk, "snapshot %s of volume %s is %s; a cascading delete takes snapshots only when they are available or in error: wait for it to settle", s.Label(), v.Label(), s.Status)
		}
	}
	switch {
	case len(snaps) > 0 && !args.Cascade:
		blockf(chk, "volume %s has %s (%s), and Cinder keeps a volume that has snapshots; delete them first (/volume snapshot delete) or give --cascade to delete them with it",
			v.Label(), plural(len(snaps), "snapshot", "snapshots"), strings.Join(names, ", "))
	case len(snaps) > 0:
		warnf(chk, "--cascade deletes %s of volume %s with it: %s", plural(len(snaps), "snapshot", "snapshots"), v.Label(), strings.Join(names, ", "))
	}
	// Backups outlive their volume; say so, since people often assume
	// they go with it.
	if bs, err := Backups(ctx, env, BackupListOpts{VolumeID: v.ID}); err == nil && len(bs) > 0 {
		infof(chk, "its %s kept; a backup restores into a new volume (/volume backup restore)", plural(len(bs), "backup is", "backups are"))
	}
	return chk, nil
}

func previewDelete(ctx context.Context, env *tools.Env, args DeleteArgs, chk *tools.Check) (*tools.Preview, error) {
	c, err := blockstorage.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	d, ok := tools.FetchedAs[*deleted](chk)
	if !ok || d.volume.ID != args.Volume {
		v, err := current(ctx, env, chk, args.Volume)
		if err != nil {
			return nil, err
		}
		d = &deleted{volume: v}
		if !tools.IsRef(v.ID) && args.Cascade {
			if d.snapshots, err = SnapshotsOf(ctx, env, v.ID); err != nil {
				return nil, err
			}
		}
	}
	url := c.ServiceURL("volumes", d.volume.ID)
	if args.Cascade {
		q, err := cindervolumes.DeleteOpts{Cascade: true}.ToVolumeDeleteQuery()
		if err != nil {
			return nil, err
		}
		url += q
	}
	pv := &tools.Preview{
		Requests: []tools.Request{{Method: "DELETE", URL: url}},
		Deletes:  []tools.Dependent{{Kind: Kind, ID: d.volume.ID, Name: d.volume.Name, Fate: fmt.Sprintf("deleted with its data (%d GiB)", d.volume.Size)}},
	}
	if args.Cascade {
		for _, s := range d.snapshots {
			pv.Deletes = append(pv.Deletes, tools.Dependent{Kind: "volume snapshot", ID: s.ID, Name: s.Name, Fate: "deleted with the volume (--cascade)"})
		}
	}
	return pv, nil
}

func runDelete(ctx context.Context, env *tools.Env, args DeleteArgs) (*tools.Result, error) {
	c, err := blockstorage.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	v, err := Resolve(ctx, env, args.Volume)
	if err != nil {
		return nil, err
	}
	r := cindervolumes.Delete(ctx, c, v.ID, cindervolumes.DeleteOpts{Cascade: args.Cascade})
	if r.Err != nil {
		return nil, fmt.Errorf("delete volume %s: %w", v.Label(), r.Err)
	}
	env.Lookups.Forget(Kind)
	return &tools.Result{
		Message:    fmt.Sprintf("volume %s deleting", v.Label()),
		Outputs:    map[string]string{"id": v.ID, "name": v.Name},
		RequestIDs: tools.HeaderRequestIDs(r.Header),
		Await:      blockstorage.AwaitGone("volume", v.ID, v.Name),
	}, nil
}
