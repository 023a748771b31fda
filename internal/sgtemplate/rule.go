package sgtemplate

import (
	"fmt"
	"net/netip"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/kriscelmer/os-tui/internal/secaudit"
	"github.com/kriscelmer/os-tui/tools/network/secgroups"
)

// Rule is a security group rule reduced to what decides the traffic it
// admits, written one way only, so that two rules admitting the same
// traffic have the same Key: protocol numbers become names, 1-65535 on
// TCP is no port range at all, 10.1.2.3/8 is 10.0.0.0/8, and no remote is
// 0.0.0.0/0 (or ::/0).
type Rule struct {
	Direction string // ingress or egress
	EtherType string // IPv4 or IPv6
	Protocol  string // "any", "tcp", "icmp", "ipv6-icmp", ...
	// Ports is "" (every port), "22:22" or "8000:8080"; for ICMP the
	// type and code: "8" or "8:0".
	Ports string
	// Remote is who the rule admits: an address range ("10.0.0.0/8"), a
	// security group ("group:ID") or an address group ("address-group:ID").
	Remote string
	// Description is kept for the rules a plan creates; it is not
	// compared.
	Description string
	// ID is the cloud's rule ID ("" for a template's rule).
	ID string
}

// Key is what two equal rules share.
func (r Rule) Key() string {
	return strings.Join([]string{r.Direction, r.EtherType, r.Protocol, r.Ports, r.Remote}, " ")
}

// String reads as "ingress IPv4 tcp 22 from 10.0.0.0/8".
func (r Rule) String() string {
	parts := []string{r.Direction, r.EtherType, r.Protocol}
	if r.Ports != "" {
		p := r.Ports
		if icmp(r.Protocol) {
			typ, code, two := strings.Cut(p, ":")
			p = "type " + typ
			if two {
				p += " code " + code
			}
		} else if lo, hi, _ := strings.Cut(p, ":"); lo == hi {
			p = lo
		} else {
			p = lo + "-" + hi
		}
		parts = append(parts, p)
	}
	dir := "from"
	if r.Direction == "egress" {
		dir = "to"
	}
	remote := r.Remote
	switch {
	case strings.HasPrefix(remote, groupPrefix):
		remote = "group " + strings.TrimPrefix(remote, groupPrefix)
	case strings.HasPrefix(remote, addressGroupPrefix):
		remote = "address group " + strings.TrimPrefix(remote, addressGroupPrefix)
	}
	parts = append(parts, dir, remote)
	if r.Description != "" {
		parts = append(parts, "("+r.Description+")")
	}
	return strings.Join(parts, " ")
}

// Describe is String with the remote group named: names maps group IDs
// (and NewGroupRef) to names; an ID it lacks is shown as it is.
func (r Rule) Describe(names map[string]string) string {
	if n := names[r.RemoteGroup()]; n != "" {
		r.Remote = groupPrefix + n
	}
	return r.String()
}

const (
	groupPrefix        = "group:"
	addressGroupPrefix = "address-group:"
)

// RemoteGroup is the ID of the group the rule admits, or "".
func (r Rule) RemoteGroup() string {
	id, _ := strings.CutPrefix(r.Remote, groupPrefix)
	if id == r.Remote {
		return ""
	}
	return id
}

func icmp(proto string) bool { return proto == "icmp" || proto == "ipv6-icmp" }

// hasPorts: the protocols whose rules take a port range.
func hasPorts(proto string) bool {
	switch proto {
	case "tcp", "udp", "sctp", "dccp", "udplite":
		return true
	}
	return false
}

