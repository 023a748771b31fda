package images

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/internal/cloud"
	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/toolstest"
)

const imgID = "1bea47ed-f6a9-463b-b423-14b9cca9ad27"

func findings(chk *tools.Check, l tools.Level) string {
	var out []string
	for _, f := range chk.Findings {
		if f.Level == l {
			out = append(out, f.Text)
		}
	}
	return strings.Join(out, "\n")
}

func wantFindings(t *testing.T, chk *tools.Check, block, warn string) {
	t.Helper()
	got := findings(chk, tools.Block)
	if (block == "") != (got == "") || !strings.Contains(got, block) {
		t.Errorf("blocks %q, want %q", got, block)
	}
	if w := findings(chk, tools.Warn); !strings.Contains(w, warn) {
		t.Errorf("warnings %q, want one containing %q", w, warn)
	}
}

func TestCreateCheck(t *testing.T) {
	tests := []struct {
		name      string
		file      string
		content   []byte
		args      CreateArgs
		sameName  bool
		usage     string
		block     string
		warn      string
		wantDisk  string
		wantQuota []tools.QuotaUse
	}{
		{name: "qcow2 by extension", file: "cirros.qcow2", content: []byte("QFI\xfbrest"), wantDisk: "qcow2"},
		{name: "iso", file: "boot.iso", content: []byte("CD001"), wantDisk: "iso"},
		{name: "unknown extension", file: "disk.bin", content: []byte("data"), wantDisk: "raw", warn: "says nothing of its format; assuming raw"},
		{name: "qcow2 given as raw", file: "x.qcow2", content: []byte("QFI\xfb"), args: CreateArgs{DiskFormat: "raw"}, wantDisk: "raw",
			warn: "is a qcow2 file but the disk format is raw"},
		{name: "missing file", file: "", block: "does not exist", wantDisk: "raw"},
		{name: "name taken", file: "a.raw", content: []byte("x"), sameName: true, warn: "1 image(s) named cirros already exist", wantDisk: "raw"},
		{name: "quota", file: "a.raw", content: make([]byte, 3<<20), wantDisk: "raw",
			usage: `{"usage": {"image_count_total": {"limit": 10, "usage": 2}, "image_size_total": {"limit": 1000, "usage": 100}, "image_stage_total": {"limit": 1000, "usage": 0}}}`,
			wantQuota: []tools.QuotaUse{
				{Service: "image", Resource: "image_count_total", InUse: 2, Limit: 10, Delta: 1},
				{Service: "image", Resource: "image_size_total", InUse: 100, Limit: 1000, Delta: 3},
			}},
		{name: "quota full", file: "a.raw", content: []byte("x"), wantDisk: "raw",
			usage: `{"usage": {"image_count_total": {"limit": 2, "usage": 2}}}`, block: "the image quota is full: 2 of 2 images used",
			wantQuota: []tools.QuotaUse{{Service: "image", Resource: "image_count_total", InUse: 2, Limit: 2, Delta: 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "nothing-here.raw")
			if tt.file != "" {
				path = filepath.Join(dir, tt.file)
				if err := os.WriteFile(path, tt.content, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			fc := toolstest.New(t)
			same := ""
			if tt.sameName {
				same = `{"id": "` + imgID + `", "name": "cirros", "status": "active"}`
			}
			fc.HandleFunc("GET", toolstest.ImagePrefix+"/images", func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Query().Get("name") != "cirros" {
					t.Errorf("query = %s", r.URL.RawQuery)
				}
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprintf(w, `{"images": [%s]}`, same)
			})
			if tt.usage != "" {
				fc.Handle("GET", toolstest.ImagePrefix+"/info/usage", http.StatusOK, tt.usage)
			} else {
				fc.Handle("GET", toolstest.ImagePrefix+"/info/usage", http.StatusNotFound, `{"message": "not found"}`)
			}
			args := tt.args
			args.Name, args.File = "cirros", path
			chk, err := toolstest.Tool(t, Tools(), "image.create").Check(cloud.WithReadOnly(t.Context()), fc.Env(), tools.JSON(args))
			if err != nil {
				t.Fatal(err)
			}
			wantFindings(t, chk, tt.block, tt.warn)
			want := fmt.Sprintf(`{"name":"cirros","file":%q,"disk_format":%q,"container_format":"bare","visibility":"private"}`, path, tt.wantDisk)
			if string(chk.Resolved) != want {
				t.Errorf("resolved = %s\nwant %s", chk.Resolved, want)
			}
			if diff := cmp.Diff(tt.wantQuota, chk.Quota); diff != "" {
				t.Errorf("quota (-want +got):\n%s", diff)
			}
		})
	}
}

// recorder is a tools.Progress that keeps what it was told.
type recorder struct {
	mu     sync.Mutex
	status []string
	bytes  [][2]int64
}

func (r *recorder) Status(s string) { r.mu.Lock(); r.status = append(r.status, s); r.mu.Unlock() }
func (r *recorder) Bytes(done, total int64) {
	r.mu.Lock()
	r.bytes = append(r.bytes, [2]int64{done, total})
	r.mu.Unlock()
}

func TestCreatePreviewRunUpload(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "cirros.qcow2")
	data := bytes.Repeat([]byte("0123456789abcdef"), 20000) // 320000 bytes: several reads
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	fc := toolstest.New(t)
	wantBody := map[string]any{"name": "cirros", "disk_format": "qcow2", "container_format": "bare", "visibility": "private",
		"min_ram": float64(64), "protected": true, "os_distro": "cirros"}
	fc.HandleFunc("POST", toolstest.ImagePrefix+"/images", func(w http.ResponseWriter, r *http.Request) {
		var got map[string]any
		_ = json.NewDecoder(r.Body).Decode(&got)
		if diff := cmp.Diff(wantBody, got); diff != "" {
			t.Errorf("create body (-want +got):\n%s", diff)
		}
		w.Header().Set("X-Openstack-Request-Id", "req-create")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"id": %q, "name": "cirros", "status": "queued"}`, imgID)
	})
	fc.HandleFunc("PUT", toolstest.ImagePrefix+"/images/"+imgID+"/file", func(w http.ResponseWriter, r *http.Request) {
		if ct := r.Header.Get("Content-Type"); ct != "application/octet-stream" {
			t.Errorf("content type = %q", ct)
		}
		got, _ := io.ReadAll(r.Body)
		if !bytes.Equal(got, data) {
			t.Errorf("uploaded %d bytes, want %d", len(got), len(data))
		}
		w.Header().Set("X-Openstack-Request-Id", "req-upload")
		w.WriteHeader(http.StatusNoContent)
	})
	fc.Handle("GET", toolstest.ImagePrefix+"/images/"+imgID, http.StatusOK, `{"id": "`+imgID+`", "name": "cirros", "status": "active"}`)

	env := fc.Env()
	rec := &recorder{}
	env.Progress = rec
	ic := toolstest.Tool(t, Tools(), "image.create")
	args := tools.JSON(CreateArgs{Name: "cirros", File: path, DiskFormat: "qcow2", ContainerFormat: "bare", Visibility: "private",
		MinRAM: 64, Protected: true, Property: map[string]string{"os_distro": "cirros"}})
	pv, err := ic.Preview(cloud.WithReadOnly(t.Context()), env, args, &tools.Check{Resolved: args})
	if err != nil {
		t.Fatal(err)
	}
	var gotPreview map[string]any
	b, _ := json.Marshal(pv.Requests[0].Body)
	_ = json.Unmarshal(b, &gotPreview)
	if diff := cmp.Diff(wantBody, gotPreview); diff != "" {
		t.Errorf("preview body (-want +got):\n%s", diff)
	}
	wantUpload := tools.Request{Method: "PUT", URL: fc.Server.URL + toolstest.ImagePrefix + "/images/{id}/file", Body: fmt.Sprintf("320000 bytes from %s", path)}
	if diff := cmp.Diff(wantUpload, pv.Requests[1]); diff != "" || pv.Requests[0].URL != fc.Server.URL+toolstest.ImagePrefix+"/images" {
		t.Errorf("preview upload (-want +got):\n%s", diff)
	}

	res, err := ic.Run(t.Context(), env, args)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"req-create", "req-upload"}, res.RequestIDs); diff != "" {
		t.Errorf("request IDs (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]string{"id": imgID, "name": "cirros"}, res.Outputs); diff != "" {
		t.Errorf("outputs (-want +got):\n%s", diff)
	}
	if len(rec.bytes) < 3 || rec.bytes[0] != [2]int64{0, 320000} || rec.bytes[len(rec.bytes)-1] != [2]int64{320000, 320000} {
		t.Errorf("progress = %v", rec.bytes)
	}
	if len(rec.status) != 1 || !strings.Contains(rec.status[0], "uploading cirros.qcow2") {
		t.Errorf("status = %v", rec.status)
	}
	if res.Await == nil || res.Await.ID != imgID || res.Await.Until[0] != "active" {
		t.Fatalf("await = %+v", res.Await)
	}
	if st, err := res.Await.Poll(context.Background(), env); err != nil || st != "active" {
		t.Errorf("poll = %q, %v", st, err)
	}
	if undo := ic.Undo(args, res); undo == nil || undo.Tool != "image.delete" || string(undo.Args) != `{"image":"`+imgID+`"}` {
		t.Errorf("undo = %+v", undo)
	}
}

func TestCreateUploadFailsDeletesImage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.raw")
	if err := os.WriteFile(path, []byte("data"), 0o644); err != nil {
		t.Fatal(err)
	}
	fc := toolstest.New(t)
	fc.Handle("POST", toolstest.ImagePrefix+"/images", http.StatusCreated, `{"id": "`+imgID+`", "name": "a", "status": "queued"}`)
	fc.Handle("PUT", toolstest.ImagePrefix+"/images/"+imgID+"/file", http.StatusRequestEntityTooLarge, `{"message": "quota"}`)
	fc.Handle("DELETE", toolstest.ImagePrefix+"/images/"+imgID, http.StatusNoContent, "")
	_, err := toolstest.Tool(t, Tools(), "image.create").Run(t.Context(), fc.Env(), tools.JSON(CreateArgs{Name: "a", File: path, DiskFormat: "raw", ContainerFormat: "bare"}))
	if err == nil || !strings.Contains(err.Error(), "it was deleted again") {
		t.Errorf("err = %v", err)
	}
}

const imageBody = `{"id": "` + imgID + `", "name": "cirros", "status": "%s", "visibility": "private", "min_disk": 0, "min_ram": 64,
  "protected": %t, "os_distro": "cirros", "hw_disk_bus": "virtio", "updated_at": "2024-01-01T00:00:00Z"}`

func ptr[T any](v T) *T { return &v }

func TestSet(t *testing.T) {
	fc := toolstest.New(t)
	fc.Handle("GET", toolstest.ImagePrefix+"/images/"+imgID, http.StatusOK, fmt.Sprintf(imageBody, "active", false))
	wantPatch := []any{
		map[string]any{"op": "replace", "path": "/name", "value": "cirros-0.6"},
		map[string]any{"op": "replace", "path": "/min_disk", "value": float64(1)},
		map[string]any{"op": "replace", "path": "/protected", "value": true},
		map[string]any{"op": "add", "path": "/hw_rng_model", "value": "virtio"},
		map[string]any{"op": "replace", "path": "/os_distro", "value": "ubuntu"},
		map[string]any{"op": "remove", "path": "/hw_disk_bus"},
	}
	fc.HandleFunc("PATCH", toolstest.ImagePrefix+"/images/"+imgID, func(w http.ResponseWriter, r *http.Request) {
		if ct := r.Header.Get("Content-Type"); ct != "application/openstack-images-v2.1-json-patch" {
			t.Errorf("content type = %q", ct)
		}
		var got []any
		_ = json.NewDecoder(r.Body).Decode(&got)
		if diff := cmp.Diff(wantPatch, got); diff != "" {
			t.Errorf("patch (-want +got):\n%s", diff)
		}
		w.Header().Set("X-Openstack-Request-Id", "req-patch")
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id": %q, "name": "cirros-0.6", "status": "active"}`, imgID)
	})
	env := fc.Env()
	is := toolstest.Tool(t, Tools(), "image.set")
	args := tools.JSON(SetArgs{Image: imgID, Name: ptr("cirros-0.6"), MinDisk: ptr(1), MinRAM: ptr(64), Protected: ptr(true),
		Property: map[string]string{"os_distro": "ubuntu", "hw_rng_model": "virtio"}, RemoveProperty: []string{"hw_disk_bus"}})
	chk, err := is.Check(cloud.WithReadOnly(t.Context()), env, args)
	if err != nil {
		t.Fatal(err)
	}
	wantFindings(t, chk, "", "")
	pv, err := is.Preview(cloud.WithReadOnly(t.Context()), env, args, chk)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(pv.Requests[0].Body)
	var got []any
	_ = json.Unmarshal(b, &got)
	if diff := cmp.Diff(wantPatch, got); diff != "" || pv.Requests[0].Method != "PATCH" {
		t.Errorf("preview (-want +got):\n%s", diff)
	}
	wantChanges := []tools.FieldChange{
		{Field: "name", From: "cirros", To: "cirros-0.6"},
		{Field: "min_disk", From: 0, To: 1},
		{Field: "protected", From: false, To: true},
		{Field: "property hw_rng_model", From: nil, To: "virtio"},
		{Field: "property os_distro", From: "cirros", To: "ubuntu"},
		{Field: "property hw_disk_bus", From: "virtio", To: nil},
	}
	if diff := cmp.Diff(wantChanges, pv.Changes); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
	if got := fc.Calls("GET", toolstest.ImagePrefix+"/images/"+imgID); got != 1 {
		t.Errorf("preflight and dry run read the image %d times, want once", got)
	}
	res, err := is.Run(t.Context(), env, args)
	if err != nil {
		t.Fatal(err)
	}
	undo := is.Undo(args, res)
	want := `{"image":"` + imgID + `","name":"cirros","min_disk":0,"property":{"hw_disk_bus":"virtio","os_distro":"cirros"},"remove_property":["hw_rng_model"],"protected":false}`
	if undo == nil || undo.Tool != "image.set" || string(undo.Args) != want {
		t.Errorf("undo = %+v\nwant args %s", undo, want)
	}
}

