package volumes

import (
	"context"
	"fmt"
	"slices"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/blockstorage"
	"github.com/kriscelmer/os-tui/tools/quota"
)

// Need is what a block storage step draws from the project's quotas.
type Need struct {
	Volumes, Gigabytes, Snapshots, Backups, BackupGigabytes int
	// Type is the volume type the volumes, gigabytes and snapshots are
	// of ("" when unknown): Cinder also counts them per type
	// (gigabytes_TYPE), and a cloud may limit a type.
	Type string
	// TypeOnly charges only the per-type lines: a retype moves a volume
	// from one type's quota to another's, and the project's totals stay.
	TypeOnly bool
	// PerVolume is the size of the one volume a step makes or grows, for
	// the per-volume limit (per_volume_gigabytes); 0 for none.
	PerVolume int
}

// perVolume is Cinder's limit on one volume's size; it is a limit, not
// a usage, so it is checked and then left out of the plan's quota lines.
const perVolume = "per_volume_gigabytes"

// Preflight charges n against the project's block storage quotas (one
// usage read), blocks what overflows, and keeps on chk only the lines
// that matter: the per-type ones only where the cloud limits that type.
func Preflight(ctx context.Context, env *tools.Env, chk *tools.Check, n Need) error {
	var needs []quota.Need
	add := func(resource string, delta int) {
		if delta != 0 {
			needs = append(needs, quota.Need{Service: blockstorage.Service, Resource: resource, Delta: delta, Full: full(resource, n.Type)})
		}
	}
	if !n.TypeOnly {
		add("volumes", n.Volumes)
		add("gigabytes", n.Gigabytes)
		add("snapshots", n.Snapshots)
		add("backups", n.Backups)
		add("backup_gigabytes", n.BackupGigabytes)
	}
	var typed []string
	if n.Type != "" {
		for _, r := range []struct {
			name  string
			delta int
		}{{"volumes", n.Volumes}, {"gigabytes", n.Gigabytes}, {"snapshots", n.Snapshots}} {
			if r.delta != 0 {
				typed = append(typed, r.name+"_"+n.Type)
				add(r.name+"_"+n.Type, r.delta)
			}
		}
	}
	if n.PerVolume > 0 {
		needs = append(needs, quota.Need{Service: blockstorage.Service, Resource: perVolume})
	}
	if len(needs) == 0 {
		return nil
	}
	before := len(chk.Quota)
	if err := quota.Preflight(ctx, env, chk, "", needs...); err != nil {
		return err
	}
	kept := chk.Quota[:before]
	for _, u := range chk.Quota[before:] {
		switch {
		case u.Resource == perVolume:
			if u.Limit >= 0 && n.PerVolume > u.Limit {
				chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block, Text: fmt.Sprintf(
					"this project's volumes may be at most %d GiB each (per_volume_gigabytes); %d GiB is too big: give --size %d or less", u.Limit, n.PerVolume, u.Limit)})
			}
		case slices.Contains(typed, u.Resource) && u.Limit < 0:
			// The type is not limited: its line says nothing.
		default:
			kept = append(kept, u)
		}
	}
	chk.Quota = kept
	return nil
}

// full words a full block storage quota: what the project may have, what
// it has, and what would work instead.
func full(resource, typ string) func(tools.QuotaUse) string {
	of := ""
	if typ != "" && len(resource) > len(typ) && resource[len(resource)-len(typ)-1:] == "_"+typ {
		of = " of type " + typ
		resource = resource[:len(resource)-len(typ)-1]
	}
	return func(u tools.QuotaUse) string {
		free := max(u.Limit-u.InUse, 0)
		switch resource {
		case "gigabytes":
			return fmt.Sprintf("the %s quota is full: this project may hold %d GiB of volumes and snapshots%s and holds %d, so %d GiB more does not fit (%d free); give a smaller size, delete volumes or snapshots, or ask for more quota",
				u.Resource, u.Limit, of, u.InUse, u.Delta, free)
		case "backup_gigabytes":
			return fmt.Sprintf("the backup_gigabytes quota is full: this project may hold %d GiB of backups and holds %d, so %d GiB more does not fit (%d free); delete old backups (/volume backup delete) or ask for more quota",
				u.Limit, u.InUse, u.Delta, free)
		}
		what := map[string]string{"volumes": "volumes", "snapshots": "snapshots", "backups": "backups"}[resource]
		fix := map[string]string{"volumes": "/volume delete", "snapshots": "/volume snapshot delete", "backups": "/volume backup delete"}[resource]
		return fmt.Sprintf("the %s quota is full: this project may have %d %s%s and has %d; delete one (%s) or ask for more quota",
			u.Resource, u.Limit, what, of, u.InUse, fix)
	}
}
