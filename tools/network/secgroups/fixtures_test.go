package secgroups

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
	webID     = "5e0d1f4a-1111-4000-8000-000000000001"
	dbID      = "5e0d1f4a-2222-4000-8000-000000000002"
	defaultID = "5e0d1f4a-3333-4000-8000-000000000003"
	sshRuleID = "7a000000-0000-4000-8000-000000000022"
	tokenBody = `{"token": {"expires_at": "2030-01-01T12:00:00Z", "user": {"id": "u1", "name": "demo", "domain": {"name": "Default"}},
	 "project": {"id": "p1", "name": "demo", "domain": {"name": "Default"}}, "roles": []}}`
)

// webRules are group web's rules: Neutron's two egress rules and SSH
// from 10.0.0.0/8.
const webRules = `[
 {"id": "e4", "security_group_id": "` + webID + `", "direction": "egress", "ethertype": "IPv4", "protocol": null, "port_range_min": null, "port_range_max": null, "remote_ip_prefix": null, "remote_group_id": null},
 {"id": "e6", "security_group_id": "` + webID + `", "direction": "egress", "ethertype": "IPv6", "protocol": null, "port_range_min": null, "port_range_max": null, "remote_ip_prefix": null, "remote_group_id": null},
 {"id": "` + sshRuleID + `", "security_group_id": "` + webID + `", "direction": "ingress", "ethertype": "IPv4", "protocol": "tcp", "port_range_min": 22, "port_range_max": 22, "remote_ip_prefix": "10.0.0.0/8", "remote_group_id": null, "description": "ssh"}
]`

// groupsJSON are the project's groups as Neutron lists them.
var groupsJSON = []string{
	`{"id": "` + webID + `", "name": "web", "description": "web tier", "project_id": "p1", "stateful": true, "security_group_rules": ` + webRules + `}`,
	`{"id": "` + dbID + `", "name": "db", "description": "", "project_id": "p1", "stateful": true, "security_group_rules": []}`,
	`{"id": "` + defaultID + `", "name": "default", "description": "Default security group", "project_id": "p1", "stateful": true, "security_group_rules": []}`,
}

// stubGroups answers group lookups from groupsJSON: by ?name= (required
// when byName) and by ID (optional: not every check resolves every
// group).
func stubGroups(t *testing.T, fc *toolstest.Cloud, byName bool) {
	t.Helper()
	for _, id := range []string{webID, dbID, defaultID} {
		for _, g := range groupsJSON {
			if strings.Contains(g, `"id": "`+id+`"`) {
				fc.Optional("GET", toolstest.NetworkPrefix+"/security-groups/"+id, http.StatusOK, `{"security_group": `+g+`}`)
			}
		}
	}
	if !byName {
		return
	}
	fc.HandleFunc("GET", toolstest.NetworkPrefix+"/security-groups", func(w http.ResponseWriter, r *http.Request) {
		name := r.URL.Query().Get("name")
		var out []string
		for _, g := range groupsJSON {
			if name == "" || strings.Contains(g, fmt.Sprintf(`"name": %q`, name)) {
				out = append(out, g)
			}
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"security_groups": [%s]}`, strings.Join(out, ","))
	})
}

// stubQuota answers the current project and Neutron's quota details.
func stubQuota(fc *toolstest.Cloud, resource string, used, limit int) {
	fc.Handle("GET", toolstest.IdentityPrefix+"/auth/tokens", http.StatusOK, tokenBody)
	fc.Handle("GET", toolstest.NetworkPrefix+"/quotas/"+project+"/details.json", http.StatusOK, fmt.Sprintf(`{"quota": {
	 "%s": {"used": %d, "limit": %d, "reserved": 0},
	 "network": {"used": 1, "limit": 100, "reserved": 0}}}`, resource, used, limit))
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

// hasFinding reports whether a finding at level l contains want.
func hasFinding(chk *tools.Check, l tools.Level, want string) bool {
	for _, f := range findings(chk, l) {
		if strings.Contains(f, want) {
			return true
		}
	}
	return false
}
