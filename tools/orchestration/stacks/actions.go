package stacks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/orchestration/v1/stacks"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/orchestration"
)

// ActionArgs are the arguments of stack.suspend, stack.resume and
// stack.check.
type ActionArgs struct {
	Stack string `json:"stack"`
}

// AbandonArgs are the arguments of stack.abandon.
type AbandonArgs struct {
	Stack      string `json:"stack"`
	OutputFile string `json:"output_file"`
}

// AdoptArgs are the arguments of stack.adopt.
type AdoptArgs struct {
	Name      string `json:"name"`
	AdoptFile string `json:"adopt_file"`
	Timeout   int    `json:"timeout,omitempty"`
}

// action is one of Heat's stack actions (POST .../actions).
type action struct {
	tool, verb, heat string
	// from are the statuses the action starts from; undo is the tool
	// that reverses it.
	from []string
	undo string
}

var actions = []action{
	{tool: "stack.suspend", verb: "suspend", heat: "SUSPEND", undo: "stack.resume",
		from: []string{"CREATE_COMPLETE", "UPDATE_COMPLETE", "RESUME_COMPLETE", "CHECK_COMPLETE", "SUSPEND_FAILED", "RESUME_FAILED"}},
	{tool: "stack.resume", verb: "resume", heat: "RESUME", undo: "stack.suspend",
		from: []string{"SUSPEND_COMPLETE", "RESUME_FAILED"}},
	{tool: "stack.check", verb: "check", heat: "CHECK"},
}

func actionTools() []tools.Tool {
	var out []tools.Tool
	for _, a := range actions {
		spec := tools.ChangeSpec[ActionArgs]{
			Name: a.tool, Effect: tools.Change, Service: orchestration.Service,
			Produces: []string{"id", "name"},
			Subject:  func(x ActionArgs) (string, string) { return orchestration.Kind, x.Stack },
			Check: func(ctx context.Context, env *tools.Env, x ActionArgs) (*tools.Check, error) {
				return checkAction(ctx, env, a, x)
			},
			Preview: func(ctx context.Context, env *tools.Env, x ActionArgs, _ *tools.Check) (*tools.Preview, error) {
				return previewAction(ctx, env, a, x)
			},
			Run: func(ctx context.Context, env *tools.Env, x ActionArgs) (*tools.Result, error) {
				return runAction(ctx, env, a, x)
			},
		}
		if a.undo != "" {
			undo := a.undo
			spec.Undo = func(x ActionArgs, _ *tools.Result) *tools.Call {
				return &tools.Call{Tool: undo, Args: tools.JSON(ActionArgs{Stack: x.Stack}), Why: "undo: " + undo[len("stack."):] + " the stack again"}
			}
		}
		out = append(out, tools.ChangeTool(spec))
	}
	out = append(out,
		tools.ChangeTool(tools.ChangeSpec[AbandonArgs]{
			Name: "stack.abandon", Effect: tools.Destroy, Service: orchestration.Service,
			Produces: []string{"id", "name", "file"},
			Subject:  func(x AbandonArgs) (string, string) { return orchestration.Kind, x.Stack },
			Check:    checkAbandon, Preview: previewAbandon, Run: runAbandon,
			Undo: func(x AbandonArgs, res *tools.Result) *tools.Call {
				name := x.Stack
				if res != nil && res.Outputs["name"] != "" {
					name = res.Outputs["name"]
				}
				return &tools.Call{Tool: "stack.adopt", Args: tools.JSON(AdoptArgs{Name: name, AdoptFile: x.OutputFile}), Why: "undo abandoning: adopt the resources again"}
			},
		}),
		tools.ChangeTool(tools.ChangeSpec[AdoptArgs]{
			Name: "stack.adopt", Effect: tools.Change, Service: orchestration.Service,
			Produces: []string{"id", "name"},
			Check:    checkAdopt, Preview: previewAdopt, Run: runAdopt,
		}),
	)
	return out
}

func checkAction(ctx context.Context, env *tools.Env, a action, args ActionArgs) (*tools.Check, error) {
	_, s, err := orchestration.Lookup(ctx, env, args.Stack)
	if err != nil {
		return nil, err
	}
	chk := &tools.Check{Targets: []tools.Target{{Kind: orchestration.Kind, ID: s.ID, Name: s.Name}},
		Resolved: tools.JSON(ActionArgs{Stack: s.ID}), State: s.Status}
	switch {
	case s.InProgress():
		block(chk, "stack %s is %s; Heat takes no other action until it settles", s.Name, s.Status)
	case len(a.from) > 0 && !slices.Contains(a.from, s.Status):
		block(chk, "stack %s is %s; Heat can %s a stack that is %s", s.Name, s.Status, a.verb, orList(a.from))
	case a.heat == "CHECK":
		info(chk, "Heat checks each resource against the cloud; resources found missing or broken are marked CHECK_FAILED (nothing is repaired)")
	}
	return chk, nil
}

