package servers

// The server actions that move a server between states without changing
// what it is: start, stop, reboot, pause, suspend, shelve, lock and their
// inverses. Each is one POST to /servers/{id}/action; they differ in which
// states allow them (Nova's vm_state and task_state rules), which state
// they end in and which action undoes them. One table describes them all.

import (
	"context"
	"fmt"
	"strings"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/servers"

	"github.com/kriscelmer/os-tui/tools"
)

// LifecycleArgs are the arguments of every lifecycle action. Hard belongs to
// server.reboot and Reason to server.lock; each tool's schema admits only
// its own, so the other fields are always zero (and left out of JSON).
type LifecycleArgs struct {
	Server string `json:"server"`
	Hard   bool   `json:"hard,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// lifecycle describes one lifecycle tool.
type lifecycle struct {
	verb string // "stop": tool "server.stop"
	// allowed are the server statuses (Nova's "status" field) the action
	// may start from; nil means any.
	allowed []string
	// allowedHard replaces allowed for a hard reboot, and busyHard are
	// the task states that do not stop one: a hard reboot is the way out
	// of a soft reboot that hangs.
	allowedHard, busyHard []string
	// until are the statuses that end the wait; nil means no wait.
	until []string
	// body builds the action request body.
	body func(args LifecycleArgs) (map[string]any, error)
	// undo is the verb of the inverse action ("" when there is none).
	undo string
	// locks is set for lock (true) and unlock (false): the lock flag the
	// action leaves. A lock does not stop them, a server already so is
	// a warning, and Run records the lock as it was for the undo.
	locks *bool
}

var (
	lockOn  = true
	lockOff = false
)

// simple returns a body builder for actions whose body is {"verb": null}.
func simple(key string) func(LifecycleArgs) (map[string]any, error) {
	return func(LifecycleArgs) (map[string]any, error) { return map[string]any{key: nil}, nil }
}

var lifecycles = []lifecycle{
	{verb: "stop", allowed: []string{"ACTIVE", "ERROR", "RESCUE"}, until: []string{"SHUTOFF"},
		body: simple("os-stop"), undo: "start"},
	{verb: "start", allowed: []string{"SHUTOFF"}, until: []string{"ACTIVE"},
		body: simple("os-start"), undo: "stop"},
	{verb: "reboot",
		allowed: []string{"ACTIVE"},
		// Nova's ALLOW_HARD_REBOOT vm states and ALLOW_REBOOT task states,
		// as the statuses the API shows for them.
		allowedHard: []string{"ACTIVE", "REBOOT", "HARD_REBOOT", "SHUTOFF", "ERROR", "PAUSED", "SUSPENDED"},
		busyHard:    []string{"rebooting", "reboot_pending", "reboot_started", "rebooting_hard", "resuming", "unpausing", "pausing", "suspending"},
		until:       []string{"ACTIVE"},
		body: func(args LifecycleArgs) (map[string]any, error) {
			opts := servers.RebootOpts{Type: servers.SoftReboot}
			if args.Hard {
				opts.Type = servers.HardReboot
			}
			return opts.ToServerRebootMap()
		}},
	{verb: "pause", allowed: []string{"ACTIVE"}, until: []string{"PAUSED"},
		body: simple("pause"), undo: "unpause"},
	{verb: "unpause", allowed: []string{"PAUSED"}, until: []string{"ACTIVE"},
		body: simple("unpause"), undo: "pause"},
	{verb: "suspend", allowed: []string{"ACTIVE"}, until: []string{"SUSPENDED"},
		body: simple("suspend"), undo: "resume"},
	{verb: "resume", allowed: []string{"SUSPENDED"}, until: []string{"ACTIVE"},
		body: simple("resume"), undo: "suspend"},
	{verb: "shelve", allowed: []string{"ACTIVE", "SHUTOFF", "PAUSED", "SUSPENDED"},
		until: []string{"SHELVED_OFFLOADED", "SHELVED"}, body: simple("shelve"), undo: "unshelve"},
	{verb: "unshelve", allowed: []string{"SHELVED", "SHELVED_OFFLOADED"}, until: []string{"ACTIVE"},
		body: func(LifecycleArgs) (map[string]any, error) { return servers.UnshelveOpts{}.ToUnshelveMap() }, undo: "shelve"},
	{verb: "lock", locks: &lockOn,
		body: func(args LifecycleArgs) (map[string]any, error) {
			if args.Reason == "" {
				return map[string]any{"lock": nil}, nil
			}
			return map[string]any{"lock": map[string]any{"locked_reason": args.Reason}}, nil
		}, undo: "unlock"},
	{verb: "unlock", locks: &lockOff, body: simple("unlock"), undo: "lock"},
}

// lifecycleTools returns the lifecycle tools.
func lifecycleTools() []tools.Tool {
	out := make([]tools.Tool, 0, len(lifecycles))
	for _, a := range lifecycles {
		out = append(out, a.tool())
	}
	return out
}

func (a lifecycle) tool() tools.Tool {
	return tools.ChangeTool(tools.ChangeSpec[LifecycleArgs]{
		Name:     "server." + a.verb,
		Effect:   tools.Change,
		Service:  "compute",
		Produces: []string{"id", "name"},
		Subject:  func(a LifecycleArgs) (string, string) { return subject(a.Server) },
		Check:    a.check,
		Preview:  a.preview,
		Run:      a.run,
		Undo:     a.undoCall,
	})
}

// from returns the statuses the action may start from for these
// arguments, and the task states that do not count as busy.
func (a lifecycle) from(args LifecycleArgs) (statuses, busyOK []string) {
	if args.Hard && a.allowedHard != nil {
		return a.allowedHard, a.busyHard
	}
	return a.allowed, nil
}

// name is how findings call the action: "hard reboot", "stop".
func (a lifecycle) name(args LifecycleArgs) string {
	if args.Hard && a.allowedHard != nil {
		return "hard " + a.verb
	}
	return a.verb
}

// check resolves the server and applies Nova's state rules, so a plan
// that cannot succeed is stopped before anything is sent.
func (a lifecycle) check(ctx context.Context, env *tools.Env, args LifecycleArgs) (*tools.Check, error) {
	s, err := Get(ctx, env, args.Server)
	if err != nil {
		return nil, err
	}
	resolved := args
	resolved.Server = s.ID
	chk := &tools.Check{
		Targets:  []tools.Target{s.Target()},
		Resolved: tools.JSON(resolved),
		State:    s.State(),
	}
	add := func(l tools.Level, format string, v ...any) {
		chk.Findings = append(chk.Findings, tools.Finding{Level: l, Text: fmt.Sprintf(format, v...)})
	}
	if a.locks == nil {
		statuses, busyOK := a.from(args)
		chk.Findings = append(chk.Findings, s.Allows(Rule{Verb: a.name(args), From: statuses, BusyOK: busyOK})...)
	} else {
		// Lock and unlock work in any state, even mid-task.
		add(tools.Info, "%s", s.Describe())
	}
	switch {
	case a.locks != nil && *a.locks && s.Locked:
		msg := fmt.Sprintf("server %s is already locked", s.Name)
		if s.LockedReason != "" {
			msg += fmt.Sprintf(" (%q)", s.LockedReason)
		}
		add(tools.Warn, "%s; locking it again changes nothing, not even the reason", msg)
	case a.locks != nil && !*a.locks && !s.Locked:
		add(tools.Warn, "server %s is not locked; unlocking it changes nothing", s.Name)
	}
	if a.locks != nil && *a.locks && args.Reason != "" {
		if err := a.checkReasonSupported(ctx, env, chk); err != nil {
			return nil, err
		}
	}
	return chk, nil
}

// checkReasonSupported blocks a lock reason the cloud cannot take: an
// older Nova refuses the whole request rather than drop the reason.
func (a lifecycle) checkReasonSupported(ctx context.Context, env *tools.Env, chk *tools.Check) error {
	f, err := requireMicroversion(ctx, env, lockReasonMicroversion, "a lock reason needs %s or later, so lock without --reason")
	if f != nil {
		chk.Findings = append(chk.Findings, *f)
	}
	return err
}

func (a lifecycle) preview(ctx context.Context, env *tools.Env, args LifecycleArgs, chk *tools.Check) (*tools.Preview, error) {
	c, err := env.Clients.ServiceClient(ctx, "compute")
	if err != nil {
		return nil, err
	}
	body, err := a.body(args)
	if err != nil {
		return nil, fmt.Errorf("%s server %s: %w", a.verb, args.Server, err)
	}
	id := chk.Targets[0].ID
	return &tools.Preview{
		Requests: []tools.Request{{Method: "POST", URL: c.ServiceURL("servers", id, "action"), Body: body}},
		Changes:  a.changes(args, chk.State),
	}, nil
}

// changes shows what the action changes, from the state Check saw
// (when the server was resolved) or from the states it allows.
func (a lifecycle) changes(args LifecycleArgs, state string) []tools.FieldChange {
	if a.locks != nil {
		if was := stateValue(state, "locked"); was == fmt.Sprint(*a.locks) {
			return nil // already so: nothing changes
		}
		out := []tools.FieldChange{{Field: "locked", From: !*a.locks, To: *a.locks}}
		if args.Reason != "" {
			out = append(out, tools.FieldChange{Field: "locked_reason", From: nil, To: args.Reason})
		}
		return out
	}
	if len(a.until) == 0 {
		return nil
	}
	from := stateValue(state, "status")
	if from == "" {
		from = "any"
		if statuses, _ := a.from(args); statuses != nil {
			from = strings.Join(statuses, "|")
		}
	}
	return []tools.FieldChange{{Field: "status", From: from, To: strings.Join(a.until, "|")}}
}

// stateValue reads one key of a State fingerprint ("status=ACTIVE
// task= locked=false"); "" when absent.
func stateValue(state, key string) string {
	for _, f := range strings.Fields(state) {
		if k, v, ok := strings.Cut(f, "="); ok && k == key {
			return v
		}
	}
	return ""
}

func (a lifecycle) run(ctx context.Context, env *tools.Env, args LifecycleArgs) (*tools.Result, error) {
	c, err := Client(ctx, env)
	if err != nil {
		return nil, err
	}
	body, err := a.body(args)
	if err != nil {
		return nil, fmt.Errorf("%s server %s: %w", a.verb, args.Server, err)
	}
	outputs := map[string]string{"id": args.Server}
	if a.locks != nil {
		// The undo depends on the lock as it was when the action ran,
		// not when it was checked.
		s, err := Get(ctx, env, args.Server)
		if err != nil {
			return nil, err
		}
		outputs["name"] = s.Name
		outputs["was_locked"] = fmt.Sprint(s.Locked)
		outputs["locked_reason"] = s.LockedReason
	}
	resp, err := c.Post(ctx, c.ServiceURL("servers", args.Server, "action"), body, nil, &gophercloud.RequestOpts{OkCodes: []int{202}}) //nolint:bodyclose // closed by gophercloud
	if err != nil {
		return nil, fmt.Errorf("%s server %s: %w", a.name(args), args.Server, err)
	}
	res := &tools.Result{
		Message:    fmt.Sprintf("server %s: %s requested", args.Server, a.name(args)),
		Outputs:    outputs,
		RequestIDs: tools.RequestIDs(resp, err),
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
		c, err := Client(ctx, env)
		if err != nil {
			return "", err
		}
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

func (a lifecycle) undoCall(args LifecycleArgs, res *tools.Result) *tools.Call {
	if a.undo == "" {
		return nil
	}
	inverse := LifecycleArgs{Server: args.Server}
	// Without the lock as Run found it (a plan being reviewed), the
	// inverse is named without its details.
	if a.locks != nil && res != nil && res.Outputs["was_locked"] != "" {
		// Locking a locked server or unlocking an unlocked one changed
		// nothing, so there is nothing to undo.
		if res.Outputs["was_locked"] == fmt.Sprint(*a.locks) {
			return nil
		}
		// Unlocking drops the reason; locking again restores it. An
		// unlock takes no reason, whatever the server showed.
		if !*a.locks {
			inverse.Reason = res.Outputs["locked_reason"]
		}
	}
	return &tools.Call{Tool: "server." + a.undo, Args: tools.JSON(inverse), Why: "undo " + a.name(args)}
}
