package snapshots

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/internal/cloud"
	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/blockstorage/cindertest"
	"github.com/kriscelmer/os-tui/tools/toolstest"
)

const (
	volID  = "11111111-2222-4333-8444-555555555555"
	snapID = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
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

func TestCreate(t *testing.T) {
	attached := cindertest.Object{"status": "in-use", "attachments": []cindertest.Object{{"server_id": "s1", "device": "/dev/vdb"}}}
	tests := []struct {
		name   string
		volume cindertest.Object
		force  bool
		quota  int // snapshots in use, of 10
		block  string
		warn   string
	}{
		{name: "available"},
		{name: "in use", volume: attached, block: "volume data is in use, attached to server web-1 on /dev/vdb; a snapshot of a disk in use may be inconsistent: give --force to take it anyway"},
		{name: "in use, forced", volume: attached, force: true, warn: "volume data is attached to server web-1 on /dev/vdb; a snapshot of a disk in use holds what was on it mid-write"},
		{name: "in error", volume: cindertest.Object{"status": "error"}, block: "volume data is error; it can be snapshotted only when it is available or in-use (with --force)"},
		{name: "quota full", quota: 10, block: "the snapshots quota is full: this project may have 10 snapshots and has 10; delete one (/volume snapshot delete)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := toolstest.New(t)
			c := cindertest.New(t, fc)
			v := cindertest.Object{"id": volID, "name": "data", "size": 10}
			for k, x := range tt.volume {
				v[k] = x
			}
			c.AddVolume(v)
			c.Quota("snapshots", tt.quota, 10)
			fc.Optional("GET", toolstest.ComputePrefix+"/servers", http.StatusOK, `{"servers": [{"id": "s1", "name": "web-1"}]}`)
			c.Answer("POST /snapshots", `{"snapshot": {"id": "`+snapID+`", "name": "nightly", "status": "creating", "volume_id": "`+volID+`", "size": 10}}`)
			tl := toolstest.Tool(t, Tools(), "volume.snapshot.create")
			args := tools.JSON(CreateArgs{Name: "nightly", Volume: "data", Force: tt.force})
			chk, err := tl.Check(cloud.WithReadOnly(t.Context()), fc.Env(), args)
			if err != nil {
				t.Fatal(err)
			}
			contains(t, "blocks", cindertest.Findings(chk.Findings, tools.Block), tt.block)
			if tt.warn != "" {
				contains(t, "warnings", cindertest.Findings(chk.Findings, tools.Warn), tt.warn)
			}
			if chk.Blocked() {
				return
			}
			pv, err := tl.Preview(cloud.WithReadOnly(t.Context()), fc.Env(), args, chk)
			if err != nil {
				t.Fatal(err)
			}
			body := map[string]any{"snapshot": map[string]any{"volume_id": volID, "name": "nightly"}}
			if tt.force {
				body["snapshot"].(map[string]any)["force"] = true
			}
			if diff := cmp.Diff(body, pv.Requests[0].Body); diff != "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}
			res, err := tl.Run(t.Context(), fc.Env(), chk.Resolved)
			if err != nil {
				t.Fatal(err)
			}
			if res.Await.ID != snapID || !cmp.Equal(res.Await.Until, []string{"available"}) {
				t.Errorf("await = %+v", res.Await)
			}
			if undo := tl.Undo(chk.Resolved, res); undo.Tool != "volume.snapshot.delete" || string(undo.Args) != `{"snapshot":"`+snapID+`"}` {
				t.Errorf("undo = %+v", undo)
			}
		})
	}
}

func TestDelete(t *testing.T) {
	for _, tt := range []struct{ status, block string }{
		{"available", ""},
		{"creating", "snapshot nightly is creating; it can be deleted only when it is available or in error"},
	} {
		t.Run(tt.status, func(t *testing.T) {
			fc := toolstest.New(t)
			c := cindertest.New(t, fc)
			c.AddVolume(cindertest.Object{"id": volID, "name": "data"})
			c.AddSnapshot(cindertest.Object{"id": snapID, "name": "nightly", "volume_id": volID, "status": tt.status})
			tl := toolstest.Tool(t, Tools(), "volume.snapshot.delete")
			args := tools.JSON(DeleteArgs{Snapshot: "nightly"})
			chk, err := tl.Check(cloud.WithReadOnly(t.Context()), fc.Env(), args)
			if err != nil {
				t.Fatal(err)
			}
			contains(t, "blocks", cindertest.Findings(chk.Findings, tools.Block), tt.block)
			if chk.Blocked() {
				return
			}
			contains(t, "infos", cindertest.Findings(chk.Findings, tools.Info), "snapshot nightly of volume data is available")
			pv, err := tl.Preview(cloud.WithReadOnly(t.Context()), fc.Env(), args, chk)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]tools.Request{{Method: "DELETE", URL: fc.Server.URL + cindertest.Prefix + "/snapshots/" + snapID}}, pv.Requests); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
			res, err := tl.Run(t.Context(), fc.Env(), chk.Resolved)
			if err != nil {
				t.Fatal(err)
			}
			if !res.Await.Gone || tl.Effect != tools.Destroy {
				t.Errorf("await %+v effect %v", res.Await, tl.Effect)
			}
		})
	}
}

func TestShow(t *testing.T) {
	fc := toolstest.New(t)
	c := cindertest.New(t, fc)
	c.AddSnapshot(cindertest.Object{"id": snapID, "name": "nightly", "volume_id": volID, "size": 3})
	res, err := toolstest.Run(t, fc.Env(), Tools(), "volume.snapshot.show", ShowArgs{Snapshot: "nightly"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Record.Get("id") != snapID || res.Record.Get("size") != 3 || res.Record.Get("volume_id") != volID {
		t.Errorf("record = %+v", res.Record)
	}
}