func orList(list []string) string {
	switch len(list) {
	case 0:
		return ""
	case 1:
		return list[0]
	}
	out := list[0]
	for _, s := range list[1 : len(list)-1] {
		out += ", " + s
	}
	return out + " or " + list[len(list)-1]
}

func previewAction(ctx context.Context, env *tools.Env, a action, args ActionArgs) (*tools.Preview, error) {
	c, s, err := orchestration.Lookup(ctx, env, args.Stack)
	if err != nil {
		return nil, err
	}
	pv := &tools.Preview{Requests: []tools.Request{{Method: "POST", URL: orchestration.URL(c, s, "actions"), Body: map[string]any{a.verb: nil}}}}
	to := a.heat + "_COMPLETE"
	pv.Changes = []tools.FieldChange{{Field: "stack_status", From: s.Status, To: to}}
	return pv, nil
}

func runAction(ctx context.Context, env *tools.Env, a action, args ActionArgs) (*tools.Result, error) {
	c, s, err := orchestration.Lookup(ctx, env, args.Stack)
	if err != nil {
		return nil, err
	}
	resp, err := c.Post(ctx, orchestration.URL(c, s, "actions"), map[string]any{a.verb: nil}, nil, &gophercloud.RequestOpts{OkCodes: []int{200, 201, 202}}) //nolint:bodyclose // closed by gophercloud
	if err != nil {
		return nil, fmt.Errorf("%s stack %s: %w", a.verb, s.Name, orchestration.Explain(err))
	}
	return &tools.Result{
		Message:    fmt.Sprintf("stack %s: %s started", s.Name, a.verb),
		Outputs:    map[string]string{"id": s.ID, "name": s.Name},
		RequestIDs: tools.RequestIDs(resp, nil),
		Await:      await(s, a.heat, 0, ""),
	}, nil
}

// abandonNote is what every abandon preflight says: Heat switches the
// feature off by default, and a preflight cannot ask it without trying.
const abandonNote = "Heat abandons a stack only where its operator set enable_stack_abandon = true in heat.conf; where it is off, Heat refuses and nothing changes"

func checkAbandon(ctx context.Context, env *tools.Env, args AbandonArgs) (*tools.Check, error) {
	_, s, err := orchestration.Lookup(ctx, env, args.Stack)
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(args.OutputFile)
	if err != nil {
		return nil, err
	}
	chk := &tools.Check{Targets: []tools.Target{{Kind: orchestration.Kind, ID: s.ID, Name: s.Name}},
		Resolved: tools.JSON(AbandonArgs{Stack: s.ID, OutputFile: abs}), State: s.Status}
	if _, err := os.Lstat(abs); err == nil {
		block(chk, "%s already exists; ostui never overwrites it: choose another --output-file", abs)
	}
	if s.InProgress() {
		block(chk, "stack %s is %s; Heat takes no other action until it settles", s.Name, s.Status)
	}
	chk.Findings = append(chk.Findings,
		tools.Finding{Level: tools.Warn, Text: fmt.Sprintf("stack %s is removed from Heat but its resources stay in the cloud, outside any stack; the abandon data (saved to %s, mode 0600: it holds the stack's parameters) is what /stack adopt needs to take them back", s.Name, abs)},
		tools.Finding{Level: tools.Info, Text: abandonNote})
	return chk, nil
}

func previewAbandon(ctx context.Context, env *tools.Env, args AbandonArgs, _ *tools.Check) (*tools.Preview, error) {
	c, s, err := orchestration.Lookup(ctx, env, args.Stack)
	if err != nil {
		return nil, err
	}
	return &tools.Preview{
		Requests: []tools.Request{{Method: "DELETE", URL: orchestration.URL(c, s, "abandon")}},
		Deletes:  []tools.Dependent{{Kind: orchestration.Kind, ID: s.ID, Name: s.Name, Fate: "removed from Heat; its resources are kept"}},
		Creates:  []string{fmt.Sprintf("file %s (mode 0600) with the abandon data", args.OutputFile)},
	}, nil
}

func runAbandon(ctx context.Context, env *tools.Env, args AbandonArgs) (*tools.Result, error) {
	c, s, err := orchestration.Lookup(ctx, env, args.Stack)
	if err != nil {
		return nil, err
	}
	// The file is claimed first: abandon data that cannot be saved is a
	// stack nobody can adopt back.
	f, err := os.OpenFile(args.OutputFile, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600) //nolint:gosec // the person's own path
	if err != nil {
		return nil, fmt.Errorf("claim %s for the abandon data: %w", args.OutputFile, err)
	}
	r := stacks.Abandon(ctx, c, s.Name, s.ID)
	var data map[string]any
	err = r.ExtractInto(&data)
	if err != nil {
		_ = f.Close()
		_ = os.Remove(args.OutputFile)
		if ne := orchestration.NotSupported(err, "abandon", "enable_stack_abandon"); ne != nil {
			return nil, fmt.Errorf("%w; to remove the stack and its resources use /stack delete %s", ne, s.Name)
		}
		return nil, fmt.Errorf("abandon stack %s: %w", s.Name, orchestration.Explain(err))
	}
	b, err := json.MarshalIndent(data, "", "  ")
	if err == nil {
		_, err = f.Write(append(b, '\n'))
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("stack %s was abandoned but its data could not be saved to %s: %w", s.Name, args.OutputFile, err)
	}
	return &tools.Result{
		Message:    fmt.Sprintf("stack %s abandoned; its resources are kept and its data saved to %s", s.Name, args.OutputFile),
		Outputs:    map[string]string{"id": s.ID, "name": s.Name, "file": args.OutputFile},
		RequestIDs: tools.HeaderRequestIDs(r.Header),
	}, nil
}

