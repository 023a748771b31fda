package session

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kriscelmer/os-tui/agent/executor"
	"github.com/kriscelmer/os-tui/agent/gate"
	"github.com/kriscelmer/os-tui/agent/plan"
	"github.com/kriscelmer/os-tui/agent/planner"
	"github.com/kriscelmer/os-tui/internal/audit"
	"github.com/kriscelmer/os-tui/tools"
)

// maxRereviews bounds how often a plan is reviewed again because the
// cloud changed between approval and run, so a flapping resource cannot
// keep a turn going for ever.
const maxRereviews = 3

// Engine is the one path from a request to the cloud, for every origin
// (slash command, model proposal, recipe, wizard, undo plan, MCP call)
// and every front end: validate → preflight → dry-run → approval →
// executor → audit → outcome. Front ends render its events and answer
// its approval requests; they hold no workflow.
type Engine struct {
	// Registry holds the tools.
	Registry *tools.Registry
	// Env connects to the cloud lazily: the first plan or read that needs
	// it builds the connection.
	Env func() (*tools.Env, error)
	// Audit records approvals, steps and denials; nil records nothing.
	Audit executor.Auditor
	// Scope says who and where, for the audit log.
	Scope func() executor.Scope
	// Events receives every event, in order; nil drops them. It is called
	// from the goroutine running the turn.
	Events func(Event)
	// Poll and WaitTimeout tune the executor's waits (tests shorten
	// them); zero takes the executor's defaults.
	Poll, WaitTimeout time.Duration
	// Model connects a language model; its zero value is offline.
	Model ModelConfig
	// ComposeDir is where compose mode writes files ("": the current
	// directory).
	ComposeDir string

	convMu sync.Mutex
	conv   *Conversation

	gate     gate.Gate
	once     sync.Once
	readOnly atomic.Bool
	mode     atomic.Value // gate.Mode
	grants   atomic.Pointer[gate.Grants]
	turns    atomic.Int64
	last     atomic.Pointer[Outcome]
}

// LastOutcome is the outcome of the last plan submitted that was reviewed
// (approved, run, declined or failed), for /save-recipe; nil before any.
func (e *Engine) LastOutcome() *Outcome { return e.last.Load() }

func (e *Engine) init() {
	e.once.Do(func() {
		e.gate.Registry = e.Registry
		if e.mode.Load() == nil {
			e.mode.Store(gate.ModePlan)
		}
		if e.grants.Load() == nil {
			e.grants.Store(&gate.Grants{})
		}
	})
}

// Mode is how much may happen without asking.
func (e *Engine) Mode() gate.Mode {
	e.init()
	return e.mode.Load().(gate.Mode)
}

// SetMode changes the mode (/mode). A session locked read-only stays in
// ask mode.
func (e *Engine) SetMode(m gate.Mode) error {
	e.init()
	if e.readOnly.Load() && m != gate.ModeAsk {
		return fmt.Errorf("this session was started with --read-only: it stays in ask mode; start ostui without --read-only to make changes")
	}
	e.mode.Store(m)
	return nil
}

// LockReadOnly puts the session in ask mode for good (--read-only):
// /mode cannot lift it, and refusals say why.
func (e *Engine) LockReadOnly() {
	e.init()
	e.readOnly.Store(true)
	e.mode.Store(gate.ModeAsk)
}

// ReadOnly reports whether the session is locked read-only.
func (e *Engine) ReadOnly() bool { return e.readOnly.Load() }

// Grants are the tools the person allowed for this session.
func (e *Engine) Grants() *gate.Grants {
	e.init()
	return e.grants.Load()
}

// ResetGrants forgets every grant: a grant given for one cloud, project
// or region is not one for another.
func (e *Engine) ResetGrants() {
	e.init()
	e.grants.Store(&gate.Grants{})
}

func (e *Engine) emit(ev Event) {
	if e.Events != nil {
		e.Events(ev)
	}
}

func (e *Engine) newTurn() *turn {
	e.init()
	return &turn{id: int(e.turns.Add(1)), emit: e.emit}
}

func (e *Engine) env() (*tools.Env, error) {
	if e.Env == nil {
		return nil, errors.New("no cloud is configured")
	}
	return e.Env()
}

