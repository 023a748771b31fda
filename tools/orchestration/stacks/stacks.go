// Package stacks holds the Heat stack tools: list, show and outputs;
// create, update (previewed as a diff), delete; suspend, resume, check,
// abandon and adopt; Heat's create preview; and triage of a failed stack.
package stacks

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"

	"github.com/gophercloud/gophercloud/v2"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/orchestration"
)

// Tools returns the stack tools.
func Tools() []tools.Tool {
	all := []tools.Tool{
		tools.ReadTool("stack.list", orchestration.Service, list),
		tools.ReadTool("stack.show", orchestration.Service, show),
		tools.ReadTool("stack.output.list", orchestration.Service, outputList),
		tools.ReadTool("stack.output.show", orchestration.Service, outputShow),
		personOnly(tools.ReadTool("stack.preview", orchestration.Service, preview)),
		tools.ReadTool("stack.triage", orchestration.Service, triage),
	}
	all = append(all, changeTools()...)
	return append(all, actionTools()...)
}

// personOnly keeps a read that takes local files (a template, its
// environment) from the model and MCP clients: the files are the
// person's to name, and what Heat says of them is their content.
func personOnly(t tools.Tool) tools.Tool {
	t.PersonOnly = true
	return t
}

// ListArgs are the arguments of stack.list.
type ListArgs struct {
	Name   string `json:"name,omitempty"`
	Status string `json:"status,omitempty"`
	Nested bool   `json:"nested,omitempty"`
}

// ShowArgs are the arguments of stack.show.
type ShowArgs struct {
	Stack string `json:"stack"`
}

// OutputListArgs are the arguments of stack.output.list.
type OutputListArgs struct {
	Stack string `json:"stack"`
}

// OutputShowArgs are the arguments of stack.output.show.
type OutputShowArgs struct {
	Stack  string `json:"stack"`
	Output string `json:"output,omitempty"`
	All    bool   `json:"all,omitempty"`
}

// listed is a stack as Heat's list returns it.
type listed struct {
	ID           string `json:"id"`
	Name         string `json:"stack_name"`
	Status       string `json:"stack_status"`
	CreationTime string `json:"creation_time"`
	UpdatedTime  string `json:"updated_time"`
	Project      string `json:"project"`
}

