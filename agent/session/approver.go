package session

import (
	"context"
	"errors"

	"github.com/kriscelmer/os-tui/agent/gate"
	"github.com/kriscelmer/os-tui/agent/plan"
	"github.com/kriscelmer/os-tui/tools"
)

// Approver is the port through which the engine asks a person. Each
// front end brings its own: the terminal prompt, --yes, fail-closed (no
// terminal), MCP elicitation, the plan-review view. The engine never
// decides alone, and nothing a tool or a model returns can answer.
type Approver interface {
	// Decide answers one request. An Approver that has nobody to ask
	// returns ErrNoAnswer; one whose person gave up (Ctrl-C, EOF) returns
	// a Deny decision.
	Decide(ctx context.Context, req Request) (Decision, error)
}

// ErrNoAnswer: the Approver has no person to ask (no terminal, a client
// without elicitation). The engine fails closed on it. An Approver may
// wrap it with its own reason (fmt.Errorf("…: %w", ErrNoAnswer)), which
// the refusal and the audit log then carry.
var ErrNoAnswer = errors.New("nobody can answer")

// RequestKind says what is asked.
type RequestKind int

// What an Approver may be asked.
const (
	// ApprovePlan: run the reviewed plan? Yes, no, step by step, edit, or
	// allow its one tool for the session (when Grantable is set).
	ApprovePlan RequestKind = iota
	// FixBlocked: the plan cannot run as it stands; edit it, or no.
	FixBlocked
	// ReviewUndo: a plan failed part-way; review the plan that undoes
	// what it completed (Undo)? Yes reviews it like any plan; it does not
	// run it.
	ReviewUndo
	// ShareRead (paranoid mode): may the result of a read go to the model?
	ShareRead
)

// Request is one question to the person.
type Request struct {
	Kind RequestKind
	// Review is the plan reviewed (ApprovePlan, FixBlocked).
	Review *gate.Review
	// Grantable is the one change tool "allow for the session" would
	// grant; nil when that answer is not offered (several tools, a
	// destroy tool, a plan from a model or an MCP client).
	Grantable *tools.Tool
	// Undo is the undo plan offered (ReviewUndo).
	Undo *plan.Plan
	// Tool and Args are the read whose result would be shared (ShareRead).
	Tool *tools.Tool
	Args tools.Args
}

// Verdict is the person's answer.
type Verdict int

// Answers. The zero Verdict is Deny, so a forgotten field fails safe.
const (
	Deny Verdict = iota
	Approve
	// ApproveSteps: run the steps marked in Decision.Runs.
	ApproveSteps
	// Edit: review Decision.Edited instead (it is validated and
	// preflighted again like any new plan).
	Edit
	// AllowForSession: approve, and let Request.Grantable run without
	// asking for the rest of the session (never a destroy tool).
	AllowForSession
)

// Decision is an Approver's answer.
type Decision struct {
	Verdict Verdict
	// Reason is why the person said no; it goes back to a model in the
	// structured result, and to the audit log.
	Reason string
	// Runs marks, per step, which steps run (ApproveSteps).
	Runs []bool
	// Edited is the plan to review instead (Edit).
	Edited *plan.Plan
	// By says how the person approved (keyboard, --yes, elicitation);
	// "" is the keyboard.
	By gate.Approval
}

// ApproverFunc adapts a function to Approver.
type ApproverFunc func(ctx context.Context, req Request) (Decision, error)

// Decide calls f.
func (f ApproverFunc) Decide(ctx context.Context, req Request) (Decision, error) { return f(ctx, req) }

// FailClosed is the Approver where nobody can answer (piped input, CI):
// every question gets ErrNoAnswer, so no change runs.
var FailClosed Approver = ApproverFunc(func(context.Context, Request) (Decision, error) {
	return Decision{}, ErrNoAnswer
})

// WithYes is --yes: it approves a slash command's or a recipe's plan that
// passed its preflight, and hands every other question to fallback. A
// plan from a model or an MCP client is never approved by the flag (the
// gate refuses that too); a blocked plan stays blocked, an undo is not
// run unasked, and paranoid reads are not shared without the person.
func WithYes(fallback Approver) Approver {
	if fallback == nil {
		fallback = FailClosed
	}
	return ApproverFunc(func(ctx context.Context, req Request) (Decision, error) {
		if req.Kind == ApprovePlan && req.Review != nil && req.Review.Plan != nil &&
			(req.Review.Plan.Origin == plan.OriginSlash || req.Review.Plan.Origin == plan.OriginRecipe) {
			return Decision{Verdict: Approve, By: gate.ByFlag}, nil
		}
		return fallback.Decide(ctx, req)
	})
}
