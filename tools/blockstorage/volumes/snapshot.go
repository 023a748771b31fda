package volumes

import (
	"context"
	"fmt"
	"sort"

	"github.com/gophercloud/gophercloud/v2/openstack/blockstorage/v3/snapshots"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/blockstorage"
	"github.com/kriscelmer/os-tui/tools/network"
)

// Snapshot is a cinder volume snapshot. It lives in the kernel because
// the volume tools need it too (a volume made from a snapshot, a delete
// that cascades to them, a revert) and the snapshot tools build on the
// volume tools.
type Snapshot struct {
	ID          string            `json:"id"`
	Name        string            `json:"name"`
	Description string            `json:"description"`
	Status      string            `json:"status"`
	Size        int               `json:"size"`
	VolumeID    string            `json:"volume_id"`
	Metadata    map[string]string `json:"metadata"`
	CreatedAt   string            `json:"created_at"`
	UpdatedAt   string            `json:"updated_at"`
	Progress    string            `json:"os-extended-snapshot-attributes:progress"`
	ProjectID   string            `json:"os-extended-snapshot-attributes:project_id"`
}

// Label is how findings name a snapshot: its name, or its ID when it has
// none.
func (s *Snapshot) Label() string {
	if s.Name != "" {
		return s.Name
	}
	return s.ID
}

// Target is the snapshot as a step's target.
func (s *Snapshot) Target() tools.Target {
	return tools.Target{Kind: "volume snapshot", ID: s.ID, Name: s.Name}
}

// FindSnapshot finds one snapshot by ID or exact name.
func FindSnapshot(ctx context.Context, env *tools.Env, nameOrID string) (*Snapshot, error) {
	c, err := blockstorage.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	return network.Finder[Snapshot]{
		Kind: "volume snapshot",
		Get: func(ctx context.Context, id string) (*Snapshot, error) {
			return network.GetOne[Snapshot](snapshots.Get(ctx, c, id).Result, "snapshot")
		},
		ByName: func(ctx context.Context, name string) ([]Snapshot, error) {
			return network.ListAll[Snapshot](ctx, snapshots.ListDetail(c, snapshots.ListOpts{Name: name}), "snapshots")
		},
		Candidate: func(s Snapshot) tools.Candidate { return tools.Candidate{ID: s.ID, Name: s.Name} },
	}.Find(ctx, nameOrID)
}

// SnapshotsOf lists the snapshots of one volume, newest first: the order
// in which a revert and a cascading delete care about them.
func SnapshotsOf(ctx context.Context, env *tools.Env, volumeID string) ([]Snapshot, error) {
	c, err := blockstorage.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	all, err := network.ListAll[Snapshot](ctx, snapshots.ListDetail(c, snapshots.ListOpts{VolumeID: volumeID}), "snapshots")
	if err != nil {
		return nil, fmt.Errorf("list the snapshots of volume %s: %w", volumeID, err)
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].CreatedAt > all[j].CreatedAt })
	return all, nil
}
