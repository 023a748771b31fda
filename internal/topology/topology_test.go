package topology

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/tools"
)

func list(cols []string, rows ...[]any) *tools.List {
	l := &tools.List{}
	for _, c := range cols {
		l.Columns = append(l.Columns, tools.Column{Name: c})
	}
	l.Rows = rows
	return l
}

// addresses mirrors servers.Addresses: a named map type, as the server
// list's Networks column holds it.
type addrs map[string][]string

// cloud is a small project: a private network behind router1, whose
// gateway is on public; web on private with a floating IP; one unbound
// floating IP; db on private and on a network the list did not show.
func cloud(names map[string]string) Input {
	name := func(k string) string {
		if v, ok := names[k]; ok {
			return v
		}
		return k
	}
	return Input{
		Networks: list([]string{"ID", "Name", "Status", "Subnets", "Router Type"},
			[]any{"net-pub", name("public"), "ACTIVE", []string{"sub-pub"}, true},
			[]any{"net-priv", name("private"), "ACTIVE", []string{"sub-priv"}, false},
		),
		Subnets: list([]string{"ID", "Name", "Network", "Subnet"},
			[]any{"sub-priv", name("private-subnet"), "net-priv", "10.0.0.0/24"},
		),
		Routers: list([]string{"ID", "Name", "External gateway info"},
			[]any{"r1", name("router1"), `{"enable_snat":true,"external_fixed_ips":[{"ip_address":"203.0.113.104","subnet_id":"sub-pub"}],"network_id":"net-pub"}`},
		),
		RouterPorts: map[string]*tools.List{"r1": list([]string{"ID", "Fixed IP Addresses", "Device Owner"},
			[]any{"p1", []string{"ip_address='10.0.0.1', subnet_id='sub-priv'"}, "network:router_interface"},
			[]any{"p2", []string{"ip_address='203.0.113.104', subnet_id='sub-pub'"}, "network:router_gateway"},
		)},
		FloatingIPs: list([]string{"ID", "Floating IP Address", "Fixed IP Address", "Port", "Floating Network"},
			[]any{"f1", "203.0.113.7", "10.0.0.5", "port-web", "net-pub"},
			[]any{"f2", "203.0.113.9", nil, nil, "net-pub"},
		),
		Servers: list([]string{"ID", "Name", "Status", "Networks"},
			[]any{"s2", name("web"), "ACTIVE", addrs{name("private"): {"10.0.0.5", "203.0.113.7"}}},
			[]any{"s1", name("db"), "ACTIVE", map[string]any{name("private"): []any{"10.0.0.6"}, "hidden": []any{"192.168.0.3"}}},
			[]any{"s3", "lonely", "SHUTOFF", addrs{}},
		),
	}
}

