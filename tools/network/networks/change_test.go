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

func TestCreateCheck(t *testing.T) {
	tests := []struct {
		name   string
		args   string
		admin  bool
		noExt  string
		used   int
		blocks []string
		warns  []string
	}{
		{name: "plain", args: `{"name": "app"}`},
		{name: "name taken", args: `{"name": "web"}`, warns: []string{"a network named web already exists (" + webID + ")"}},
		{name: "shared as a member", args: `{"name": "app", "shared": true}`,
			blocks: []string{"Neutron lets only an admin create a network shared with every project, and you have roles member; create it unshared and share it with one project: /network share NETWORK --project PROJECT"}},
		{name: "shared as admin", args: `{"name": "app", "shared": true, "external": true}`, admin: true},
		{name: "external as a member", args: `{"name": "app", "external": true}`, blocks: []string{"Neutron lets only an admin create an external network"}},
		{name: "mtu without the extension", args: `{"name": "app", "mtu": 1400}`, noExt: "net-mtu-writable",
			blocks: []string{"this cloud's Neutron has no net-mtu-writable extension, so it sets a network's MTU itself; leave out --mtu"}},
		{name: "dns domain without its dot", args: `{"name": "app", "dns_domain": "example.org"}`,
			blocks: []string{`DNS domain "example.org" must be fully qualified and end with a dot: example.org.`, "no dns-integration extension"}},
		{name: "no port security", args: `{"name": "app", "port_security_enabled": false}`,
			warns: []string{"ports on a network without port security get no security groups"}},
		{name: "quota full", args: `{"name": "app"}`, used: 10,
			blocks: []string{"the network quota is full (10 of 10); delete an unused network with /network delete or ask for more quota"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := newNeutron(t)
			n.roles, n.quotaUsed = []string{"member"}, tt.used
			if tt.admin {
				n.roles = []string{"admin", "member"}
			}
			if tt.noExt != "" {
				n.extensions[tt.noExt] = false
			}
			chk, err := toolstest.Tool(t, Tools(), "network.create").Check(cloud.WithReadOnly(t.Context()), n.fc.Env(), json.RawMessage(tt.args))
			if err != nil {
				t.Fatal(err)
			}
			assertTexts(t, "blocks", findings(chk, tools.Block), tt.blocks)
			assertTexts(t, "warnings", findings(chk, tools.Warn), tt.warns)
			if diff := cmp.Diff([]tools.QuotaUse{{Service: "network", Resource: "network", InUse: tt.used, Limit: 10, Delta: 1}}, chk.Quota); diff != "" {
				t.Errorf("quota (-want +got):\n%s", diff)
			}
		})
	}
}

// assertTexts checks that got has one text containing each of want, and
// nothing else.
func assertTexts(t *testing.T, what string, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s = %q, want %d containing %q", what, got, len(want), want)
		return
	}
	for i := range want {
		if !strings.Contains(got[i], want[i]) {
			t.Errorf("%s[%d] = %q, want it to contain %q", what, i, got[i], want[i])
		}
	}
}

func TestCreatePreviewRunUndo(t *testing.T) {
	fc := toolstest.New(t)
	const newID = "7e000000-0000-4000-8000-0000000000ff"
	fc.HandleFunc("POST", toolstest.NetworkPrefix+"/networks", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		want := `{"network":{"admin_state_up":false,"mtu":1400,"name":"app","port_security_enabled":false,"router:external":false}}`
		if diff := cmp.Diff(jsonOf(t, want), jsonOf(t, string(b))); diff != "" {
			t.Errorf("body (-want +got):\n%s", diff)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"network": {"id": %q, "name": "app"}}`, newID)
	})
	fc.HandleFunc("PUT", toolstest.NetworkPrefix+"/networks/"+newID+"/tags", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if string(b) != `{"tags":["a","b"]}` {
			t.Errorf("tags body = %s", b)
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"tags": ["a", "b"]}`)
	})
	tl := toolstest.Tool(t, Tools(), "network.create")
	args := json.RawMessage(`{"name": "app", "admin_state_up": false, "external": false, "mtu": 1400, "port_security_enabled": false, "tag": ["b", "a"]}`)
	pv, err := tl.Preview(cloud.WithReadOnly(t.Context()), fc.Env(), args, &tools.Check{})
	if err != nil {
		t.Fatal(err)
	}
	wantReq := []tools.Request{
		{Method: "POST", URL: fc.Server.URL + toolstest.NetworkPrefix + "/networks",
			Body: jsonOf(t, `{"network":{"admin_state_up":false,"mtu":1400,"name":"app","port_security_enabled":false,"router:external":false}}`)},
		{Method: "PUT", URL: fc.Server.URL + toolstest.NetworkPrefix + "/networks/{id}/tags", Body: map[string]any{"tags": []string{"a", "b"}}},
	}
	if diff := cmp.Diff(wantReq, pv.Requests); diff != "" {
		t.Errorf("preview (-want +got):\n%s", diff)
	}
	res, err := tl.Run(t.Context(), fc.Env(), args)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]string{"id": newID, "name": "app"}, res.Outputs); diff != "" {
		t.Errorf("outputs (-want +got):\n%s", diff)
	}
	undo := tl.Undo(args, res)
	if undo == nil || undo.Tool != "network.delete" || string(undo.Args) != `{"network":"`+newID+`"}` {
		t.Errorf("undo = %+v", undo)
	}
}

