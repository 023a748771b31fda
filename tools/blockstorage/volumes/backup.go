package volumes

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/blockstorage/v3/backups"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/blockstorage"
	"github.com/kriscelmer/os-tui/tools/network"
)

// Backup is a cinder volume backup.
type Backup struct {
	ID               string            `json:"id"`
	Name             string            `json:"name"`
	Description      string            `json:"description"`
	Status           string            `json:"status"`
	Size             int               `json:"size"`
	VolumeID         string            `json:"volume_id"`
	SnapshotID       *string           `json:"snapshot_id"`
	Incremental      bool              `json:"is_incremental"`
	HasDependents    bool              `json:"has_dependent_backups"`
	Container        *string           `json:"container"`
	AvailabilityZone *string           `json:"availability_zone"`
	ObjectCount      int               `json:"object_count"`
	FailReason       *string           `json:"fail_reason"`
	CreatedAt        string            `json:"created_at"`
	UpdatedAt        string            `json:"updated_at"`
	DataTimestamp    string            `json:"data_timestamp"`
	ProjectID        string            `json:"os-backup-project-attr:project_id"`
	Metadata         map[string]string `json:"metadata"`
	EncryptionKeyID  *string           `json:"encryption_key_id"`
	UserID           *string           `json:"user_id"`
}

// Label is how findings name a backup.
func (b *Backup) Label() string {
	if b.Name != "" {
		return b.Name
	}
	return b.ID
}

// Target is the backup as a step's target.
func (b *Backup) Target() tools.Target {
	return tools.Target{Kind: "volume backup", ID: b.ID, Name: b.Name}
}

// BackupListOpts filters a backup list. gophercloud's ListDetailOpts has
// no filters, though Cinder takes these; its builder interface lets a
// caller bring its own.
type BackupListOpts struct {
	Name        string
	VolumeID    string
	Status      string
	AllProjects bool
}

// ToBackupListDetailQuery implements backups.ListDetailOptsBuilder.
func (o BackupListOpts) ToBackupListDetailQuery() (string, error) {
	q := url.Values{}
	for k, v := range map[string]string{"name": o.Name, "volume_id": o.VolumeID, "status": o.Status} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if o.AllProjects {
		q.Set("all_tenants", "true")
	}
	if len(q) == 0 {
		return "", nil
	}
	return "?" + q.Encode(), nil
}

// Backups lists backups, newest first.
func Backups(ctx context.Context, env *tools.Env, opts BackupListOpts) ([]Backup, error) {
	c, err := blockstorage.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	all, err := network.ListAll[Backup](ctx, backups.ListDetail(c, opts), "backups")
	if err != nil {
		return nil, fmt.Errorf("list volume backups: %w", err)
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].CreatedAt > all[j].CreatedAt })
	return all, nil
}

// FindBackup finds one backup by ID or exact name.
func FindBackup(ctx context.Context, env *tools.Env, nameOrID string) (*Backup, error) {
	c, err := blockstorage.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	return network.Finder[Backup]{
		Kind: "volume backup",
		Get: func(ctx context.Context, id string) (*Backup, error) {
			return network.GetOne[Backup](backups.Get(ctx, c, id).Result, "backup")
		},
		ByName: func(ctx context.Context, name string) ([]Backup, error) {
			return network.ListAll[Backup](ctx, backups.ListDetail(c, BackupListOpts{Name: name}), "backups")
		},
		Candidate: func(b Backup) tools.Candidate { return tools.Candidate{ID: b.ID, Name: b.Name} },
	}.Find(ctx, nameOrID)
}

// BackupState is what the cloud's service list says of its backup
// service.
type BackupState int

const (
	// BackupUnknown: the service list is for administrators, so this
	// user cannot tell.
	BackupUnknown BackupState = iota
	// BackupRunning: at least one cinder-backup is enabled and up.
	BackupRunning
	// BackupMissing: no cinder-backup is enabled and up; a backup or a
	// restore would end in error.
	BackupMissing
)

// service is one entry of Cinder's service list.
type service struct {
	Binary string `json:"binary"`
	Host   string `json:"host"`
	Zone   string `json:"zone"`
	Status string `json:"status"`
	State  string `json:"state"`
}

// BackupService reads whether the cloud runs a backup service. The
// catalog cannot say (backups are part of the block storage API, which
// accepts a backup even with no service to make it: the backup then
// ends in error), so the service list is asked; it is an administrator's
// read, and for anyone else the answer is BackupUnknown. down names the
// hosts of backup services that are registered but not running.
func BackupService(ctx context.Context, env *tools.Env) (state BackupState, down []string, err error) {
	c, err := blockstorage.Client(ctx, env)
	if err != nil {
		return BackupUnknown, nil, err
	}
	var body struct {
		Services []service `json:"services"`
	}
	_, err = c.Get(ctx, c.ServiceURL("os-services")+"?binary=cinder-backup", &body, nil) //nolint:bodyclose // closed by gophercloud
	switch {
	case gophercloud.ResponseCodeIs(err, 403), gophercloud.ResponseCodeIs(err, 401), gophercloud.ResponseCodeIs(err, 404):
		return BackupUnknown, nil, nil
	case err != nil:
		return BackupUnknown, nil, fmt.Errorf("read the block storage service list: %w", err)
	}
	for _, s := range body.Services {
		if s.Binary != "cinder-backup" {
			continue
		}
		if s.Status == "enabled" && s.State == "up" {
			return BackupRunning, nil, nil
		}
		down = append(down, fmt.Sprintf("%s (%s, %s)", s.Host, s.Status, s.State))
	}
	return BackupMissing, down, nil
}

// BackupFinding is the preflight's sentence about the backup service for
// a step that needs it (verb: "a backup", "a restore"); Block when the
// cloud has none running.
func BackupFinding(ctx context.Context, env *tools.Env, verb string) (tools.Finding, error) {
	state, down, err := BackupService(ctx, env)
	if err != nil {
		return tools.Finding{}, err
	}
	switch state {
	case BackupRunning:
		return tools.Finding{Level: tools.Info, Text: "the cloud's backup service (cinder-backup) is up"}, nil
	case BackupMissing:
		why := "no cinder-backup service is registered"
		if len(down) > 0 {
			why = "its cinder-backup services are not running: " + strings.Join(down, ", ")
		}
		return tools.Finding{Level: tools.Block, Text: fmt.Sprintf(
			"this cloud has no backup service (%s), so %s would end in error; ask the cloud's operator to run cinder-backup, or keep a copy with /volume snapshot create", why, verb)}, nil
	}
	return tools.Finding{Level: tools.Info, Text: fmt.Sprintf(
		"only an administrator can see whether this cloud runs a backup service; if it runs none, %s ends in error and says so", verb)}, nil
}
