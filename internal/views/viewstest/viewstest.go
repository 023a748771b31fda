// Package viewstest is a fake session for view tests: a views.Backend
// that answers reads from lists and records held in memory and takes
// plans to the view's approver as the engine would, recording what was
// asked and answered. It holds no cloud; ostui never links it.
package viewstest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/kriscelmer/os-tui/agent/gate"
	"github.com/kriscelmer/os-tui/agent/plan"
	"github.com/kriscelmer/os-tui/agent/session"
	"github.com/kriscelmer/os-tui/tools"
)

// Backend is the fake. Fill Lists and Records before use.
type Backend struct {
	Reg *tools.Registry
	// Lists answer a list tool by name ("server.list"), whatever its
	// arguments.
	Lists map[string]*tools.List
	// Records answer a show tool: key "server.show" + " " + its
	// arguments as JSON.
	Records map[string]*tools.Record
	// Errs fail a tool by name.
	Errs map[string]error
	RO   bool

	mu        sync.Mutex
	reads     []string
	plans     []*plan.Plan
	decisions []session.Decision
}

// Registry implements views.Backend.
func (b *Backend) Registry() *tools.Registry { return b.Reg }

// ReadOnly implements views.Backend.
func (b *Backend) ReadOnly() bool { return b.RO }

// Read implements views.Backend.
func (b *Backend) Read(_ context.Context, tool string, args tools.Args) (*tools.Result, error) {
	b.mu.Lock()
	b.reads = append(b.reads, tool+" "+string(args))
	b.mu.Unlock()
	if err := b.Errs[tool]; err != nil {
		return nil, err
	}
	if l, ok := b.Lists[tool]; ok {
		return &tools.Result{List: l}, nil
	}
	if r, ok := b.Records[tool+" "+string(args)]; ok {
		return &tools.Result{Record: r}, nil
	}
	return nil, fmt.Errorf("viewstest: no answer for %s %s", tool, args)
}

// Check implements views.Backend: every step reviewed, nothing blocked.
func (b *Backend) Check(_ context.Context, p *plan.Plan) (*gate.Review, error) {
	return b.review(p)
}

func (b *Backend) review(p *plan.Plan) (*gate.Review, error) {
	r := &gate.Review{Plan: p, At: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	for _, s := range p.Steps {
		t, ok := b.Reg.Lookup(s.Tool)
		if !ok {
			return nil, fmt.Errorf("viewstest: no tool %s", s.Tool)
		}
		r.Steps = append(r.Steps, gate.StepReview{
			Step:    s,
			Tool:    t,
			Check:   &tools.Check{Findings: []tools.Finding{{Level: tools.Info, Text: "checked by the fake"}}},
			Preview: &tools.Preview{Requests: []tools.Request{{Method: "POST", URL: "https://fake/" + s.Tool, Body: map[string]any{"args": string(s.Args)}}}},
		})
	}
	return r, nil
}

// Submit implements views.Backend: the plan is reviewed and put to ap as
// the engine does; nothing runs.
func (b *Backend) Submit(ctx context.Context, p *plan.Plan, ap session.Approver) (*session.Outcome, error) {
	b.mu.Lock()
	b.plans = append(b.plans, p)
	b.mu.Unlock()
	r, err := b.review(p)
	if err != nil {
		return &session.Outcome{Status: session.StatusInvalid}, err
	}
	d, err := ap.Decide(ctx, session.Request{Kind: session.ApprovePlan, Review: r})
	if err != nil {
		return &session.Outcome{Status: session.StatusDenied, Review: r}, err
	}
	b.mu.Lock()
	b.decisions = append(b.decisions, d)
	b.mu.Unlock()
	if d.Verdict == session.Deny {
		return &session.Outcome{Status: session.StatusDenied, Reason: d.Reason, Review: r}, &session.DeclinedError{Reason: d.Reason}
	}
	return &session.Outcome{Status: session.StatusOK, Review: r, Summary: fmt.Sprintf("%d step(s): ok", len(p.Steps))}, nil
}

// Plans are the plans submitted so far.
func (b *Backend) Plans() []*plan.Plan {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]*plan.Plan(nil), b.plans...)
}

// Decisions are the answers the approver gave so far.
func (b *Backend) Decisions() []session.Decision {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]session.Decision(nil), b.decisions...)
}

// Reads are the reads made so far, "tool args".
func (b *Backend) Reads() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.reads...)
}

// ErrFake is an error for Errs.
var ErrFake = errors.New("the fake cloud refused")

// Servers is a server list of n rows, as server.list returns it.
func Servers(n int) *tools.List {
	l := &tools.List{Columns: []tools.Column{
		{Name: "ID"}, {Name: "Name"}, {Name: "Status", Kind: tools.Status}, {Name: "Task State", Long: true},
		{Name: "Power State", Long: true}, {Name: "Networks"}, {Name: "Image"}, {Name: "Flavor"},
	}}
	statuses := []string{"ACTIVE", "SHUTOFF", "ERROR", "BUILD"}
	for i := range n {
		l.Rows = append(l.Rows, []any{
			fmt.Sprintf("%08d-0000-4000-8000-%012d", i, i),
			fmt.Sprintf("web-%d", i),
			statuses[i%len(statuses)],
			"",
			"Running",
			fmt.Sprintf("private=10.0.%d.%d", (i/250)%250, i%250+2),
			"cirros",
			"m1.nano",
		})
	}
	return l
}
