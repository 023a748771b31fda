package planner

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/agent/llm"
	"github.com/kriscelmer/os-tui/agent/plan"
	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/toolset"
)

// scripted is a model that answers from a script and records requests.
type scripted struct {
	replies  []llm.Response
	requests []llm.Request
}

func (s *scripted) Model() string { return "scripted" }

func (s *scripted) Complete(_ context.Context, req llm.Request, onText func(string)) (*llm.Response, error) {
	// The planner keeps appending to (and replaces the first of) the
	// messages it sent; keep them as they were sent, as a server would.
	req.Messages = append([]llm.Message(nil), req.Messages...)
	s.requests = append(s.requests, req)
	if len(s.replies) == 0 {
		return nil, errors.New("script exhausted")
	}
	r := s.replies[0]
	s.replies = s.replies[1:]
	if onText != nil && r.Content != "" {
		onText(r.Content)
	}
	return &r, nil
}

func calls(tc ...llm.ToolCall) llm.Response { return llm.Response{ToolCalls: tc} }

func tc(id, name, args string) llm.ToolCall { return llm.ToolCall{ID: id, Name: name, Arguments: args} }

func toolMessages(s *Session) []string {
	var out []string
	for _, m := range s.Messages {
		if m.Role == llm.RoleTool {
			out = append(out, m.ToolCallID+" "+m.Content)
		}
	}
	return out
}

func newPlanner(t *testing.T, model *scripted) *Planner {
	t.Helper()
	reg, err := toolset.Registry()
	if err != nil {
		t.Fatal(err)
	}
	return &Planner{LLM: model, Registry: reg}
}

func serverList() *tools.Result {
	return &tools.Result{List: &tools.List{
		Columns: []tools.Column{{Name: "ID"}, {Name: "Name"}, {Name: "Status"}},
		Rows:    [][]any{{"id-1", "db-2", "ERROR"}, {"id-2", injection, "ACTIVE"}},
	}}
}

