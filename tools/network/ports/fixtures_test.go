package ports

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/toolstest"
)

const (
	project   = "p1"
	netID     = "1e000000-0000-4000-8000-000000000001"
	otherNet  = "1e000000-0000-4000-8000-000000000002"
	subID     = "5b000000-0000-4000-8000-000000000001"
	otherSub  = "5b000000-0000-4000-8000-000000000002"
	portID    = "90000000-0000-4000-8000-000000000001"
	usedID    = "90000000-0000-4000-8000-000000000002"
	webSG     = "5e000000-0000-4000-8000-000000000001"
	defSG     = "5e000000-0000-4000-8000-000000000002"
	webServer = "c0000000-0000-4000-8000-000000000001"

	tokenBody = `{"token": {"expires_at": "2030-01-01T12:00:00Z", "user": {"id": "u1", "name": "demo", "domain": {"name": "Default"}},
	 "project": {"id": "p1", "name": "demo", "domain": {"name": "Default"}}, "roles": []}}`
	appNet   = `{"id": "` + netID + `", "name": "app", "subnets": ["` + subID + `"], "port_security_enabled": true}`
	appSub   = `{"id": "` + subID + `", "name": "app-sub", "network_id": "` + netID + `", "cidr": "10.0.0.0/24", "gateway_ip": "10.0.0.1", "allocation_pools": [{"start": "10.0.0.2", "end": "10.0.0.254"}], "ip_version": 4}`
	otherSb  = `{"id": "` + otherSub + `", "name": "db-sub", "network_id": "` + otherNet + `", "cidr": "10.9.0.0/24", "ip_version": 4}`
	usedPort = `{"id": "` + usedID + `", "name": "web-port", "network_id": "` + netID + `", "device_owner": "compute:nova", "device_id": "` + webServer + `",
	 "fixed_ips": [{"subnet_id": "` + subID + `", "ip_address": "10.0.0.5"}]}`
)

// stubNetwork answers the network "app" by name and by ID, and its one
// subnet by ?network_id=.
func stubNetwork(fc *toolstest.Cloud) {
	fc.Optional("GET", toolstest.NetworkPrefix+"/networks/"+netID, http.StatusOK, `{"network": `+appNet+`}`)
	fc.Optional("GET", toolstest.NetworkPrefix+"/networks", http.StatusOK, `{"networks": [`+appNet+`]}`)
	fc.Optional("GET", toolstest.NetworkPrefix+"/networks/"+otherNet, http.StatusOK, `{"network": {"id": "`+otherNet+`", "name": "db"}}`)
	fc.OptionalFunc("GET", toolstest.NetworkPrefix+"/subnets", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.URL.Query().Get("network_id") == netID:
			fmt.Fprint(w, `{"subnets": [`+appSub+`]}`)
		case r.URL.Query().Get("name") == "db-sub":
			fmt.Fprint(w, `{"subnets": [`+otherSb+`]}`)
		default:
			fmt.Fprint(w, `{"subnets": []}`)
		}
	})
}

// stubPorts answers port lists: ?fixed_ips=ip_address=10.0.0.5 finds the
// server's port, ?name=web-port too; anything else finds nothing.
func stubPorts(fc *toolstest.Cloud) {
	fc.OptionalFunc("GET", toolstest.NetworkPrefix+"/ports", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		w.Header().Set("Content-Type", "application/json")
		found := false
		for _, f := range q["fixed_ips"] {
			found = found || f == "ip_address=10.0.0.5"
		}
		if q.Get("name") == "web-port" || q.Get("mac_address") == "fa:16:3e:00:00:05" {
			found = true
		}
		if found {
			fmt.Fprint(w, `{"ports": [`+usedPort+`]}`)
			return
		}
		fmt.Fprint(w, `{"ports": []}`)
	})
}

// stubGroups answers the security groups web and default by name.
func stubGroups(fc *toolstest.Cloud) {
	fc.OptionalFunc("GET", toolstest.NetworkPrefix+"/security-groups", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Query().Get("name") {
		case "web":
			fmt.Fprint(w, `{"security_groups": [{"id": "`+webSG+`", "name": "web"}]}`)
		case "default":
			fmt.Fprint(w, `{"security_groups": [{"id": "`+defSG+`", "name": "default"}]}`)
		default:
			fmt.Fprint(w, `{"security_groups": []}`)
		}
	})
	fc.Optional("GET", toolstest.NetworkPrefix+"/security-groups/"+webSG, http.StatusOK, `{"security_group": {"id": "`+webSG+`", "name": "web"}}`)
	fc.Optional("GET", toolstest.NetworkPrefix+"/security-groups/"+defSG, http.StatusOK, `{"security_group": {"id": "`+defSG+`", "name": "default"}}`)
}

// stubQuota answers the current project and Neutron's quota details.
func stubQuota(fc *toolstest.Cloud, resource string, used, limit int) {
	fc.Handle("GET", toolstest.IdentityPrefix+"/auth/tokens", http.StatusOK, tokenBody)
	fc.Handle("GET", toolstest.NetworkPrefix+"/quotas/"+project+"/details.json", http.StatusOK, fmt.Sprintf(`{"quota": {
	 "%s": {"used": %d, "limit": %d, "reserved": 0}}}`, resource, used, limit))
}

// stubServers names the server that holds the used port.
func stubServers(fc *toolstest.Cloud) {
	fc.Optional("GET", toolstest.ComputePrefix+"/servers", http.StatusOK, `{"servers": [{"id": "`+webServer+`", "name": "web-1"}]}`)
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

// wantFinding fails unless the findings at level l contain want, or are
// none when want is "".
func wantFinding(t *testing.T, chk *tools.Check, l tools.Level, want string) {
	t.Helper()
	got := findings(chk, l)
	if want == "" && got != "" || !strings.Contains(got, want) {
		t.Errorf("%s findings %q, want %q", l, got, want)
	}
}
