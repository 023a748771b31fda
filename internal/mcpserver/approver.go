package mcpserver

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kriscelmer/os-tui/agent/gate"
	"github.com/kriscelmer/os-tui/agent/plan"
	"github.com/kriscelmer/os-tui/agent/session"
	"github.com/kriscelmer/os-tui/internal/render/review"
)

// noElicitation is why a client without elicitation cannot change
// anything.
const noElicitation = "this MCP client cannot show the plan to a person (it does not support elicitation), so changes are refused; nothing was changed. " +
	"Use a client that supports elicitation, or make the change in the ostui shell"

// approvalSchema is the form the person fills in. Approving takes an
// explicit tick ("approve": true, default false) as well as submitting
// the form, so a client that fills in defaults and accepts on its own
// approves nothing.
var approvalSchema = json.RawMessage(`{"type":"object","required":["approve"],"properties":{` +
	`"approve":{"type":"boolean","title":"Run this plan","description":"Tick to run the plan exactly as shown above.","default":false},` +
	`"reason":{"type":"string","title":"Reason, if you do not approve","description":"Optional; sent back to the assistant and written to the audit log."}}}`)

// elicitor is the Approver of one propose_plan call: it asks the person
// at the MCP client through elicitation. It answers nothing else: a
// blocked plan goes back to the client to fix, and an undo plan is
// returned for the client to propose in its turn (through this same
// approval).
type elicitor struct {
	session *mcp.ServerSession
	// refusal says why nobody could be asked (no elicitation support, the
	// client failed to answer).
	refusal string
	// undo is the undo plan the engine offered after a failure.
	undo *plan.Plan
}

// Decide answers the engine.
func (a *elicitor) Decide(ctx context.Context, req session.Request) (session.Decision, error) {
	switch req.Kind {
	case session.ApprovePlan:
		return a.approve(ctx, req.Review)
	case session.FixBlocked:
		// The client's model fixes the plan and proposes it again; the
		// result lists the problems.
		return session.Decision{Verdict: session.Deny}, nil
	case session.ReviewUndo:
		a.undo = req.Undo
		return session.Decision{Verdict: session.Deny}, nil
	}
	return session.Decision{}, session.ErrNoAnswer
}

// approve shows the review to the person and maps their answer: the
// form submitted with "Run this plan" ticked approves; anything else
// (unticked, declined, dismissed) is a no.
func (a *elicitor) approve(ctx context.Context, r *gate.Review) (session.Decision, error) {
	if !canElicit(a.session) {
		a.refusal = noElicitation
		return session.Decision{}, fmt.Errorf("%s: %w", noElicitation, session.ErrNoAnswer)
	}
	res, err := a.session.Elicit(ctx, &mcp.ElicitParams{
		Mode:            "form",
		Message:         approvalMessage(r),
		RequestedSchema: approvalSchema,
	})
	if err != nil {
		a.refusal = fmt.Sprintf("the MCP client did not show the plan to a person (%v), so it was not run; nothing was changed", err)
		return session.Decision{}, fmt.Errorf("%s: %w", a.refusal, session.ErrNoAnswer)
	}
	// The reason is only ever what the person typed: it reaches the
	// client's model as "the person said: …".
	reason, _ := res.Content["reason"].(string)
	reason = strings.TrimSpace(reason)
	if approved, _ := res.Content["approve"].(bool); res.Action == "accept" && approved {
		return session.Decision{Verdict: session.Approve, By: gate.ByElicitation}, nil
	}
	// Unticked, declined, or dismissed ("cancel"): no.
	return session.Decision{Verdict: session.Deny, Reason: reason}, nil
}

// approvalMessage is what the person reads: the review every front end
// shows, as plain text, and what their answer does.
func approvalMessage(r *gate.Review) string {
	return "ostui: an assistant proposes this change to your cloud.\n\n" + review.Plain(r) +
		"\nTick \"Run this plan\" and submit to run it exactly as shown; decline to refuse. Nothing has run yet."
}

// canElicit reports whether the client said it can show a form to a
// person.
func canElicit(ss *mcp.ServerSession) bool {
	if ss == nil {
		return false
	}
	p := ss.InitializeParams()
	if p == nil || p.Capabilities == nil || p.Capabilities.Elicitation == nil {
		return false
	}
	// A client that declares only URL elicitation cannot show a form.
	e := p.Capabilities.Elicitation
	return e.Form != nil || e.URL == nil
}
