package executor

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/agent/gate"
	"github.com/kriscelmer/os-tui/agent/plan"
	"github.com/kriscelmer/os-tui/internal/audit"
	"github.com/kriscelmer/os-tui/schemas"
	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/toolstest"
)

// world is a fake cloud the fake tools act on.
type world struct {
	mu       sync.Mutex
	status   map[string]string // vm → status
	polls    []string          // statuses Poll returns in turn
	failRun  map[string]bool   // tool → Run fails
	ran      []string
	cancelAt int // cancel the context at this poll (0: never)
	cancel   context.CancelFunc
	pollN    int
}

type memAudit struct{ records []audit.Record }

func (m *memAudit) Append(r audit.Record) error {
	m.records = append(m.records, r)
	return nil
}

func setup(t *testing.T, w *world) (*gate.Gate, *Executor, *memAudit) {
	t.Helper()
	planSchema, _ := schemas.FS.ReadFile("plan.schema.json")
	vmSchema := func(name string) *fstest.MapFile {
		return &fstest.MapFile{Data: []byte(`{"$id": "https://ostui.dev/schemas/` + name + `.schema.json", "type": "object", "additionalProperties": false, "properties": {"vm": {"type": "string"}}}`)}
	}
	fs := fstest.MapFS{"plan.schema.json": {Data: planSchema}}
	var list []tools.Tool
	for _, name := range []string{"vm.create", "vm.stop", "vm.start"} {
		name := name
		fs[name+".schema.json"] = vmSchema(name)
		list = append(list, tools.Tool{
			Name: name, Summary: name, Service: "compute", Effect: tools.Change, Produces: []string{"id"},
			Check: func(_ context.Context, _ *tools.Env, args tools.Args) (*tools.Check, error) {
				var a struct{ VM string }
				_ = json.Unmarshal(args, &a)
				w.mu.Lock()
				defer w.mu.Unlock()
				return &tools.Check{State: w.status[a.VM], Targets: []tools.Target{{Kind: "vm", ID: a.VM, Name: a.VM}}}, nil
			},
			Preview: func(context.Context, *tools.Env, tools.Args, *tools.Check) (*tools.Preview, error) {
				return &tools.Preview{}, nil
			},
			Run: func(ctx context.Context, env *tools.Env, args tools.Args) (*tools.Result, error) {
				w.mu.Lock()
				defer w.mu.Unlock()
				w.ran = append(w.ran, name+" "+string(args))
				if w.failRun[name] {
					return nil, errors.New("409 conflict: instance is in task_state powering-off")
				}
				res := &tools.Result{Outputs: map[string]string{"id": "vm-new"}, RequestIDs: []string{"req-" + name}}
				if len(w.polls) > 0 {
					res.Await = &tools.Await{Kind: "vm", ID: "vm-1", Until: []string{"SHUTOFF"}, Fail: []string{"ERROR"},
						Poll: func(context.Context, *tools.Env) (string, error) {
							w.mu.Lock()
							defer w.mu.Unlock()
							w.pollN++
							if w.cancelAt == w.pollN {
								w.cancel()
							}
							s := w.polls[0]
							if len(w.polls) > 1 {
								w.polls = w.polls[1:]
							}
							return s, nil
						}}
				}
				return res, nil
			},
			Undo: func(args tools.Args, _ *tools.Result) *tools.Call {
				return &tools.Call{Tool: "vm.start", Args: args, Why: "undo " + name}
			},
		})
	}
	// vm.show answers holds checks: a held step runs nothing.
	fs["vm.show.schema.json"] = vmSchema("vm.show")
	list = append(list, tools.Tool{Name: "vm.show", Summary: "vm.show", Service: "compute", Effect: tools.Read,
		Run: func(_ context.Context, _ *tools.Env, args tools.Args) (*tools.Result, error) {
			var a struct{ VM string }
			_ = json.Unmarshal(args, &a)
			w.mu.Lock()
			defer w.mu.Unlock()
			status, ok := w.status[a.VM]
			if !ok {
				return nil, &tools.NotFoundError{Kind: "vm", Name: a.VM}
			}
			return &tools.Result{Record: &tools.Record{Fields: []tools.Field{{Name: "id", Value: a.VM}, {Name: "status", Value: status}}}}, nil
		}})
	reg, err := tools.NewRegistry(fs, schemas.BaseURL, list)
	if err != nil {
		t.Fatal(err)
	}
	g := &gate.Gate{Registry: reg}
	log := &memAudit{}
	x := &Executor{Gate: g, Audit: log, Poll: time.Millisecond,
		Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() }}
	return g, x, log
}

