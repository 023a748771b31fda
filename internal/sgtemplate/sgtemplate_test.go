package sgtemplate

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/tools/network/secgroups"
)

func sp(s string) *string { return &s }
func ip(n int) *int       { return &n }

func TestShippedTemplatesLoad(t *testing.T) {
	set, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tpl := range set.All() {
		names = append(names, tpl.Name)
		if tpl.Source != Shipped || tpl.Description == "" {
			t.Errorf("template %s: source %q, description %q", tpl.Name, tpl.Source, tpl.Description)
		}
		// Every shipped template instantiates with its defaults or an
		// example value.
		params := map[string]string{}
		for _, p := range tpl.ParamNames() {
			if tpl.Params[p].Default == nil {
				params[p] = "10.0.0.0/8"
			}
		}
		if _, err := tpl.Instantiate(params, "g-self", nil); err != nil {
			t.Errorf("template %s: %v", tpl.Name, err)
		}
	}
	want := []string{"db-internal", "https", "icmp", "rdp-from-cidr", "ssh-from-cidr", "web"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("templates (-want +got):\n%s", diff)
	}
}

func TestParseRefuses(t *testing.T) {
	tests := []struct {
		name, doc, want string
	}{
		{"not yaml", "name: [", "not YAML"},
		{"empty", "", "empty template"},
		{"no rules", "name: x\n", "/: missing property 'rules'"},
		{"bad name", "name: Web Site\nrules: []\n", "/name:"},
		{"unknown field", "name: x\nrules:\n  - {protocol: tcp, port: 22}\n", "/rules/0: additional properties 'port' not allowed"},
		{"port out of range", "name: x\nrules:\n  - {protocol: tcp, ports: 70000}\n", "/rules/0/ports"},
		{"bad direction", "name: x\nrules:\n  - {protocol: tcp, direction: inbound}\n", "/rules/0/direction"},
		{"undeclared parameter", "name: x\nrules:\n  - {protocol: tcp, ports: 22, remote: '${cidr}'}\n", "rule 1 uses ${cidr}, which is not under params"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.doc), "x.yaml")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestUserTemplatesOverrideByName(t *testing.T) {
	dir := t.TempDir()
	write := func(name, doc string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(doc), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("web.yaml", "name: web\ndescription: HTTPS only, our way\nrules:\n  - {protocol: tcp, ports: 443}\n")
	write("app.yml", "name: app\nrules:\n  - {protocol: tcp, ports: '8000:8080', remote: 10.0.0.0/8}\n")
	write("broken.yaml", "name: broken\n")
	write("again.yaml", "name: app\nrules: []\n")
	write("notes.txt", "not a template")
	set, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	web, err := set.Get("web")
	if err != nil || web.Source != filepath.Join(dir, "web.yaml") || len(web.Rules) != 1 {
		t.Errorf("web = %+v, %v; want the user's", web, err)
	}
	if _, err := set.Get("ssh-from-cidr"); err != nil {
		t.Errorf("shipped template lost: %v", err)
	}
	if _, err := set.Get("broken"); err == nil || !strings.Contains(err.Error(), "templates: app, db-internal") {
		t.Errorf("Get(broken) = %v", err)
	}
	var problems []string
	for _, p := range set.Problems {
		problems = append(problems, p.Error())
	}
	if len(problems) != 2 || !strings.Contains(strings.Join(problems, "\n"), "broken.yaml does not fit") ||
		!strings.Contains(strings.Join(problems, "\n"), "both define template app") {
		t.Errorf("problems = %q", problems)
	}
	// A user template may be named app.yml or again.yaml: the first in
	// directory order wins, and the other is named as a problem.
	app, _ := set.Get("app")
	if app.Source != filepath.Join(dir, "again.yaml") {
		t.Errorf("app from %s", app.Source)
	}
}

func TestInstantiate(t *testing.T) {
	set, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	groups := map[string]string{"app": "g-app"}
	resolve := func(name string) (string, error) {
		if id, ok := groups[name]; ok {
			return id, nil
		}
		return "", errors.New("no security group " + name)
	}
	keys := func(rs []Rule) []string {
		var out []string
		for _, r := range rs {
			out = append(out, r.Key())
		}
		return out
	}
	tests := []struct {
		name     string
		template string
		params   map[string]string
		want     []string
		wantErr  string
	}{
		{"web", "web", nil, []string{
			"ingress IPv4 tcp 80:80 0.0.0.0/0", "ingress IPv4 tcp 443:443 0.0.0.0/0",
			"ingress IPv6 tcp 80:80 ::/0", "ingress IPv6 tcp 443:443 ::/0",
		}, ""},
		{"ssh from a range, masked", "ssh-from-cidr", map[string]string{"cidr": "10.1.2.3/8"}, []string{"ingress IPv4 tcp 22:22 10.0.0.0/8"}, ""},
		{"ssh from an IPv6 range", "ssh-from-cidr", map[string]string{"cidr": "2001:db8::/32"}, []string{"ingress IPv6 tcp 22:22 2001:db8::/32"}, ""},
		{"ssh from one address", "ssh-from-cidr", map[string]string{"cidr": "203.0.113.7"}, []string{"ingress IPv4 tcp 22:22 203.0.113.7/32"}, ""},
		{"ssh needs its range", "ssh-from-cidr", nil, nil, "template ssh-from-cidr needs --param cidr=VALUE (the address range allowed to connect"},
		{"a bad range", "ssh-from-cidr", map[string]string{"cidr": "10.0.0.300/8"}, nil, `remote "10.0.0.300/8" is not an address range`},
		{"an unknown parameter", "web", map[string]string{"cidr": "10.0.0.0/8"}, nil, "template web has no parameter cidr (it takes no parameters)"},
		{"db from self by default", "db-internal", nil, []string{"ingress IPv4 tcp 3306:3306 group:g-self", "ingress IPv4 tcp 5432:5432 group:g-self"}, ""},
		{"db from a group", "db-internal", map[string]string{"from": "app"}, []string{"ingress IPv4 tcp 3306:3306 group:g-app", "ingress IPv4 tcp 5432:5432 group:g-app"}, ""},
		{"db from a range", "db-internal", map[string]string{"from": "10.0.0.0/8"}, []string{"ingress IPv4 tcp 3306:3306 10.0.0.0/8", "ingress IPv4 tcp 5432:5432 10.0.0.0/8"}, ""},
		{"db from a group that is not there", "db-internal", map[string]string{"from": "nope"}, nil, "rule 1: remote nope: no security group nope"},
		{"icmp", "icmp", nil, []string{"ingress IPv4 icmp  0.0.0.0/0", "ingress IPv6 ipv6-icmp  ::/0"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tpl, err := set.Get(tt.template)
			if err != nil {
				t.Fatal(err)
			}
			rules, err := tpl.Instantiate(tt.params, "g-self", resolve)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := keys(rules)
			want := append([]string(nil), tt.want...)
			slicesSort(got)
			slicesSort(want)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("rules (-want +got):\n%s", diff)
			}
		})
	}
}

func slicesSort(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

func TestRuleSpecRefuses(t *testing.T) {
	tests := []struct {
		name string
		spec RuleSpec
		want string
	}{
		{"icmp with ports", RuleSpec{Protocol: "icmp", Ports: float64(8)}, "protocol icmp takes no ports"},
		{"any with ports", RuleSpec{Protocol: "any", Ports: "22"}, "protocol any takes no ports"},
		{"ports backwards", RuleSpec{Protocol: "tcp", Ports: "90:80"}, "the first port is above the last"},
		{"family mismatch", RuleSpec{Protocol: "tcp", EtherType: "IPv6", Remote: "10.0.0.0/8"}, "remote 10.0.0.0/8 is an IPv4 range but the rule says ethertype IPv6"},
		{"icmpv6 on IPv4", RuleSpec{Protocol: "ipv6-icmp", Remote: "10.0.0.0/8"}, "protocol ipv6-icmp is for IPv6"},
		{"port zero", RuleSpec{Protocol: "tcp", Ports: "0"}, "ports start at 1"},
		{"a group without a resolver", RuleSpec{Protocol: "tcp", Remote: "app"}, "cannot be looked up here"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.spec.rule(nil, "g", nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want %q", err, tt.want)
			}
		})
	}
}

// cloudRule is a rule as neutron returns it.
func cloudRule(id, dir, eth string, proto *string, lo, hi *int, prefix, group *string) secgroups.Rule {
	return secgroups.Rule{ID: id, Direction: dir, EtherType: eth, Protocol: proto, PortRangeMin: lo, PortRangeMax: hi, RemoteIPPrefix: prefix, RemoteGroupID: group}
}

func TestFromCloudNormalizes(t *testing.T) {
	tests := []struct {
		name string
		rule secgroups.Rule
		want string
	}{
		{"tcp 22", cloudRule("r", "ingress", "IPv4", sp("tcp"), ip(22), ip(22), sp("10.0.0.0/8"), nil), "ingress IPv4 tcp 22:22 10.0.0.0/8"},
		{"protocol number", cloudRule("r", "ingress", "IPv4", sp("6"), ip(22), ip(22), sp("10.0.0.0/8"), nil), "ingress IPv4 tcp 22:22 10.0.0.0/8"},
		{"unmasked prefix", cloudRule("r", "ingress", "IPv4", sp("tcp"), ip(22), ip(22), sp("10.1.2.3/8"), nil), "ingress IPv4 tcp 22:22 10.0.0.0/8"},
		{"a lone address", cloudRule("r", "ingress", "IPv4", sp("tcp"), ip(22), ip(22), sp("10.1.2.3"), nil), "ingress IPv4 tcp 22:22 10.1.2.3/32"},
		{"no remote is the world", cloudRule("r", "ingress", "IPv6", sp("tcp"), ip(443), ip(443), nil, nil), "ingress IPv6 tcp 443:443 ::/0"},
		{"every tcp port", cloudRule("r", "ingress", "IPv4", sp("tcp"), ip(1), ip(65535), nil, nil), "ingress IPv4 tcp  0.0.0.0/0"},
		{"min only", cloudRule("r", "ingress", "IPv4", sp("udp"), ip(53), nil, nil, nil), "ingress IPv4 udp 53:53 0.0.0.0/0"},
		{"icmp type", cloudRule("r", "ingress", "IPv4", sp("icmp"), ip(8), nil, nil, nil), "ingress IPv4 icmp 8 0.0.0.0/0"},
		{"IPv6 icmp", cloudRule("r", "ingress", "IPv6", sp("icmp"), nil, nil, nil, nil), "ingress IPv6 ipv6-icmp  ::/0"},
		{"icmpv6 spelled out", cloudRule("r", "ingress", "IPv6", sp("icmpv6"), nil, nil, nil, nil), "ingress IPv6 ipv6-icmp  ::/0"},
		{"remote group", cloudRule("r", "ingress", "IPv4", nil, nil, nil, nil, sp("g-1")), "ingress IPv4 any  group:g-1"},
		{"default egress", cloudRule("r", "egress", "IPv4", nil, nil, nil, nil, nil), "egress IPv4 any  0.0.0.0/0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FromCloud(tt.rule).Key(); got != tt.want {
				t.Errorf("Key = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRuleString(t *testing.T) {
	tests := []struct {
		r    Rule
		want string
	}{
		{Rule{Direction: "ingress", EtherType: "IPv4", Protocol: "tcp", Ports: "22:22", Remote: "10.0.0.0/8", Description: "SSH"}, "ingress IPv4 tcp 22 from 10.0.0.0/8 (SSH)"},
		{Rule{Direction: "ingress", EtherType: "IPv4", Protocol: "tcp", Ports: "8000:8080", Remote: "group:g-1"}, "ingress IPv4 tcp 8000-8080 from group g-1"},
		{Rule{Direction: "ingress", EtherType: "IPv4", Protocol: "icmp", Ports: "8:0", Remote: "0.0.0.0/0"}, "ingress IPv4 icmp type 8 code 0 from 0.0.0.0/0"},
		{Rule{Direction: "egress", EtherType: "IPv6", Protocol: "any", Remote: "::/0"}, "egress IPv6 any to ::/0"},
	}
	for _, tt := range tests {
		if got := tt.r.String(); got != tt.want {
			t.Errorf("String = %q, want %q", got, tt.want)
		}
	}
}

// group is a web group as the cloud holds it: the default egress rules,
// HTTP from anywhere, and a stray SSH rule.
func group() []Rule {
	return []Rule{
		FromCloud(cloudRule("e4", "egress", "IPv4", nil, nil, nil, nil, nil)),
		FromCloud(cloudRule("e6", "egress", "IPv6", nil, nil, nil, nil, nil)),
		FromCloud(cloudRule("http4", "ingress", "IPv4", sp("tcp"), ip(80), ip(80), sp("0.0.0.0/0"), nil)),
		FromCloud(cloudRule("ssh", "ingress", "IPv4", sp("tcp"), ip(22), ip(22), sp("0.0.0.0/0"), nil)),
	}
}

func ids(rs []Rule) []string {
	var out []string
	for _, r := range rs {
		if r.ID != "" {
			out = append(out, r.ID)
		} else {
			out = append(out, r.Key())
		}
	}
	return out
}

func TestCompare(t *testing.T) {
	set, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	web, _ := set.Get("web")
	want, err := web.Instantiate(nil, "g-web", nil)
	if err != nil {
		t.Fatal(err)
	}
	d := Compare(want, group(), web.Directions())
	if diff := cmp.Diff([]string{
		"ingress IPv4 tcp 443:443 0.0.0.0/0", "ingress IPv6 tcp 80:80 ::/0", "ingress IPv6 tcp 443:443 ::/0",
	}, ids(d.Add)); diff != "" {
		t.Errorf("add (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"ssh"}, ids(d.Remove)); diff != "" {
		t.Errorf("remove (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"http4"}, ids(d.Keep)); diff != "" {
		t.Errorf("keep (-want +got):\n%s", diff)
	}
	if d.Unmanaged != 2 {
		t.Errorf("unmanaged = %d, want the 2 egress rules", d.Unmanaged)
	}

	// Once applied, the group holds exactly the template's ingress rules
	// and a second comparison finds nothing to do.
	after := []Rule{group()[0], group()[1], group()[2]}
	for i, r := range d.Add {
		r.ID = "new-" + string(rune('a'+i))
		after = append(after, r)
	}
	again := Compare(want, after, web.Directions())
	if !again.Empty() || len(again.Keep) != 4 {
		t.Errorf("second compare = %+v, want nothing to do", again)
	}
	if p, _ := Plan(web, Target{ID: "g-web", Name: "web"}, again, "apply"); p != nil {
		t.Errorf("second apply planned %+v", p.Steps)
	}
}

func TestCompareEgressTemplate(t *testing.T) {
	tpl, err := Parse([]byte(`name: locked
manages: [ingress, egress]
rules:
  - {direction: egress, protocol: tcp, ports: 443, remote: 0.0.0.0/0}
`), "locked.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want, err := tpl.Instantiate(nil, "g", nil)
	if err != nil {
		t.Fatal(err)
	}
	d := Compare(want, group(), tpl.Directions())
	if diff := cmp.Diff([]string{"ssh", "http4", "e4", "e6"}, ids(d.Remove)); diff != "" {
		t.Errorf("remove (-want +got):\n%s", diff)
	}
	// A group to create has neutron's default egress rules, which the
	// plan cannot remove before they exist: it says so.
	d = Compare(want, DefaultRules(), tpl.Directions())
	p, notes := Plan(tpl, Target{Name: "locked"}, d, "apply")
	if p == nil || len(p.Steps) != 2 || len(notes) != 2 || !strings.Contains(notes[0], "apply again once the group exists") {
		t.Errorf("plan %+v, notes %q", p, notes)
	}
}

// A template listing an egress rule without manages owns egress too.
func TestDirections(t *testing.T) {
	tpl, err := Parse([]byte("name: out\nrules:\n  - {direction: egress, protocol: tcp, ports: 443}\n"), "out.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"ingress", "egress"}, tpl.Directions()); diff != "" {
		t.Errorf("directions (-want +got):\n%s", diff)
	}
}

type stepView struct {
	ID, Tool string
	Args     map[string]any
}

func steps(t *testing.T, tpl *Template, target Target, d Diff) []stepView {
	t.Helper()
	p, _ := Plan(tpl, target, d, "/security group apply")
	if p == nil {
		return nil
	}
	var out []stepView
	for _, s := range p.Steps {
		var args map[string]any
		if err := json.Unmarshal(s.Args, &args); err != nil {
			t.Fatal(err)
		}
		if s.Why == "" {
			t.Errorf("step %s has no why", s.ID)
		}
		out = append(out, stepView{s.ID, s.Tool, args})
	}
	return out
}

func TestPlan(t *testing.T) {
	set, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	ssh, _ := set.Get("ssh-from-cidr")
	want, err := ssh.Instantiate(map[string]string{"cidr": "10.0.0.0/8"}, "g-web", nil)
	if err != nil {
		t.Fatal(err)
	}
	got := steps(t, ssh, Target{ID: "g-web", Name: "web"}, Compare(want, group(), ssh.Directions()))
	wantSteps := []stepView{
		{"add-1", ToolRuleCreate, map[string]any{"group": "g-web", "direction": "ingress", "ethertype": "IPv4", "protocol": "tcp", "dst_port": "22", "remote_ip": "10.0.0.0/8", "description": "SSH"}},
		{"remove-1", ToolRuleDelete, map[string]any{"rule": "ssh"}},
		{"remove-2", ToolRuleDelete, map[string]any{"rule": "http4"}},
	}
	if diff := cmp.Diff(wantSteps, got); diff != "" {
		t.Errorf("steps (-want +got):\n%s", diff)
	}

	// A group that does not exist is created first, and its rules (and
	// "self") refer to the new group's ID.
	db, _ := set.Get("db-internal")
	want, err = db.Instantiate(nil, NewGroupRef, nil)
	if err != nil {
		t.Fatal(err)
	}
	got = steps(t, db, Target{Name: "db"}, Compare(want, DefaultRules(), db.Directions()))
	wantSteps = []stepView{
		{"group", ToolGroupCreate, map[string]any{"name": "db", "description": "from template db-internal"}},
		{"add-1", ToolRuleCreate, map[string]any{"group": "${group.id}", "direction": "ingress", "ethertype": "IPv4", "protocol": "tcp", "dst_port": "3306", "remote_group": "${group.id}", "description": "MySQL"}},
		{"add-2", ToolRuleCreate, map[string]any{"group": "${group.id}", "direction": "ingress", "ethertype": "IPv4", "protocol": "tcp", "dst_port": "5432", "remote_group": "${group.id}", "description": "PostgreSQL"}},
	}
	if diff := cmp.Diff(wantSteps, got); diff != "" {
		t.Errorf("steps (-want +got):\n%s", diff)
	}

	// The reasons name groups, the new one included.
	p, _ := Plan(db, Target{Name: "db"}, Compare(want, DefaultRules(), db.Directions()), "apply")
	if why := p.Steps[1].Why; why != "template db-internal allows ingress IPv4 tcp 3306 from group db (MySQL)" {
		t.Errorf("why = %q", why)
	}

	// Ranges keep both ends; "any" sends no protocol.
	r := Rule{Direction: "ingress", EtherType: "IPv4", Protocol: "tcp", Ports: "8000:8080", Remote: "10.0.0.0/8"}
	if a := createArgs("g", r); a["dst_port"] != "8000:8080" {
		t.Errorf("dst_port = %v", a["dst_port"])
	}
	r = Rule{Direction: "egress", EtherType: "IPv6", Protocol: "any", Remote: "::/0"}
	if _, ok := createArgs("g", r)["protocol"]; ok {
		t.Error("protocol any was sent")
	}
}
