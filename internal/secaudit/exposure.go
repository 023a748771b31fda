package secaudit

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/kriscelmer/os-tui/tools/network/secgroups"
)

// risk is one way a rule exposes something to the world, as the audit
// needs it: what is exposed and how bad that is before usage is weighed.
type risk struct {
	// What names the exposure: "SSH (22/tcp)", "all ports", "ports
	// 1000-2000 (1001 ports)".
	What     string
	Severity Severity
}

// exposure names what a rule opens to every address. It is the audit's
// one door to the exposure rules, so that the guardrail of the change
// tools (refuse unless --force) and the audit flag the same rules.
//
// The shared kernel of the security-group change tools was still being
// written when the audit was; until it lands this adapter classifies with
// the list below, which follows issue 10's guardrail list word for word.
func exposure(r secgroups.Rule) []risk {
	if r.Direction != "ingress" || !worldOpen(r) {
		return nil
	}
	proto := protocol(r)
	switch proto {
	case "any":
		return []risk{{What: "all protocols and ports", Severity: Critical}}
	case "tcp", "udp", "sctp", "dccp", "udplite":
	default:
		// ICMP and other port-less protocols open no service.
		return nil
	}
	lo, hi, ok := portRange(r)
	if !ok {
		return []risk{{What: "all " + proto + " ports", Severity: Critical}}
	}
	var out []risk
	for _, s := range riskyServices {
		if s.proto != proto && !(s.proto == "tcp" && proto == "sctp") {
			continue
		}
		if s.port >= lo && s.port <= hi {
			out = append(out, risk{What: fmt.Sprintf("%s (%d/%s)", s.name, s.port, proto), Severity: High})
		}
	}
	if n := hi - lo + 1; n > wideRange {
		out = append(out, risk{What: fmt.Sprintf("%s ports %d-%d (%d ports)", proto, lo, hi, n), Severity: Medium})
	}
	return out
}

// wideRange is the widest port range that is not a finding by itself.
const wideRange = 100

// riskyServices are the services that must not face the whole internet.
var riskyServices = []struct {
	name  string
	port  int
	proto string
}{
	{"SSH", 22, "tcp"},
	{"Telnet", 23, "tcp"},
	{"SMB", 139, "tcp"},
	{"SMB", 445, "tcp"},
	{"MSSQL", 1433, "tcp"},
	{"Docker API", 2375, "tcp"},
	{"Docker API", 2376, "tcp"},
	{"MySQL", 3306, "tcp"},
	{"RDP", 3389, "tcp"},
	{"RDP", 3389, "udp"},
	{"PostgreSQL", 5432, "tcp"},
	{"VNC", 5900, "tcp"},
	{"Redis", 6379, "tcp"},
	{"Elasticsearch", 9200, "tcp"},
	{"Elasticsearch", 9300, "tcp"},
	{"Memcached", 11211, "tcp"},
	{"Memcached", 11211, "udp"},
	{"MongoDB", 27017, "tcp"},
}

// worldOpen reports a rule whose remote is every address: a /0 prefix,
// or no prefix and no remote group at all.
func worldOpen(r secgroups.Rule) bool {
	if r.RemoteGroupID != nil && *r.RemoteGroupID != "" {
		return false
	}
	if r.RemoteAddressGroupID != nil && *r.RemoteAddressGroupID != "" {
		return false
	}
	if r.RemoteIPPrefix == nil || *r.RemoteIPPrefix == "" {
		return true
	}
	p, err := netip.ParsePrefix(*r.RemoteIPPrefix)
	return err == nil && p.Bits() == 0
}

// protocol is the rule's protocol by name, "any" when it has none;
// numbers neutron accepts are read as the names they stand for.
func protocol(r secgroups.Rule) string {
	if r.Protocol == nil {
		return "any"
	}
	return NormalizeProtocol(*r.Protocol)
}

// NormalizeProtocol turns the ways neutron accepts a protocol into one
// name: "" and "any" → "any", "6" → "tcp", "icmpv6" and "58" →
// "ipv6-icmp".
func NormalizeProtocol(p string) string {
	p = strings.ToLower(strings.TrimSpace(p))
	switch p {
	case "", "any", "0":
		return "any"
	case "1":
		return "icmp"
	case "6":
		return "tcp"
	case "17":
		return "udp"
	case "132":
		return "sctp"
	case "33":
		return "dccp"
	case "136":
		return "udplite"
	case "58", "icmpv6":
		return "ipv6-icmp"
	}
	return p
}

// portRange is the rule's ports; ok is false when it has none, which for
// TCP or UDP is every port, as is 1-65535.
func portRange(r secgroups.Rule) (lo, hi int, ok bool) {
	if r.PortRangeMin == nil {
		return 0, 0, false
	}
	lo, hi = *r.PortRangeMin, *r.PortRangeMin
	if r.PortRangeMax != nil {
		hi = *r.PortRangeMax
	}
	if lo <= 1 && hi >= 65535 {
		return 0, 0, false
	}
	return lo, hi, true
}

// ParsePorts reads a port range as the openstack CLI and neutron write
// it: "22", "22:22", "8000:8080" or "8000-8080". hi is nil for a single
// number.
func ParsePorts(s string) (lo int, hi *int, err error) {
	s = strings.TrimSpace(s)
	a, b, two := strings.Cut(s, ":")
	if !two {
		a, b, two = strings.Cut(s, "-")
	}
	lo, err = port(a)
	if err != nil {
		return 0, nil, fmt.Errorf("port range %q: %w", s, err)
	}
	if !two {
		return lo, nil, nil
	}
	h, err := port(b)
	if err != nil {
		return 0, nil, fmt.Errorf("port range %q: %w", s, err)
	}
	if h < lo {
		return 0, nil, fmt.Errorf("port range %q: the first port is above the last", s)
	}
	return lo, &h, nil
}

func port(s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 0 || n > 65535 {
		return 0, fmt.Errorf("%q is not a port number (0-65535)", s)
	}
	return n, nil
}
