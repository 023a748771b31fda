package approval

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/agent/gate"
	"github.com/kriscelmer/os-tui/agent/plan"
	"github.com/kriscelmer/os-tui/agent/session"
	"github.com/kriscelmer/os-tui/internal/views"
	"github.com/kriscelmer/os-tui/tools"
)

var update = flag.Bool("update", false, "rewrite golden files")

func tool(name string, e tools.Effect) *tools.Tool {
	return &tools.Tool{Name: name, Effect: e, Undo: func(tools.Args, *tools.Result) *tools.Call {
		return &tools.Call{Tool: "server.start"}
	}}
}

// longPlan is a plan of n steps: stops, a delete with a dependent, and
// one blocked step when blocked is set.
func longPlan(n int, blocked bool) *gate.Review {
	p := &plan.Plan{Goal: "tidy the project", Origin: plan.OriginSlash}
	r := &gate.Review{Plan: p, At: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	for i := range n {
		name := "web-" + string(rune('a'+i))
		st := gate.StepReview{
			Step:  plan.Step{ID: "stop-" + name, Tool: "server.stop", Args: tools.Args(`{"server":"` + name + `"}`), Why: "idle"},
			Tool:  tool("server.stop", tools.Change),
			Check: &tools.Check{Targets: []tools.Target{{Kind: "server", ID: "id-" + name, Name: name}}, Findings: []tools.Finding{{Level: tools.Info, Text: "server " + name + " is ACTIVE"}}},
			Preview: &tools.Preview{
				Requests: []tools.Request{{Method: "POST", URL: "https://nova/v2.1/servers/id-" + name + "/action", Body: map[string]any{"os-stop": nil}}},
				Changes:  []tools.FieldChange{{Field: "status", From: "ACTIVE", To: "SHUTOFF"}},
			},
		}
		if i == 1 {
			st.Step.Tool, st.Tool = "server.delete", &tools.Tool{Name: "server.delete", Effect: tools.Destroy}
			st.Preview.Deletes = []tools.Dependent{{Kind: "port", Name: "p-1", Fate: "deleted with the server"}}
			st.Check.Findings = append(st.Check.Findings, tools.Finding{Level: tools.Warn, Text: "the server has a floating IP"})
		}
		if blocked && i == 2 {
			st.Check.Findings = append(st.Check.Findings, tools.Finding{Level: tools.Block, Text: "server " + name + " is locked"})
		}
		r.Steps = append(r.Steps, st)
	}
	r.Quota = []tools.QuotaUse{{Service: "compute", Resource: "instances", InUse: 4, Limit: 10, Delta: -1}}
	return r
}

func deps(color bool) views.Deps {
	return views.Deps{Styles: views.NewStyles(color)}
}

func open(t *testing.T, req session.Request, color bool) Model {
	t.Helper()
	m := New(deps(color), RequestMsg{Req: req})
	m.Standalone = true
	return send(t, m, tea.WindowSizeMsg{Width: 110, Height: 18})
}

func send(t *testing.T, m Model, msgs ...tea.Msg) Model {
	t.Helper()
	for _, msg := range msgs {
		nm, _ := m.Update(msg)
		m = nm.(Model)
	}
	return m
}

func press(k string) tea.KeyPressMsg {
	switch k {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	}
	r := []rune(k)[0]
	return tea.KeyPressMsg{Code: r, Text: k}
}

func keys(ks ...string) []tea.Msg {
	var out []tea.Msg
	for _, k := range ks {
		out = append(out, press(k))
	}
	return out
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s (-want +got):\n%s", name, diff)
	}
}

func TestGolden(t *testing.T) {
	for _, color := range []bool{false, true} {
		suffix := ""
		if color {
			suffix = "-color"
		}
		m := open(t, session.Request{Kind: session.ApprovePlan, Review: longPlan(8, false)}, color)
		golden(t, "plan"+suffix, m.Content())
		m = send(t, m, keys("down")...)
		golden(t, "plan-step2"+suffix, m.Content())
		m = send(t, m, keys("s", "space")...)
		golden(t, "plan-steps"+suffix, m.Content())
		b := open(t, session.Request{Kind: session.FixBlocked, Review: longPlan(3, true)}, color)
		golden(t, "blocked"+suffix, send(t, b, keys("down", "down")...).Content())
	}
	u := open(t, session.Request{Kind: session.ReviewUndo, Undo: &plan.Plan{Steps: []plan.Step{{Tool: "server.start", Args: tools.Args(`{"server":"id-1"}`)}}}}, false)
	golden(t, "undo", u.Content())
}

