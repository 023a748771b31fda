// Package executor runs approved plans, and nothing else: Execute takes a
// *gate.Approved, which only the gate can make. Steps run in order; each
// change step's preflight is checked again just before it runs; waits for
// target states show progress and can be stopped with Ctrl-C without
// stopping the operation; every step is recorded in the audit log; and a
// failure stops the plan and offers the undo of what was done, as a new
// plan that goes through the gate like any other.
package executor

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kriscelmer/os-tui/agent/gate"
	"github.com/kriscelmer/os-tui/agent/plan"
	"github.com/kriscelmer/os-tui/internal/audit"
	"github.com/kriscelmer/os-tui/tools"
)

// Step statuses.
const (
	StatusOK          = "ok"
	StatusFailed      = "failed"
	StatusSkipped     = "skipped"
	StatusNotRun      = "not-run"
	StatusCancelled   = "cancelled"
	StatusWaitStopped = "wait-stopped"
	StatusChanged     = "changed"
	// StatusHeld: the step's goal already held at preflight (its holds
	// check), so nothing ran for it.
	StatusHeld = "held"
)

// Auditor records what happened. internal/audit.Log is one.
type Auditor interface {
	Append(r audit.Record) error
}

// Reporter shows progress to the person.
type Reporter interface {
	StepStarted(i int, s *gate.StepReview)
	Status(i int, msg string)
	Bytes(i int, done, total int64)
	StepFinished(i int, o *StepOutcome)
}

// Scope is who and where, for the audit log.
type Scope struct {
	Cloud, Project, User, Region string
}

// Executor runs approved plans.
type Executor struct {
	Gate   *gate.Gate
	Audit  Auditor
	Report Reporter
	Scope  Scope
	// Poll is the interval between state polls while waiting (default 2 s).
	Poll time.Duration
	// WaitTimeout bounds a wait without its own timeout (default 15 min).
	WaitTimeout time.Duration
	// CallTimeout bounds one mutating call (default 5 min). Mutating calls
	// are not cancelled by Ctrl-C: a half-sent change is worse than a late
	// one, and the person is told the call is finishing.
	CallTimeout time.Duration
	// Sleep waits between polls; tests replace it.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now is the clock; tests replace it.
	Now func() time.Time
	// AuditErr receives audit failures, which never stop a step but must
	// not pass silently.
	AuditErr func(error)
}

// StepOutcome is what happened to one step.
type StepOutcome struct {
	Step plan.Step
	Tool *tools.Tool
	// Args are the arguments the step ran with: references resolved,
	// names replaced by IDs.
	Args     tools.Args
	Status   string
	Result   *tools.Result
	Err      error
	Duration time.Duration
	// Final is the last status seen while waiting ("SHUTOFF").
	Final string
}

// Outcome is what happened to a plan.
type Outcome struct {
	PlanID string
	Steps  []StepOutcome
	// Undo, when a step failed or a wait was stopped, reverses the steps
	// that completed and have an inverse, newest first. It is a plan like
	// any other: it goes through the gate before anything runs.
	Undo *plan.Plan
}

// Failed reports whether any step failed, was cancelled or changed.
func (o *Outcome) Failed() bool {
	for _, s := range o.Steps {
		switch s.Status {
		case StatusFailed, StatusCancelled, StatusChanged:
			return true
		}
	}
	return false
}

func (x *Executor) now() time.Time {
	if x.Now != nil {
		return x.Now()
	}
	return time.Now()
}

func (x *Executor) record(r audit.Record) {
	if x.Audit == nil {
		return
	}
	r.Cloud, r.Project, r.User, r.Region = x.Scope.Cloud, x.Scope.Project, x.Scope.User, x.Scope.Region
	if err := x.Audit.Append(r); err != nil && x.AuditErr != nil {
		x.AuditErr(fmt.Errorf("audit log: %w", err))
	}
}

