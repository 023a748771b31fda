package networks

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

// policy is an RBAC policy fixture on network web.
func policy(id, target, action string) string {
	return fmt.Sprintf(`{"id": %q, "object_type": "network", "object_id": %q, "action": %q, "target_tenant": %q, "project_id": "p1", "tenant_id": "p1"}`,
		id, webID, action, target)
}

func TestShareCheck(t *testing.T) {
	tests := []struct {
		name     string
		args     string
		identity func(fc *toolstest.Cloud)
		admin    bool
		rbac     []string
		project  string // resolved
		blocks   []string
		infos    []string
	}{
		{name: "an ID the caller cannot read", args: `{"network": "web", "project": "` + otherProj + `"}`,
			identity: func(fc *toolstest.Cloud) {
				fc.Handle("GET", toolstest.IdentityPrefix+"/projects/"+otherProj, http.StatusForbidden, `{"error": {"code": 403}}`)
			},
			project: otherProj,
			infos:   []string{"your role cannot read project " + otherProj + ", so its ID is used as given", "may use network web to attach ports and servers to"}},
		{name: "a name an admin looks up", args: `{"network": "web", "project": "ops", "action": "access_as_external"}`, admin: true,
			identity: func(fc *toolstest.Cloud) {
				fc.Handle("GET", toolstest.IdentityPrefix+"/projects", http.StatusOK, `{"projects": [{"id": "`+otherProj+`", "name": "ops", "domain_id": "default"}], "links": {}}`)
			},
			project: otherProj,
			infos:   []string{"ops (" + otherProj + ") may use network web as an external network"}},
		{name: "a name the caller may not look up", args: `{"network": "web", "project": "ops"}`,
			identity: func(fc *toolstest.Cloud) {
				fc.Handle("GET", toolstest.IdentityPrefix+"/projects", http.StatusForbidden, `{"error": {"code": 403}}`)
				fc.Handle("GET", toolstest.IdentityPrefix+"/auth/projects", http.StatusOK, `{"projects": [{"id": "p1", "name": "demo"}], "links": {}}`)
			},
			blocks: []string{"your role cannot look up other projects by name, and none of yours is named ops; give the project's ID (its members see it with: openstack project show ops -c id)"}},
		{name: "every project as a member", args: `{"network": "web", "project": "*"}`, project: "*",
			blocks: []string{"Neutron lets only an admin share a network with every project (*), and you have roles member; share it with each project by name or ID: /network share web --project PROJECT"},
			infos:  []string{"every project (*) may use network web"}},
		{name: "its own project", args: `{"network": "web", "project": "` + project + `"}`, project: project,
			identity: func(fc *toolstest.Cloud) {
				fc.Handle("GET", toolstest.IdentityPrefix+"/projects", http.StatusOK, `{"projects": [{"id": "p1", "name": "p1"}], "links": {}}`)
			},
			blocks: []string{"network web already belongs to project p1; sharing it with its own project changes nothing"},
			infos:  []string{"p1 may use network web"}},
		{name: "already shared", args: `{"network": "web", "project": "*"}`, admin: true, project: "*",
			rbac:   []string{policy(policyID, "*", AccessAsShared)},
			blocks: []string{"network web is already shared with every project (*) as access_as_shared (policy " + policyID + "); nothing to do"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := newNeutron(t)
			n.roles, n.rbac = []string{"member"}, tt.rbac
			if tt.admin {
				n.roles = []string{"admin"}
			}
			if tt.identity != nil {
				tt.identity(n.fc)
			}
			chk, err := toolstest.Tool(t, Tools(), "network.share").Check(cloud.WithReadOnly(t.Context()), n.fc.Env(), json.RawMessage(tt.args))
			if err != nil {
				t.Fatal(err)
			}
			assertTexts(t, "blocks", findings(chk, tools.Block), tt.blocks)
			if tt.infos != nil {
				assertTexts(t, "infos", findings(chk, tools.Info), tt.infos)
			}
			if tt.project != "" && !strings.Contains(string(chk.Resolved), `"project":"`+tt.project+`"`) {
				t.Errorf("resolved = %s, want project %s", chk.Resolved, tt.project)
			}
		})
	}
}

