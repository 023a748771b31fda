// Package secgroups holds the security group tools: list, show, create,
// set and delete groups; list, create and delete their rules; and
// Exposure, the guardrail that judges what a rule opens to the internet.
package secgroups

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/security/groups"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/security/rules"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/network"
)

// Tools returns the security group tools.
func Tools() []tools.Tool {
	out := []tools.Tool{
		tools.ReadTool("security-group.list", network.Service, list),
		tools.ReadTool("security-group.show", network.Service, show),
		tools.ReadTool("security-group.rule.list", network.Service, listRules),
	}
	out = append(out, changeTools()...)
	return append(out, ruleTools()...)
}

// Rule is one security group rule.
type Rule struct {
	ID                   string  `json:"id"`
	SecurityGroupID      string  `json:"security_group_id"`
	Direction            string  `json:"direction"`
	EtherType            string  `json:"ethertype"`
	Protocol             *string `json:"protocol"`
	PortRangeMin         *int    `json:"port_range_min"`
	PortRangeMax         *int    `json:"port_range_max"`
	RemoteIPPrefix       *string `json:"remote_ip_prefix"`
	RemoteGroupID        *string `json:"remote_group_id"`
	RemoteAddressGroupID *string `json:"remote_address_group_id"`
	Description          string  `json:"description"`
	ProjectID            string  `json:"project_id"`
}

// IPRange is the rule's remote prefix; a rule with neither a prefix nor a
// remote group matches every address of its ethertype, and says so.
func (r Rule) IPRange() string {
	if r.RemoteIPPrefix != nil && *r.RemoteIPPrefix != "" {
		return *r.RemoteIPPrefix
	}
	if r.RemoteGroupID != nil || r.RemoteAddressGroupID != nil {
		return ""
	}
	if r.EtherType == "IPv6" {
		return "::/0"
	}
	return "0.0.0.0/0"
}

// PortRange renders the ports as the openstack CLI does ("22:22"), or ""
// when the rule has none.
func (r Rule) PortRange() string {
	switch {
	case r.PortRangeMin != nil && r.PortRangeMax != nil:
		return fmt.Sprintf("%d:%d", *r.PortRangeMin, *r.PortRangeMax)
	case r.PortRangeMin != nil:
		return fmt.Sprint(*r.PortRangeMin)
	}
	return ""
}

// String reads as a sentence fragment: "ingress IPv4 tcp 22 from 0.0.0.0/0".
func (r Rule) String() string {
	parts := []string{r.Direction, r.EtherType}
	proto := "any"
	if r.Protocol != nil && *r.Protocol != "" {
		proto = *r.Protocol
	}
	parts = append(parts, proto)
	if r.PortRangeMin != nil {
		lo := *r.PortRangeMin
		// ICMP rules carry the type and code in the port fields.
		icmp := strings.HasPrefix(proto, "icmp") || proto == "ipv6-icmp"
		var ports string
		switch {
		case icmp && r.PortRangeMax != nil:
			ports = fmt.Sprintf("type %d code %d", lo, *r.PortRangeMax)
		case icmp:
			ports = fmt.Sprintf("type %d", lo)
		case r.PortRangeMax != nil && *r.PortRangeMax != lo:
			ports = fmt.Sprintf("%d-%d", lo, *r.PortRangeMax)
		default:
			ports = fmt.Sprint(lo)
		}
		parts = append(parts, ports)
	}
	dir := "from"
	if r.Direction == "egress" {
		dir = "to"
	}
	switch {
	case r.RemoteGroupID != nil && *r.RemoteGroupID != "":
		parts = append(parts, dir, "group", *r.RemoteGroupID)
	case r.RemoteAddressGroupID != nil && *r.RemoteAddressGroupID != "":
		parts = append(parts, dir, "address group", *r.RemoteAddressGroupID)
	default:
		parts = append(parts, dir, r.IPRange())
	}
	if r.Description != "" {
		parts = append(parts, "("+r.Description+")")
	}
	return strings.Join(parts, " ")
}

// Group is a neutron security group.
type Group struct {
	ID             string   `json:"id"`
	Name           string   `json:"name"`
	Description    string   `json:"description"`
	ProjectID      string   `json:"project_id"`
	Stateful       *bool    `json:"stateful"`
	Rules          []Rule   `json:"security_group_rules"`
	Tags           []string `json:"tags"`
	RevisionNumber int      `json:"revision_number"`
	CreatedAt      string   `json:"created_at"`
	UpdatedAt      string   `json:"updated_at"`
}

// ListArgs are the arguments of security-group.list.
type ListArgs struct {
	Name    string `json:"name,omitempty"`
	Project string `json:"project,omitempty"`
}

// ShowArgs are the arguments of security-group.show.
type ShowArgs struct {
	Group string `json:"group,omitempty"`
}

// RuleListArgs are the arguments of security-group.rule.list.
type RuleListArgs struct {
	Group     string `json:"group,omitempty"`
	Direction string `json:"direction,omitempty"`
	Protocol  string `json:"protocol,omitempty"`
	EtherType string `json:"ethertype,omitempty"`
}