// Read runs a read tool through the gate's read path (validated,
// read-only, its service in the catalog) and announces it.
func (e *Engine) Read(ctx context.Context, origin, name string, args tools.Args) (*tools.Result, error) {
	e.init()
	env, err := e.env()
	if err != nil {
		return nil, err
	}
	tool, _ := e.Registry.Lookup(name)
	if tool != nil && tool.PersonOnly && agentOrigin(origin) {
		return nil, &PersonOnlyError{Tool: tool}
	}
	if tool != nil {
		e.emit(ReadStarted{Origin: origin, Tool: tool, Args: args})
	}
	res, err := gate.Read(ctx, e.Registry, env, name, args)
	if tool != nil {
		e.emit(ReadFinished{Origin: origin, Tool: tool, Result: res, Err: err})
	}
	return res, err
}

// Check validates, preflights and dry-runs a plan and stops there
// (ostui run --check): the review, and a *BlockedError when it could not
// run.
func (e *Engine) Check(ctx context.Context, p *plan.Plan) (*gate.Review, error) {
	t := e.newTurn()
	env, err := e.env()
	if err != nil {
		t.to(Failed)
		return nil, err
	}
	review, err := e.preflight(ctx, t, env, p)
	if err != nil {
		t.to(Failed)
		return nil, err
	}
	if review.Blocked() {
		t.to(Failed)
		return review, &BlockedError{Problems: review.Problems()}
	}
	t.to(Done)
	return review, nil
}

// Submit takes a plan through the gate, the person (through ap) and the
// executor. The outcome is never nil; the error is nil only when the
// plan ran to the end.
func (e *Engine) Submit(ctx context.Context, p *plan.Plan, ap Approver) (*Outcome, error) {
	t := e.newTurn()
	out, err := e.submit(ctx, t, p, ap)
	switch {
	case err == nil:
		t.to(Done)
	case errors.Is(err, context.Canceled):
		t.to(Cancelled)
	case out.Status == StatusDenied:
		t.to(Cancelled)
	default:
		t.to(Failed)
	}
	e.emit(Finished{Outcome: out})
	return out, err
}

// submit is Submit inside a turn; a model turn calls it for each plan
// the model proposes. A reviewed plan's outcome is kept for LastOutcome.
func (e *Engine) submit(ctx context.Context, t *turn, p *plan.Plan, ap Approver) (*Outcome, error) {
	out, err := e.submitPlan(ctx, t, p, ap)
	if out != nil && out.Review != nil {
		e.last.Store(out)
	}
	return out, err
}

func (e *Engine) submitPlan(ctx context.Context, t *turn, p *plan.Plan, ap Approver) (*Outcome, error) {
	if ap == nil {
		ap = FailClosed
	}
	if err := e.modeAllows(p); err != nil {
		return outcomeOf(err, nil), err
	}
	if err := e.personOnlyAllows(p); err != nil {
		return outcomeOf(err, nil), err
	}
	env, err := e.env()
	if err != nil {
		return outcomeOf(err, nil), err
	}
	rereviews := 0
	for {
		review, err := e.preflight(ctx, t, env, p)
		if err != nil {
			return outcomeOf(err, review), err
		}
		if err := e.Mode().Allow(review); err != nil {
			var me *gate.ModeError
			if errors.As(err, &me) {
				me.Locked = e.readOnly.Load()
			}
			return outcomeOf(err, review), err
		}
		if review.AllHeld() {
			// Every step's goal already holds: nothing to approve and
			// nothing runs, but the executor still records it step by
			// step, so the run and the audit say so.
			e.emit(Notice{Text: "every step's goal already holds: nothing to do"})
			approved, err := e.gate.ApproveHeld(review)
			if err != nil {
				return outcomeOf(err, review), err
			}
			t.to(Executing)
			out, err := e.executor(env).Execute(ctx, env, approved)
			o := &Outcome{Status: StatusOK, Review: review, Exec: out, Summary: summary(out)}
			if err != nil {
				o.Status, o.Errors = StatusFailed, []string{err.Error()}
			}
			return o, err
		}
		if review.Blocked() {
			edited, err := e.fixBlocked(ctx, t, review, ap)
			if err != nil {
				return outcomeOf(err, review), err
			}
			p = edited
			continue
		}
		approved, edited, err := e.approve(ctx, t, review, ap)
		if err != nil {
			e.auditDenied(p, err)
			return outcomeOf(err, review), err
		}
		if edited != nil {
			p = edited
			continue
		}
		t.to(Executing)
		out, err := e.executor(env).Execute(ctx, env, approved)
		var changed *gate.ChangedError
		if errors.As(err, &changed) && !anyRan(out) && rereviews < maxRereviews {
			// Nothing ran yet: review the plan again against the cloud as
			// it is now. (Once a step has run, going round again would run
			// it twice; the outcome and the undo offer follow instead.)
			rereviews++
			e.emit(Notice{Text: changed.Error()})
			continue
		}
		o := &Outcome{Status: StatusOK, Review: review, Exec: out, Summary: summary(out)}
		if err != nil {
			o.Status, o.Errors = StatusFailed, []string{err.Error()}
			if out != nil && out.Undo != nil {
				e.offerUndo(ctx, out.Undo, ap)
			}
		}
		return o, err
	}
}

