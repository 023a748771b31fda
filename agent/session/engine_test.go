package session

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/agent/executor"
	"github.com/kriscelmer/os-tui/agent/gate"
	"github.com/kriscelmer/os-tui/agent/plan"
	"github.com/kriscelmer/os-tui/internal/audit/audittest"
	"github.com/kriscelmer/os-tui/schemas"
	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/toolstest"
)

// world is a fake cloud the fake vm tools act on.
type world struct {
	mu      sync.Mutex
	status  map[string]string // vm → state the preflight sees
	failRun map[string]bool   // tool → its Run fails
	block   map[string]bool   // vm → preflight blocks it
	ran     []string
}

func (w *world) ranSteps() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.ran...)
}

// recorder keeps every event the engine sends.
type recorder struct {
	mu     sync.Mutex
	events []Event
}

func (r *recorder) add(e Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

// kinds names the events, without the state changes.
func (r *recorder) kinds() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, e := range r.events {
		if _, ok := e.(StateChanged); ok {
			continue
		}
		out = append(out, strings.TrimPrefix(fmt.Sprintf("%T", e), "session."))
	}
	return out
}

func (r *recorder) states() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, e := range r.events {
		if sc, ok := e.(StateChanged); ok {
			out = append(out, sc.To.String())
		}
	}
	return out
}

// failures are engine bugs: a forbidden state change.
func (r *recorder) failures() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, e := range r.events {
		if f, ok := e.(Failure); ok {
			if strings.HasPrefix(f.Err.Error(), "internal:") {
				out = append(out, f.Err.Error())
			}
		}
	}
	return out
}

