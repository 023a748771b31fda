// Package stackresources holds the tools over a stack's resources: the
// resource tree with each resource's status, and one resource in full.
package stackresources

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/gophercloud/gophercloud/v2"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/orchestration"
)

// Tools returns the stack resource tools.
func Tools() []tools.Tool {
	return []tools.Tool{
		tools.ReadTool("stack.resource.list", orchestration.Service, list),
		tools.ReadTool("stack.resource.show", orchestration.Service, show),
	}
}

// ListArgs are the arguments of stack.resource.list.
type ListArgs struct {
	Stack       string `json:"stack"`
	NestedDepth int    `json:"nested_depth,omitempty"`
	Failed      bool   `json:"failed,omitempty"`
}

// ShowArgs are the arguments of stack.resource.show.
type ShowArgs struct {
	Stack    string `json:"stack"`
	Resource string `json:"resource"`
}

func list(ctx context.Context, env *tools.Env, args ListArgs) (*tools.Result, error) {
	c, s, err := orchestration.Lookup(ctx, env, args.Stack)
	if err != nil {
		return nil, err
	}
	env.Names.Remember(orchestration.Kind, s.Name)
	res, err := orchestration.Resources(ctx, c, s, args.NestedDepth)
	if err != nil {
		return nil, err
	}
	byName := map[string]orchestration.StackResource{}
	for _, r := range res {
		byName[r.Name] = r
	}
	// The openstack CLI's columns; the tree shows through the indented
	// name and the stack each resource belongs to.
	out := &tools.List{Columns: []tools.Column{
		{Name: "resource_name"}, {Name: "physical_resource_id"}, {Name: "resource_type"},
		{Name: "resource_status", Kind: tools.Status}, {Name: "updated_time", Kind: tools.Time},
		{Name: "stack_name", Long: true}, {Name: "resource_status_reason", Long: true},
	}}
	failed := 0
	for _, r := range res {
		if r.Failed() {
			failed++
		} else if args.Failed {
			continue
		}
		name := r.Name
		if args.NestedDepth > 0 {
			name = strings.Repeat("  ", orchestration.Depth(s.Name, r, byName)) + r.Name
		}
		out.Rows = append(out.Rows, []any{name, r.PhysicalID, r.Type, r.Status, r.UpdatedTime, r.StackName, r.StatusReason})
	}
	msg := ""
	if failed > 0 {
		msg = fmt.Sprintf("%d resource(s) failed; /stack triage %s shows why", failed, s.Name)
	}
	return &tools.Result{List: out, Message: msg}, nil
}

func show(ctx context.Context, env *tools.Env, args ShowArgs) (*tools.Result, error) {
	c, s, err := orchestration.Lookup(ctx, env, args.Stack)
	if err != nil {
		return nil, err
	}
	var body struct {
		Resource struct {
			orchestration.StackResource
			Description string         `json:"description"`
			Attributes  map[string]any `json:"attributes"`
		} `json:"resource"`
	}
	if _, err := c.Get(ctx, orchestration.URL(c, s, "resources", args.Resource), &body, nil); err != nil { //nolint:bodyclose // closed by gophercloud
		if gophercloud.ResponseCodeIs(err, http.StatusNotFound) {
			return nil, &tools.NotFoundError{Kind: "resource of stack " + s.Name, Name: args.Resource}
		}
		return nil, fmt.Errorf("show resource %s of stack %s: %w", args.Resource, s.Name, orchestration.Explain(err))
	}
	r := body.Resource
	return &tools.Result{Record: &tools.Record{Fields: []tools.Field{
		{Name: "resource_name", Value: r.Name},
		{Name: "logical_resource_id", Value: r.LogicalID},
		{Name: "physical_resource_id", Value: r.PhysicalID},
		{Name: "resource_type", Value: r.Type},
		{Name: "resource_status", Value: r.Status, Kind: tools.Status},
		{Name: "resource_status_reason", Value: r.StatusReason},
		{Name: "stack_name", Value: r.StackName},
		{Name: "parent_resource", Value: r.Parent},
		{Name: "required_by", Value: r.RequiredBy},
		{Name: "creation_time", Value: r.CreationTime, Kind: tools.Time},
		{Name: "updated_time", Value: r.UpdatedTime, Kind: tools.Time},
		{Name: "description", Value: r.Description},
	}}}, nil
}
