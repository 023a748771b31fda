package diagnose

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/internal/netstate"
	"github.com/kriscelmer/os-tui/tools/network/secgroups"
)

func sp(s string) *string { return &s }
func ip(n int) *int       { return &n }
func bp(b bool) *bool     { return &b }

const (
	srvID    = "11111111-1111-4111-8111-111111111111"
	portID   = "22222222-2222-4222-8222-222222222222"
	netID    = "33333333-3333-4333-8333-333333333333"
	subnetID = "44444444-4444-4444-8444-444444444444"
	routerID = "55555555-5555-4555-8555-555555555555"
	extID    = "66666666-6666-4666-8666-666666666666"
	sgID     = "77777777-7777-4777-8777-777777777777"
	defID    = "88888888-8888-4888-8888-888888888888"
	ifaceID  = "99999999-9999-4999-8999-999999999999"
)

func sshRule(remote string) secgroups.Rule {
	return secgroups.Rule{ID: "r-ssh", SecurityGroupID: sgID, Direction: "ingress", EtherType: "IPv4",
		Protocol: sp("tcp"), PortRangeMin: ip(22), PortRangeMax: ip(22), RemoteIPPrefix: sp(remote)}
}

// healthy is a path with nothing wrong: tcp 22 from anywhere reaches it.
func healthy() *Path {
	return &Path{
		Server: netstate.Server{ID: srvID, Name: "web-1", Status: "ACTIVE"},
		Ports: []netstate.Port{{ID: portID, Status: "ACTIVE", NetworkID: netID, DeviceID: srvID, DeviceOwner: "compute:nova",
			AdminStateUp: true, PortSecurity: bp(true), SecurityGroups: []string{defID, sgID},
			FixedIPs: []netstate.FixedIP{{SubnetID: subnetID, IP: "10.77.0.12"}}}},
		Groups: map[string]netstate.Group{
			defID: {ID: defID, Name: "default", Rules: []secgroups.Rule{
				{ID: "r-def", SecurityGroupID: defID, Direction: "ingress", EtherType: "IPv4", RemoteGroupID: sp(defID)},
			}},
			sgID: {ID: sgID, Name: "vpc-sg", Rules: []secgroups.Rule{
				{ID: "r-icmp", SecurityGroupID: sgID, Direction: "ingress", EtherType: "IPv4", Protocol: sp("icmp"), RemoteIPPrefix: sp("0.0.0.0/0")},
				sshRule("0.0.0.0/0"),
			}},
		},
		Subnets: map[string]netstate.Subnet{
			subnetID: {ID: subnetID, Name: "vpc-subnet", NetworkID: netID, CIDR: "10.77.0.0/24", GatewayIP: "10.77.0.1", IPVersion: 4},
		},
		Networks: map[string]netstate.Network{
			netID: {ID: netID, Name: "vpc-net", Status: "ACTIVE", AdminStateUp: true},
			extID: {ID: extID, Name: "public", Status: "ACTIVE", AdminStateUp: true, External: true},
		},
		Routers: []netstate.Router{{ID: routerID, Name: "vpc-router", Status: "ACTIVE", AdminStateUp: true, GatewayNetworkID: extID, GatewayIPs: []string{"203.0.113.9"}}},
		Interfaces: map[string][]netstate.Port{
			subnetID: {{ID: ifaceID, Status: "ACTIVE", DeviceID: routerID, DeviceOwner: "network:router_interface", AdminStateUp: true,
				FixedIPs: []netstate.FixedIP{{SubnetID: subnetID, IP: "10.77.0.1"}}}},
		},
		FloatingIPs: []netstate.FloatingIP{{ID: "fip-1", Address: "203.0.113.50", Status: "ACTIVE", NetworkID: extID, PortID: portID, FixedIP: "10.77.0.12"}},
	}
}

func statuses(r *Report) map[string]string {
	out := map[string]string{}
	for _, f := range r.Findings {
		out[f.Check] = f.Status.String()
	}
	return out
}