func TestShareRunUndo(t *testing.T) {
	n := newNeutron(t)
	n.fc.HandleFunc("POST", toolstest.NetworkPrefix+"/rbac-policies", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		want := `{"rbac_policy":{"action":"access_as_shared","object_id":"` + webID + `","object_type":"network","target_tenant":"` + otherProj + `"}}`
		if diff := cmp.Diff(jsonOf(t, want), jsonOf(t, string(b))); diff != "" {
			t.Errorf("body (-want +got):\n%s", diff)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"rbac_policy": %s}`, policy(policyID, otherProj, AccessAsShared))
	})
	tl := toolstest.Tool(t, Tools(), "network.share")
	args := json.RawMessage(`{"network": "` + webID + `", "project": "` + otherProj + `", "action": "access_as_shared", "type": "network"}`)
	res, err := tl.Run(t.Context(), n.fc.Env(), args)
	if err != nil {
		t.Fatal(err)
	}
	if res.Message != "network web shared with project "+otherProj+" as access_as_shared (policy "+policyID+")" {
		t.Errorf("message = %q", res.Message)
	}
	undo := tl.Undo(args, res)
	if undo == nil || undo.Tool != "network.rbac.delete" || string(undo.Args) != `{"policy":"`+policyID+`"}` {
		t.Errorf("undo = %+v", undo)
	}
}

func TestUnshareCheck(t *testing.T) {
	theirs := port("p-t", "t", "compute:nova", "vm9", otherProj)
	tests := []struct {
		name   string
		rbac   []string
		ports  []string
		blocks []string
	}{
		{name: "shared and unused", rbac: []string{policy(policyID, otherProj, AccessAsShared)}, ports: []string{port("p-mine", "", "compute:nova", "vm1", "p1")}},
		{name: "not shared", blocks: []string{"network web is not shared with " + otherProj + " as access_as_shared; /network rbac list --network web shows how it is shared"}},
		{name: "in use", rbac: []string{policy(policyID, otherProj, AccessAsShared)}, ports: []string{theirs},
			blocks: []string{"project " + otherProj + " still has 1 port(s) on network web (port p-t (t)) and Neutron refuses to take the share back while it uses it"}},
		{name: "in use but shared with everyone too", rbac: []string{policy(policyID, otherProj, AccessAsShared), policy("other", "*", AccessAsShared)}, ports: []string{theirs}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := newNeutron(t)
			n.roles, n.rbac, n.ports = []string{"member"}, tt.rbac, tt.ports
			n.fc.Optional("GET", toolstest.IdentityPrefix+"/projects/"+otherProj, http.StatusForbidden, `{"error": {"code": 403}}`)
			tl := toolstest.Tool(t, Tools(), "network.unshare")
			chk, err := tl.Check(cloud.WithReadOnly(t.Context()), n.fc.Env(), json.RawMessage(`{"network": "web", "project": "`+otherProj+`"}`))
			if err != nil {
				t.Fatal(err)
			}
			assertTexts(t, "blocks", findings(chk, tools.Block), tt.blocks)
			if chk.Blocked() {
				return
			}
			pv, err := tl.Preview(cloud.WithReadOnly(t.Context()), n.fc.Env(), chk.Resolved, chk)
			if err != nil {
				t.Fatal(err)
			}
			want := []tools.Request{{Method: "DELETE", URL: n.fc.Server.URL + toolstest.NetworkPrefix + "/rbac-policies/" + policyID}}
			if diff := cmp.Diff(want, pv.Requests); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
		})
	}
}

func TestUnshareRunUndo(t *testing.T) {
	n := newNeutron(t)
	n.rbac = []string{policy(policyID, otherProj, AccessAsShared)}
	n.fc.Handle("DELETE", toolstest.NetworkPrefix+"/rbac-policies/"+policyID, http.StatusNoContent, ``)
	tl := toolstest.Tool(t, Tools(), "network.unshare")
	args := json.RawMessage(`{"network": "` + webID + `", "project": "` + otherProj + `", "action": "access_as_shared"}`)
	res, err := tl.Run(t.Context(), n.fc.Env(), args)
	if err != nil {
		t.Fatal(err)
	}
	undo := tl.Undo(args, res)
	want := `{"network":"` + webID + `","project":"` + otherProj + `","action":"access_as_shared"}`
	if undo == nil || undo.Tool != "network.share" || string(undo.Args) != want {
		t.Errorf("undo = %+v, want network.share %s", undo, want)
	}
}

func TestRBACDeleteOtherObject(t *testing.T) {
	n := newNeutron(t)
	n.fc.Handle("GET", toolstest.NetworkPrefix+"/rbac-policies/"+policyID, http.StatusOK,
		`{"rbac_policy": {"id": "`+policyID+`", "object_type": "security_group", "object_id": "sg", "action": "access_as_shared", "target_tenant": "p2"}}`)
	chk, err := toolstest.Tool(t, Tools(), "network.rbac.delete").Check(cloud.WithReadOnly(t.Context()), n.fc.Env(), json.RawMessage(`{"policy": "`+policyID+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	assertTexts(t, "blocks", findings(chk, tools.Block), []string{"policy " + policyID + " shares a security_group, not a network; ostui takes back network shares only: use openstack network rbac delete " + policyID})
}

func TestRBACList(t *testing.T) {
	n := newNeutron(t)
	n.rbac = []string{policy(policyID, otherProj, AccessAsShared), strings.Replace(policy("x", "p3", AccessAsShared), webID, "elsewhere", 1)}
	res, err := toolstest.Run(t, n.fc.Env(), Tools(), "network.rbac.list", RBACListArgs{Network: "web"})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]any{{policyID, "network", webID, "access_as_shared", otherProj}}
	if diff := cmp.Diff(want, res.List.Rows); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
}
