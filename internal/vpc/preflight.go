package vpc

import (
	"context"
	"fmt"
	"net/netip"
	"sort"
	"strings"

	"github.com/kriscelmer/os-tui/internal/netstate"
)

// Survey is what the preflight of /vpc create found.
type Survey struct {
	// External is the network the router's gateway goes on; zero when
	// none could be chosen (see Choices and Problems).
	External netstate.Network
	// Choices are the external networks to choose from when there are
	// several and none was named.
	Choices []netstate.Network
	// Problems each refuse the plan: a sentence saying why and what
	// would work.
	Problems []string
	// Notes are worth knowing and stop nothing.
	Notes []string
}

// Needs is what the create plan draws from the network quotas: a port
// for the router's interface and one for DHCP, and the rules Neutron
// gives a new group (egress IPv4 and IPv6) besides the plan's own.
func Needs(o Options) map[string]int {
	rules := 3
	if o.SSHFrom != "" {
		rules++
	}
	return map[string]int{
		"network": 1, "subnet": 1, "router": 1, "port": 2,
		"security_group": 1, "security_group_rule": rules,
	}
}

// Preflight reads the project and checks o (already through Check)
// against it. An error is a read that failed; what the cloud says no to
// is in Survey.Problems.
func Preflight(ctx context.Context, read netstate.Reader, o Options) (*Survey, error) {
	s := &Survey{}
	var (
		nets     []netstate.Network
		subnets  []netstate.Subnet
		routers  []netstate.Router
		ports    []netstate.Port
		groups   []string
		quotas   []netstate.Quota
		quotaErr error
	)
	wrap := func(what string, err error) error {
		if err != nil {
			return fmt.Errorf("read %s: %w", what, err)
		}
		return nil
	}
	err := netstate.Parallel(
		func() (err error) { nets, err = netstate.Networks(ctx, read, nil); return wrap("networks", err) },
		func() (err error) { subnets, err = netstate.Subnets(ctx, read, nil); return wrap("subnets", err) },
		func() (err error) { routers, err = netstate.Routers(ctx, read, nil); return wrap("routers", err) },
		func() (err error) { ports, err = netstate.Ports(ctx, read, nil); return wrap("ports", err) },
		func() (err error) {
			groups, err = groupsNamed(ctx, read, NamesFor(o.Name).Group)
			return wrap("security groups", err)
		},
		func() error { quotas, quotaErr = netstate.Quotas(ctx, read); return nil },
	)
	if err != nil {
		return nil, err
	}
	s.chooseExternal(nets, o.External)
	s.Problems = append(s.Problems, taken(o.Name, nets, subnets, routers, groups)...)
	s.overlaps(o, nets, subnets, routers, ports)
	if quotaErr != nil {
		// The gate counts quota per step as well; a report that cannot be
		// read here is no reason to stop.
		first, _, _ := strings.Cut(quotaErr.Error(), "\n")
		s.Notes = append(s.Notes, "quota not checked: "+first)
	} else {
		s.Problems = append(s.Problems, QuotaProblems(Needs(o), quotas)...)
	}
	return s, nil
}

// groupsNamed lists the security groups with exactly this name.
func groupsNamed(ctx context.Context, read netstate.Reader, name string) ([]string, error) {
	res, err := read(ctx, "security-group.list", map[string]any{"name": name})
	if err != nil {
		return nil, err
	}
	if res == nil || res.List == nil {
		return nil, fmt.Errorf("security-group.list returned no list")
	}
	var ids []string
	idCol := -1
	for i, c := range res.List.Columns {
		if c.Name == "ID" {
			idCol = i
		}
	}
	for _, row := range res.List.Rows {
		if idCol >= 0 && idCol < len(row) {
			ids = append(ids, fmt.Sprint(row[idCol]))
		}
	}
	return ids, nil
}

