package routers

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/toolstest"
)

// The fake cloud: router r1 with a gateway on public and an interface on
// subnet app; router r2 with neither; networks public (external) and
// private; subnets app, db and wide (overlapping app) on private.
const (
	project   = "p1"
	r1ID      = "1a000000-0000-4000-8000-000000000001"
	r2ID      = "1a000000-0000-4000-8000-000000000002"
	publicID  = "2b000000-0000-4000-8000-000000000001"
	privateID = "2b000000-0000-4000-8000-000000000002"
	appID     = "3c000000-0000-4000-8000-000000000001"
	dbID      = "3c000000-0000-4000-8000-000000000002"
	wideID    = "3c000000-0000-4000-8000-000000000003"
	pubSubID  = "3c000000-0000-4000-8000-000000000009"
	ifacePort = "4d000000-0000-4000-8000-000000000001"
	freePort  = "4d000000-0000-4000-8000-000000000002"
	vmPort    = "4d000000-0000-4000-8000-000000000003"
	serverID  = "5e000000-0000-4000-8000-000000000001"
	fipID     = "6f000000-0000-4000-8000-000000000001"
	tokenBody = `{"token": {"expires_at": "2030-01-01T12:00:00Z", "user": {"id": "u1", "name": "demo", "domain": {"name": "Default"}},
	 "project": {"id": "p1", "name": "demo", "domain": {"name": "Default"}}, "roles": []}}`
)

const (
	r1JSON = `{"id": "` + r1ID + `", "name": "r1", "description": "edge", "status": "ACTIVE", "admin_state_up": true, "project_id": "p1",
	 "external_gateway_info": {"network_id": "` + publicID + `", "enable_snat": true, "external_fixed_ips": [{"subnet_id": "` + pubSubID + `", "ip_address": "203.0.113.7"}]},
	 "routes": []}`
	r2JSON = `{"id": "` + r2ID + `", "name": "r2", "description": "", "status": "ACTIVE", "admin_state_up": true, "project_id": "p1",
	 "external_gateway_info": null, "routes": []}`
	publicJSON  = `{"id": "` + publicID + `", "name": "public", "router:external": true, "subnets": ["` + pubSubID + `"]}`
	privateJSON = `{"id": "` + privateID + `", "name": "private", "router:external": false, "subnets": ["` + appID + `", "` + dbID + `"]}`
	appJSON     = `{"id": "` + appID + `", "name": "app", "network_id": "` + privateID + `", "cidr": "10.0.0.0/24", "ip_version": 4, "gateway_ip": "10.0.0.1"}`
	dbJSON      = `{"id": "` + dbID + `", "name": "db", "network_id": "` + privateID + `", "cidr": "10.0.1.0/24", "ip_version": 4, "gateway_ip": "10.0.1.1"}`
	wideJSON    = `{"id": "` + wideID + `", "name": "wide", "network_id": "` + privateID + `", "cidr": "10.0.0.0/16", "ip_version": 4, "gateway_ip": "10.0.0.1"}`
	pubSubJSON  = `{"id": "` + pubSubID + `", "name": "public-subnet", "network_id": "` + publicID + `", "cidr": "203.0.113.0/24", "ip_version": 4, "gateway_ip": "203.0.113.1"}`
	// r1's interface on app, at app's gateway IP.
	ifaceJSON = `{"id": "` + ifacePort + `", "name": "", "device_id": "` + r1ID + `", "device_owner": "network:router_interface",
	 "fixed_ips": [{"subnet_id": "` + appID + `", "ip_address": "10.0.0.1"}]}`
	// A port on db nobody uses.
	freeJSON = `{"id": "` + freePort + `", "name": "spare", "device_id": "", "device_owner": "",
	 "fixed_ips": [{"subnet_id": "` + dbID + `", "ip_address": "10.0.1.50"}]}`
	// A server's port on app.
	vmJSON = `{"id": "` + vmPort + `", "name": "", "device_id": "` + serverID + `", "device_owner": "compute:nova",
	 "fixed_ips": [{"subnet_id": "` + appID + `", "ip_address": "10.0.0.5"}]}`
	// A floating IP on the server's port, routed through r1.
	fipJSON = `{"id": "` + fipID + `", "floating_ip_address": "203.0.113.20", "fixed_ip_address": "10.0.0.5", "port_id": "` + vmPort + `",
	 "floating_network_id": "` + publicID + `", "router_id": "` + r1ID + `",
	 "port_details": {"device_id": "` + serverID + `", "device_owner": "compute:nova"}}`
)

