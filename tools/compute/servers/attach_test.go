package servers

import (
	"context"
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

const (
	srvID      = "9e5476bd-a4ec-4653-93d6-72c93aa682ba"
	otherID    = "1b2c3d4e-0000-4653-93d6-72c93aa68200"
	attVolID   = "6c3f1a52-7d1e-4d5e-9c1a-0c7c2b1e9f10"
	attPortID  = "3f0c6a3e-2b8d-4c55-8f0e-1f6a4a7d2c01"
	port2ID    = "3f0c6a3e-2b8d-4c55-8f0e-1f6a4a7d2c02"
	fipID      = "2f245a7b-796b-4f26-9cf9-9e82d248fda7"
	attNetID   = "8ca37218-28ff-41cb-9b10-039601ea7e6b"
	attSGID    = "85cc3048-abc3-43cc-89b3-377341426ac5"
	attProject = "4f7d0ff0c2a04f6c9d2d7cf2ea1d0b1a"
)

type srv struct {
	status, task, zone string
	locked             bool
}

func attachServerJSON(s srv) string {
	task := "null"
	if s.task != "" {
		task = fmt.Sprintf("%q", s.task)
	}
	return fmt.Sprintf(`{"server": {"id": %q, "name": "web-1", "status": %q, "OS-EXT-STS:task_state": %s, "locked": %t, "locked_reason": null,
	  "OS-EXT-AZ:availability_zone": %q, "tenant_id": %q}}`, srvID, s.status, task, s.locked, s.zone, attProject)
}

func volumeJSON(status, zone string, attachedTo ...string) string {
	var atts []string
	for _, id := range attachedTo {
		atts = append(atts, fmt.Sprintf(`{"server_id": %q, "device": "/dev/vdb", "attachment_id": "a1"}`, id))
	}
	return fmt.Sprintf(`{"volume": {"id": %q, "name": "data", "status": %q, "size": 10, "availability_zone": %q, "attachments": [%s], "multiattach": false}}`,
		attVolID, status, zone, strings.Join(atts, ","))
}

func portsJSON(ports ...string) string {
	return `{"ports": [` + strings.Join(ports, ",") + `]}`
}

func portJSON(id, ip string, groups ...string) string {
	g, _ := json.Marshal(append([]string{}, groups...))
	return fmt.Sprintf(`{"id": %q, "device_id": %q, "device_owner": "compute:nova", "fixed_ips": [{"ip_address": %q, "subnet_id": "s1"}], "security_groups": %s}`,
		id, srvID, ip, g)
}

func fipJSON(port string) string {
	p := "null"
	if port != "" {
		p = fmt.Sprintf("%q", port)
	}
	return fmt.Sprintf(`{"floatingip": {"id": %q, "floating_ip_address": "203.0.113.10", "port_id": %s, "fixed_ip_address": null, "floating_network_id": %q}}`, fipID, p, attNetID)
}

// blocks returns the texts of blocking findings, and checks that the
// check ran read-only (toolstest's transport refuses writes then).
func attachCheck(t *testing.T, fc *toolstest.Cloud, name string, args any) *tools.Check {
	t.Helper()
	b, _ := json.Marshal(args)
	chk, err := toolstest.Tool(t, Tools(), name).Check(cloud.WithReadOnly(t.Context()), fc.Env(), b)
	if err != nil {
		t.Fatal(err)
	}
	return chk
}

func levelTexts(chk *tools.Check, l tools.Level) string {
	var out []string
	for _, f := range chk.Findings {
		if f.Level == l {
			out = append(out, f.Text)
		}
	}
	return strings.Join(out, "\n")
}

func wantFinding(t *testing.T, chk *tools.Check, block, warn string) {
	t.Helper()
	got := levelTexts(chk, tools.Block)
	switch {
	case block == "" && got != "":
		t.Errorf("blocked: %s", got)
	case block != "" && !strings.Contains(got, block):
		t.Errorf("blocks %q, want one containing %q", got, block)
	}
	if w := levelTexts(chk, tools.Warn); warn != "" && !strings.Contains(w, warn) {
		t.Errorf("warnings %q, want one containing %q", w, warn)
	}
}

func TestAddVolumeCheck(t *testing.T) {
	tests := []struct {
		name      string
		server    srv
		volume    string
		block     string
		warn      string
		otherName bool
	}{
		{name: "available", server: srv{status: "ACTIVE", zone: "nova"}, volume: volumeJSON("available", "nova")},
		{name: "shutoff server", server: srv{status: "SHUTOFF", zone: "nova"}, volume: volumeJSON("available", "nova")},
		{name: "paused server", server: srv{status: "PAUSED"}, volume: volumeJSON("available", ""), block: "server web-1 is PAUSED; attaching a volume needs it to be ACTIVE or SHUTOFF"},
		{name: "busy server", server: srv{status: "ACTIVE", task: "rebooting"}, volume: volumeJSON("available", ""), block: "busy (rebooting)"},
		{name: "locked server", server: srv{status: "ACTIVE", locked: true}, volume: volumeJSON("available", ""), block: "locked; unlock it first with /server unlock web-1"},
		{name: "in use elsewhere", server: srv{status: "ACTIVE"}, volume: volumeJSON("in-use", "", otherID), block: "volume data is in-use, attached to server db-1; detach it first", otherName: true},
		{name: "already here", server: srv{status: "ACTIVE"}, volume: volumeJSON("in-use", "", srvID), block: "volume data is already attached to server web-1 on /dev/vdb"},
		{name: "error volume", server: srv{status: "ACTIVE"}, volume: volumeJSON("error", ""), block: "volume data is error; only an available volume can be attached"},
		{name: "other zone", server: srv{status: "ACTIVE", zone: "az1"}, volume: volumeJSON("available", "az2"), warn: "availability zone az2 but server web-1 is in az1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := toolstest.New(t)
			fc.Handle("GET", toolstest.ComputePrefix+"/servers/"+srvID, http.StatusOK, attachServerJSON(tt.server))
			fc.Handle("GET", toolstest.VolumePrefix+"/volumes/"+attVolID, http.StatusOK, tt.volume)
			if tt.otherName {
				fc.Handle("GET", toolstest.ComputePrefix+"/servers", http.StatusOK, `{"servers": [{"id": "`+otherID+`", "name": "db-1"}]}`)
			}
			chk := attachCheck(t, fc, "server.add.volume", VolumeArgs{Server: srvID, Volume: attVolID})
			wantFinding(t, chk, tt.block, tt.warn)
			want := []tools.Target{{Kind: "server", ID: srvID, Name: "web-1"}, {Kind: "volume", ID: attVolID, Name: "data"}}
			if diff := cmp.Diff(want, chk.Targets); diff != "" {
				t.Errorf("targets (-want +got):\n%s", diff)
			}
			if !strings.Contains(chk.State, "volume status=") || !strings.Contains(chk.State, "server status=") {
				t.Errorf("state = %q", chk.State)
			}
		})
	}
}

