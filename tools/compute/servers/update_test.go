package servers

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/internal/cloud"
	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/toolstest"
)

const id = "9e5476bd-a4ec-4653-93d6-72c93aa682ba"

var serverPath = toolstest.ComputePrefix + "/servers/" + id

// fixture is a server as Nova shows it at 2.79.
type fixture struct {
	status, task string
	locked       bool
	metadata     map[string]string
	tags         []string
	volumes      string // raw JSON array
}

func (f fixture) json() string {
	if f.status == "" {
		f.status = "ACTIVE"
	}
	task := "null"
	if f.task != "" {
		task = fmt.Sprintf("%q", f.task)
	}
	md, _ := json.Marshal(f.metadata)
	if f.metadata == nil {
		md = []byte("{}")
	}
	tags, _ := json.Marshal(f.tags)
	if f.tags == nil {
		tags = []byte("[]")
	}
	vols := f.volumes
	if vols == "" {
		vols = "[]"
	}
	return fmt.Sprintf(`{"server": {"id": %q, "name": "web-1", "status": %q, "OS-EXT-STS:task_state": %s, "locked": %t, "locked_reason": null,
		"metadata": %s, "tags": %s, "os-extended-volumes:volumes_attached": %s}}`, id, f.status, task, f.locked, md, tags, vols)
}

func findings(chk *tools.Check, l tools.Level) []string {
	var out []string
	for _, f := range chk.Findings {
		if f.Level == l {
			out = append(out, f.Text)
		}
	}
	return out
}

// wantFindings compares the block and warn findings with the wanted
// substrings ("" wants none).
func wantFindings(t *testing.T, chk *tools.Check, wantBlock, wantWarn string) {
	t.Helper()
	for _, c := range []struct {
		level tools.Level
		want  string
	}{{tools.Block, wantBlock}, {tools.Warn, wantWarn}} {
		got := findings(chk, c.level)
		switch {
		case c.want == "" && len(got) > 0:
			t.Errorf("%s: %v", c.level, got)
		case c.want != "" && (len(got) == 0 || !strings.Contains(strings.Join(got, "\n"), c.want)):
			t.Errorf("%s findings %v, want one containing %q", c.level, got, c.want)
		}
	}
}

// request is one request the fake cloud saw.
type request struct {
	Method, Path, Body string
}

// record stubs METHOD path, answering status and body, and appends each
// request to seen.
func recordRequest(fc *toolstest.Cloud, seen *[]request, method, path string, status int, body string) {
	fc.HandleFunc(method, path, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		*seen = append(*seen, request{Method: r.Method, Path: r.URL.EscapedPath(), Body: string(b)})
		w.Header().Set("X-Openstack-Request-Id", "req-"+strings.ToLower(method)+fmt.Sprint(len(*seen)))
		if body != "" {
			w.Header().Set("Content-Type", "application/json")
		}
		w.WriteHeader(status)
		fmt.Fprint(w, body)
	})
}

func previewBodies(t *testing.T, pv *tools.Preview) []request {
	t.Helper()
	var out []request
	for _, r := range pv.Requests {
		body := ""
		if r.Body != nil {
			b, err := json.Marshal(r.Body)
			if err != nil {
				t.Fatal(err)
			}
			body = string(b)
		}
		out = append(out, request{Method: r.Method, Path: r.URL, Body: body})
	}
	return out
}

func readOnlyCheck(t *testing.T, tl tools.Tool, env *tools.Env, args string) *tools.Check {
	t.Helper()
	chk, err := tl.Check(cloud.WithReadOnly(t.Context()), env, json.RawMessage(args))
	if err != nil {
		t.Fatal(err)
	}
	return chk
}

