package servers

import (
	"context"
	"fmt"
	"strings"

	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/servers"

	"github.com/kriscelmer/os-tui/tools"
	flavorreads "github.com/kriscelmer/os-tui/tools/compute/flavors"
	"github.com/kriscelmer/os-tui/tools/quota"
)

// ResizeArgs are the arguments of server.resize.
type ResizeArgs struct {
	Server string `json:"server"`
	Flavor string `json:"flavor"`
}

// ServerArgs are the arguments of the tools that take only a server.
type ServerArgs struct {
	Server string `json:"server"`
}

func resizeTool() tools.Tool {
	return tools.ChangeTool(tools.ChangeSpec[ResizeArgs]{
		Name:     "server.resize",
		Effect:   tools.Change,
		Service:  "compute",
		Produces: []string{"id"},
		Check:    checkResize,
		Preview:  previewResize,
		Run:      runResize,
		Undo: func(args ResizeArgs, res *tools.Result) *tools.Call {
			return &tools.Call{Tool: "server.resize.revert", Args: tools.JSON(ServerArgs{Server: args.Server}), Why: "undo resize"}
		},
	})
}

func checkResize(ctx context.Context, env *tools.Env, args ResizeArgs) (*tools.Check, error) {
	s, err := Get(ctx, env, args.Server)
	if err != nil {
		return nil, err
	}
	chk := &tools.Check{
		Targets: []tools.Target{{Kind: "server", ID: s.ID, Name: s.Name}},
		State:   bodyState(s),
	}
	chk.Findings = s.Allows(Rule{Verb: "resize", From: []string{"ACTIVE", "SHUTOFF"}})
	fl, err := flavorreads.Resolve(ctx, env, args.Flavor)
	if err != nil {
		f, err := lookupFinding(err)
		if err != nil {
			return nil, err
		}
		chk.Findings = append(chk.Findings, f)
		chk.Resolved = tools.JSON(ResizeArgs{Server: s.ID, Flavor: args.Flavor})
		return chk, nil
	}
	chk.Targets = append(chk.Targets, tools.Target{Kind: "flavor", ID: fl.ID, Name: fl.Name})
	chk.Resolved = tools.JSON(ResizeArgs{Server: s.ID, Flavor: fl.ID})
	old := s.Flavor
	if fl.Name == old.OriginalName {
		chk.Findings = append(chk.Findings, block("server %s already has flavor %s; choose another flavor", s.Name, fl.Name))
		return chk, nil
	}
	chk.Findings = append(chk.Findings, info("flavor %s (%d vCPU, %d MB RAM, %d GB disk) → %s (%d vCPU, %d MB RAM, %d GB disk)",
		old.OriginalName, old.VCPUs, old.RAM, old.Disk, fl.Name, fl.VCPUs, fl.RAM, fl.Disk))
	if fl.Disk < old.Disk && s.ImageID() != "" {
		chk.Findings = append(chk.Findings, block("flavor %s has a %d GB root disk, smaller than the server's %d GB; Nova cannot shrink a disk", fl.Name, fl.Disk, old.Disk))
	}
	if err := quota.Preflight(ctx, env, chk, "",
		quota.Need{Service: "compute", Resource: "cores", Delta: fl.VCPUs - old.VCPUs},
		quota.Need{Service: "compute", Resource: "ram", Delta: fl.RAM - old.RAM}); err != nil {
		return nil, err
	}
	return chk, nil
}

func resizeOpts(flavorID string) servers.ResizeOpts { return servers.ResizeOpts{FlavorRef: flavorID} }

func previewResize(ctx context.Context, env *tools.Env, args ResizeArgs, chk *tools.Check) (*tools.Preview, error) {
	c, err := Client(ctx, env)
	if err != nil {
		return nil, err
	}
	srv, fl := target(chk, "server", args.Server), target(chk, "flavor", args.Flavor)
	body, err := resizeOpts(fl.ID).ToServerResizeMap()
	if err != nil {
		return nil, err
	}
	var from any
	if chk != nil {
		from = flavorFrom(chk.State)
	}
	return &tools.Preview{
		Requests: []tools.Request{{Method: "POST", URL: c.ServiceURL("servers", srv.ID, "action"), Body: body}},
		Changes: []tools.FieldChange{
			{Field: "flavor", From: from, To: fl.Name},
			{Field: "status", From: "ACTIVE|SHUTOFF", To: "VERIFY_RESIZE"},
		},
	}, nil
}