func TestDecisions(t *testing.T) {
	req := session.Request{Kind: session.ApprovePlan, Review: longPlan(3, false)}
	grantable := req
	grantable.Grantable = tool("server.stop", tools.Change)
	tests := []struct {
		name string
		req  session.Request
		keys []string
		want session.Decision
		done bool
	}{
		{name: "y approves all", req: req, keys: []string{"y"}, want: session.Decision{Verdict: session.Approve}, done: true},
		{name: "enter approves all", req: req, keys: []string{"enter"}, want: session.Decision{Verdict: session.Approve}, done: true},
		{name: "n asks why", req: req, keys: []string{"n", "t", "o", "o", "space", "m", "a", "n", "y", "enter"}, want: session.Decision{Verdict: session.Deny, Reason: "too many"}, done: true},
		{name: "esc on the reason goes back", req: req, keys: []string{"n", "x", "esc"}},
		{name: "esc denies", req: req, keys: []string{"esc"}, want: session.Decision{Verdict: session.Deny}, done: true},
		{name: "q denies", req: req, keys: []string{"q"}, want: session.Decision{Verdict: session.Deny}, done: true},
		{name: "step by step picks steps", req: req, keys: []string{"s", "space", "down", "space", "enter"}, want: session.Decision{Verdict: session.ApproveSteps, Runs: []bool{true, false, true}}, done: true},
		{name: "esc leaves step mode only", req: req, keys: []string{"s", "esc"}},
		{name: "a without a grantable tool is a note", req: req, keys: []string{"a"}},
		{name: "a allows for the session", req: grantable, keys: []string{"a"}, want: session.Decision{Verdict: session.AllowForSession}, done: true},
		{name: "a blocked plan is not approved with y", req: session.Request{Kind: session.FixBlocked, Review: longPlan(3, true)}, keys: []string{"y", "enter"}},
		{name: "n leaves a blocked plan", req: session.Request{Kind: session.FixBlocked, Review: longPlan(3, true)}, keys: []string{"n"}, want: session.Decision{Verdict: session.Deny}, done: true},
		{name: "undo: y reviews it", req: session.Request{Kind: session.ReviewUndo, Undo: &plan.Plan{}}, keys: []string{"y"}, want: session.Decision{Verdict: session.Approve}, done: true},
		{name: "paranoid read: n keeps it", req: session.Request{Kind: session.ShareRead, Tool: tool("server.list", tools.Read)}, keys: []string{"n"}, want: session.Decision{Verdict: session.Deny}, done: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := open(t, tt.req, false)
			m = send(t, m, keys(tt.keys...)...)
			got, done := m.Decision()
			if done != tt.done {
				t.Fatalf("decided %v, want %v", done, tt.done)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("decision (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEmbeddedDecisionAnswersTheEngine(t *testing.T) {
	ap := NewApprover()
	out := make(chan session.Decision, 1)
	go func() {
		d, _ := ap.Decide(t.Context(), session.Request{Kind: session.ApprovePlan, Review: longPlan(2, false)})
		out <- d
	}()
	req := ap.Next()().(RequestMsg)
	m := New(deps(false), req)
	_, cmd := m.Update(press("y"))
	decided := cmd().(DecidedMsg)
	next := decided.Request.Answer(decided.Decision)
	if d := <-out; d.Verdict != session.Approve {
		t.Fatalf("engine got %+v", d)
	}
	ap.close()
	if msg := next(); msg != nil {
		t.Errorf("after the submission ends, Next delivers %v", msg)
	}
}

func TestClosedViewDenies(t *testing.T) {
	ap := NewApprover()
	ap.close()
	if _, err := ap.Decide(t.Context(), session.Request{}); !errors.Is(err, session.ErrNoAnswer) {
		t.Errorf("a closed approver answers %v", err)
	}
}

func TestSaveRecipeKey(t *testing.T) {
	review := longPlan(3, false)
	var saved []string
	d := deps(false)
	d.SaveRecipe = func(name string, p *plan.Plan) (string, error) {
		if p != review.Plan {
			t.Errorf("saved another plan than the one under review")
		}
		saved = append(saved, name)
		return "saved recipe " + name, nil
	}
	m := New(d, RequestMsg{Req: session.Request{Kind: session.ApprovePlan, Review: review}})
	m.Standalone = true
	m = send(t, m, tea.WindowSizeMsg{Width: 110, Height: 18})
	m = send(t, m, keys("r", "l", "a", "b", "enter")...)
	if diff := cmp.Diff([]string{"lab"}, saved); diff != "" {
		t.Errorf("saved (-want +got):\n%s", diff)
	}
	if _, done := m.Decision(); done {
		t.Fatal("saving a recipe answered the review")
	}
	if !strings.Contains(m.Content(), "saved recipe lab") {
		t.Errorf("the review does not say it saved:\n%s", m.Content())
	}
	// Saving is not an answer: y still approves.
	m = send(t, m, keys("y")...)
	if got, done := m.Decision(); !done || got.Verdict != session.Approve {
		t.Errorf("after saving, y gave %+v (done %v)", got, done)
	}
	// Without a way to save, r does nothing.
	plain := open(t, session.Request{Kind: session.ApprovePlan, Review: review}, false)
	plain = send(t, plain, keys("r", "x", "enter")...)
	if got, done := plain.Decision(); !done || got.Verdict != session.Approve {
		t.Errorf("r without SaveRecipe: %+v (done %v); enter should approve", got, done)
	}
}
