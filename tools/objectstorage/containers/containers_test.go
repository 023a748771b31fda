package containers

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/internal/cloud"
	"github.com/kriscelmer/os-tui/tools"
	swift "github.com/kriscelmer/os-tui/tools/objectstorage"
	"github.com/kriscelmer/os-tui/tools/toolstest"
)

const prefix = "/object/v1/AUTH_p"

// info is a devcloud-like /info: no container_quotas unless asked.
const info = `{"swift": {"version": "2.30.1", "max_file_size": 5368709122, "max_container_name_length": 256,
	"policies": [{"name": "Policy-0", "aliases": "Policy-0", "default": true}, {"name": "cold", "aliases": "cold, archive"}]},
	"slo": {"max_manifest_segments": 1000, "min_segment_size": 1}, "bulk_delete": {"max_deletes_per_request": 2},
	"versioned_writes": {"allowed_flags": ["x-versions-location", "x-history-location"]}, "object_versioning": {}, "tempurl": {}%s}`

func fakeSwift(t *testing.T) *toolstest.Cloud {
	fc := toolstest.New(t)
	fc.Caps.Services[swift.Service] = cloud.Service{Type: swift.Service, Name: "swift", Endpoint: fc.Server.URL + prefix + "/", Version: "v1", Region: "RegionOne"}
	return fc
}

func withInfo(fc *toolstest.Cloud, extra string) {
	fc.Optional("GET", "/object/info", http.StatusOK, fmt.Sprintf(info, extra))
}