func TestSetCheckFindings(t *testing.T) {
	tests := []struct {
		name  string
		args  SetArgs
		block string
		warn  string
	}{
		{name: "nothing changes", args: SetArgs{Image: imgID, MinRAM: ptr(64)}, warn: "already has these values; nothing changes"},
		{name: "standard field", args: SetArgs{Image: imgID, Property: map[string]string{"status": "active"}}, block: "status is a standard image field"},
		{name: "absent property", args: SetArgs{Image: imgID, Name: ptr("x"), RemoveProperty: []string{"nope"}}, warn: "image cirros has no property nope to remove"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := toolstest.New(t)
			fc.Handle("GET", toolstest.ImagePrefix+"/images/"+imgID, http.StatusOK, fmt.Sprintf(imageBody, "active", false))
			chk, err := toolstest.Tool(t, Tools(), "image.set").Check(cloud.WithReadOnly(t.Context()), fc.Env(), tools.JSON(tt.args))
			if err != nil {
				t.Fatal(err)
			}
			wantFindings(t, chk, tt.block, tt.warn)
		})
	}
}

func TestDeactivateReactivate(t *testing.T) {
	tests := []struct {
		tool, status, block, undo string
	}{
		{tool: "image.deactivate", status: "active", undo: "image.reactivate"},
		{tool: "image.deactivate", status: "queued", block: "image cirros is queued; deactivate needs it to be active", undo: "image.reactivate"},
		{tool: "image.reactivate", status: "deactivated", undo: "image.deactivate"},
		{tool: "image.reactivate", status: "active", block: "reactivate needs it to be deactivated", undo: "image.deactivate"},
	}
	for _, tt := range tests {
		t.Run(tt.tool+" "+tt.status, func(t *testing.T) {
			fc := toolstest.New(t)
			fc.Handle("GET", toolstest.ImagePrefix+"/images/"+imgID, http.StatusOK, fmt.Sprintf(imageBody, tt.status, false))
			verb := strings.TrimPrefix(tt.tool, "image.")
			actionPath := toolstest.ImagePrefix + "/images/" + imgID + "/actions/" + verb
			fc.Handle("POST", actionPath, http.StatusNoContent, "")
			env := fc.Env()
			tl := toolstest.Tool(t, Tools(), tt.tool)
			args := tools.JSON(ImageArgs{Image: imgID})
			chk, err := tl.Check(cloud.WithReadOnly(t.Context()), env, args)
			if err != nil {
				t.Fatal(err)
			}
			if got := findings(chk, tools.Block); (tt.block == "") != (got == "") || !strings.Contains(got, tt.block) {
				t.Errorf("blocks %q, want %q", got, tt.block)
			}
			pv, err := tl.Preview(cloud.WithReadOnly(t.Context()), env, args, chk)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]tools.Request{{Method: "POST", URL: fc.Server.URL + actionPath}}, pv.Requests); diff != "" {
				t.Errorf("preview (-want +got):\n%s", diff)
			}
			res, err := tl.Run(t.Context(), env, args)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.RequestIDs) != 1 {
				t.Errorf("request IDs = %v", res.RequestIDs)
			}
			if undo := tl.Undo(args, res); undo.Tool != tt.undo || string(undo.Args) != string(args) {
				t.Errorf("undo = %+v", undo)
			}
		})
	}
}