// Execute runs an approved plan. The error is non-nil when the plan stopped
// early; the outcome says how far it got either way.
func (x *Executor) Execute(ctx context.Context, env *tools.Env, a *gate.Approved) (*Outcome, error) {
	if !a.Valid() {
		return nil, errors.New("the executor runs only plans approved by the gate")
	}
	p := a.Plan()
	out := &Outcome{PlanID: p.ID}
	x.record(audit.Record{Event: "approval", PlanID: p.ID, Origin: p.Origin, Goal: p.Goal, Approval: string(a.How())})
	outputs := map[string]map[string]string{}
	var stopErr error
	for i := range a.Review().Steps {
		sr := &a.Review().Steps[i]
		if stopErr != nil {
			out.Steps = append(out.Steps, StepOutcome{Step: sr.Step, Tool: sr.Tool, Status: StatusNotRun})
			continue
		}
		if !a.Runs(i) {
			o := StepOutcome{Step: sr.Step, Tool: sr.Tool, Status: StatusSkipped}
			out.Steps = append(out.Steps, o)
			if x.Report != nil {
				x.Report.StepStarted(i, sr)
				x.Report.StepFinished(i, &o)
			}
			x.record(audit.Record{Event: "step", PlanID: p.ID, Origin: p.Origin, Step: sr.Step.ID, Tool: sr.Tool.Name, Effect: sr.Tool.Effect.String(), Args: sr.Step.Args, Approval: string(a.How()), Result: StatusSkipped})
			continue
		}
		if sr.Held != nil {
			// Nothing runs: the goal already holds. The read's outputs
			// stand in for the step's, and the audit says why it was skipped.
			o := StepOutcome{Step: sr.Step, Tool: sr.Tool, Status: StatusHeld, Result: &tools.Result{Message: sr.Held.Text, Outputs: sr.Held.Outputs}}
			outputs[sr.Step.ID] = sr.Held.Outputs
			out.Steps = append(out.Steps, o)
			if x.Report != nil {
				x.Report.StepStarted(i, sr)
				x.Report.StepFinished(i, &o)
			}
			x.record(audit.Record{Event: "step", PlanID: p.ID, Origin: p.Origin, Step: sr.Step.ID, Tool: sr.Tool.Name, Effect: sr.Tool.Effect.String(), Args: sr.Step.Args, Approval: string(a.How()), Result: StatusHeld, Note: sr.Held.Text})
			continue
		}
		o := x.runStep(ctx, env, a, i, outputs)
		out.Steps = append(out.Steps, o)
		if o.Status == StatusOK {
			if o.Result != nil && o.Result.Outputs != nil {
				outputs[o.Step.ID] = o.Result.Outputs
			}
			continue
		}
		stopErr = o.Err
		if stopErr == nil {
			stopErr = fmt.Errorf("step %s: %s", o.Step.ID, o.Status)
		}
	}
	if stopErr != nil {
		out.Undo = undoPlan(a, out)
	}
	return out, stopErr
}

func (x *Executor) runStep(ctx context.Context, env *tools.Env, a *gate.Approved, i int, outputs map[string]map[string]string) StepOutcome {
	sr := &a.Review().Steps[i]
	p := a.Plan()
	o := StepOutcome{Step: sr.Step, Tool: sr.Tool}
	start := x.now()
	rec := audit.Record{Event: "step", PlanID: p.ID, Origin: p.Origin, Step: sr.Step.ID, Tool: sr.Tool.Name, Effect: sr.Tool.Effect.String(), Approval: string(a.How())}
	finish := func() StepOutcome {
		o.Duration = x.now().Sub(start)
		rec.Result, rec.DurationMS = o.Status, o.Duration.Milliseconds()
		if o.Err != nil {
			rec.Error = o.Err.Error()
		}
		if o.Result != nil {
			rec.RequestIDs = o.Result.RequestIDs
		}
		x.record(rec)
		if x.Report != nil {
			x.Report.StepFinished(i, &o)
		}
		return o
	}
	if x.Report != nil {
		x.Report.StepStarted(i, sr)
	}
	// The plan shown is the plan run: a step without references runs with
	// the arguments its approved preflight resolved (IDs, not names), so a
	// name that now means another resource cannot redirect it.
	source := sr.Step.Args
	if sr.Check != nil && sr.Check.Resolved != nil && len(tools.Refs(sr.Step.Args)) == 0 {
		source = sr.Check.Resolved
	}
	args, err := tools.ResolveRefs(source, func(step, field string) (string, bool) {
		v, ok := outputs[step][field]
		return v, ok
	})
	if err != nil {
		o.Status, o.Err = StatusFailed, fmt.Errorf("step %s: %w", sr.Step.ID, err)
		rec.Args = sr.Step.Args
		return finish()
	}
	rec.Args = args
	o.Args = args
	if sr.Tool.Effect != tools.Read {
		chk, err := x.Gate.Recheck(ctx, env, a, i, args)
		if err != nil {
			o.Status, o.Err = StatusChanged, err
			var ce *gate.ChangedError
			if !errors.As(err, &ce) {
				o.Status = StatusFailed
			}
			return finish()
		}
		if chk.Resolved != nil {
			args = chk.Resolved
		}
		o.Args = args
		for _, t := range chk.Targets {
			rec.Targets = append(rec.Targets, fmt.Sprintf("%s %s (%s)", t.Kind, t.Name, t.ID))
		}
	}
	// Recorded before the call, so that a session killed mid-step still
	// leaves a trace of what was in flight.
	x.record(audit.Record{Event: "start", PlanID: p.ID, Origin: p.Origin, Step: sr.Step.ID, Tool: sr.Tool.Name, Effect: sr.Tool.Effect.String(), Args: args, Approval: string(a.How()), Targets: rec.Targets})
	env.Progress = stepProgress{r: x.Report, i: i}
	defer func() { env.Progress = nil }()
	callCtx, cancel := ctx, context.CancelFunc(func() {})
	if sr.Tool.Effect != tools.Read && !sr.Tool.Interruptible {
		callCtx, cancel = context.WithTimeout(context.WithoutCancel(ctx), x.callTimeout())
	}
	res, err := sr.Tool.Run(callCtx, env, args)
	cancel()
	o.Result = res
	if err != nil {
		o.Status, o.Err = StatusFailed, fmt.Errorf("step %s (%s): %w", sr.Step.ID, sr.Tool.Slash(), err)
		return finish()
	}
	if res != nil && res.Await != nil {
		final, err := x.wait(ctx, env, i, res.Await)
		o.Final = final
		switch {
		case errors.Is(err, errStoppedWaiting):
			o.Status = StatusWaitStopped
			o.Err = fmt.Errorf("stopped waiting: %s %s is still %s; the operation goes on in the cloud (check with /%s show %s)",
				res.Await.Kind, awaitName(res.Await), final, res.Await.Kind, awaitName(res.Await))
			return finish()
		case err != nil:
			o.Status, o.Err = StatusFailed, fmt.Errorf("step %s (%s): %w", sr.Step.ID, sr.Tool.Slash(), err)
			return finish()
		}
	}
	o.Status = StatusOK
	return finish()
}

