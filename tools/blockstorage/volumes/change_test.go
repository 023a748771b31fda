package volumes

import (
	"encoding/json"
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
	snapID = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
	imgID  = "7eb600a2-79ad-4b7f-87b4-25e0b825cf31"
)

// setup is a fake cloud with a fake Cinder holding volume "data"
// (available, 10 GiB) and a second type "fast".
func setup(t *testing.T) (*toolstest.Cloud, *cindertest.Cinder) {
	t.Helper()
	fc := toolstest.New(t)
	c := cindertest.New(t, fc)
	c.AddVolume(cindertest.Object{"id": volID, "name": "data", "size": 10, "metadata": cindertest.Object{"owner": "ops"}})
	c.AddType(cindertest.Object{"id": "type-fast", "name": "fast", "is_public": true, "extra_specs": cindertest.Object{}})
	fc.Optional("GET", toolstest.ComputePrefix+"/servers", http.StatusOK, `{"servers": [{"id": "s1", "name": "web-1"}]}`)
	fc.Optional("GET", toolstest.ImagePrefix+"/images", http.StatusOK, `{"images": [{"id": "`+imgID+`", "name": "cirros", "status": "active",
	 "size": 21430272, "virtual_size": 117440512, "min_disk": 0, "disk_format": "qcow2", "container_format": "bare", "visibility": "public"}]}`)
	return fc, c
}

// check runs a tool's preflight as the gate does.
func check(t *testing.T, fc *toolstest.Cloud, name string, args any) *tools.Check {
	t.Helper()
	chk, err := toolstest.Tool(t, own(), name).Check(cloud.WithReadOnly(t.Context()), fc.Env(), tools.JSON(args))
	if err != nil {
		t.Fatal(err)
	}
	return chk
}

// own are this package's tools without the second names of the compute
// tools, which need the compute package to register.
func own() []tools.Tool { return Tools()[:len(Tools())-2] }

