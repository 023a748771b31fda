package session

import (
	"github.com/kriscelmer/os-tui/agent/executor"
	"github.com/kriscelmer/os-tui/agent/gate"
	"github.com/kriscelmer/os-tui/agent/plan"
	"github.com/kriscelmer/os-tui/tools"
)

// Event is one thing that happened in a turn. Front ends render events;
// they hold no workflow of their own. Every event type below is a plain
// value the engine sends on its one stream (Engine.Events), in order.
type Event interface{ event() }

// StateChanged says a turn moved from one state to another.
type StateChanged struct {
	Turn     int
	From, To State
}

// ReadStarted: a read tool is about to run (for a slash command, a model's
// call or an MCP client).
type ReadStarted struct {
	Origin string
	Tool   *tools.Tool
	Args   tools.Args
}

// ReadFinished: a read tool answered (Err is nil) or failed.
type ReadFinished struct {
	Origin string
	Tool   *tools.Tool
	Result *tools.Result
	Err    error
}

// TextDelta is a piece of the model's answer as it streams.
type TextDelta struct{ Text string }

// PreflightStarted: the plan is being checked against the cloud (names,
// state, quota) and its requests built; nothing is sent that changes it.
type PreflightStarted struct{ Plan *plan.Plan }

// ReviewReady: the preflight and dry-run are done; the review is what the
// person is asked to approve (or, when blocked, why it cannot run).
type ReviewReady struct{ Review *gate.Review }

// ApprovalNeeded: the engine waits for the Approver's answer on Review.
type ApprovalNeeded struct{ Review *gate.Review }

// Notice is a short line for the person ("approved by your grant for
// this session", "the cloud changed since you approved").
type Notice struct{ Text string }

// StepStarted: step Index of the approved plan starts.
type StepStarted struct {
	Index int
	Step  *gate.StepReview
}

// StepProgress is a running step's status: a wait's state or an upload's
// bytes (Total 0 when the size is unknown; Status "" for bytes).
type StepProgress struct {
	Index       int
	Status      string
	Done, Total int64
	Bytes       bool
}

// StepFinished: step Index ended (ok, failed, skipped, …).
type StepFinished struct {
	Index   int
	Outcome *executor.StepOutcome
}

// Finished: the plan's turn ended; Outcome holds the structured result
// (the same a model or an MCP client gets).
type Finished struct{ Outcome *Outcome }

// UndoOffered: a plan failed part-way and the steps it completed can be
// reversed by Plan, which goes through the gate like any other plan.
type UndoOffered struct{ Plan *plan.Plan }

// Failure is an error the person should see that does not end the turn
// (a failed undo, an unsaved conversation).
type Failure struct{ Err error }

func (StateChanged) event()     {}
func (ReadStarted) event()      {}
func (ReadFinished) event()     {}
func (TextDelta) event()        {}
func (PreflightStarted) event() {}
func (ReviewReady) event()      {}
func (ApprovalNeeded) event()   {}
func (Notice) event()           {}
func (StepStarted) event()      {}
func (StepProgress) event()     {}
func (StepFinished) event()     {}
func (Finished) event()         {}
func (UndoOffered) event()      {}
func (Failure) event()          {}

// reporter turns the executor's progress calls into events.
type reporter struct{ emit func(Event) }

func (r reporter) StepStarted(i int, s *gate.StepReview) { r.emit(StepStarted{Index: i, Step: s}) }
func (r reporter) Status(i int, msg string)              { r.emit(StepProgress{Index: i, Status: msg}) }
func (r reporter) Bytes(i int, done, total int64) {
	r.emit(StepProgress{Index: i, Done: done, Total: total, Bytes: true})
}
func (r reporter) StepFinished(i int, o *executor.StepOutcome) {
	r.emit(StepFinished{Index: i, Outcome: o})
}

// The executor's vocabulary, as front ends see it: they render what ran
// but never drive the executor themselves, so they need not import it.
type (
	// Scope is who and where, for the audit log.
	Scope = executor.Scope
	// Run is what the executor did with an approved plan.
	Run = executor.Outcome
	// StepOutcome is what happened to one step.
	StepOutcome = executor.StepOutcome
)

// Step statuses (StepOutcome.Status).
const (
	StepOK          = executor.StatusOK
	StepFailed      = executor.StatusFailed
	StepSkipped     = executor.StatusSkipped
	StepHeld        = executor.StatusHeld
	StepNotRun      = executor.StatusNotRun
	StepCancelled   = executor.StatusCancelled
	StepWaitStopped = executor.StatusWaitStopped
	StepChanged     = executor.StatusChanged
)