func TestFormats(t *testing.T) {
	hostile := map[string]string{
		"public":  "pub\"lic]\n-->x",
		"private": "pri\x1b[31mvate",
		"web":     "we\"b|<b>#1;",
		"router1": "r\\N\"1",
	}
	tests := []struct {
		name   string
		in     Input
		format string
		width  int
		want   string
	}{
		{
			name:   "text",
			in:     cloud(nil),
			format: "text",
			want: `network hidden
└─ server db 192.168.0.3
network private
├─ subnet private-subnet 10.0.0.0/24
├─ router router1 10.0.0.1
├─ server db 10.0.0.6
└─ server web 10.0.0.5 (floating 203.0.113.7)
network public (external)
├─ subnet sub-pub
├─ router router1 gateway 203.0.113.104
└─ floating IPs not bound: 203.0.113.9
servers on no network
└─ server lonely
`,
		},
		{
			name:   "text cut to the width",
			in:     Input{Networks: cloud(nil).Networks, Subnets: cloud(nil).Subnets},
			format: "text",
			width:  20,
			want: `network private
└─ subnet private-s…
network public (ext…
└─ subnet sub-pub
`,
		},
		{
			name: "text wraps lists to the width",
			in: func() Input {
				in := cloud(nil)
				in.FloatingIPs.Rows = append(in.FloatingIPs.Rows, []any{"f3", "203.0.113.10", nil, nil, "net-pub"}, []any{"f4", "203.0.113.11", nil, nil, "net-pub"})
				return in
			}(),
			format: "text",
			width:  40,
			want: `network hidden
└─ server db 192.168.0.3
network private
├─ subnet private-subnet 10.0.0.0/24
├─ router router1 10.0.0.1
├─ server db 10.0.0.6
└─ server web 10.0.0.5
     (floating 203.0.113.7)
network public (external)
├─ subnet sub-pub
├─ router router1 gateway 203.0.113.104
└─ floating IPs not bound: 203.0.113.10,
     203.0.113.11, 203.0.113.9
servers on no network
└─ server lonely
`,
		},
		{
			name:   "mermaid",
			in:     cloud(nil),
			format: "mermaid",
			want: `graph LR
  net1["hidden"]
  net2["private<br/>private-subnet 10.0.0.0/24"]
  net3["public (external)<br/>sub-pub<br/>1 floating IP not bound"]
  router1(("router1"))
  server1[["db"]]
  server2[["web"]]
  server3[["lonely"]]
  router1 ==>|"gateway 203.0.113.104"| net3
  router1 ---|"10.0.0.1"| net2
  server1 ---|"192.168.0.3"| net1
  server1 ---|"10.0.0.6"| net2
  server2 ---|"10.0.0.5 (floating 203.0.113.7)"| net2
`,
		},
		{
			name:   "dot",
			in:     cloud(nil),
			format: "dot",
			want: `graph topology {
  rankdir=LR;
  net1 [shape=box, label="hidden"];
  net2 [shape=box, label="private\nprivate-subnet 10.0.0.0/24"];
  net3 [shape=box, label="public (external)\nsub-pub\n1 floating IP not bound"];
  router1 [shape=ellipse, label="router1"];
  server1 [shape=component, label="db"];
  server2 [shape=component, label="web"];
  server3 [shape=component, label="lonely"];
  router1 -- net3 [label="gateway 203.0.113.104", style=bold];
  router1 -- net2 [label="10.0.0.1"];
  server1 -- net1 [label="192.168.0.3"];
  server1 -- net2 [label="10.0.0.6"];
  server2 -- net2 [label="10.0.0.5 (floating 203.0.113.7)"];
}
`,
		},
		{
			name:   "hostile text",
			in:     cloud(hostile),
			format: "text",
			want: `network hidden
└─ server db 192.168.0.3
network pri\x1b[31mvate
├─ subnet private-subnet 10.0.0.0/24
├─ router r\N"1 10.0.0.1
├─ server db 10.0.0.6
└─ server we"b|<b>#1; 10.0.0.5 (floating 203.0.113.7)
network pub"lic]\x0a-->x (external)
├─ subnet sub-pub
├─ router r\N"1 gateway 203.0.113.104
└─ floating IPs not bound: 203.0.113.9
servers on no network
└─ server lonely
`,
		},
		{
			name:   "hostile mermaid",
			in:     cloud(hostile),
			format: "mermaid",
			want: `graph LR
  net1["hidden"]
  net2["pri\x1b[31mvate<br/>private-subnet 10.0.0.0/24"]
  net3["pub#quot;lic]\x0a--#62;x (external)<br/>sub-pub<br/>1 floating IP not bound"]
  router1(("r\N#quot;1"))
  server1[["db"]]
  server2[["we#quot;b#124;#60;b#62;#35;1#59;"]]
  server3[["lonely"]]
  router1 ==>|"gateway 203.0.113.104"| net3
  router1 ---|"10.0.0.1"| net2
  server1 ---|"192.168.0.3"| net1
  server1 ---|"10.0.0.6"| net2
  server2 ---|"10.0.0.5 (floating 203.0.113.7)"| net2
`,
		},
		{
			name:   "hostile dot",
			in:     cloud(hostile),
			format: "dot",
			want: `graph topology {
  rankdir=LR;
  net1 [shape=box, label="hidden"];
  net2 [shape=box, label="pri\\x1b[31mvate\nprivate-subnet 10.0.0.0/24"];
  net3 [shape=box, label="pub\"lic]\\x0a-->x (external)\nsub-pub\n1 floating IP not bound"];
  router1 [shape=ellipse, label="r\\N\"1"];
  server1 [shape=component, label="db"];
  server2 [shape=component, label="we\"b|<b>#1;"];
  server3 [shape=component, label="lonely"];
  router1 -- net3 [label="gateway 203.0.113.104", style=bold];
  router1 -- net2 [label="10.0.0.1"];
  server1 -- net1 [label="192.168.0.3"];
  server1 -- net2 [label="10.0.0.6"];
  server2 -- net2 [label="10.0.0.5 (floating 203.0.113.7)"];
}
`,
		},
		{
			name:   "mermaid without the server list: a bound floating IP stays on its network",
			in:     func() Input { in := cloud(nil); in.Servers = nil; return in }(),
			format: "mermaid",
			want: `graph LR
  net1["private<br/>private-subnet 10.0.0.0/24"]
  net2["public (external)<br/>sub-pub<br/>floating IP 203.0.113.7 → 10.0.0.5<br/>1 floating IP not bound"]
  router1(("router1"))
  router1 ==>|"gateway 203.0.113.104"| net2
  router1 ---|"10.0.0.1"| net1
`,
		},
		{
			name:   "nothing readable",
			in:     Input{},
			format: "text",
			want:   "no networks\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			if err := Write(&b, Build(tt.in), tt.format, tt.width); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, b.String()); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tt.format, diff)
			}
			if strings.ContainsRune(b.String(), '\x1b') {
				t.Errorf("output holds a raw ESC:\n%q", b.String())
			}
		})
	}
}