func query(t *testing.T, q Query) Query {
	t.Helper()
	if q.Server == "" {
		q.Server = "web-1"
	}
	n, err := Normalize(q)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestDiagnose(t *testing.T) {
	allPass := map[string]string{
		CheckServer: "pass", CheckPort: "pass", CheckPortSecurity: "pass", CheckGroups: "pass",
		CheckRouter: "pass", CheckGateway: "pass", CheckFloatingIP: "pass", CheckSubnet: "pass", CheckNetwork: "pass",
	}
	with := func(changes map[string]string) map[string]string {
		out := map[string]string{}
		for k, v := range allPass {
			out[k] = v
		}
		for k, v := range changes {
			if v == "" {
				delete(out, k)
				continue
			}
			out[k] = v
		}
		return out
	}
	tests := []struct {
		name   string
		q      Query
		mutate func(p *Path)
		want   map[string]string
		// steps are the fix's tools with their arguments.
		steps []Step
		text  string // a finding's text contains it
		hint  string // a finding's hint contains it
	}{
		{name: "healthy", want: allPass, text: "group vpc-sg admits it: rule ingress IPv4 tcp 22 from 0.0.0.0/0"},
		{name: "ping passes", q: Query{Protocol: "icmp"}, want: allPass, text: "rule ingress IPv4 icmp from 0.0.0.0/0"},
		{
			name: "missing ssh rule", mutate: func(p *Path) {
				g := p.Groups[sgID]
				g.Rules = g.Rules[:1]
				p.Groups[sgID] = g
			},
			want: with(map[string]string{CheckGroups: "fail"}),
			steps: []Step{{ID: "rule", Tool: "security-group.rule.create", Args: map[string]any{
				"group": sgID, "direction": "ingress", "ethertype": "IPv4", "protocol": "tcp", "dst_port": "22", "remote_ip": "0.0.0.0/0",
			}}},
			text: "no rule of group default, vpc-sg admits tcp port 22 from anywhere",
		},
		{
			name: "missing rule from a range", q: Query{Port: 443, From: "198.51.100.7"},
			want: with(map[string]string{CheckGroups: "fail"}),
			steps: []Step{{ID: "rule", Tool: "security-group.rule.create", Args: map[string]any{
				"group": sgID, "direction": "ingress", "ethertype": "IPv4", "protocol": "tcp", "dst_port": "443", "remote_ip": "198.51.100.7/32",
			}}},
		},
		{
			name: "rule for another range fails for this one", q: Query{From: "198.51.100.0/24"},
			mutate: func(p *Path) { p.Groups[sgID].Rules[1] = sshRule("10.0.0.0/8") },
			want:   with(map[string]string{CheckGroups: "fail"}),
			steps: []Step{{ID: "rule", Tool: "security-group.rule.create", Args: map[string]any{
				"group": sgID, "direction": "ingress", "ethertype": "IPv4", "protocol": "tcp", "dst_port": "22", "remote_ip": "198.51.100.0/24",
			}}},
			text: "group vpc-sg admits it only from 10.0.0.0/8",
		},
		{
			name:   "rule for some sources only is a warning without --from",
			mutate: func(p *Path) { p.Groups[sgID].Rules[1] = sshRule("10.0.0.0/8") },
			want:   with(map[string]string{CheckGroups: "warn"}),
			text:   "only some sources are admitted",
		},
		{
			name: "a port range and any protocol admit", q: Query{Port: 8080},
			mutate: func(p *Path) {
				r := sshRule("0.0.0.0/0")
				r.Protocol, r.PortRangeMin, r.PortRangeMax = nil, nil, nil
				p.Groups[sgID].Rules[1] = r
			},
			want: allPass,
		},
		{
			name: "udp is not tcp", q: Query{Protocol: "udp", Port: 22},
			want: with(map[string]string{CheckGroups: "fail"}),
			steps: []Step{{ID: "rule", Tool: "security-group.rule.create", Args: map[string]any{
				"group": sgID, "direction": "ingress", "ethertype": "IPv4", "protocol": "udp", "dst_port": "22", "remote_ip": "0.0.0.0/0",
			}}},
		},
		{
			name: "port security off", mutate: func(p *Path) {
				p.Ports[0].PortSecurity = bp(false)
				p.Groups = nil
			},
			want: with(map[string]string{CheckGroups: "skip"}),
			text: "port security is off",
		},
		{
			name: "no security group", mutate: func(p *Path) { p.Ports[0].SecurityGroups = nil },
			want: with(map[string]string{CheckGroups: "fail"}),
			steps: []Step{
				{ID: "group", Tool: "security-group.create", Args: map[string]any{"name": "web-1-access", "description": "admits tcp port 22 from anywhere to web-1"}},
				{ID: "rule", Tool: "security-group.rule.create", Args: map[string]any{
					"group": "${group.id}", "direction": "ingress", "ethertype": "IPv4", "protocol": "tcp", "dst_port": "22", "remote_ip": "0.0.0.0/0",
				}},
				{ID: "port-groups", Tool: "port.set", Args: map[string]any{"port": portID, "security_groups": []any{"${group.id}"}}},
			},
		},
		{
			name: "no floating IP takes one from the gateway's network", mutate: func(p *Path) { p.FloatingIPs = nil },
			want:  with(map[string]string{CheckFloatingIP: "fail"}),
			steps: []Step{{ID: "fip", Tool: "floating-ip.create", Args: map[string]any{"network": extID, "port": portID, "description": "web-1: made by /diagnose for tcp port 22 from anywhere"}}},
		},
		{
			name: "an unused floating IP is mentioned, not taken", mutate: func(p *Path) {
				p.FloatingIPs = []netstate.FloatingIP{{ID: "fip-9", Address: "203.0.113.77", NetworkID: extID, Status: "DOWN"}}
			},
			want:  with(map[string]string{CheckFloatingIP: "fail"}),
			steps: []Step{{ID: "fip", Tool: "floating-ip.create", Args: map[string]any{"network": extID, "port": portID, "description": "web-1: made by /diagnose for tcp port 22 from anywhere"}}},
			hint:  "or bind one the project holds unused: /floating-ip set 203.0.113.77 --port " + portID,
		},
		{
			name: "a floating IP not set up is a warning", mutate: func(p *Path) { p.FloatingIPs[0].Status = "DOWN" },
			want: with(map[string]string{CheckFloatingIP: "warn"}),
		},
		{
			name: "router without gateway", mutate: func(p *Path) { p.Routers[0].GatewayNetworkID = ""; p.FloatingIPs = nil },
			want: with(map[string]string{CheckGateway: "fail", CheckFloatingIP: "fail"}),
			// The gateway is set before the floating IP is bound: Neutron
			// refuses a floating IP it cannot route.
			steps: []Step{
				{ID: "gateway", Tool: "router.set", Args: map[string]any{"router": routerID, "external_gateway": extID}},
				{ID: "fip", Tool: "floating-ip.create", Args: map[string]any{"network": extID, "port": portID, "description": "web-1: made by /diagnose for tcp port 22 from anywhere"}},
			},
		},
		{
			name: "no router joins the subnet: the project's router with a gateway", mutate: func(p *Path) { p.Interfaces = nil },
			want:  with(map[string]string{CheckRouter: "fail", CheckGateway: "pass"}),
			steps: []Step{{ID: "iface", Tool: "router.add.subnet", Args: map[string]any{"router": routerID, "subnet": subnetID}}},
		},
		{
			name: "no router at all: a new one", mutate: func(p *Path) { p.Interfaces = nil; p.Routers = nil },
			want: with(map[string]string{CheckRouter: "fail", CheckGateway: "skip"}),
			steps: []Step{
				{ID: "router", Tool: "router.create", Args: map[string]any{"name": "vpc-net-router", "external_gateway": extID}},
				{ID: "iface", Tool: "router.add.subnet", Args: map[string]any{"router": "${router.id}", "subnet": subnetID}},
			},
		},
		{
			name: "interface DOWN is a warning", mutate: func(p *Path) { p.Interfaces[subnetID][0].Status = "DOWN" },
			want: with(map[string]string{CheckRouter: "warn"}),
			text: "the interface is DOWN",
		},
		{
			name: "router down", mutate: func(p *Path) { p.Routers[0].AdminStateUp = false },
			want:  with(map[string]string{CheckRouter: "fail"}),
			steps: []Step{{ID: "router-up", Tool: "router.set", Args: map[string]any{"router": routerID, "admin_state_up": true}}},
		},
		{
			name: "from inside the subnet: no router or floating IP on the path", q: Query{From: "10.77.0.0/28"},
			mutate: func(p *Path) { p.FloatingIPs = nil; p.Interfaces = nil },
			want:   with(map[string]string{CheckRouter: "skip", CheckGateway: "skip", CheckFloatingIP: "skip"}),
		},
		{
			name: "server stopped", mutate: func(p *Path) { p.Server.Status = "SHUTOFF"; p.Ports[0].Status = "DOWN" },
			want:  with(map[string]string{CheckServer: "fail", CheckPort: "warn"}),
			steps: []Step{{ID: "server", Tool: "server.start", Args: map[string]any{"server": srvID}}},
		},
		{
			name: "port DOWN on a running server", mutate: func(p *Path) { p.Ports[0].Status = "DOWN" },
			want: with(map[string]string{CheckPort: "fail"}),
		},
		{
			name: "port admin down", mutate: func(p *Path) { p.Ports[0].AdminStateUp = false },
			want:  with(map[string]string{CheckPort: "fail"}),
			steps: []Step{{ID: "port-up", Tool: "port.set", Args: map[string]any{"port": portID, "admin_state_up": true}}},
		},
		{
			name: "network down", mutate: func(p *Path) { n := p.Networks[netID]; n.AdminStateUp = false; p.Networks[netID] = n },
			want:  with(map[string]string{CheckNetwork: "fail"}),
			steps: []Step{{ID: "net-up", Tool: "network.set", Args: map[string]any{"network": netID, "admin_state_up": true}}},
		},
		{
			name: "a second port is reported, the one with the floating IP is walked", mutate: func(p *Path) {
				second := p.Ports[0]
				second.ID, second.Status = "port-2", "DOWN"
				second.FixedIPs = []netstate.FixedIP{{SubnetID: subnetID, IP: "10.77.0.99"}}
				p.Ports = append([]netstate.Port{second}, p.Ports...)
			},
			want: with(map[string]string{CheckOtherPort: "warn"}),
			text: "port port-2 (10.77.0.99) is DOWN (not on this path)",
		},
		{
			name: "no ports", mutate: func(p *Path) { p.Ports = nil },
			want: map[string]string{CheckServer: "pass", CheckPort: "fail"},
		},
		{
			name: "IPv6 source and no IPv6 address", q: Query{From: "2001:db8::/32"},
			want: map[string]string{CheckServer: "pass", CheckPort: "fail"},
			text: "has no IPv6 address",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := healthy()
			if tt.mutate != nil {
				tt.mutate(p)
			}
			r := Diagnose(p, query(t, tt.q))
			if diff := cmp.Diff(tt.want, statuses(r)); diff != "" {
				t.Errorf("statuses (-want +got):\n%s\n%+v", diff, r.Findings)
			}
			var got []Step
			for _, s := range r.Steps() {
				s.Why = ""
				got = append(got, s)
			}
			if diff := cmp.Diff(tt.steps, got); diff != "" {
				t.Errorf("fix steps (-want +got):\n%s", diff)
			}
			if tt.hint != "" {
				var all []string
				for _, f := range r.Findings {
					all = append(all, f.Hint)
				}
				if !strings.Contains(strings.Join(all, "\n"), tt.hint) {
					t.Errorf("no hint says %q:\n%s", tt.hint, strings.Join(all, "\n"))
				}
			}
			if tt.text != "" {
				var all []string
				for _, f := range r.Findings {
					all = append(all, f.Text)
				}
				if !strings.Contains(strings.Join(all, "\n"), tt.text) {
					t.Errorf("no finding says %q:\n%s", tt.text, strings.Join(all, "\n"))
				}
			}
		})
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct {
		in      Query
		want    Query
		wantErr string
	}{
		{in: Query{Server: "a"}, want: Query{Server: "a", Protocol: "tcp", Port: 22}},
		{in: Query{Server: "a", Protocol: "ICMP"}, want: Query{Server: "a", Protocol: "icmp"}},
		{in: Query{Server: "a", Port: 80, From: "10.1.2.3/8"}, want: Query{Server: "a", Protocol: "tcp", Port: 80, From: "10.0.0.0/8"}},
		{in: Query{Server: "a", Protocol: "udp"}, wantErr: "--port 0 is not a port"},
		{in: Query{Server: "a", Protocol: "icmp", Port: 22}, wantErr: "icmp has no ports"},
		{in: Query{Server: "a", Protocol: "gre"}, wantErr: "diagnose knows tcp, udp and icmp"},
		{in: Query{Server: "a", From: "nowhere"}, wantErr: `--from "nowhere" is not an address`},
		{in: Query{}, wantErr: "name the server"},
	}
	for _, tt := range tests {
		got, err := Normalize(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Normalize(%+v) = %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("Normalize(%+v): %v", tt.in, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Normalize(%+v) (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestHintWarnsOfTheGuardrail(t *testing.T) {
	p := healthy()
	p.Groups[sgID] = netstate.Group{ID: sgID, Name: "vpc-sg"}
	r := Diagnose(p, query(t, Query{}))
	var hint string
	for _, f := range r.Findings {
		if f.Check == CheckGroups {
			hint = f.Hint
		}
	}
	if !strings.Contains(hint, "--remote-ip 0.0.0.0/0") || !strings.Contains(hint, "the guardrail refuses it unless --force") {
		t.Errorf("hint = %q", hint)
	}
	r = Diagnose(p, query(t, Query{From: "203.0.113.0/24"}))
	for _, f := range r.Findings {
		if f.Check == CheckGroups && strings.Contains(f.Hint, "guardrail") {
			t.Errorf("a narrow source needs no warning: %q", f.Hint)
		}
	}
}

func TestPlanAndDocument(t *testing.T) {
	p := healthy()
	p.Routers[0].GatewayNetworkID = ""
	p.FloatingIPs = nil
	r := Diagnose(p, query(t, Query{}))
	// A build without router.set keeps only what it can run; the hint
	// stays in the report.
	pl := r.Plan("/diagnose web-1", func(s Step) bool { return s.Tool != "router.set" })
	if pl == nil || len(pl.Steps) != 1 || pl.Steps[0].Tool != "floating-ip.create" || pl.Origin != "slash" {
		t.Fatalf("plan = %+v", pl)
	}
	if r.Plan("x", func(Step) bool { return false }) != nil {
		t.Error("a plan with no step left should be nil")
	}
	// A step referring to a dropped one goes too.
	p = healthy()
	p.Interfaces, p.Routers = nil, nil
	r = Diagnose(p, query(t, Query{}))
	if pl := r.Plan("x", func(s Step) bool { return s.Tool != "router.create" }); pl != nil {
		t.Errorf("router.add.subnet of a router not made should go: %+v", pl.Steps)
	}
	doc := r.Document(nil)
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"server":"web-1"`, `"traffic":"tcp port 22 from anywhere"`, `"from":"anywhere"`, `"status":"fail"`, `"failed":1`} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("document lacks %s: %s", want, b)
		}
	}
	if !strings.Contains(r.ForModel(), `"verdict":"1 link of the path stops tcp port 22 from anywhere"`) {
		t.Errorf("ForModel = %s", r.ForModel())
	}
}

func TestWriteTextEscapes(t *testing.T) {
	p := healthy()
	p.Server.Name = "evil\x1b[31mname"
	p.Groups[sgID] = netstate.Group{ID: sgID, Name: "vpc-sg"}
	var b bytes.Buffer
	if err := Diagnose(p, query(t, Query{})).WriteText(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if strings.Contains(out, "\x1b") {
		t.Errorf("escape reached the terminal: %q", out)
	}
	for _, want := range []string{"✓ server", "✗ security group", "fix: /security-group rule create vpc-sg --protocol tcp --dst-port 22", "1 link of the path stops"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
