package volumes

import (
	"context"
	"fmt"
	"strings"

	"github.com/gophercloud/gophercloud/v2"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/blockstorage"
)

// RevertArgs are the arguments of volume.revert: the snapshot names the
// volume; naming the volume too only makes sure it is the one meant.
type RevertArgs struct {
	Snapshot string `json:"snapshot"`
	Volume   string `json:"volume,omitempty"`
}

func revertTool() tools.Tool {
	return tools.ChangeTool(tools.ChangeSpec[RevertArgs]{
		Name:     "volume.revert",
		Effect:   tools.Destroy,
		Service:  blockstorage.Service,
		Produces: []string{"id", "name"},
		Subject:  func(a RevertArgs) (string, string) { return "volume snapshot", a.Snapshot },
		Check:    checkRevert,
		Preview:  previewRevert,
		Run:      runRevert,
	})
}

// reverted is what a revert preflight read.
type reverted struct {
	volume   *Volume
	snapshot *Snapshot
}

func checkRevert(ctx context.Context, env *tools.Env, args RevertArgs) (*tools.Check, error) {
	s, err := FindSnapshot(ctx, env, args.Snapshot)
	if err != nil {
		return nil, err
	}
	chk := &tools.Check{Targets: []tools.Target{s.Target()}}
	if f, err := blockstorage.Require(ctx, env, blockstorage.RevertMicroversion,
		"reverting a volume to a snapshot needs %s; make a new volume from the snapshot instead (/volume create NAME --snapshot "+strings.ReplaceAll(s.Label(), "%", "%%")+")"); err != nil {
		return nil, err
	} else if f != nil {
		chk.Findings = append(chk.Findings, *f)
		return chk, nil
	}
	v, err := Resolve(ctx, env, s.VolumeID)
	if err != nil {
		return nil, fmt.Errorf("find the volume of snapshot %s: %w", s.Label(), err)
	}
	chk.Targets = append(chk.Targets, v.Target())
	chk.Fetched = &reverted{volume: v, snapshot: s}
	chk.Resolved = tools.JSON(RevertArgs{Snapshot: s.ID, Volume: v.ID})
	chk.State = v.State() + " snapshot=" + s.Status
	if args.Volume != "" {
		named, err := Resolve(ctx, env, args.Volume)
		if err != nil {
			return nil, err
		}
		if named.ID != v.ID {
			blockf(chk, "snapshot %s is of volume %s, not of %s; a volume reverts only to its own snapshots", s.Label(), v.Label(), named.Label())
			return chk, nil
		}
	}
	f := v.Allows(ctx, env, Rule{Verb: "reverted", From: []string{"available"}})
	chk.Findings = append(chk.Findings, f)
	if s.Status != "available" {
		blockf(chk, "snapshot %s is %s; a volume reverts only to an available snapshot", s.Label(), s.Status)
	}
	snaps, err := SnapshotsOf(ctx, env, v.ID)
	if err != nil {
		return nil, err
	}
	if len(snaps) > 0 && snaps[0].ID != s.ID {
		blockf(chk, "Cinder reverts a volume only to its latest snapshot, and %s (%s) is newer than %s (%s); delete the newer snapshots first, or make a new volume from %s (/volume create NAME --snapshot %s)",
			snaps[0].Label(), snaps[0].CreatedAt, s.Label(), s.CreatedAt, s.Label(), s.Label())
	}
	if v.Size != s.Size {
		blockf(chk, "volume %s is %d GiB but snapshot %s was taken at %d GiB; Cinder reverts only a volume of its snapshot's size: make a new volume from the snapshot instead (/volume create NAME --snapshot %s)",
			v.Label(), v.Size, s.Label(), s.Size, s.Label())
	}
	if !chk.Blocked() {
		warnf(chk, "everything written to volume %s since snapshot %s (%s) is lost; the snapshot itself is kept", v.Label(), s.Label(), s.CreatedAt)
	}
	return chk, nil
}

func revertBody(snapshotID string) map[string]any {
	return map[string]any{"revert": map[string]any{"snapshot_id": snapshotID}}
}

func previewRevert(ctx context.Context, env *tools.Env, args RevertArgs, chk *tools.Check) (*tools.Preview, error) {
	c, err := blockstorage.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	volumeID, snapLabel, when := args.Volume, args.Snapshot, ""
	if r, ok := tools.FetchedAs[*reverted](chk); ok {
		volumeID, snapLabel, when = r.volume.ID, r.snapshot.Label(), " ("+r.snapshot.CreatedAt+")"
	}
	return &tools.Preview{
		Requests: []tools.Request{{Method: "POST", URL: c.ServiceURL("volumes", volumeID, "action"), Body: revertBody(args.Snapshot)}},
		Changes:  []tools.FieldChange{{Field: "data", From: "as it is now", To: "as at snapshot " + snapLabel + when}},
	}, nil
}

func runRevert(ctx context.Context, env *tools.Env, args RevertArgs) (*tools.Result, error) {
	s, err := FindSnapshot(ctx, env, args.Snapshot)
	if err != nil {
		return nil, err
	}
	c, err := blockstorage.ClientAt(ctx, env, blockstorage.RevertMicroversion)
	if err != nil {
		return nil, err
	}
	resp, err := c.Post(ctx, c.ServiceURL("volumes", s.VolumeID, "action"), revertBody(s.ID), nil, &gophercloud.RequestOpts{OkCodes: []int{202}}) //nolint:bodyclose // closed by gophercloud
	if err != nil {
		return nil, fmt.Errorf("revert volume %s to snapshot %s: %w", s.VolumeID, s.Label(), err)
	}
	name := s.VolumeID
	if v, err := Resolve(ctx, env, s.VolumeID); err == nil {
		name = v.Label()
	}
	return &tools.Result{
		Message:    fmt.Sprintf("volume %s reverting to snapshot %s", name, s.Label()),
		Outputs:    map[string]string{"id": s.VolumeID, "name": name},
		RequestIDs: tools.RequestIDs(resp, err),
		Await:      awaitVolume(s.VolumeID, name, "available"),
	}, nil
}
