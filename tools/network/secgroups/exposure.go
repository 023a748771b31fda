package secgroups

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// Exposure lists what an ingress rule opens to the whole internet: each
// well-known service whose port the rule admits from 0.0.0.0/0 or ::/0
// (or from no remote at all, which Neutron reads as everywhere), every
// port at once (no protocol, or a port-carrying protocol without ports),
// or a range wider than WideRange ports. It is the one definition of a
// dangerous rule: security-group.rule.create refuses a rule with any Risk
// unless forced, and the security audit grades existing groups by it.
//
// A rule limited to a narrower prefix or to a remote group, an egress
// rule, or a protocol without ports (icmp) yields no Risk: those are
// ordinary. The result is nil for a safe rule and is ordered as the rule
// reads: "all ports" or the wide range first, then services by port.
func Exposure(rule Rule) []Risk {
	if rule.Direction != "ingress" {
		return nil
	}
	remote, ok := worldRemote(rule)
	if !ok {
		return nil
	}
	proto := normalProtocol(rule.Protocol)
	lo, hi, all := portSpan(proto, rule.PortRangeMin, rule.PortRangeMax)
	if !all && lo == 0 && hi == 0 {
		// A protocol without ports (icmp, gre, ...): nothing listens on
		// a port there.
		return nil
	}
	if all {
		what := "every " + proto + " port"
		if proto == "any" {
			what = "every protocol and port"
		}
		return []Risk{{
			Service:  "all ports",
			Protocol: proto,
			Port:     "1-65535",
			Remote:   remote,
			Severity: Critical,
			Why:      what + " is reachable from anywhere, SSH, RDP, databases and the Docker API included",
		}}
	}
	var out []Risk
	if width := hi - lo + 1; width > WideRange {
		out = append(out, Risk{
			Service:  "wide port range",
			Protocol: proto,
			Port:     fmt.Sprintf("%d-%d", lo, hi),
			Remote:   remote,
			Severity: Medium,
			Why:      fmt.Sprintf("%d ports are reachable from anywhere; open only the ports a service listens on", width),
		})
	}
	for _, s := range ExposedServices {
		if !s.carries(proto) || s.High < lo || s.Low > hi {
			continue
		}
		out = append(out, Risk{
			Service:  s.Name,
			Protocol: proto,
			Port:     s.PortText(),
			Remote:   remote,
			Severity: s.Severity,
			Why:      s.Why,
		})
	}
	return out
}

// WideRange is the widest port range a rule may open to the world
// without being a Risk: more than this is rarely one service.
const WideRange = 100

// Risk is one way a rule exposes something to the whole internet.
type Risk struct {
	// Service is what is exposed: "SSH", "MySQL", "all ports",
	// "wide port range".
	Service string
	// Protocol is "tcp", "udp", "any" ...
	Protocol string
	// Port is the exposed port or range: "22", "5900-5910", "1-65535".
	Port string
	// Remote is the world prefix the rule admits: "0.0.0.0/0" or "::/0".
	Remote string
	// Severity grades the exposure of a group that ports use; the audit
	// lowers it for a group nothing uses.
	Severity Severity
	// Why is one clause on what an attacker could do.
	Why string
}

// String reads as a finding: "SSH (tcp 22) open to 0.0.0.0/0: …".
func (r Risk) String() string {
	return fmt.Sprintf("%s (%s %s) open to %s: %s", r.Service, r.Protocol, r.Port, r.Remote, r.Why)
}

// Severity grades a Risk.
type Severity int

const (
	// Low is a risk of a group nothing uses, or a minor one.
	Low Severity = iota
	// Medium is a broad opening without a known service behind it.
	Medium
	// High is a service that authenticates but is a common target
	// (SSH, RDP, a database with passwords).
	High
	// Critical is a service often run without authentication (Redis,
	// the Docker API), or every port at once.
	Critical
)

// String returns "low", "medium", "high" or "critical".
func (s Severity) String() string {
	switch s {
	case Medium:
		return "medium"
	case High:
		return "high"
	case Critical:
		return "critical"
	}
	return "low"
}

// Lower is one step less severe, never below Low: the audit's grade for
// a group that no port uses yet.
func (s Severity) Lower() Severity { return max(s-1, Low) }

// Service is a well-known service whose port must not face the internet.
type Service struct {
	Name      string
	Protocols []string // "tcp", "udp"
	Low, High int      // the port, or an inclusive range
	Severity  Severity
	Why       string
}

// PortText is "22" or "5900-5910".
func (s Service) PortText() string {
	if s.Low == s.High {
		return strconv.Itoa(s.Low)
	}
	return fmt.Sprintf("%d-%d", s.Low, s.High)
}

func (s Service) carries(proto string) bool {
	for _, p := range s.Protocols {
		if p == proto {
			return true
		}
	}
	return false
}