func oneContains(t *testing.T, what string, got []string, want string) {
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

func TestCreateCheck(t *testing.T) {
	tests := []struct {
		name      string
		args      CreateArgs
		setup     func(c *cindertest.Cinder)
		block     string
		warn      string
		info      string
		wantSize  int
		wantQuota []string
	}{
		{name: "empty volume", args: CreateArgs{Name: "new", Size: 5}, wantSize: 5, wantQuota: []string{"gigabytes 0+5/1000", "volumes 0+1/1000"}},
		{name: "two origins", args: CreateArgs{Name: "new", Size: 5, Image: "cirros", Snapshot: "snap"},
			block: "give only one of --image, --snapshot and --source (got --image cirros, --snapshot snap)"},
		{name: "no size", args: CreateArgs{Name: "new"}, block: "an empty volume needs a size: give --size N (in GiB)"},
		{name: "image sets the size", args: CreateArgs{Name: "boot", Image: "cirros"}, info: "the volume is 1 GiB, the image's virtual size", wantSize: 1},
		{name: "unknown type", args: CreateArgs{Name: "new", Size: 1, Type: "gold"},
			block: "there is no volume type gold; this cloud's types are: __DEFAULT__, fast (see /volume type list)"},
		{name: "smaller than the source", args: CreateArgs{Name: "copy", Source: "data", Size: 5},
			block: "a volume from volume data needs at least 10 GiB (the source volume's size); give --size 10 or more"},
		{name: "snapshot in error", args: CreateArgs{Name: "new", Snapshot: "broken"},
			setup: func(c *cindertest.Cinder) {
				c.AddSnapshot(cindertest.Object{"id": snapID, "name": "broken", "status": "error", "size": 2, "volume_id": volID})
			},
			block: "snapshot broken is error; a volume can be made only from an available snapshot"},
		{name: "gigabytes full", args: CreateArgs{Name: "new", Size: 50},
			setup: func(c *cindertest.Cinder) { c.Quota("gigabytes", 980, 1000) },
			block: "the gigabytes quota is full: this project may hold 1000 GiB of volumes and snapshots and holds 980, so 50 GiB more does not fit (20 free); give a smaller size"},
		{name: "a type's quota", args: CreateArgs{Name: "new", Size: 50, Type: "fast"},
			setup:     func(c *cindertest.Cinder) { c.Quota("gigabytes_fast", 10, 40); c.Quota("volumes_fast", 1, -1) },
			block:     "the gigabytes_fast quota is full: this project may hold 40 GiB of volumes and snapshots of type fast and holds 10, so 50 GiB more does not fit (30 free)",
			wantQuota: []string{"gigabytes 0+50/1000", "gigabytes_fast 10+50/40", "volumes 0+1/1000"}},
		{name: "per-volume limit", args: CreateArgs{Name: "new", Size: 50},
			setup: func(c *cindertest.Cinder) { c.Quota("per_volume_gigabytes", 0, 20) },
			block: "this project's volumes may be at most 20 GiB each (per_volume_gigabytes); 50 GiB is too big: give --size 20 or less"},
		{name: "type size range", args: CreateArgs{Name: "new", Size: 1, Type: "big"},
			setup: func(c *cindertest.Cinder) {
				c.AddType(cindertest.Object{"id": "type-big", "name": "big", "extra_specs": cindertest.Object{"provisioning:min_vol_size": "10"}})
			},
			block: "volume type big makes volumes of at least 10 GiB; give --size 10 or more, or another --type"},
		{name: "unknown zone", args: CreateArgs{Name: "new", Size: 1, AvailabilityZone: "az9"},
			block: "block storage has no availability zone az9; its zones are: nova"},
		{name: "name taken", args: CreateArgs{Name: "data", Size: 1}, warn: "a volume named data already exists"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc, c := setup(t)
			if tt.setup != nil {
				tt.setup(c)
			}
			chk := check(t, fc, "volume.create", tt.args)
			oneContains(t, "blocks", cindertest.Findings(chk.Findings, tools.Block), tt.block)
			if tt.warn != "" {
				oneContains(t, "warnings", cindertest.Findings(chk.Findings, tools.Warn), tt.warn)
			}
			if tt.info != "" {
				oneContains(t, "infos", cindertest.Findings(chk.Findings, tools.Info), tt.info)
			}
			if tt.wantSize > 0 {
				var got CreateArgs
				_ = json.Unmarshal(chk.Resolved, &got)
				if got.Size != tt.wantSize {
					t.Errorf("resolved size %d, want %d (%s)", got.Size, tt.wantSize, chk.Resolved)
				}
			}
			if tt.wantQuota != nil {
				var got []string
				for _, q := range chk.Quota {
					got = append(got, q.Resource+" "+itoa(q.InUse)+"+"+itoa(q.Delta)+"/"+itoa(q.Limit))
				}
				if diff := cmp.Diff(tt.wantQuota, sorted(got)); diff != "" {
					t.Errorf("quota (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestCreatePreviewRunUndo(t *testing.T) {
	fc, c := setup(t)
	c.Answer("POST /volumes", `{"volume": {"id": "new-id", "name": "boot", "size": 1, "status": "creating"}}`)
	tl := toolstest.Tool(t, own(), "volume.create")
	args := tools.JSON(CreateArgs{Name: "boot", Image: "cirros", Properties: map[string]string{"role": "db"}})
	chk, err := tl.Check(cloud.WithReadOnly(t.Context()), fc.Env(), args)
	if err != nil {
		t.Fatal(err)
	}
	pv, err := tl.Preview(cloud.WithReadOnly(t.Context()), fc.Env(), args, chk)
	if err != nil {
		t.Fatal(err)
	}
	body := map[string]any{"volume": map[string]any{"name": "boot", "size": 1, "imageRef": imgID, "metadata": map[string]any{"role": "db"}}}
	if diff := cmp.Diff([]tools.Request{{Method: "POST", URL: fc.Server.URL + cindertest.Prefix + "/volumes", Body: jsonish(body)}}, pv.Requests); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"volume boot (1 GiB) from image cirros"}, pv.Creates); diff != "" {
		t.Errorf("creates (-want +got):\n%s", diff)
	}
	res, err := tl.Run(t.Context(), fc.Env(), chk.Resolved)
	if err != nil {
		t.Fatal(err)
	}
	w := c.Writes()
	if len(w) != 1 || w[0].Path != "/volumes" {
		t.Fatalf("writes = %+v", w)
	}
	if diff := cmp.Diff(jsonish(body), w[0].Body); diff != "" {
		t.Errorf("sent body (-want +got):\n%s", diff)
	}
	if res.Await == nil || res.Await.ID != "new-id" || !cmp.Equal(res.Await.Until, []string{"available"}) {
		t.Errorf("await = %+v", res.Await)
	}
	undo := tl.Undo(chk.Resolved, res)
	if undo.Tool != "volume.delete" || string(undo.Args) != `{"volume":"new-id"}` {
		t.Errorf("undo = %+v", undo)
	}
}

func TestExtend(t *testing.T) {
	tests := []struct {
		name   string
		volume cindertest.Object
		size   int
		maxMV  string
		block  string
		info   string
		mv     string // microversion the request must carry
	}{
		{name: "smaller", size: 5, block: "volume data is bigger than that already: 10 GiB; a volume only grows (Cinder cannot shrink one): give a size above 10"},
		{name: "same", size: 10, block: "volume data is already 10 GiB"},
		{name: "available", size: 20},
		{name: "attached, online", size: 20, volume: cindertest.Object{"status": "in-use", "attachments": []cindertest.Object{{"server_id": "s1", "device": "/dev/vdb"}}},
			info: "volume data is attached to server web-1 on /dev/vdb and is extended online", mv: "volume 3.42"},
		{name: "attached, old cloud", size: 20, maxMV: "3.40", volume: cindertest.Object{"status": "in-use", "attachments": []cindertest.Object{{"server_id": "s1", "device": "/dev/vdb"}}},
			block: "this cloud's block storage API has microversions up to 3.40; an attached volume can be extended from 3.42 on; detach it first (/volume detach data web-1)"},
		{name: "in error", size: 20, volume: cindertest.Object{"status": "error"},
			block: "volume data is error; it can be extended only when it is available or in-use; a volume in error needs an administrator"},
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
			fc.Optional("GET", toolstest.ComputePrefix+"/servers", http.StatusOK, `{"servers": [{"id": "s1", "name": "web-1"}]}`)
			if tt.maxMV != "" {
				svc := fc.Caps.Services[blockstorage.Service]
				svc.MaxMicroversion = tt.maxMV
				fc.Caps.Services[blockstorage.Service] = svc
			}
			chk := check(t, fc, "volume.extend", ExtendArgs{Volume: "data", Size: tt.size})
			oneContains(t, "blocks", cindertest.Findings(chk.Findings, tools.Block), tt.block)
			if tt.info != "" {
				oneContains(t, "infos", cindertest.Findings(chk.Findings, tools.Info), tt.info)
			}
			if chk.Blocked() {
				return
			}
			if diff := cmp.Diff([]tools.QuotaUse{{Service: "volume", Resource: "gigabytes", InUse: 0, Limit: 1000, Delta: tt.size - 10}}, chk.Quota); diff != "" {
				t.Errorf("quota (-want +got):\n%s", diff)
			}
			tl := toolstest.Tool(t, own(), "volume.extend")
			res, err := tl.Run(t.Context(), fc.Env(), chk.Resolved)
			if err != nil {
				t.Fatal(err)
			}
			w := c.Writes()
			if len(w) != 1 || w[0].Path != "/volumes/"+volID+"/action" || w[0].Microversion != tt.mv && tt.mv != "" {
				t.Fatalf("writes = %+v", w)
			}
			if diff := cmp.Diff(map[string]any{"os-extend": map[string]any{"new_size": float64(tt.size)}}, w[0].Body); diff != "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}
			if want := v["status"]; !cmp.Equal(res.Await.Until, []string{want.(string)}) {
				t.Errorf("await until %v, want %v", res.Await.Until, want)
			}
			if tl.Undo != nil {
				t.Error("an extend has an undo; Cinder cannot shrink a volume")
			}
		})
	}
}

func TestRetype(t *testing.T) {
	tests := []struct {
		name   string
		args   RetypeArgs
		block  string
		warn   string
		info   string
		policy string
	}{
		{name: "unknown type", args: RetypeArgs{Volume: "data", Type: "gold"}, block: "there is no volume type gold; this cloud's types are: __DEFAULT__, fast"},
		{name: "same type", args: RetypeArgs{Volume: "data", Type: "__DEFAULT__"}, block: "volume data is already of type __DEFAULT__; nothing to change"},
		{name: "never", args: RetypeArgs{Volume: "data", Type: "fast"}, info: "migration policy never: if type fast needs another backend, Cinder refuses the retype", policy: "never"},
		{name: "on demand", args: RetypeArgs{Volume: "data", Type: "fast", MigrationPolicy: "on-demand"},
			warn: "if type fast lives on another backend, Cinder migrates volume data: it copies all 10 GiB of data", policy: "on-demand"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc, _ := setup(t)
			chk := check(t, fc, "volume.retype", tt.args)
			oneContains(t, "blocks", cindertest.Findings(chk.Findings, tools.Block), tt.block)
			if tt.warn != "" {
				oneContains(t, "warnings", cindertest.Findings(chk.Findings, tools.Warn), tt.warn)
			}
			if tt.info != "" {
				oneContains(t, "infos", cindertest.Findings(chk.Findings, tools.Info), tt.info)
			}
			if chk.Blocked() {
				return
			}
			tl := toolstest.Tool(t, own(), "volume.retype")
			pv, err := tl.Preview(cloud.WithReadOnly(t.Context()), fc.Env(), tools.JSON(tt.args), chk)
			if err != nil {
				t.Fatal(err)
			}
			body := map[string]any{"os-retype": map[string]any{"new_type": "fast", "migration_policy": tt.policy}}
			if diff := cmp.Diff(body, pv.Requests[0].Body); diff != "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}
			res, err := tl.Run(t.Context(), fc.Env(), chk.Resolved)
			if err != nil {
				t.Fatal(err)
			}
			// The fake volume keeps its type: Cinder gave up.
			st, err := res.Await.Poll(t.Context(), fc.Env())
			if err != nil || !strings.HasPrefix(st, "error: Cinder did not retype it, its type is still __DEFAULT__") {
				t.Errorf("poll = %q, %v", st, err)
			}
			undo := tl.Undo(chk.Resolved, res)
			if undo.Tool != "volume.retype" || string(undo.Args) != `{"volume":"`+volID+`","type":"__DEFAULT__","migration_policy":"`+tt.policy+`"}` {
				t.Errorf("undo = %s %s", undo.Tool, undo.Args)
			}
		})
	}
}

func TestSetUnset(t *testing.T) {
	fc, c := setup(t)
	set := toolstest.Tool(t, own(), "volume.set")
	no := false
	desc := "database"
	args := SetArgs{Volume: "data", Name: "db", Description: &desc, Properties: map[string]string{"owner": "dba", "tier": "gold"}, Bootable: &no, Size: 20}
	chk := check(t, fc, "volume.set", args)
	if chk.Blocked() {
		t.Fatalf("blocked: %v", chk.Findings)
	}
	oneContains(t, "warnings", cindertest.Findings(chk.Findings, tools.Warn), "volume data is already not bootable; setting it changes nothing")
	pv, err := set.Preview(cloud.WithReadOnly(t.Context()), fc.Env(), tools.JSON(args), chk)
	if err != nil {
		t.Fatal(err)
	}
	var urls []string
	for _, r := range pv.Requests {
		urls = append(urls, r.Method+" "+strings.TrimPrefix(r.URL, fc.Server.URL+cindertest.Prefix))
	}
	want := []string{"PUT /volumes/" + volID, "POST /volumes/" + volID + "/metadata", "POST /volumes/" + volID + "/action"}
	if diff := cmp.Diff(want, urls); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	res, err := set.Run(t.Context(), fc.Env(), chk.Resolved)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Writes()) != 3 {
		t.Errorf("writes = %+v", c.Writes())
	}
	undo := set.Undo(chk.Resolved, res)
	if undo.Tool != "volume.set" {
		t.Fatalf("undo = %+v", undo)
	}
	var back SetArgs
	_ = json.Unmarshal(undo.Args, &back)
	if back.Name != "data" || back.Description == nil || *back.Description != "" || !cmp.Equal(back.Properties, map[string]string{"owner": "ops"}) || back.Size != 0 {
		t.Errorf("undo args = %s", undo.Args)
	}
	for _, part := range []string{"restore the previous name, description, properties owner", "the added properties tier stay", "Cinder cannot shrink a volume back to 10 GiB"} {
		if !strings.Contains(undo.Why, part) {
			t.Errorf("undo why %q lacks %q", undo.Why, part)
		}
	}

	unset := toolstest.Tool(t, own(), "volume.unset")
	uargs := UnsetArgs{Volume: "data", Properties: []string{"owner", "nope"}}
	chk = check(t, fc, "volume.unset", uargs)
	oneContains(t, "warnings", cindertest.Findings(chk.Findings, tools.Warn), "volume data has no property nope; nothing to unset")
	res, err = unset.Run(t.Context(), fc.Env(), chk.Resolved)
	if err != nil {
		t.Fatal(err)
	}
	w := c.Writes()
	if last := w[len(w)-1]; last.Method != "DELETE" || last.Path != "/volumes/"+volID+"/metadata/owner" {
		t.Errorf("last write = %+v", last)
	}
	undo = unset.Undo(chk.Resolved, res)
	if undo.Tool != "volume.set" || string(undo.Args) != `{"volume":"`+volID+`","properties":{"owner":"ops"}}` {
		t.Errorf("undo = %s %s", undo.Tool, undo.Args)
	}
}

