package backups

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/internal/cloud"
	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/blockstorage"
	"github.com/kriscelmer/os-tui/tools/blockstorage/cindertest"
	"github.com/kriscelmer/os-tui/tools/toolstest"
)

const (
	volID  = "11111111-2222-4333-8444-555555555555"
	bkID   = "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"
	incrID = "cccccccc-cccc-4ccc-8ccc-cccccccccccc"
)

func contains(t *testing.T, what string, got []string, want string) {
	t.Helper()
	if want == "" {
		if len(got) > 0 {
			t.Errorf("%s: %q, want none", what, got)
		}
		return
	}
	for _, g := range got {
		if strings.Contains(g, want) {
			return
		}
	}
	t.Errorf("%s: %q, want one containing %q", what, got, want)
}

func fake(t *testing.T, volume cindertest.Object) (*toolstest.Cloud, *cindertest.Cinder) {
	fc := toolstest.New(t)
	c := cindertest.New(t, fc)
	v := cindertest.Object{"id": volID, "name": "data", "size": 10}
	for k, x := range volume {
		v[k] = x
	}
	c.AddVolume(v)
	fc.Optional("GET", toolstest.ComputePrefix+"/servers", http.StatusOK, `{"servers": [{"id": "s1", "name": "web-1"}]}`)
	return fc, c
}

func check(t *testing.T, fc *toolstest.Cloud, name string, args any) *tools.Check {
	t.Helper()
	chk, err := toolstest.Tool(t, Tools(), name).Check(cloud.WithReadOnly(t.Context()), fc.Env(), tools.JSON(args))
	if err != nil {
		t.Fatal(err)
	}
	return chk
}

func TestCreateCheck(t *testing.T) {
	attached := cindertest.Object{"status": "in-use", "attachments": []cindertest.Object{{"server_id": "s1", "device": "/dev/vdb"}}}
	tests := []struct {
		name   string
		volume cindertest.Object
		args   CreateArgs
		setup  func(c *cindertest.Cinder)
		block  string
		warn   string
		info   string
	}{
		{name: "full backup", args: CreateArgs{Volume: "data", Name: "b1"}, info: "the cloud's backup service (cinder-backup) is up"},
		{name: "no backup service", args: CreateArgs{Volume: "data"}, setup: func(c *cindertest.Cinder) { c.Services(http.StatusOK) },
			block: "this cloud has no backup service (no cinder-backup service is registered), so a backup would end in error"},
		{name: "backup service down", args: CreateArgs{Volume: "data"},
			setup: func(c *cindertest.Cinder) {
				c.Services(http.StatusOK, cindertest.Object{"binary": "cinder-backup", "host": "bk1", "status": "enabled", "state": "down"})
			},
			block: "its cinder-backup services are not running: bk1 (enabled, down)"},
		{name: "not an administrator", args: CreateArgs{Volume: "data"}, setup: func(c *cindertest.Cinder) { c.Services(http.StatusForbidden) },
			info: "only an administrator can see whether this cloud runs a backup service; if it runs none, a backup ends in error and says so"},
		{name: "incremental without a full one", args: CreateArgs{Volume: "data", Incremental: true},
			block: "volume data has no available backup yet, and an incremental backup only adds the changes since one: leave out --incremental"},
		{name: "incremental", args: CreateArgs{Volume: "data", Incremental: true},
			setup: func(c *cindertest.Cinder) {
				c.AddBackup(cindertest.Object{"id": bkID, "name": "full", "volume_id": volID, "created_at": "2026-01-01T00:00:00"})
			},
			info: "incremental: only what changed since backup full (2026-01-01T00:00:00) is stored"},
		{name: "in use", volume: attached, args: CreateArgs{Volume: "data"},
			block: "volume data is in use, attached to server web-1 on /dev/vdb; give --force to back it up anyway"},
		{name: "in use, forced", volume: attached, args: CreateArgs{Volume: "data", Force: true},
			warn: "Cinder backs up a temporary snapshot of it"},
		{name: "quota", args: CreateArgs{Volume: "data"}, setup: func(c *cindertest.Cinder) { c.Quota("backup_gigabytes", 995, 1000) },
			block: "the backup_gigabytes quota is full: this project may hold 1000 GiB of backups and holds 995, so 10 GiB more does not fit (5 free)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc, c := fake(t, tt.volume)
			if tt.setup != nil {
				tt.setup(c)
			}
			chk := check(t, fc, "volume.backup.create", tt.args)
			contains(t, "blocks", cindertest.Findings(chk.Findings, tools.Block), tt.block)
			if tt.warn != "" {
				contains(t, "warnings", cindertest.Findings(chk.Findings, tools.Warn), tt.warn)
			}
			if tt.info != "" {
				contains(t, "infos", cindertest.Findings(chk.Findings, tools.Info), tt.info)
			}
		})
	}
}

