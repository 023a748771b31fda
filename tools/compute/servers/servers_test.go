package servers

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/toolstest"
)

const (
	web1ID       = "2f1c3a10-7b8e-4d2a-9c41-0a1b2c3d4e01"
	web2ID       = "2f1c3a10-7b8e-4d2a-9c41-0a1b2c3d4e02"
	dbID         = "2f1c3a10-7b8e-4d2a-9c41-0a1b2c3d4e03"
	brokenID     = "2f1c3a10-7b8e-4d2a-9c41-0a1b2c3d4e04"
	readCirrosID = "8c2a7e1b-0f3d-4e5a-b6c7-d8e9f0a1b2c3"
	debianID     = "9d3b8f2c-1a4e-4f6b-87d8-e9f0a1b2c3d4"
	goneID       = "aaaaaaaa-1a4e-4f6b-87d8-e9f0a1b2c3d4"
)

func imageRef(id string) string {
	return `{"id": "` + id + `", "links": [{"rel": "bookmark", "href": "http://x/images/` + id + `"}]}`
}

const tinyFlavor = `{"vcpus": 1, "ram": 512, "disk": 1, "ephemeral": 0, "swap": 0, "original_name": "m1.tiny", "extra_specs": {"hw_rng:allowed": "True"}}`

var web1JSON = `{"id": "` + web1ID + `", "name": "web-1", "status": "ACTIVE",
  "OS-EXT-STS:task_state": null, "OS-EXT-STS:vm_state": "active", "OS-EXT-STS:power_state": 1,
  "OS-EXT-AZ:availability_zone": "nova", "OS-EXT-SRV-ATTR:host": "cmp1",
  "addresses": {"shared": [{"version": 4, "addr": "192.168.233.10", "OS-EXT-IPS:type": "fixed"}],
                "private": [{"version": 4, "addr": "203.0.113.9", "OS-EXT-IPS:type": "floating"},
                            {"version": 4, "addr": "10.0.0.5", "OS-EXT-IPS:type": "fixed"}]},
  "image": ` + imageRef(readCirrosID) + `, "flavor": ` + tinyFlavor + `,
  "metadata": {}, "key_name": "mykey", "tenant_id": "p1", "user_id": "u1",
  "security_groups": [{"name": "default"}, {"name": "web"}],
  "os-extended-volumes:volumes_attached": [], "tags": ["prod"], "locked": false,
  "created": "2024-03-01T10:00:00Z", "updated": "2024-03-01T10:01:00Z", "progress": 0,
  "links": [{"rel": "self", "href": "http://x/servers/` + web1ID + `"}]}`

var web2JSON = `{"id": "` + web2ID + `", "name": "web-2", "status": "ACTIVE",
  "OS-EXT-STS:task_state": null, "OS-EXT-STS:power_state": 1, "OS-EXT-AZ:availability_zone": "nova",
  "addresses": {"private": [{"version": 4, "addr": "10.0.0.6"}]},
  "image": ` + imageRef(readCirrosID) + `, "flavor": ` + tinyFlavor + `, "metadata": {"role": "web"}}`

var dbJSON = `{"id": "` + dbID + `", "name": "db-1", "status": "SHUTOFF",
  "OS-EXT-STS:task_state": "powering-on", "OS-EXT-STS:power_state": 4, "OS-EXT-AZ:availability_zone": "nova",
  "addresses": {}, "image": "", "flavor": {"original_name": "m1.small", "vcpus": 1, "ram": 2048, "disk": 20},
  "metadata": {}}`

var brokenJSON = `{"id": "` + brokenID + `", "name": "broken", "status": "ERROR",
  "OS-EXT-STS:task_state": null, "OS-EXT-STS:power_state": 0, "OS-EXT-AZ:availability_zone": "",
  "addresses": {}, "image": ` + imageRef(debianID) + `, "flavor": ` + tinyFlavor + `, "metadata": {},
  "fault": {"code": 500, "created": "2024-03-01T10:02:00Z", "message": "No valid host was found. There are not enough hosts available."}}`

const imagesBody = `{"images": [
 {"id": "` + readCirrosID + `", "name": "cirros", "status": "active"},
 {"id": "` + debianID + `", "name": "debian-12", "status": "active"}]}`

