package secgroups

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
	"github.com/kriscelmer/os-tui/tools/toolstest"
)

func TestCreateCheck(t *testing.T) {
	tests := []struct {
		name      string
		args      string
		quota     [2]int
		extension int // status of GET extensions/stateful-security-group; 0: not asked
		block     string
		warn      string
	}{
		{name: "fresh", args: `{"name": "app"}`, quota: [2]int{3, 10}},
		{name: "name used", args: `{"name": "web"}`, quota: [2]int{3, 10}, warn: "a security group named web already exists (" + webID + ")"},
		{name: "quota full", args: `{"name": "app"}`, quota: [2]int{10, 10}, block: "the security group quota is full (10 of 10)"},
		{name: "stateless", args: `{"name": "app", "stateful": false}`, quota: [2]int{3, 10}, extension: http.StatusOK},
		{name: "stateless without the extension", args: `{"name": "app", "stateful": false}`, quota: [2]int{3, 10}, extension: http.StatusNotFound,
			block: "no stateful-security-group extension"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := toolstest.New(t)
			stubGroups(t, fc, true)
			stubQuota(fc, "security_group", tt.quota[0], tt.quota[1])
			if tt.extension != 0 {
				fc.Handle("GET", toolstest.NetworkPrefix+"/extensions/stateful-security-group", tt.extension, `{"extension": {"alias": "stateful-security-group"}}`)
			}
			chk, err := toolstest.Tool(t, Tools(), "security-group.create").Check(cloud.WithReadOnly(t.Context()), fc.Env(), json.RawMessage(tt.args))
			if err != nil {
				t.Fatal(err)
			}
			blocks := strings.Join(findings(chk, tools.Block), "\n")
			if tt.block == "" && blocks != "" || !strings.Contains(blocks, tt.block) {
				t.Errorf("blocks %q, want %q", blocks, tt.block)
			}
			warns := strings.Join(findings(chk, tools.Warn), "\n")
			if tt.warn == "" && warns != "" || !strings.Contains(warns, tt.warn) {
				t.Errorf("warnings %q, want %q", warns, tt.warn)
			}
			if diff := cmp.Diff([]tools.QuotaUse{{Service: "network", Resource: "security_group", InUse: tt.quota[0], Limit: tt.quota[1], Delta: 1}}, chk.Quota); diff != "" {
				t.Errorf("quota (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCreatePreviewRunUndo(t *testing.T) {
	fc := toolstest.New(t)
	const want = `{"security_group":{"description":"app tier","name":"app","stateful":false}}`
	fc.HandleFunc("POST", toolstest.NetworkPrefix+"/security-groups", func(w http.ResponseWriter, r *http.Request) {
		if b, _ := io.ReadAll(r.Body); string(b) != want {
			t.Errorf("body = %s", b)
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Openstack-Request-Id", "req-sg")
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"security_group": {"id": %q, "name": "app", "description": "app tier", "stateful": false, "security_group_rules": []}}`, dbID)
	})
	env := fc.Env()
	tl := toolstest.Tool(t, Tools(), "security-group.create")
	args := json.RawMessage(`{"name": "app", "description": "app tier", "stateful": false}`)
	pv, err := tl.Preview(cloud.WithReadOnly(t.Context()), env, args, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(tools.JSON(pv.Requests[0].Body)); got != want {
		t.Errorf("preview body = %s", got)
	}
	if diff := cmp.Diff([]string{"security group app (stateless), with Neutron's two egress rules"}, pv.Creates); diff != "" {
		t.Errorf("creates (-want +got):\n%s", diff)
	}
	res, err := tl.Run(t.Context(), env, args)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]string{"id": dbID, "name": "app"}, res.Outputs); diff != "" {
		t.Errorf("outputs (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"app"}, env.Names.Of(Kind)); diff != "" {
		t.Errorf("names (-want +got):\n%s", diff)
	}
	// The undo deletes by ID: a second group of the same name may exist.
	undo := tl.Undo(args, res)
	if undo == nil || undo.Tool != "security-group.delete" || string(undo.Args) != `{"group":"`+dbID+`"}` {
		t.Errorf("undo = %+v", undo)
	}
}

func TestSetCheck(t *testing.T) {
	tests := []struct {
		name  string
		args  string
		block string
		warn  string
		list  bool
	}{
		{name: "rename", args: `{"group": "db", "name": "database"}`, list: true},
		{name: "rename to a used name", args: `{"group": "db", "name": "web"}`, list: true, warn: "a security group named web already exists"},
		{name: "same values", args: `{"group": "web", "description": "web tier"}`, list: true, warn: "already has these values; nothing changes"},
		{name: "rename default", args: `{"group": "default", "name": "other"}`, list: true, block: "does not let a project rename its default security group"},
		{name: "describe default", args: `{"group": "default", "description": "the usual"}`, list: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := toolstest.New(t)
			stubGroups(t, fc, tt.list)
			chk, err := toolstest.Tool(t, Tools(), "security-group.set").Check(cloud.WithReadOnly(t.Context()), fc.Env(), json.RawMessage(tt.args))
			if err != nil {
				t.Fatal(err)
			}
			blocks := strings.Join(findings(chk, tools.Block), "\n")
			if tt.block == "" && blocks != "" || !strings.Contains(blocks, tt.block) {
				t.Errorf("blocks %q, want %q", blocks, tt.block)
			}
			warns := strings.Join(findings(chk, tools.Warn), "\n")
			if tt.warn == "" && warns != "" || !strings.Contains(warns, tt.warn) {
				t.Errorf("warnings %q, want %q", warns, tt.warn)
			}
		})
	}
}

func TestSetPreviewRunUndo(t *testing.T) {
	fc := toolstest.New(t)
	stubGroups(t, fc, true)
	fc.HandleFunc("PUT", toolstest.NetworkPrefix+"/security-groups/"+webID, func(w http.ResponseWriter, r *http.Request) {
		if b, _ := io.ReadAll(r.Body); string(b) != `{"security_group":{"description":"","name":"frontend"}}` {
			t.Errorf("body = %s", b)
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"security_group": {"id": %q, "name": "frontend", "description": ""}}`, webID)
	})
	env := fc.Env()
	tl := toolstest.Tool(t, Tools(), "security-group.set")
	args := json.RawMessage(`{"group": "web", "name": "frontend", "description": ""}`)
	if u := tl.Undo(args, &tools.Result{}); u == nil || u.Tool != "security-group.set" {
		t.Errorf("undo under review = %+v", u)
	}
	chk, err := tl.Check(cloud.WithReadOnly(t.Context()), env, args)
	if err != nil {
		t.Fatal(err)
	}
	pv, err := tl.Preview(cloud.WithReadOnly(t.Context()), env, chk.Resolved, chk)
	if err != nil {
		t.Fatal(err)
	}
	wantChanges := []tools.FieldChange{{Field: "name", From: "web", To: "frontend"}, {Field: "description", From: "web tier", To: ""}}
	if diff := cmp.Diff(wantChanges, pv.Changes); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
	res, err := tl.Run(t.Context(), env, chk.Resolved)
	if err != nil {
		t.Fatal(err)
	}
	if res.Message != "security group frontend updated: name, description" {
		t.Errorf("message = %q", res.Message)
	}
	undo := tl.Undo(args, res)
	if undo == nil || string(undo.Args) != `{"group":"`+webID+`","name":"web","description":"web tier"}` {
		t.Fatalf("undo = %+v", undo)
	}
	if err := toolstest.Registry(t, Tools()).Validate(undo.Tool, undo.Args); err != nil {
		t.Errorf("the undo's arguments fail its schema: %v", err)
	}
	// A run that changed nothing has nothing to undo.
	if u := tl.Undo(args, &tools.Result{Outputs: map[string]string{"id": webID, "name": "web"}}); u != nil {
		t.Errorf("undo of no change = %+v", u)
	}
}

// portsJSON: a server's port and a loose one use group web.
const portsJSON = `{"ports": [
 {"id": "p-srv", "name": "", "device_id": "s-1", "device_owner": "compute:nova", "fixed_ips": []},
 {"id": "p-loose", "name": "vip", "device_id": "", "device_owner": "", "fixed_ips": []}
]}`

func TestDelete(t *testing.T) {
	tests := []struct {
		name     string
		group    string
		ports    string
		block    []string
		wantDeps []tools.Dependent
	}{
		{name: "unused", group: "db", ports: `{"ports": []}`,
			wantDeps: []tools.Dependent{
				{Kind: "security group", ID: dbID, Name: "db", Fate: "deleted with its 0 rule(s)"},
				{Kind: "rule", ID: "r-from-db", Name: "r-from-db", Fate: "of group web (ingress IPv4 tcp 8080 from group db): deleted with it"},
			}},
		{name: "in use", group: "db", ports: portsJSON,
			block: []string{
				"security group db is in use by 2 port(s), and Neutron refuses to delete a group in use: port p-loose (vip) (not attached); port p-srv of server web-1 (s-1). Take the group off each first (openstack port unset --security-group " + dbID + " p-loose; /server remove security-group web-1 db, or delete the server)",
			},
			wantDeps: []tools.Dependent{
				{Kind: "security group", ID: dbID, Name: "db", Fate: "deleted with its 0 rule(s)"},
				{Kind: "port", ID: "p-loose", Name: "vip", Fate: "uses the group (not attached): Neutron refuses the delete until it is taken off"},
				{Kind: "port", ID: "p-srv", Fate: "uses the group (server web-1 (s-1)): Neutron refuses the delete until it is taken off"},
				{Kind: "rule", ID: "r-from-db", Name: "r-from-db", Fate: "of group web (ingress IPv4 tcp 8080 from group db): deleted with it"},
			}},
		{name: "default", group: "default", ports: `{"ports": []}`,
			block: []string{"the default security group cannot be deleted: Neutron keeps one per project for servers launched without a group; remove its rules instead if it admits too much"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := toolstest.New(t)
			stubGroups(t, fc, true)
			fc.HandleFunc("GET", toolstest.NetworkPrefix+"/ports", func(w http.ResponseWriter, r *http.Request) {
				if got := r.URL.Query().Get("security_groups"); !tools.IsUUID(got) {
					t.Errorf("ports filtered by %q", got)
				}
				w.Header().Set("Content-Type", "application/json")
				_, _ = io.WriteString(w, tt.ports)
			})
			fc.HandleFunc("GET", toolstest.NetworkPrefix+"/security-group-rules", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				if r.URL.Query().Get("remote_group_id") != dbID {
					_, _ = io.WriteString(w, `{"security_group_rules": []}`)
					return
				}
				fmt.Fprintf(w, `{"security_group_rules": [
				 {"id": "r-from-db", "security_group_id": %q, "direction": "ingress", "ethertype": "IPv4", "protocol": "tcp", "port_range_min": 8080, "port_range_max": 8080, "remote_group_id": %q},
				 {"id": "r-self", "security_group_id": %q, "direction": "ingress", "ethertype": "IPv4", "remote_group_id": %q}]}`, webID, dbID, dbID, dbID)
			})
			if strings.Contains(tt.ports, "compute:") {
				fc.Handle("GET", toolstest.ComputePrefix+"/servers", http.StatusOK, `{"servers": [{"id": "s-1", "name": "web-1"}]}`)
			}
			env := fc.Env()
			tl := toolstest.Tool(t, Tools(), "security-group.delete")
			chk, err := tl.Check(cloud.WithReadOnly(t.Context()), env, json.RawMessage(`{"group": "`+tt.group+`"}`))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.block, findings(chk, tools.Block)); diff != "" {
				t.Errorf("blocks (-want +got):\n%s", diff)
			}
			if tt.wantDeps == nil {
				return
			}
			pv, err := tl.Preview(cloud.WithReadOnly(t.Context()), env, chk.Resolved, chk)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.wantDeps, pv.Deletes); diff != "" {
				t.Errorf("dependents (-want +got):\n%s", diff)
			}
			if len(pv.Requests) != 1 || pv.Requests[0].Method != "DELETE" || !strings.HasSuffix(pv.Requests[0].URL, "/security-groups/"+dbID) {
				t.Errorf("requests = %+v", pv.Requests)
			}
		})
	}
}

func TestDeleteRun(t *testing.T) {
	tests := []struct {
		name    string
		status  int
		body    string
		wantErr string
	}{
		{name: "deleted", status: http.StatusNoContent},
		{name: "in use after the preflight", status: http.StatusConflict,
			body:    `{"NeutronError": {"type": "SecurityGroupInUse", "message": "Security Group ` + dbID + ` in use.", "detail": ""}}`,
			wantErr: "a port started using it after the preflight"},
		{name: "gone", status: http.StatusNotFound, body: `{"NeutronError": {"message": "not found"}}`, wantErr: "no security group"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := toolstest.New(t)
			stubGroups(t, fc, false)
			fc.Handle("DELETE", toolstest.NetworkPrefix+"/security-groups/"+dbID, tt.status, tt.body)
			res, err := toolstest.Run(t, fc.Env(), Tools(), "security-group.delete", DeleteArgs{Group: dbID})
			if tt.wantErr == "" {
				if err != nil || res.Message != "security group db deleted" {
					t.Errorf("res = %+v, err = %v", res, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("err = %v, want %q", err, tt.wantErr)
			}
		})
	}
}
