// Package approval is the plan-review view: an implementation of the
// session engine's approval port (session.Approver) as a full-screen
// Bubble Tea model. A long plan is a list of steps with effect badges;
// the step under the cursor shows its preflight findings, the exact
// requests of its dry-run and its diff in a side pane; the person
// approves all, denies with a reason, picks steps, or edits the plan.
//
// The browser embeds it for the plans its keys make; the shell runs it
// on its own (Run) for plans longer than its threshold, or always when
// the person asked for it.
package approval

import (
	"context"
	"sync"

	tea "charm.land/bubbletea/v2"

	"github.com/kriscelmer/os-tui/agent/plan"
	"github.com/kriscelmer/os-tui/agent/session"
	"github.com/kriscelmer/os-tui/internal/views"
)

// Approver answers the engine's questions from inside a running view.
// Decide is called on the goroutine running Engine.Submit; it hands the
// question to the view as a RequestMsg (delivered by the command Next
// returns) and waits for the person's answer. Nothing but a key press in
// the view answers it.
type Approver struct {
	reqs      chan RequestMsg
	done      chan struct{}
	closeOnce sync.Once
}

// NewApprover returns an Approver for one submission.
func NewApprover() *Approver {
	return &Approver{reqs: make(chan RequestMsg), done: make(chan struct{})}
}

// RequestMsg is a question from the engine, waiting for Answer.
type RequestMsg struct {
	Req   session.Request
	reply chan session.Decision
	ap    *Approver
}

// Answer gives the person's decision to the engine and returns the
// command that waits for its next question (a plan shown again because
// the cloud changed, an undo offered).
func (r RequestMsg) Answer(d session.Decision) tea.Cmd {
	r.reply <- d // buffered: never blocks
	return r.ap.Next()
}

// Decide implements session.Approver.
func (a *Approver) Decide(ctx context.Context, req session.Request) (session.Decision, error) {
	msg := RequestMsg{Req: req, reply: make(chan session.Decision, 1), ap: a}
	select {
	case a.reqs <- msg:
	case <-ctx.Done():
		return session.Decision{Verdict: session.Deny, Reason: "the view was closed"}, nil
	case <-a.done:
		return session.Decision{}, session.ErrNoAnswer
	}
	select {
	case d := <-msg.reply:
		return d, nil
	case <-ctx.Done():
		return session.Decision{Verdict: session.Deny, Reason: "the view was closed"}, nil
	}
}

// Next returns a command that waits for the engine's next question. It
// delivers nothing once the submission has ended.
func (a *Approver) Next() tea.Cmd {
	return func() tea.Msg {
		select {
		case m := <-a.reqs:
			return m
		case <-a.done:
			return nil
		}
	}
}

// close ends the submission: a Next still waiting returns.
func (a *Approver) close() { a.closeOnce.Do(func() { close(a.done) }) }

// OutcomeMsg is the end of a submission: what the engine did.
type OutcomeMsg struct {
	Plan    *plan.Plan
	Outcome *session.Outcome
	Err     error
}

// Submit returns the command that takes p through the engine with a
// fresh Approver, and the command that waits for the engine's first
// question; batch them. The view answers RequestMsg (with a Model) and
// gets an OutcomeMsg at the end.
func Submit(d views.Deps, p *plan.Plan) tea.Cmd {
	ap := NewApprover()
	ctx := d.Ctx
	if ctx == nil {
		ctx = context.Background()
	}
	run := func() tea.Msg {
		out, err := d.Backend.Submit(ctx, p, ap)
		ap.close()
		return OutcomeMsg{Plan: p, Outcome: out, Err: err}
	}
	return tea.Batch(run, ap.Next())
}