func list(ctx context.Context, env *tools.Env, args ListArgs) (*tools.Result, error) {
	c, err := orchestration.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	q := url.Values{}
	if args.Name != "" {
		q.Set("name", args.Name)
	}
	if args.Status != "" {
		q.Set("status", args.Status)
	}
	if args.Nested {
		q.Set("show_nested", "true")
	}
	u := c.ServiceURL("stacks")
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	var body struct {
		Stacks []listed `json:"stacks"`
	}
	if _, err := c.Get(ctx, u, &body, nil); err != nil { //nolint:bodyclose // closed by gophercloud
		return nil, fmt.Errorf("list stacks: %w", orchestration.Explain(err))
	}
	sort.SliceStable(body.Stacks, func(i, j int) bool { return body.Stacks[i].Name < body.Stacks[j].Name })
	// The openstack CLI's columns.
	out := &tools.List{Columns: []tools.Column{
		{Name: "ID"}, {Name: "Stack Name"}, {Name: "Stack Status", Kind: tools.Status},
		{Name: "Creation Time", Kind: tools.Time}, {Name: "Updated Time", Kind: tools.Time},
	}}
	names := make([]string, 0, len(body.Stacks))
	for _, s := range body.Stacks {
		out.Rows = append(out.Rows, []any{s.ID, s.Name, s.Status, s.CreationTime, nilIfEmpty(s.UpdatedTime)})
		names = append(names, s.Name)
	}
	env.Names.Replace(orchestration.Kind, names...)
	return &tools.Result{List: out}, nil
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func find(ctx context.Context, env *tools.Env, nameOrID string) (*gophercloud.ServiceClient, *orchestration.Stack, error) {
	c, s, err := orchestration.Lookup(ctx, env, nameOrID)
	if err != nil {
		return nil, nil, err
	}
	env.Names.Remember(orchestration.Kind, s.Name)
	return c, s, nil
}

// outputValue is an output's value as text: strings as they are, the
// rest as JSON.
func outputValue(v any) any {
	switch t := v.(type) {
	case string, nil, bool, float64:
		return t
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func show(ctx context.Context, env *tools.Env, args ShowArgs) (*tools.Result, error) {
	_, s, err := find(ctx, env, args.Stack)
	if err != nil {
		return nil, err
	}
	params := s.UserParameters()
	// Outputs as KEY=VALUE lines (their errors, when Heat could not
	// compute one); /stack output show gives one whole.
	var outputs []string
	sort.SliceStable(s.Outputs, func(i, j int) bool { return s.Outputs[i].Key < s.Outputs[j].Key })
	for _, o := range s.Outputs {
		if o.Error != "" {
			outputs = append(outputs, o.Key+" (error: "+o.Error+")")
			continue
		}
		outputs = append(outputs, fmt.Sprintf("%s=%v", o.Key, outputValue(o.Value)))
	}
	// The fields openstack stack show prints, in its order.
	fields := []tools.Field{
		{Name: "id", Value: s.ID},
		{Name: "stack_name", Value: s.Name},
		{Name: "description", Value: s.Description},
		{Name: "creation_time", Value: s.CreationTime, Kind: tools.Time},
		{Name: "updated_time", Value: nilIfEmpty(s.UpdatedTime), Kind: tools.Time},
		{Name: "stack_status", Value: s.Status, Kind: tools.Status},
		{Name: "stack_status_reason", Value: s.StatusReason},
		{Name: "parameters", Value: params},
		{Name: "outputs", Value: outputs},
		{Name: "parent", Value: nilIfEmpty(s.Parent)},
		{Name: "disable_rollback", Value: s.DisableRollback},
		{Name: "tags", Value: s.Tags},
		{Name: "stack_owner", Value: s.Owner},
	}
	if s.TimeoutMins != nil {
		fields = append(fields, tools.Field{Name: "timeout_mins", Value: *s.TimeoutMins})
	}
	msg := ""
	if s.Failed() {
		msg = fmt.Sprintf("stack %s is %s; /stack triage %s shows the failed resources and why", s.Name, s.Status, s.Name)
	}
	return &tools.Result{Record: &tools.Record{Fields: fields}, Message: msg}, nil
}

func outputList(ctx context.Context, env *tools.Env, args OutputListArgs) (*tools.Result, error) {
	_, s, err := find(ctx, env, args.Stack)
	if err != nil {
		return nil, err
	}
	out := &tools.List{Columns: []tools.Column{{Name: "output_key"}, {Name: "description"}}}
	sort.SliceStable(s.Outputs, func(i, j int) bool { return s.Outputs[i].Key < s.Outputs[j].Key })
	for _, o := range s.Outputs {
		out.Rows = append(out.Rows, []any{o.Key, o.Description})
	}
	return &tools.Result{List: out}, nil
}

func outputShow(ctx context.Context, env *tools.Env, args OutputShowArgs) (*tools.Result, error) {
	_, s, err := find(ctx, env, args.Stack)
	if err != nil {
		return nil, err
	}
	if args.All {
		out := &tools.List{Columns: []tools.Column{{Name: "output_key"}, {Name: "output_value"}, {Name: "description"}, {Name: "output_error", Long: true}}}
		for _, o := range s.Outputs {
			out.Rows = append(out.Rows, []any{o.Key, outputValue(o.Value), o.Description, nilIfEmpty(o.Error)})
		}
		return &tools.Result{List: out}, nil
	}
	if args.Output == "" {
		return nil, fmt.Errorf("name the output (one of %s) or give --all", keysOf(s.Outputs))
	}
	for _, o := range s.Outputs {
		if o.Key == args.Output {
			fields := []tools.Field{
				{Name: "output_key", Value: o.Key},
				{Name: "output_value", Value: outputValue(o.Value)},
				{Name: "description", Value: o.Description},
			}
			if o.Error != "" {
				fields = append(fields, tools.Field{Name: "output_error", Value: o.Error})
			}
			return &tools.Result{Record: &tools.Record{Fields: fields}}, nil
		}
	}
	return nil, fmt.Errorf("stack %s has no output %q; its outputs are %s", s.Name, args.Output, keysOf(s.Outputs))
}

func keysOf(outs []orchestration.Output) string {
	var keys []string
	for _, o := range outs {
		keys = append(keys, o.Key)
	}
	sort.Strings(keys)
	if len(keys) == 0 {
		return "none"
	}
	return fmt.Sprint(keys)
}
