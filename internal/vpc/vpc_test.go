package vpc

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/internal/netstate"
	"github.com/kriscelmer/os-tui/tools"
)

func TestCheck(t *testing.T) {
	long := strings.Repeat("x", maxName+1)
	tests := []struct {
		in      Options
		want    Options
		wantErr string
	}{
		{in: Options{Name: "demo", CIDR: "10.0.0.0/24", DNS: []string{" 1.1.1.1", ""}, SSHFrom: "203.0.113.7"},
			want: Options{Name: "demo", CIDR: "10.0.0.0/24", DNS: []string{"1.1.1.1"}, SSHFrom: "203.0.113.7/32"}},
		{in: Options{Name: "v6", CIDR: "2001:db8:1::/64"}, want: Options{Name: "v6", CIDR: "2001:db8:1::/64", DNS: []string{}}},
		{in: Options{Name: "demo", CIDR: "10.0.0.5/24"}, wantErr: "--cidr 10.0.0.5/24 has host bits set; the network is 10.0.0.0/24"},
		{in: Options{Name: "demo", CIDR: "10.0.0.0/30"}, wantErr: "too small"},
		{in: Options{Name: "demo", CIDR: "ten"}, wantErr: `--cidr "ten" is not a range`},
		{in: Options{Name: "demo"}, wantErr: "--cidr is required"},
		{in: Options{CIDR: "10.0.0.0/24"}, wantErr: "the VPC needs a name"},
		{in: Options{Name: long, CIDR: "10.0.0.0/24"}, wantErr: "leave room for the suffixes"},
		{in: Options{Name: "${x.id}", CIDR: "10.0.0.0/24"}, wantErr: "may not contain $"},
		{in: Options{Name: "demo", CIDR: "10.0.0.0/24", DNS: []string{"dns.example"}}, wantErr: `--dns "dns.example" is not an IP address`},
		{in: Options{Name: "demo", CIDR: "10.0.0.0/24", SSHFrom: "home"}, wantErr: `--ssh-from "home"`},
	}
	for _, tt := range tests {
		got, err := Check(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Check(%+v) = %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("Check(%+v): %v", tt.in, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Check(%+v) (-want +got):\n%s", tt.in, diff)
		}
	}
}

type stepView struct {
	ID, Tool string
	Args     map[string]any
}

func TestCreatePlan(t *testing.T) {
	tests := []struct {
		name string
		o    Options
		want []stepView
	}{
		{
			name: "IPv4 with DNS and SSH",
			o:    Options{Name: "demo", CIDR: "10.0.0.0/24", DNS: []string{"1.1.1.1", "9.9.9.9"}, SSHFrom: "203.0.113.0/24"},
			want: []stepView{
				{"net", "network.create", map[string]any{"name": "demo-net"}},
				{"subnet", "subnet.create", map[string]any{"name": "demo-subnet", "network": "${net.id}", "subnet_range": "10.0.0.0/24", "ip_version": 4.0,
					"dns_nameservers": []any{"1.1.1.1", "9.9.9.9"}}},
				{"router", "router.create", map[string]any{"name": "demo-router", "external_gateway": "ext-id"}},
				{"iface", "router.add.subnet", map[string]any{"router": "${router.id}", "subnet": "${subnet.id}"}},
				{"sg", "security-group.create", map[string]any{"name": "demo-sg", "description": "baseline of VPC demo: ICMP from anywhere, SSH from 203.0.113.0/24"}},
				{"icmp", "security-group.rule.create", map[string]any{"group": "${sg.id}", "direction": "ingress", "ethertype": "IPv4", "protocol": "icmp", "remote_ip": "0.0.0.0/0"}},
				{"ssh", "security-group.rule.create", map[string]any{"group": "${sg.id}", "direction": "ingress", "ethertype": "IPv4", "protocol": "tcp", "dst_port": "22", "remote_ip": "203.0.113.0/24"}},
			},
		},
		{
			name: "IPv6 without SSH",
			o:    Options{Name: "six", CIDR: "2001:db8:1::/64"},
			want: []stepView{
				{"net", "network.create", map[string]any{"name": "six-net"}},
				{"subnet", "subnet.create", map[string]any{"name": "six-subnet", "network": "${net.id}", "subnet_range": "2001:db8:1::/64", "ip_version": 6.0}},
				{"router", "router.create", map[string]any{"name": "six-router", "external_gateway": "ext-id"}},
				{"iface", "router.add.subnet", map[string]any{"router": "${router.id}", "subnet": "${subnet.id}"}},
				{"sg", "security-group.create", map[string]any{"name": "six-sg", "description": "baseline of VPC six: ICMP from anywhere"}},
				{"icmp", "security-group.rule.create", map[string]any{"group": "${sg.id}", "direction": "ingress", "ethertype": "IPv6", "protocol": "ipv6-icmp", "remote_ip": "::/0"}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := Check(tt.o)
			if err != nil {
				t.Fatal(err)
			}
			p := CreatePlan(o, "ext-id", "/vpc create")
			if p.Origin != "slash" || p.Goal != "/vpc create" || p.ID == "" {
				t.Errorf("plan = %+v", p)
			}
			var got []stepView
			for _, s := range p.Steps {
				var args map[string]any
				if err := json.Unmarshal(s.Args, &args); err != nil {
					t.Fatal(err)
				}
				if s.Why == "" {
					t.Errorf("step %s has no reason", s.ID)
				}
				got = append(got, stepView{s.ID, s.Tool, args})
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("steps (-want +got):\n%s", diff)
			}
		})
	}
}

// reads answers read tools from canned results keyed "tool {args}".
type reads map[string]*tools.Result

func (r reads) read(_ context.Context, tool string, args map[string]any) (*tools.Result, error) {
	key := tool
	if len(args) > 0 {
		b, _ := json.Marshal(args)
		key += " " + string(b)
	}
	if res, ok := r[key]; ok {
		return res, nil
	}
	return nil, fmt.Errorf("unexpected read %s", key)
}

func list(cols []string, rows ...[]any) *tools.Result {
	l := &tools.List{}
	for _, c := range cols {
		l.Columns = append(l.Columns, tools.Column{Name: c})
	}
	l.Rows = rows
	return &tools.Result{List: l}
}

var (
	netCols    = []string{"ID", "Name", "Status", "Project", "State", "Shared", "Subnets", "Network Type", "Router Type"}
	subnetCols = []string{"ID", "Name", "Network", "Subnet", "IP Version", "Gateway"}
	routerCols = []string{"ID", "Name", "Status", "State", "Project", "External gateway info"}
	portCols   = []string{"ID", "Name", "MAC Address", "Fixed IP Addresses", "Status", "Security Groups", "Device Owner"}
	sgCols     = []string{"ID", "Name", "Description", "Project"}
	quotaCols  = []string{"Resource", "Service", "In Use", "Reserved", "Limit"}
)

func fixed(ip, subnet string) []string {
	return []string{fmt.Sprintf("ip_address='%s', subnet_id='%s'", ip, subnet)}
}

// project is a cloud with one external network, the private network
// routed by router1, and an unrouted lab subnet.
func project() reads {
	return reads{
		"network.list": list(netCols,
			[]any{"pub", "public", "ACTIVE", "admin", true, false, []string{"pub-sub"}, "flat", true},
			[]any{"priv", "private", "ACTIVE", "p", true, false, []string{"priv-sub"}, "vxlan", false},
			[]any{"lab", "lab", "ACTIVE", "p", true, false, []string{"lab-sub"}, "vxlan", false}),
		"subnet.list": list(subnetCols,
			[]any{"pub-sub", "public-subnet", "pub", "172.24.4.0/24", 4, "172.24.4.1"},
			[]any{"priv-sub", "private-subnet", "priv", "10.0.0.0/26", 4, "10.0.0.1"},
			[]any{"lab-sub", "lab-subnet", "lab", "192.168.50.0/24", 4, "192.168.50.1"}),
		"router.list": list(routerCols,
			[]any{"r1", "router1", "ACTIVE", true, "p", `{"network_id": "pub", "external_fixed_ips": [{"ip_address": "172.24.4.9"}]}`}),
		"port.list": list(portCols,
			[]any{"if1", "", "m", fixed("10.0.0.1", "priv-sub"), "DOWN", []string{}, "network:router_interface"},
			[]any{"vm1", "", "m", fixed("10.0.0.7", "priv-sub"), "ACTIVE", []string{"def"}, "compute:nova"}),
		`security-group.list {"name":"demo-sg"}`: list(sgCols),
		"quota.show": list(quotaCols,
			[]any{"network", "network", 3, 0, 100}, []any{"router", "network", 1, 0, 10},
			[]any{"security_group", "network", 9, 0, 10}, []any{"security_group_rule", "network", 11, 0, 100},
			[]any{"port", "network", 4, 0, 200}, []any{"instances", "compute", 0, 0, 10}),
	}
}

func TestPreflight(t *testing.T) {
	tests := []struct {
		name     string
		o        Options
		change   func(r reads)
		external string
		problems []string
		notes    []string
	}{
		{name: "clean", o: Options{Name: "demo", CIDR: "10.77.0.0/24"}, external: "public"},
		{name: "routed overlap is refused, with a free range", o: Options{Name: "demo", CIDR: "10.0.0.0/24"},
			problems: []string{"10.0.0.0/24 overlaps subnet private-subnet (10.0.0.0/26), which a router of the project routes; choose another range, e.g. --cidr 10.0.1.0/24"},
			external: "public"},
		{name: "the external network's range is refused", o: Options{Name: "demo", CIDR: "172.24.0.0/16"},
			problems: []string{"172.24.0.0/16 overlaps subnet public-subnet (172.24.4.0/24) of external network public; choose another range, e.g. --cidr 172.25.0.0/16"},
			external: "public"},
		{name: "unrouted overlap is a note", o: Options{Name: "demo", CIDR: "192.168.50.128/25"},
			notes:    []string{"192.168.50.128/25 overlaps subnet lab-subnet (192.168.50.0/24), which no router routes: the two can never be joined by a router"},
			external: "public"},
		{name: "names taken", o: Options{Name: "demo", CIDR: "10.77.0.0/24"},
			change: func(r reads) {
				r["network.list"].List.Rows = append(r["network.list"].List.Rows, []any{"dn", "demo-net", "ACTIVE", "p", true, false, []string{}, "vxlan", false})
				r[`security-group.list {"name":"demo-sg"}`] = list(sgCols, []any{"sg1", "demo-sg", "", "p"})
			},
			problems: []string{"network demo-net, security group demo-sg already exist; choose another VPC name, or remove the old one with /vpc delete demo"},
			external: "public"},
		{name: "quota", o: Options{Name: "demo", CIDR: "10.77.0.0/24"},
			change: func(r reads) {
				r["quota.show"].List.Rows[2] = []any{"security_group", "network", 10, 0, 10}
			},
			problems: []string{"the security group quota has no room: 10 in use + 1 > limit 10; free some, or ask the cloud's admin to raise it"},
			external: "public"},
		{name: "unreadable quota is a note", o: Options{Name: "demo", CIDR: "10.77.0.0/24"},
			change:   func(r reads) { delete(r, "quota.show") },
			notes:    []string{"quota not checked: unexpected read quota.show"},
			external: "public"},
		{name: "named external network", o: Options{Name: "demo", CIDR: "10.77.0.0/24", External: "pub"}, external: "public"},
		{name: "internal network as gateway", o: Options{Name: "demo", CIDR: "10.77.0.0/24", External: "private"},
			problems: []string{"network private is not external: a router's gateway must be on an external network (public)"}},
		{name: "unknown network as gateway", o: Options{Name: "demo", CIDR: "10.77.0.0/24", External: "nope"},
			problems: []string{`no network named "nope"; external networks: public`}},
		{name: "several external networks", o: Options{Name: "demo", CIDR: "10.77.0.0/24"},
			change: func(r reads) {
				r["network.list"].List.Rows = append(r["network.list"].List.Rows, []any{"pub2", "public2", "ACTIVE", "admin", true, false, []string{}, "flat", true})
			},
			problems: []string{"the cloud has 2 external networks (public, public2); choose one with --external NAME"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := project()
			if tt.change != nil {
				tt.change(r)
			}
			o, err := Check(tt.o)
			if err != nil {
				t.Fatal(err)
			}
			s, err := Preflight(t.Context(), r.read, o)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.problems, s.Problems); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.notes, s.Notes); diff != "" {
				t.Errorf("notes (-want +got):\n%s", diff)
			}
			if s.External.Name != tt.external {
				t.Errorf("external = %q, want %q", s.External.Name, tt.external)
			}
		})
	}
}