func list(ctx context.Context, env *tools.Env, args ListArgs) (*tools.Result, error) {
	client, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	opts := groups.ListOpts{Name: args.Name, ProjectID: args.Project}
	all, err := network.ListAll[Group](ctx, groups.List(client, opts), "security_groups")
	if err != nil {
		return nil, fmt.Errorf("list security groups: %w", err)
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].Name < all[j].Name })
	out := &tools.List{Columns: []tools.Column{
		{Name: "ID"}, {Name: "Name"}, {Name: "Description"}, {Name: "Project"}, {Name: "Tags"},
	}}
	for _, g := range all {
		out.Rows = append(out.Rows, []any{g.ID, g.Name, g.Description, g.ProjectID, network.Tags(g.Tags)})
	}
	names := network.Names(all, func(g Group) string { return g.Name })
	env.Names.Listed("security-group", args == (ListArgs{}), names...)
	return &tools.Result{List: out}, nil
}

// Resolve finds one security group by ID or exact name. Every project
// has a group named "default", so an admin may well see an ambiguity.
func Resolve(ctx context.Context, env *tools.Env, nameOrID string) (*Group, error) {
	client, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	return network.Finder[Group]{
		Kind: "security group",
		Get: func(ctx context.Context, id string) (*Group, error) {
			return network.GetOne[Group](groups.Get(ctx, client, id).Result, "security_group")
		},
		ByName: func(ctx context.Context, name string) ([]Group, error) {
			return network.ListAll[Group](ctx, groups.List(client, groups.ListOpts{Name: name}), "security_groups")
		},
		Candidate: func(g Group) tools.Candidate { return tools.Candidate{ID: g.ID, Name: g.Name} },
	}.Find(ctx, nameOrID)
}

// sortRules orders rules so the same group always reads the same way.
func sortRules(rs []Rule) {
	sort.SliceStable(rs, func(i, j int) bool {
		a, b := rs[i], rs[j]
		if a.Direction != b.Direction {
			return a.Direction > b.Direction // ingress first: it is what people check
		}
		if a.EtherType != b.EtherType {
			return a.EtherType < b.EtherType
		}
		return a.String() < b.String()
	})
}

func show(ctx context.Context, env *tools.Env, args ShowArgs) (*tools.Result, error) {
	g, err := Resolve(ctx, env, args.Group)
	if err != nil {
		return nil, err
	}
	env.Names.Remember("security-group", g.Name)
	sortRules(g.Rules)
	readable := make([]string, 0, len(g.Rules))
	for _, r := range g.Rules {
		readable = append(readable, r.String())
	}
	return &tools.Result{Record: &tools.Record{Fields: []tools.Field{
		{Name: "created_at", Value: g.CreatedAt, Kind: tools.Time},
		{Name: "description", Value: g.Description},
		{Name: "id", Value: g.ID},
		{Name: "name", Value: g.Name},
		{Name: "project_id", Value: g.ProjectID},
		{Name: "revision_number", Value: g.RevisionNumber},
		{Name: "rules", Value: readable},
		{Name: "stateful", Value: network.Opt(g.Stateful)},
		{Name: "tags", Value: network.Tags(g.Tags)},
		{Name: "updated_at", Value: g.UpdatedAt, Kind: tools.Time},
	}}}, nil
}

func listRules(ctx context.Context, env *tools.Env, args RuleListArgs) (*tools.Result, error) {
	opts := rules.ListOpts{Direction: args.Direction, Protocol: args.Protocol, EtherType: args.EtherType}
	if args.Group != "" {
		g, err := Resolve(ctx, env, args.Group)
		if err != nil {
			return nil, err
		}
		opts.SecGroupID = g.ID
	}
	client, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	all, err := network.ListAll[Rule](ctx, rules.List(client, opts), "security_group_rules")
	if err != nil {
		return nil, fmt.Errorf("list security group rules: %w", err)
	}
	// This sort needs every row, so security-group.rule.list does not
	// stream to a page sink (tools.PageSinkOf): the export gets its rows
	// when the list is complete. Asking the cloud for the order instead
	// would not give the same rows: Neutron cannot sort by this key
	// (direction, ethertype, then the rule as read).
	sortRules(all)
	out := &tools.List{Columns: []tools.Column{
		{Name: "ID"}, {Name: "IP Protocol"}, {Name: "Ethertype"}, {Name: "IP Range"}, {Name: "Port Range"},
		{Name: "Direction"}, {Name: "Remote Security Group"},
		{Name: "Remote Address Group", Long: true},
		{Name: "Description", Long: true},
		// Like the openstack CLI, name each rule's group only when
		// the list spans groups.
		{Name: "Security Group", Long: args.Group != ""},
	}}
	for _, r := range all {
		out.Rows = append(out.Rows, []any{
			r.ID, network.Opt(r.Protocol), r.EtherType, r.IPRange(), r.PortRange(), r.Direction,
			network.Opt(r.RemoteGroupID), network.Opt(r.RemoteAddressGroupID), r.Description, r.SecurityGroupID,
		})
	}
	return &tools.Result{List: out}, nil
}
