package servers

import (
	"context"
	"fmt"
	"slices"

	"github.com/gophercloud/gophercloud/v2"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/network/secgroups"
)

// SecurityGroupArgs are the arguments of server.add.security-group and
// server.remove.security-group.
type SecurityGroupArgs struct {
	Server string `json:"server"`
	Group  string `json:"group"`
}

// groupAction is one of Nova's two security group actions.
type groupAction struct {
	verb    string // "add" or "remove"
	inverse string
}

func addSecurityGroup() tools.Tool {
	return groupAction{verb: "add", inverse: "remove"}.tool()
}

func removeSecurityGroup() tools.Tool {
	return groupAction{verb: "remove", inverse: "add"}.tool()
}

func (a groupAction) tool() tools.Tool {
	return tools.ChangeTool(tools.ChangeSpec[SecurityGroupArgs]{
		Name:     "server." + a.verb + ".security-group",
		Effect:   tools.Change,
		Service:  "compute",
		Produces: []string{"server", "group"},
		Check:    a.check,
		Preview:  a.preview,
		Run:      a.run,
		Undo: func(args SecurityGroupArgs, _ *tools.Result) *tools.Call {
			return &tools.Call{Tool: "server." + a.inverse + ".security-group", Args: tools.JSON(args), Why: "undo " + a.verb + " security group"}
		},
	})
}

// body is Nova's action body. It names the group by ID: Nova looks the
// value up as a name or an ID, and an ID cannot be ambiguous.
func (a groupAction) body(groupID string) map[string]any {
	return map[string]any{a.verb + "SecurityGroup": map[string]any{"name": groupID}}
}

func (a groupAction) check(ctx context.Context, env *tools.Env, args SecurityGroupArgs) (*tools.Check, error) {
	g, err := secgroups.Resolve(ctx, env, args.Group)
	if err != nil {
		return nil, err
	}
	chk := &tools.Check{}
	resolved := SecurityGroupArgs{Server: args.Server, Group: g.ID}
	gTarget := tools.Target{Kind: "security group", ID: g.ID, Name: g.Name}
	s, err := attachServer(ctx, env, chk, args.Server, Rule{Verb: a.verb + " a security group"})
	if err != nil {
		return nil, err
	}
	chk.Targets = append(chk.Targets, gTarget)
	if s == nil {
		chk.Resolved = tools.JSON(resolved)
		return chk, nil
	}
	resolved.Server = s.ID
	chk.Resolved = tools.JSON(resolved)
	all, err := serverPorts(ctx, env, s.ID)
	if err != nil {
		return nil, err
	}
	with := 0
	for _, p := range all {
		if slices.Contains(p.SecurityGroups, g.ID) {
			with++
		}
	}
	chk.State = fmt.Sprintf("%s ports=%d with-group=%d", attachState(s), len(all), with)
	switch {
	case len(all) == 0:
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block,
			Text: fmt.Sprintf("server %s has no port; security groups apply to ports, so attach it to a network first", s.Name)})
	case a.verb == "add" && with == len(all):
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Warn,
			Text: fmt.Sprintf("security group %s is already on server %s; nothing changes", g.Name, s.Name)})
	case a.verb == "remove" && with == 0:
		// Nova answers 404 to removing a group the server does not have
		// (adding one it has is a quiet no-op), so this cannot succeed.
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block,
			Text: fmt.Sprintf("security group %s is not on server %s; there is nothing to remove", g.Name, s.Name)})
	case a.verb == "add":
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Info,
			Text: fmt.Sprintf("security group %s (%d rules) will apply to %d port(s) of server %s", g.Name, len(g.Rules), len(all), s.Name)})
	default:
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Info,
			Text: fmt.Sprintf("security group %s comes off %d port(s) of server %s; its rules stop applying there", g.Name, with, s.Name)})
	}
	return chk, nil
}

func (a groupAction) preview(ctx context.Context, env *tools.Env, args SecurityGroupArgs, chk *tools.Check) (*tools.Preview, error) {
	c, err := Client(ctx, env)
	if err != nil {
		return nil, err
	}
	change := tools.FieldChange{Field: "security groups", To: "+" + args.Group}
	if a.verb == "remove" {
		change.To = "-" + args.Group
	}
	return &tools.Preview{
		Requests: []tools.Request{{Method: "POST", URL: c.ServiceURL("servers", args.Server, "action"), Body: a.body(args.Group)}},
		Changes:  []tools.FieldChange{change},
	}, nil
}

func (a groupAction) run(ctx context.Context, env *tools.Env, args SecurityGroupArgs) (*tools.Result, error) {
	c, err := Client(ctx, env)
	if err != nil {
		return nil, err
	}
	resp, err := c.Post(ctx, c.ServiceURL("servers", args.Server, "action"), a.body(args.Group), nil, &gophercloud.RequestOpts{OkCodes: []int{202}}) //nolint:bodyclose // closed by gophercloud
	if err != nil {
		return nil, fmt.Errorf("%s security group %s on server %s: %w", a.verb, args.Group, args.Server, err)
	}
	msg := "security group %s added to server %s"
	if a.verb == "remove" {
		msg = "security group %s removed from server %s"
	}
	return &tools.Result{
		Message:    fmt.Sprintf(msg, args.Group, args.Server),
		Outputs:    map[string]string{"server": args.Server, "group": args.Group},
		RequestIDs: tools.RequestIDs(resp, err),
	}, nil
}