// modeAllows refuses, before anything is looked up, a plan that changes
// the cloud in a mode that allows none.
func (e *Engine) modeAllows(p *plan.Plan) error {
	if e.Mode() != gate.ModeAsk {
		return nil
	}
	for _, s := range p.Steps {
		if tool, ok := e.Registry.Lookup(s.Tool); ok && tool.Effect != tools.Read {
			return &gate.ModeError{Mode: gate.ModeAsk, Tool: tool, Locked: e.readOnly.Load()}
		}
	}
	return nil
}

// agentOrigin reports whether a request comes from an agent (the model
// or an MCP client) rather than the person.
func agentOrigin(origin string) bool {
	return origin == plan.OriginModel || origin == plan.OriginMCP
}

// personOnlyAllows refuses an agent's plan that names a person-only tool.
func (e *Engine) personOnlyAllows(p *plan.Plan) error {
	if !agentOrigin(p.Origin) {
		return nil
	}
	for _, s := range p.Steps {
		if tool, ok := e.Registry.Lookup(s.Tool); ok && tool.PersonOnly {
			return &PersonOnlyError{Tool: tool}
		}
	}
	return nil
}

// PersonOnlyError refuses an agent a tool whose answer is a credential
// (tools.Tool.PersonOnly).
type PersonOnlyError struct{ Tool *tools.Tool }

func (e *PersonOnlyError) Error() string { return planner.PersonOnlyRefusal(e.Tool) }

func (e *Engine) preflight(ctx context.Context, t *turn, env *tools.Env, p *plan.Plan) (*gate.Review, error) {
	t.to(Reviewing)
	e.emit(PreflightStarted{Plan: p})
	review, err := e.gate.Preflight(ctx, env, p)
	if err != nil {
		return nil, err
	}
	e.emit(ReviewReady{Review: review})
	return review, nil
}

// fixBlocked offers to edit a plan the preflight blocked; it returns the
// edited plan, or a *BlockedError.
func (e *Engine) fixBlocked(ctx context.Context, t *turn, review *gate.Review, ap Approver) (*plan.Plan, error) {
	blocked := &BlockedError{Problems: review.Problems()}
	t.to(AwaitingApproval)
	d, err := ap.Decide(ctx, Request{Kind: FixBlocked, Review: review})
	if err != nil || d.Verdict != Edit || d.Edited == nil {
		return nil, blocked
	}
	return reorigin(d.Edited, review.Plan), nil
}

// reorigin keeps an edited plan's origin: editing a model's plan does not
// make it the person's own slash command.
func reorigin(edited, from *plan.Plan) *plan.Plan {
	p := *edited
	p.ID, p.Origin = plan.NewID(), from.Origin
	return &p
}

