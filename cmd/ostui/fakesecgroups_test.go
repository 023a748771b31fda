package main

import (
	"encoding/json"
	"net/http"
	"strings"
)

// The fake cloud's security groups, for /security audit and the
// templates: "web" already matches the shipped web template, "db" opens
// PostgreSQL to the world on a port that uses it, "legacy" opens SSH to
// the world but no port uses it.
const (
	fakeSGWeb    = "5a1f0000-0000-4000-8000-000000000001"
	fakeSGDB     = "5a1f0000-0000-4000-8000-000000000002"
	fakeSGLegacy = "5a1f0000-0000-4000-8000-000000000003"
)

type fakeSGRule struct {
	ID              string  `json:"id"`
	SecurityGroupID string  `json:"security_group_id"`
	Direction       string  `json:"direction"`
	EtherType       string  `json:"ethertype"`
	Protocol        *string `json:"protocol"`
	PortRangeMin    *int    `json:"port_range_min"`
	PortRangeMax    *int    `json:"port_range_max"`
	RemoteIPPrefix  *string `json:"remote_ip_prefix"`
	RemoteGroupID   *string `json:"remote_group_id"`
	Description     string  `json:"description"`
	ProjectID       string  `json:"project_id"`
}

type fakeSG struct {
	ID          string       `json:"id"`
	Name        string       `json:"name"`
	Description string       `json:"description"`
	ProjectID   string       `json:"project_id"`
	Rules       []fakeSGRule `json:"security_group_rules"`
	Tags        []string     `json:"tags"`
}

func fakeSecurityGroups() []fakeSG {
	str := func(s string) *string { return &s }
	num := func(n int) *int { return &n }
	n := 0
	rule := func(group, dir, eth string, proto *string, port int, remote *string) fakeSGRule {
		n++
		r := fakeSGRule{
			ID:              "5a1f0000-0000-4000-9000-0000000000" + string(rune('a'+n/10)) + string(rune('0'+n%10)),
			SecurityGroupID: group, Direction: dir, EtherType: eth, Protocol: proto, RemoteIPPrefix: remote, ProjectID: "p-demo",
		}
		if port > 0 {
			r.PortRangeMin, r.PortRangeMax = num(port), num(port)
		}
		return r
	}
	egress := func(group string) []fakeSGRule {
		return []fakeSGRule{rule(group, "egress", "IPv4", nil, 0, nil), rule(group, "egress", "IPv6", nil, 0, nil)}
	}
	tcp := str("tcp")
	web := append(egress(fakeSGWeb),
		rule(fakeSGWeb, "ingress", "IPv4", tcp, 80, str("0.0.0.0/0")),
		rule(fakeSGWeb, "ingress", "IPv4", str("6"), 443, str("0.0.0.0/0")),
		rule(fakeSGWeb, "ingress", "IPv6", tcp, 80, str("::/0")),
		rule(fakeSGWeb, "ingress", "IPv6", tcp, 443, nil))
	db := append(egress(fakeSGDB), rule(fakeSGDB, "ingress", "IPv4", tcp, 5432, str("0.0.0.0/0")))
	legacy := append(egress(fakeSGLegacy), rule(fakeSGLegacy, "ingress", "IPv4", tcp, 22, str("0.0.0.0/0")))
	return []fakeSG{
		{ID: fakeSGWeb, Name: "web", ProjectID: "p-demo", Rules: web, Tags: []string{}},
		{ID: fakeSGDB, Name: "db", ProjectID: "p-demo", Rules: db, Tags: []string{}},
		{ID: fakeSGLegacy, Name: "legacy", Description: "old bastion", ProjectID: "p-demo", Rules: legacy, Tags: []string{}},
	}
}

// serveSecurityGroups answers the security group and rule reads.
func (f *fakeCloud) serveSecurityGroups(w http.ResponseWriter, r *http.Request, path string) bool {
	if r.Method != http.MethodGet {
		return false
	}
	groups := fakeSecurityGroups()
	q := r.URL.Query()
	write := func(v any) bool {
		_ = json.NewEncoder(w).Encode(v) // the test fails on what the client makes of a short body
		return true
	}
	switch {
	case path == "/network/v2.0/security-groups":
		out := []fakeSG{}
		for _, g := range groups {
			if name := q.Get("name"); name != "" && g.Name != name {
				continue
			}
			out = append(out, g)
		}
		return write(map[string]any{"security_groups": out})
	case strings.HasPrefix(path, "/network/v2.0/security-groups/"):
		id := strings.TrimPrefix(path, "/network/v2.0/security-groups/")
		for _, g := range groups {
			if g.ID == id {
				return write(map[string]any{"security_group": g})
			}
		}
		w.WriteHeader(http.StatusNotFound)
		return write(map[string]any{"NeutronError": map[string]string{"type": "SecurityGroupNotFound", "message": "Security group " + id + " does not exist"}})
	case path == "/network/v2.0/security-group-rules":
		out := []fakeSGRule{}
		for _, g := range groups {
			for _, rl := range g.Rules {
				if id := q.Get("security_group_id"); id != "" && rl.SecurityGroupID != id {
					continue
				}
				out = append(out, rl)
			}
		}
		return write(map[string]any{"security_group_rules": out})
	}
	return false
}

// fakePorts are the ports of an unfiltered port list: one server port in
// the db and web groups. A filtered list (a server's or router's ports)
// is empty, as before.
const fakePorts = `{"ports": [{"id": "port-1", "name": "", "mac_address": "fa:16:3e:00:00:01", "status": "ACTIVE",
	"fixed_ips": [{"subnet_id": "sub-1", "ip_address": "10.0.0.5"}], "device_owner": "compute:nova", "device_id": "srv-1",
	"security_groups": ["` + fakeSGDB + `", "` + fakeSGWeb + `"], "tags": []}]}`