func TestAddVolumeRefSkipsLookup(t *testing.T) {
	fc := toolstest.New(t)
	fc.Handle("GET", toolstest.ComputePrefix+"/servers/"+srvID, http.StatusOK, attachServerJSON(srv{status: "ACTIVE"}))
	chk := attachCheck(t, fc, "server.add.volume", VolumeArgs{Server: srvID, Volume: "${vol.id}"})
	wantFinding(t, chk, "", "")
	if !strings.Contains(levelTexts(chk, tools.Info), "${vol.id}, made by an earlier step") {
		t.Errorf("findings = %+v", chk.Findings)
	}
	if string(chk.Resolved) != `{"server":"`+srvID+`","volume":"${vol.id}"}` {
		t.Errorf("resolved = %s", chk.Resolved)
	}
}

func TestRemoveVolumeCheck(t *testing.T) {
	tests := []struct {
		name   string
		volume string
		block  string
	}{
		{name: "attached here", volume: volumeJSON("in-use", "", srvID)},
		{name: "not attached", volume: volumeJSON("available", ""), block: "volume data is not attached to server web-1 (it is available, attached to no server)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := toolstest.New(t)
			fc.Handle("GET", toolstest.ComputePrefix+"/servers/"+srvID, http.StatusOK, attachServerJSON(srv{status: "ACTIVE"}))
			fc.Handle("GET", toolstest.VolumePrefix+"/volumes/"+attVolID, http.StatusOK, tt.volume)
			chk := attachCheck(t, fc, "server.remove.volume", RemoveVolumeArgs{Server: srvID, Volume: attVolID})
			wantFinding(t, chk, tt.block, "")
		})
	}
}