// adoptData reads abandon data: a JSON object with the template and
// the resources to take over.
func adoptData(path string) (map[string]any, string, error) {
	b, err := os.ReadFile(path) //nolint:gosec // the person's own path
	if err != nil {
		return nil, "", fmt.Errorf("cannot read %s: %v", path, errors.Unwrap(err))
	}
	var data map[string]any
	if err := json.Unmarshal(b, &data); err != nil {
		return nil, "", fmt.Errorf("%s is not abandon data (JSON from /stack abandon): %v", path, err)
	}
	if _, ok := data["resources"]; !ok {
		return nil, "", fmt.Errorf("%s has no resources: is it the output of /stack abandon?", path)
	}
	if _, ok := data["template"]; !ok {
		return nil, "", fmt.Errorf("%s has no template: is it the output of /stack abandon?", path)
	}
	return data, string(b), nil
}

func adoptBody(args AdoptArgs) (map[string]any, error) {
	data, raw, err := adoptData(args.AdoptFile)
	if err != nil {
		return nil, err
	}
	body := map[string]any{"stack_name": args.Name, "adopt_stack_data": raw, "template": data["template"], "disable_rollback": true}
	if args.Timeout > 0 {
		body["timeout_mins"] = args.Timeout
	}
	if env, ok := data["environment"]; ok {
		body["environment"] = env
	}
	if files, ok := data["files"]; ok {
		body["files"] = files
	}
	return body, nil
}

func checkAdopt(ctx context.Context, env *tools.Env, args AdoptArgs) (*tools.Check, error) {
	c, err := orchestration.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(args.AdoptFile)
	if err != nil {
		return nil, err
	}
	args.AdoptFile = abs
	chk := &tools.Check{Targets: []tools.Target{{Kind: orchestration.Kind, Name: args.Name}}, Resolved: tools.JSON(args)}
	if s, err := orchestration.Find(ctx, c, args.Name); err == nil {
		block(chk, "stack %s already exists (%s); adopt under another name", s.Name, s.Status)
	} else if nf := (*tools.NotFoundError)(nil); !errors.As(err, &nf) {
		return nil, err
	}
	if data, _, err := adoptData(abs); err != nil {
		block(chk, "%s", err.Error())
	} else if res, ok := data["resources"].(map[string]any); ok {
		info(chk, "Heat takes over %d existing resources from %s; nothing new is made", len(res), abs)
	}
	chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Info,
		Text: "Heat adopts only where its operator set enable_stack_adopt = true in heat.conf; where it is off, Heat refuses and nothing changes"})
	return chk, nil
}

func previewAdopt(ctx context.Context, env *tools.Env, args AdoptArgs, _ *tools.Check) (*tools.Preview, error) {
	c, err := orchestration.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	body, err := adoptBody(args)
	if err != nil {
		return nil, err
	}
	body["adopt_stack_data"] = fmt.Sprintf("<%s>", args.AdoptFile)
	body["template"] = "<the template in " + args.AdoptFile + ">"
	return &tools.Preview{
		Requests: []tools.Request{{Method: "POST", URL: c.ServiceURL("stacks"), Body: body}},
		Creates:  []string{"stack " + args.Name + " over the adopted resources"},
	}, nil
}

func runAdopt(ctx context.Context, env *tools.Env, args AdoptArgs) (*tools.Result, error) {
	c, err := orchestration.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	body, err := adoptBody(args)
	if err != nil {
		return nil, err
	}
	var out struct {
		Stack struct {
			ID string `json:"id"`
		} `json:"stack"`
	}
	resp, err := c.Post(ctx, c.ServiceURL("stacks"), body, &out, &gophercloud.RequestOpts{OkCodes: []int{201}}) //nolint:bodyclose // closed by gophercloud
	if err != nil {
		if ne := orchestration.NotSupported(err, "adopt", "enable_stack_adopt"); ne != nil {
			return nil, ne
		}
		return nil, fmt.Errorf("adopt stack %s: %w", args.Name, orchestration.Explain(err))
	}
	s := &orchestration.Stack{ID: out.Stack.ID, Name: args.Name}
	return &tools.Result{
		Message:    fmt.Sprintf("stack %s (%s) adopted", args.Name, s.ID),
		Outputs:    map[string]string{"id": s.ID, "name": args.Name},
		RequestIDs: tools.RequestIDs(resp, nil),
		Await:      await(s, "ADOPT", args.Timeout, ""),
	}, nil
}
