package gate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/kriscelmer/os-tui/agent/plan"
	"github.com/kriscelmer/os-tui/internal/cloud"
	"github.com/kriscelmer/os-tui/tools"
)

// Gate validates, preflights and previews plans, and is the only maker
// of an Approved plan, which is all the executor accepts.
type Gate struct {
	Registry *tools.Registry
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

func (g *Gate) now() time.Time {
	if g.Now != nil {
		return g.Now()
	}
	return time.Now()
}

// PlanError lists what is wrong with a plan before anything is looked up:
// unknown tools, missing services, arguments that do not fit the schema,
// references that point forward or to outputs a step does not produce.
// It is what goes back to a model for correction, and what a person sees.
type PlanError struct {
	Problems []StepProblem
}

// StepProblem is what is wrong with one step ("" Step for the plan).
type StepProblem struct {
	Step     string
	Problems []string
}

func (e *PlanError) Error() string {
	var b strings.Builder
	b.WriteString("the plan is not valid:")
	for _, p := range e.Problems {
		for _, msg := range p.Problems {
			if p.Step != "" {
				fmt.Fprintf(&b, "\n  step %s: %s", p.Step, msg)
			} else {
				fmt.Fprintf(&b, "\n  %s", msg)
			}
		}
	}
	return b.String()
}

// Validate checks a plan without touching the cloud. caps may be nil when
// the catalog is not known (then services are not checked).
func (g *Gate) Validate(p *plan.Plan, caps *cloud.Capabilities) error {
	var problems []StepProblem
	add := func(step string, msgs ...string) {
		for i := range problems {
			if problems[i].Step == step {
				problems[i].Problems = append(problems[i].Problems, msgs...)
				return
			}
		}
		problems = append(problems, StepProblem{Step: step, Problems: msgs})
	}
	doc, err := p.Document()
	if err != nil {
		return fmt.Errorf("read plan: %w", err)
	}
	if err := g.Registry.ValidateDocument("plan.schema.json", doc); err != nil {
		var de *tools.DocumentError
		if !errors.As(err, &de) {
			return err
		}
		add("", de.Problems...)
		return &PlanError{Problems: problems}
	}
	// Outputs each earlier step produces, by step ID.
	produced := map[string][]string{}
	for i, s := range p.Steps {
		if _, dup := produced[s.ID]; dup {
			add(s.ID, "the step ID is used twice")
			continue
		}
		tool, ok := g.Registry.Lookup(s.Tool)
		if !ok {
			add(s.ID, fmt.Sprintf("unknown tool %q", s.Tool))
			produced[s.ID] = nil
			continue
		}
		if caps != nil && !caps.Has(tool.Service) {
			add(s.ID, fmt.Sprintf("%s needs the %s service, which this cloud does not have", s.Tool, tools.ServiceLabel(tool.Service)))
		}
		for _, ref := range tools.Refs(s.Args) {
			outs, earlier := produced[ref[0]]
			switch {
			case !earlier && stepIndex(p, ref[0]) > i:
				add(s.ID, fmt.Sprintf("${%s.%s} refers to step %s, which comes later", ref[0], ref[1], ref[0]))
			case !earlier:
				add(s.ID, fmt.Sprintf("${%s.%s} refers to no step", ref[0], ref[1]))
			case !slices.Contains(outs, ref[1]):
				add(s.ID, fmt.Sprintf("${%s.%s}: step %s produces %s, not %q", ref[0], ref[1], ref[0], listOr(outs), ref[1]))
			}
		}
		if s.Holds != nil {
			if msgs := g.validateHolds(s, produced); len(msgs) > 0 {
				add(s.ID, msgs...)
			}
		}
		if err := g.Registry.Validate(s.Tool, withoutRefs(s.Args)); err != nil {
			var ae *tools.ArgsError
			if errors.As(err, &ae) {
				add(s.ID, ae.Problems...)
			} else {
				add(s.ID, err.Error())
			}
		}
		produced[s.ID] = tool.Produces
	}
	if len(problems) > 0 {
		return &PlanError{Problems: problems}
	}
	return nil
}

func stepIndex(p *plan.Plan, id string) int {
	for i, s := range p.Steps {
		if s.ID == id {
			return i
		}
	}
	return -1
}

func listOr(outs []string) string {
	if len(outs) == 0 {
		return "no outputs"
	}
	return strings.Join(outs, ", ")
}

// withoutRefs stands in for references while validating: a reference is
// a string now, and the schema's pattern or format for an ID would
// otherwise reject "${net.id}". A placeholder UUID keeps types right.
func withoutRefs(args tools.Args) tools.Args {
	out, err := tools.ResolveRefs(args, func(string, string) (string, bool) {
		return "00000000-0000-4000-8000-000000000000", true
	})
	if err != nil {
		return args
	}
	return out
}

// StepReview is one step after preflight and dry-run.
type StepReview struct {
	Step    plan.Step
	Tool    *tools.Tool
	Check   *tools.Check
	Preview *tools.Preview
	// Err is a preflight failure (a name that resolves to nothing, two
	// things, a service error); it blocks the plan like a Block finding.
	Err error
	// Held is set when the step's holds check found its goal already
	// holds: the step is skipped (nothing runs) and says so.
	Held *Held
	// HoldsNote says why a holds check could not tell (the step runs).
	HoldsNote string
}

// Blocked reports whether this step stops the plan.
func (s *StepReview) Blocked() bool { return s.Err != nil || s.Check.Blocked() }

// Review is a plan with every step preflighted and previewed: what the
// person approves, and exactly what runs.
type Review struct {
	Plan  *plan.Plan
	Steps []StepReview
	// Quota sums what the plan uses per resource, with before and after.
	Quota []tools.QuotaUse
	At    time.Time
}

// Blocked reports whether any step is blocked or any quota would be
// exceeded.
func (r *Review) Blocked() bool {
	for i := range r.Steps {
		if r.Steps[i].Blocked() {
			return true
		}
	}
	for _, q := range r.Quota {
		if q.Limit >= 0 && q.Delta > 0 && q.InUse+q.Delta > q.Limit {
			return true
		}
	}
	return false
}

// Problems lists, in words, why the review is blocked.
func (r *Review) Problems() []string {
	var out []string
	for _, s := range r.Steps {
		if s.Err != nil {
			out = append(out, fmt.Sprintf("step %s: %v", s.Step.ID, cloud.Explain(s.Err)))
		}
		if s.Check != nil {
			for _, f := range s.Check.Findings {
				if f.Level == tools.Block {
					out = append(out, fmt.Sprintf("step %s: %s", s.Step.ID, f.Text))
				}
			}
		}
	}
	for _, q := range r.Quota {
		if q.Limit >= 0 && q.Delta > 0 && q.InUse+q.Delta > q.Limit {
			out = append(out, fmt.Sprintf("%s quota %s: %d in use + %d > limit %d", q.Service, q.Resource, q.InUse, q.Delta, q.Limit))
		}
	}
	return out
}

// Preflight validates the plan, then runs every step's Check and Preview
// with a read-only context: nothing in it can change the cloud. A step
// whose arguments refer to earlier outputs is checked with the references
// left in place (tools skip what they cannot know yet).
func (g *Gate) Preflight(ctx context.Context, env *tools.Env, p *plan.Plan) (*Review, error) {
	caps, err := env.Clients.Capabilities(ctx)
	if err != nil {
		return nil, err
	}
	for _, s := range p.Steps {
		if tool, ok := g.Registry.Lookup(s.Tool); ok && !caps.Has(tool.Service) {
			// A service missing from a cached catalog may be new.
			if caps, err = refreshedCatalog(ctx, env, caps); err != nil {
				return nil, err
			}
			break
		}
	}
	if err := g.Validate(p, caps); err != nil {
		return nil, err
	}
	ro := cloud.WithReadOnly(ctx)
	expanded, err := g.expand(ro, env, p)
	if err != nil {
		return nil, err
	}
	if expanded != p {
		if err := g.Validate(expanded, caps); err != nil {
			return nil, err
		}
		p = expanded
	}
	r := &Review{Plan: p, At: g.now()}
	// Outputs of the steps whose goal already holds: later steps use them
	// as they would the outputs of a run.
	held := map[string]map[string]string{}
	needed := neededOutputs(p)
	for _, s := range p.Steps {
		tool, _ := g.Registry.Lookup(s.Tool)
		if len(held) > 0 {
			s.Args = fillHeld(s.Args, held)
		}
		sr := StepReview{Step: s, Tool: tool}
		if s.Holds != nil && tool.Effect != tools.Read {
			sr.Held, sr.HoldsNote = g.evalHolds(ro, env, s, tool, held, needed[s.ID])
			if sr.Held != nil {
				held[s.ID] = sr.Held.Outputs
				r.Steps = append(r.Steps, sr)
				continue
			}
		}
		if tool.Effect != tools.Read {
			sr.Check, sr.Err = tool.Check(ro, env, s.Args)
			if sr.Err == nil && sr.Check == nil {
				sr.Err = fmt.Errorf("%s: its preflight returned nothing", tool.Name)
			}
			if sr.Err == nil {
				args := s.Args
				if sr.Check.Resolved != nil {
					args = sr.Check.Resolved
				}
				sr.Preview, sr.Err = tool.Preview(ro, env, args, sr.Check)
				// A step the preflight already blocks cannot be built
				// either, for the reason the finding gives: saying it a
				// second time as a failed dry run is noise.
				if sr.Err != nil && sr.Check.Blocked() {
					sr.Preview, sr.Err = nil, nil
				}
			}
		}
		r.Steps = append(r.Steps, sr)
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	r.Quota = sumQuota(r.Steps)
	return r, nil
}

// neededOutputs lists, per step, the outputs later steps refer to (in
// their arguments or their holds checks).
func neededOutputs(p *plan.Plan) map[string]map[string]bool {
	out := map[string]map[string]bool{}
	note := func(args tools.Args) {
		for _, ref := range tools.Refs(args) {
			if out[ref[0]] == nil {
				out[ref[0]] = map[string]bool{}
			}
			out[ref[0]][ref[1]] = true
		}
	}
	for _, s := range p.Steps {
		note(s.Args)
		if s.Holds != nil {
			if b, err := json.Marshal(s.Holds); err == nil {
				note(b)
			}
		}
	}
	return out
}

// fillHeld puts the outputs of held steps in place of their references;
// references to steps that will run stay as they are.
func fillHeld(args tools.Args, held map[string]map[string]string) tools.Args {
	out, err := tools.ResolveRefs(args, func(step, field string) (string, bool) {
		if v, ok := held[step][field]; ok {
			return v, true
		}
		return "${" + step + "." + field + "}", true
	})
	if err != nil {
		return args
	}
	return out
}

// expand replaces each step of a wizard tool (one with Expand) by the
// steps it expands into, so what is checked, approved, run and audited
// is every real change. In a plan of several steps the expanded steps'
// IDs (and their references to one another) are prefixed with the
// wizard step's ID, so they cannot collide with the plan's own. p itself
// is returned when nothing expands.
func (g *Gate) expand(ctx context.Context, env *tools.Env, p *plan.Plan) (*plan.Plan, error) {
	var out *plan.Plan
	for i, s := range p.Steps {
		tool, _ := g.Registry.Lookup(s.Tool)
		var steps []tools.Step
		if tool != nil && tool.Expand != nil && len(tools.Refs(s.Args)) == 0 {
			var err error
			if steps, err = tool.Expand(ctx, env, s.Args); err != nil {
				return nil, fmt.Errorf("step %s (%s): %w", s.ID, tool.Slash(), err)
			}
		}
		if steps == nil {
			if out != nil {
				out.Steps = append(out.Steps, s)
			}
			continue
		}
		if out == nil {
			out = &plan.Plan{ID: p.ID, Goal: p.Goal, Origin: p.Origin, Steps: append([]plan.Step{}, p.Steps[:i]...)}
		}
		prefix := ""
		if len(p.Steps) > 1 {
			prefix = s.ID + "-"
		}
		for _, e := range steps {
			args := string(e.Args)
			if prefix != "" {
				for _, o := range steps {
					args = strings.ReplaceAll(args, "${"+o.ID+".", "${"+prefix+o.ID+".")
				}
			}
			out.Steps = append(out.Steps, plan.Step{ID: prefix + e.ID, Tool: e.Tool, Args: []byte(args), Why: e.Why})
		}
	}
	if out == nil {
		return p, nil
	}
	return out, nil
}

// sumQuota adds up each resource's delta across steps; InUse and Limit
// come from the first step that reported the resource.
func sumQuota(steps []StepReview) []tools.QuotaUse {
	byKey := map[string]*tools.QuotaUse{}
	var order []string
	for _, s := range steps {
		if s.Check == nil {
			continue
		}
		for _, q := range s.Check.Quota {
			key := q.Service + "/" + q.Resource
			if cur, ok := byKey[key]; ok {
				cur.Delta += q.Delta
				continue
			}
			qq := q
			byKey[key] = &qq
			order = append(order, key)
		}
	}
	sort.Strings(order)
	out := make([]tools.QuotaUse, 0, len(order))
	for _, k := range order {
		out = append(out, *byKey[k])
	}
	return out
}