// target returns the check's target of a kind, or one made of the
// argument when the check has none (a dry-run without a preflight).
func target(chk *tools.Check, kind, arg string) tools.Target {
	if chk != nil {
		for _, t := range chk.Targets {
			if t.Kind == kind {
				return t
			}
		}
	}
	return tools.Target{Kind: kind, ID: arg, Name: arg}
}

// flavorFrom reads the flavor name out of a server state fingerprint
// (it comes last: names may hold spaces).
func flavorFrom(state string) string {
	_, flavor, _ := strings.Cut(state, " flavor=")
	return flavor
}

func runResize(ctx context.Context, env *tools.Env, args ResizeArgs) (*tools.Result, error) {
	body, err := resizeOpts(args.Flavor).ToServerResizeMap()
	if err != nil {
		return nil, err
	}
	return runAction(ctx, env, args.Server, body, "resize server "+args.Server,
		fmt.Sprintf("server %s: resize to flavor %s requested; confirm with /server resize confirm, or revert", args.Server, args.Flavor), "VERIFY_RESIZE")
}

// finish is server.resize.confirm or server.resize.revert: one bodyless
// action allowed only from VERIFY_RESIZE.
type finish struct {
	verb, key string
}

func resizeConfirmTool() tools.Tool {
	return finish{verb: "confirm", key: "confirmResize"}.tool()
}

func resizeRevertTool() tools.Tool {
	return finish{verb: "revert", key: "revertResize"}.tool()
}

func (f finish) tool() tools.Tool {
	return tools.ChangeTool(tools.ChangeSpec[ServerArgs]{
		Name:     "server.resize." + f.verb,
		Effect:   tools.Change,
		Service:  "compute",
		Produces: []string{"id"},
		Check:    f.check,
		Preview:  f.preview,
		Run:      f.run,
	})
}

func (f finish) check(ctx context.Context, env *tools.Env, args ServerArgs) (*tools.Check, error) {
	s, err := Get(ctx, env, args.Server)
	if err != nil {
		return nil, err
	}
	chk := &tools.Check{
		Targets:  []tools.Target{{Kind: "server", ID: s.ID, Name: s.Name}},
		Resolved: tools.JSON(ServerArgs{Server: s.ID}),
		State:    bodyState(s),
		Findings: s.Allows(Rule{Verb: "resize " + f.verb, From: []string{"VERIFY_RESIZE"}}),
	}
	return chk, nil
}

func (f finish) body() map[string]any { return map[string]any{f.key: nil} }

func (f finish) preview(ctx context.Context, env *tools.Env, args ServerArgs, chk *tools.Check) (*tools.Preview, error) {
	c, err := Client(ctx, env)
	if err != nil {
		return nil, err
	}
	srv := target(chk, "server", args.Server)
	return &tools.Preview{
		Requests: []tools.Request{{Method: "POST", URL: c.ServiceURL("servers", srv.ID, "action"), Body: f.body()}},
		Changes:  []tools.FieldChange{{Field: "status", From: "VERIFY_RESIZE", To: "ACTIVE|SHUTOFF"}},
	}, nil
}

func (f finish) run(ctx context.Context, env *tools.Env, args ServerArgs) (*tools.Result, error) {
	// The server goes back to the power state it had before the resize:
	// ACTIVE or SHUTOFF.
	return runAction(ctx, env, args.Server, f.body(), fmt.Sprintf("resize %s of server %s", f.verb, args.Server),
		fmt.Sprintf("server %s: resize %s requested", args.Server, f.verb), "ACTIVE", "SHUTOFF")
}