func TestDelete(t *testing.T) {
	tests := []struct {
		name    string
		volume  cindertest.Object
		cascade bool
		snaps   bool
		block   string
		warn    string
	}{
		{name: "in use", volume: cindertest.Object{"status": "in-use", "attachments": []cindertest.Object{{"server_id": "s1", "device": "/dev/vdb"}}},
			block: "volume data is in use, attached to server web-1 on /dev/vdb; detach it first (/volume detach data web-1), then delete it"},
		{name: "has snapshots", snaps: true, block: "volume data has 2 snapshots (newer, older), and Cinder keeps a volume that has snapshots; delete them first (/volume snapshot delete) or give --cascade"},
		{name: "cascade", snaps: true, cascade: true, warn: "--cascade deletes 2 snapshots of volume data with it: newer, older"},
		{name: "plain"},
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
			fc.Optional("GET", toolstest.ComputePrefix+"/servers", http.StatusOK, `{"servers": [{"id": "s1", "name": "web-1"}]}`)
			if tt.snaps {
				c.AddSnapshot(cindertest.Object{"id": "s-old", "name": "older", "volume_id": volID, "created_at": "2026-01-01T00:00:00"})
				c.AddSnapshot(cindertest.Object{"id": "s-new", "name": "newer", "volume_id": volID, "created_at": "2026-02-01T00:00:00"})
			}
			c.AddBackup(cindertest.Object{"id": "b1", "name": "nightly", "volume_id": volID})
			args := DeleteArgs{Volume: "data", Cascade: tt.cascade}
			chk := check(t, fc, "volume.delete", args)
			oneContains(t, "blocks", cindertest.Findings(chk.Findings, tools.Block), tt.block)
			if tt.warn != "" {
				oneContains(t, "warnings", cindertest.Findings(chk.Findings, tools.Warn), tt.warn)
			}
			oneContains(t, "infos", cindertest.Findings(chk.Findings, tools.Info), "its 1 backup is kept")
			if chk.Blocked() {
				return
			}
			tl := toolstest.Tool(t, own(), "volume.delete")
			pv, err := tl.Preview(cloud.WithReadOnly(t.Context()), fc.Env(), tools.JSON(args), chk)
			if err != nil {
				t.Fatal(err)
			}
			url := fc.Server.URL + cindertest.Prefix + "/volumes/" + volID
			deletes := []tools.Dependent{{Kind: "volume", ID: volID, Name: "data", Fate: "deleted with its data (10 GiB)"}}
			if tt.cascade {
				url += "?cascade=true"
				deletes = append(deletes,
					tools.Dependent{Kind: "volume snapshot", ID: "s-new", Name: "newer", Fate: "deleted with the volume (--cascade)"},
					tools.Dependent{Kind: "volume snapshot", ID: "s-old", Name: "older", Fate: "deleted with the volume (--cascade)"})
			}
			if diff := cmp.Diff(&tools.Preview{Requests: []tools.Request{{Method: "DELETE", URL: url}}, Deletes: deletes}, pv); diff != "" {
				t.Errorf("preview (-want +got):\n%s", diff)
			}
			res, err := tl.Run(t.Context(), fc.Env(), chk.Resolved)
			if err != nil {
				t.Fatal(err)
			}
			if !res.Await.Gone || tl.Effect != tools.Destroy || tl.Undo != nil {
				t.Errorf("await %+v, effect %v", res.Await, tl.Effect)
			}
		})
	}
}

