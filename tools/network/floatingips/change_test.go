package floatingips

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

const (
	pubID    = "d6000000-0000-4000-8000-000000000001"
	privID   = "60000000-0000-4000-8000-000000000001"
	subID    = "8a000000-0000-4000-8000-000000000001"
	portID   = "9a000000-0000-4000-8000-000000000001"
	port2ID  = "9a000000-0000-4000-8000-000000000002"
	fipID    = "f1000000-0000-4000-8000-000000000001"
	routerID = "14000000-0000-4000-8000-000000000001"
	vmID     = "4e000000-0000-4000-8000-000000000001"

	tokenBody = `{"token": {"expires_at": "2030-01-01T12:00:00Z", "user": {"id": "u1", "name": "demo", "domain": {"name": "Default"}},
	 "project": {"id": "p1", "name": "demo", "domain": {"name": "Default"}}, "roles": []}}`
	publicNet  = `{"id": "` + pubID + `", "name": "public", "router:external": true}`
	privateNet = `{"id": "` + privID + `", "name": "private", "router:external": false}`
	webPort    = `{"id": "` + portID + `", "name": "web-port", "network_id": "` + privID + `", "device_owner": "compute:nova", "device_id": "` + vmID + `",
	 "fixed_ips": [{"subnet_id": "` + subID + `", "ip_address": "10.0.0.5"}, {"subnet_id": "v6", "ip_address": "fd00::5"}]}`
	dbPort = `{"id": "` + port2ID + `", "name": "db-port", "network_id": "` + privID + `", "device_owner": "compute:nova", "device_id": "` + vmID + `",
	 "fixed_ips": [{"subnet_id": "` + subID + `", "ip_address": "10.0.0.6"}]}`
)

func fipJSON(port, fixed string) string {
	p, f := "null", "null"
	if port != "" {
		p, f = `"`+port+`"`, `"`+fixed+`"`
	}
	return `{"id": "` + fipID + `", "floating_ip_address": "203.0.113.7", "floating_network_id": "` + pubID + `", "port_id": ` + p + `, "fixed_ip_address": ` + f + `, "description": "", "status": "DOWN"}`
}

// cloudOf is a fake cloud with networks public and private, the server
// vm-1's ports, and router1 on private's subnet with a gateway to
// gateway (none when "").
func cloudOf(t *testing.T, gateway string, vmPorts ...string) *toolstest.Cloud {
	fc := toolstest.New(t)
	fc.OptionalFunc("GET", toolstest.NetworkPrefix+"/networks", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.URL.Query().Get("name") == "public" || r.URL.Query().Get("router:external") == "true":
			fmt.Fprint(w, `{"networks": [`+publicNet+`]}`)
		case r.URL.Query().Get("name") == "private":
			fmt.Fprint(w, `{"networks": [`+privateNet+`]}`)
		default:
			fmt.Fprint(w, `{"networks": []}`)
		}
	})
	fc.Optional("GET", toolstest.NetworkPrefix+"/networks/"+pubID, http.StatusOK, `{"network": `+publicNet+`}`)
	fc.Optional("GET", toolstest.NetworkPrefix+"/subnets/"+subID, http.StatusOK, `{"subnet": {"id": "`+subID+`", "name": "private-subnet", "network_id": "`+privID+`", "cidr": "10.0.0.0/24"}}`)
	fc.OptionalFunc("GET", toolstest.NetworkPrefix+"/ports", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		w.Header().Set("Content-Type", "application/json")
		switch {
		case len(q["device_owner"]) == 3 && q.Get("fixed_ips") == "subnet_id="+subID:
			fmt.Fprint(w, `{"ports": [{"id": "ri", "device_owner": "network:router_interface", "device_id": "`+routerID+`"}]}`)
		case q.Get("device_id") == vmID:
			fmt.Fprintf(w, `{"ports": [%s]}`, strings.Join(vmPorts, ","))
		case q.Get("name") == "web-port":
			fmt.Fprint(w, `{"ports": [`+webPort+`]}`)
		default:
			fmt.Fprint(w, `{"ports": []}`)
		}
	})
	fc.Optional("GET", toolstest.NetworkPrefix+"/ports/"+portID, http.StatusOK, `{"port": `+webPort+`}`)
	fc.Optional("GET", toolstest.NetworkPrefix+"/ports/"+port2ID, http.StatusOK, `{"port": `+dbPort+`}`)
	gw := "null"
	if gateway != "" {
		gw = `{"network_id": "` + gateway + `"}`
	}
	fc.Optional("GET", toolstest.NetworkPrefix+"/routers/"+routerID, http.StatusOK, `{"router": {"id": "`+routerID+`", "name": "router1", "external_gateway_info": `+gw+`}}`)
	fc.Optional("GET", toolstest.ComputePrefix+"/servers", http.StatusOK, `{"servers": [{"id": "`+vmID+`", "name": "vm-1"}]}`)
	fc.Optional("GET", toolstest.IdentityPrefix+"/auth/tokens", http.StatusOK, tokenBody)
	fc.Optional("GET", toolstest.NetworkPrefix+"/quotas/p1/details.json", http.StatusOK, `{"quota": {"floatingip": {"used": 1, "limit": 10, "reserved": 0}}}`)
	return fc
}

