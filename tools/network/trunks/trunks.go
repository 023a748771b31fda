// Package trunks holds the trunk tools (VLAN-aware ports): list, show,
// create, add and remove subports, delete. Neutron has trunks only where
// its trunk service plugin is loaded, so every tool first asks whether
// the cloud has the "trunk" extension, and says so plainly when it has
// not, before any other request.
package trunks

import (
	"context"
	"fmt"
	"sort"

	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/trunks"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/network"
	"github.com/kriscelmer/os-tui/tools/network/ports"
)

// Kind names a trunk in targets, findings and completion.
const Kind = "trunk"

// Extension is the alias of Neutron's trunk API extension.
const Extension = "trunk"

// ErrNoTrunk is what every trunk tool says on a cloud without trunks.
var ErrNoTrunk error = &tools.NotOfferedError{Msg: "this cloud's Neutron has no trunk extension (its trunk service plugin is not enabled), so it has no trunks; a cloud operator can enable it (service_plugins = trunk)"}

// Tools returns the trunk tools.
func Tools() []tools.Tool {
	return append([]tools.Tool{
		tools.ReadTool("trunk.list", network.Service, list),
		tools.ReadTool("trunk.show", network.Service, show),
	}, changeTools()...)
}

// SubPort is one subport of a trunk.
type SubPort struct {
	PortID           string `json:"port_id"`
	SegmentationType string `json:"segmentation_type"`
	SegmentationID   int    `json:"segmentation_id"`
}

// Trunk is a neutron trunk.
type Trunk struct {
	ID             string    `json:"id"`
	Name           string    `json:"name"`
	Description    string    `json:"description"`
	PortID         string    `json:"port_id"`
	Status         string    `json:"status"`
	AdminStateUp   bool      `json:"admin_state_up"`
	ProjectID      string    `json:"project_id"`
	SubPorts       []SubPort `json:"sub_ports"`
	Tags           []string  `json:"tags"`
	RevisionNumber int       `json:"revision_number"`
	CreatedAt      string    `json:"created_at"`
	UpdatedAt      string    `json:"updated_at"`
}

func (t *Trunk) label() string {
	if t.Name != "" {
		return t.Name
	}
	return t.ID
}

// ListArgs are the arguments of trunk.list.
type ListArgs struct {
	ParentPort string `json:"parent_port,omitempty"`
}

// ShowArgs are the arguments of trunk.show.
type ShowArgs struct {
	Trunk string `json:"trunk"`
}

// Supported reports whether the cloud's Neutron has trunks.
func Supported(ctx context.Context, env *tools.Env) (bool, error) {
	c, err := network.Client(ctx, env)
	if err != nil {
		return false, err
	}
	return network.HasExtension(ctx, c, Extension)
}

// require is the first thing every trunk read does.
func require(ctx context.Context, env *tools.Env) error {
	ok, err := Supported(ctx, env)
	switch {
	case err != nil:
		return err
	case !ok:
		return ErrNoTrunk
	}
	return nil
}

// Resolve finds one trunk by ID or exact name.
func Resolve(ctx context.Context, env *tools.Env, nameOrID string) (*Trunk, error) {
	c, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	return network.Finder[Trunk]{
		Kind: Kind,
		Get: func(ctx context.Context, id string) (*Trunk, error) {
			return network.GetOne[Trunk](trunks.Get(ctx, c, id).Result, "trunk")
		},
		ByName: func(ctx context.Context, name string) ([]Trunk, error) {
			return network.ListAll[Trunk](ctx, trunks.List(c, trunks.ListOpts{Name: name}), "trunks")
		},
		Candidate: func(t Trunk) tools.Candidate { return tools.Candidate{ID: t.ID, Name: t.Name} },
	}.Find(ctx, nameOrID)
}

func list(ctx context.Context, env *tools.Env, args ListArgs) (*tools.Result, error) {
	if err := require(ctx, env); err != nil {
		return nil, err
	}
	c, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	opts := trunks.ListOpts{}
	if args.ParentPort != "" {
		p, err := ports.Resolve(ctx, env, args.ParentPort)
		if err != nil {
			return nil, err
		}
		opts.PortID = p.ID
	}
	all, err := network.ListAll[Trunk](ctx, trunks.List(c, opts), "trunks")
	if err != nil {
		return nil, fmt.Errorf("list trunks: %w", err)
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].Name < all[j].Name })
	out := &tools.List{Columns: []tools.Column{
		{Name: "ID"}, {Name: "Name"}, {Name: "Parent Port"}, {Name: "Description"},
		{Name: "Status", Long: true, Kind: tools.Status},
		{Name: "State", Long: true},
		{Name: "Subports", Long: true},
		{Name: "Created At", Long: true, Kind: tools.Time},
		{Name: "Updated At", Long: true, Kind: tools.Time},
	}}
	for _, t := range all {
		state := "UP"
		if !t.AdminStateUp {
			state = "DOWN"
		}
		out.Rows = append(out.Rows, []any{t.ID, t.Name, t.PortID, t.Description, t.Status, state, FormatSubPorts(t.SubPorts), t.CreatedAt, t.UpdatedAt})
	}
	env.Names.Listed(Kind, args == (ListArgs{}), network.Names(all, func(t Trunk) string { return t.Name })...)
	return &tools.Result{List: out}, nil
}

// FormatSubPorts renders subports as the openstack CLI does, one string
// each: "port_id='…', segmentation_id='100', segmentation_type='vlan'".
func FormatSubPorts(subs []SubPort) []string {
	out := make([]string, 0, len(subs))
	for _, s := range subs {
		out = append(out, fmt.Sprintf("port_id='%s', segmentation_id='%d', segmentation_type='%s'", s.PortID, s.SegmentationID, s.SegmentationType))
	}
	return out
}

func show(ctx context.Context, env *tools.Env, args ShowArgs) (*tools.Result, error) {
	if err := require(ctx, env); err != nil {
		return nil, err
	}
	t, err := Resolve(ctx, env, args.Trunk)
	if err != nil {
		return nil, err
	}
	env.Names.Remember(Kind, t.Name)
	return &tools.Result{Record: &tools.Record{Fields: []tools.Field{
		{Name: "admin_state_up", Value: t.AdminStateUp},
		{Name: "created_at", Value: t.CreatedAt, Kind: tools.Time},
		{Name: "description", Value: t.Description},
		{Name: "id", Value: t.ID},
		{Name: "name", Value: t.Name},
		{Name: "port_id", Value: t.PortID},
		{Name: "project_id", Value: t.ProjectID},
		{Name: "revision_number", Value: t.RevisionNumber},
		{Name: "status", Value: t.Status, Kind: tools.Status},
		{Name: "sub_ports", Value: FormatSubPorts(t.SubPorts)},
		{Name: "tags", Value: network.Tags(t.Tags)},
		{Name: "updated_at", Value: t.UpdatedAt, Kind: tools.Time},
	}}}, nil
}