func awaitName(a *tools.Await) string {
	if a.Name != "" {
		return a.Name
	}
	return a.ID
}

func (x *Executor) callTimeout() time.Duration {
	if x.CallTimeout > 0 {
		return x.CallTimeout
	}
	return 5 * time.Minute
}

var errStoppedWaiting = errors.New("stopped waiting")

// wait polls until the resource reaches a target status, a failure
// status, disappears (when that is the goal), or the timeout. A cancelled
// ctx (Ctrl-C) stops the waiting, not the operation.
func (x *Executor) wait(ctx context.Context, env *tools.Env, i int, aw *tools.Await) (string, error) {
	timeout := aw.Timeout
	if timeout <= 0 {
		timeout = x.WaitTimeout
	}
	if timeout <= 0 {
		timeout = 15 * time.Minute
	}
	interval := x.Poll
	if interval <= 0 {
		interval = 2 * time.Second
	}
	sleep := x.Sleep
	if sleep == nil {
		sleep = sleepCtx
	}
	start := x.now()
	last := "unknown"
	for {
		// A poll is a read: it may be cancelled, and that only ends the wait.
		status, err := aw.Poll(ctx, env)
		var nf *tools.NotFoundError
		switch {
		case ctx.Err() != nil:
			return last, errStoppedWaiting
		case errors.As(err, &nf) && aw.Gone:
			return "deleted", nil
		case errors.As(err, &nf):
			return last, fmt.Errorf("%s %s disappeared while waiting for %s", aw.Kind, awaitName(aw), strings.Join(aw.Until, " or "))
		case err != nil:
			return last, fmt.Errorf("check %s %s: %w", aw.Kind, awaitName(aw), err)
		}
		last = status
		base, _, _ := strings.Cut(status, ",")
		base, _, _ = strings.Cut(base, ":")
		if slices.Contains(aw.Until, base) && base == status {
			return status, nil
		}
		if slices.Contains(aw.Fail, base) {
			return status, fmt.Errorf("%s %s went to %s", aw.Kind, awaitName(aw), status)
		}
		elapsed := x.now().Sub(start)
		if elapsed > timeout {
			return status, fmt.Errorf("%s %s is still %s after %s; it may yet finish: check with /%s show %s",
				aw.Kind, awaitName(aw), status, elapsed.Round(time.Second), aw.Kind, awaitName(aw))
		}
		if x.Report != nil {
			target := strings.Join(aw.Until, "/")
			if aw.Gone {
				target = "gone"
			}
			x.Report.Status(i, fmt.Sprintf("%s → %s (%s)", status, target, elapsed.Round(time.Second)))
		}
		if err := sleep(ctx, interval); err != nil {
			return last, errStoppedWaiting
		}
	}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

type stepProgress struct {
	r Reporter
	i int
}

func (p stepProgress) Status(msg string) {
	if p.r != nil {
		p.r.Status(p.i, msg)
	}
}

func (p stepProgress) Bytes(done, total int64) {
	if p.r != nil {
		p.r.Bytes(p.i, done, total)
	}
}

// undoPlan reverses the completed steps that have an inverse, newest
// first, as a new plan.
func undoPlan(a *gate.Approved, out *Outcome) *plan.Plan {
	p := &plan.Plan{ID: plan.NewID(), Origin: a.Plan().Origin, Goal: "undo: " + a.Plan().Goal}
	for i := len(out.Steps) - 1; i >= 0; i-- {
		s := out.Steps[i]
		if s.Status != StatusOK || s.Tool == nil || s.Tool.Undo == nil {
			continue
		}
		call := s.Tool.Undo(s.Args, s.Result)
		if call == nil {
			continue
		}
		p.Steps = append(p.Steps, plan.Step{ID: "undo-" + s.Step.ID, Tool: call.Tool, Args: call.Args, Why: call.Why})
	}
	if len(p.Steps) == 0 {
		return nil
	}
	return p
}