type fixture struct {
	engine *Engine
	world  *world
	audit  *audittest.Memory
	rec    *recorder
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	w := &world{status: map[string]string{"vm-1": "ACTIVE", "vm-2": "ACTIVE"}, failRun: map[string]bool{}, block: map[string]bool{}}
	planSchema, err := schemas.FS.ReadFile("plan.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	fs := fstest.MapFS{"plan.schema.json": {Data: planSchema}}
	var list []tools.Tool
	for _, spec := range []struct {
		name   string
		effect tools.Effect
	}{{"vm.stop", tools.Change}, {"vm.start", tools.Change}, {"vm.delete", tools.Destroy}, {"vm.list", tools.Read}, {"vm.console-url", tools.Read}, {"vm.show", tools.Read}} {
		name := spec.name
		fs[name+".schema.json"] = &fstest.MapFile{Data: []byte(`{"$id": "https://ostui.dev/schemas/` + name +
			`.schema.json", "description": "` + name + `", "type": "object", "additionalProperties": false, "properties": {"vm": {"type": "string", "description": "the vm"}}}`)}
		tl := tools.Tool{Name: name, Summary: name, Service: "compute", Effect: spec.effect, Produces: []string{"id"}}
		if spec.effect == tools.Read {
			tl.PersonOnly = name == "vm.console-url"
			tl.Run = func(_ context.Context, _ *tools.Env, args tools.Args) (*tools.Result, error) {
				if name == "vm.show" {
					// The read behind holds checks: a record with a status.
					var a struct{ VM string }
					_ = json.Unmarshal(args, &a)
					w.mu.Lock()
					defer w.mu.Unlock()
					return &tools.Result{Record: &tools.Record{Fields: []tools.Field{{Name: "id", Value: a.VM}, {Name: "status", Value: w.status[a.VM]}}}}, nil
				}
				return &tools.Result{Text: "vm-1 vm-2"}, nil
			}
			list = append(list, tl)
			continue
		}
		tl.Check = func(_ context.Context, _ *tools.Env, args tools.Args) (*tools.Check, error) {
			var a struct{ VM string }
			if err := json.Unmarshal(args, &a); err != nil {
				return nil, err
			}
			w.mu.Lock()
			defer w.mu.Unlock()
			c := &tools.Check{State: w.status[a.VM], Targets: []tools.Target{{Kind: "vm", ID: a.VM, Name: a.VM}}}
			if w.block[a.VM] {
				c.Findings = append(c.Findings, tools.Finding{Level: tools.Block, Text: a.VM + " is locked"})
			}
			return c, nil
		}
		tl.Preview = func(context.Context, *tools.Env, tools.Args, *tools.Check) (*tools.Preview, error) {
			return &tools.Preview{}, nil
		}
		tl.Run = func(_ context.Context, _ *tools.Env, args tools.Args) (*tools.Result, error) {
			w.mu.Lock()
			defer w.mu.Unlock()
			w.ran = append(w.ran, name+" "+string(args))
			if w.failRun[name] {
				return nil, errors.New("409 conflict")
			}
			return &tools.Result{Outputs: map[string]string{"id": "x"}}, nil
		}
		tl.Undo = func(args tools.Args, _ *tools.Result) *tools.Call {
			return &tools.Call{Tool: "vm.start", Args: args, Why: "undo " + name}
		}
		list = append(list, tl)
	}
	reg, err := tools.NewRegistry(fs, schemas.BaseURL, list)
	if err != nil {
		t.Fatal(err)
	}
	env := toolstest.New(t).Env()
	f := &fixture{world: w, audit: &audittest.Memory{}, rec: &recorder{}}
	f.engine = &Engine{
		Registry: reg,
		Env:      func() (*tools.Env, error) { return env, nil },
		Audit:    f.audit,
		Events:   f.rec.add,
		Scope:    func() executor.Scope { return executor.Scope{Cloud: "test"} },
	}
	t.Cleanup(func() {
		if fs := f.rec.failures(); len(fs) > 0 {
			t.Errorf("engine failures: %v", fs)
		}
	})
	return f
}

func stepPlan(origin string, steps ...plan.Step) *plan.Plan {
	return &plan.Plan{ID: plan.NewID(), Goal: "test", Origin: origin, Steps: steps}
}

func step(id, tool, vm string) plan.Step {
	return plan.Step{ID: id, Tool: tool, Args: json.RawMessage(`{"vm": "` + vm + `"}`)}
}

// answers is an Approver that gives the listed decisions in turn and
// records what it was asked.
type answers struct {
	mu        sync.Mutex
	decisions []Decision
	asked     []Request
	before    func(n int) // called before answering the n-th question
}

func (a *answers) Decide(_ context.Context, req Request) (Decision, error) {
	a.mu.Lock()
	n := len(a.asked)
	a.asked = append(a.asked, req)
	var d Decision
	if len(a.decisions) > 0 {
		d, a.decisions = a.decisions[0], a.decisions[1:]
	}
	before := a.before
	a.mu.Unlock()
	if before != nil {
		before(n)
	}
	return d, nil
}

func (a *answers) kinds() []RequestKind {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []RequestKind
	for _, r := range a.asked {
		out = append(out, r.Kind)
	}
	return out
}

func TestSubmitApprovedRunsAndAudits(t *testing.T) {
	f := newFixture(t)
	ap := &answers{decisions: []Decision{{Verdict: Approve}}}
	out, err := f.engine.Submit(t.Context(), stepPlan(plan.OriginSlash, step("stop", "vm.stop", "vm-1")), ap)
	if err != nil {
		t.Fatal(err)
	}
	if out.Status != StatusOK || out.Summary != "stop: ok" {
		t.Errorf("outcome = %+v", out)
	}
	if diff := cmp.Diff([]string{`vm.stop {"vm":"vm-1"}`}, f.world.ranSteps()); diff != "" {
		t.Errorf("ran (-want +got):\n%s", diff)
	}
	wantEvents := []string{"PreflightStarted", "ReviewReady", "ApprovalNeeded", "StepStarted", "StepFinished", "Finished"}
	if diff := cmp.Diff(wantEvents, f.rec.kinds()); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	wantStates := []string{"reviewing", "awaiting approval", "executing", "done"}
	if diff := cmp.Diff(wantStates, f.rec.states()); diff != "" {
		t.Errorf("states (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"approval/slash/", "start/slash/", "step/slash/ok"}, f.audit.Events("/", "Event", "Origin", "Result")); diff != "" {
		t.Errorf("audit (-want +got):\n%s", diff)
	}
}

// TestEveryOriginTakesTheSamePath: a denial, fail-closed, grants and
// --yes behave the same whatever a plan's origin, except where the rule
// itself is about the origin (grants and --yes only for a person's own
// commands).
func TestEveryOriginTakesTheSamePath(t *testing.T) {
	origins := []string{plan.OriginSlash, plan.OriginModel, plan.OriginRecipe, plan.OriginMCP}
	for _, origin := range origins {
		t.Run(origin+"/denied with a reason", func(t *testing.T) {
			f := newFixture(t)
			ap := &answers{decisions: []Decision{{Verdict: Deny, Reason: "not now"}}}
			out, err := f.engine.Submit(t.Context(), stepPlan(origin, step("stop", "vm.stop", "vm-1")), ap)
			var de *DeclinedError
			if !errors.As(err, &de) || de.Reason != "not now" {
				t.Fatalf("err = %v, want a DeclinedError with the reason", err)
			}
			if out.Status != StatusDenied || out.Retryable || out.Reason != "not now" {
				t.Errorf("outcome = %+v", out)
			}
			if got := out.ForModel().Errors; !strings.Contains(strings.Join(got, "\n"), "the person said: not now") {
				t.Errorf("the model is not told the reason: %v", got)
			}
			if len(f.world.ranSteps()) != 0 {
				t.Errorf("ran %v after a no", f.world.ranSteps())
			}
			if diff := cmp.Diff([]string{"denied/" + origin + "/"}, f.audit.Events("/", "Event", "Origin", "Result")); diff != "" {
				t.Errorf("audit (-want +got):\n%s", diff)
			}
			if got := f.rec.states(); got[len(got)-1] != "cancelled" {
				t.Errorf("final state %v", got)
			}
		})
		t.Run(origin+"/nobody to ask", func(t *testing.T) {
			f := newFixture(t)
			_, err := f.engine.Submit(t.Context(), stepPlan(origin, step("stop", "vm.stop", "vm-1")), FailClosed)
			var na *NeedsApprovalError
			if !errors.As(err, &na) {
				t.Fatalf("err = %v, want NeedsApprovalError", err)
			}
			if len(f.world.ranSteps()) != 0 {
				t.Error("a change ran with nobody to approve it")
			}
		})
		t.Run(origin+"/--yes", func(t *testing.T) {
			f := newFixture(t)
			_, err := f.engine.Submit(t.Context(), stepPlan(origin, step("stop", "vm.stop", "vm-1")), WithYes(FailClosed))
			personal := origin == plan.OriginSlash || origin == plan.OriginRecipe
			if personal && err != nil {
				t.Fatalf("--yes on a %s plan: %v", origin, err)
			}
			var na *NeedsApprovalError
			if !personal && !errors.As(err, &na) {
				t.Fatalf("--yes approved a %s plan (err %v)", origin, err)
			}
		})
		t.Run(origin+"/grant", func(t *testing.T) {
			f := newFixture(t)
			ap := &answers{decisions: []Decision{{Verdict: AllowForSession}, {Verdict: Deny}}}
			first, err := f.engine.Submit(t.Context(), stepPlan(origin, step("stop", "vm.stop", "vm-1")), ap)
			personal := origin == plan.OriginSlash || origin == plan.OriginRecipe
			if !personal {
				// No grant is offered for a plan nobody typed, so the
				// answer is refused rather than taken.
				if err == nil || first.Status == StatusOK {
					t.Fatalf("a %s plan was granted: %v", origin, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.engine.Submit(t.Context(), stepPlan(origin, step("stop", "vm.stop", "vm-2")), ap); err != nil {
				t.Fatalf("the granted tool asked again: %v", err)
			}
			if got := len(ap.kinds()); got != 1 {
				t.Errorf("asked %d times, want once", got)
			}
			// A model's plan with the same tool still asks.
			if _, err := f.engine.Submit(t.Context(), stepPlan(plan.OriginModel, step("stop", "vm.stop", "vm-2")), ap); err == nil {
				t.Error("a grant approved a model's plan")
			}
		})
	}
}

func TestDestroyIsNeverGranted(t *testing.T) {
	f := newFixture(t)
	ap := &answers{decisions: []Decision{{Verdict: AllowForSession}}}
	_, err := f.engine.Submit(t.Context(), stepPlan(plan.OriginSlash, step("delete", "vm.delete", "vm-1")), ap)
	if err == nil {
		t.Fatal("allow-for-session approved a destroy tool")
	}
	if ap.asked[0].Grantable != nil {
		t.Error("a destroy tool was offered as grantable")
	}
}

func TestAskModeRefusesChangesBeforeLookingAnythingUp(t *testing.T) {
	f := newFixture(t)
	if err := f.engine.SetMode(gate.ModeAsk); err != nil {
		t.Fatal(err)
	}
	ap := &answers{}
	out, err := f.engine.Submit(t.Context(), stepPlan(plan.OriginModel, step("stop", "vm.stop", "vm-1")), ap)
	var me *gate.ModeError
	if !errors.As(err, &me) || out.Status != StatusDenied {
		t.Fatalf("err = %v, outcome %+v", err, out)
	}
	if len(ap.kinds()) != 0 {
		t.Error("the person was asked in ask mode")
	}
	if diff := cmp.Diff([]string{"Finished"}, f.rec.kinds()); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}

func TestInvalidPlanGoesBackStructured(t *testing.T) {
	f := newFixture(t)
	p := stepPlan(plan.OriginModel, plan.Step{ID: "x", Tool: "vm.explode", Args: json.RawMessage(`{}`)},
		plan.Step{ID: "y", Tool: "vm.stop", Args: json.RawMessage(`{"vm": 3}`)})
	out, err := f.engine.Submit(t.Context(), p, &answers{})
	var pe *gate.PlanError
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v, want a PlanError", err)
	}
	if out.Status != StatusInvalid || !out.Retryable || len(out.Errors) < 2 {
		t.Errorf("outcome = %+v", out)
	}
	if !strings.HasPrefix(out.Errors[0], "step x: ") {
		t.Errorf("errors do not name the step: %v", out.Errors)
	}
}

func TestBlockedPlanCanBeEdited(t *testing.T) {
	f := newFixture(t)
	f.world.block["vm-1"] = true
	edited := stepPlan(plan.OriginSlash, step("stop", "vm.stop", "vm-2"))
	ap := &answers{decisions: []Decision{{Verdict: Edit, Edited: edited}, {Verdict: Approve}}}
	p := stepPlan(plan.OriginModel, step("stop", "vm.stop", "vm-1"))
	if _, err := f.engine.Submit(t.Context(), p, ap); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]RequestKind{FixBlocked, ApprovePlan}, ap.kinds()); diff != "" {
		t.Errorf("asked (-want +got):\n%s", diff)
	}
	if got := ap.asked[1].Review.Plan.Origin; got != plan.OriginModel {
		t.Errorf("an edited model plan became a %q plan: editing must not launder its origin", got)
	}
	if diff := cmp.Diff([]string{`vm.stop {"vm":"vm-2"}`}, f.world.ranSteps()); diff != "" {
		t.Errorf("ran (-want +got):\n%s", diff)
	}
}

func TestBlockedPlanNotEdited(t *testing.T) {
	f := newFixture(t)
	f.world.block["vm-1"] = true
	out, err := f.engine.Submit(t.Context(), stepPlan(plan.OriginSlash, step("stop", "vm.stop", "vm-1")), &answers{})
	var be *BlockedError
	if !errors.As(err, &be) || out.Status != StatusBlocked || !out.Retryable {
		t.Fatalf("err = %v, outcome %+v", err, out)
	}
	if !strings.Contains(strings.Join(be.Problems, " "), "vm-1 is locked") {
		t.Errorf("problems = %v", be.Problems)
	}
}

func TestChangedSinceApprovalIsReviewedAgain(t *testing.T) {
	f := newFixture(t)
	ap := &answers{decisions: []Decision{{Verdict: Approve}, {Verdict: Approve}}}
	ap.before = func(n int) {
		if n == 0 {
			// Between the review and the run, the server moves.
			f.world.mu.Lock()
			f.world.status["vm-1"] = "SHUTOFF"
			f.world.mu.Unlock()
		}
	}
	for _, origin := range []string{plan.OriginSlash, plan.OriginModel} {
		f.world.status["vm-1"] = "ACTIVE"
		ap.asked, ap.decisions = nil, []Decision{{Verdict: Approve}, {Verdict: Approve}}
		if _, err := f.engine.Submit(t.Context(), stepPlan(origin, step("stop", "vm.stop", "vm-1")), ap); err != nil {
			t.Fatalf("%s: %v", origin, err)
		}
		if got := len(ap.kinds()); got != 2 {
			t.Errorf("%s: asked %d times, want 2 (the plan shown again after the change)", origin, got)
		}
	}
	if got := len(f.world.ranSteps()); got != 2 {
		t.Errorf("ran %d steps, want one per plan", got)
	}
}

func TestUndoOfferedAfterAFailureGoesThroughTheGate(t *testing.T) {
	f := newFixture(t)
	f.world.failRun["vm.start"] = true
	ap := &answers{decisions: []Decision{{Verdict: Approve}, {Verdict: Approve}, {Verdict: Approve}}}
	p := stepPlan(plan.OriginModel, step("stop", "vm.stop", "vm-1"), step("start", "vm.start", "vm-2"))
	out, err := f.engine.Submit(t.Context(), p, ap)
	if err == nil || out.Status != StatusFailed {
		t.Fatalf("err = %v, outcome %+v", err, out)
	}
	if diff := cmp.Diff([]RequestKind{ApprovePlan, ReviewUndo, ApprovePlan}, ap.kinds()); diff != "" {
		t.Errorf("asked (-want +got):\n%s", diff)
	}
	undo := ap.asked[2].Review.Plan
	if undo.Origin != plan.OriginModel || undo.Steps[0].Tool != "vm.start" {
		t.Errorf("undo plan = %+v", undo)
	}
	kinds := f.rec.kinds()
	if !strings.Contains(strings.Join(kinds, " "), "UndoOffered") {
		t.Errorf("no UndoOffered event: %v", kinds)
	}
}

func TestUndoNotOfferedWithoutAnyoneToAsk(t *testing.T) {
	f := newFixture(t)
	f.world.failRun["vm.start"] = true
	p := stepPlan(plan.OriginSlash, step("stop", "vm.stop", "vm-1"), step("start", "vm.start", "vm-2"))
	if _, err := f.engine.Submit(t.Context(), p, WithYes(FailClosed)); err == nil {
		t.Fatal("the failing step passed")
	}
	if got := len(f.world.ranSteps()); got != 2 {
		t.Errorf("ran %d steps; the undo must not run unasked", got)
	}
}

func TestStepByStep(t *testing.T) {
	f := newFixture(t)
	ap := &answers{decisions: []Decision{{Verdict: ApproveSteps, Runs: []bool{false, true}}}}
	p := stepPlan(plan.OriginSlash, step("stop", "vm.stop", "vm-1"), step("stop2", "vm.stop", "vm-2"))
	out, err := f.engine.Submit(t.Context(), p, ap)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{`vm.stop {"vm":"vm-2"}`}, f.world.ranSteps()); diff != "" {
		t.Errorf("ran (-want +got):\n%s", diff)
	}
	if out.Summary != "stop: skipped; stop2: ok" {
		t.Errorf("summary = %q", out.Summary)
	}
	none := &answers{decisions: []Decision{{Verdict: ApproveSteps, Runs: []bool{false, false}}}}
	if _, err := f.engine.Submit(t.Context(), p, none); err == nil {
		t.Error("declining every step did not decline the plan")
	}
}

func TestCheckStopsBeforeApproval(t *testing.T) {
	f := newFixture(t)
	r, err := f.engine.Check(t.Context(), stepPlan(plan.OriginRecipe, step("stop", "vm.stop", "vm-1")))
	if err != nil || r == nil {
		t.Fatalf("review %v, err %v", r, err)
	}
	if len(f.world.ranSteps()) != 0 {
		t.Error("check ran a step")
	}
	f.world.block["vm-1"] = true
	var be *BlockedError
	if _, err := f.engine.Check(t.Context(), stepPlan(plan.OriginRecipe, step("stop", "vm.stop", "vm-1"))); !errors.As(err, &be) {
		t.Errorf("blocked check err = %v", err)
	}
}

func TestPersonOnlyToolsAnswerThePersonOnly(t *testing.T) {
	for _, tc := range []struct {
		origin  string
		refused bool
	}{
		{plan.OriginSlash, false},
		{plan.OriginRecipe, false},
		{plan.OriginModel, true},
		{plan.OriginMCP, true},
	} {
		t.Run(tc.origin, func(t *testing.T) {
			f := newFixture(t)
			res, err := f.engine.Read(t.Context(), tc.origin, "vm.console-url", tools.Args(`{}`))
			var po *PersonOnlyError
			if got := errors.As(err, &po); got != tc.refused {
				t.Fatalf("refused = %v (res %v, err %v), want %v", got, res, err, tc.refused)
			}
			if tc.refused {
				if res != nil || len(f.rec.kinds()) != 0 {
					t.Errorf("a refused read ran or was announced: %v %v", res, f.rec.kinds())
				}
				if !strings.Contains(err.Error(), "ask the person to run /vm console-url") {
					t.Errorf("refusal does not say what to do: %v", err)
				}
				p := &plan.Plan{Goal: "g", Origin: tc.origin, Steps: []plan.Step{{ID: "s1", Tool: "vm.console-url", Args: json.RawMessage(`{}`)}}}
				out, err := f.engine.Submit(t.Context(), p, nil)
				if !errors.As(err, &po) || out.Status != StatusDenied {
					t.Errorf("a plan naming a person-only tool: status %v, err %v", out.Status, err)
				}
			}
		})
	}
}

func TestReadAnnounces(t *testing.T) {
	f := newFixture(t)
	res, err := f.engine.Read(t.Context(), plan.OriginMCP, "vm.list", tools.Args(`{}`))
	if err != nil || res.Text != "vm-1 vm-2" {
		t.Fatalf("res %v, err %v", res, err)
	}
	if _, err := f.engine.Read(t.Context(), plan.OriginMCP, "vm.stop", tools.Args(`{"vm": "vm-1"}`)); err == nil {
		t.Error("Read ran a change tool")
	}
	if len(f.world.ranSteps()) != 0 {
		t.Error("a change ran through Read")
	}
	if diff := cmp.Diff([]string{"ReadStarted", "ReadFinished", "ReadStarted", "ReadFinished"}, f.rec.kinds()); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}

func TestStateMachine(t *testing.T) {
	tests := []struct {
		path []State
		ok   bool
	}{
		{[]State{Reviewing, AwaitingApproval, Executing, Done}, true},
		{[]State{Planning, Reviewing, AwaitingApproval, Planning, Done}, true},
		{[]State{Reviewing, Reviewing, AwaitingApproval, Cancelled}, true},
		{[]State{Executing}, false},
		{[]State{Planning, Executing}, false},
		{[]State{Reviewing, Done, Planning}, false},
	}
	for _, tt := range tests {
		var fails []error
		tr := &turn{id: 1, emit: func(e Event) {
			if f, ok := e.(Failure); ok {
				fails = append(fails, f.Err)
			}
		}}
		for _, s := range tt.path {
			tr.to(s)
		}
		if (len(fails) == 0) != tt.ok {
			t.Errorf("path %v: failures %v, want ok=%v", tt.path, fails, tt.ok)
		}
	}
}

func TestGrantable(t *testing.T) {
	tool := func(name string, e tools.Effect) *tools.Tool { return &tools.Tool{Name: name, Effect: e} }
	review := func(origin string, ts ...*tools.Tool) *gate.Review {
		r := &gate.Review{Plan: &plan.Plan{Origin: origin}}
		for _, tl := range ts {
			r.Steps = append(r.Steps, gate.StepReview{Tool: tl})
		}
		return r
	}
	stop, start, del, list := tool("server.stop", tools.Change), tool("server.start", tools.Change), tool("server.delete", tools.Destroy), tool("server.list", tools.Read)
	tests := []struct {
		name string
		r    *gate.Review
		want string
	}{
		{"one change tool", review("slash", stop), "server.stop"},
		{"same tool twice, with a read", review("slash", list, stop, stop), "server.stop"},
		{"two change tools", review("slash", stop, start), ""},
		{"destroy is never granted", review("slash", stop, del), ""},
		{"reads only", review("slash", list), ""},
		{"a model's plan", review("model", stop), ""},
		{"an MCP client's plan", review("mcp", stop), ""},
	}
	for _, tt := range tests {
		got := ""
		if g := grantable(tt.r); g != nil {
			got = g.Name
		}
		if got != tt.want {
			t.Errorf("%s: grantable = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestAnyRan(t *testing.T) {
	out := func(statuses ...string) *executor.Outcome {
		o := &executor.Outcome{}
		for _, s := range statuses {
			o.Steps = append(o.Steps, executor.StepOutcome{Status: s})
		}
		return o
	}
	if anyRan(nil) || anyRan(out(executor.StatusChanged, executor.StatusNotRun)) {
		t.Error("nothing ran, but anyRan says so")
	}
	if !anyRan(out(executor.StatusOK, executor.StatusChanged)) {
		t.Error("a completed step was missed: re-reviewing would run it twice")
	}
}

func TestReadOnlyCannotBeLifted(t *testing.T) {
	f := newFixture(t)
	f.engine.LockReadOnly()
	if err := f.engine.SetMode(gate.ModePlan); err == nil || f.engine.Mode() != gate.ModeAsk {
		t.Fatalf("a read-only session left ask mode (err %v, mode %s)", err, f.engine.Mode())
	}
	_, err := f.engine.Submit(t.Context(), stepPlan(plan.OriginSlash, step("stop", "vm.stop", "vm-1")), &answers{decisions: []Decision{{Verdict: Approve}}})
	if err == nil || !strings.Contains(err.Error(), "--read-only") {
		t.Errorf("err = %v, want a refusal naming --read-only", err)
	}
}

func TestNoAnswerCarriesTheApproversReason(t *testing.T) {
	f := newFixture(t)
	ap := ApproverFunc(func(context.Context, Request) (Decision, error) {
		return Decision{}, fmt.Errorf("this client cannot show the plan to a person: %w", ErrNoAnswer)
	})
	_, err := f.engine.Submit(t.Context(), stepPlan(plan.OriginMCP, step("stop", "vm.stop", "vm-1")), ap)
	var na *NeedsApprovalError
	if !errors.As(err, &na) || na.Why != "this client cannot show the plan to a person" {
		t.Fatalf("err = %#v", err)
	}
	if strings.Contains(err.Error(), "terminal") {
		t.Errorf("an MCP refusal speaks of a terminal: %v", err)
	}
	if recs := f.audit.Records(); len(recs) != 1 || !strings.Contains(recs[0].Error, "cannot show the plan") {
		t.Errorf("audit = %+v", recs)
	}
}

func TestSubmitAllHeldRunsNothingAndAsksNobody(t *testing.T) {
	f := newFixture(t)
	f.world.status["vm-1"] = "SHUTOFF"
	stop := step("stop", "vm.stop", "vm-1")
	stop.Holds = &plan.Holds{Tool: "vm.show", Args: map[string]any{"vm": "vm-1"}, Expect: map[string]any{"status": "SHUTOFF"}}
	ap := &answers{}
	out, err := f.engine.Submit(t.Context(), stepPlan(plan.OriginRecipe, stop), ap)
	if err != nil {
		t.Fatal(err)
	}
	if len(ap.asked) != 0 {
		t.Errorf("the person was asked %v for a plan with nothing to do", ap.kinds())
	}
	if ran := f.world.ranSteps(); len(ran) != 0 {
		t.Errorf("ran %v", ran)
	}
	if out.Status != StatusOK || out.Summary != "stop: held" {
		t.Errorf("outcome %s %q", out.Status, out.Summary)
	}
	var held bool
	for _, r := range f.audit.Records() {
		held = held || r.Result == executor.StatusHeld && r.Approval == string(gate.ByHolds) && strings.Contains(r.Note, "already is SHUTOFF")
	}
	if !held {
		t.Errorf("the audit lacks the held step: %+v", f.audit.Records())
	}
	if f.engine.LastOutcome() != out {
		t.Error("LastOutcome is not the plan just submitted")
	}
	// Once the goal no longer holds, the step asks and runs as usual.
	f.world.status["vm-1"] = "ACTIVE"
	ap = &answers{decisions: []Decision{{Verdict: Approve}}}
	if _, err := f.engine.Submit(t.Context(), stepPlan(plan.OriginRecipe, stop), ap); err != nil {
		t.Fatal(err)
	}
	if len(ap.asked) != 1 || len(f.world.ranSteps()) != 1 {
		t.Errorf("asked %v, ran %v", ap.kinds(), f.world.ranSteps())
	}
}
