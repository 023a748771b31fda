package subnets

// The address rules a subnet's preflight applies before Neutron sees a
// request: each returns a sentence that says what is wrong and what would
// work, or "" when the value is fine. Neutron's own rules are followed
// (neutron.ipam.utils and the subnet validators): a pool lies within the
// subnet minus its network address (and, for IPv4, its broadcast
// address), the gateway is none of those and outside every pool.

import (
	"fmt"
	"net/netip"
	"strings"
)

// ParseCIDR reads a subnet range. A range with host bits set is refused
// as Neutron refuses it, naming the range that was probably meant.
func ParseCIDR(s string) (netip.Prefix, string) {
	p, err := netip.ParsePrefix(strings.TrimSpace(s))
	if err != nil {
		return netip.Prefix{}, fmt.Sprintf("%q is not a subnet range; write one like 10.0.0.0/24 or fd00:1::/64", s)
	}
	if p.Addr().Is4In6() {
		return netip.Prefix{}, fmt.Sprintf("%q is an IPv4-mapped IPv6 range; write the IPv4 range itself", s)
	}
	if p.Masked() != p {
		return netip.Prefix{}, fmt.Sprintf("%s has host bits set; the range it lies in is %s (use --subnet-range %s)", s, p.Masked(), p.Masked())
	}
	return p, ""
}

// Version is 4 or 6.
func Version(p netip.Prefix) int {
	if p.Addr().Is4() {
		return 4
	}
	return 6
}

