package secgroups

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func sp(s string) *string { return &s }
func ip(i int) *int       { return &i }

// risk is the part of a Risk a case pins down: what, where, how bad.
type risk struct {
	Service, Protocol, Port, Remote string
	Severity                        Severity
}

func TestExposure(t *testing.T) {
	world4, world6 := sp("0.0.0.0/0"), sp("::/0")
	cases := []struct {
		name string
		rule Rule
		want []risk
	}{
		{"ssh from the world", Rule{Direction: "ingress", EtherType: "IPv4", Protocol: sp("tcp"), PortRangeMin: ip(22), PortRangeMax: ip(22), RemoteIPPrefix: world4},
			[]risk{{"SSH", "tcp", "22", "0.0.0.0/0", High}}},
		{"ssh with no remote is the world", Rule{Direction: "ingress", EtherType: "IPv4", Protocol: sp("tcp"), PortRangeMin: ip(22), PortRangeMax: ip(22)},
			[]risk{{"SSH", "tcp", "22", "0.0.0.0/0", High}}},
		{"ipv6 without remote", Rule{Direction: "ingress", EtherType: "IPv6", Protocol: sp("tcp"), PortRangeMin: ip(3389), PortRangeMax: ip(3389)},
			[]risk{{"RDP", "tcp", "3389", "::/0", High}}},
		{"protocol by number", Rule{Direction: "ingress", EtherType: "IPv6", Protocol: sp("6"), PortRangeMin: ip(6379), PortRangeMax: ip(6379), RemoteIPPrefix: world6},
			[]risk{{"Redis", "tcp", "6379", "::/0", Critical}}},
		{"ssh from a narrow prefix", Rule{Direction: "ingress", EtherType: "IPv4", Protocol: sp("tcp"), PortRangeMin: ip(22), PortRangeMax: ip(22), RemoteIPPrefix: sp("10.0.0.0/8")}, nil},
		{"ssh from a group", Rule{Direction: "ingress", EtherType: "IPv4", Protocol: sp("tcp"), PortRangeMin: ip(22), PortRangeMax: ip(22), RemoteGroupID: sp("g")}, nil},
		{"egress everywhere is ordinary", Rule{Direction: "egress", EtherType: "IPv4"}, nil},
		{"https is fine", Rule{Direction: "ingress", EtherType: "IPv4", Protocol: sp("tcp"), PortRangeMin: ip(443), PortRangeMax: ip(443), RemoteIPPrefix: world4}, nil},
		{"icmp is fine", Rule{Direction: "ingress", EtherType: "IPv4", Protocol: sp("icmp"), RemoteIPPrefix: world4}, nil},
		{"icmp type 22 is not ssh", Rule{Direction: "ingress", EtherType: "IPv4", Protocol: sp("icmp"), PortRangeMin: ip(22), RemoteIPPrefix: world4}, nil},
		{"udp 22 is not ssh", Rule{Direction: "ingress", EtherType: "IPv4", Protocol: sp("udp"), PortRangeMin: ip(22), PortRangeMax: ip(22), RemoteIPPrefix: world4}, nil},
		{"udp memcached", Rule{Direction: "ingress", EtherType: "IPv4", Protocol: sp("udp"), PortRangeMin: ip(11211), PortRangeMax: ip(11211), RemoteIPPrefix: world4},
			[]risk{{"Memcached", "udp", "11211", "0.0.0.0/0", Critical}}},
		{"any protocol", Rule{Direction: "ingress", EtherType: "IPv4", RemoteIPPrefix: world4},
			[]risk{{"all ports", "any", "1-65535", "0.0.0.0/0", Critical}}},
		{"tcp without ports", Rule{Direction: "ingress", EtherType: "IPv4", Protocol: sp("tcp")},
			[]risk{{"all ports", "tcp", "1-65535", "0.0.0.0/0", Critical}}},
		{"tcp 1-65535", Rule{Direction: "ingress", EtherType: "IPv4", Protocol: sp("TCP"), PortRangeMin: ip(1), PortRangeMax: ip(65535), RemoteIPPrefix: world4},
			[]risk{{"all ports", "tcp", "1-65535", "0.0.0.0/0", Critical}}},
		{"vnc range inside", Rule{Direction: "ingress", EtherType: "IPv4", Protocol: sp("tcp"), PortRangeMin: ip(5901), PortRangeMax: ip(5901), RemoteIPPrefix: world4},
			[]risk{{"VNC", "tcp", "5900-5910", "0.0.0.0/0", High}}},
		{"exactly 100 ports is not wide", Rule{Direction: "ingress", EtherType: "IPv4", Protocol: sp("tcp"), PortRangeMin: ip(8000), PortRangeMax: ip(8099), RemoteIPPrefix: world4}, nil},
		{"101 ports is wide", Rule{Direction: "ingress", EtherType: "IPv4", Protocol: sp("tcp"), PortRangeMin: ip(8000), PortRangeMax: ip(8100), RemoteIPPrefix: world4},
			[]risk{{"wide port range", "tcp", "8000-8100", "0.0.0.0/0", Medium}}},
		{"wide range holding services", Rule{Direction: "ingress", EtherType: "IPv4", Protocol: sp("tcp"), PortRangeMin: ip(3000), PortRangeMax: ip(3400), RemoteIPPrefix: world4},
			[]risk{{"wide port range", "tcp", "3000-3400", "0.0.0.0/0", Medium}, {"MySQL", "tcp", "3306", "0.0.0.0/0", High}, {"RDP", "tcp", "3389", "0.0.0.0/0", High}}},
		{"narrow range overlapping docker", Rule{Direction: "ingress", EtherType: "IPv4", Protocol: sp("tcp"), PortRangeMin: ip(2376), PortRangeMax: ip(2380), RemoteIPPrefix: world4},
			[]risk{{"Docker API", "tcp", "2375-2376", "0.0.0.0/0", Critical}}},
		{"wide range from a narrow prefix", Rule{Direction: "ingress", EtherType: "IPv4", Protocol: sp("tcp"), PortRangeMin: ip(1), PortRangeMax: ip(65535), RemoteIPPrefix: sp("192.168.0.0/16")}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got []risk
			for _, r := range Exposure(c.rule) {
				if r.Why == "" {
					t.Errorf("%s has no why", r.Service)
				}
				got = append(got, risk{r.Service, r.Protocol, r.Port, r.Remote, r.Severity})
			}
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("Exposure (-want +got):\n%s", diff)
			}
		})
	}
}

