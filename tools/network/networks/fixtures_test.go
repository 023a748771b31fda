package networks

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/toolstest"
)

const (
	webID      = "7e000000-0000-4000-8000-00000000000a"
	project    = "p1"
	otherProj  = "5d1f0c7a9e2b4c3d8e7f6a5b4c3d2e1f"
	policyID   = "0b000000-0000-4000-8000-0000000000b1"
	subnetV6ID = "5b000000-0000-4000-8000-0000000000b6"
)

// webNet is network web of project p1 as Neutron shows it.
const webNet = `{"id": "` + webID + `", "name": "web", "description": "front", "status": "ACTIVE", "admin_state_up": true,
 "shared": false, "router:external": false, "subnets": ["s1"], "project_id": "p1", "mtu": 1450,
 "port_security_enabled": true, "tags": ["blue"]}`

// neutron is a fake Neutron: lists filter on their query the way Neutron
// does (exact field match), and every route is optional, since each
// check reads only what it needs.
type neutron struct {
	fc         *toolstest.Cloud
	networks   []string
	ports      []string
	subnets    []string
	rbac       []string
	extensions map[string]bool
	roles      []string
	// quotaUsed is the networks in use against a limit of 10.
	quotaUsed int
}

func newNeutron(t *testing.T) *neutron {
	t.Helper()
	n := &neutron{fc: toolstest.New(t), networks: []string{webNet},
		extensions: map[string]bool{"net-mtu-writable": true, "port-security": true, "standard-attr-tag": true}}
	n.serve(t)
	return n
}

// filter keeps the objects whose fields equal the query's values.
func filter(t *testing.T, objs []string, r *http.Request) []string {
	var out []string
	for _, o := range objs {
		var m map[string]any
		if err := json.Unmarshal([]byte(o), &m); err != nil {
			t.Fatalf("fixture %s: %v", o, err)
		}
		keep := true
		for k, vs := range r.URL.Query() {
			switch k {
			case "fixed_ips":
				want := strings.TrimPrefix(vs[0], "subnet_id=")
				keep = keep && strings.Contains(o, `"subnet_id": "`+want+`"`)
			default:
				keep = keep && fmt.Sprint(m[k]) == vs[0]
			}
		}
		if keep {
			out = append(out, o)
		}
	}
	return out
}

func (n *neutron) list(t *testing.T, path, key string, objs *[]string) {
	n.fc.OptionalFunc("GET", toolstest.NetworkPrefix+path, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{%q: [%s]}`, key, strings.Join(filter(t, *objs, r), ","))
	})
}

func (n *neutron) serve(t *testing.T) {
	n.list(t, "/networks", "networks", &n.networks)
	n.list(t, "/ports", "ports", &n.ports)
	n.list(t, "/subnets", "subnets", &n.subnets)
	n.list(t, "/rbac-policies", "rbac_policies", &n.rbac)
	n.fc.OptionalFunc("GET", toolstest.NetworkPrefix+"/networks/"+webID, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"network": %s}`, n.networks[0])
	})
	for _, alias := range []string{"net-mtu-writable", "port-security", "standard-attr-tag", "dns-integration"} {
		n.fc.OptionalFunc("GET", toolstest.NetworkPrefix+"/extensions/"+alias, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			if !n.extensions[alias] {
				w.WriteHeader(http.StatusNotFound)
				fmt.Fprint(w, `{"NeutronError": {"type": "ExtensionNotFound"}}`)
				return
			}
			fmt.Fprintf(w, `{"extension": {"alias": %q}}`, alias)
		})
	}
	n.fc.OptionalFunc("GET", toolstest.IdentityPrefix+"/auth/tokens", func(w http.ResponseWriter, r *http.Request) {
		roles := make([]string, 0, len(n.roles))
		for _, role := range n.roles {
			roles = append(roles, fmt.Sprintf(`{"id": "r-%s", "name": %q}`, role, role))
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"token": {"expires_at": "2030-01-01T12:00:00Z", "user": {"id": "u1", "name": "demo", "domain": {"name": "Default"}},
		 "project": {"id": "p1", "name": "demo", "domain": {"name": "Default"}}, "roles": [%s]}}`, strings.Join(roles, ","))
	})
	n.fc.OptionalFunc("GET", toolstest.NetworkPrefix+"/quotas/"+project+"/details.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"quota": {"network": {"used": %d, "limit": 10, "reserved": 0}}}`, n.quotaUsed)
	})
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

// port is a port fixture.
func port(id, name, owner, device, projectID string) string {
	return fmt.Sprintf(`{"id": %q, "name": %q, "network_id": %q, "device_owner": %q, "device_id": %q, "project_id": %q, "fixed_ips": []}`,
		id, name, webID, owner, device, projectID)
}

// jsonOf reads a JSON text into plain values, for comparing bodies.
func jsonOf(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("%s: %v", s, err)
	}
	return v
}