// bodyIs stubs a write and checks its JSON body.
func bodyIs(t *testing.T, want string, status int, reply string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if want != "" {
			var g, wv any
			if err := json.Unmarshal(b, &g); err != nil {
				t.Errorf("%s %s body %q: %v", r.Method, r.URL.Path, b, err)
			}
			_ = json.Unmarshal([]byte(want), &wv)
			if diff := cmp.Diff(wv, g); diff != "" {
				t.Errorf("%s %s body (-want +got):\n%s", r.Method, r.URL.Path, diff)
			}
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Openstack-Request-Id", "req-"+r.Method)
		w.WriteHeader(status)
		_, _ = io.WriteString(w, reply)
	}
}

func TestVolumePreviewRunUndo(t *testing.T) {
	fc := toolstest.New(t)
	env := fc.Env()
	attachURL := toolstest.ComputePrefix + "/servers/" + srvID + "/os-volume_attachments"
	fc.HandleFunc("POST", attachURL, bodyIs(t, `{"volumeAttachment": {"volumeId": "`+attVolID+`", "device": "/dev/vdc"}}`, http.StatusOK,
		`{"volumeAttachment": {"id": "`+attVolID+`", "volumeId": "`+attVolID+`", "serverId": "`+srvID+`", "device": "/dev/vdc"}}`))
	fc.Handle("GET", toolstest.VolumePrefix+"/volumes/"+attVolID, http.StatusOK, volumeJSON("in-use", "", srvID))
	fc.Handle("GET", attachURL+"/"+attVolID, http.StatusOK, `{"volumeAttachment": {"id": "x", "volumeId": "`+attVolID+`", "serverId": "`+srvID+`", "device": "/dev/vdc"}}`)
	fc.HandleFunc("DELETE", attachURL+"/"+attVolID, bodyIs(t, "", http.StatusAccepted, ""))

	add := toolstest.Tool(t, Tools(), "server.add.volume")
	args := json.RawMessage(`{"server": "` + srvID + `", "volume": "` + attVolID + `", "device": "/dev/vdc"}`)
	pv, err := add.Preview(cloud.WithReadOnly(t.Context()), env, args, &tools.Check{Resolved: args})
	if err != nil {
		t.Fatal(err)
	}
	want := []tools.Request{{Method: "POST", URL: fc.Server.URL + attachURL,
		Body: map[string]any{"volumeAttachment": map[string]any{"volumeId": attVolID, "device": "/dev/vdc"}}}}
	if diff := cmp.Diff(want, pv.Requests); diff != "" {
		t.Errorf("preview (-want +got):\n%s", diff)
	}
	if _, err := add.Run(cloud.WithReadOnly(t.Context()), env, args); err == nil || !strings.Contains(err.Error(), "may only read") {
		t.Errorf("run under read-only: err = %v", err)
	}
	res, err := add.Run(t.Context(), env, args)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"req-POST"}, res.RequestIDs); diff != "" {
		t.Errorf("request IDs (-want +got):\n%s", diff)
	}
	if res.Await == nil || res.Await.Kind != "volume" || res.Await.ID != attVolID || res.Await.Until[0] != "in-use" {
		t.Fatalf("await = %+v", res.Await)
	}
	if st, err := res.Await.Poll(context.Background(), env); err != nil || st != "in-use" {
		t.Errorf("poll = %q, %v", st, err)
	}
	undo := add.Undo(args, res)
	if undo == nil || undo.Tool != "server.remove.volume" || string(undo.Args) != `{"server":"`+srvID+`","volume":"`+attVolID+`"}` {
		t.Errorf("undo = %+v", undo)
	}

	// And back: the detach reads the device first so its undo puts the
	// volume where it was.
	rm := toolstest.Tool(t, Tools(), "server.remove.volume")
	pv, err = rm.Preview(cloud.WithReadOnly(t.Context()), env, undo.Args, nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]tools.Request{{Method: "DELETE", URL: fc.Server.URL + attachURL + "/" + attVolID}}, pv.Requests); diff != "" {
		t.Errorf("preview (-want +got):\n%s", diff)
	}
	res, err = rm.Run(t.Context(), env, undo.Args)
	if err != nil {
		t.Fatal(err)
	}
	if res.Await == nil || res.Await.Until[0] != "available" {
		t.Fatalf("await = %+v", res.Await)
	}
	back := rm.Undo(undo.Args, res)
	if back == nil || back.Tool != "server.add.volume" || string(back.Args) != `{"server":"`+srvID+`","volume":"`+attVolID+`","device":"/dev/vdc"}` {
		t.Errorf("undo = %+v", back)
	}
}

