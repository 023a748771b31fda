package subnets

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseCIDR(t *testing.T) {
	tests := []struct{ in, want, problem string }{
		{in: "10.0.0.0/24", want: "10.0.0.0/24"},
		{in: "fd00:1::/64", want: "fd00:1::/64"},
		{in: "10.0.0.5/24", problem: "host bits set; the range it lies in is 10.0.0.0/24"},
		{in: "10.0.0.0", problem: "is not a subnet range"},
		{in: "10.0.0.0/33", problem: "is not a subnet range"},
	}
	for _, tt := range tests {
		p, problem := ParseCIDR(tt.in)
		if tt.problem != "" {
			if !strings.Contains(problem, tt.problem) {
				t.Errorf("%s: problem %q, want %q", tt.in, problem, tt.problem)
			}
			continue
		}
		if problem != "" || p.String() != tt.want {
			t.Errorf("%s: got %s %q", tt.in, p, problem)
		}
	}
}

func TestPools(t *testing.T) {
	cidr := netip.MustParsePrefix("10.0.0.0/24")
	tests := []struct {
		name     string
		pools    []string
		parse    string
		problems []string
	}{
		{name: "fine", pools: []string{"10.0.0.10-10.0.0.99", "start=10.0.0.100,end=10.0.0.254"}},
		{name: "reversed", pools: []string{"10.0.0.99-10.0.0.10"}, parse: "starts after it ends; write it 10.0.0.10-10.0.0.99"},
		{name: "garbage", pools: []string{"ten-twenty"}, parse: "is not two addresses"},
		{name: "bad key", pools: []string{"begin=10.0.0.1,end=10.0.0.5"}, parse: `"begin" is neither start nor end`},
		{name: "network address", pools: []string{"10.0.0.0-10.0.0.5"}, problems: []string{"allocation pool 10.0.0.0-10.0.0.5 is not inside 10.0.0.0/24; pools lie within 10.0.0.1-10.0.0.254"}},
		{name: "broadcast", pools: []string{"10.0.0.200-10.0.0.255"}, problems: []string{"allocation pool 10.0.0.200-10.0.0.255 is not inside 10.0.0.0/24; pools lie within 10.0.0.1-10.0.0.254"}},
		{name: "outside", pools: []string{"10.0.1.1-10.0.1.5"}, problems: []string{"allocation pool 10.0.1.1-10.0.1.5 is not inside 10.0.0.0/24; pools lie within 10.0.0.1-10.0.0.254"}},
		{name: "overlap", pools: []string{"10.0.0.10-10.0.0.50", "10.0.0.50-10.0.0.60"}, problems: []string{"allocation pools 10.0.0.10-10.0.0.50 and 10.0.0.50-10.0.0.60 overlap; make them disjoint or merge them into one"}},
		{name: "family", pools: []string{"fd00::2-fd00::9"}, problems: []string{"allocation pool fd00::2-fd00::9 is not IPv4 like 10.0.0.0/24"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var pools []AddrPool
			for _, s := range tt.pools {
				p, problem := ParsePool(s)
				if tt.parse != "" {
					if !strings.Contains(problem, tt.parse) {
						t.Errorf("parse %q: problem %q, want %q", s, problem, tt.parse)
					}
					return
				}
				if problem != "" {
					t.Fatalf("parse %q: %s", s, problem)
				}
				pools = append(pools, p)
			}
			if diff := cmp.Diff(tt.problems, PoolProblems(cidr, pools)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestGatewayProblem(t *testing.T) {
	cidr := netip.MustParsePrefix("10.0.0.0/24")
	pools := []AddrPool{{netip.MustParseAddr("10.0.0.10"), netip.MustParseAddr("10.0.0.99")}}
	tests := []struct{ gw, want string }{
		{gw: "10.0.0.1"},
		{gw: "10.0.0.254"},
		{gw: "10.0.1.1", want: "gateway 10.0.1.1 is outside 10.0.0.0/24; give an address inside it (for example 10.0.0.1), auto, or none"},
		{gw: "10.0.0.0", want: "is the network address"},
		{gw: "10.0.0.255", want: "is the broadcast address"},
		{gw: "10.0.0.50", want: "lies inside allocation pool 10.0.0.10-10.0.0.99"},
		{gw: "fd00::1", want: "is not IPv4"},
	}
	for _, tt := range tests {
		got := GatewayProblem(cidr, netip.MustParseAddr(tt.gw), pools)
		if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
			t.Errorf("%s: %q, want %q", tt.gw, got, tt.want)
		}
	}
	// IPv6 has no broadcast address: the last one may be the gateway.
	if got := GatewayProblem(netip.MustParsePrefix("fd00::/64"), netip.MustParseAddr("fd00::ffff:ffff:ffff:ffff"), nil); got != "" {
		t.Errorf("IPv6 last address: %s", got)
	}
}

func TestParseRoute(t *testing.T) {
	r, problem := ParseRoute("destination=192.168.0.0/16,gateway=10.0.0.254")
	if problem != "" || r.String() != "destination=192.168.0.0/16,gateway=10.0.0.254" {
		t.Errorf("got %v %q", r, problem)
	}
	for _, bad := range []string{"192.168.0.0/16=10.0.0.1", "destination=192.168.0.0/16,gateway=x", "destination=fd00::/64,nexthop=10.0.0.1"} {
		if _, problem := ParseRoute(bad); problem == "" {
			t.Errorf("%s: no problem", bad)
		}
	}
}

func TestNameserverProblems(t *testing.T) {
	got := NameserverProblems([]string{"8.8.8.8", "dns.example", "8.8.8.8"})
	want := []string{`DNS server "dns.example" is not an IP address`, "DNS server 8.8.8.8 is listed twice; Neutron refuses duplicates"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestFreeRange(t *testing.T) {
	taken := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/24"), netip.MustParsePrefix("10.0.1.0/25")}
	got, ok := FreeRange(netip.MustParsePrefix("10.0.0.0/24"), taken)
	if !ok || got.String() != "10.0.2.0/24" {
		t.Errorf("got %s %t, want 10.0.2.0/24", got, ok)
	}
	if _, ok := FreeRange(netip.MustParsePrefix("255.255.255.0/24"), []netip.Prefix{netip.MustParsePrefix("255.255.255.0/24")}); ok {
		t.Error("found a range past the end of IPv4")
	}
}

func TestSizeProblem(t *testing.T) {
	if p := SizeProblem(netip.MustParsePrefix("10.0.0.0/24")); p != "" {
		t.Errorf("/24: %s", p)
	}
	if p := SizeProblem(netip.MustParsePrefix("10.0.0.0/31")); !strings.Contains(p, "leaves no address") {
		t.Errorf("/31: %q", p)
	}
	if p := SizeProblem(netip.MustParsePrefix("10.0.0.0/30")); !strings.Contains(p, "leaves 2 address(es)") {
		t.Errorf("/30: %q", p)
	}
}