// checkMicroversion fails the test unless the request asks for Microversion.
func checkMicroversion(t *testing.T, r *http.Request) {
	t.Helper()
	if got := r.Header.Get("X-OpenStack-Nova-API-Version"); got != Microversion {
		t.Errorf("%s %s: microversion = %q, want %q", r.Method, r.URL.Path, got, Microversion)
	}
}

func jsonBody(w http.ResponseWriter, body string) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, body)
}

func TestList(t *testing.T) {
	fc := toolstest.New(t)
	fc.HandleFunc("GET", toolstest.ComputePrefix+"/servers/detail", func(w http.ResponseWriter, r *http.Request) {
		checkMicroversion(t, r)
		if r.URL.RawQuery != "" {
			t.Errorf("query = %q, want none", r.URL.RawQuery)
		}
		jsonBody(w, `{"servers": [`+web1JSON+`, `+web2JSON+`, `+dbJSON+`, `+brokenJSON+`]}`)
	})
	fc.Handle("GET", toolstest.ImagePrefix+"/images", http.StatusOK, imagesBody)
	env := fc.Env()
	res, err := toolstest.Run(t, env, Tools(), "server.list", ListArgs{})
	if err != nil {
		t.Fatal(err)
	}
	var short, long []string
	for _, c := range res.List.Columns {
		long = append(long, c.Name)
		if !c.Long {
			short = append(short, c.Name)
		}
	}
	if diff := cmp.Diff([]string{"ID", "Name", "Status", "Networks", "Image", "Flavor"}, short); diff != "" {
		t.Errorf("columns (-want +got):\n%s", diff)
	}
	wantLong := []string{"ID", "Name", "Status", "Task State", "Power State", "Networks", "Image", "Image ID", "Flavor", "Availability Zone", "Host", "Properties", "Key Name"}
	if diff := cmp.Diff(wantLong, long); diff != "" {
		t.Errorf("long columns (-want +got):\n%s", diff)
	}
	want := [][]any{
		{web1ID, "web-1", "ACTIVE", nil, "Running", Addresses{"private": {"203.0.113.9", "10.0.0.5"}, "shared": {"192.168.233.10"}}, "cirros", readCirrosID, "m1.tiny", "nova", "cmp1", map[string]string{}, "mykey"},
		{web2ID, "web-2", "ACTIVE", nil, "Running", Addresses{"private": {"10.0.0.6"}}, "cirros", readCirrosID, "m1.tiny", "nova", nil, map[string]string{"role": "web"}, ""},
		{dbID, "db-1", "SHUTOFF", "powering-on", "Shutdown", Addresses{}, BootFromVolume, BootFromVolume, "m1.small", "nova", nil, map[string]string{}, ""},
		{brokenID, "broken", "ERROR", nil, "NOSTATE", Addresses{}, "debian-12", debianID, "m1.tiny", "", nil, map[string]string{}, ""},
	}
	if diff := cmp.Diff(want, res.List.Rows); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	// Image names come from one image list, not one GET per server.
	if n := fc.Calls("GET", toolstest.ImagePrefix+"/images"); n != 1 {
		t.Errorf("image list calls = %d, want 1", n)
	}
	if diff := cmp.Diff([]string{"broken", "db-1", "web-1", "web-2"}, env.Names.Of(Kind)); diff != "" {
		t.Errorf("remembered names (-want +got):\n%s", diff)
	}

	// A second list in the same session reuses the image names.
	if _, err := toolstest.Run(t, env, Tools(), "server.list", ListArgs{}); err != nil {
		t.Fatal(err)
	}
	if n := fc.Calls("GET", toolstest.ImagePrefix+"/images"); n != 1 {
		t.Errorf("image list calls after a second list = %d, want 1", n)
	}
}