func TestRevert(t *testing.T) {
	tests := []struct {
		name   string
		snap   string
		volume cindertest.Object
		maxMV  string
		block  string
	}{
		{name: "latest", snap: "newer"},
		{name: "not the latest", snap: "older", block: "Cinder reverts a volume only to its latest snapshot, and newer (2026-02-01T00:00:00) is newer than older"},
		{name: "grown since", snap: "newer", volume: cindertest.Object{"size": 20},
			block: "volume data is 20 GiB but snapshot newer was taken at 10 GiB; Cinder reverts only a volume of its snapshot's size"},
		{name: "attached", snap: "newer", volume: cindertest.Object{"status": "in-use", "attachments": []cindertest.Object{{"server_id": "s1", "device": "/dev/vdb"}}},
			block: "volume data is in-use, attached to server web-1 on /dev/vdb; it can be reverted only when it is available; detach it first with /volume detach data web-1"},
		{name: "old cloud", snap: "newer", maxMV: "3.27", block: "this cloud's block storage API has microversions up to 3.27; reverting a volume to a snapshot needs 3.40"},
	}
	const oldSnap, newSnap = "0000aaaa-bbbb-4ccc-8ddd-eeeeeeee0001", "0000aaaa-bbbb-4ccc-8ddd-eeeeeeee0002"
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := toolstest.New(t)
			c := cindertest.New(t, fc)
			v := cindertest.Object{"id": volID, "name": "data", "size": 10}
			for k, x := range tt.volume {
				v[k] = x
			}
			c.AddVolume(v)
			fc.Optional("GET", toolstest.ComputePrefix+"/servers", http.StatusOK, `{"servers": [{"id": "s1", "name": "web-1"}]}`)
			c.AddSnapshot(cindertest.Object{"id": oldSnap, "name": "older", "volume_id": volID, "size": 10, "created_at": "2026-01-01T00:00:00"})
			c.AddSnapshot(cindertest.Object{"id": newSnap, "name": "newer", "volume_id": volID, "size": 10, "created_at": "2026-02-01T00:00:00"})
			if tt.maxMV != "" {
				svc := fc.Caps.Services[blockstorage.Service]
				svc.MaxMicroversion = tt.maxMV
				fc.Caps.Services[blockstorage.Service] = svc
			}
			chk := check(t, fc, "volume.revert", RevertArgs{Snapshot: tt.snap})
			oneContains(t, "blocks", cindertest.Findings(chk.Findings, tools.Block), tt.block)
			if chk.Blocked() {
				return
			}
			oneContains(t, "warnings", cindertest.Findings(chk.Findings, tools.Warn), "everything written to volume data since snapshot newer (2026-02-01T00:00:00) is lost")
			tl := toolstest.Tool(t, own(), "volume.revert")
			if _, err := tl.Run(t.Context(), fc.Env(), chk.Resolved); err != nil {
				t.Fatal(err)
			}
			w := c.Writes()
			if len(w) != 1 || w[0].Microversion != "volume 3.40" || !cmp.Equal(w[0].Body, map[string]any{"revert": map[string]any{"snapshot_id": newSnap}}) {
				t.Errorf("writes = %+v", w)
			}
		})
	}
}

