package secaudit

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/network/secgroups"
)

func sp(s string) *string { return &s }
func ip(n int) *int       { return &n }

// rule builds an ingress rule: proto "" is any protocol, ports "" none.
func rule(proto, ports, remote string) secgroups.Rule {
	r := secgroups.Rule{ID: "r-" + proto + ports, Direction: "ingress", EtherType: "IPv4"}
	if proto != "" {
		r.Protocol = sp(proto)
	}
	if ports != "" {
		lo, hi, err := ParsePorts(ports)
		if err != nil {
			panic(err)
		}
		r.PortRangeMin, r.PortRangeMax = &lo, hi
		if hi == nil {
			r.PortRangeMax = ip(lo)
		}
	}
	if remote != "" {
		r.RemoteIPPrefix = sp(remote)
	}
	return r
}

// The audit grades by the exposure kernel; these cases pin what the
// audit's table says of its verdicts.
func TestFindingPerRisk(t *testing.T) {
	egress := rule("tcp", "22", "0.0.0.0/0")
	egress.Direction = "egress"
	fromGroup := rule("tcp", "22", "")
	fromGroup.RemoteGroupID = sp("g-other")
	tests := []struct {
		name string
		rule secgroups.Rule
		want []string
	}{
		{"ssh to the world", rule("tcp", "22", "0.0.0.0/0"), []string{"high SSH (tcp 22)"}},
		{"no prefix is the world", rule("tcp", "5432", ""), []string{"high PostgreSQL (tcp 5432)"}},
		{"IPv6 world", rule("tcp", "3389", "::/0"), []string{"high RDP (tcp 3389)"}},
		{"ssh from a network", rule("tcp", "22", "10.0.0.0/8"), nil},
		{"ssh from a group", fromGroup, nil},
		{"egress is not exposure", egress, nil},
		{"web is fine", rule("tcp", "443", "0.0.0.0/0"), nil},
		{"every protocol", rule("", "", "0.0.0.0/0"), []string{"critical all ports (any protocol)"}},
		{"every tcp port", rule("tcp", "1:65535", "0.0.0.0/0"), []string{"critical all ports (tcp 1-65535)"}},
		{"a wide range", rule("tcp", "8000:8200", "0.0.0.0/0"), []string{"medium wide port range (tcp 8000-8200)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, f := range Grade([]Group{{ID: "g", Rules: []secgroups.Rule{tt.rule}, Ports: 1, PortsKnown: true}}) {
				got = append(got, f.Severity.String()+" "+f.Exposure)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParsePorts(t *testing.T) {
	tests := []struct {
		in      string
		lo      int
		hi      *int
		wantErr string
	}{
		{"22", 22, nil, ""},
		{"22:22", 22, ip(22), ""},
		{"8000-8080", 8000, ip(8080), ""},
		{" 80 : 81 ", 80, ip(81), ""},
		{"90:80", 0, nil, "above the last"},
		{"http", 0, nil, "not a port number"},
		{"70000", 0, nil, "not a port number"},
	}
	for _, tt := range tests {
		lo, hi, err := ParsePorts(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParsePorts(%q) error = %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || lo != tt.lo || !cmp.Equal(hi, tt.hi) {
			t.Errorf("ParsePorts(%q) = %d, %v, %v; want %d, %v", tt.in, lo, hi, err, tt.lo, tt.hi)
		}
	}
}

func TestGradeLowersUnusedGroups(t *testing.T) {
	db := rule("tcp", "5432", "0.0.0.0/0")
	db.ID = "r-db"
	all := rule("", "", "0.0.0.0/0")
	all.ID = "r-all"
	groups := []Group{
		{ID: "g-used", Name: "db", Rules: []secgroups.Rule{db}, Ports: 2, PortsKnown: true},
		{ID: "g-idle", Name: "idle", Rules: []secgroups.Rule{db, all}, PortsKnown: true},
		{ID: "g-unknown", Name: "unknown", Rules: []secgroups.Rule{db}},
	}
	type row struct {
		Sev             Severity
		Group, Exposure string
		Ports           int
	}
	var got []row
	for _, f := range Grade(groups) {
		got = append(got, row{f.Severity, f.Group, f.Exposure, f.Ports})
	}
	want := []row{
		{secgroups.High, "db", "PostgreSQL (tcp 5432)", 2},
		{secgroups.High, "idle", "all ports (any protocol)", 0},
		{secgroups.High, "unknown", "PostgreSQL (tcp 5432)", -1},
		{secgroups.Medium, "idle", "PostgreSQL (tcp 5432)", 0},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
}

// lists are what the read tools return for a small project.
func lists() map[string]*tools.List {
	return map[string]*tools.List{
		"security-group.list": {
			Columns: []tools.Column{{Name: "ID"}, {Name: "Name"}, {Name: "Description"}, {Name: "Project"}, {Name: "Tags"}},
			Rows: [][]any{
				{"g-web", "web", "", "p1", []string{}},
				{"g-db", "db", "", "p1", []string{}},
				{"g-spare", "spare", "", "p1", []string{}},
			},
		},
		"security-group.rule.list": {
			Columns: []tools.Column{
				{Name: "ID"}, {Name: "IP Protocol"}, {Name: "Ethertype"}, {Name: "IP Range"}, {Name: "Port Range"},
				{Name: "Direction"}, {Name: "Remote Security Group"}, {Name: "Remote Address Group", Long: true},
				{Name: "Description", Long: true}, {Name: "Security Group", Long: true},
			},
			Rows: [][]any{
				{"r1", "tcp", "IPv4", "0.0.0.0/0", "443:443", "ingress", nil, nil, "", "g-web"},
				{"r2", "tcp", "IPv4", "0.0.0.0/0", "5432:5432", "ingress", nil, nil, "", "g-db"},
				{"r3", "tcp", "IPv4", "", "5432:5432", "ingress", "g-web", nil, "", "g-db"},
				{"r4", "tcp", "IPv4", "0.0.0.0/0", "22:22", "ingress", nil, nil, "", "g-spare"},
				{"r5", nil, "IPv4", "0.0.0.0/0", "", "egress", nil, nil, "", "g-db"},
				{"r6", "tcp", "IPv4", "0.0.0.0/0", "22:22", "ingress", nil, nil, "", "g-elsewhere"},
			},
		},
		"port.list": {
			Columns: []tools.Column{{Name: "ID"}, {Name: "Security Groups", Long: true}},
			Rows: [][]any{
				{"p-a", []string{"g-web", "g-db"}},
				{"p-b", []string{"g-db"}},
			},
		},
	}
}

func TestAudit(t *testing.T) {
	data := lists()
	var asked []string
	read := func(_ context.Context, tool string, args map[string]any) (*tools.List, error) {
		asked = append(asked, tool)
		if tool == "security-group.list" && args["project"] != "p1" {
			t.Errorf("security-group.list args = %v, want the project", args)
		}
		return data[tool], nil
	}
	rep, err := Audit(t.Context(), read, Options{Project: "p1"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range rep.Findings {
		got = append(got, f.Severity.String()+" "+f.Group+" "+f.Exposure+" "+f.RuleID)
	}
	want := []string{"high db PostgreSQL (tcp 5432) r2", "medium spare SSH (tcp 22) r4"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	if rep.Groups != 3 || rep.Rules != 5 {
		t.Errorf("audited %d groups, %d rules; want 3, 5 (a rule of an unlisted group is dropped)", rep.Groups, rep.Rules)
	}
	if s := rep.Summary(); s != "2 findings in 2 of 3 security groups (5 rules)" {
		t.Errorf("summary = %q", s)
	}
	if diff := cmp.Diff([]string{"security-group.list", "security-group.rule.list", "port.list"}, asked); diff != "" {
		t.Errorf("reads (-want +got):\n%s", diff)
	}
	res := rep.ForModel()
	for _, c := range res.List.Columns {
		if c.Long {
			t.Errorf("the model's table hides column %s", c.Name)
		}
	}
}

func TestAuditWithoutPorts(t *testing.T) {
	data := lists()
	read := func(_ context.Context, tool string, _ map[string]any) (*tools.List, error) {
		if tool == "port.list" {
			return nil, errors.New("forbidden\nmore")
		}
		return data[tool], nil
	}
	rep, err := Audit(t.Context(), read, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"port.list: forbidden (severities are not lowered for unused groups)"}, rep.Skipped); diff != "" {
		t.Errorf("skipped (-want +got):\n%s", diff)
	}
	for _, f := range rep.Findings {
		if f.Severity != secgroups.High || f.Ports != -1 {
			t.Errorf("finding %+v: want high with unknown ports", f)
		}
	}
}

func TestAuditFailsWithoutGroups(t *testing.T) {
	read := func(_ context.Context, tool string, _ map[string]any) (*tools.List, error) {
		return nil, errors.New("network service: no endpoint")
	}
	_, err := Audit(t.Context(), read, Options{})
	if err == nil || !strings.Contains(err.Error(), "read security groups: network service") {
		t.Errorf("error = %v", err)
	}
}

func TestEmptySummary(t *testing.T) {
	rep := &Report{Groups: 1, Rules: 4}
	if got := rep.Summary(); got != "no security group opens a risky port to the world (1 group, 4 rules audited)" {
		t.Errorf("summary = %q", got)
	}
}
