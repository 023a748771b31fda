package gate

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/kriscelmer/os-tui/agent/plan"
	"github.com/kriscelmer/os-tui/internal/cloud"
	"github.com/kriscelmer/os-tui/tools"
)

// Approval says how a person approved a plan.
type Approval string

// Ways a plan is approved.
const (
	// ByKeyboard: the person answered yes to the whole plan.
	ByKeyboard Approval = "keyboard"
	// StepByStep: the person answered for each step.
	StepByStep Approval = "step-by-step"
	// BySessionGrant: every change step's tool was granted for the session.
	BySessionGrant Approval = "session-grant"
	// ByFlag: --yes on a one-shot slash command or recipe.
	ByFlag Approval = "--yes"
	// ByElicitation: the person accepted the plan shown by their MCP
	// client (an elicitation request answered "accept").
	ByElicitation Approval = "elicitation"
	// ByHolds: every step's goal already held, so nothing ran and nobody
	// needed to answer.
	ByHolds Approval = "nothing-to-do"
)

// Approved is a reviewed plan the person said yes to. Its fields are
// unexported and only this package makes one, so the executor, which
// accepts nothing else, can only run what passed the gate.
type Approved struct {
	review *Review
	how    Approval
	at     time.Time
	runs   []bool
	sealed bool
}

// Valid reports whether a was made by the gate (a zero Approved is not).
func (a *Approved) Valid() bool { return a != nil && a.sealed && a.review != nil }

// Review is the approved review.
func (a *Approved) Review() *Review { return a.review }

// Plan is the approved plan.
func (a *Approved) Plan() *plan.Plan { return a.review.Plan }

// How says how it was approved.
func (a *Approved) How() Approval { return a.how }

// At is when it was approved.
func (a *Approved) At() time.Time { return a.at }

// Runs reports whether step i was approved to run (step by step, a person
// may decline some).
func (a *Approved) Runs(i int) bool { return i >= 0 && i < len(a.runs) && a.runs[i] }

// Approve seals a review the person said yes to. runs says which steps
// run (nil: all). It refuses a blocked review, --yes for a model's plan,
// and a skipped step that a running step depends on.
func (g *Gate) Approve(r *Review, how Approval, runs []bool) (*Approved, error) {
	if r == nil || r.Plan == nil {
		return nil, errors.New("nothing to approve")
	}
	if r.Blocked() {
		return nil, fmt.Errorf("the plan is blocked:\n  %s", strings.Join(r.Problems(), "\n  "))
	}
	if how == ByFlag && r.Plan.Origin != plan.OriginSlash && r.Plan.Origin != plan.OriginRecipe {
		return nil, fmt.Errorf("--yes approves slash commands and recipes only; a %s plan needs a person's answer", r.Plan.Origin)
	}
	if runs == nil {
		runs = make([]bool, len(r.Steps))
		for i := range runs {
			runs[i] = true
		}
	}
	if len(runs) != len(r.Steps) {
		return nil, fmt.Errorf("approval covers %d steps, the plan has %d", len(runs), len(r.Steps))
	}
	skipped := map[string]bool{}
	for i, s := range r.Steps {
		if !runs[i] {
			skipped[s.Step.ID] = true
			continue
		}
		for _, ref := range tools.Refs(s.Step.Args) {
			if skipped[ref[0]] {
				return nil, fmt.Errorf("step %s needs the output of step %s, which you declined", s.Step.ID, ref[0])
			}
		}
	}
	return &Approved{review: r, how: how, at: g.now(), runs: runs, sealed: true}, nil
}

// Grants are tools a person allowed for the rest of the session ("a" at
// the approval prompt). Destroy tools are never granted.
type Grants struct {
	mu    sync.Mutex
	tools map[string]bool
}

// Grant allows a tool for the session; it refuses destroy tools.
func (g *Grants) Grant(t *tools.Tool) error {
	if t.Effect == tools.Destroy {
		return fmt.Errorf("%s destroys data: it asks every time", t.Slash())
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.tools == nil {
		g.tools = map[string]bool{}
	}
	g.tools[t.Name] = true
	return nil
}

// Granted lists the granted tools.
func (g *Grants) Granted() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []string
	for name := range g.tools {
		out = append(out, name)
	}
	return out
}

func (g *Grants) has(name string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.tools[name]
}