func TestFreeRange(t *testing.T) {
	p := func(s string) netip.Prefix { return netip.MustParsePrefix(s) }
	tests := []struct {
		want  netip.Prefix
		taken []netip.Prefix
		free  string
	}{
		{p("10.0.0.0/24"), []netip.Prefix{p("10.0.0.0/26"), p("10.0.1.0/24")}, "10.0.2.0/24"},
		{p("10.0.255.0/24"), nil, "10.1.0.0/24"},
		{p("2001:db8::/64"), nil, "2001:db8:0:1::/64"},
	}
	for _, tt := range tests {
		got, ok := FreeRange(tt.want, tt.taken)
		if !ok || got.String() != tt.free {
			t.Errorf("FreeRange(%s) = %s, %v; want %s", tt.want, got, ok, tt.free)
		}
	}
	if _, ok := FreeRange(p("255.255.255.0/24"), nil); ok {
		t.Error("the end of the address space has no next range")
	}
}

func TestFindAndDeletePlan(t *testing.T) {
	base := func() reads {
		return reads{
			`network.list {"name":"demo-net"}`:       list(netCols, []any{"n1", "demo-net", "ACTIVE", "p", true, false, []string{"s1"}, "vxlan", false}),
			`subnet.list {"name":"demo-subnet"}`:     list(subnetCols, []any{"s1", "demo-subnet", "n1", "10.77.0.0/24", 4, "10.77.0.1"}),
			`router.list {"name":"demo-router"}`:     list(routerCols, []any{"r1", "demo-router", "ACTIVE", true, "p", `{"network_id": "pub"}`}),
			`security-group.list {"name":"demo-sg"}`: list(sgCols, []any{"g1", "demo-sg", "", "p"}),
			`network.list {"external":true}`:         list(netCols, []any{"pub", "public", "ACTIVE", "admin", true, false, []string{}, "flat", true}),
			`port.list {"router":"r1"}`: list(portCols,
				[]any{"if1", "", "m", fixed("10.77.0.1", "s1"), "DOWN", []string{}, "network:router_interface"},
				[]any{"gw1", "", "m", fixed("172.24.4.5", "pub-sub"), "DOWN", []string{}, "network:router_gateway"}),
			`port.list {"network":"n1"}`: list(portCols,
				[]any{"if1", "", "m", fixed("10.77.0.1", "s1"), "DOWN", []string{}, "network:router_interface"},
				[]any{"dhcp1", "", "m", fixed("10.77.0.2", "s1"), "ACTIVE", []string{}, "network:dhcp"}),
			"port.list": list(portCols,
				[]any{"other", "", "m", fixed("10.0.0.7", "x"), "ACTIVE", []string{"def"}, "compute:nova"}),
		}
	}
	full := []stepView{
		{"iface", "router.remove.subnet", map[string]any{"router": "r1", "subnet": "s1"}},
		{"gateway", "router.unset", map[string]any{"router": "r1", "external_gateway": true}},
		{"router", "router.delete", map[string]any{"router": "${iface.router}"}},
		{"subnet", "subnet.delete", map[string]any{"subnet": "${iface.subnet}"}},
		{"net", "network.delete", map[string]any{"network": "${subnet.network}"}},
		{"sg", "security-group.delete", map[string]any{"group": "g1"}},
	}
	tests := []struct {
		name     string
		change   func(r reads)
		want     []stepView
		blockers []string
	}{
		{name: "the whole VPC", want: full},
		{name: "half-built: network and subnet only", change: func(r reads) {
			r[`router.list {"name":"demo-router"}`] = list(routerCols)
			r[`security-group.list {"name":"demo-sg"}`] = list(sgCols)
			delete(r, `port.list {"router":"r1"}`)
			delete(r, "port.list")
		}, want: []stepView{
			{"subnet", "subnet.delete", map[string]any{"subnet": "s1"}},
			{"net", "network.delete", map[string]any{"network": "${subnet.network}"}},
		}},
		{name: "a router not attached and a lone network", change: func(r reads) {
			r[`subnet.list {"name":"demo-subnet"}`] = list(subnetCols)
			r[`security-group.list {"name":"demo-sg"}`] = list(sgCols)
			r[`port.list {"router":"r1"}`].List.Rows = r[`port.list {"router":"r1"}`].List.Rows[1:]
			r[`port.list {"network":"n1"}`].List.Rows = r[`port.list {"network":"n1"}`].List.Rows[1:]
			delete(r, "port.list")
		}, want: []stepView{
			{"gateway", "router.unset", map[string]any{"router": "r1", "external_gateway": true}},
			{"router", "router.delete", map[string]any{"router": "${gateway.id}"}},
			{"net", "network.delete", map[string]any{"network": "n1"}},
		}},
		{name: "a server still on the network and in the group", change: func(r reads) {
			r[`port.list {"network":"n1"}`].List.Rows = append(r[`port.list {"network":"n1"}`].List.Rows,
				[]any{"vmp", "", "m", fixed("10.77.0.9", "s1"), "ACTIVE", []string{"g1"}, "compute:nova"})
			r["port.list"].List.Rows = append(r["port.list"].List.Rows,
				[]any{"vmp", "", "m", fixed("10.77.0.9", "s1"), "ACTIVE", []string{"g1"}, "compute:nova"})
			r[`port.show {"port":"vmp"}`] = &tools.Result{Record: &tools.Record{Fields: []tools.Field{
				{Name: "id", Value: "vmp"}, {Name: "device_id", Value: "srv1"}, {Name: "device_owner", Value: "compute:nova"}}}}
			r[`server.show {"server":"srv1"}`] = &tools.Result{Record: &tools.Record{Fields: []tools.Field{
				{Name: "id", Value: "srv1"}, {Name: "name", Value: "vm-1"}, {Name: "status", Value: "ACTIVE"}}}}
		}, want: full, blockers: []string{"VPC demo is still in use by server vm-1 (10.77.0.9); delete or move it first"}},
		{name: "the router routes another subnet", change: func(r reads) {
			r[`port.list {"router":"r1"}`].List.Rows = append(r[`port.list {"router":"r1"}`].List.Rows,
				[]any{"if2", "", "m", fixed("10.9.0.1", "s9"), "DOWN", []string{}, "network:router_interface"})
		}, want: full, blockers: []string{"router demo-router also routes subnet s9 (10.9.0.1), which is not the VPC's; remove that interface first (/router remove subnet demo-router SUBNET)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := base()
			if tt.change != nil {
				tt.change(r)
			}
			f, err := Find(t.Context(), r.read, "demo")
			if err != nil {
				t.Fatal(err)
			}
			if f.Router != nil && !strings.Contains(strings.Join(f.Parts(), "; "), "router demo-router (gateway on public, r1)") {
				t.Errorf("parts = %q", f.Parts())
			}
			if diff := cmp.Diff(tt.blockers, f.Blockers()); diff != "" {
				t.Errorf("blockers (-want +got):\n%s", diff)
			}
			p := DeletePlan(f, "/vpc delete demo")
			var got []stepView
			for _, s := range p.Steps {
				var args map[string]any
				if err := json.Unmarshal(s.Args, &args); err != nil {
					t.Fatal(err)
				}
				got = append(got, stepView{s.ID, s.Tool, args})
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("steps (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFindNothing(t *testing.T) {
	r := reads{
		`network.list {"name":"x-net"}`:       list(netCols),
		`subnet.list {"name":"x-subnet"}`:     list(subnetCols),
		`router.list {"name":"x-router"}`:     list(routerCols),
		`security-group.list {"name":"x-sg"}`: list(sgCols),
	}
	f, err := Find(t.Context(), r.read, "x")
	if err != nil {
		t.Fatal(err)
	}
	if !f.Empty() || len(f.Parts()) != 0 {
		t.Errorf("found = %+v", f)
	}
	var _ netstate.Reader = r.read
}
