// Package listeners holds the listener tools: list, show, create (with a
// TLS certificate stored in Barbican for TERMINATED_HTTPS), set and
// delete. The preflight refuses a port another listener of the load
// balancer already uses and a TLS listener without a certificate.
package listeners

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/gophercloud/gophercloud/v2/openstack/loadbalancer/v2/listeners"

	"github.com/kriscelmer/os-tui/tools"
	lb "github.com/kriscelmer/os-tui/tools/loadbalancer"
)

// Tools returns the listener tools.
func Tools() []tools.Tool {
	return []tools.Tool{
		tools.ReadTool("loadbalancer.listener.list", lb.Service, list),
		tools.ReadTool("loadbalancer.listener.show", lb.Service, show),
		createTool(), setTool(), deleteTool(),
	}
}

// ListArgs are the arguments of loadbalancer.listener.list.
type ListArgs struct {
	Loadbalancer string `json:"loadbalancer,omitempty"`
	Name         string `json:"name,omitempty"`
}

// ShowArgs are the arguments of loadbalancer.listener.show.
type ShowArgs struct {
	Listener string `json:"listener"`
}

func list(ctx context.Context, env *tools.Env, args ListArgs) (*tools.Result, error) {
	c, err := lb.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	opts := listeners.ListOpts{Name: args.Name}
	if args.Loadbalancer != "" {
		v, err := lb.FindLB(ctx, c, args.Loadbalancer)
		if err != nil {
			return nil, err
		}
		opts.LoadbalancerID = v.ID
	}
	all, err := lb.All(ctx, listeners.List(c, opts), listeners.ExtractListeners)
	if err != nil {
		return nil, fmt.Errorf("list listeners: %w", err)
	}
	out := &tools.List{Columns: []tools.Column{
		{Name: "ID"}, {Name: "Default Pool ID"}, {Name: "Name"}, {Name: "Project ID", Long: true}, {Name: "Protocol"}, {Name: "Protocol Port"},
		{Name: "Admin State Up"}, {Name: "Provisioning Status", Kind: tools.Status, Long: true}, {Name: "Operating Status", Kind: tools.Status, Long: true},
	}}
	var names []string
	for _, l := range all {
		out.Rows = append(out.Rows, []any{l.ID, l.DefaultPoolID, l.Name, l.ProjectID, l.Protocol, l.ProtocolPort, l.AdminStateUp, l.ProvisioningStatus, l.OperatingStatus})
		names = append(names, l.Name)
	}
	env.Names.Replace(lb.KindListener, names...)
	return &tools.Result{List: out}, nil
}

func show(ctx context.Context, env *tools.Env, args ShowArgs) (*tools.Result, error) {
	c, err := lb.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	l, err := lb.FindListener(ctx, c, args.Listener)
	if err != nil {
		return nil, err
	}
	env.Names.Remember(lb.KindListener, l.Name)
	var pols []string
	for _, p := range l.L7Policies {
		pols = append(pols, p.ID)
	}
	return &tools.Result{Record: &tools.Record{Fields: []tools.Field{
		{Name: "admin_state_up", Value: l.AdminStateUp},
		{Name: "allowed_cidrs", Value: l.AllowedCIDRs},
		{Name: "connection_limit", Value: l.ConnLimit},
		{Name: "default_pool_id", Value: l.DefaultPoolID},
		{Name: "default_tls_container_ref", Value: l.DefaultTlsContainerRef},
		{Name: "description", Value: l.Description},
		{Name: "id", Value: l.ID},
		{Name: "l7policies", Value: strings.Join(pols, "\n")},
		{Name: "loadbalancers", Value: lb.LBOfListener(l)},
		{Name: "name", Value: l.Name},
		{Name: "operating_status", Value: l.OperatingStatus, Kind: tools.Status},
		{Name: "project_id", Value: l.ProjectID},
		{Name: "protocol", Value: l.Protocol},
		{Name: "protocol_port", Value: l.ProtocolPort},
		{Name: "provisioning_status", Value: l.ProvisioningStatus, Kind: tools.Status},
		{Name: "sni_container_refs", Value: l.SniContainerRefs},
		{Name: "tags", Value: l.Tags},
	}}}, nil
}

// CreateArgs are the arguments of loadbalancer.listener.create.
type CreateArgs struct {
	Loadbalancer    string   `json:"loadbalancer"`
	Name            string   `json:"name,omitempty"`
	Description     string   `json:"description,omitempty"`
	Protocol        string   `json:"protocol"`
	ProtocolPort    int      `json:"protocol_port"`
	DefaultPool     string   `json:"default_pool,omitempty"`
	ConnectionLimit *int     `json:"connection_limit,omitempty"`
	AllowedCIDRs    []string `json:"allowed_cidrs,omitempty"`
	Cert            string   `json:"cert,omitempty"`
	Key             string   `json:"key,omitempty"`
	TLSContainer    string   `json:"tls_container,omitempty"`
	AdminStateUp    *bool    `json:"admin_state_up,omitempty"`
}

// SetArgs are the arguments of loadbalancer.listener.set.
type SetArgs struct {
	Listener        string  `json:"listener"`
	Name            *string `json:"name,omitempty"`
	Description     *string `json:"description,omitempty"`
	ConnectionLimit *int    `json:"connection_limit,omitempty"`
	DefaultPool     *string `json:"default_pool,omitempty"`
	TLSContainer    *string `json:"tls_container,omitempty"`
	AdminStateUp    *bool   `json:"admin_state_up,omitempty"`
}

// DeleteArgs are the arguments of loadbalancer.listener.delete.
type DeleteArgs struct {
	Listener    string `json:"listener"`
	Certificate string `json:"certificate,omitempty"`
}

func abs(p string) string {
	if strings.HasPrefix(p, "~/") {
		if home, err := filepathHome(); err == nil {
			p = filepath.Join(home, p[2:])
		}
	}
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

// usesPort reports whether two listeners would clash on one port:
// Octavia lets a UDP listener share a port number with a TCP one, never
// two of one kind.
func usesPort(a, b string) bool {
	udp := func(p string) bool { return p == "UDP" }
	return udp(a) == udp(b)
}

func expiry(t time.Time) string { return t.UTC().Format("2006-01-02") }