// chooseExternal picks the gateway's network: the one named, else the
// only external one.
func (s *Survey) chooseExternal(nets []netstate.Network, want string) {
	var ext []netstate.Network
	for _, n := range nets {
		if n.External {
			ext = append(ext, n)
		}
	}
	names := func() string {
		var out []string
		for _, n := range ext {
			out = append(out, n.Label())
		}
		return strings.Join(out, ", ")
	}
	if want != "" {
		var match []netstate.Network
		for _, n := range nets {
			if n.ID == want || n.Name == want {
				match = append(match, n)
			}
		}
		switch {
		case len(match) == 0:
			s.Problems = append(s.Problems, fmt.Sprintf("no network named %q; external networks: %s", want, orNone(names())))
		case len(match) > 1:
			s.Problems = append(s.Problems, fmt.Sprintf("%d networks are named %q; give the ID of the external one", len(match), want))
		case !match[0].External:
			s.Problems = append(s.Problems, fmt.Sprintf("network %s is not external: a router's gateway must be on an external network (%s)", want, orNone(names())))
		default:
			s.External = match[0]
		}
		return
	}
	switch len(ext) {
	case 0:
		s.Problems = append(s.Problems, "this cloud shows no external network, so the router would have no gateway and no floating IP could reach the VPC; ask the cloud's admin for one")
	case 1:
		s.External = ext[0]
	default:
		s.Choices = ext
		s.Problems = append(s.Problems, fmt.Sprintf("the cloud has %d external networks (%s); choose one with --external NAME", len(ext), names()))
	}
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// taken says which of the VPC's names are in use already: two networks
// of one name make every later command ambiguous, /vpc delete included.
func taken(name string, nets []netstate.Network, subnets []netstate.Subnet, routers []netstate.Router, groups []string) []string {
	n := NamesFor(name)
	var used []string
	for _, x := range nets {
		if x.Name == n.Network {
			used = append(used, "network "+n.Network)
			break
		}
	}
	for _, x := range subnets {
		if x.Name == n.Subnet {
			used = append(used, "subnet "+n.Subnet)
			break
		}
	}
	for _, x := range routers {
		if x.Name == n.Router {
			used = append(used, "router "+n.Router)
			break
		}
	}
	if len(groups) > 0 {
		used = append(used, "security group "+n.Group)
	}
	if len(used) == 0 {
		return nil
	}
	return []string{fmt.Sprintf("%s already exist%s; choose another VPC name, or remove the old one with /vpc delete %s",
		strings.Join(used, ", "), map[bool]string{true: "s", false: ""}[len(used) == 1], name)}
}

// overlaps refuses a range that overlaps a subnet some router of the
// project already routes, or the external network's own: the VPC could
// never be joined to it, and addresses would be ambiguous behind a
// floating IP. An overlap with an unrouted subnet is only a note.
func (s *Survey) overlaps(o Options, nets []netstate.Network, subnets []netstate.Subnet, routers []netstate.Router, ports []netstate.Port) {
	want, err := netip.ParsePrefix(o.CIDR)
	if err != nil {
		return
	}
	routed := map[string]bool{}
	for _, p := range ports {
		if !p.RouterInterface() {
			continue
		}
		for _, ip := range p.FixedIPs {
			routed[ip.SubnetID] = true
		}
	}
	external := map[string]bool{}
	for _, n := range nets {
		if n.External {
			external[n.ID] = true
		}
	}
	for _, r := range routers {
		if r.GatewayNetworkID != "" {
			external[r.GatewayNetworkID] = true
		}
	}
	var taken []netip.Prefix
	var hard, soft []string
	for _, sn := range subnets {
		p, err := netip.ParsePrefix(sn.CIDR)
		if err != nil {
			continue
		}
		taken = append(taken, p.Masked())
		if !p.Overlaps(want) {
			continue
		}
		switch {
		case external[sn.NetworkID]:
			hard = append(hard, fmt.Sprintf("subnet %s (%s) of external network %s", sn.Label(), sn.CIDR, netLabel(nets, sn.NetworkID)))
		case routed[sn.ID]:
			hard = append(hard, fmt.Sprintf("subnet %s (%s), which a router of the project routes", sn.Label(), sn.CIDR))
		default:
			soft = append(soft, fmt.Sprintf("%s (%s)", sn.Label(), sn.CIDR))
		}
	}
	if len(hard) > 0 {
		msg := fmt.Sprintf("%s overlaps %s", o.CIDR, strings.Join(hard, " and "))
		if free, ok := FreeRange(want, taken); ok {
			msg += fmt.Sprintf("; choose another range, e.g. --cidr %s", free)
		} else {
			msg += "; choose another range"
		}
		s.Problems = append(s.Problems, msg)
	}
	if len(soft) > 0 {
		s.Notes = append(s.Notes, fmt.Sprintf("%s overlaps subnet %s, which no router routes: the two can never be joined by a router", o.CIDR, strings.Join(soft, ", ")))
	}
}

func netLabel(nets []netstate.Network, id string) string {
	for _, n := range nets {
		if n.ID == id {
			return n.Label()
		}
	}
	return id
}

// FreeRange is the first range of want's size after want that overlaps
// none of taken, searching a bounded number of candidates.
func FreeRange(want netip.Prefix, taken []netip.Prefix) (netip.Prefix, bool) {
	p := want.Masked()
	for range 4096 {
		next, ok := nextPrefix(p)
		if !ok {
			return netip.Prefix{}, false
		}
		p = next
		free := true
		for _, t := range taken {
			if t.Overlaps(p) {
				free = false
				break
			}
		}
		if free {
			return p, true
		}
	}
	return netip.Prefix{}, false
}

// nextPrefix is the range of the same size right after p.
func nextPrefix(p netip.Prefix) (netip.Prefix, bool) {
	b := p.Addr().AsSlice()
	bits := p.Bits()
	// Add 1 at the last bit of the prefix, carrying to the left.
	i := (bits - 1) / 8
	inc := byte(1) << (7 - uint((bits-1)%8))
	for ; i >= 0; i-- {
		old := b[i]
		b[i] += inc
		if b[i] > old {
			break
		}
		inc = 1
	}
	if i < 0 {
		return netip.Prefix{}, false
	}
	a, _ := netip.AddrFromSlice(b)
	if p.Addr().Is4() {
		a = a.Unmap()
	}
	return netip.PrefixFrom(a, bits), true
}

// QuotaProblems says which network quotas lack room for needs.
func QuotaProblems(needs map[string]int, quotas []netstate.Quota) []string {
	var out []string
	keys := make([]string, 0, len(needs))
	for k := range needs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, q := range quotas {
			if q.Resource != k || q.Service != "network" || q.Limit < 0 {
				continue
			}
			if q.InUse+needs[k] > q.Limit {
				out = append(out, fmt.Sprintf("the %s quota has no room: %d in use + %d > limit %d; free some, or ask the cloud's admin to raise it",
					strings.ReplaceAll(k, "_", " "), q.InUse, needs[k], q.Limit))
			}
		}
	}
	return out
}
