package servers

import (
	"context"
	"fmt"

	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/servers"

	"github.com/kriscelmer/os-tui/tools"
)

// RenameArgs are the arguments of server.rename.
type RenameArgs struct {
	Server string `json:"server"`
	Name   string `json:"name"`
}

func renameTool() tools.Tool {
	return tools.ChangeTool(tools.ChangeSpec[RenameArgs]{
		Name:     "server.rename",
		Effect:   tools.Change,
		Service:  "compute",
		Produces: []string{"id", "name", "old_name"},
		Subject:  func(a RenameArgs) (string, string) { return subject(a.Server) },
		Check:    renameCheck,
		Preview:  renamePreview,
		Run:      renameRun,
		Undo:     renameUndo,
	})
}

// renameCheck resolves the server. Nova renames a server in any state,
// locked or not, so only a name that would not change blocks.
func renameCheck(ctx context.Context, env *tools.Env, args RenameArgs) (*tools.Check, error) {
	s, err := Get(ctx, env, args.Server)
	if err != nil {
		return nil, err
	}
	chk := &tools.Check{
		Targets:  []tools.Target{s.Target()},
		Resolved: tools.JSON(RenameArgs{Server: s.ID, Name: args.Name}),
		State:    attributeState(s),
	}
	if s.Name == args.Name {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block,
			Text: fmt.Sprintf("server %s is already named %q; give a different name", s.ID, args.Name)})
	} else {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Info, Text: s.Describe()})
	}
	return chk, nil
}

func renamePreview(ctx context.Context, env *tools.Env, args RenameArgs, chk *tools.Check) (*tools.Preview, error) {
	c, err := Client(ctx, env)
	if err != nil {
		return nil, err
	}
	body, err := servers.UpdateOpts{Name: args.Name}.ToServerUpdateMap()
	if err != nil {
		return nil, fmt.Errorf("rename server %s: %w", args.Server, err)
	}
	t := chk.Targets[0]
	return &tools.Preview{
		Requests: []tools.Request{{Method: "PUT", URL: c.ServiceURL("servers", t.ID), Body: body}},
		Changes:  []tools.FieldChange{{Field: "name", From: t.Name, To: args.Name}},
	}, nil
}

// renameRun reads the name the server has right before renaming it: the
// undo renames it back to that, which Check may have seen differently.
func renameRun(ctx context.Context, env *tools.Env, args RenameArgs) (*tools.Result, error) {
	s, c, err := findWithClient(ctx, env, args.Server)
	if err != nil {
		return nil, err
	}
	r := servers.Update(ctx, c, s.ID, servers.UpdateOpts{Name: args.Name})
	if r.Err != nil {
		return nil, fmt.Errorf("rename server %s: %w", s.ID, r.Err)
	}
	return &tools.Result{
		Message:    fmt.Sprintf("server %s renamed from %s to %s", s.ID, s.Name, args.Name),
		Outputs:    map[string]string{"id": s.ID, "name": args.Name, "old_name": s.Name},
		RequestIDs: tools.HeaderRequestIDs(r.Header),
	}, nil
}

func renameUndo(args RenameArgs, res *tools.Result) *tools.Call {
	if res == nil || res.Outputs["old_name"] == "" {
		// A plan under review: the old name is known only once Run
		// has read it.
		return &tools.Call{Tool: "server.rename", Args: tools.JSON(map[string]string{"server": args.Server}), Why: "undo rename"}
	}
	return &tools.Call{
		Tool: "server.rename",
		Args: tools.JSON(RenameArgs{Server: res.Outputs["id"], Name: res.Outputs["old_name"]}),
		Why:  "undo rename: back to " + res.Outputs["old_name"],
	}
}