// ExposedServices are the ports Exposure names, ordered by port.
var ExposedServices = []Service{
	{"SSH", []string{"tcp"}, 22, 22, High, "password guessing and exploits reach the login"},
	{"Telnet", []string{"tcp"}, 23, 23, Critical, "logins cross the internet in clear text"},
	{"SMB (NetBIOS)", []string{"tcp"}, 139, 139, Critical, "file sharing is a frequent target of worms and ransomware"},
	{"SMB", []string{"tcp"}, 445, 445, Critical, "file sharing is a frequent target of worms and ransomware"},
	{"MSSQL", []string{"tcp"}, 1433, 1433, High, "the database login faces password guessing"},
	{"Docker API", []string{"tcp"}, 2375, 2376, Critical, "whoever reaches the Docker API controls the host"},
	{"MySQL", []string{"tcp"}, 3306, 3306, High, "the database login faces password guessing"},
	{"RDP", []string{"tcp", "udp"}, 3389, 3389, High, "remote desktop is a frequent target of password guessing and exploits"},
	{"PostgreSQL", []string{"tcp"}, 5432, 5432, High, "the database login faces password guessing"},
	{"VNC", []string{"tcp"}, 5900, 5910, High, "remote desktops often have weak or no passwords"},
	{"Redis", []string{"tcp"}, 6379, 6379, Critical, "Redis often runs without a password; anyone could read or overwrite its data"},
	{"Elasticsearch", []string{"tcp"}, 9200, 9200, Critical, "Elasticsearch often runs without authentication; anyone could read its indices"},
	{"Elasticsearch transport", []string{"tcp"}, 9300, 9300, Critical, "the cluster transport has no authentication by default"},
	{"Memcached", []string{"tcp", "udp"}, 11211, 11211, Critical, "Memcached has no authentication and is abused for traffic amplification"},
	{"MongoDB", []string{"tcp"}, 27017, 27017, Critical, "MongoDB often runs without authentication; anyone could read its data"},
}

// IsWorld reports whether a remote prefix is the whole internet: a prefix
// of length 0 ("0.0.0.0/0", "::/0"). A narrower prefix, however broad, is
// a choice someone made.
func IsWorld(cidr string) bool {
	p, err := netip.ParsePrefix(strings.TrimSpace(cidr))
	return err == nil && p.Bits() == 0
}

// worldRemote returns the world prefix a rule admits, if it does.
func worldRemote(r Rule) (string, bool) {
	if r.RemoteGroupID != nil && *r.RemoteGroupID != "" || r.RemoteAddressGroupID != nil && *r.RemoteAddressGroupID != "" {
		return "", false
	}
	if r.RemoteIPPrefix == nil || *r.RemoteIPPrefix == "" {
		// No remote at all: Neutron matches every address.
		if r.EtherType == "IPv6" {
			return "::/0", true
		}
		return "0.0.0.0/0", true
	}
	if IsWorld(*r.RemoteIPPrefix) {
		return *r.RemoteIPPrefix, true
	}
	return "", false
}

// protocolNames maps the IP protocol numbers Neutron accepts for the
// names a rule may use, so "6" and "tcp" are judged alike.
var protocolNames = map[string]string{"6": "tcp", "17": "udp", "132": "sctp", "33": "dccp", "136": "udplite", "1": "icmp", "58": "ipv6-icmp"}

// normalProtocol is the rule's protocol as a lower-case name; "any" for
// a rule without one.
func normalProtocol(p *string) string {
	if p == nil || *p == "" {
		return "any"
	}
	s := strings.ToLower(*p)
	if n, ok := protocolNames[s]; ok {
		return n
	}
	if s == "icmpv6" {
		return "ipv6-icmp"
	}
	return s
}

// PortProtocol reports whether Neutron accepts a port range for the
// protocol (a name or a number); for icmp the "ports" are type and code.
func PortProtocol(proto string) bool {
	switch normalProtocol(&proto) {
	case "tcp", "udp", "sctp", "dccp", "udplite":
		return true
	}
	return false
}

// portSpan is the range a rule admits for proto. all is true when it
// admits every port (no protocol, or a port protocol without a range);
// lo and hi are 0 for a protocol that has no ports.
func portSpan(proto string, first, last *int) (lo, hi int, all bool) {
	if proto == "any" {
		return 0, 0, true
	}
	if !PortProtocol(proto) {
		return 0, 0, false
	}
	switch {
	case first == nil && last == nil:
		return 1, 65535, true
	case first == nil:
		lo, hi = 1, *last
	case last == nil:
		lo, hi = *first, *first
	default:
		lo, hi = *first, *last
	}
	if lo <= 1 && hi >= 65535 {
		return 1, 65535, true
	}
	return lo, hi, false
}