func TestRename(t *testing.T) {
	tests := []struct {
		name, newName string
		srv           fixture
		wantBlock     string
	}{
		{name: "new name", newName: "web-2"},
		{name: "locked and shut off: Nova renames it anyway", newName: "web-2", srv: fixture{status: "SHUTOFF", locked: true}},
		{name: "same name", newName: "web-1", wantBlock: `server ` + id + ` is already named "web-1"; give a different name`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := toolstest.New(t)
			fc.Handle("GET", serverPath, http.StatusOK, tt.srv.json())
			chk := readOnlyCheck(t, toolstest.Tool(t, Tools(), "server.rename"), fc.Env(), `{"server": "`+id+`", "name": "`+tt.newName+`"}`)
			wantFindings(t, chk, tt.wantBlock, "")
			if diff := cmp.Diff([]tools.Target{{Kind: "server", ID: id, Name: "web-1"}}, chk.Targets); diff != "" {
				t.Errorf("targets (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(`{"server":"`+id+`","name":"`+tt.newName+`"}`, string(chk.Resolved)); diff != "" {
				t.Errorf("resolved (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRenamePreviewRunUndo(t *testing.T) {
	fc := toolstest.New(t)
	var seen []request
	fc.Handle("GET", serverPath, http.StatusOK, fixture{}.json())
	recordRequest(fc, &seen, "PUT", serverPath, http.StatusOK, `{"server": {"id": "`+id+`", "name": "web-2"}}`)
	env := fc.Env()
	rename := toolstest.Tool(t, Tools(), "server.rename")
	args := json.RawMessage(`{"server": "` + id + `", "name": "web-2"}`)
	chk := &tools.Check{Targets: []tools.Target{{Kind: "server", ID: id, Name: "web-1"}}}
	pv, err := rename.Preview(cloud.WithReadOnly(t.Context()), env, args, chk)
	if err != nil {
		t.Fatal(err)
	}
	want := []request{{Method: "PUT", Path: fc.Server.URL + serverPath, Body: `{"server":{"name":"web-2"}}`}}
	if diff := cmp.Diff(want, previewBodies(t, pv)); diff != "" {
		t.Errorf("preview (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]tools.FieldChange{{Field: "name", From: "web-1", To: "web-2"}}, pv.Changes); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
	res, err := rename.Run(t.Context(), env, args)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]request{{Method: "PUT", Path: serverPath, Body: `{"server":{"name":"web-2"}}`}}, seen); diff != "" {
		t.Errorf("sent (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]string{"id": id, "name": "web-2", "old_name": "web-1"}, res.Outputs); diff != "" {
		t.Errorf("outputs (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"req-put1"}, res.RequestIDs); diff != "" {
		t.Errorf("request IDs (-want +got):\n%s", diff)
	}
	if res.Await != nil {
		t.Errorf("await = %+v, want none", res.Await)
	}
	want2 := &tools.Call{Tool: "server.rename", Args: json.RawMessage(`{"server":"` + id + `","name":"web-1"}`), Why: "undo rename: back to web-1"}
	if diff := cmp.Diff(want2, rename.Undo(args, res)); diff != "" {
		t.Errorf("undo (-want +got):\n%s", diff)
	}
}

func TestSetCheck(t *testing.T) {
	tests := []struct {
		name, args          string
		srv                 fixture
		maxMicroversion     string
		wantBlock, wantWarn string
	}{
		{name: "property on ACTIVE", args: `"property": {"role": "db"}`},
		{name: "property on SHUTOFF", args: `"property": {"role": "db"}`, srv: fixture{status: "SHUTOFF"}},
		{name: "property on PAUSED", args: `"property": {"role": "db"}`, srv: fixture{status: "PAUSED"}},
		{name: "property on SUSPENDED", args: `"property": {"role": "db"}`, srv: fixture{status: "SUSPENDED"}},
		{name: "property on SHELVED_OFFLOADED", args: `"property": {"role": "db"}`, srv: fixture{status: "SHELVED_OFFLOADED"},
			wantBlock: "server web-1 is SHELVED_OFFLOADED; properties can change only when it is ACTIVE or PAUSED or SUSPENDED or SHUTOFF"},
		{name: "property while busy", args: `"property": {"role": "db"}`, srv: fixture{task: "rebooting"},
			wantBlock: "server web-1 is ACTIVE and busy (rebooting); properties can change only when the task finishes"},
		{name: "property when locked", args: `"property": {"role": "db"}`, srv: fixture{locked: true},
			wantBlock: "server web-1 is locked; unlock it first with /server unlock web-1"},
		{name: "tag when locked", args: `"tag": ["blue"]`, srv: fixture{locked: true}},
		{name: "tag on ERROR", args: `"tag": ["blue"]`, srv: fixture{status: "ERROR"},
			wantBlock: "server web-1 is ERROR; tags can change only when it is ACTIVE or PAUSED or SUSPENDED or SHUTOFF"},
		{name: "both on ERROR", args: `"tag": ["blue"], "property": {"a": "b"}`, srv: fixture{status: "ERROR"},
			wantBlock: "properties and tags can change only when"},
		{name: "tag on an old cloud", args: `"tag": ["blue"]`, maxMicroversion: "2.25",
			wantBlock: "this cloud's compute API has microversions up to 2.25; server tags need 2.26 or later"},
		{name: "property on an old cloud", args: `"property": {"role": "db"}`, maxMicroversion: "2.25"},
		{name: "same value", args: `"property": {"role": "db", "tier": "2"}`, srv: fixture{metadata: map[string]string{"role": "db"}},
			wantWarn: "server web-1 already has property role=db; setting it changes nothing"},
		{name: "existing tag", args: `"tag": ["blue", "red"]`, srv: fixture{tags: []string{"blue"}},
			wantWarn: "server web-1 already has tag blue; adding it changes nothing"},
		{name: "too many tags", args: `"tag": ["t49", "t50", "t51"]`, srv: fixture{tags: manyTags(49)},
			wantBlock: "server web-1 has 49 tags and a server holds at most 50; adding 2 is too many",
			wantWarn:  "server web-1 already has tag t49; adding it changes nothing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := toolstest.New(t)
			fc.Handle("GET", serverPath, http.StatusOK, tt.srv.json())
			if tt.maxMicroversion != "" {
				svc := fc.Caps.Services["compute"]
				svc.MaxMicroversion = tt.maxMicroversion
				fc.Caps.Services["compute"] = svc
			}
			args := `{"server": "` + id + `"`
			if tt.args != "" {
				args += ", " + tt.args
			}
			chk := readOnlyCheck(t, toolstest.Tool(t, Tools(), "server.set"), fc.Env(), args+"}")
			wantFindings(t, chk, tt.wantBlock, tt.wantWarn)
			if !strings.HasPrefix(chk.State, "status=") {
				t.Errorf("state = %q", chk.State)
			}
		})
	}
}

// manyTags returns n tags t1 … tn.
func manyTags(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("t%d", i+1)
	}
	return out
}

func TestSetPreviewRunUndo(t *testing.T) {
	tests := []struct {
		name, args   string
		srv          fixture
		wantRequests []request // paths relative to the compute prefix
		wantChanges  []tools.FieldChange
		wantOutputs  map[string]string
		wantUndo     *tools.Call
	}{
		{
			name: "new and changed properties and a new tag",
			args: `"property": {"role": "db", "tier": "2", "same": "x"}, "tag": ["blue", "old"]`,
			srv:  fixture{metadata: map[string]string{"role": "web", "same": "x"}, tags: []string{"old"}},
			wantRequests: []request{
				{Method: "POST", Path: "/servers/" + id + "/metadata", Body: `{"metadata":{"role":"db","same":"x","tier":"2"}}`},
				{Method: "PUT", Path: "/servers/" + id + "/tags/blue"},
			},
			wantChanges: []tools.FieldChange{
				{Field: "properties.role", From: "web", To: "db"},
				{Field: "properties.tier", From: nil, To: "2"},
				{Field: "tags", From: []string{"old"}, To: []string{"old", "blue"}},
			},
			wantOutputs: map[string]string{"id": id, "name": "web-1", "old_properties": `{"role":"web"}`, "new_properties": `["tier"]`, "new_tags": `["blue"]`},
			wantUndo: &tools.Call{Tool: "server.set", Args: json.RawMessage(`{"server":"` + id + `","property":{"role":"web"}}`),
				Why: "undo set: restore the previous values of role; the added properties tier and tags blue stay (remove them with /server unset)"},
		},
		{
			name:         "only new",
			args:         `"property": {"tier": "2"}, "tag": ["a b"]`,
			wantRequests: []request{{Method: "POST", Path: "/servers/" + id + "/metadata", Body: `{"metadata":{"tier":"2"}}`}, {Method: "PUT", Path: "/servers/" + id + "/tags/a%20b"}},
			wantChanges:  []tools.FieldChange{{Field: "properties.tier", From: nil, To: "2"}, {Field: "tags", From: []string{}, To: []string{"a b"}}},
			wantOutputs:  map[string]string{"id": id, "name": "web-1", "old_properties": `{}`, "new_properties": `["tier"]`, "new_tags": `["a b"]`},
			wantUndo: &tools.Call{Tool: "server.unset", Args: json.RawMessage(`{"server":"` + id + `","property":["tier"],"tag":["a b"]}`),
				Why: "undo set: remove what it added"},
		},
		{
			name:         "only changed",
			args:         `"property": {"role": "db"}`,
			srv:          fixture{metadata: map[string]string{"role": "web"}},
			wantRequests: []request{{Method: "POST", Path: "/servers/" + id + "/metadata", Body: `{"metadata":{"role":"db"}}`}},
			wantChanges:  []tools.FieldChange{{Field: "properties.role", From: "web", To: "db"}},
			wantOutputs:  map[string]string{"id": id, "name": "web-1", "old_properties": `{"role":"web"}`, "new_properties": `[]`, "new_tags": `[]`},
			wantUndo: &tools.Call{Tool: "server.set", Args: json.RawMessage(`{"server":"` + id + `","property":{"role":"web"}}`),
				Why: "undo set: restore the previous values of role"},
		},
		{
			name:         "nothing changes",
			args:         `"property": {"role": "web"}, "tag": ["old"]`,
			srv:          fixture{metadata: map[string]string{"role": "web"}, tags: []string{"old"}},
			wantRequests: []request{{Method: "POST", Path: "/servers/" + id + "/metadata", Body: `{"metadata":{"role":"web"}}`}},
			wantOutputs:  map[string]string{"id": id, "name": "web-1", "old_properties": `{}`, "new_properties": `[]`, "new_tags": `[]`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := toolstest.New(t)
			fc.Handle("GET", serverPath, http.StatusOK, tt.srv.json())
			var seen []request
			for _, r := range tt.wantRequests {
				body := ""
				status := http.StatusNoContent
				if r.Method == "POST" {
					body, status = `{"metadata": {}}`, http.StatusOK
				}
				path, _ := strings.CutSuffix(r.Path, "a%20b")
				if path != r.Path {
					path += "a b" // the fake cloud matches the decoded path
				}
				recordRequest(fc, &seen, r.Method, toolstest.ComputePrefix+path, status, body)
			}
			env := fc.Env()
			set := toolstest.Tool(t, Tools(), "server.set")
			args := json.RawMessage(`{"server": "` + id + `", ` + tt.args + `}`)
			chk := &tools.Check{Targets: []tools.Target{{Kind: "server", ID: id, Name: "web-1"}}}
			pv, err := set.Preview(cloud.WithReadOnly(t.Context()), env, args, chk)
			if err != nil {
				t.Fatal(err)
			}
			var wantPreview []request
			for _, r := range tt.wantRequests {
				r.Path = fc.Server.URL + toolstest.ComputePrefix + r.Path
				wantPreview = append(wantPreview, r)
			}
			if diff := cmp.Diff(wantPreview, previewBodies(t, pv)); diff != "" {
				t.Errorf("preview (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantChanges, pv.Changes); diff != "" {
				t.Errorf("changes (-want +got):\n%s", diff)
			}
			res, err := set.Run(t.Context(), env, args)
			if err != nil {
				t.Fatal(err)
			}
			var wantSent []request
			for _, r := range tt.wantRequests {
				r.Path = toolstest.ComputePrefix + r.Path
				wantSent = append(wantSent, r)
			}
			if diff := cmp.Diff(wantSent, seen); diff != "" {
				t.Errorf("sent (-want +got):\n%s", diff)
			}
			if len(res.RequestIDs) != len(tt.wantRequests) {
				t.Errorf("request IDs = %v", res.RequestIDs)
			}
			if diff := cmp.Diff(tt.wantOutputs, res.Outputs); diff != "" {
				t.Errorf("outputs (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantUndo, set.Undo(args, res)); diff != "" {
				t.Errorf("undo (-want +got):\n%s", diff)
			}
		})
	}
}

func TestUnsetCheck(t *testing.T) {
	tests := []struct {
		name, args          string
		srv                 fixture
		wantBlock, wantWarn string
	}{
		{name: "present", args: `"property": ["role"], "tag": ["blue"]`, srv: fixture{metadata: map[string]string{"role": "db"}, tags: []string{"blue"}}},
		{name: "absent property", args: `"property": ["role", "tier"]`, srv: fixture{metadata: map[string]string{"role": "db"}},
			wantWarn: "server web-1 has no property tier; nothing to unset"},
		{name: "absent tag", args: `"tag": ["red"]`, srv: fixture{tags: []string{"blue"}},
			wantWarn: "server web-1 has no tag red; nothing to unset"},
		// Nothing would be sent, so the lock does not matter.
		{name: "absent property, locked", args: `"property": ["tier"]`, srv: fixture{locked: true},
			wantWarn: "server web-1 has no property tier"},
		{name: "property, locked", args: `"property": ["role"]`, srv: fixture{locked: true, metadata: map[string]string{"role": "db"}},
			wantBlock: "server web-1 is locked"},
		{name: "tag, locked", args: `"tag": ["blue"]`, srv: fixture{locked: true, tags: []string{"blue"}}},
		{name: "tag, shelved", args: `"tag": ["blue"]`, srv: fixture{status: "SHELVED", tags: []string{"blue"}},
			wantBlock: "server web-1 is SHELVED; tags can change only when it is ACTIVE or PAUSED or SUSPENDED or SHUTOFF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := toolstest.New(t)
			fc.Handle("GET", serverPath, http.StatusOK, tt.srv.json())
			args := `{"server": "` + id + `"`
			if tt.args != "" {
				args += ", " + tt.args
			}
			chk := readOnlyCheck(t, toolstest.Tool(t, Tools(), "server.unset"), fc.Env(), args+"}")
			wantFindings(t, chk, tt.wantBlock, tt.wantWarn)
		})
	}
}

func TestUnsetPreviewRunUndo(t *testing.T) {
	fc := toolstest.New(t)
	srv := fixture{metadata: map[string]string{"role": "db", "a/b": "1", "keep": "k"}, tags: []string{"blue", "red"}}
	fc.Handle("GET", serverPath, http.StatusOK, srv.json())
	var seen []request
	recordRequest(fc, &seen, "DELETE", serverPath+"/metadata/role", http.StatusNoContent, "")
	recordRequest(fc, &seen, "DELETE", serverPath+"/metadata/a/b", http.StatusNoContent, "") // the fake cloud matches the decoded path
	recordRequest(fc, &seen, "DELETE", serverPath+"/tags/red", http.StatusNoContent, "")
	env := fc.Env()
	unset := toolstest.Tool(t, Tools(), "server.unset")
	args := json.RawMessage(`{"server": "` + id + `", "property": ["role", "a/b", "ghost"], "tag": ["red", "green"]}`)
	chk := &tools.Check{Targets: []tools.Target{{Kind: "server", ID: id, Name: "web-1"}}}
	pv, err := unset.Preview(cloud.WithReadOnly(t.Context()), env, args, chk)
	if err != nil {
		t.Fatal(err)
	}
	base := fc.Server.URL + serverPath
	wantPreview := []request{
		{Method: "DELETE", Path: base + "/metadata/role"},
		{Method: "DELETE", Path: base + "/metadata/a%2Fb"},
		{Method: "DELETE", Path: base + "/tags/red"},
	}
	if diff := cmp.Diff(wantPreview, previewBodies(t, pv)); diff != "" {
		t.Errorf("preview (-want +got):\n%s", diff)
	}
	wantChanges := []tools.FieldChange{
		{Field: "properties.role", From: "db", To: nil},
		{Field: "properties.a/b", From: "1", To: nil},
		{Field: "tags", From: []string{"blue", "red"}, To: []string{"blue"}},
	}
	if diff := cmp.Diff(wantChanges, pv.Changes); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
	res, err := unset.Run(t.Context(), env, args)
	if err != nil {
		t.Fatal(err)
	}
	wantSent := []request{
		{Method: "DELETE", Path: serverPath + "/metadata/role"},
		{Method: "DELETE", Path: serverPath + "/metadata/a%2Fb"},
		{Method: "DELETE", Path: serverPath + "/tags/red"},
	}
	if diff := cmp.Diff(wantSent, seen); diff != "" {
		t.Errorf("sent (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"req-delete1", "req-delete2", "req-delete3"}, res.RequestIDs); diff != "" {
		t.Errorf("request IDs (-want +got):\n%s", diff)
	}
	wantUndo := &tools.Call{Tool: "server.set", Args: json.RawMessage(`{"server":"` + id + `","property":{"a/b":"1","role":"db"},"tag":["red"]}`),
		Why: "undo unset: set back what it removed"}
	if diff := cmp.Diff(wantUndo, unset.Undo(args, res)); diff != "" {
		t.Errorf("undo (-want +got):\n%s", diff)
	}
}

func TestDeleteCheck(t *testing.T) {
	tests := []struct {
		name      string
		srv       fixture
		wantBlock string
	}{
		{name: "active"},
		{name: "error, busy", srv: fixture{status: "ERROR", task: "deleting"}},
		{name: "shelved", srv: fixture{status: "SHELVED_OFFLOADED"}},
		{name: "locked", srv: fixture{locked: true}, wantBlock: "server web-1 is locked; unlock it first with /server unlock web-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := toolstest.New(t)
			fc.Handle("GET", serverPath, http.StatusOK, tt.srv.json())
			del := toolstest.Tool(t, Tools(), "server.delete")
			if del.Effect != tools.Destroy {
				t.Errorf("effect = %v", del.Effect)
			}
			chk := readOnlyCheck(t, del, fc.Env(), `{"server": "`+id+`"}`)
			wantFindings(t, chk, tt.wantBlock, "")
			if diff := cmp.Diff(`{"server":"`+id+`"}`, string(chk.Resolved)); diff != "" {
				t.Errorf("resolved (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDeletePreview(t *testing.T) {
	const (
		vol1  = "11111111-1111-1111-1111-111111111111"
		vol2  = "22222222-2222-2222-2222-222222222222"
		port1 = "33333333-3333-3333-3333-333333333333"
		port2 = "44444444-4444-4444-4444-444444444444"
		fip   = "55555555-5555-5555-5555-555555555555"
	)
	tests := []struct {
		name        string
		noVolumeAPI bool
		// preflight runs Check first, as the gate does: the preview then
		// works from the server Check read.
		preflight bool
		wantNames [2]string
	}{
		{name: "with block storage", wantNames: [2]string{"data", "boot"}},
		{name: "without block storage", noVolumeAPI: true},
		{name: "after the preflight", preflight: true, wantNames: [2]string{"data", "boot"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := toolstest.New(t)
			srv := fixture{volumes: `[{"id": "` + vol1 + `", "delete_on_termination": false}, {"id": "` + vol2 + `", "delete_on_termination": true}]`}
			fc.Handle("GET", serverPath, http.StatusOK, srv.json())
			if tt.noVolumeAPI {
				delete(fc.Caps.Services, "volumev3")
			} else {
				fc.Handle("GET", toolstest.VolumePrefix+"/volumes/"+vol1, http.StatusOK, `{"volume": {"id": "`+vol1+`", "name": "data"}}`)
				fc.Handle("GET", toolstest.VolumePrefix+"/volumes/"+vol2, http.StatusOK, `{"volume": {"id": "`+vol2+`", "name": "boot"}}`)
			}
			fc.HandleFunc("GET", toolstest.NetworkPrefix+"/ports", func(w http.ResponseWriter, r *http.Request) {
				if got := r.URL.Query().Get("device_id"); got != id {
					t.Errorf("device_id = %q", got)
				}
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprintf(w, `{"ports": [{"id": %q, "name": "", "fixed_ips": [{"ip_address": "10.0.0.5"}]}, {"id": %q, "name": "mgmt"}]}`, port1, port2)
			})
			fc.HandleFunc("GET", toolstest.NetworkPrefix+"/floatingips", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				if r.URL.Query().Get("port_id") == port1 {
					fmt.Fprintf(w, `{"floatingips": [{"id": %q, "floating_ip_address": "172.24.4.10", "port_id": %q}]}`, fip, port1)
					return
				}
				fmt.Fprint(w, `{"floatingips": []}`)
			})
			del := toolstest.Tool(t, Tools(), "server.delete")
			chk := &tools.Check{Targets: []tools.Target{{Kind: "server", ID: id, Name: "web-1"}}}
			if tt.preflight {
				chk = readOnlyCheck(t, del, fc.Env(), `{"server": "`+id+`"}`)
			}
			pv, err := del.Preview(cloud.WithReadOnly(t.Context()), fc.Env(), json.RawMessage(`{"server": "`+id+`"}`), chk)
			if err != nil {
				t.Fatal(err)
			}
			if got := fc.Calls("GET", serverPath); got != 1 {
				t.Errorf("the server was read %d times, want once", got)
			}
			if diff := cmp.Diff([]request{{Method: "DELETE", Path: fc.Server.URL + serverPath}}, previewBodies(t, pv)); diff != "" {
				t.Errorf("preview (-want +got):\n%s", diff)
			}
			want := []tools.Dependent{
				{Kind: "server", ID: id, Name: "web-1", Fate: "deleted"},
				{Kind: "volume", ID: vol1, Name: tt.wantNames[0], Fate: "detached, kept"},
				{Kind: "volume", ID: vol2, Name: tt.wantNames[1], Fate: "deleted with the server"},
				{Kind: "port", ID: port1, Name: "10.0.0.5", Fate: "deleted if Nova created it, else detached"},
				{Kind: "port", ID: port2, Name: "mgmt", Fate: "deleted if Nova created it, else detached"},
				{Kind: "floating-ip", ID: fip, Name: "172.24.4.10", Fate: "disassociated, kept"},
			}
			if diff := cmp.Diff(want, pv.Deletes); diff != "" {
				t.Errorf("deletes (-want +got):\n%s", diff)
			}
			if fc.Calls("GET", toolstest.NetworkPrefix+"/floatingips") != 2 {
				t.Errorf("floating IP lookups = %d, want one per port", fc.Calls("GET", toolstest.NetworkPrefix+"/floatingips"))
			}
		})
	}
}

func TestDeleteRun(t *testing.T) {
	fc := toolstest.New(t)
	var seen []request
	recordRequest(fc, &seen, "DELETE", serverPath, http.StatusNoContent, "")
	fc.Handle("GET", serverPath, http.StatusNotFound, `{"itemNotFound": {"code": 404, "message": "Instance could not be found"}}`)
	env := fc.Env()
	del := toolstest.Tool(t, Tools(), "server.delete")
	args := json.RawMessage(`{"server": "` + id + `"}`)
	if _, err := del.Run(cloud.WithReadOnly(t.Context()), env, args); err == nil || !strings.Contains(err.Error(), "may only read") {
		t.Errorf("run under read-only: err = %v", err)
	}
	res, err := del.Run(t.Context(), env, args)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]request{{Method: "DELETE", Path: serverPath}}, seen); diff != "" {
		t.Errorf("sent (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"req-delete1"}, res.RequestIDs); diff != "" {
		t.Errorf("request IDs (-want +got):\n%s", diff)
	}
	if res.Outputs["id"] != id {
		t.Errorf("outputs = %v", res.Outputs)
	}
	if res.Await == nil || !res.Await.Gone || res.Await.ID != id {
		t.Fatalf("await = %+v", res.Await)
	}
	_, err = res.Await.Poll(t.Context(), env)
	var nf *tools.NotFoundError
	if !errors.As(err, &nf) {
		t.Errorf("poll after delete: err = %v, want NotFoundError", err)
	}
	if del.Undo != nil {
		t.Error("server.delete has an undo")
	}
}

func TestPollWhileDeleting(t *testing.T) {
	fc := toolstest.New(t)
	fc.Handle("GET", serverPath, http.StatusOK, fixture{task: "deleting"}.json())
	status, err := pollGone(id)(t.Context(), fc.Env())
	if err != nil || status != "ACTIVE, deleting" {
		t.Errorf("poll = %q, %v", status, err)
	}
}

func TestReference(t *testing.T) {
	fc := toolstest.New(t) // no stubs: nothing may be asked
	for _, name := range []string{"server.rename", "server.set", "server.unset", "server.delete"} {
		args := `{"server": "${vm.id}", "name": "x"}`
		switch name {
		case "server.set":
			args = `{"server": "${vm.id}", "property": {"a": "b"}}`
		case "server.unset":
			args = `{"server": "${vm.id}", "property": ["a"]}`
		case "server.delete":
			args = `{"server": "${vm.id}"}`
		}
		tl := toolstest.Tool(t, Tools(), name)
		chk := readOnlyCheck(t, tl, fc.Env(), args)
		if chk.Blocked() || chk.Targets[0].ID != "${vm.id}" {
			t.Errorf("%s: check = %+v", name, chk)
		}
		pv, err := tl.Preview(cloud.WithReadOnly(t.Context()), fc.Env(), json.RawMessage(args), chk)
		if err != nil || len(pv.Requests) != 1 {
			t.Errorf("%s: preview = %+v, %v", name, pv, err)
		}
	}
}

// TestUndoUnderReview: a plan under review asks for the undo with an
// empty result; it names the inverse tool.
func TestUndoUnderReview(t *testing.T) {
	for name, want := range map[string]string{"server.rename": "server.rename", "server.set": "server.unset", "server.unset": "server.set"} {
		tl := toolstest.Tool(t, Tools(), name)
		call := tl.Undo(json.RawMessage(`{"server": "`+id+`"}`), &tools.Result{})
		if call == nil || call.Tool != want {
			t.Errorf("%s: undo = %+v, want %s", name, call, want)
		}
	}
}
