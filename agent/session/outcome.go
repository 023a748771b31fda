package session

import (
	"errors"
	"fmt"
	"strings"

	"github.com/kriscelmer/os-tui/agent/executor"
	"github.com/kriscelmer/os-tui/agent/gate"
	"github.com/kriscelmer/os-tui/agent/planner"
)

// Statuses of a plan's outcome: the same words the model and an MCP
// client read.
const (
	StatusOK      = planner.StatusOK
	StatusDenied  = planner.StatusDenied
	StatusInvalid = planner.StatusInvalid
	StatusBlocked = planner.StatusBlocked
	StatusFailed  = planner.StatusFailed
)

// Outcome is what became of a submitted plan, for every origin alike.
type Outcome struct {
	Status string
	// Retryable: a corrected plan could succeed (invalid, blocked, a
	// failed preflight); a person's no is not retryable.
	Retryable bool
	Errors    []string
	// Reason is the person's reason for saying no, if they gave one.
	Reason string
	// Review is the last review shown (nil when the plan was invalid).
	Review *gate.Review
	// Exec is what the executor did (nil when nothing ran).
	Exec *executor.Outcome
	// Summary says what ran, for a model ("stop: ok (SHUTOFF)").
	Summary string
}

// ForModel is the outcome as the planner hands it to the model.
func (o *Outcome) ForModel() planner.Outcome {
	errs := o.Errors
	if o.Reason != "" {
		errs = append(append([]string(nil), errs...), "the person said: "+o.Reason)
	}
	return planner.Outcome{Status: o.Status, Retryable: o.Retryable, Errors: errs, Summary: o.Summary}
}

// DeclinedError: the person said no. Nothing was changed.
type DeclinedError struct{ Reason string }

func (e *DeclinedError) Error() string {
	if e.Reason != "" {
		return "not approved (" + e.Reason + "); nothing was changed"
	}
	return "not approved; nothing was changed"
}

// NeedsApprovalError: a change with nobody to approve it. The engine
// fails closed.
type NeedsApprovalError struct {
	Slash string
	// Why is the Approver's own account of why nobody could answer (an
	// MCP client without elicitation); "" for the terminal's.
	Why string
}

func (e *NeedsApprovalError) Error() string {
	if e.Why != "" {
		return fmt.Sprintf("%s changes the cloud and needs a person's approval: %s", e.Slash, e.Why)
	}
	return fmt.Sprintf("%s changes the cloud and needs your approval, but no terminal can answer; "+
		"run it in the shell, or one-shot with --yes (ostui --yes -c '...') to approve it after its preflight passes", e.Slash)
}

// BlockedError: the preflight found the plan cannot succeed.
type BlockedError struct{ Problems []string }

func (e *BlockedError) Error() string {
	return "the plan cannot run as it stands; nothing was changed:\n  " + strings.Join(e.Problems, "\n  ")
}

// planErrors lists a PlanError's problems as lines.
func planErrors(pe *gate.PlanError) []string {
	var errs []string
	for _, sp := range pe.Problems {
		for _, msg := range sp.Problems {
			if sp.Step != "" {
				msg = "step " + sp.Step + ": " + msg
			}
			errs = append(errs, msg)
		}
	}
	return errs
}

// outcomeOf classifies an error that ended a plan before it ran.
func outcomeOf(err error, review *gate.Review) *Outcome {
	o := &Outcome{Status: StatusFailed, Review: review, Errors: []string{err.Error()}}
	var pe *gate.PlanError
	var be *BlockedError
	var de *DeclinedError
	var me *gate.ModeError
	var na *NeedsApprovalError
	var po *PersonOnlyError
	switch {
	case errors.As(err, &pe):
		o.Status, o.Retryable, o.Errors = StatusInvalid, true, planErrors(pe)
	case errors.As(err, &be):
		o.Status, o.Retryable, o.Errors = StatusBlocked, true, be.Problems
	case errors.As(err, &de):
		o.Status, o.Reason = StatusDenied, de.Reason
	case errors.As(err, &me), errors.As(err, &na), errors.As(err, &po):
		o.Status = StatusDenied
	default:
		o.Retryable = true
	}
	return o
}

// summary says what each step did, for a model.
func summary(out *executor.Outcome) string {
	if out == nil {
		return ""
	}
	var done []string
	for _, o := range out.Steps {
		line := fmt.Sprintf("%s: %s", o.Step.ID, o.Status)
		if o.Final != "" {
			line += " (" + o.Final + ")"
		}
		done = append(done, line)
	}
	return strings.Join(done, "; ")
}