// stubFIPs answers the floating IP lookups: by ID and address, and by
// port for "already has one".
func stubFIPs(fc *toolstest.Cloud, fip, onPort string) {
	fc.Optional("GET", toolstest.NetworkPrefix+"/floatingips/"+fipID, http.StatusOK, `{"floatingip": `+fip+`}`)
	fc.OptionalFunc("GET", toolstest.NetworkPrefix+"/floatingips", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.URL.Query().Get("floating_ip_address") == "203.0.113.7":
			fmt.Fprint(w, `{"floatingips": [`+fip+`]}`)
		case r.URL.Query().Get("port_id") != "" && onPort != "":
			fmt.Fprint(w, `{"floatingips": [`+onPort+`]}`)
		default:
			fmt.Fprint(w, `{"floatingips": []}`)
		}
	})
}

func findings(chk *tools.Check, l tools.Level) string {
	var out []string
	for _, f := range chk.Findings {
		if f.Level == l {
			out = append(out, f.Text)
		}
	}
	return strings.Join(out, "\n")
}

func wantFinding(t *testing.T, chk *tools.Check, l tools.Level, want string) {
	t.Helper()
	got := findings(chk, l)
	if want == "" && got != "" || !strings.Contains(got, want) {
		t.Errorf("%s findings %q, want %q", l, got, want)
	}
}

