package loadbalancers

import (
	"context"
	"fmt"
	"net/netip"
	"regexp"
	"strings"

	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/servers"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/ports"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/subnets"

	"github.com/kriscelmer/os-tui/tools"
	lb "github.com/kriscelmer/os-tui/tools/loadbalancer"
	"github.com/kriscelmer/os-tui/tools/network"
)

// The tools the wizard's plan calls, by name: the tools live in their own
// packages, and a plan names tools, so none is imported.
const (
	toolListener = "loadbalancer.listener.create"
	toolPool     = "loadbalancer.pool.create"
	toolMember   = "loadbalancer.member.create"
	toolMonitor  = "loadbalancer.healthmonitor.create"
)

// poolProtocol is the protocol of the pool behind a listener: a TLS
// listener terminates TLS and speaks HTTP to its members.
func poolProtocol(listener string) string {
	if listener == "TERMINATED_HTTPS" {
		return "HTTP"
	}
	return listener
}

// Monitor is a parsed --monitor: TYPE or TYPE:/path.
type Monitor struct {
	Type    string
	URLPath string
}

// ParseMonitor reads "HTTP:/health", "TCP", "PING" or "HTTPS:/status".
func ParseMonitor(s string) (Monitor, error) {
	typ, path, hasPath := strings.Cut(strings.TrimSpace(s), ":")
	m := Monitor{Type: strings.ToUpper(typ)}
	switch m.Type {
	case "HTTP", "HTTPS":
		m.URLPath = "/"
		if hasPath {
			if !strings.HasPrefix(path, "/") {
				return m, fmt.Errorf("--monitor %s: the path must start with / (HTTP:/health)", s)
			}
			m.URLPath = path
		}
	case "TCP", "PING", "TLS-HELLO", "UDP-CONNECT", "SCTP":
		if hasPath {
			return m, fmt.Errorf("--monitor %s: only HTTP and HTTPS monitors take a path", s)
		}
	default:
		return m, fmt.Errorf("--monitor %s: the type is one of HTTP, HTTPS, TCP, PING, TLS-HELLO, UDP-CONNECT (HTTP:/health checks that path)", s)
	}
	return m, nil
}

// member is one back end of the wizard: its address, the subnet the
// load balancer reaches it on, and a name.
type member struct {
	Name, Address, Subnet string
}

// expand turns /loadbalancer create NAME --subnet S --protocol HTTP
// --port 80 --members web-1,web-2 --monitor HTTP:/health into one plan:
// the load balancer, its listener, a pool, a member per server or
// address, and a health monitor. Each step is a tool of its own, with
// its own preflight; the executor waits for the load balancer to be
// ACTIVE after each, and a failure part-way offers the undo (deleting
// the load balancer with everything on it).
func expand(ctx context.Context, env *tools.Env, args CreateArgs) ([]tools.Step, error) {
	if !args.wizard() {
		return nil, nil
	}
	if args.Protocol == "" {
		args.Protocol = "HTTP"
	}
	if args.Port == 0 {
		switch args.Protocol {
		case "HTTP":
			args.Port = 80
		case "HTTPS", "TERMINATED_HTTPS":
			args.Port = 443
		default:
			return nil, fmt.Errorf("--port is needed with --protocol %s", args.Protocol)
		}
	}
	if args.MemberPort == 0 {
		args.MemberPort = args.Port
		if args.Protocol == "TERMINATED_HTTPS" {
			args.MemberPort = 80
		}
	}
	if args.Algorithm == "" {
		args.Algorithm = "ROUND_ROBIN"
	}
	var mon *Monitor
	if args.Monitor != "" {
		m, err := ParseMonitor(args.Monitor)
		if err != nil {
			return nil, err
		}
		mon = &m
	}
	sub, err := findSubnet(ctx, env, args.Subnet)
	if err != nil {
		return nil, err
	}
	var ms []member
	for _, item := range args.Members {
		for _, ref := range strings.Split(item, ",") {
			if ref = strings.TrimSpace(ref); ref == "" {
				continue
			}
			m, err := resolveMember(ctx, env, ref, sub)
			if err != nil {
				return nil, err
			}
			ms = append(ms, m)
		}
	}
	steps := []tools.Step{{ID: "lb", Tool: "loadbalancer.create",
		Args: tools.JSON(CreateArgs{Name: args.Name, Subnet: sub.ID, VipAddress: args.VipAddress, Description: args.Description, Provider: args.Provider}),
		Why:  fmt.Sprintf("the load balancer, its VIP on %s", lb.Label(sub.Name, sub.ID))}}
	listener := map[string]any{"loadbalancer": "${lb.id}", "name": args.Name + "-listener", "protocol": args.Protocol, "protocol_port": args.Port}
	if args.Cert != "" {
		listener["cert"] = args.Cert
	}
	if args.Key != "" {
		listener["key"] = args.Key
	}
	if args.TLSContainer != "" {
		listener["tls_container"] = args.TLSContainer
	}
	steps = append(steps, tools.Step{ID: "listener", Tool: toolListener, Args: tools.JSON(listener),
		Why: fmt.Sprintf("accept %s on port %d", args.Protocol, args.Port)})
	steps = append(steps, tools.Step{ID: "pool", Tool: toolPool, Args: tools.JSON(map[string]any{
		"listener": "${listener.id}", "name": args.Name + "-pool", "protocol": poolProtocol(args.Protocol), "lb_algorithm": args.Algorithm,
	}), Why: fmt.Sprintf("the listener's default pool (%s)", args.Algorithm)})
	for i, m := range ms {
		a := map[string]any{"pool": "${pool.id}", "address": m.Address, "protocol_port": args.MemberPort}
		if m.Name != "" {
			a["name"] = m.Name
		}
		if m.Subnet != "" {
			a["subnet"] = m.Subnet
		}
		steps = append(steps, tools.Step{ID: fmt.Sprintf("member%d", i+1), Tool: toolMember, Args: tools.JSON(a),
			Why: fmt.Sprintf("back end %s at %s:%d", lb.Label(m.Name, m.Address), m.Address, args.MemberPort)})
	}
	if mon != nil {
		a := map[string]any{"pool": "${pool.id}", "type": mon.Type, "delay": 5, "timeout": 3, "max_retries": 3, "name": args.Name + "-monitor"}
		if mon.URLPath != "" {
			a["url_path"] = mon.URLPath
		}
		steps = append(steps, tools.Step{ID: "monitor", Tool: toolMonitor, Args: tools.JSON(a), Why: "check the members' health: " + args.Monitor})
	}
	return steps, nil
}