// normalizeProtocol turns the ways neutron accepts a protocol into one
// name: "" and "any" → "any", "6" → "tcp", "icmpv6" and "58" →
// "ipv6-icmp".
func normalizeProtocol(p string) string {
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

// normalProtocol is normalizeProtocol's name, with IPv6's "icmp" read as
// the ipv6-icmp it means.
func normalProtocol(p, ethertype string) string {
	p = normalizeProtocol(p)
	if p == "icmp" && ethertype == "IPv6" {
		return "ipv6-icmp"
	}
	return p
}

// normalPorts writes a port range one way; lo < 0 is none.
func normalPorts(proto string, lo int, hi *int) string {
	if lo < 0 {
		return ""
	}
	if icmp(proto) {
		if hi == nil {
			return strconv.Itoa(lo)
		}
		return fmt.Sprintf("%d:%d", lo, *hi)
	}
	h := lo
	if hi != nil {
		h = *hi
	}
	if hasPorts(proto) && lo <= 1 && h >= 65535 {
		return ""
	}
	return fmt.Sprintf("%d:%d", lo, h)
}

// world is every address of an ethertype.
func world(ethertype string) string {
	if ethertype == "IPv6" {
		return "::/0"
	}
	return "0.0.0.0/0"
}

// FromCloud normalizes a rule as the cloud returns it.
func FromCloud(r secgroups.Rule) Rule {
	out := Rule{Direction: r.Direction, EtherType: r.EtherType, Description: r.Description, ID: r.ID}
	proto := ""
	if r.Protocol != nil {
		proto = *r.Protocol
	}
	out.Protocol = normalProtocol(proto, r.EtherType)
	lo := -1
	if r.PortRangeMin != nil {
		lo = *r.PortRangeMin
	}
	out.Ports = normalPorts(out.Protocol, lo, r.PortRangeMax)
	switch {
	case r.RemoteGroupID != nil && *r.RemoteGroupID != "":
		out.Remote = groupPrefix + *r.RemoteGroupID
	case r.RemoteAddressGroupID != nil && *r.RemoteAddressGroupID != "":
		out.Remote = addressGroupPrefix + *r.RemoteAddressGroupID
	case r.RemoteIPPrefix != nil && *r.RemoteIPPrefix != "":
		if p, err := prefix(*r.RemoteIPPrefix); err == nil {
			out.Remote = p.String()
		} else {
			out.Remote = *r.RemoteIPPrefix
		}
	default:
		out.Remote = world(r.EtherType)
	}
	return out
}

// prefix reads an address range, a lone address being its own /32 or
// /128, and masks it ("10.1.2.3/8" is 10.0.0.0/8) as neutron does.
func prefix(s string) (netip.Prefix, error) {
	s = strings.TrimSpace(s)
	if !strings.Contains(s, "/") {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return netip.Prefix{}, err
		}
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	return p.Masked(), nil
}

// Self is what a template's remote "self" stands for: the group itself.
const Self = "self"

// Resolver finds a security group's ID by name or ID.
type Resolver func(nameOrID string) (string, error)

// Instantiate fills the template's parameters and turns its rules into
// normalized rules. selfID is the group's own ID (or a plan reference to
// the step creating it); resolve finds groups named as a remote.
func (t *Template) Instantiate(params map[string]string, selfID string, resolve Resolver) ([]Rule, error) {
	values, err := t.values(params)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []Rule
	for i, spec := range t.Rules {
		r, err := spec.rule(values, selfID, resolve)
		if err != nil {
			return nil, fmt.Errorf("template %s, rule %d: %w", t.Name, i+1, err)
		}
		if !seen[r.Key()] {
			seen[r.Key()] = true
			out = append(out, r)
		}
	}
	return out, nil
}

// values are the parameters given, with defaults for the rest; a
// parameter unknown to the template or missing without a default is an
// error that says what to type.
func (t *Template) values(params map[string]string) (map[string]string, error) {
	var unknown []string
	for k := range params {
		if _, ok := t.Params[k]; !ok {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		takes := "no parameters"
		if names := t.ParamNames(); len(names) > 0 {
			takes = "only " + strings.Join(names, ", ")
		}
		return nil, fmt.Errorf("template %s has no parameter %s (it takes %s)", t.Name, strings.Join(unknown, ", "), takes)
	}
	out := map[string]string{}
	var missing []string
	for _, name := range t.ParamNames() {
		p := t.Params[name]
		switch v, ok := params[name]; {
		case ok:
			out[name] = v
		case p.Default != nil:
			out[name] = *p.Default
		default:
			m := "--param " + name + "=VALUE"
			if p.Description != "" {
				m += " (" + p.Description + ")"
			}
			missing = append(missing, m)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("template %s needs %s", t.Name, strings.Join(missing, " and "))
	}
	return out, nil
}

func fill(s string, values map[string]string) string {
	return paramRef().ReplaceAllStringFunc(s, func(m string) string {
		return values[m[2:len(m)-1]]
	})
}

var portsShape = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\s*[0-9]+\s*([:-]\s*[0-9]+\s*)?$`) })

func (spec RuleSpec) rule(values map[string]string, selfID string, resolve Resolver) (Rule, error) {
	r := Rule{Direction: spec.Direction, EtherType: spec.EtherType, Description: fill(spec.Description, values)}
	if r.Direction == "" {
		r.Direction = "ingress"
	}
	remote := strings.TrimSpace(fill(spec.Remote, values))
	// The remote decides the family when it is an address range.
	var pfx netip.Prefix
	isPrefix := false
	if remote != "" && remote != Self {
		if p, err := prefix(remote); err == nil {
			pfx, isPrefix = p, true
			family := "IPv4"
			if p.Addr().Is6() {
				family = "IPv6"
			}
			switch {
			case r.EtherType == "":
				r.EtherType = family
			case r.EtherType != family:
				return Rule{}, fmt.Errorf("remote %s is an %s range but the rule says ethertype %s", remote, family, r.EtherType)
			}
		} else if strings.ContainsAny(remote, "/:") || looksLikeAddress(remote) {
			return Rule{}, fmt.Errorf("remote %q is not an address range (e.g. 10.0.0.0/8): %w", remote, err)
		}
	}
	if r.EtherType == "" {
		r.EtherType = "IPv4"
	}
	r.Protocol = normalProtocol(spec.Protocol, r.EtherType)
	if r.Protocol == "ipv6-icmp" && r.EtherType == "IPv4" {
		return Rule{}, fmt.Errorf("protocol %s is for IPv6, but the rule is IPv4", spec.Protocol)
	}
	if spec.Ports != nil {
		ports := fill(fmt.Sprint(spec.Ports), values)
		if f, ok := spec.Ports.(float64); ok {
			ports = strconv.Itoa(int(f))
		}
		if !hasPorts(r.Protocol) {
			return Rule{}, fmt.Errorf("protocol %s takes no ports (ports %s); use tcp or udp, or leave ports out", r.Protocol, ports)
		}
		if !portsShape().MatchString(ports) {
			return Rule{}, fmt.Errorf("ports %q: write a port (22) or a range (8000:8080)", ports)
		}
		lo, hi, err := secaudit.ParsePorts(ports)
		if err != nil {
			return Rule{}, err
		}
		if lo < 1 {
			return Rule{}, fmt.Errorf("ports %q: ports start at 1", ports)
		}
		r.Ports = normalPorts(r.Protocol, lo, hi)
	}
	switch {
	case remote == "":
		r.Remote = world(r.EtherType)
	case remote == Self:
		if selfID == "" {
			return Rule{}, fmt.Errorf("remote self needs the group")
		}
		r.Remote = groupPrefix + selfID
	case isPrefix:
		r.Remote = pfx.String()
	default:
		if resolve == nil {
			return Rule{}, fmt.Errorf("remote %s names a security group, which cannot be looked up here", remote)
		}
		id, err := resolve(remote)
		if err != nil {
			return Rule{}, fmt.Errorf("remote %s: %w", remote, err)
		}
		r.Remote = groupPrefix + id
	}
	return r, nil
}

// looksLikeAddress: digits and dots only, a mistyped address rather than
// a group name.
func looksLikeAddress(s string) bool {
	return strings.Trim(s, "0123456789.") == "" && strings.Contains(s, ".")
}

// Diff is what would make a group match a template.
type Diff struct {
	// Add are the template's rules the group lacks.
	Add []Rule
	// Remove are the group's rules, in the directions the template
	// manages, that the template does not list.
	Remove []Rule
	// Keep are the group's rules the template lists.
	Keep []Rule
	// Unmanaged counts the group's rules in directions the template leaves
	// alone.
	Unmanaged int
}

// Empty reports a group that already matches.
func (d Diff) Empty() bool { return len(d.Add) == 0 && len(d.Remove) == 0 }

// Compare finds the rules to add and remove so that the group's rules in
// the directions manages lists are exactly want.
func Compare(want, have []Rule, manages []string) Diff {
	managed := map[string]bool{}
	for _, m := range manages {
		managed[m] = true
	}
	wanted := map[string]bool{}
	for _, w := range want {
		wanted[w.Key()] = true
	}
	present := map[string]bool{}
	var d Diff
	for _, h := range have {
		switch {
		case wanted[h.Key()] && !present[h.Key()]:
			present[h.Key()] = true
			d.Keep = append(d.Keep, h)
		case !managed[h.Direction]:
			d.Unmanaged++
		default:
			d.Remove = append(d.Remove, h)
		}
	}
	for _, w := range want {
		if !present[w.Key()] {
			d.Add = append(d.Add, w)
		}
	}
	order := func(rs []Rule) { sort.SliceStable(rs, func(i, j int) bool { return less(rs[i], rs[j]) }) }
	order(d.Add)
	order(d.Remove)
	order(d.Keep)
	return d
}

// less orders rules as people read them: ingress first, IPv4 before
// IPv6, then by protocol, first port (as a number) and remote.
func less(a, b Rule) bool {
	if a.Direction != b.Direction {
		return a.Direction > b.Direction
	}
	if a.EtherType != b.EtherType {
		return a.EtherType < b.EtherType
	}
	if a.Protocol != b.Protocol {
		return a.Protocol < b.Protocol
	}
	if pa, pb := firstPort(a.Ports), firstPort(b.Ports); pa != pb {
		return pa < pb
	}
	if a.Ports != b.Ports {
		return a.Ports < b.Ports
	}
	return a.Remote < b.Remote
}

func firstPort(ports string) int {
	lo, _, _ := strings.Cut(ports, ":")
	n, err := strconv.Atoi(lo)
	if err != nil {
		return -1
	}
	return n
}

// DefaultRules are the rules neutron gives a new group: all traffic out,
// IPv4 and IPv6.
func DefaultRules() []Rule {
	return []Rule{
		{Direction: "egress", EtherType: "IPv4", Protocol: "any", Remote: world("IPv4")},
		{Direction: "egress", EtherType: "IPv6", Protocol: "any", Remote: world("IPv6")},
	}
}