func TestCreateRun(t *testing.T) {
	fc, c := fake(t, nil)
	c.Answer("POST /backups", `{"backup": {"id": "`+bkID+`", "name": "b1"}}`)
	tl := toolstest.Tool(t, Tools(), "volume.backup.create")
	chk := check(t, fc, "volume.backup.create", CreateArgs{Volume: "data", Name: "b1"})
	res, err := tl.Run(t.Context(), fc.Env(), chk.Resolved)
	if err != nil {
		t.Fatal(err)
	}
	if w := c.Writes(); len(w) != 1 || !cmp.Equal(w[0].Body, map[string]any{"backup": map[string]any{"volume_id": volID, "name": "b1"}}) {
		t.Errorf("writes = %+v", w)
	}
	if res.Await.ID != bkID || !cmp.Equal(res.Await.Fail, []string{"error"}) {
		t.Errorf("await = %+v", res.Await)
	}
	if undo := tl.Undo(chk.Resolved, res); undo.Tool != "volume.backup.delete" || string(undo.Args) != `{"backup":"`+bkID+`"}` {
		t.Errorf("undo = %+v", undo)
	}
	// A backup that fails says why, and the failed step carries it.
	c.AddBackup(cindertest.Object{"id": incrID, "name": "bad", "status": "error", "fail_reason": "Service not found for creating backup."})
	st, err := blockstorage.Poll("backup", incrID)(t.Context(), fc.Env())
	if err != nil || st != "error: Service not found for creating backup." {
		t.Errorf("poll = %q, %v", st, err)
	}
}

func TestRestore(t *testing.T) {
	tests := []struct {
		name      string
		args      RestoreArgs
		volume    cindertest.Object
		block     string
		warn      string
		wantBody  map[string]any
		undo      string
		noUndo    bool
		wantQuota bool
	}{
		{name: "new volume, named", args: RestoreArgs{Backup: "nightly", Name: "back"},
			wantBody: map[string]any{"restore": map[string]any{"name": "back"}}, undo: "volume.delete", wantQuota: true},
		{name: "a name no volume has", args: RestoreArgs{Backup: "nightly", Volume: "fresh"},
			wantBody: map[string]any{"restore": map[string]any{"name": "fresh"}}, undo: "volume.delete", wantQuota: true},
		{name: "over a volume, without force", args: RestoreArgs{Backup: "nightly", Volume: "data"},
			block: "restoring into volume data overwrites everything on it; give --force to do that, or restore into a new volume (--name NEW)"},
		{name: "over a volume", args: RestoreArgs{Backup: "nightly", Volume: "data", Force: true},
			warn: "everything on volume data is overwritten with backup nightly", wantBody: map[string]any{"restore": map[string]any{"volume_id": volID}}, noUndo: true},
		{name: "over a smaller volume", args: RestoreArgs{Backup: "nightly", Volume: "data", Force: true}, volume: cindertest.Object{"size": 1},
			block: "volume data is 1 GiB, smaller than backup nightly (5 GiB); restore into a new volume instead"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc, c := fake(t, tt.volume)
			c.AddBackup(cindertest.Object{"id": bkID, "name": "nightly", "volume_id": volID, "size": 5, "data_timestamp": "2026-01-01T00:00:00"})
			c.Answer("POST /backups/"+bkID+"/restore", `{"restore": {"backup_id": "`+bkID+`", "volume_id": "new-vol", "volume_name": "back"}}`)
			chk := check(t, fc, "volume.backup.restore", tt.args)
			contains(t, "blocks", cindertest.Findings(chk.Findings, tools.Block), tt.block)
			if tt.warn != "" {
				contains(t, "warnings", cindertest.Findings(chk.Findings, tools.Warn), tt.warn)
			}
			if chk.Blocked() {
				return
			}
			if tt.wantQuota != (len(chk.Quota) > 0) {
				t.Errorf("quota = %+v", chk.Quota)
			}
			tl := toolstest.Tool(t, Tools(), "volume.backup.restore")
			res, err := tl.Run(t.Context(), fc.Env(), chk.Resolved)
			if err != nil {
				t.Fatal(err)
			}
			if w := c.Writes(); len(w) != 1 || !cmp.Equal(w[0].Body, tt.wantBody) {
				t.Errorf("writes = %+v", w)
			}
			undo := tl.Undo(chk.Resolved, res)
			switch {
			case tt.noUndo && undo != nil:
				t.Errorf("undo = %+v, want none: the volume's old data is gone", undo)
			case !tt.noUndo && (undo == nil || undo.Tool != tt.undo || string(undo.Args) != `{"volume":"new-vol"}`):
				t.Errorf("undo = %+v", undo)
			}
		})
	}
}

