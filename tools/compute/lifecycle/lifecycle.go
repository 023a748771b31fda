// Package lifecycle holds the server actions that move a server between
// states without changing what it is: start, stop, reboot, pause,
// suspend, shelve, lock and their inverses. Each is one POST to
// /servers/{id}/action; they differ in which states allow them (Nova's
// vm_state and task_state rules), which state they end in and which
// action undoes them. One table describes them all.
package lifecycle

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/servers"

	"github.com/kriscelmer/os-tui/tools"
	serverreads "github.com/kriscelmer/os-tui/tools/compute/servers"
)

// Args are the arguments every lifecycle action takes.
type Args struct {
	Server string `json:"server"`
}

// action describes one lifecycle tool.
type action struct {
	verb    string // "stop": tool "server.stop"
	summary string
	// allowed are the server statuses (Nova's "status" field) the action
	// may start from; nil means any.
	allowed []string
	// until are the statuses that end the wait; nil means no wait.
	until []string
	// body is the action request body.
	body func() map[string]any
	// undo is the verb of the inverse action ("" when there is none).
	undo string
	// ignoresLock is true for actions a lock does not stop (unlock).
	ignoresLock bool
}

var actions = []action{
	{verb: "stop", summary: "Stop (power off) a server", allowed: []string{"ACTIVE", "ERROR", "RESCUE"}, until: []string{"SHUTOFF"},
		body: func() map[string]any { return map[string]any{"os-stop": nil} }, undo: "start"},
	{verb: "start", summary: "Start a stopped server", allowed: []string{"SHUTOFF"}, until: []string{"ACTIVE"},
		body: func() map[string]any { return map[string]any{"os-start": nil} }, undo: "stop"},
}

// Tools returns the lifecycle tools.
func Tools() []tools.Tool {
	out := make([]tools.Tool, 0, len(actions))
	for _, a := range actions {
		out = append(out, a.tool())
	}
	return out
}

func (a action) tool() tools.Tool {
	return tools.ChangeTool(tools.ChangeSpec[Args]{
		Name:     "server." + a.verb,
		Summary:  a.summary,
		Effect:   tools.Change,
		Service:  "compute",
		Produces: []string{"id", "name"},
		Check:    a.check,
		Preview:  a.preview,
		Run:      a.run,
		Undo:     a.undoCall,
	})
}

// check resolves the server and applies Nova's state rules, so a plan
// that cannot succeed is stopped before anything is sent.
func (a action) check(ctx context.Context, env *tools.Env, args Args) (*tools.Check, error) {
	var s server
	if err := serverreads.Find(ctx, env, args.Server, &s); err != nil {
		return nil, err
	}
	chk := &tools.Check{
		Targets:  []tools.Target{{Kind: "server", ID: s.ID, Name: s.Name}},
		Resolved: mustJSON(Args{Server: s.ID}),
		State:    s.state(),
	}
	desc := fmt.Sprintf("server %s is %s", s.Name, s.Status)
	switch {
	case s.TaskState != "":
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block,
			Text: fmt.Sprintf("%s and busy (%s); wait until the task finishes", desc, s.TaskState)})
	case a.allowed != nil && !slices.Contains(a.allowed, s.Status):
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block,
			Text: fmt.Sprintf("%s; %s needs it to be %s", desc, a.verb, strings.Join(a.allowed, " or "))})
	default:
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Info, Text: desc})
	}
	if s.Locked && !a.ignoresLock {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block, Text: s.lockedText()})
	}
	return chk, nil
}

// server is what the state rules read of a server (microversion 2.79).
type server struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Status       string `json:"status"`
	TaskState    string `json:"OS-EXT-STS:task_state"`
	Locked       bool   `json:"locked"`
	LockedReason string `json:"locked_reason"`
}

func (s server) lockedText() string {
	msg := fmt.Sprintf("server %s is locked", s.Name)
	if s.LockedReason != "" {
		msg += fmt.Sprintf(" (%q)", s.LockedReason)
	}
	return msg + "; unlock it first with /server unlock " + s.Name
}

// state sums up what the action depends on; a change between approval
// and run shows the plan again.
func (s server) state() string {
	return fmt.Sprintf("status=%s task=%s locked=%t", s.Status, s.TaskState, s.Locked)
}

func (a action) preview(ctx context.Context, env *tools.Env, args Args, chk *tools.Check) (*tools.Preview, error) {
	c, err := env.Clients.ServiceClient(ctx, "compute")
	if err != nil {
		return nil, err
	}
	id := chk.Targets[0].ID
	return &tools.Preview{
		Requests: []tools.Request{{Method: "POST", URL: c.ServiceURL("servers", id, "action"), Body: a.body()}},
		Changes:  a.changes(),
	}, nil
}

func (a action) changes() []tools.FieldChange {
	if len(a.until) == 0 {
		return nil
	}
	from := "any"
	if a.allowed != nil {
		from = strings.Join(a.allowed, "|")
	}
	return []tools.FieldChange{{Field: "status", From: from, To: strings.Join(a.until, "|")}}
}

func (a action) run(ctx context.Context, env *tools.Env, args Args) (*tools.Result, error) {
	c, err := env.Clients.ServiceClient(ctx, "compute")
	if err != nil {
		return nil, err
	}
	c.Microversion = serverreads.Microversion
	resp, err := c.Post(ctx, c.ServiceURL("servers", args.Server, "action"), a.body(), nil, &gophercloud.RequestOpts{OkCodes: []int{202}}) //nolint:bodyclose // closed by gophercloud
	if err != nil {
		return nil, fmt.Errorf("%s server %s: %w", a.verb, args.Server, err)
	}
	res := &tools.Result{
		Message:    fmt.Sprintf("server %s: %s requested", args.Server, a.verb),
		Outputs:    map[string]string{"id": args.Server},
		RequestIDs: requestIDs(header(resp)),
	}
	if len(a.until) > 0 {
		res.Await = &tools.Await{
			Kind:  "server",
			ID:    args.Server,
			Until: a.until,
			Fail:  []string{"ERROR"},
			Poll:  poll(args.Server),
		}
	}
	return res, nil
}

// poll returns the server's status, with its task state while one runs
// ("SHUTOFF, powering-on").
func poll(id string) func(ctx context.Context, env *tools.Env) (string, error) {
	return func(ctx context.Context, env *tools.Env) (string, error) {
		c, err := env.Clients.ServiceClient(ctx, "compute")
		if err != nil {
			return "", err
		}
		c.Microversion = serverreads.Microversion
		s, err := servers.Get(ctx, c, id).Extract()
		if err != nil {
			if gophercloud.ResponseCodeIs(err, 404) {
				return "", &tools.NotFoundError{Kind: "server", Name: id}
			}
			return "", err
		}
		if s.TaskState != "" {
			// Not a target status until the task is done.
			return s.Status + ", " + s.TaskState, nil
		}
		return s.Status, nil
	}
}

func (a action) undoCall(args Args, _ *tools.Result) *tools.Call {
	if a.undo == "" {
		return nil
	}
	return &tools.Call{Tool: "server." + a.undo, Args: mustJSON(args), Why: "undo " + a.verb}
}