func TestReadThenAnswer(t *testing.T) {
	model := &scripted{replies: []llm.Response{
		calls(tc("c1", FunctionName("server.list"), `{"status": "ERROR"}`)),
		{Content: "db-2 is in ERROR."},
	}}
	p := newPlanner(t, model)
	var read []string
	var text strings.Builder
	s := &Session{}
	err := p.Turn(t.Context(), s, "system", "plan", "which servers are in ERROR?", Hooks{
		Read: func(_ context.Context, tool string, args tools.Args) (*tools.Result, error) {
			read = append(read, tool+" "+string(args))
			return serverList(), nil
		},
		Text: func(d string) { text.WriteString(d) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{`server.list {"status": "ERROR"}`}, read); diff != "" {
		t.Errorf("reads (-want +got):\n%s", diff)
	}
	if text.String() != "db-2 is in ERROR." {
		t.Errorf("streamed text = %q", text.String())
	}
	got := toolMessages(s)
	if len(got) != 1 || !strings.HasPrefix(got[0], `c1 <tool_result tool="server.list">`) || !strings.Contains(got[0], injection) {
		t.Errorf("tool message = %v; the read must come back fenced, cloud text inside the fence", got)
	}
	// Functions offered: reads and propose_plan, never a change tool directly.
	offered := map[string]bool{}
	for _, f := range model.requests[0].Functions {
		offered[f.Name] = true
	}
	if !offered[FunctionName("server.list")] || !offered[ProposePlanFunction] || offered[FunctionName("server.stop")] {
		t.Errorf("offered functions wrong: %v", offered)
	}
}

func TestDenialAnswersEveryCallInTheBatch(t *testing.T) {
	model := &scripted{replies: []llm.Response{
		calls(
			tc("c1", ProposePlanFunction, `{"goal": "delete volumes", "steps": [{"id": "d", "tool": "server.delete", "args": {"server": "db-2"}}]}`),
			tc("c2", FunctionName("server.list"), `{}`),
		),
		{Content: "Understood, nothing was deleted."},
	}}
	p := newPlanner(t, model)
	var proposed []*plan.Plan
	reads := 0
	s := &Session{}
	err := p.Turn(t.Context(), s, "system", "plan", "do it", Hooks{
		Read: func(context.Context, string, tools.Args) (*tools.Result, error) { reads++; return serverList(), nil },
		Propose: func(_ context.Context, pl *plan.Plan) Outcome {
			proposed = append(proposed, pl)
			return Outcome{Status: StatusDenied, Errors: []string{"not approved; nothing was changed"}}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(proposed) != 1 || proposed[0].Origin != plan.OriginModel {
		t.Fatalf("proposed = %+v; the origin must be forced to model", proposed)
	}
	if reads != 0 {
		t.Errorf("a call after the denial ran")
	}
	got := toolMessages(s)
	if len(got) != 2 || !strings.Contains(got[0], `"status":"denied"`) || !strings.Contains(got[1], `"status":"denied"`) || !strings.Contains(got[1], "declined an earlier call") {
		t.Errorf("tool messages = %v", got)
	}
}

func TestInvalidPlansAreCorrectedAtMostThreeTimes(t *testing.T) {
	bad := calls(tc("c", ProposePlanFunction, `{"goal": "x", "steps": [{"id": "s", "tool": "server.stop", "args": {}}]}`))
	model := &scripted{replies: []llm.Response{bad, bad, bad, bad, {Content: "never reached"}}}
	p := newPlanner(t, model)
	s := &Session{}
	err := p.Turn(t.Context(), s, "system", "plan", "stop it", Hooks{
		Propose: func(context.Context, *plan.Plan) Outcome {
			return Outcome{Status: StatusInvalid, Retryable: true, Errors: []string{"step s: --server is required"}}
		},
	})
	if !errors.Is(err, ErrTooManyCorrections) {
		t.Fatalf("err = %v", err)
	}
	if len(model.requests) != 4 {
		t.Errorf("model asked %d times, want 4 (first try + 3 corrections)", len(model.requests))
	}
	if got := toolMessages(s); !strings.Contains(got[0], "--server is required") {
		t.Errorf("the exact errors must go back to the model: %v", got)
	}
}

func TestAskModeAndForbiddenArguments(t *testing.T) {
	model := &scripted{replies: []llm.Response{
		calls(
			tc("c1", ProposePlanFunction, `{"goal": "x", "steps": [{"id": "s", "tool": "server.stop", "args": {"server": "a"}}]}`),
			tc("c2", FunctionName("network.list"), `{"project": "someone-else"}`),
			tc("c3", FunctionName("server.stop"), `{"server": "a"}`),
			tc("c4", "nonsense", `{}`),
			tc("c5", FunctionName("object.temp-url"), `{"container": "media", "object": "a.txt"}`),
		),
		{Content: "ok"},
	}}
	p := newPlanner(t, model)
	s := &Session{}
	err := p.Turn(t.Context(), s, "system", "ask", "stop a", Hooks{
		Read: func(context.Context, string, tools.Args) (*tools.Result, error) {
			t.Error("a forbidden read ran")
			return nil, nil
		},
		Propose: func(context.Context, *plan.Plan) Outcome {
			t.Error("a plan was proposed in ask mode")
			return Outcome{}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range model.requests[0].Functions {
		if f.Name == ProposePlanFunction {
			t.Error("ask mode offered propose_plan")
		}
	}
	got := toolMessages(s)
	want := []string{"ask mode", "may not be set by the model", "changes the cloud: propose it with propose_plan", `no tool`, "answers the person only"}
	if len(got) != len(want) {
		t.Fatalf("tool messages = %v", got)
	}
	for i, w := range want {
		if !strings.Contains(got[i], w) {
			t.Errorf("message %d = %q, want it to say %q", i, got[i], w)
		}
	}
}

func TestReadToolDescribesThenRunsDeferredReads(t *testing.T) {
	model := &scripted{replies: []llm.Response{
		calls(
			tc("c1", ReadToolFunction, `{"name": "loadbalancer.list"}`),
			tc("c2", ReadToolFunction, `{"name": "loadbalancer.list", "args": {}}`),
			tc("c3", ReadToolFunction, `{"name": "server.list", "args": {}}`),
			tc("c4", ReadToolFunction, `{"name": "loadbalancer.list", "args": {"project": "other"}}`),
			tc("c5", ReadToolFunction, `{"name": "stack.preview", "args": {}}`),
		),
		{Content: "ok"},
	}}
	p := newPlanner(t, model)
	s := &Session{}
	var ran []string
	err := p.Turn(t.Context(), s, "system", "ask", "which load balancers do I have?", Hooks{
		Read: func(_ context.Context, name string, args tools.Args) (*tools.Result, error) {
			ran = append(ran, name+" "+string(args))
			return &tools.Result{Text: "lb-1"}, nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	offered := map[string]bool{}
	for _, f := range model.requests[0].Functions {
		offered[f.Name] = true
	}
	if !offered[ReadToolFunction] || offered[FunctionName("loadbalancer.list")] || !offered[FunctionName("server.list")] {
		t.Errorf("ask mode offers read_tool for load balancers and server.list directly; offered %v", offered)
	}
	if diff := cmp.Diff([]string{"loadbalancer.list {}"}, ran); diff != "" {
		t.Errorf("reads run (-want +got):\n%s", diff)
	}
	got := toolMessages(s)
	want := []string{`"tool":"loadbalancer.list"`, "lb-1", "is not one", "may not be set by the model", "answers the person only"}
	if len(got) != len(want) {
		t.Fatalf("tool messages = %v", got)
	}
	for i, w := range want {
		if !strings.Contains(got[i], w) {
			t.Errorf("message %d = %q, want it to say %q", i, got[i], w)
		}
	}
}

func TestUsageIsCounted(t *testing.T) {
	model := &scripted{replies: []llm.Response{{Content: "hi", Usage: llm.Usage{PromptTokens: 100, CompletionTokens: 5}}}}
	p := newPlanner(t, model)
	s := &Session{}
	for i := 0; i < 2; i++ {
		model.replies = append(model.replies, llm.Response{Content: "hi", Usage: llm.Usage{PromptTokens: 100, CompletionTokens: 5}})
		if err := p.Turn(t.Context(), s, "system", "plan", "hello", Hooks{}); err != nil {
			t.Fatal(err)
		}
	}
	if s.Usage.PromptTokens != 200 || s.LastTurn.PromptTokens != 100 {
		t.Errorf("usage = %+v, last = %+v", s.Usage, s.LastTurn)
	}
	b, _ := json.Marshal(s.Messages)
	if strings.Count(string(b), `"role":"system"`) != 1 {
		t.Error("the system prompt was added twice")
	}
}

func TestComposeModeRefusesPlans(t *testing.T) {
	model := &scripted{replies: []llm.Response{
		calls(tc("c1", ProposePlanFunction, `{"goal": "x", "steps": [{"id": "s", "tool": "server.stop", "args": {"server": "a"}}]}`)),
		{Content: "ok"},
	}}
	p := newPlanner(t, model)
	s := &Session{}
	err := p.Turn(t.Context(), s, "system", "compose", "write a recipe", Hooks{
		Propose: func(context.Context, *plan.Plan) Outcome {
			t.Error("a plan was proposed in compose mode")
			return Outcome{}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := toolMessages(s); len(got) != 1 || !strings.Contains(got[0], "propose_plan is not available in compose mode") {
		t.Errorf("tool messages = %v", got)
	}
}