func approve(t *testing.T, g *gate.Gate, env *tools.Env, steps ...plan.Step) *gate.Approved {
	t.Helper()
	r, err := g.Preflight(t.Context(), env, &plan.Plan{ID: "p1", Goal: "g", Origin: "slash", Steps: steps})
	if err != nil {
		t.Fatal(err)
	}
	a, err := g.Approve(r, gate.ByKeyboard, nil)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func st(id, tool, args string) plan.Step {
	return plan.Step{ID: id, Tool: tool, Args: json.RawMessage(args)}
}

func statuses(o *Outcome) []string {
	var out []string
	for _, s := range o.Steps {
		out = append(out, s.Step.ID+":"+s.Status)
	}
	return out
}

func TestRunWaitsAndAudits(t *testing.T) {
	w := &world{status: map[string]string{"vm-1": "ACTIVE"}, polls: []string{"ACTIVE, powering-off", "SHUTOFF, powering-off", "SHUTOFF"}}
	g, x, log := setup(t, w)
	env := toolstest.New(t).Env()
	out, err := x.Execute(t.Context(), env, approve(t, g, env, st("stop", "vm.stop", `{"vm": "vm-1"}`)))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"stop:ok"}, statuses(out)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if out.Steps[0].Final != "SHUTOFF" || w.pollN != 3 {
		t.Errorf("final = %q after %d polls; a task state must not end the wait", out.Steps[0].Final, w.pollN)
	}
	var events []string
	for _, r := range log.records {
		events = append(events, r.Event+":"+r.Result)
	}
	if diff := cmp.Diff([]string{"approval:", "start:", "step:ok"}, events); diff != "" {
		t.Errorf("audit (-want +got):\n%s", diff)
	}
	if got := log.records[2]; got.Approval != "keyboard" || got.RequestIDs[0] != "req-vm.stop" || len(got.Targets) != 1 {
		t.Errorf("step record = %+v", got)
	}
}

func TestFailureStopsAndOffersUndo(t *testing.T) {
	w := &world{status: map[string]string{"vm-1": "ACTIVE", "vm-2": "ACTIVE"}, failRun: map[string]bool{"vm.start": true}}
	g, x, _ := setup(t, w)
	env := toolstest.New(t).Env()
	a := approve(t, g, env,
		st("one", "vm.stop", `{"vm": "vm-1"}`),
		st("two", "vm.start", `{"vm": "vm-2"}`),
		st("three", "vm.stop", `{"vm": "vm-2"}`))
	out, err := x.Execute(t.Context(), env, a)
	if err == nil || !strings.Contains(err.Error(), "409 conflict") {
		t.Fatalf("err = %v", err)
	}
	if diff := cmp.Diff([]string{"one:ok", "two:failed", "three:not-run"}, statuses(out)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if out.Undo == nil || len(out.Undo.Steps) != 1 || out.Undo.Steps[0].Tool != "vm.start" || string(out.Undo.Steps[0].Args) != `{"vm":"vm-1"}` {
		t.Fatalf("undo = %+v", out.Undo)
	}
	// The undo is a plan: it must pass the gate to run.
	if err := g.Validate(out.Undo, nil); err != nil {
		t.Errorf("undo plan invalid: %v", err)
	}
}

func TestCtrlCStopsWaitingNotTheOperation(t *testing.T) {
	w := &world{status: map[string]string{"vm-1": "ACTIVE"}, polls: []string{"ACTIVE, powering-off"}, cancelAt: 2}
	g, x, log := setup(t, w)
	env := toolstest.New(t).Env()
	ctx, cancel := context.WithCancel(t.Context())
	w.cancel = cancel
	out, err := x.Execute(ctx, env, approve(t, g, env, st("stop", "vm.stop", `{"vm": "vm-1"}`)))
	if err == nil || !strings.Contains(err.Error(), "stopped waiting: vm vm-1 is still ACTIVE, powering-off; the operation goes on in the cloud") {
		t.Fatalf("err = %v", err)
	}
	if out.Steps[0].Status != StatusWaitStopped || len(w.ran) != 1 {
		t.Errorf("status %s, ran %v", out.Steps[0].Status, w.ran)
	}
	if last := log.records[len(log.records)-1]; last.Result != StatusWaitStopped {
		t.Errorf("audit result = %q", last.Result)
	}
}

func TestChangedStateStops(t *testing.T) {
	w := &world{status: map[string]string{"vm-1": "ACTIVE"}}
	g, x, _ := setup(t, w)
	env := toolstest.New(t).Env()
	a := approve(t, g, env, st("stop", "vm.stop", `{"vm": "vm-1"}`))
	w.status["vm-1"] = "PAUSED"
	out, err := x.Execute(t.Context(), env, a)
	var ce *gate.ChangedError
	if !errors.As(err, &ce) || out.Steps[0].Status != StatusChanged || len(w.ran) != 0 {
		t.Fatalf("err = %v, status %s, ran %v", err, out.Steps[0].Status, w.ran)
	}
}

func TestReferencesResolveFromOutputs(t *testing.T) {
	w := &world{status: map[string]string{"": "x", "vm-new": "x"}}
	g, x, _ := setup(t, w)
	env := toolstest.New(t).Env()
	_, err := x.Execute(t.Context(), env, approve(t, g, env,
		st("make", "vm.create", `{}`),
		st("stop", "vm.stop", `{"vm": "${make.id}"}`)))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"vm.create {}", `vm.stop {"vm":"vm-new"}`}, w.ran); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestMutatingCallsSurviveCtrlC: a change already sent is not cut off by