func TestCreateTakesBackWhatTagsFailed(t *testing.T) {
	fc := toolstest.New(t)
	const newID = "7e000000-0000-4000-8000-0000000000ff"
	fc.Handle("POST", toolstest.NetworkPrefix+"/networks", http.StatusCreated, `{"network": {"id": "`+newID+`", "name": "app"}}`)
	fc.Handle("PUT", toolstest.NetworkPrefix+"/networks/"+newID+"/tags", http.StatusInternalServerError, `{"NeutronError": {"message": "boom"}}`)
	fc.Handle("DELETE", toolstest.NetworkPrefix+"/networks/"+newID, http.StatusNoContent, ``)
	_, err := toolstest.Tool(t, Tools(), "network.create").Run(t.Context(), fc.Env(), json.RawMessage(`{"name": "app", "tag": ["x"]}`))
	if err == nil || !strings.Contains(err.Error(), "the network was deleted again") {
		t.Errorf("err = %v", err)
	}
}

func TestSetCheck(t *testing.T) {
	router := port("p-gw", "", "network:router_gateway", "r1", "")
	tests := []struct {
		name    string
		args    string
		network string
		ports   []string
		subnets []string
		admin   bool
		blocks  []string
		warns   []string
	}{
		{name: "rename", args: `{"network": "web", "name": "front"}`},
		{name: "same values", args: `{"network": "web", "name": "web", "mtu": 1450}`, warns: []string{"network web already has these values; nothing changes"}},
		{name: "not the owner", args: `{"network": "web", "name": "x"}`, network: strings.Replace(webNet, `"project_id": "p1"`, `"project_id": "p9"`, 1),
			blocks: []string{"network web belongs to project p9, not yours; only its owner or an admin can change it"}},
		{name: "unshare under other projects' ports", args: `{"network": "web", "shared": false}`, admin: true,
			network: strings.Replace(webNet, `"shared": false`, `"shared": true`, 1),
			ports:   []string{port("p-a", "a", "compute:nova", "vm1", "p2"), port("p-b", "b", "network:dhcp", "d", "p1")},
			blocks:  []string{"other projects have 1 port(s) on network web (port p-a (a) of project p2) and Neutron refuses to unshare a network they use"}},
		{name: "internal under a router gateway", args: `{"network": "web", "external": false}`, admin: true,
			network: strings.Replace(webNet, `"router:external": false`, `"router:external": true`, 1), ports: []string{router},
			blocks: []string{"1 router(s) use network web as their external gateway and Neutron refuses to make it internal under them: port p-gw is the external gateway of router r1"}},
		{name: "mtu below IPv6's", args: `{"network": "web", "mtu": 1200}`,
			subnets: []string{`{"id": "` + subnetV6ID + `", "name": "v6", "network_id": "` + webID + `", "ip_version": 6}`},
			blocks:  []string{"network web has IPv6 subnet v6 and IPv6 needs an MTU of at least 1280"}},
		{name: "down", args: `{"network": "web", "admin_state_up": false}`, warns: []string{"with network web down"}},
		{name: "external as a member", args: `{"network": "web", "external": true}`, blocks: []string{"Neutron lets only an admin change whether a network is external"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := newNeutron(t)
			n.roles, n.ports, n.subnets = []string{"member"}, tt.ports, tt.subnets
			if tt.admin {
				n.roles = []string{"admin"}
			}
			if tt.network != "" {
				n.networks = []string{tt.network}
			}
			chk, err := toolstest.Tool(t, Tools(), "network.set").Check(cloud.WithReadOnly(t.Context()), n.fc.Env(), json.RawMessage(tt.args))
			if err != nil {
				t.Fatal(err)
			}
			assertTexts(t, "blocks", findings(chk, tools.Block), tt.blocks)
			assertTexts(t, "warnings", findings(chk, tools.Warn), tt.warns)
			if !strings.Contains(string(chk.Resolved), webID) {
				t.Errorf("resolved = %s, want the network's ID", chk.Resolved)
			}
		})
	}
}