func TestCreateCheck(t *testing.T) {
	tests := []struct {
		name     string
		args     string
		gateway  string
		onPort   string
		block    string
		resolved string
	}{
		{name: "unbound", args: `{"network": "public"}`, resolved: `{"network":"` + pubID + `"}`},
		{name: "not external", args: `{"network": "private"}`, block: "network private is not external; floating IPs come from an external network (use public)"},
		{name: "on a port a router reaches", args: `{"network": "public", "port": "web-port", "description": "e2e"}`, gateway: pubID,
			resolved: `{"network":"` + pubID + `","port":"` + portID + `","fixed_ip_address":"10.0.0.5","description":"e2e"}`},
		{name: "no router to public", args: `{"network": "public", "port": "web-port"}`, gateway: privID,
			block: "router router1 is on subnet private-subnet but has no gateway to public; set one with /router set router1 --external-gateway public"},
		{name: "an address the port does not have", args: `{"network": "public", "port": "web-port", "fixed_ip_address": "10.0.0.99"}`,
			block: "port web-port has no fixed address 10.0.0.99 (it has 10.0.0.5, fd00::5)"},
		{name: "the address has one already", args: `{"network": "public", "port": "web-port"}`, gateway: pubID, onPort: fipJSON(portID, "10.0.0.5"),
			block: "10.0.0.5 on port web-port already has floating IP 203.0.113.7 from public"},
		{name: "a fixed address without a port", args: `{"network": "public", "fixed_ip_address": "10.0.0.5"}`,
			block: "--fixed-ip-address chooses an address of --port; give the port too"},
		{name: "an address already allocated", args: `{"network": "public", "floating_ip_address": "203.0.113.7"}`,
			block: "floating IP 203.0.113.7 is already allocated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := cloudOf(t, tt.gateway)
			stubFIPs(fc, fipJSON("", ""), tt.onPort)
			chk, err := toolstest.Tool(t, Tools(), "floating-ip.create").Check(cloud.WithReadOnly(t.Context()), fc.Env(), json.RawMessage(tt.args))
			if err != nil {
				t.Fatal(err)
			}
			wantFinding(t, chk, tools.Block, tt.block)
			if tt.resolved != "" && string(chk.Resolved) != tt.resolved {
				t.Errorf("resolved = %s\nwant       %s", chk.Resolved, tt.resolved)
			}
			if diff := cmp.Diff([]tools.QuotaUse{{Service: "network", Resource: "floatingip", InUse: 1, Limit: 10, Delta: 1}}, chk.Quota); diff != "" {
				t.Errorf("quota (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNoRouterAtAll(t *testing.T) {
	fc := toolstest.New(t)
	fc.Handle("GET", toolstest.NetworkPrefix+"/floatingips/"+fipID, http.StatusOK, `{"floatingip": `+fipJSON("", "")+`}`)
	fc.Handle("GET", toolstest.NetworkPrefix+"/ports/"+portID, http.StatusOK, `{"port": `+webPort+`}`)
	fc.Handle("GET", toolstest.NetworkPrefix+"/networks/"+pubID, http.StatusOK, `{"network": `+publicNet+`}`)
	fc.Handle("GET", toolstest.NetworkPrefix+"/subnets/"+subID, http.StatusOK, `{"subnet": {"id": "`+subID+`", "name": "private-subnet"}}`)
	fc.Handle("GET", toolstest.NetworkPrefix+"/ports", http.StatusOK, `{"ports": []}`)
	fc.Handle("GET", toolstest.NetworkPrefix+"/floatingips", http.StatusOK, `{"floatingips": []}`)
	chk, err := toolstest.Tool(t, Tools(), "floating-ip.set").Check(cloud.WithReadOnly(t.Context()), fc.Env(), json.RawMessage(`{"floating_ip": "`+fipID+`", "port": "`+portID+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	wantFinding(t, chk, tools.Block, "no router connects subnet private-subnet to public; add one with /router create ROUTER --external-gateway public and /router add subnet ROUTER private-subnet")
}

func TestCreatePreviewRunUndo(t *testing.T) {
	fc := toolstest.New(t)
	const wantBody = `{"floatingip":{"description":"e2e","fixed_ip_address":"10.0.0.5","floating_network_id":"` + pubID + `","port_id":"` + portID + `"}}`
	fc.HandleFunc("POST", toolstest.NetworkPrefix+"/floatingips", func(w http.ResponseWriter, r *http.Request) {
		if b, _ := io.ReadAll(r.Body); string(b) != wantBody {
			t.Errorf("body = %s\nwant   %s", b, wantBody)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		fmt.Fprint(w, `{"floatingip": `+fipJSON(portID, "10.0.0.5")+`}`)
	})
	tl := toolstest.Tool(t, Tools(), "floating-ip.create")
	args := json.RawMessage(`{"network":"` + pubID + `","port":"` + portID + `","fixed_ip_address":"10.0.0.5","description":"e2e"}`)
	chk := &tools.Check{Targets: []tools.Target{{Kind: "network", ID: pubID, Name: "public"}, {Kind: "port", ID: portID, Name: "web-port"}}}
	pv, err := tl.Preview(cloud.WithReadOnly(t.Context()), fc.Env(), args, chk)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"floating IP from network public, mapped to 10.0.0.5 on port web-port"}, pv.Creates); diff != "" {
		t.Errorf("creates (-want +got):\n%s", diff)
	}
	res, err := tl.Run(t.Context(), fc.Env(), args)
	if err != nil {
		t.Fatal(err)
	}
	if res.Message != "floating IP 203.0.113.7 allocated and mapped to 10.0.0.5" {
		t.Errorf("message = %q", res.Message)
	}
	undo := tl.Undo(args, res)
	if undo == nil || undo.Tool != "floating-ip.delete" || string(undo.Args) != `{"floating_ip":"`+fipID+`"}` {
		t.Errorf("undo = %+v", undo)
	}
}

func TestSet(t *testing.T) {
	tests := []struct {
		name     string
		fip      string
		args     string
		vmPorts  []string
		block    string
		warn     string
		body     string
		undoTool string
		undoArgs string
	}{
		{name: "associate a free floating IP with a server's one port", fip: fipJSON("", ""), vmPorts: []string{webPort},
			args:     `{"floating_ip": "203.0.113.7", "server": "vm-1"}`,
			body:     `{"floatingip":{"fixed_ip_address":"10.0.0.5","port_id":"` + portID + `"}}`,
			undoTool: "floating-ip.unset", undoArgs: `{"floating_ip":"` + fipID + `"}`},
		{name: "a server with two ports asks which", fip: fipJSON("", ""), vmPorts: []string{webPort, dbPort},
			args:  `{"floating_ip": "203.0.113.7", "server": "vm-1"}`,
			block: "server vm-1 has 2 ports; say which one the floating IP goes to: --port web-port (10.0.0.5, fd00::5), or --port db-port (10.0.0.6)"},
		{name: "a server's port chosen by its address", fip: fipJSON("", ""), vmPorts: []string{webPort, dbPort},
			args: `{"floating_ip": "203.0.113.7", "server": "vm-1", "fixed_ip_address": "10.0.0.6"}`,
			body: `{"floatingip":{"fixed_ip_address":"10.0.0.6","port_id":"` + port2ID + `"}}`, undoTool: "floating-ip.unset", undoArgs: `{"floating_ip":"` + fipID + `"}`},
		{name: "move from another port", fip: fipJSON(port2ID, "10.0.0.6"),
			args: `{"floating_ip": "203.0.113.7", "port": "web-port"}`,
			warn: "floating IP 203.0.113.7 is on port db-port of server vm-1 (10.0.0.6) now; it moves to port web-port (10.0.0.5)",
			body: `{"floatingip":{"fixed_ip_address":"10.0.0.5","port_id":"` + portID + `"}}`, undoTool: "floating-ip.set",
			undoArgs: `{"floating_ip":"` + fipID + `","port":"` + port2ID + `","fixed_ip_address":"10.0.0.6"}`},
		{name: "already there", fip: fipJSON(portID, "10.0.0.5"),
			args: `{"floating_ip": "203.0.113.7", "port": "web-port"}`,
			warn: "nothing changes: floating IP 203.0.113.7 already maps to 10.0.0.5 on port web-port"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := cloudOf(t, pubID, tt.vmPorts...)
			stubFIPs(fc, tt.fip, "")
			tl := toolstest.Tool(t, Tools(), "floating-ip.set")
			env := fc.Env()
			chk, err := tl.Check(cloud.WithReadOnly(t.Context()), env, json.RawMessage(tt.args))
			if err != nil {
				t.Fatal(err)
			}
			wantFinding(t, chk, tools.Block, tt.block)
			wantFinding(t, chk, tools.Warn, tt.warn)
			if tt.body == "" {
				return
			}
			pv, err := tl.Preview(cloud.WithReadOnly(t.Context()), env, chk.Resolved, chk)
			if err != nil {
				t.Fatal(err)
			}
			var want any
			_ = json.Unmarshal([]byte(tt.body), &want)
			got, _ := json.Marshal(pv.Requests[0].Body)
			var gotAny any
			_ = json.Unmarshal(got, &gotAny)
			if diff := cmp.Diff(want, gotAny); diff != "" {
				t.Errorf("preview body (-want +got):\n%s", diff)
			}
			fc.HandleFunc("PUT", toolstest.NetworkPrefix+"/floatingips/"+fipID, func(w http.ResponseWriter, r *http.Request) {
				if b, _ := io.ReadAll(r.Body); string(b) != tt.body {
					t.Errorf("PUT body = %s\nwant       %s", b, tt.body)
				}
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprint(w, `{"floatingip": `+fipJSON(portID, "10.0.0.5")+`}`)
			})
			res, err := tl.Run(t.Context(), env, chk.Resolved)
			if err != nil {
				t.Fatal(err)
			}
			if res.Message != "floating IP 203.0.113.7 now maps to 10.0.0.5 on port web-port of server vm-1" {
				t.Errorf("message = %q", res.Message)
			}
			undo := tl.Undo(chk.Resolved, res)
			if undo == nil || undo.Tool != tt.undoTool || string(undo.Args) != tt.undoArgs {
				t.Errorf("undo = %+v, want %s %s", undo, tt.undoTool, tt.undoArgs)
			}
		})
	}
}

func TestUnsetAndDelete(t *testing.T) {
	fc := cloudOf(t, pubID)
	stubFIPs(fc, fipJSON(portID, "10.0.0.5"), "")
	env := fc.Env()
	unset := toolstest.Tool(t, Tools(), "floating-ip.unset")
	chk, err := unset.Check(cloud.WithReadOnly(t.Context()), env, json.RawMessage(`{"floating_ip": "203.0.113.7", "port": true}`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(findings(chk, tools.Info), "floating IP 203.0.113.7 is on port web-port of server vm-1 (10.0.0.5); it stays allocated to the project") {
		t.Errorf("info = %q", findings(chk, tools.Info))
	}
	pv, err := unset.Preview(cloud.WithReadOnly(t.Context()), env, chk.Resolved, chk)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]any{"floatingip": map[string]any{"port_id": nil}}, pv.Requests[0].Body); diff != "" {
		t.Errorf("body (-want +got):\n%s", diff)
	}
	fc.Handle("PUT", toolstest.NetworkPrefix+"/floatingips/"+fipID, http.StatusOK, `{"floatingip": `+fipJSON("", "")+`}`)
	res, err := unset.Run(t.Context(), env, chk.Resolved)
	if err != nil {
		t.Fatal(err)
	}
	if res.Message != "floating IP 203.0.113.7 disassociated from port web-port of server vm-1; it stays allocated to the project" {
		t.Errorf("message = %q", res.Message)
	}
	undo := unset.Undo(chk.Resolved, res)
	if undo == nil || undo.Tool != "floating-ip.set" || string(undo.Args) != `{"floating_ip":"`+fipID+`","port":"`+portID+`","fixed_ip_address":"10.0.0.5"}` {
		t.Errorf("undo = %+v", undo)
	}

	del := toolstest.Tool(t, Tools(), "floating-ip.delete")
	chk, err = del.Check(cloud.WithReadOnly(t.Context()), env, json.RawMessage(`{"floating_ip": "203.0.113.7"}`))
	if err != nil {
		t.Fatal(err)
	}
	wantFinding(t, chk, tools.Warn, "floating IP 203.0.113.7 maps to port web-port of server vm-1 (10.0.0.5)")
	pv, err = del.Preview(cloud.WithReadOnly(t.Context()), env, chk.Resolved, chk)
	if err != nil {
		t.Fatal(err)
	}
	want := []tools.Dependent{
		{Kind: "floating IP", ID: fipID, Name: "203.0.113.7", Fate: "released"},
		{Kind: "port", ID: portID, Name: "web-port of server vm-1 (10.0.0.5)", Fate: "loses the floating IP, keeps its fixed address"},
	}
	if diff := cmp.Diff(want, pv.Deletes); diff != "" {
		t.Errorf("deletes (-want +got):\n%s", diff)
	}
	fc.Handle("DELETE", toolstest.NetworkPrefix+"/floatingips/"+fipID, http.StatusNoContent, "")
	res, err = del.Run(t.Context(), env, chk.Resolved)
	if err != nil || res.Message != "floating IP 203.0.113.7 released" {
		t.Errorf("delete: %v, %+v", err, res)
	}
}

func TestSchemas(t *testing.T) {
	reg := toolstest.Registry(t, Tools())
	tests := []struct {
		tool, args string
		ok         bool
	}{
		{"floating-ip.create", `{"network": "public"}`, true},
		{"floating-ip.create", `{}`, false},
		{"floating-ip.set", `{"floating_ip": "203.0.113.7", "server": "vm-1"}`, true},
		{"floating-ip.set", `{"floating_ip": "203.0.113.7"}`, false},
		{"floating-ip.unset", `{"floating_ip": "203.0.113.7", "port": true}`, true},
		{"floating-ip.delete", `{"floating_ip": "203.0.113.7"}`, true},
		{"floating-ip.delete", `{"address": "203.0.113.7"}`, false},
	}
	for _, tt := range tests {
		if err := reg.Validate(tt.tool, json.RawMessage(tt.args)); (err == nil) != tt.ok {
			t.Errorf("%s %s: err = %v, want ok=%t", tt.tool, tt.args, err, tt.ok)
		}
	}
}
