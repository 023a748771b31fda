package subnets

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
	webNetID = "7e000000-0000-4000-8000-00000000000a"
	dbNetID  = "7e000000-0000-4000-8000-00000000000d"
	webSubID = "5b000000-0000-4000-8000-00000000000a"
	dbSubID  = "5b000000-0000-4000-8000-00000000000d"
	project  = "p1"
)

const webNet = `{"id": "` + webNetID + `", "name": "web", "status": "ACTIVE", "admin_state_up": true, "shared": false,
 "router:external": false, "subnets": ["` + webSubID + `"], "project_id": "p1", "mtu": 1450, "tags": []}`

const dbNet = `{"id": "` + dbNetID + `", "name": "db", "status": "ACTIVE", "admin_state_up": true, "shared": false,
 "router:external": false, "subnets": ["` + dbSubID + `"], "project_id": "p1", "mtu": 1200, "tags": []}`

// webSub is subnet web-sub of network web, as Neutron shows it.
const webSub = `{"id": "` + webSubID + `", "name": "web-sub", "description": "front", "network_id": "` + webNetID + `",
 "cidr": "10.1.0.0/24", "ip_version": 4, "gateway_ip": "10.1.0.1", "enable_dhcp": true,
 "allocation_pools": [{"start": "10.1.0.2", "end": "10.1.0.254"}], "dns_nameservers": ["8.8.8.8"],
 "host_routes": [], "project_id": "p1", "ipv6_address_mode": null, "tags": []}`

const dbSub = `{"id": "` + dbSubID + `", "name": "db-sub", "network_id": "` + dbNetID + `",
 "cidr": "10.2.0.0/24", "ip_version": 4, "gateway_ip": "10.2.0.1", "enable_dhcp": true,
 "allocation_pools": [{"start": "10.2.0.2", "end": "10.2.0.254"}], "dns_nameservers": [],
 "host_routes": [], "project_id": "p1", "tags": []}`

// neutron is a fake Neutron whose lists filter on their query the way
// Neutron does; every route is optional, since each check reads only
// what it needs.
type neutron struct {
	fc       *toolstest.Cloud
	networks []string
	subnets  []string
	ports    []string
	roles    []string
	used     int
}

func newNeutron(t *testing.T) *neutron {
	t.Helper()
	n := &neutron{fc: toolstest.New(t), networks: []string{webNet, dbNet}, subnets: []string{webSub, dbSub}, roles: []string{"member"}}
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
			if k == "fixed_ips" {
				keep = keep && strings.Contains(o, `"subnet_id": "`+strings.TrimPrefix(vs[0], "subnet_id=")+`"`)
				continue
			}
			keep = keep && fmt.Sprint(m[k]) == vs[0]
		}
		if keep {
			out = append(out, o)
		}
	}
	return out
}

func (n *neutron) serve(t *testing.T) {
	list := func(path, key string, objs *[]string) {
		n.fc.OptionalFunc("GET", toolstest.NetworkPrefix+path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{%q: [%s]}`, key, strings.Join(filter(t, *objs, r), ","))
		})
	}
	list("/networks", "networks", &n.networks)
	list("/subnets", "subnets", &n.subnets)
	list("/ports", "ports", &n.ports)
	get := func(path, key string, objs *[]string, id string) {
		n.fc.OptionalFunc("GET", toolstest.NetworkPrefix+path+"/"+id, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			for _, o := range *objs {
				if strings.Contains(o, `"id": "`+id+`"`) {
					fmt.Fprintf(w, `{%q: %s}`, key, o)
					return
				}
			}
			w.WriteHeader(http.StatusNotFound)
		})
	}
	get("/networks", "network", &n.networks, webNetID)
	get("/networks", "network", &n.networks, dbNetID)
	get("/subnets", "subnet", &n.subnets, webSubID)
	get("/subnets", "subnet", &n.subnets, dbSubID)
	n.fc.OptionalFunc("GET", toolstest.IdentityPrefix+"/auth/tokens", func(w http.ResponseWriter, r *http.Request) {
		var roles []string
		for _, role := range n.roles {
			roles = append(roles, fmt.Sprintf(`{"id": "r-%s", "name": %q}`, role, role))
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"token": {"expires_at": "2030-01-01T12:00:00Z", "user": {"id": "u1", "name": "demo", "domain": {"name": "Default"}},
		 "project": {"id": "p1", "name": "demo", "domain": {"name": "Default"}}, "roles": [%s]}}`, strings.Join(roles, ","))
	})
	n.fc.OptionalFunc("GET", toolstest.NetworkPrefix+"/quotas/"+project+"/details.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"quota": {"subnet": {"used": %d, "limit": 10, "reserved": 0}}}`, n.used)
	})
	n.fc.Optional("GET", toolstest.NetworkPrefix+"/extensions/standard-attr-tag", http.StatusOK, `{"extension": {"alias": "standard-attr-tag"}}`)
}

// port is a port fixture with one address on a subnet.
func port(id, owner, device, networkID, subnetID, ip string) string {
	return fmt.Sprintf(`{"id": %q, "name": "", "device_owner": %q, "device_id": %q, "project_id": "p1", "network_id": %q,
	 "fixed_ips": [{"subnet_id": %q, "ip_address": %q}]}`, id, owner, device, networkID, subnetID, ip)
}

func findings(chk *tools.Check, l tools.Level) []string {
	var out []string
	for _, f := range chk.Findings {
		if f.Level == l {
			out = append(out, f.Text)
		}
	}
	return out
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

func jsonOf(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("%s: %v", s, err)
	}
	return v
}