func TestSetPreviewRunUndo(t *testing.T) {
	n := newNeutron(t)
	n.fc.HandleFunc("PUT", toolstest.NetworkPrefix+"/networks/"+webID, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if diff := cmp.Diff(jsonOf(t, `{"network":{"name":"front","mtu":1400}}`), jsonOf(t, string(b))); diff != "" {
			t.Errorf("body (-want +got):\n%s", diff)
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"network": {"id": "`+webID+`", "name": "front"}}`)
	})
	n.fc.Handle("PUT", toolstest.NetworkPrefix+"/networks/"+webID+"/tags", http.StatusOK, `{"tags": ["red"]}`)
	tl := toolstest.Tool(t, Tools(), "network.set")
	env := n.fc.Env()
	args := json.RawMessage(`{"network": "` + webID + `", "name": "front", "mtu": 1400, "clear_tags": true, "tag": ["red"]}`)
	chk, err := tl.Check(cloud.WithReadOnly(t.Context()), env, args)
	if err != nil {
		t.Fatal(err)
	}
	pv, err := tl.Preview(cloud.WithReadOnly(t.Context()), env, args, chk)
	if err != nil {
		t.Fatal(err)
	}
	wantChanges := []tools.FieldChange{
		{Field: "name", From: "web", To: "front"},
		{Field: "mtu", From: 1450, To: 1400},
		{Field: "tags", From: []string{"blue"}, To: []string{"red"}},
	}
	if diff := cmp.Diff(wantChanges, pv.Changes); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
	if len(pv.Requests) != 2 || pv.Requests[1].URL != n.fc.Server.URL+toolstest.NetworkPrefix+"/networks/"+webID+"/tags" {
		t.Errorf("requests = %+v", pv.Requests)
	}
	res, err := tl.Run(t.Context(), env, chk.Resolved)
	if err != nil {
		t.Fatal(err)
	}
	undo := tl.Undo(args, res)
	want := `{"network":"` + webID + `","name":"web","mtu":1450,"tag":["blue"],"clear_tags":true}`
	if undo == nil || undo.Tool != "network.set" || string(undo.Args) != want {
		t.Errorf("undo = %+v, want network.set %s", undo, want)
	}
}

func TestUnsetRunUndo(t *testing.T) {
	n := newNeutron(t)
	n.networks = []string{strings.Replace(webNet, `"tags": ["blue"]`, `"tags": ["blue", "red"]`, 1)}
	n.fc.HandleFunc("PUT", toolstest.NetworkPrefix+"/networks/"+webID, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if string(b) != `{"network":{"description":""}}` {
			t.Errorf("body = %s", b)
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"network": {"id": "`+webID+`", "name": "web"}}`)
	})
	n.fc.HandleFunc("PUT", toolstest.NetworkPrefix+"/networks/"+webID+"/tags", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if string(b) != `{"tags":["red"]}` {
			t.Errorf("tags body = %s", b)
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"tags": ["red"]}`)
	})
	tl := toolstest.Tool(t, Tools(), "network.unset")
	args := json.RawMessage(`{"network": "web", "description": true, "tag": ["blue", "green"]}`)
	chk, err := tl.Check(cloud.WithReadOnly(t.Context()), n.fc.Env(), args)
	if err != nil {
		t.Fatal(err)
	}
	assertTexts(t, "infos", findings(chk, tools.Info), []string{`network web has no tag "green"`})
	res, err := tl.Run(t.Context(), n.fc.Env(), chk.Resolved)
	if err != nil {
		t.Fatal(err)
	}
	undo := tl.Undo(args, res)
	want := `{"network":"` + webID + `","description":"front","tag":["blue"]}`
	if undo == nil || string(undo.Args) != want {
		t.Errorf("undo = %+v, want %s", undo, want)
	}
}

func TestDelete(t *testing.T) {
	dhcp := port("p-dhcp", "", "network:dhcp", "dhcp1", "p1")
	vm := port("p-vm", "eth0", "compute:nova", "vm1", "p1")
	iface := port("p-if", "", "network:router_interface", "r1", "p1")
	tests := []struct {
		name   string
		ports  []string
		rbac   []string
		blocks []string
		warns  []string
		fates  []string
	}{
		{name: "only DHCP", ports: []string{dhcp}, fates: []string{"deleted", "10.1.0.0/24, deleted with the network", "held by Neutron's DHCP service, deleted with the network"}},
		{name: "in use", ports: []string{dhcp, iface, vm},
			blocks: []string{
				"Neutron refuses to delete a network with ports in use: port p-if is an interface of router r1; remove it first (openstack router remove port r1 p-if)",
				"Neutron refuses to delete a network with ports in use: port p-vm (eth0) is used by server vm1",
			},
			fates: []string{"deleted", "10.1.0.0/24, deleted with the network", "held by Neutron's DHCP service, deleted with the network",
				"held by router r1 as an interface: Neutron refuses the delete until it is freed", "held by server web-1 (vm1): Neutron refuses the delete until it is freed"}},
		{name: "shared", rbac: []string{`{"id": "` + policyID + `", "object_type": "network", "object_id": "` + webID + `", "action": "access_as_shared", "target_tenant": "p2", "project_id": "p1"}`},
			warns: []string{"network web is shared with other projects; they lose it too"},
			fates: []string{"deleted", "10.1.0.0/24, deleted with the network", "access_as_shared to project p2, removed with the network"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := newNeutron(t)
			n.ports, n.rbac = tt.ports, tt.rbac
			n.subnets = []string{`{"id": "s1", "name": "web-sub", "network_id": "` + webID + `", "cidr": "10.1.0.0/24"}`}
			n.fc.Optional("GET", toolstest.ComputePrefix+"/servers", http.StatusOK, `{"servers": [{"id": "vm1", "name": "web-1"}]}`)
			tl := toolstest.Tool(t, Tools(), "network.delete")
			chk, err := tl.Check(cloud.WithReadOnly(t.Context()), n.fc.Env(), json.RawMessage(`{"network": "web"}`))
			if err != nil {
				t.Fatal(err)
			}
			assertTexts(t, "blocks", findings(chk, tools.Block), tt.blocks)
			assertTexts(t, "warnings", findings(chk, tools.Warn), tt.warns)
			pv, err := tl.Preview(cloud.WithReadOnly(t.Context()), n.fc.Env(), chk.Resolved, chk)
			if err != nil {
				t.Fatal(err)
			}
			var fates []string
			for _, d := range pv.Deletes {
				fates = append(fates, d.Fate)
			}
			if diff := cmp.Diff(tt.fates, fates); diff != "" {
				t.Errorf("fates (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDeleteRun(t *testing.T) {
	tests := []struct {
		status int
		err    string
	}{
		{status: http.StatusNoContent},
		{status: http.StatusConflict, err: "a port appeared on it after the preflight"},
		{status: http.StatusNotFound, err: `no network named or with ID "` + webID + `"`},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.status), func(t *testing.T) {
			n := newNeutron(t)
			n.fc.Handle("DELETE", toolstest.NetworkPrefix+"/networks/"+webID, tt.status, `{"NeutronError": {"message": "x"}}`)
			res, err := toolstest.Tool(t, Tools(), "network.delete").Run(t.Context(), n.fc.Env(), json.RawMessage(`{"network": "`+webID+`"}`))
			if tt.err == "" {
				if err != nil || res.Message != "network web deleted" {
					t.Errorf("res = %+v, err = %v", res, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("err = %v, want %q", err, tt.err)
			}
		})
	}
}