// resolveMember turns a member reference into an address: an IP address
// as it is (on the VIP subnet when it lies in its range), or a server's
// address — the one on the VIP subnet if it has one, else its first.
func resolveMember(ctx context.Context, env *tools.Env, ref string, vip *subnets.Subnet) (member, error) {
	if a, err := netip.ParseAddr(ref); err == nil {
		m := member{Address: a.String()}
		if inSubnet(m.Address, vip) == "" {
			m.Subnet = vip.ID
		}
		return m, nil
	}
	cc, err := env.Clients.ServiceClient(ctx, "compute")
	if err != nil {
		return member{}, err
	}
	page, err := servers.List(cc, servers.ListOpts{Name: "^" + regexp.QuoteMeta(ref) + "$"}).AllPages(ctx)
	if err != nil {
		return member{}, fmt.Errorf("find server %s: %w", ref, err)
	}
	all, err := servers.ExtractServers(page)
	if err != nil {
		return member{}, fmt.Errorf("find server %s: %w", ref, err)
	}
	var cands []tools.Candidate
	for _, s := range all {
		if s.Name == ref {
			cands = append(cands, tools.Candidate{ID: s.ID, Name: s.Name})
		}
	}
	if len(cands) == 0 && tools.IsUUID(ref) {
		cands = append(cands, tools.Candidate{ID: ref, Name: ref})
	}
	picked, err := tools.Pick("server", ref, cands)
	if err != nil {
		return member{}, fmt.Errorf("--members %s: %w (give a server name or ID, or an IP address)", ref, err)
	}
	nc, err := network.Client(ctx, env)
	if err != nil {
		return member{}, err
	}
	ps, err := network.ListAll[ports.Port](ctx, ports.List(nc, ports.ListOpts{DeviceID: picked.ID}), "ports")
	if err != nil {
		return member{}, fmt.Errorf("list the ports of server %s: %w", ref, err)
	}
	var first *member
	for _, p := range ps {
		for _, ip := range p.FixedIPs {
			m := member{Name: ref, Address: ip.IPAddress, Subnet: ip.SubnetID}
			if ip.SubnetID == vip.ID {
				return m, nil
			}
			if first == nil {
				first = &m
			}
		}
	}
	if first == nil {
		return member{}, fmt.Errorf("--members %s: server %s has no fixed IP address to balance to", ref, ref)
	}
	return *first, nil
}
