// Package netstate reads a project's network state — networks, subnets,
// routers, ports, floating IPs, security group rules, a server — through
// the read tools, and hands it back as plain structs. The VPC wizard's
// preflight and the connectivity diagnosis reason over these structs, so
// their rules are tested without a cloud, and every read still takes the
// engine's read path (validated, read-only, announced) like any other
// command's.
package netstate

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"regexp"
	"strings"
	"sync"

	"github.com/kriscelmer/os-tui/internal/secaudit"
	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/network/secgroups"
)

// Reader runs one read tool with arguments (nil: none). In the shell it
// is the engine's read path; in tests a map of canned results.
type Reader func(ctx context.Context, tool string, args map[string]any) (*tools.Result, error)

// Network is one network.
type Network struct {
	ID, Name, Status string
	AdminStateUp     bool
	External         bool
	Shared           bool
	Subnets          []string
}

// Label names the network for a person: its name, or its ID.
func (n Network) Label() string { return label(n.Name, n.ID) }

// Subnet is one subnet.
type Subnet struct {
	ID, Name, NetworkID, CIDR string
	// GatewayIP is "" for a subnet without a gateway.
	GatewayIP  string
	IPVersion  int
	EnableDHCP bool
}

// Label names the subnet for a person.
func (s Subnet) Label() string { return label(s.Name, s.ID) }

// Router is one router.
type Router struct {
	ID, Name, Status string
	AdminStateUp     bool
	// GatewayNetworkID is the external network of its gateway; "" when
	// it has none.
	GatewayNetworkID string
	GatewayIPs       []string
	EnableSNAT       *bool
}

// Label names the router for a person.
func (r Router) Label() string { return label(r.Name, r.ID) }

// FixedIP is one address of a port.
type FixedIP struct {
	SubnetID, IP string
}

// Port is one port. The fields a port list lacks (AdminStateUp,
// PortSecurity, DeviceID, NetworkID) are set only on a port read with
// ShowPort.
type Port struct {
	ID, Name, Status string
	NetworkID        string
	DeviceID         string
	DeviceOwner      string
	AdminStateUp     bool
	// PortSecurity is nil when the cloud does not report it (the
	// extension is off: groups always apply).
	PortSecurity   *bool
	SecurityGroups []string
	FixedIPs       []FixedIP
}

// Label names the port for a person.
func (p Port) Label() string { return label(p.Name, p.ID) }

// RouterInterface reports whether the port is a router's interface on a
// subnet (not its gateway).
func (p Port) RouterInterface() bool {
	return strings.HasPrefix(p.DeviceOwner, "network:router_interface") ||
		p.DeviceOwner == "network:ha_router_replicated_interface"
}

// FloatingIP is one floating IP.
type FloatingIP struct {
	ID, Address, Status string
	NetworkID           string
	// PortID and FixedIP are "" for one bound to no port.
	PortID, FixedIP string
}

// Group is one security group with its rules.
type Group struct {
	ID, Name string
	Rules    []secgroups.Rule
}

// Label names the group for a person.
func (g Group) Label() string { return label(g.Name, g.ID) }

// Server is the part of a server the path depends on.
type Server struct {
	ID, Name, Status string
	TaskState        string
	PowerState       string
}

// Label names the server for a person.
func (s Server) Label() string { return label(s.Name, s.ID) }

// Quota is one quota line: what is in use of a resource and its limit
// (-1: unlimited).
type Quota struct {
	Resource string
	Service  string
	InUse    int
	Limit    int
}

func label(name, id string) string {
	if strings.TrimSpace(name) != "" {
		return name
	}
	return id
}

// list runs a list tool and returns its list.
func list(ctx context.Context, read Reader, tool string, args map[string]any) (*table, error) {
	res, err := read(ctx, tool, args)
	if err != nil {
		return nil, err
	}
	if res == nil || res.List == nil {
		return nil, fmt.Errorf("%s returned no list", tool)
	}
	return newTable(res.List), nil
}

// record runs a show tool and returns its record.
func record(ctx context.Context, read Reader, tool string, args map[string]any) (*tools.Record, error) {
	res, err := read(ctx, tool, args)
	if err != nil {
		return nil, err
	}
	if res == nil || res.Record == nil {
		return nil, fmt.Errorf("%s returned no record", tool)
	}
	return res.Record, nil
}

// Networks lists networks; args are network.list's filters.
func Networks(ctx context.Context, read Reader, args map[string]any) ([]Network, error) {
	t, err := list(ctx, read, "network.list", args)
	if err != nil {
		return nil, err
	}
	var out []Network
	for _, row := range t.rows() {
		out = append(out, Network{
			ID: t.str(row, "ID"), Name: t.str(row, "Name"), Status: t.str(row, "Status"),
			AdminStateUp: t.boolean(row, "State", true), External: t.boolean(row, "Router Type", false),
			Shared: t.boolean(row, "Shared", false), Subnets: t.strs(row, "Subnets"),
		})
	}
	return out, nil
}