func TestDelete(t *testing.T) {
	tests := []struct {
		name      string
		protected bool
		servers   string
		block     string
		warn      string
		deletes   []tools.Dependent
	}{
		{name: "unused", servers: `{"servers": []}`,
			deletes: []tools.Dependent{{Kind: Kind, ID: imgID, Name: "cirros", Fate: "deleted with its data"}}},
		{name: "protected", protected: true, servers: `{"servers": []}`, block: "image cirros is protected; unprotect it first with /image set cirros --no-protected",
			deletes: []tools.Dependent{{Kind: Kind, ID: imgID, Name: "cirros", Fate: "deleted with its data"}}},
		{name: "in use", servers: `{"servers": [{"id": "s2", "name": "web-2"}, {"id": "s1", "name": "web-1"}]}`,
			warn: "2 server(s) were booted from image cirros: web-1, web-2; they keep running, but rebuilding them will need another image",
			deletes: []tools.Dependent{
				{Kind: Kind, ID: imgID, Name: "cirros", Fate: "deleted with its data"},
				{Kind: "server", ID: "s2", Name: "web-2", Fate: "keeps running; a rebuild needs another image"},
				{Kind: "server", ID: "s1", Name: "web-1", Fate: "keeps running; a rebuild needs another image"},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := toolstest.New(t)
			fc.Handle("GET", toolstest.ImagePrefix+"/images/"+imgID, http.StatusOK, fmt.Sprintf(imageBody, "active", tt.protected))
			fc.HandleFunc("GET", toolstest.ComputePrefix+"/servers", func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Query().Get("image") != imgID {
					t.Errorf("servers query = %s", r.URL.RawQuery)
				}
				w.Header().Set("Content-Type", "application/json")
				_, _ = io.WriteString(w, tt.servers)
			})
			fc.Handle("DELETE", toolstest.ImagePrefix+"/images/"+imgID, http.StatusNoContent, "")
			env := fc.Env()
			del := toolstest.Tool(t, Tools(), "image.delete")
			if del.Effect != tools.Destroy || del.Undo != nil {
				t.Errorf("effect %v, undo %v", del.Effect, del.Undo != nil)
			}
			args := tools.JSON(ImageArgs{Image: imgID})
			chk, err := del.Check(cloud.WithReadOnly(t.Context()), env, args)
			if err != nil {
				t.Fatal(err)
			}
			wantFindings(t, chk, tt.block, tt.warn)
			pv, err := del.Preview(cloud.WithReadOnly(t.Context()), env, args, chk)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.deletes, pv.Deletes); diff != "" {
				t.Errorf("deletes (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]tools.Request{{Method: "DELETE", URL: fc.Server.URL + toolstest.ImagePrefix + "/images/" + imgID}}, pv.Requests); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
			res, err := del.Run(t.Context(), env, args)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]string{"req-image-v2-images-" + imgID}, res.RequestIDs); diff != "" {
				t.Errorf("request IDs (-want +got):\n%s", diff)
			}
		})
	}
}
