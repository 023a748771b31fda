// Package stackevents holds the stack event list: what Heat did to each
// resource, in order, with its reasons.
package stackevents

import (
	"context"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/orchestration"
)

// Tools returns the stack event tools.
func Tools() []tools.Tool {
	return []tools.Tool{tools.ReadTool("stack.event.list", orchestration.Service, list)}
}

// ListArgs are the arguments of stack.event.list.
type ListArgs struct {
	Stack       string `json:"stack"`
	Resource    string `json:"resource,omitempty"`
	NestedDepth int    `json:"nested_depth,omitempty"`
	Limit       int    `json:"limit,omitempty"`
}

func list(ctx context.Context, env *tools.Env, args ListArgs) (*tools.Result, error) {
	c, s, err := orchestration.Lookup(ctx, env, args.Stack)
	if err != nil {
		return nil, err
	}
	env.Names.Remember(orchestration.Kind, s.Name)
	ev, err := orchestration.Events(ctx, c, s, args.NestedDepth, args.Resource, args.Limit)
	if err != nil {
		return nil, err
	}
	// The openstack CLI's columns (-f json), oldest first.
	out := &tools.List{Columns: []tools.Column{
		{Name: "resource_name"}, {Name: "id"}, {Name: "resource_status", Kind: tools.Status},
		{Name: "resource_status_reason"}, {Name: "event_time", Kind: tools.Time},
		{Name: "physical_resource_id", Long: true}, {Name: "stack_name", Long: true},
	}}
	for _, e := range ev {
		out.Rows = append(out.Rows, []any{e.Resource, e.ID, e.Status, e.StatusReason, e.Time, e.PhysicalID, e.StackName})
	}
	return &tools.Result{List: out}, nil
}