// approve asks for the person's answer. It returns an approval, or an
// edited plan to review again, or an error (declined, nobody to ask).
func (e *Engine) approve(ctx context.Context, t *turn, review *gate.Review, ap Approver) (*gate.Approved, *plan.Plan, error) {
	if a, ok := e.gate.ApproveByGrant(review, e.Grants()); ok {
		e.emit(Notice{Text: "approved by your grant for this session"})
		return a, nil, nil
	}
	t.to(AwaitingApproval)
	e.emit(ApprovalNeeded{Review: review})
	req := Request{Kind: ApprovePlan, Review: review, Grantable: grantable(review)}
	d, err := ap.Decide(ctx, req)
	if errors.Is(err, ErrNoAnswer) {
		na := &NeedsApprovalError{Slash: review.Steps[0].Tool.Slash()}
		if err != ErrNoAnswer { //nolint:errorlint // a wrapped ErrNoAnswer carries the approver's reason
			na.Why = strings.TrimSuffix(err.Error(), ": "+ErrNoAnswer.Error())
		}
		return nil, nil, na
	}
	if errors.Is(err, io.EOF) {
		return nil, nil, &DeclinedError{}
	}
	if err != nil {
		return nil, nil, err
	}
	how := d.By
	if how == "" {
		how = gate.ByKeyboard
	}
	switch d.Verdict {
	case Approve:
		a, err := e.gate.Approve(review, how, nil)
		return a, nil, err
	case ApproveSteps:
		any := false
		for _, r := range d.Runs {
			any = any || r
		}
		if !any {
			return nil, nil, &DeclinedError{Reason: d.Reason}
		}
		a, err := e.gate.Approve(review, gate.StepByStep, d.Runs)
		return a, nil, err
	case Edit:
		if d.Edited == nil {
			return nil, nil, &DeclinedError{Reason: d.Reason}
		}
		return nil, reorigin(d.Edited, review.Plan), nil
	case AllowForSession:
		if req.Grantable == nil {
			return nil, nil, errors.New("this plan has no single change tool to allow for the session")
		}
		if err := e.Grants().Grant(req.Grantable); err != nil {
			return nil, nil, err
		}
		a, err := e.gate.Approve(review, how, nil)
		return a, nil, err
	}
	return nil, nil, &DeclinedError{Reason: d.Reason}
}

// grantable is the one change (not destroy) tool a plan uses, which
// "allow for the session" would grant; nil when there is none or
// several, and for plans nobody typed (a model's or an MCP client's):
// grants never approve those, so offering one would mislead.
func grantable(r *gate.Review) *tools.Tool {
	if r.Plan.Origin == plan.OriginModel || r.Plan.Origin == plan.OriginMCP {
		return nil
	}
	var found *tools.Tool
	for _, s := range r.Steps {
		switch s.Tool.Effect {
		case tools.Read:
			continue
		case tools.Destroy:
			return nil
		}
		if found != nil && found.Name != s.Tool.Name {
			return nil
		}
		found = s.Tool
	}
	return found
}

func (e *Engine) executor(env *tools.Env) *executor.Executor {
	x := &executor.Executor{
		Gate:        &e.gate,
		Report:      reporter{emit: e.emit},
		AuditErr:    func(err error) { e.emit(Failure{Err: err}) },
		Poll:        e.Poll,
		WaitTimeout: e.WaitTimeout,
	}
	if e.Audit != nil {
		x.Audit = e.Audit
	}
	if e.Scope != nil {
		x.Scope = e.Scope()
	}
	return x
}

// offerUndo asks whether to review the plan that reverses what a failed
// plan completed. The undo is a plan like any other: it goes through the
// gate and the person's approval.
func (e *Engine) offerUndo(ctx context.Context, undo *plan.Plan, ap Approver) {
	e.emit(UndoOffered{Plan: undo})
	d, err := ap.Decide(ctx, Request{Kind: ReviewUndo, Undo: undo})
	if errors.Is(err, ErrNoAnswer) {
		e.emit(Notice{Text: "(the undo is not offered without a terminal; run those commands to undo)"})
		return
	}
	if err != nil || d.Verdict != Approve {
		return
	}
	t := e.newTurn()
	out, err := e.submit(ctx, t, undo, ap)
	if err != nil {
		t.to(Failed)
		e.emit(Failure{Err: fmt.Errorf("undo: %w", err)})
	} else {
		t.to(Done)
	}
	e.emit(Finished{Outcome: out})
}

func (e *Engine) auditDenied(p *plan.Plan, err error) {
	if e.Audit == nil {
		return
	}
	var d *DeclinedError
	var na *NeedsApprovalError
	if !errors.As(err, &d) && !errors.As(err, &na) {
		return
	}
	r := audit.Record{Event: audit.EventDenied, PlanID: p.ID, Origin: p.Origin, Goal: p.Goal, Error: err.Error()}
	if e.Scope != nil {
		s := e.Scope()
		r.Cloud, r.Project, r.User, r.Region = s.Cloud, s.Project, s.User, s.Region
	}
	if aerr := e.Audit.Append(r); aerr != nil {
		e.emit(Failure{Err: fmt.Errorf("audit log: %w", aerr)})
	}
}

// anyRan reports whether any step of an outcome ran (completed or not).
func anyRan(out *executor.Outcome) bool {
	if out == nil {
		return false
	}
	for _, o := range out.Steps {
		switch o.Status {
		case executor.StatusOK, executor.StatusFailed, executor.StatusWaitStopped, executor.StatusCancelled:
			return true
		}
	}
	return false
}