// serveList answers GET path with the items under label whose JSON has
// every query parameter as a field ("name", "router:external"), and for
// fixed_ips=subnet_id=X an address on that subnet.
func serveList(t *testing.T, fc *toolstest.Cloud, path, label string, items ...string) {
	t.Helper()
	fc.HandleFunc("GET", toolstest.NetworkPrefix+path, func(w http.ResponseWriter, r *http.Request) {
		var out []string
		for _, it := range items {
			var m map[string]any
			if err := json.Unmarshal([]byte(it), &m); err != nil {
				t.Errorf("fixture %s: %v", it, err)
				return
			}
			ok := true
			for k, vs := range r.URL.Query() {
				if k == "fixed_ips" {
					if !onSubnet(m, strings.TrimPrefix(vs[0], "subnet_id=")) {
						ok = false
					}
					continue
				}
				if fmt.Sprint(m[k]) != vs[0] {
					ok = false
				}
			}
			if ok {
				out = append(out, it)
			}
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{%q: [%s]}`, label, strings.Join(out, ","))
	})
}

// onSubnet reports whether a port's JSON has an address on subnet.
func onSubnet(port map[string]any, subnet string) bool {
	ips, _ := port["fixed_ips"].([]any)
	for _, ip := range ips {
		if m, ok := ip.(map[string]any); ok && m["subnet_id"] == subnet {
			return true
		}
	}
	return false
}

// serveGet answers GET path (optional: not every check reads every resource).
func serveGet(fc *toolstest.Cloud, path, label, body string) {
	fc.Optional("GET", toolstest.NetworkPrefix+path, http.StatusOK, fmt.Sprintf(`{%q: %s}`, label, body))
}

func stubSubnets(fc *toolstest.Cloud) {
	serveGet(fc, "/subnets/"+appID, "subnet", appJSON)
	serveGet(fc, "/subnets/"+dbID, "subnet", dbJSON)
	serveGet(fc, "/subnets/"+wideID, "subnet", wideJSON)
	serveGet(fc, "/subnets/"+pubSubID, "subnet", pubSubJSON)
}

func stubNetworks(fc *toolstest.Cloud) {
	serveGet(fc, "/networks/"+publicID, "network", publicJSON)
	serveGet(fc, "/networks/"+privateID, "network", privateJSON)
}

// stubQuota answers the current project and Neutron's quota details.
func stubQuota(fc *toolstest.Cloud, used, limit int) {
	fc.Handle("GET", toolstest.IdentityPrefix+"/auth/tokens", http.StatusOK, tokenBody)
	fc.Handle("GET", toolstest.NetworkPrefix+"/quotas/"+project+"/details.json", http.StatusOK, fmt.Sprintf(`{"quota": {
	 "router": {"used": %d, "limit": %d, "reserved": 0}, "network": {"used": 1, "limit": 100, "reserved": 0}}}`, used, limit))
}

// stubServers names the server for floating IP sentences.
func stubServers(fc *toolstest.Cloud) {
	fc.Handle("GET", toolstest.ComputePrefix+"/servers", http.StatusOK, `{"servers": [{"id": "`+serverID+`", "name": "web-1"}]}`)
}

// findings returns the texts of chk's findings at level l.
func findings(chk *tools.Check, l tools.Level) []string {
	var out []string
	for _, f := range chk.Findings {
		if f.Level == l {
			out = append(out, f.Text)
		}
	}
	return out
}

// wantFinding fails unless exactly the findings at level l contain want
// (one each, in order); an empty want means none at that level.
func wantFinding(t *testing.T, chk *tools.Check, l tools.Level, want ...string) {
	t.Helper()
	got := findings(chk, l)
	if len(got) != len(want) {
		t.Fatalf("%s findings = %q, want %d like %q", l, got, len(want), want)
	}
	for i := range want {
		if !strings.Contains(got[i], want[i]) {
			t.Errorf("%s finding %d = %q, want it to contain %q", l, i, got[i], want[i])
		}
	}
}

// body decodes a request body the way the preview's Body compares.
func body(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatal(err)
	}
	return v
}