// TestEveryNamedServiceIsCaught: each port the guardrail promises to
// guard is a Risk when opened alone to the world.
func TestEveryNamedServiceIsCaught(t *testing.T) {
	ports := map[string]int{"SSH": 22, "RDP": 3389, "Telnet": 23, "SMB": 445, "SMB (NetBIOS)": 139, "MySQL": 3306,
		"PostgreSQL": 5432, "MSSQL": 1433, "MongoDB": 27017, "Redis": 6379, "Memcached": 11211,
		"Elasticsearch": 9200, "Elasticsearch transport": 9300, "VNC": 5910, "Docker API": 2375}
	for name, port := range ports {
		rs := Exposure(Rule{Direction: "ingress", EtherType: "IPv6", Protocol: sp("tcp"), PortRangeMin: ip(port), PortRangeMax: ip(port), RemoteIPPrefix: sp("::/0")})
		if len(rs) != 1 || rs[0].Service != name || rs[0].Severity < High {
			t.Errorf("port %d: %v, want one %s risk of high severity or more", port, rs, name)
		}
	}
	for _, s := range ExposedServices {
		if _, ok := ports[s.Name]; !ok {
			t.Errorf("%s is guarded but not tested", s.Name)
		}
	}
}

func TestIsWorld(t *testing.T) {
	for cidr, want := range map[string]bool{"0.0.0.0/0": true, "::/0": true, " ::/0 ": true, "0.0.0.0/1": false, "10.0.0.0/8": false, "": false, "bogus": false} {
		if got := IsWorld(cidr); got != want {
			t.Errorf("IsWorld(%q) = %v", cidr, got)
		}
	}
}

func TestSeverity(t *testing.T) {
	if Critical.Lower() != High || Low.Lower() != Low {
		t.Error("Lower does not step down to Low")
	}
	if Critical.String() != "critical" || Medium.String() != "medium" {
		t.Error("severity names")
	}
	r := Risk{Service: "SSH", Protocol: "tcp", Port: "22", Remote: "0.0.0.0/0", Why: "w"}
	if got := r.String(); got != "SSH (tcp 22) open to 0.0.0.0/0: w" {
		t.Errorf("Risk.String() = %q", got)
	}
}