// ApproveByGrant approves a review without asking when every step that
// changes something uses a tool granted for the session (never a destroy
// tool) and the plan is not blocked. A plan nobody typed (a model's, an
// MCP client's) is never approved by a grant. It reports false otherwise.
func (g *Gate) ApproveByGrant(r *Review, grants *Grants) (*Approved, bool) {
	if grants == nil || r == nil || r.Blocked() || r.Plan.Origin == plan.OriginModel || r.Plan.Origin == plan.OriginMCP {
		return nil, false
	}
	for _, s := range r.Steps {
		if s.Tool.Effect == tools.Read {
			continue
		}
		if s.Tool.Effect == tools.Destroy || !grants.has(s.Tool.Name) {
			return nil, false
		}
	}
	a, err := g.Approve(r, BySessionGrant, nil)
	return a, err == nil
}

// ChangedError says that a step's preflight differs from what was
// approved: the state the person saw is no longer the state of the cloud.
type ChangedError struct {
	Step   string
	Before string
	After  *StepReview
}

func (e *ChangedError) Error() string {
	msg := fmt.Sprintf("step %s: the cloud changed since you approved", e.Step)
	if e.After != nil && e.After.Err != nil {
		return msg + ": " + e.After.Err.Error()
	}
	if e.After != nil && e.After.Check != nil {
		msg += fmt.Sprintf(" (was %q, now %q)", e.Before, e.After.Check.State)
		for _, f := range e.After.Check.Findings {
			if f.Level == tools.Block {
				msg += "; " + f.Text
			}
		}
	}
	return msg + "; nothing more was run — review the plan again"
}

// Recheck runs step i's preflight again, just before it runs, with the
// arguments it will run with (references resolved). If the state it
// depends on changed since approval, or the step is now blocked, it
// returns a *ChangedError and the step must not run.
func (g *Gate) Recheck(ctx context.Context, env *tools.Env, a *Approved, i int, args tools.Args) (*tools.Check, error) {
	if !a.Valid() {
		return nil, errors.New("recheck needs a plan approved by the gate")
	}
	sr := a.review.Steps[i]
	if sr.Tool.Effect == tools.Read {
		return nil, nil
	}
	chk, err := sr.Tool.Check(cloud.WithReadOnly(ctx), env, args)
	if err == nil && chk == nil {
		err = fmt.Errorf("%s: its preflight returned nothing", sr.Tool.Name)
	}
	after := &StepReview{Step: sr.Step, Tool: sr.Tool, Check: chk, Err: err}
	if err != nil || chk.Blocked() {
		return nil, &ChangedError{Step: sr.Step.ID, Before: stateOf(sr.Check), After: after}
	}
	if len(tools.Refs(sr.Step.Args)) == 0 && !sameTargets(sr.Check, chk) {
		return nil, &ChangedError{Step: sr.Step.ID, Before: targetsOf(sr.Check), After: &StepReview{Step: sr.Step, Tool: sr.Tool,
			Err: fmt.Errorf("it now acts on %s, not %s as approved", targetsOf(chk), targetsOf(sr.Check))}}
	}
	// A step whose inputs were references could not be fully checked at
	// approval; its state then is not comparable.
	if len(tools.Refs(sr.Step.Args)) == 0 && stateOf(sr.Check) != chk.State {
		return nil, &ChangedError{Step: sr.Step.ID, Before: stateOf(sr.Check), After: after}
	}
	return chk, nil
}

// sameTargets reports whether a recheck acts on the resources approved
// (by ID). A check that could not name its targets at approval (they came
// from earlier steps) has nothing to compare.
func sameTargets(approved, now *tools.Check) bool {
	if approved == nil || len(approved.Targets) == 0 {
		return true
	}
	if len(approved.Targets) != len(now.Targets) {
		return false
	}
	for i := range approved.Targets {
		if approved.Targets[i].ID != "" && approved.Targets[i].ID != now.Targets[i].ID {
			return false
		}
	}
	return true
}

func targetsOf(c *tools.Check) string {
	if c == nil {
		return "nothing"
	}
	var parts []string
	for _, t := range c.Targets {
		parts = append(parts, fmt.Sprintf("%s %s (%s)", t.Kind, t.Name, t.ID))
	}
	return strings.Join(parts, ", ")
}

func stateOf(c *tools.Check) string {
	if c == nil {
		return ""
	}
	return c.State
}
