package mcpserver

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kriscelmer/os-tui/agent/plan"
	"github.com/kriscelmer/os-tui/agent/session"
	"github.com/kriscelmer/os-tui/internal/render/review"
	"github.com/kriscelmer/os-tui/internal/secrets"
)

// changesOff is the refusal of every plan when the server was started
// without --allow-changes.
const changesOff = "ostui mcp was started without --allow-changes, so it only reads; nothing was changed. " +
	"To let this client propose changes (each one is still shown to you for approval), restart it with: ostui mcp --allow-changes"

// outcome is propose_plan's result: the structured outcome ostui's own
// model gets (status, retryable, errors, summary), the review the person
// was shown, and, when a plan failed part-way, the plan that would undo
// what it completed (to propose in its turn).
type outcome struct {
	Status    string    `json:"status"`
	Retryable bool      `json:"retryable"`
	Errors    []string  `json:"errors,omitempty"`
	Summary   string    `json:"summary,omitempty"`
	Review    string    `json:"review,omitempty"`
	Undo      *proposal `json:"undo,omitempty"`
}

// proposal is a plan as a client proposes it: the goal and the steps. Its
// ID and origin are facts ostui records, not the client's to claim.
type proposal struct {
	Goal  string      `json:"goal"`
	Steps []plan.Step `json:"steps"`
}

// outcomeSchema is propose_plan's output schema.
var outcomeSchema = json.RawMessage(`{"type":"object","required":["status","retryable"],"properties":{` +
	`"status":{"type":"string","enum":["ok","denied","invalid","blocked","failed"],"description":"ok: the plan ran; denied: refused (by the person, or by this server); invalid: fix the plan; blocked: the cloud's state forbids it; failed: it failed (see errors)"},` +
	`"retryable":{"type":"boolean","description":"whether a corrected plan could succeed; a person's no is not retryable"},` +
	`"errors":{"type":"array","items":{"type":"string"}},` +
	`"summary":{"type":"string","description":"what each step did"},` +
	`"review":{"type":"string","description":"the review the person was shown: steps, preflight findings, exact requests"},` +
	`"undo":{"type":"object","description":"a plan that undoes what a failed plan completed; propose it to run it"}}}`)

// proposePlan takes a client's plan through the engine exactly as any
// other plan: validate, preflight, dry-run, the person's answer (through
// elicitation), executor, audit. Nothing in the arguments can approve
// it: there is no such argument, and unknown ones are refused.
func (s *Server) proposePlan(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	if !s.cfg.AllowChanges {
		return outcomeResult(outcome{Status: statusDenied, Errors: []string{changesOff}}), nil
	}
	p, err := decodePlan(arguments(req.Params.Arguments))
	if err != nil {
		return outcomeResult(outcome{Status: statusInvalid, Retryable: true, Errors: []string{err.Error()}}), nil
	}
	for _, st := range p.Steps {
		if bad := session.ForbiddenArgs(st.Args); len(bad) > 0 {
			return outcomeResult(outcome{Status: statusInvalid, Errors: []string{
				fmt.Sprintf("step %s: %s may not be set by an MCP client; they are chosen when ostui mcp starts", st.ID, strings.Join(bad, ", ")),
			}}), nil
		}
	}
	e := s.engineFor(req.Session)
	// One plan at a time per client: a person answers one review before
	// the next is shown.
	e.changes.Lock()
	defer e.changes.Unlock()
	ap := &elicitor{session: req.Session}
	out, err := e.Submit(ctx, p, ap)
	return outcomeResult(s.shape(out, err, ap)), nil
}

// decodePlan reads a plan strictly: a field propose_plan's schema does
// not have ("approved", "origin", a step's "confirmed") is an error, not
// something silently dropped.
func decodePlan(args json.RawMessage) (*plan.Plan, error) {
	dec := json.NewDecoder(bytes.NewReader(args))
	dec.DisallowUnknownFields()
	var in proposal
	if err := dec.Decode(&in); err != nil {
		return nil, fmt.Errorf("propose_plan takes {goal, steps: [{id, tool, args, why}]}: %w", err)
	}
	return &plan.Plan{ID: plan.NewID(), Goal: in.Goal, Origin: plan.OriginMCP, Steps: in.Steps}, nil
}

// shape turns the engine's outcome into propose_plan's result.
func (s *Server) shape(out *session.Outcome, err error, ap *elicitor) outcome {
	if out == nil {
		// Submit always returns an outcome; fail closed if it did not.
		msg := "the plan did not run"
		if err != nil {
			msg = s.cfg.Explain(err).Error()
		}
		return outcome{Status: statusFailed, Errors: []string{msg}}
	}
	m := out.ForModel()
	o := outcome{Status: m.Status, Retryable: m.Retryable, Errors: m.Errors, Summary: m.Summary}
	var na *session.NeedsApprovalError
	if errors.As(err, &na) && ap.refusal != "" {
		// The engine's words are for a terminal; say why this client
		// could not answer.
		o.Errors = []string{ap.refusal}
	} else if o.Status == statusFailed && err != nil {
		o.Errors = []string{s.cfg.Explain(err).Error()}
	}
	if out.Review != nil {
		o.Review = review.Plain(out.Review)
	}
	if ap.undo != nil {
		u := &proposal{Goal: ap.undo.Goal}
		for _, st := range ap.undo.Steps {
			st.Args = secrets.Redact(st.Args)
			u.Steps = append(u.Steps, st)
		}
		o.Undo = u
	}
	return o
}

// outcomeResult is an outcome as a tool result, redacted (errors and the
// review may quote the cloud); isError unless the plan ran.
func outcomeResult(o outcome) *mcp.CallToolResult {
	for i, e := range o.Errors {
		o.Errors[i] = secrets.RedactString(e)
	}
	o.Summary = secrets.RedactString(o.Summary)
	o.Review = secrets.RedactString(o.Review)
	return jsonResult(o, o.Status != statusOK)
}