// Subnets lists subnets; args are subnet.list's filters.
func Subnets(ctx context.Context, read Reader, args map[string]any) ([]Subnet, error) {
	t, err := list(ctx, read, "subnet.list", args)
	if err != nil {
		return nil, err
	}
	var out []Subnet
	for _, row := range t.rows() {
		out = append(out, Subnet{
			ID: t.str(row, "ID"), Name: t.str(row, "Name"), NetworkID: t.str(row, "Network"),
			CIDR: t.str(row, "Subnet"), GatewayIP: t.str(row, "Gateway"), IPVersion: t.integer(row, "IP Version"),
			EnableDHCP: t.boolean(row, "DHCP", false),
		})
	}
	return out, nil
}

// Routers lists routers; args are router.list's filters.
func Routers(ctx context.Context, read Reader, args map[string]any) ([]Router, error) {
	t, err := list(ctx, read, "router.list", args)
	if err != nil {
		return nil, err
	}
	var out []Router
	for _, row := range t.rows() {
		r := Router{
			ID: t.str(row, "ID"), Name: t.str(row, "Name"), Status: t.str(row, "Status"),
			AdminStateUp: t.boolean(row, "State", true),
		}
		r.GatewayNetworkID, r.GatewayIPs, r.EnableSNAT = gateway(t.value(row, "External gateway info"))
		out = append(out, r)
	}
	return out, nil
}

// gateway reads a router's external gateway info (JSON text, or the
// decoded map).
func gateway(v any) (network string, ips []string, snat *bool) {
	var info struct {
		NetworkID  string `json:"network_id"`
		EnableSNAT *bool  `json:"enable_snat"`
		IPs        []struct {
			IP string `json:"ip_address"`
		} `json:"external_fixed_ips"`
	}
	var data []byte
	switch x := v.(type) {
	case nil:
		return "", nil, nil
	case string:
		data = []byte(x)
	default:
		b, err := json.Marshal(x)
		if err != nil {
			return "", nil, nil
		}
		data = b
	}
	if json.Unmarshal(data, &info) != nil {
		return "", nil, nil
	}
	for _, ip := range info.IPs {
		ips = append(ips, ip.IP)
	}
	return info.NetworkID, ips, info.EnableSNAT
}

// Ports lists ports; args are port.list's filters. The list has no
// admin state, port security, device or network: ShowPort has them.
func Ports(ctx context.Context, read Reader, args map[string]any) ([]Port, error) {
	t, err := list(ctx, read, "port.list", args)
	if err != nil {
		return nil, err
	}
	var out []Port
	for _, row := range t.rows() {
		out = append(out, Port{
			ID: t.str(row, "ID"), Name: t.str(row, "Name"), Status: t.str(row, "Status"),
			DeviceOwner: t.str(row, "Device Owner"), AdminStateUp: true,
			SecurityGroups: t.strs(row, "Security Groups"), FixedIPs: fixedIPs(t.value(row, "Fixed IP Addresses")),
		})
	}
	return out, nil
}

// ShowPort reads one port with every field.
func ShowPort(ctx context.Context, read Reader, nameOrID string) (*Port, error) {
	r, err := record(ctx, read, "port.show", map[string]any{"port": nameOrID})
	if err != nil {
		return nil, err
	}
	p := &Port{
		ID: fieldStr(r, "id"), Name: fieldStr(r, "name"), Status: fieldStr(r, "status"),
		NetworkID: fieldStr(r, "network_id"), DeviceID: fieldStr(r, "device_id"), DeviceOwner: fieldStr(r, "device_owner"),
		AdminStateUp: asBool(r.Get("admin_state_up"), true), SecurityGroups: asStrings(r.Get("security_group_ids")),
		FixedIPs: fixedIPs(r.Get("fixed_ips")),
	}
	if v := r.Get("port_security_enabled"); v != nil {
		b := asBool(v, true)
		p.PortSecurity = &b
	}
	return p, nil
}

// fixedIPPattern matches "ip_address='…', subnet_id='…'", the way ports
// print their addresses.
var fixedIPPattern = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`ip_address='([^']*)', subnet_id='([^']*)'`)
})

func fixedIPs(v any) []FixedIP {
	var out []FixedIP
	for _, s := range asStrings(v) {
		if m := fixedIPPattern().FindStringSubmatch(s); m != nil {
			out = append(out, FixedIP{IP: m[1], SubnetID: m[2]})
		}
	}
	return out
}

// FloatingIPs lists floating IPs; args are floating-ip.list's filters.
func FloatingIPs(ctx context.Context, read Reader, args map[string]any) ([]FloatingIP, error) {
	t, err := list(ctx, read, "floating-ip.list", args)
	if err != nil {
		return nil, err
	}
	var out []FloatingIP
	for _, row := range t.rows() {
		out = append(out, FloatingIP{
			ID: t.str(row, "ID"), Address: t.str(row, "Floating IP Address"), Status: t.str(row, "Status"),
			NetworkID: t.str(row, "Floating Network"), PortID: t.str(row, "Port"), FixedIP: t.str(row, "Fixed IP Address"),
		})
	}
	return out, nil
}