// last returns the last address of p.
func last(p netip.Prefix) netip.Addr {
	b := p.Addr().AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 1 << (7 - uint(i%8))
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

// hostRange is the first and last address Neutron hands out in p: after
// the network address, and (IPv4) before the broadcast address.
func hostRange(p netip.Prefix) (first, lastHost netip.Addr, ok bool) {
	first = p.Addr().Next()
	lastHost = last(p)
	if Version(p) == 4 {
		lastHost = lastHost.Prev()
	}
	if !first.IsValid() || !lastHost.IsValid() || lastHost.Less(first) {
		return first, lastHost, false
	}
	return first, lastHost, true
}

// DefaultGateway is the gateway Neutron picks when none is given: the
// first address after the network address.
func DefaultGateway(p netip.Prefix) netip.Addr { return p.Addr().Next() }

// usable counts the addresses of p Neutron can hand out, capped so that
// IPv6 sizes fit.
func usable(p netip.Prefix) uint64 {
	host := p.Addr().BitLen() - p.Bits()
	if host >= 63 {
		return 1 << 63
	}
	n := uint64(1) << uint(host)
	if Version(p) == 4 {
		if n <= 2 {
			return 0
		}
		return n - 2
	}
	return n - 1
}

// SizeProblem warns of a range too small to be of use.
func SizeProblem(p netip.Prefix) string {
	switch n := usable(p); {
	case n == 0:
		return fmt.Sprintf("%s leaves no address for servers; use a /29 or larger (for example %s)", p, widen(p, 29))
	case n < 4:
		return fmt.Sprintf("%s leaves %d address(es), one of them for the gateway; use a /29 or larger unless that is enough", p, n)
	}
	return ""
}

func widen(p netip.Prefix, bits int) netip.Prefix {
	w, _ := p.Addr().Prefix(bits)
	return w
}

// AddrPool is an allocation pool as addresses.
type AddrPool struct{ Start, End netip.Addr }

func (p AddrPool) String() string { return p.Start.String() + "-" + p.End.String() }

func (p AddrPool) contains(a netip.Addr) bool { return !a.Less(p.Start) && !p.End.Less(a) }

func (p AddrPool) overlaps(q AddrPool) bool { return !p.End.Less(q.Start) && !q.End.Less(p.Start) }

// ParsePool reads a pool written "START-END" or the openstack way,
// "start=START,end=END".
func ParsePool(s string) (AddrPool, string) {
	var start, end string
	if strings.Contains(s, "=") {
		for _, part := range strings.Split(s, ",") {
			k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
			switch strings.TrimSpace(k) {
			case "start":
				start = strings.TrimSpace(v)
			case "end":
				end = strings.TrimSpace(v)
			default:
				return AddrPool{}, fmt.Sprintf("allocation pool %q: %q is neither start nor end; write start=10.0.0.10,end=10.0.0.99 or 10.0.0.10-10.0.0.99", s, k)
			}
		}
	} else {
		start, end, _ = strings.Cut(s, "-")
	}
	a, errA := netip.ParseAddr(strings.TrimSpace(start))
	b, errB := netip.ParseAddr(strings.TrimSpace(end))
	if errA != nil || errB != nil {
		return AddrPool{}, fmt.Sprintf("allocation pool %q is not two addresses; write 10.0.0.10-10.0.0.99 or start=10.0.0.10,end=10.0.0.99", s)
	}
	if a.Is4() != b.Is4() {
		return AddrPool{}, fmt.Sprintf("allocation pool %s mixes IPv4 and IPv6", s)
	}
	if b.Less(a) {
		return AddrPool{}, fmt.Sprintf("allocation pool %s starts after it ends; write it %s-%s", s, b, a)
	}
	return AddrPool{Start: a, End: b}, ""
}

// PoolProblems checks pools against the subnet range and one another.
func PoolProblems(p netip.Prefix, pools []AddrPool) []string {
	var out []string
	first, lastHost, ok := hostRange(p)
	for i, pl := range pools {
		switch {
		case pl.Start.Is4() != p.Addr().Is4():
			out = append(out, fmt.Sprintf("allocation pool %s is not IPv%d like %s", pl, Version(p), p))
			continue
		case !ok || pl.Start.Less(first) || lastHost.Less(pl.End):
			out = append(out, fmt.Sprintf("allocation pool %s is not inside %s; pools lie within %s-%s", pl, p, first, lastHost))
		}
		for _, q := range pools[:i] {
			if pl.overlaps(q) {
				out = append(out, fmt.Sprintf("allocation pools %s and %s overlap; make them disjoint or merge them into one", q, pl))
			}
		}
	}
	return out
}

// GatewayProblem checks a gateway address against the range and pools.
func GatewayProblem(p netip.Prefix, gw netip.Addr, pools []AddrPool) string {
	switch {
	case gw.Is4() != p.Addr().Is4():
		return fmt.Sprintf("gateway %s is not IPv%d like %s", gw, Version(p), p)
	case !p.Contains(gw):
		return fmt.Sprintf("gateway %s is outside %s; give an address inside it (for example %s), auto, or none", gw, p, DefaultGateway(p))
	case gw == p.Addr():
		return fmt.Sprintf("gateway %s is the network address of %s; give a host address such as %s", gw, p, DefaultGateway(p))
	case Version(p) == 4 && gw == last(p):
		return fmt.Sprintf("gateway %s is the broadcast address of %s; give a host address such as %s", gw, p, DefaultGateway(p))
	}
	for _, pl := range pools {
		if pl.contains(gw) {
			return fmt.Sprintf("gateway %s lies inside allocation pool %s, so Neutron could hand it to a server; start the pool after it or pick another gateway", gw, pl)
		}
	}
	return ""
}

// HostRoute is a host route as addresses.
type HostRoute struct {
	Destination netip.Prefix
	NextHop     netip.Addr
}

// String writes the route the way the openstack CLI takes it.
func (r HostRoute) String() string {
	return "destination=" + r.Destination.String() + ",gateway=" + r.NextHop.String()
}

// ParseRoute reads a host route written the openstack way,
// "destination=CIDR,gateway=IP" (nexthop= is taken too).
func ParseRoute(s string) (HostRoute, string) {
	var dst, hop string
	for _, part := range strings.Split(s, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch strings.TrimSpace(k) {
		case "destination":
			dst = strings.TrimSpace(v)
		case "gateway", "nexthop":
			hop = strings.TrimSpace(v)
		default:
			return HostRoute{}, fmt.Sprintf("host route %q: write it destination=CIDR,gateway=IP", s)
		}
	}
	d, err := netip.ParsePrefix(dst)
	if err != nil {
		return HostRoute{}, fmt.Sprintf("host route %q: destination %q is not a range like 192.168.0.0/16", s, dst)
	}
	h, err := netip.ParseAddr(hop)
	if err != nil {
		return HostRoute{}, fmt.Sprintf("host route %q: gateway %q is not an address", s, hop)
	}
	if d.Addr().Is4() != h.Is4() {
		return HostRoute{}, fmt.Sprintf("host route %q mixes IPv4 and IPv6", s)
	}
	return HostRoute{Destination: d.Masked(), NextHop: h}, ""
}

// NameserverProblems checks DNS servers: addresses, each once.
func NameserverProblems(servers []string) []string {
	var out []string
	seen := map[netip.Addr]bool{}
	for _, s := range servers {
		a, err := netip.ParseAddr(s)
		if err != nil {
			out = append(out, fmt.Sprintf("DNS server %q is not an IP address", s))
			continue
		}
		if seen[a] {
			out = append(out, fmt.Sprintf("DNS server %s is listed twice; Neutron refuses duplicates", s))
		}
		seen[a] = true
	}
	return out
}

// FreeRange proposes a range of want's size that overlaps none of taken:
// the next free block after want, looking at most a few thousand blocks
// ahead. ok is false when none is found.
func FreeRange(want netip.Prefix, taken []netip.Prefix) (netip.Prefix, bool) {
	cur := want.Masked()
	for range 4096 {
		clash := false
		for _, t := range taken {
			if t.Overlaps(cur) {
				clash = true
				break
			}
		}
		if !clash {
			return cur, true
		}
		next := last(cur).Next()
		if !next.IsValid() || next.Is4() != cur.Addr().Is4() {
			return netip.Prefix{}, false
		}
		cur = netip.PrefixFrom(next, cur.Bits())
	}
	return netip.Prefix{}, false
}