func stubPorts(fc *toolstest.Cloud, ports ...string) {
	fc.HandleFunc("GET", toolstest.NetworkPrefix+"/ports", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Query().Get("device_id") == srvID {
			_, _ = io.WriteString(w, portsJSON(ports...))
			return
		}
		_, _ = io.WriteString(w, portsJSON())
	})
}

func TestAddFloatingIPCheck(t *testing.T) {
	tests := []struct {
		name  string
		args  FloatingIPArgs
		ports []string
		stub  func(fc *toolstest.Cloud)
		block string
		warn  string
		quota []tools.QuotaUse
	}{
		{
			name: "free address", args: FloatingIPArgs{Server: srvID, Address: "203.0.113.10"}, ports: []string{portJSON(attPortID, "10.0.0.5")},
			stub: func(fc *toolstest.Cloud) {
				fc.Handle("GET", toolstest.NetworkPrefix+"/floatingips", http.StatusOK, `{"floatingips": [`+strings.TrimSuffix(strings.TrimPrefix(fipJSON(""), `{"floatingip": `), "}")+`]}`)
			},
		},
		{
			name: "address elsewhere", args: FloatingIPArgs{Server: srvID, Address: fipID}, ports: []string{portJSON(attPortID, "10.0.0.5")},
			stub: func(fc *toolstest.Cloud) {
				fc.Handle("GET", toolstest.NetworkPrefix+"/floatingips/"+fipID, http.StatusOK, fipJSON(port2ID))
				fc.Handle("GET", toolstest.NetworkPrefix+"/ports/"+port2ID, http.StatusOK, `{"port": {"id": "`+port2ID+`", "device_id": "`+otherID+`", "device_owner": "compute:nova"}}`)
				fc.Handle("GET", toolstest.ComputePrefix+"/servers/"+otherID, http.StatusOK, `{"server": {"id": "`+otherID+`", "name": "db-1"}}`)
			},
			block: "floating IP 203.0.113.10 is already associated with server db-1; remove it there first",
		},
		{
			name: "already here", args: FloatingIPArgs{Server: srvID, Address: fipID}, ports: []string{portJSON(attPortID, "10.0.0.5")},
			stub: func(fc *toolstest.Cloud) {
				fc.Handle("GET", toolstest.NetworkPrefix+"/floatingips/"+fipID, http.StatusOK, fipJSON(attPortID))
			},
			warn: "already on server web-1",
		},
		{
			name: "no port", args: FloatingIPArgs{Server: srvID, Address: fipID},
			stub: func(fc *toolstest.Cloud) {
				fc.Handle("GET", toolstest.NetworkPrefix+"/floatingips/"+fipID, http.StatusOK, fipJSON(""))
			},
			block: "server web-1 has no port; attach it to a network first",
		},
		{
			name: "wrong fixed address", args: FloatingIPArgs{Server: srvID, Address: fipID, FixedAddress: "10.9.9.9"}, ports: []string{portJSON(attPortID, "10.0.0.5")},
			stub: func(fc *toolstest.Cloud) {
				fc.Handle("GET", toolstest.NetworkPrefix+"/floatingips/"+fipID, http.StatusOK, fipJSON(""))
			},
			block: "server web-1 has no port with fixed address 10.9.9.9 (it has 10.0.0.5)",
		},
		{
			name: "two ports", args: FloatingIPArgs{Server: srvID, Address: fipID}, ports: []string{portJSON(attPortID, "10.0.0.5"), portJSON(port2ID, "10.1.0.5")},
			stub: func(fc *toolstest.Cloud) {
				fc.Handle("GET", toolstest.NetworkPrefix+"/floatingips/"+fipID, http.StatusOK, fipJSON(""))
			},
			warn: "server web-1 has 2 ports; the floating IP goes to 10.0.0.5",
		},
		{
			name: "allocate", args: FloatingIPArgs{Server: srvID, Network: "public"}, ports: []string{portJSON(attPortID, "10.0.0.5")},
			stub: func(fc *toolstest.Cloud) {
				fc.Handle("GET", toolstest.NetworkPrefix+"/networks", http.StatusOK, `{"networks": [{"id": "`+attNetID+`", "name": "public", "router:external": true}]}`)
				fc.Handle("GET", toolstest.NetworkPrefix+"/quotas/"+attProject+"/details.json", http.StatusOK, `{"quota": {"floatingip": {"used": 2, "limit": 50, "reserved": 0}}}`)
			},
			quota: []tools.QuotaUse{{Service: "network", Resource: "floatingip", InUse: 2, Limit: 50, Delta: 1}},
		},
		{
			name: "quota full", args: FloatingIPArgs{Server: srvID, Network: attNetID}, ports: []string{portJSON(attPortID, "10.0.0.5")},
			stub: func(fc *toolstest.Cloud) {
				fc.Handle("GET", toolstest.NetworkPrefix+"/networks/"+attNetID, http.StatusOK, `{"network": {"id": "`+attNetID+`", "name": "public", "router:external": true}}`)
				fc.Handle("GET", toolstest.NetworkPrefix+"/quotas/"+attProject+"/details.json", http.StatusOK, `{"quota": {"floatingip": {"used": 2, "limit": 2, "reserved": 0}}}`)
			},
			block: "the floating IP quota is full (2 of 2 used)",
			quota: []tools.QuotaUse{{Service: "network", Resource: "floatingip", InUse: 2, Limit: 2, Delta: 1}},
		},
		{
			name: "internal network", args: FloatingIPArgs{Server: srvID, Network: "private"}, ports: []string{portJSON(attPortID, "10.0.0.5")},
			stub: func(fc *toolstest.Cloud) {
				fc.Handle("GET", toolstest.NetworkPrefix+"/networks", http.StatusOK, `{"networks": [{"id": "`+attNetID+`", "name": "private", "router:external": false}]}`)
			},
			block: "network private is not external",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := toolstest.New(t)
			fc.Handle("GET", toolstest.ComputePrefix+"/servers/"+srvID, http.StatusOK, attachServerJSON(srv{status: "ACTIVE"}))
			stubPorts(fc, tt.ports...)
			tt.stub(fc)
			chk := attachCheck(t, fc, "server.add.floating-ip", tt.args)
			wantFinding(t, chk, tt.block, tt.warn)
			if diff := cmp.Diff(tt.quota, chk.Quota); diff != "" {
				t.Errorf("quota (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAddFloatingIPPreviewRun(t *testing.T) {
	tests := []struct {
		name         string
		args         FloatingIPArgs
		method, path string
		body         string
		creates      bool
	}{
		{
			name: "existing", args: FloatingIPArgs{Server: srvID, Address: fipID, FixedAddress: "10.0.0.5"},
			method: "PUT", path: "/floatingips/" + fipID,
			body: `{"floatingip": {"port_id": "` + attPortID + `", "fixed_ip_address": "10.0.0.5"}}`,
		},
		{
			name: "allocate", args: FloatingIPArgs{Server: srvID, Network: attNetID, FixedAddress: "10.0.0.5"},
			method: "POST", path: "/floatingips",
			body:    `{"floatingip": {"floating_network_id": "` + attNetID + `", "port_id": "` + attPortID + `", "fixed_ip_address": "10.0.0.5"}}`,
			creates: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := toolstest.New(t)
			env := fc.Env()
			stubPorts(fc, portJSON(attPortID, "10.0.0.5"))
			status := http.StatusOK
			if tt.method == "POST" {
				status = http.StatusCreated
			}
			fc.HandleFunc(tt.method, toolstest.NetworkPrefix+tt.path, bodyIs(t, tt.body, status,
				`{"floatingip": {"id": "`+fipID+`", "floating_ip_address": "203.0.113.10", "port_id": "`+attPortID+`", "fixed_ip_address": "10.0.0.5"}}`))
			add := toolstest.Tool(t, Tools(), "server.add.floating-ip")
			args := tools.JSON(tt.args)
			pv, err := add.Preview(cloud.WithReadOnly(t.Context()), env, args, &tools.Check{Resolved: args})
			if err != nil {
				t.Fatal(err)
			}
			var body any
			_ = json.Unmarshal([]byte(tt.body), &body)
			got, _ := json.Marshal(pv.Requests[0].Body)
			var gotBody any
			_ = json.Unmarshal(got, &gotBody)
			if diff := cmp.Diff(body, gotBody); diff != "" || pv.Requests[0].Method != tt.method || pv.Requests[0].URL != fc.Server.URL+toolstest.NetworkPrefix+tt.path {
				t.Errorf("preview %s %s (-want +got):\n%s", pv.Requests[0].Method, pv.Requests[0].URL, diff)
			}
			if (len(pv.Creates) > 0) != tt.creates {
				t.Errorf("creates = %v", pv.Creates)
			}
			res, err := add.Run(t.Context(), env, args)
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]string{"address": "203.0.113.10", "id": fipID, "server": srvID, "fixed_address": "10.0.0.5"}
			if diff := cmp.Diff(want, res.Outputs); diff != "" {
				t.Errorf("outputs (-want +got):\n%s", diff)
			}
			if len(res.RequestIDs) != 1 {
				t.Errorf("request IDs = %v", res.RequestIDs)
			}
			undo := add.Undo(args, res)
			if undo.Tool != "server.remove.floating-ip" || string(undo.Args) != `{"server":"`+srvID+`","address":"203.0.113.10"}` {
				t.Errorf("undo = %+v", undo)
			}
			if tt.creates != strings.Contains(undo.Why, "stays allocated") {
				t.Errorf("undo why = %q", undo.Why)
			}
		})
	}
}

func TestRemoveFloatingIP(t *testing.T) {
	tests := []struct {
		name  string
		port  string
		block string
		warn  string
	}{
		{name: "on this server", port: attPortID},
		{name: "free", port: "", warn: "not associated with anything"},
		{name: "on another port", port: port2ID, block: "floating IP 203.0.113.10 is associated with port " + port2ID + ", not with server web-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := toolstest.New(t)
			fc.Handle("GET", toolstest.ComputePrefix+"/servers/"+srvID, http.StatusOK, attachServerJSON(srv{status: "ACTIVE"}))
			fc.Handle("GET", toolstest.NetworkPrefix+"/floatingips/"+fipID, http.StatusOK, fipJSON(tt.port))
			if tt.port != "" {
				stubPorts(fc, portJSON(attPortID, "10.0.0.5"))
			}
			if tt.port == port2ID {
				fc.Handle("GET", toolstest.NetworkPrefix+"/ports/"+port2ID, http.StatusOK, `{"port": {"id": "`+port2ID+`", "device_owner": "network:router_gateway"}}`)
			}
			chk := attachCheck(t, fc, "server.remove.floating-ip", RemoveFloatingIPArgs{Server: srvID, Address: fipID})
			wantFinding(t, chk, tt.block, tt.warn)
		})
	}

	fc := toolstest.New(t)
	env := fc.Env()
	fc.Handle("GET", toolstest.NetworkPrefix+"/floatingips/"+fipID, http.StatusOK,
		`{"floatingip": {"id": "`+fipID+`", "floating_ip_address": "203.0.113.10", "port_id": "`+attPortID+`", "fixed_ip_address": "10.0.0.5"}}`)
	fc.HandleFunc("PUT", toolstest.NetworkPrefix+"/floatingips/"+fipID, bodyIs(t, `{"floatingip": {"port_id": null}}`, http.StatusOK, fipJSON("")))
	rm := toolstest.Tool(t, Tools(), "server.remove.floating-ip")
	args := tools.JSON(RemoveFloatingIPArgs{Server: srvID, Address: fipID})
	pv, err := rm.Preview(cloud.WithReadOnly(t.Context()), env, args, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := &tools.Preview{
		Requests: []tools.Request{{Method: "PUT", URL: fc.Server.URL + toolstest.NetworkPrefix + "/floatingips/" + fipID, Body: map[string]any{"floatingip": map[string]any{"port_id": nil}}}},
		Changes:  []tools.FieldChange{{Field: "floating IP port", From: attPortID, To: nil}},
	}
	if diff := cmp.Diff(want, pv); diff != "" {
		t.Errorf("preview (-want +got):\n%s", diff)
	}
	res, err := rm.Run(t.Context(), env, args)
	if err != nil {
		t.Fatal(err)
	}
	undo := rm.Undo(args, res)
	if undo.Tool != "server.add.floating-ip" || string(undo.Args) != `{"server":"`+srvID+`","address":"`+fipID+`","fixed_address":"10.0.0.5"}` {
		t.Errorf("undo = %+v", undo)
	}
}

func TestSecurityGroups(t *testing.T) {
	tests := []struct {
		tool   string
		groups []string
		block  string
		warn   string
		body   string
		undo   string
	}{
		{tool: "server.add.security-group", groups: []string{"default-id"}, body: `{"addSecurityGroup": {"name": "` + attSGID + `"}}`, undo: "server.remove.security-group"},
		{tool: "server.add.security-group", groups: []string{attSGID}, warn: "security group web is already on server web-1", body: `{"addSecurityGroup": {"name": "` + attSGID + `"}}`, undo: "server.remove.security-group"},
		{tool: "server.remove.security-group", groups: []string{attSGID}, body: `{"removeSecurityGroup": {"name": "` + attSGID + `"}}`, undo: "server.add.security-group"},
		{tool: "server.remove.security-group", groups: nil, block: "security group web is not on server web-1; there is nothing to remove", body: `{"removeSecurityGroup": {"name": "` + attSGID + `"}}`, undo: "server.add.security-group"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s %v", tt.tool, tt.groups), func(t *testing.T) {
			fc := toolstest.New(t)
			env := fc.Env()
			fc.Handle("GET", toolstest.ComputePrefix+"/servers/"+srvID, http.StatusOK, attachServerJSON(srv{status: "ACTIVE"}))
			fc.Handle("GET", toolstest.NetworkPrefix+"/security-groups", http.StatusOK, `{"security_groups": [{"id": "`+attSGID+`", "name": "web", "security_group_rules": []}]}`)
			stubPorts(fc, portJSON(attPortID, "10.0.0.5", tt.groups...))
			fc.HandleFunc("POST", toolstest.ComputePrefix+"/servers/"+srvID+"/action", bodyIs(t, tt.body, http.StatusAccepted, ""))
			tl := toolstest.Tool(t, Tools(), tt.tool)
			args := tools.JSON(SecurityGroupArgs{Server: srvID, Group: "web"})
			chk, err := tl.Check(cloud.WithReadOnly(t.Context()), env, args)
			if err != nil {
				t.Fatal(err)
			}
			wantFinding(t, chk, tt.block, tt.warn)
			if string(chk.Resolved) != `{"server":"`+srvID+`","group":"`+attSGID+`"}` {
				t.Errorf("resolved = %s", chk.Resolved)
			}
			pv, err := tl.Preview(cloud.WithReadOnly(t.Context()), env, args, chk)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := json.Marshal(pv.Requests[0].Body)
			if string(got) != strings.ReplaceAll(tt.body, " ", "") {
				t.Errorf("preview body = %s, want %s", got, tt.body)
			}
			res, err := tl.Run(t.Context(), env, chk.Resolved)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]string{"req-POST"}, res.RequestIDs); diff != "" {
				t.Errorf("request IDs (-want +got):\n%s", diff)
			}
			if undo := tl.Undo(chk.Resolved, res); undo.Tool != tt.undo || string(undo.Args) != string(chk.Resolved) {
				t.Errorf("undo = %+v", undo)
			}
		})
	}
}