// headContainer answers HEAD of a container with headers, or 404 when nil.
func headContainer(fc *toolstest.Cloud, name string, h map[string]string) {
	fc.HandleFunc("HEAD", prefix+"/"+name, func(w http.ResponseWriter, r *http.Request) {
		if h == nil {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		w.Header().Set("X-Container-Object-Count", "0")
		w.Header().Set("X-Container-Bytes-Used", "0")
		for k, v := range h {
			w.Header().Set(k, v)
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

func blocks(chk *tools.Check) string {
	var out []string
	for _, f := range chk.Findings {
		if f.Level == tools.Block {
			out = append(out, f.Text)
		}
	}
	return strings.Join(out, "\n")
}

func findings(chk *tools.Check, level tools.Level) string {
	var out []string
	for _, f := range chk.Findings {
		if f.Level == level {
			out = append(out, f.Text)
		}
	}
	return strings.Join(out, "\n")
}

func TestSchemas(t *testing.T) {
	reg := toolstest.Registry(t, Tools())
	tests := []struct {
		tool string
		args string
		ok   bool
	}{
		{"container.create", `{"name": "photos", "public": true, "storage_policy": "cold"}`, true},
		{"container.create", `{}`, false},
		{"container.delete", `{"container": "photos", "recursive": true}`, true},
		{"container.set", `{"container": "photos"}`, false},
		{"container.set", `{"container": "photos", "read_acl": "", "quota_bytes": "10G", "property": {"owner": ""}}`, true},
		{"container.set", `{"container": "photos", "quota_bytes": "ten"}`, false},
		{"container.set", `{"container": "photos", "property": {"bad key": "x"}}`, false},
		{"container.unset", `{"container": "photos", "cors": true}`, true},
		{"container.unset", `{"container": "photos"}`, false},
		{"container.list", `{"prefix": "ph", "limit": 5}`, true},
	}
	for _, tt := range tests {
		if err := reg.Validate(tt.tool, json.RawMessage(tt.args)); (err == nil) != tt.ok {
			t.Errorf("%s %s: err = %v, want ok=%t", tt.tool, tt.args, err, tt.ok)
		}
	}
}

func TestListAndShow(t *testing.T) {
	fc := fakeSwift(t)
	fc.HandleFunc("GET", prefix+"/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("prefix") != "ph" {
			t.Errorf("query %s", r.URL.RawQuery)
		}
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Query().Get("marker") != "" {
			fmt.Fprint(w, `[]`)
			return
		}
		fmt.Fprint(w, `[{"name": "photos", "count": 3, "bytes": 1024}, {"name": "phones", "count": 0, "bytes": 0}]`)
	})
	res, err := toolstest.Run(t, fc.Env(), Tools(), "container.list", ListArgs{Prefix: "ph"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([][]any{{"photos", int64(1024), int64(3)}, {"phones", int64(0), int64(0)}}, res.List.Rows); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}

	headContainer(fc, "photos", map[string]string{"X-Container-Object-Count": "3", "X-Container-Read": PublicACL,
		"X-Container-Meta-Owner": "ops", "X-Container-Meta-Temp-Url-Key": "CANARY", "X-Container-Meta-Quota-Bytes": "100",
		"X-Container-Meta-Access-Control-Allow-Origin": "https://a.example", "X-History-Location": "photos-old", "X-Storage-Policy": "cold"})
	res, err = toolstest.Run(t, fc.Env(), Tools(), "container.show", ShowArgs{Container: "photos"})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(res.Record)
	if strings.Contains(string(b), "CANARY") {
		t.Errorf("the container's temp URL key leaked: %s", b)
	}
	for field, want := range map[string]any{
		"account": "AUTH_p", "object_count": int64(3), "public": true, "quota_bytes": "100", "storage_policy": "cold",
		"cors_allow_origin": "https://a.example", "versioning": "history kept in photos-old", "temp_url_key": "set",
		"properties": map[string]string{"Owner": "ops", "Temp-Url-Key": "<redacted>"},
	} {
		if diff := cmp.Diff(want, res.Record.Get(field)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", field, diff)
		}
	}

	_, err = toolstest.Run(t, fc.Env(), Tools(), "container.show", ShowArgs{Container: "a/b"})
	if err == nil || !strings.Contains(err.Error(), "contains '/'") {
		t.Errorf("a name with / gave %v", err)
	}
}

func TestCreate(t *testing.T) {
	tests := []struct {
		name, args  string
		exists      bool
		block, warn string
		headers     map[string]string
	}{
		{name: "private", args: `{"name": "photos"}`, headers: map[string]string{}},
		{name: "public with policy alias", args: `{"name": "photos", "public": true, "storage_policy": "archive"}`,
			warn: "container photos will be public", headers: map[string]string{"X-Container-Read": PublicACL, "X-Storage-Policy": "cold"}},
		{name: "exists", args: `{"name": "photos"}`, exists: true, block: "container photos already exists (0 objects, 0 bytes); change it with /container set photos"},
		{name: "slash", args: `{"name": "a/b"}`, block: "contains '/'"},
		{name: "unknown policy", args: `{"name": "photos", "storage_policy": "gold"}`, block: `this cluster has no storage policy "gold"; it has Policy-0 (default), cold`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := fakeSwift(t)
			withInfo(fc, "")
			if tt.name != "slash" {
				if tt.exists {
					headContainer(fc, "photos", map[string]string{})
				} else {
					headContainer(fc, "photos", nil)
				}
			}
			tl := toolstest.Tool(t, Tools(), "container.create")
			ro := cloud.WithReadOnly(t.Context())
			chk, err := tl.Check(ro, fc.Env(), json.RawMessage(tt.args))
			if err != nil {
				t.Fatal(err)
			}
			if got := blocks(chk); (tt.block == "") != (got == "") || !strings.Contains(got, tt.block) {
				t.Errorf("blocks %q, want %q", got, tt.block)
			}
			if got := findings(chk, tools.Warn); !strings.Contains(got, tt.warn) {
				t.Errorf("warnings %q, want %q", got, tt.warn)
			}
			if tt.headers == nil {
				return
			}
			pv, err := tl.Preview(ro, fc.Env(), chk.Resolved, chk)
			if err != nil {
				t.Fatal(err)
			}
			want := []tools.Request{{Method: "PUT", URL: fc.Server.URL + prefix + "/photos"}}
			if len(tt.headers) > 0 {
				want[0].Body = map[string]any{"headers": tt.headers}
			}
			if diff := cmp.Diff(want, pv.Requests); diff != "" {
				t.Errorf("preview (-want +got):\n%s", diff)
			}
			fc.HandleFunc("PUT", prefix+"/photos", func(w http.ResponseWriter, r *http.Request) {
				for k, v := range tt.headers {
					if r.Header.Get(k) != v {
						t.Errorf("%s = %q, want %q", k, r.Header.Get(k), v)
					}
				}
				w.WriteHeader(http.StatusCreated)
			})
			res, err := tl.Run(t.Context(), fc.Env(), chk.Resolved)
			if err != nil || !strings.HasPrefix(res.Message, "container photos created") {
				t.Errorf("run: %v, %+v", err, res)
			}
			undo := Tools()[2].Undo(chk.Resolved, res)
			if undo == nil || undo.Tool != "container.delete" {
				t.Errorf("undo = %+v", undo)
			}
		})
	}
}

func TestDeleteCheck(t *testing.T) {
	listing := `[{"name": "a.txt", "bytes": 10, "hash": "h"}, {"name": "big.iso", "bytes": 3000, "hash": "m", "slo_etag": "\"s\""}, {"name": "c", "bytes": 5, "hash": "h"}]`
	tests := []struct {
		name      string
		args      DeleteArgs
		objects   int
		block     string
		warn      string
		wantReqs  []string
		wantGones []string
	}{
		{name: "empty", args: DeleteArgs{Container: "photos"}, wantReqs: []string{"DELETE /photos"}, wantGones: []string{"container photos"}},
		{name: "not empty", args: DeleteArgs{Container: "photos"}, objects: 3,
			block: "container photos holds 3 objects (2.9 KiB); add --recursive to delete them with it"},
		{name: "recursive", args: DeleteArgs{Container: "photos", Recursive: true}, objects: 3,
			warn:      "deletes 3 objects (2.9 KiB) in photos, then the container; objects cannot be recovered; the large object among them takes its segments with it",
			wantReqs:  []string{"DELETE /photos/big.iso?multipart-manifest=delete", "POST /?bulk-delete=true", "DELETE /photos"},
			wantGones: []string{"objects 3 objects (2.9 KiB)", "segments of 1 large object", "container photos"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := fakeSwift(t)
			withInfo(fc, "")
			headContainer(fc, "photos", map[string]string{"X-Container-Object-Count": fmt.Sprint(tt.objects), "X-Container-Bytes-Used": "1125"})
			if tt.objects > 0 {
				fc.HandleFunc("GET", prefix+"/photos", func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Content-Type", "application/json")
					if r.URL.Query().Get("marker") != "" {
						fmt.Fprint(w, `[]`)
						return
					}
					fmt.Fprint(w, listing)
				})
			}
			tl := toolstest.Tool(t, Tools(), "container.delete")
			ro := cloud.WithReadOnly(t.Context())
			chk, err := tl.Check(ro, fc.Env(), tools.JSON(tt.args))
			if err != nil {
				t.Fatal(err)
			}
			if got := blocks(chk); (tt.block == "") != (got == "") || !strings.Contains(got, tt.block) {
				t.Errorf("blocks %q, want %q", got, tt.block)
			}
			if got := findings(chk, tools.Warn); !strings.Contains(got, tt.warn) {
				t.Errorf("warnings %q, want %q", got, tt.warn)
			}
			if tt.block != "" {
				return
			}
			pv, err := tl.Preview(ro, fc.Env(), tools.JSON(tt.args), chk)
			if err != nil {
				t.Fatal(err)
			}
			var reqs, gones []string
			for _, r := range pv.Requests {
				reqs = append(reqs, r.Method+" "+strings.TrimPrefix(r.URL, fc.Server.URL+prefix))
			}
			for _, d := range pv.Deletes {
				gones = append(gones, d.Kind+" "+d.Name)
			}
			if diff := cmp.Diff(tt.wantReqs, reqs); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantGones, gones); diff != "" {
				t.Errorf("deletes (-want +got):\n%s", diff)
			}
		})
	}
}

type recorder struct {
	statuses []string
	done     int64
}

func (r *recorder) Status(s string)     { r.statuses = append(r.statuses, s) }
func (r *recorder) Bytes(done, _ int64) { r.done = done }
func (r *recorder) String() string      { return strings.Join(r.statuses, "\n") }

func TestDeleteRecursiveRun(t *testing.T) {
	fc := fakeSwift(t)
	withInfo(fc, "")
	fc.HandleFunc("GET", prefix+"/photos", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Query().Get("marker") != "" {
			fmt.Fprint(w, `[]`)
			return
		}
		fmt.Fprint(w, `[{"name": "a", "bytes": 1}, {"name": "b", "bytes": 2}, {"name": "big", "bytes": 30, "slo_etag": "x"}, {"name": "c", "bytes": 3}]`)
	})
	fc.Handle("DELETE", prefix+"/photos/big", http.StatusOK, `{"Number Deleted": 3, "Errors": []}`)
	var batches []string
	fc.HandleFunc("POST", prefix+"/", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		batches = append(batches, string(b))
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"Number Deleted": 2, "Errors": []}`)
	})
	conflicts := 0
	fc.HandleFunc("DELETE", prefix+"/photos", func(w http.ResponseWriter, r *http.Request) {
		// Swift may still count the objects for a moment.
		if conflicts == 0 {
			conflicts++
			w.WriteHeader(http.StatusConflict)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	headContainer(fc, "photos_segments", map[string]string{})
	env := fc.Env()
	rec := &recorder{}
	env.Progress = rec
	res, err := toolstest.Tool(t, Tools(), "container.delete").Run(t.Context(), env, tools.JSON(DeleteArgs{Container: "photos", Recursive: true}))
	if err != nil {
		t.Fatal(err)
	}
	// max_deletes_per_request is 2 in the fake /info.
	if diff := cmp.Diff([]string{"photos/a\nphotos/b\n", "photos/c\n"}, batches); diff != "" {
		t.Errorf("bulk batches (-want +got):\n%s", diff)
	}
	want := "container photos deleted with 4 objects (36 bytes); photos_segments, which held the segments, is empty now (/container delete photos_segments removes it)"
	if res.Message != want {
		t.Errorf("message = %q", res.Message)
	}
	if rec.done != 36 || !strings.Contains(rec.String(), "deleting 4 objects in photos") {
		t.Errorf("progress %q, %d bytes", rec, rec.done)
	}
}

func TestSetCheck(t *testing.T) {
	tests := []struct {
		name    string
		args    string
		have    map[string]string
		extra   string // more /info
		block   string
		warn    string
		headers map[string]string
		changes []string
		exists  map[string]bool
	}{
		{name: "property, ACL and CORS", args: `{"container": "photos", "property": {"owner": "ops", "team": ""}, "read_acl": ".r:*,.rlistings", "cors_allow_origin": "*"}`,
			have: map[string]string{"X-Container-Meta-Team": "blue"},
			warn: "container photos becomes public",
			headers: map[string]string{"X-Container-Meta-owner": "ops", "X-Container-Meta-team": "", "X-Container-Read": ".r:*,.rlistings",
				"X-Container-Meta-Access-Control-Allow-Origin": "*"},
			changes: []string{"property owner:  → ops", "property team: blue → (removed)", "read_acl:  → .r:*,.rlistings", "cors_allow_origin:  → *"}},
		{name: "quota without the middleware", args: `{"container": "photos", "quota_bytes": "1M"}`,
			block: "does not run the container_quotas middleware"},
		{name: "quota below what it holds", args: `{"container": "photos", "quota_bytes": "1K", "quota_count": "2"}`, extra: `, "container_quotas": {}`,
			have:    map[string]string{"X-Container-Bytes-Used": "5000", "X-Container-Object-Count": "3"},
			warn:    "already holds 4.9 KiB, more than the quota",
			headers: map[string]string{"X-Container-Meta-Quota-Bytes": "1024", "X-Container-Meta-Quota-Count": "2"},
			changes: []string{"quota_bytes:  → 1024", "quota_count:  → 2"}},
		{name: "versions location that does not exist", args: `{"container": "photos", "versions_location": "old"}`,
			exists: map[string]bool{"old": false}, block: "container old, where old versions would go, does not exist; create it first with /container create old"},
		{name: "versions location of itself", args: `{"container": "photos", "history_location": "photos"}`,
			block: "container photos cannot keep its own old versions"},
		{name: "both locations", args: `{"container": "photos", "versions_location": "a", "history_location": "b"}`,
			exists: map[string]bool{"a": true, "b": true}, block: "give a versions location or a history location, not both"},
		{name: "versioning while a location is set", args: `{"container": "photos", "versioning": true}`,
			have: map[string]string{"X-Versions-Location": "old"}, block: "remove that with /container unset photos --versions-location first"},
		{name: "nothing changes", args: `{"container": "photos", "write_acl": "p:u"}`,
			have: map[string]string{"X-Container-Write": "p:u"}, block: "container photos already has these settings; nothing to change"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := fakeSwift(t)
			withInfo(fc, tt.extra)
			have := tt.have
			if have == nil {
				have = map[string]string{}
			}
			headContainer(fc, "photos", have)
			for name, ok := range tt.exists {
				if ok {
					headContainer(fc, name, map[string]string{})
				} else {
					headContainer(fc, name, nil)
				}
			}
			tl := toolstest.Tool(t, Tools(), "container.set")
			ro := cloud.WithReadOnly(t.Context())
			chk, err := tl.Check(ro, fc.Env(), json.RawMessage(tt.args))
			if err != nil {
				t.Fatal(err)
			}
			if got := blocks(chk); (tt.block == "") != (got == "") || !strings.Contains(got, tt.block) {
				t.Errorf("blocks %q, want %q", got, tt.block)
			}
			if got := findings(chk, tools.Warn); !strings.Contains(got, tt.warn) {
				t.Errorf("warnings %q, want %q", got, tt.warn)
			}
			if tt.headers == nil {
				return
			}
			pv, err := tl.Preview(ro, fc.Env(), json.RawMessage(tt.args), chk)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(map[string]any{"headers": tt.headers}, pv.Requests[0].Body, cmp.Transformer("h", func(h map[string]string) map[string]string { return h })); diff != "" {
				t.Errorf("headers (-want +got):\n%s", diff)
			}
			var changes []string
			for _, c := range pv.Changes {
				changes = append(changes, fmt.Sprintf("%s: %v → %v", c.Field, c.From, c.To))
			}
			if diff := cmp.Diff(tt.changes, changes); diff != "" {
				t.Errorf("changes (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSetRunAndUndo(t *testing.T) {
	fc := fakeSwift(t)
	withInfo(fc, "")
	headContainer(fc, "photos", map[string]string{"X-Container-Read": ".r:*", "X-Container-Meta-Owner": "ops"})
	fc.HandleFunc("POST", prefix+"/photos", func(w http.ResponseWriter, r *http.Request) {
		// An empty header is how Swift is told to remove a setting.
		if v, ok := r.Header["X-Container-Read"]; !ok || v[0] != "" {
			t.Errorf("X-Container-Read = %v, %t", v, ok)
		}
		if r.Header.Get("X-Container-Meta-Owner") != "dev" || r.Header.Get("X-Container-Meta-Quota-Count") != "7" {
			t.Errorf("headers %v", r.Header)
		}
		w.WriteHeader(http.StatusNoContent)
	})
	reg := toolstest.Registry(t, Tools())
	args := json.RawMessage(`{"container": "photos", "read_acl": "", "property": {"Owner": "dev"}, "quota_count": "7"}`)
	res, err := toolstest.Tool(t, Tools(), "container.set").Run(t.Context(), fc.Env(), args)
	if err != nil {
		t.Fatal(err)
	}
	if res.Message != "container photos updated: property Owner, read_acl, quota_count" {
		t.Errorf("message = %q", res.Message)
	}
	tl, _ := reg.Lookup("container.set")
	undo := tl.Undo(args, res)
	if undo == nil {
		t.Fatal("no undo")
	}
	if err := reg.Validate(undo.Tool, undo.Args); err != nil {
		t.Errorf("undo %s does not fit the schema: %v", undo.Args, err)
	}
	want := `{"container":"photos","property":{"Owner":"ops"},"read_acl":".r:*","quota_count":""}`
	if string(undo.Args) != want {
		t.Errorf("undo args = %s, want %s", undo.Args, want)
	}
}

func TestUnset(t *testing.T) {
	fc := fakeSwift(t)
	withInfo(fc, "")
	headContainer(fc, "photos", map[string]string{"X-Container-Meta-Owner": "ops", "X-Container-Meta-Access-Control-Max-Age": "60"})
	tl := toolstest.Tool(t, Tools(), "container.unset")
	ro := cloud.WithReadOnly(t.Context())
	chk, err := tl.Check(ro, fc.Env(), json.RawMessage(`{"container": "photos", "property": ["owner", "nope"], "cors": true, "quota": true}`))
	if err != nil {
		t.Fatal(err)
	}
	want := "container photos has no property \"nope\"\ncontainer photos has no quota"
	if got := blocks(chk); got != want {
		t.Errorf("blocks %q, want %q", got, want)
	}
	chk, err = tl.Check(ro, fc.Env(), json.RawMessage(`{"container": "photos", "property": ["owner"], "cors": true}`))
	if err != nil || chk.Blocked() {
		t.Fatalf("%v %+v", err, chk)
	}
	pv, err := tl.Preview(ro, fc.Env(), json.RawMessage(`{"container": "photos", "property": ["owner"], "cors": true}`), chk)
	if err != nil {
		t.Fatal(err)
	}
	wantBody := map[string]any{"headers": map[string]string{"X-Container-Meta-owner": "", "X-Container-Meta-Access-Control-Max-Age": ""}}
	if diff := cmp.Diff(wantBody, pv.Requests[0].Body); diff != "" {
		t.Errorf("body (-want +got):\n%s", diff)
	}
}