// Ctrl-C (the context Run gets stays live, with a deadline); an
// interruptible tool (an upload) gets the person's context itself.
func TestMutatingCallsSurviveCtrlC(t *testing.T) {
	for _, interruptible := range []bool{false, true} {
		w := &world{status: map[string]string{"vm-1": "ACTIVE"}}
		g, x, _ := setup(t, w)
		env := toolstest.New(t).Env()
		a := approve(t, g, env, st("stop", "vm.stop", `{"vm": "vm-1"}`))
		a.Review().Steps[0].Tool.Interruptible = interruptible
		ctx, cancel := context.WithCancel(t.Context())
		var runErr error
		var hasDeadline bool
		orig := a.Review().Steps[0].Tool.Run
		a.Review().Steps[0].Tool.Run = func(rctx context.Context, env *tools.Env, args tools.Args) (*tools.Result, error) {
			cancel() // Ctrl-C while the call is in flight
			runErr = rctx.Err()
			_, hasDeadline = rctx.Deadline()
			return orig(rctx, env, args)
		}
		_, _ = x.Execute(ctx, env, a)
		if interruptible {
			if runErr == nil {
				t.Error("an interruptible tool did not see Ctrl-C")
			}
			continue
		}
		if runErr != nil || !hasDeadline {
			t.Errorf("a mutating call saw err %v, deadline %v; want a live context with a deadline", runErr, hasDeadline)
		}
	}
}

func TestOnlyApprovedPlansRun(t *testing.T) {
	_, x, _ := setup(t, &world{})
	for _, a := range []*gate.Approved{nil, {}} {
		if _, err := x.Execute(t.Context(), toolstest.New(t).Env(), a); err == nil {
			t.Error("ran a plan the gate did not approve")
		}
	}
}

func TestHeldStepRunsNothing(t *testing.T) {
	w := &world{status: map[string]string{"vm-1": "ACTIVE"}}
	g, x, log := setup(t, w)
	env := toolstest.New(t).Env()
	create := st("create", "vm.create", `{"vm": "vm-1"}`)
	create.Holds = &plan.Holds{Tool: "vm.show", Args: map[string]any{"vm": "vm-1"}, Expect: map[string]any{"status": "ACTIVE"}}
	out, err := x.Execute(t.Context(), env, approve(t, g, env, create, st("stop", "vm.stop", `{"vm": "${create.id}"}`)))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"create:held", "stop:ok"}, statuses(out)); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	// Only the stop ran, on the ID the holds read gave.
	if diff := cmp.Diff([]string{`vm.stop {"vm":"vm-1"}`}, w.ran); diff != "" {
		t.Errorf("ran (-want +got):\n%s", diff)
	}
	var held *audit.Record
	for i := range log.records {
		if log.records[i].Step == "create" {
			held = &log.records[i]
		}
	}
	if held == nil || held.Result != StatusHeld || !strings.Contains(held.Note, "already exists and is ACTIVE — nothing to do") {
		t.Errorf("audit of the held step: %+v", held)
	}
}