func TestDelete(t *testing.T) {
	fc, c := fake(t, nil)
	c.AddBackup(cindertest.Object{"id": bkID, "name": "full", "volume_id": volID, "has_dependent_backups": true, "created_at": "2026-01-01T00:00:00"})
	c.AddBackup(cindertest.Object{"id": incrID, "name": "incr", "volume_id": volID, "is_incremental": true, "created_at": "2026-01-02T00:00:00"})
	chk := check(t, fc, "volume.backup.delete", DeleteArgs{Backup: "full"})
	contains(t, "blocks", cindertest.Findings(chk.Findings, tools.Block), "incremental backups build on backup full (incr), and Cinder keeps it while they exist; delete them first, newest first")

	chk = check(t, fc, "volume.backup.delete", DeleteArgs{Backup: "incr"})
	if chk.Blocked() {
		t.Fatalf("blocked: %v", chk.Findings)
	}
	tl := toolstest.Tool(t, Tools(), "volume.backup.delete")
	res, err := tl.Run(t.Context(), fc.Env(), chk.Resolved)
	if err != nil {
		t.Fatal(err)
	}
	if w := c.Writes(); len(w) != 1 || w[0].Method != "DELETE" || w[0].Path != "/backups/"+incrID {
		t.Errorf("writes = %+v", w)
	}
	if !res.Await.Gone || tl.Effect != tools.Destroy || tl.Undo != nil {
		t.Errorf("await %+v", res.Await)
	}
}

func TestListSaysWhenNoService(t *testing.T) {
	fc, c := fake(t, nil)
	c.Services(http.StatusOK)
	res, err := toolstest.Run(t, fc.Env(), Tools(), "volume.backup.list", ListArgs{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.List.Rows) != 0 || res.Message != "this cloud runs no backup service (cinder-backup), so it makes no backups" {
		t.Errorf("rows %v, message %q", res.List.Rows, res.Message)
	}
}

func TestShow(t *testing.T) {
	fc, c := fake(t, nil)
	c.AddBackup(cindertest.Object{"id": bkID, "name": "nightly", "volume_id": volID, "size": 5, "is_incremental": true})
	res, err := toolstest.Run(t, fc.Env(), Tools(), "volume.backup.show", ShowArgs{Backup: "nightly"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Record.Get("id") != bkID || res.Record.Get("is_incremental") != true || res.Record.Get("size") != 5 {
		t.Errorf("record = %+v", res.Record)
	}
}