// TestMissingList: a list that could not be read (nil) leaves only its
// part out.
func TestMissingList(t *testing.T) {
	for _, drop := range []string{"networks", "subnets", "routers", "floating", "servers", "ports"} {
		t.Run(drop, func(t *testing.T) {
			in := cloud(nil)
			switch drop {
			case "networks":
				in.Networks = nil
			case "subnets":
				in.Subnets = nil
			case "routers":
				in.Routers = nil
			case "floating":
				in.FloatingIPs = nil
			case "servers":
				in.Servers = nil
			case "ports":
				in.RouterPorts = nil
			}
			got := Text(Build(in), 0)
			for _, want := range map[string][]string{
				"networks": {"10.0.0.0/24", "router router1 10.0.0.1", "server web 10.0.0.5 (floating 203.0.113.7)"},
				"subnets":  {"network private", "subnet sub-priv", "server web"},
				"routers":  {"subnet private-subnet 10.0.0.0/24", "server web 10.0.0.5 (floating 203.0.113.7)"},
				"floating": {"router router1 gateway 203.0.113.104", "server web 10.0.0.5, 203.0.113.7"},
				"servers":  {"router router1 10.0.0.1", "floating IP 203.0.113.7 → 10.0.0.5", "floating IPs not bound: 203.0.113.9"},
				"ports":    {"router router1 gateway 203.0.113.104", "server db 10.0.0.6"},
			}[drop] {
				if !strings.Contains(got, want) {
					t.Errorf("without %s, want %q in:\n%s", drop, want, got)
				}
			}
		})
	}
}

func TestWriteUnknownFormat(t *testing.T) {
	if err := Write(&strings.Builder{}, Build(Input{}), "svg", 0); err == nil {
		t.Error("want an error for format svg")
	}
}