func TestListFilters(t *testing.T) {
	tests := []struct {
		name      string
		args      ListArgs
		stub      func(fc *toolstest.Cloud)
		wantQuery string
		wantErr   string
	}{
		{
			name:      "plain filters",
			args:      ListArgs{Name: "^web-", Status: "ERROR", Host: "cmp1", AllProjects: true},
			wantQuery: "all_tenants=true&host=cmp1&name=%5Eweb-&status=ERROR",
		},
		{
			name: "flavor and image names resolve to IDs",
			args: ListArgs{Flavor: "m1.tiny", Image: "cirros", Limit: 1},
			stub: func(fc *toolstest.Cloud) {
				fc.Handle("GET", toolstest.ComputePrefix+"/flavors/detail", http.StatusOK, `{"flavors": [{"id": "42", "name": "m1.tiny"}]}`)
				fc.Handle("GET", toolstest.ImagePrefix+"/images", http.StatusOK, `{"images": [{"id": "`+readCirrosID+`", "name": "cirros"}]}`)
			},
			wantQuery: "flavor=42&image=" + readCirrosID + "&limit=1",
		},
		{
			name: "unknown flavor",
			args: ListArgs{Flavor: "m1.huge"},
			stub: func(fc *toolstest.Cloud) {
				fc.Handle("GET", toolstest.ComputePrefix+"/flavors/detail", http.StatusOK, `{"flavors": [{"id": "42", "name": "m1.tiny"}]}`)
			},
			wantErr: `no flavor named or with ID "m1.huge"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := toolstest.New(t)
			if tt.stub != nil {
				tt.stub(fc)
			}
			if tt.wantErr == "" {
				// The list prefetches image names while Nova answers.
				fc.Optional("GET", toolstest.ImagePrefix+"/images", http.StatusOK, `{"images": []}`)
				fc.HandleFunc("GET", toolstest.ComputePrefix+"/servers/detail", func(w http.ResponseWriter, r *http.Request) {
					if r.URL.RawQuery != tt.wantQuery {
						t.Errorf("query = %q, want %q", r.URL.RawQuery, tt.wantQuery)
					}
					jsonBody(w, `{"servers": []}`)
				})
			}
			env := fc.Env()
			env.Names.Replace(Kind, "seen-before")
			res, err := toolstest.Run(t, env, Tools(), "server.list", tt.args)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(res.List.Rows) != 0 {
				t.Errorf("rows = %v, want none", res.List.Rows)
			}
			// A filtered list does not forget servers it did not ask about.
			if diff := cmp.Diff([]string{"seen-before"}, env.Names.Of(Kind)); diff != "" {
				t.Errorf("remembered names (-want +got):\n%s", diff)
			}
		})
	}
}

func TestListLimitPages(t *testing.T) {
	fc := toolstest.New(t)
	fc.Optional("GET", toolstest.ImagePrefix+"/images", http.StatusOK, `{"images": []}`)
	fc.HandleFunc("GET", toolstest.ComputePrefix+"/servers/detail", func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("marker") {
		case "":
			jsonBody(w, `{"servers": [`+dbJSON+`], "servers_links": [{"rel": "next", "href": "`+fc.Server.URL+toolstest.ComputePrefix+`/servers/detail?limit=1&marker=`+dbID+`"}]}`)
		case dbID:
			jsonBody(w, `{"servers": [`+dbJSON+`], "servers_links": [{"rel": "next", "href": "`+fc.Server.URL+toolstest.ComputePrefix+`/servers/detail?limit=1&marker=x"}]}`)
		default:
			t.Errorf("a third page was fetched for a limit of 2")
			jsonBody(w, `{"servers": []}`)
		}
	})
	res, err := toolstest.Run(t, fc.Env(), Tools(), "server.list", ListArgs{Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(res.List.Rows); got != 2 {
		t.Errorf("rows = %d, want 2", got)
	}
}

// stubFind stubs what resolving arg costs: a GET when arg looks like an
// ID (found answers it), a name search otherwise or when the GET misses.
func stubFind(t *testing.T, fc *toolstest.Cloud, arg string, found string, byName []string) {
	t.Helper()
	if tools.IsUUID(arg) {
		if found != "" {
			fc.Handle("GET", toolstest.ComputePrefix+"/servers/"+arg, http.StatusOK, `{"server": `+found+`}`)
			return
		}
		fc.Handle("GET", toolstest.ComputePrefix+"/servers/"+arg, http.StatusNotFound, `{"itemNotFound": {"code": 404, "message": "Instance could not be found."}}`)
	}
	fc.HandleFunc("GET", toolstest.ComputePrefix+"/servers/detail", func(w http.ResponseWriter, r *http.Request) {
		checkMicroversion(t, r)
		if got, want := r.URL.Query().Get("name"), strings.ReplaceAll(arg, ".", `\.`); got != want {
			t.Errorf("name filter = %q, want %q", got, want)
		}
		jsonBody(w, `{"servers": [`+strings.Join(byName, ", ")+`]}`)
	})
}

func TestResolve(t *testing.T) {
	web1Copy := strings.Replace(strings.ReplaceAll(web1JSON, web1ID, web2ID), `"web-1"`, `"web-1"`, 1)
	tests := []struct {
		name    string
		arg     string
		found   string
		byName  []string
		wantID  string
		wantErr string
	}{
		{name: "by ID", arg: web1ID, found: web1JSON, wantID: web1ID},
		{name: "by name", arg: "web-1", byName: []string{web1JSON}, wantID: web1ID},
		// Nova matches names as a regular expression anywhere in the
		// name; only the exact name counts.
		{name: "exact name among partial matches", arg: "web-1", byName: []string{strings.Replace(web2JSON, `"web-2"`, `"web-10"`, 1), web1JSON}, wantID: web1ID},
		{name: "name with regexp characters", arg: "db.1", byName: []string{strings.Replace(dbJSON, `"db-1"`, `"db.1"`, 1)}, wantID: dbID},
		{name: "missing", arg: "db-3", wantErr: `no server named or with ID "db-3"`},
		{name: "missing ID", arg: goneID, wantErr: `no server named or with ID "` + goneID + `"`},
		{
			name: "ambiguous", arg: "web-1", byName: []string{web1JSON, web1Copy},
			wantErr: "2 servers are named \"web-1\"; use an ID:\n  " + web1ID + "  web-1\n  " + web2ID + "  web-1",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := toolstest.New(t)
			stubFind(t, fc, tt.arg, tt.found, tt.byName)
			s, err := Resolve(t.Context(), fc.Env(), tt.arg)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.ID != tt.wantID {
				t.Errorf("ID = %s, want %s", s.ID, tt.wantID)
			}
		})
	}
}

func TestShow(t *testing.T) {
	tests := []struct {
		name   string
		server string
		images string
		want   map[string]any // fields checked; the rest are only listed
	}{
		{
			name: "active", server: web1JSON, images: imagesBody,
			want: map[string]any{
				"image":                  "cirros (" + readCirrosID + ")",
				"addresses":              Addresses{"private": {"203.0.113.9", "10.0.0.5"}, "shared": {"192.168.233.10"}},
				"flavor":                 map[string]string{"disk": "1", "ephemeral": "0", "extra_specs.hw_rng:allowed": "True", "original_name": "m1.tiny", "ram": "512", "swap": "0", "vcpus": "1"},
				"project_id":             "p1",
				"properties":             map[string]string{},
				"security_groups":        []any{map[string]any{"name": "default"}, map[string]any{"name": "web"}},
				"tags":                   []string{"prod"},
				"volumes_attached":       []string{},
				"OS-EXT-STS:power_state": "Running",
				"OS-EXT-STS:task_state":  nil,
				"progress":               0,
				"locked":                 false,
			},
		},
		{
			name: "error with fault, image gone", server: strings.Replace(brokenJSON, debianID, goneID, 1), images: imagesBody,
			want: map[string]any{
				"status": "ERROR",
				"image":  goneID,
				"fault":  map[string]string{"code": "500", "created": "2024-03-01T10:02:00Z", "message": "No valid host was found. There are not enough hosts available."},
			},
		},
		{
			name: "booted from volume", server: dbJSON,
			want: map[string]any{"image": BootFromVolume, "OS-EXT-STS:power_state": "Shutdown"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := toolstest.New(t)
			var raw struct {
				ID string `json:"id"`
			}
			if err := json.Unmarshal([]byte(tt.server), &raw); err != nil {
				t.Fatal(err)
			}
			stubFind(t, fc, raw.ID, tt.server, nil)
			if tt.images != "" {
				fc.Handle("GET", toolstest.ImagePrefix+"/images", http.StatusOK, tt.images)
			}
			env := fc.Env()
			res, err := toolstest.Run(t, env, Tools(), "server.show", ShowArgs{Server: raw.ID})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]any{}
			var names []string
			for _, f := range res.Record.Fields {
				names = append(names, f.Name)
				if _, ok := tt.want[f.Name]; ok {
					got[f.Name] = f.Value
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
			for i, n := range names {
				if n == "links" || n == "metadata" || n == "tenant_id" {
					t.Errorf("field %s should not be shown", n)
				}
				if i > 0 && names[i-1] >= n {
					t.Errorf("fields not sorted: %q before %q", names[i-1], n)
				}
			}
			if len(env.Names.Of(Kind)) != 1 {
				t.Errorf("remembered names = %v, want the server's name", env.Names.Of(Kind))
			}
		})
	}
}

func TestShowRedactsUserData(t *testing.T) {
	fc := toolstest.New(t)
	body := strings.Replace(dbJSON, `"metadata": {}`, `"metadata": {}, "OS-EXT-SRV-ATTR:user_data": "I2Nsb3VkLWNvbmZpZwpwYXNzd29yZDogc2VjcmV0"`, 1)
	stubFind(t, fc, dbID, body, nil)
	res, err := toolstest.Run(t, fc.Env(), Tools(), "server.show", ShowArgs{Server: dbID})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Record.Get("OS-EXT-SRV-ATTR:user_data"); got != "<redacted>" {
		t.Errorf("user_data = %v, want <redacted>", got)
	}
}

func TestConsoleLog(t *testing.T) {
	tests := []struct {
		name     string
		lines    int
		wantBody string
		log      string
		want     string
	}{
		{name: "all", wantBody: `{"os-getConsoleOutput":{}}`, log: "boot\nlogin: ", want: "boot\nlogin: \n"},
		{name: "tail", lines: 2, wantBody: `{"os-getConsoleOutput":{"length":2}}`, log: "a\nb\n", want: "a\nb\n"},
		{name: "empty", wantBody: `{"os-getConsoleOutput":{}}`, log: "", want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := toolstest.New(t)
			stubFind(t, fc, "web-1", "", []string{web1JSON})
			fc.HandleFunc("POST", toolstest.ComputePrefix+"/servers/"+web1ID+"/action", func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				if string(b) != tt.wantBody {
					t.Errorf("body = %s, want %s", b, tt.wantBody)
				}
				out, _ := json.Marshal(map[string]string{"output": tt.log})
				jsonBody(w, string(out))
			})
			res, err := toolstest.Run(t, fc.Env(), Tools(), "server.console-log", ConsoleLogArgs{Server: "web-1", Lines: tt.lines})
			if err != nil {
				t.Fatal(err)
			}
			if res.Text != tt.want {
				t.Errorf("text = %q, want %q", res.Text, tt.want)
			}
		})
	}
}

const actionsBody = `{"instanceActions": [
 {"action": "stop", "instance_uuid": "` + web1ID + `", "message": null, "project_id": "p1", "request_id": "req-2b0c1d6e-7f8a-4b9c-8d0e-1f2a3b4c5d6e", "start_time": "2024-03-02T09:00:00.000000", "user_id": "u1", "updated_at": "2024-03-02T09:00:05.000000"},
 {"action": "create", "instance_uuid": "` + web1ID + `", "message": "Error", "project_id": "p1", "request_id": "req-1a9b0c5d-6e7f-4a8b-9c0d-0e1f2a3b4c5d", "start_time": "2024-03-01T10:00:00.000000", "user_id": "u1", "updated_at": "2024-03-01T10:00:30.000000"}
]}`

func TestEvents(t *testing.T) {
	tests := []struct {
		name   string
		arg    string
		found  string
		byName []string
	}{
		{name: "by name", arg: "web-1", byName: []string{web1JSON}},
		// An ID is used as it is, with no lookup first: Nova keeps the
		// actions of a deleted server, so its ID still works.
		{name: "by ID, deleted or not", arg: web1ID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := toolstest.New(t)
			if tt.byName != nil {
				stubFind(t, fc, tt.arg, tt.found, tt.byName)
			}
			fc.HandleFunc("GET", toolstest.ComputePrefix+"/servers/"+web1ID+"/os-instance-actions", func(w http.ResponseWriter, r *http.Request) {
				checkMicroversion(t, r)
				jsonBody(w, actionsBody)
			})
			res, err := toolstest.Run(t, fc.Env(), Tools(), "server.events", EventsArgs{Server: tt.arg})
			if err != nil {
				t.Fatal(err)
			}
			want := &tools.List{
				Columns: []tools.Column{
					{Name: "Request ID"}, {Name: "Server ID"}, {Name: "Action"}, {Name: "Start Time"},
					{Name: "Message", Long: true}, {Name: "Project ID", Long: true}, {Name: "User ID", Long: true},
				},
				Rows: [][]any{
					{"req-2b0c1d6e-7f8a-4b9c-8d0e-1f2a3b4c5d6e", web1ID, "stop", "2024-03-02T09:00:00.000000", nil, "p1", "u1"},
					{"req-1a9b0c5d-6e7f-4a8b-9c0d-0e1f2a3b4c5d", web1ID, "create", "2024-03-01T10:00:00.000000", "Error", "p1", "u1"},
				},
			}
			if diff := cmp.Diff(want, res.List); diff != "" {
				t.Errorf("list (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEventShow(t *testing.T) {
	const reqID = "req-1a9b0c5d-6e7f-4a8b-9c0d-0e1f2a3b4c5d"
	tests := []struct {
		name    string
		status  int
		body    string
		want    *tools.Record
		wantErr string
	}{
		{
			name: "found", status: http.StatusOK,
			body: `{"instanceAction": {"action": "create", "instance_uuid": "` + web1ID + `", "message": null, "project_id": "p1",
			  "request_id": "` + reqID + `", "start_time": "2024-03-01T10:00:00.000000", "user_id": "u1",
			  "events": [{"event": "compute__do_build_and_run_instance", "result": "Success", "start_time": "2024-03-01T10:00:01.000000", "finish_time": "2024-03-01T10:00:20.000000"}]}}`,
			want: &tools.Record{Fields: []tools.Field{
				{Name: "action", Value: "create"},
				{Name: "events", Value: []any{map[string]any{"event": "compute__do_build_and_run_instance", "finish_time": "2024-03-01T10:00:20.000000", "result": "Success", "start_time": "2024-03-01T10:00:01.000000"}}},
				{Name: "instance_uuid", Value: web1ID},
				{Name: "message", Value: nil},
				{Name: "project_id", Value: "p1"},
				{Name: "request_id", Value: reqID},
				{Name: "start_time", Value: "2024-03-01T10:00:00.000000"},
				{Name: "user_id", Value: "u1"},
			}},
		},
		{
			name: "no such event", status: http.StatusNotFound,
			body:    `{"itemNotFound": {"code": 404, "message": "Action not found"}}`,
			wantErr: fmt.Sprintf("server web-1 has no event with request ID %q", reqID),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := toolstest.New(t)
			stubFind(t, fc, "web-1", "", []string{web1JSON})
			fc.Handle("GET", toolstest.ComputePrefix+"/servers/"+web1ID+"/os-instance-actions/"+reqID, tt.status, tt.body)
			res, err := toolstest.Run(t, fc.Env(), Tools(), "server.event.show", EventShowArgs{Server: "web-1", RequestID: reqID})
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, res.Record); diff != "" {
				t.Errorf("record (-want +got):\n%s", diff)
			}
		})
	}
}

func TestListWithoutImageNames(t *testing.T) {
	fc := toolstest.New(t)
	fc.Handle("GET", toolstest.ComputePrefix+"/servers/detail", http.StatusOK, `{"servers": [`+web1JSON+`, `+web2JSON+`, `+brokenJSON+`]}`)
	fc.Handle("GET", toolstest.ImagePrefix+"/images", http.StatusForbidden, `{"message": "403 Forbidden"}`)
	res, err := toolstest.Run(t, fc.Env(), Tools(), "server.list", ListArgs{})
	if err != nil {
		t.Fatal(err)
	}
	var got [][]any
	for _, row := range res.List.Rows {
		got = append(got, []any{row[6], row[7]})
	}
	want := [][]any{{"", readCirrosID}, {"", readCirrosID}, {"", debianID}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("image columns (-want +got):\n%s", diff)
	}
	if n := fc.Calls("GET", toolstest.ImagePrefix+"/images"); n != 1 {
		t.Errorf("image list calls = %d, want 1 (stop after the first failure)", n)
	}
}

func TestAddressesString(t *testing.T) {
	tests := []struct {
		in   Addresses
		want string
	}{
		{Addresses{}, ""},
		{Addresses{"shared": {"192.168.233.10"}, "private": {"203.0.113.9", "10.0.0.5"}}, "private=10.0.0.5, 203.0.113.9; shared=192.168.233.10"},
	}
	for _, tt := range tests {
		if got := tt.in.String(); got != tt.want {
			t.Errorf("%v.String() = %q, want %q", map[string][]string(tt.in), got, tt.want)
		}
	}
}