func TestUpload(t *testing.T) {
	fc, c := setup(t)
	c.Answer("POST /volumes/"+volID+"/action", `{"os-volume_upload_image": {"id": "`+volID+`", "image_id": "img-new", "image_name": "data-img", "disk_format": "qcow2"}}`)
	fc.Optional("GET", "/image/v2/info/usage", http.StatusNotFound, `{}`)
	tl := toolstest.Tool(t, own(), "volume.upload-image")
	chk := check(t, fc, "volume.upload-image", UploadArgs{Volume: "data", ImageName: "data-img", DiskFormat: "qcow2"})
	if chk.Blocked() {
		t.Fatalf("blocked: %v", chk.Findings)
	}
	res, err := tl.Run(t.Context(), fc.Env(), chk.Resolved)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"os-volume_upload_image": map[string]any{"image_name": "data-img", "disk_format": "qcow2", "container_format": "bare"}}
	if w := c.Writes(); len(w) != 1 || !cmp.Equal(want, w[0].Body) {
		t.Errorf("writes = %+v", w)
	}
	if undo := tl.Undo(chk.Resolved, res); undo.Tool != "image.delete" || string(undo.Args) != `{"image":"img-new"}` {
		t.Errorf("undo = %+v", undo)
	}
}

func TestUploadInUseNeedsForce(t *testing.T) {
	fc := toolstest.New(t)
	c := cindertest.New(t, fc)
	c.AddVolume(cindertest.Object{"id": volID, "name": "data", "status": "in-use", "attachments": []cindertest.Object{{"server_id": "s1", "device": "/dev/vdb"}}})
	fc.Optional("GET", toolstest.ComputePrefix+"/servers", http.StatusOK, `{"servers": [{"id": "s1", "name": "web-1"}]}`)
	fc.Optional("GET", "/image/v2/info/usage", http.StatusNotFound, `{}`)
	chk := check(t, fc, "volume.upload-image", UploadArgs{Volume: "data", ImageName: "x"})
	oneContains(t, "blocks", cindertest.Findings(chk.Findings, tools.Block), "give --force to upload it anyway")
}