// Groups reads the named security groups (IDs) with their rules: one
// rule list for all of them.
func Groups(ctx context.Context, read Reader, ids []string) ([]Group, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	gl, err := list(ctx, read, "security-group.list", nil)
	if err != nil {
		return nil, err
	}
	want := map[string]int{}
	out := make([]Group, 0, len(ids))
	for _, id := range ids {
		if _, dup := want[id]; dup {
			continue
		}
		want[id] = len(out)
		out = append(out, Group{ID: id})
	}
	for _, row := range gl.rows() {
		if i, ok := want[gl.str(row, "ID")]; ok {
			out[i].Name = gl.str(row, "Name")
		}
	}
	res, err := read(ctx, "security-group.rule.list", nil)
	if err != nil {
		return nil, err
	}
	if res == nil || res.List == nil {
		return nil, fmt.Errorf("security-group.rule.list returned no list")
	}
	rules, err := secaudit.Rules(res.List)
	if err != nil {
		return nil, err
	}
	for _, r := range rules {
		if i, ok := want[r.SecurityGroupID]; ok {
			out[i].Rules = append(out[i].Rules, r)
		}
	}
	return out, nil
}

// ShowServer reads one server.
func ShowServer(ctx context.Context, read Reader, nameOrID string) (*Server, error) {
	r, err := record(ctx, read, "server.show", map[string]any{"server": nameOrID})
	if err != nil {
		return nil, err
	}
	return &Server{
		ID: fieldStr(r, "id"), Name: fieldStr(r, "name"), Status: fieldStr(r, "status"),
		TaskState: fieldStr(r, "OS-EXT-STS:task_state"), PowerState: fieldStr(r, "OS-EXT-STS:power_state"),
	}, nil
}

// Quotas reads the current project's quota lines.
func Quotas(ctx context.Context, read Reader) ([]Quota, error) {
	t, err := list(ctx, read, "quota.show", nil)
	if err != nil {
		return nil, err
	}
	var out []Quota
	for _, row := range t.rows() {
		out = append(out, Quota{
			Resource: t.str(row, "Resource"), Service: t.str(row, "Service"),
			InUse: t.integer(row, "In Use") + t.integer(row, "Reserved"), Limit: t.integer(row, "Limit"),
		})
	}
	return out, nil
}

// table reads a tool's list by column name.
type table struct {
	l   *tools.List
	idx map[string]int
}

func newTable(l *tools.List) *table {
	t := &table{l: l, idx: map[string]int{}}
	for i, c := range l.Columns {
		t.idx[strings.ToLower(c.Name)] = i
	}
	return t
}

func (t *table) rows() [][]any { return t.l.Rows }

func (t *table) value(row []any, col string) any {
	i, ok := t.idx[strings.ToLower(col)]
	if !ok || i >= len(row) {
		return nil
	}
	return row[i]
}

func (t *table) str(row []any, col string) string { return asString(t.value(row, col)) }

func (t *table) strs(row []any, col string) []string { return asStrings(t.value(row, col)) }

func (t *table) boolean(row []any, col string, def bool) bool { return asBool(t.value(row, col), def) }

func (t *table) integer(row []any, col string) int {
	switch v := t.value(row, col).(type) {
	case int:
		return v
	case int64:
		return int(v)
	case float64:
		return int(v)
	case string:
		var n int
		if _, err := fmt.Sscan(v, &n); err == nil {
			return n
		}
	}
	return 0
}

func fieldStr(r *tools.Record, name string) string { return asString(r.Get(name)) }

func asString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case fmt.Stringer:
		return x.String()
	}
	return fmt.Sprint(v)
}

func asStrings(v any) []string {
	switch x := v.(type) {
	case []string:
		return x
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			if e != nil {
				out = append(out, fmt.Sprint(e))
			}
		}
		return out
	case string:
		if x == "" {
			return nil
		}
		return []string{x}
	}
	return nil
}

// asBool reads a boolean cell; the openstack CLI's table words (UP,
// DOWN, External, Internal) count too. def is for a missing value.
func asBool(v any, def bool) bool {
	switch x := v.(type) {
	case bool:
		return x
	case *bool:
		if x != nil {
			return *x
		}
	case string:
		switch strings.ToLower(x) {
		case "true", "up", "yes", "external":
			return true
		case "false", "down", "no", "internal":
			return false
		}
	}
	return def
}

// ParseRange reads a CIDR (masked: 10.1.2.3/8 is 10.0.0.0/8), or a bare
// address as its /32 or /128: what --from and --ssh-from take.
func ParseRange(s string) (netip.Prefix, error) {
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

// Parallel runs the reads at once and returns the first error, in the
// order given. The engine's read path is safe to use from several
// goroutines, and a command that needs six lists should wait for the
// slowest, not for their sum.
func Parallel(reads ...func() error) error {
	errs := make([]error, len(reads))
	var wg sync.WaitGroup
	for i, r := range reads {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = r()
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
