package session

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/kriscelmer/os-tui/agent/llm"
	"github.com/kriscelmer/os-tui/agent/plan"
	"github.com/kriscelmer/os-tui/agent/prompt"
	"github.com/kriscelmer/os-tui/tools/toolset"
)

// scripted is a model that answers with the listed responses in turn and
// keeps every request.
type scripted struct {
	mu        sync.Mutex
	responses []llm.Response
	requests  []llm.Request
}

func (s *scripted) Complete(_ context.Context, req llm.Request, onText func(string)) (*llm.Response, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, req)
	if len(s.responses) == 0 {
		return &llm.Response{Content: "(no more)"}, nil
	}
	r := s.responses[0]
	s.responses = s.responses[1:]
	if onText != nil && r.Content != "" {
		onText(r.Content)
	}
	return &r, nil
}

func (s *scripted) Model() string { return "scripted" }

func TestAskTakesTheModelsPlanThroughTheSamePath(t *testing.T) {
	f := newFixture(t)
	model := &scripted{responses: []llm.Response{
		{ToolCalls: []llm.ToolCall{{ID: "c1", Name: "vm__list", Arguments: `{}`}}},
		{ToolCalls: []llm.ToolCall{{ID: "c2", Name: "propose_plan", Arguments: `{"goal": "stop vm-1", "steps": [{"id": "stop", "tool": "vm.stop", "args": {"vm": "vm-1"}, "why": "asked"}]}`}}},
		{Content: "Understood, I left vm-1 alone."},
	}}
	f.engine.Model = ModelConfig{LLM: model, PromptData: func() prompt.Data { return prompt.Data{Cloud: "test"} }}
	ap := &answers{decisions: []Decision{{Verdict: Deny, Reason: "it serves traffic"}}}
	if err := f.engine.Ask(t.Context(), "stop vm-1", "plan", ap); err != nil {
		t.Fatal(err)
	}
	if len(ap.asked) != 1 || ap.asked[0].Review.Plan.Origin != plan.OriginModel {
		t.Fatalf("asked %+v", ap.asked)
	}
	if ap.asked[0].Grantable != nil {
		t.Error("a grant was offered for a model's plan")
	}
	if len(f.world.ranSteps()) != 0 {
		t.Error("a denied plan ran")
	}
	last := model.requests[len(model.requests)-1].Messages
	result := last[len(last)-1].Content
	for _, want := range []string{`"status":"denied"`, "it serves traffic"} {
		if !strings.Contains(result, want) {
			t.Errorf("the model's result %s lacks %s", result, want)
		}
	}
	kinds := strings.Join(f.rec.kinds(), " ")
	for _, want := range []string{"ReadStarted", "ReadFinished", "ReviewReady", "ApprovalNeeded", "Finished", "TextDelta"} {
		if !strings.Contains(kinds, want) {
			t.Errorf("events %s lack %s", kinds, want)
		}
	}
	if got := f.rec.states(); got[0] != "planning" || got[len(got)-1] != "done" {
		t.Errorf("states = %v", got)
	}
	if diff := f.audit.Events("/", "Event", "Origin", "Result"); len(diff) != 1 || diff[0] != "denied/model/" {
		t.Errorf("audit = %v", diff)
	}
}

func TestAskOffline(t *testing.T) {
	f := newFixture(t)
	if err := f.engine.Ask(t.Context(), "hello", "plan", nil); err != ErrOffline {
		t.Errorf("err = %v, want ErrOffline", err)
	}
}

func TestConversationSavedAndResumed(t *testing.T) {
	f := newFixture(t)
	dir := t.TempDir()
	model := &scripted{responses: []llm.Response{{Content: "hello there"}}}
	f.engine.Model = ModelConfig{LLM: model, SessionDir: dir, Secrets: func() []string { return []string{"hunter22"} }}
	if err := f.engine.Ask(t.Context(), "hi, my password is hunter22", "ask", nil); err != nil {
		t.Fatal(err)
	}
	id := f.engine.ConversationID()
	if id == "" {
		t.Fatal("the conversation was not saved after the turn")
	}
	b, err := os.ReadFile(filepath.Join(dir, id+".json"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "hunter22") {
		t.Error("a secret reached the saved conversation")
	}
	other := newFixture(t)
	other.engine.Model = ModelConfig{LLM: model, SessionDir: dir}
	tr, err := other.engine.Resume("latest")
	if err != nil || tr.ID != id {
		t.Fatalf("resume: %v %v", tr, err)
	}
	if _, total, ok := other.engine.Usage(); !ok || total != tr.Usage {
		t.Errorf("usage after resume = %v", total)
	}
}

func TestBudgetRefusesATurn(t *testing.T) {
	f := newFixture(t)
	model := &scripted{responses: []llm.Response{{Content: "a", Usage: llm.Usage{PromptTokens: 90, CompletionTokens: 20}}}}
	f.engine.Model = ModelConfig{LLM: model, TokenBudget: 100}
	if err := f.engine.Ask(t.Context(), "one", "ask", nil); err != nil {
		t.Fatal(err)
	}
	err := f.engine.Ask(t.Context(), "two", "ask", nil)
	if err == nil || !strings.Contains(err.Error(), "budget of 100") {
		t.Errorf("err = %v", err)
	}
}

func TestSaveComposed(t *testing.T) {
	reg, err := toolset.Registry()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	e := &Engine{Registry: reg, ComposeDir: dir}
	recipe := "goal: stop\nsteps:\n  - {id: s, tool: server.stop, args: {server: web-1}}\n"
	heat := "heat_template_version: 2021-04-16\nresources:\n  vm: {type: OS::Nova::Server}\n"
	tests := []struct {
		kind, path, content string
		wantErr             string
	}{
		{"recipe", "../x.yaml", recipe, "plain file name"},
		{"recipe", "/etc/x.yaml", recipe, "plain file name"},
		{"recipe", ".hidden.yaml", recipe, "plain file name"},
		{"recipe", "x.txt", recipe, "must end in .yaml"},
		{"recipe", "bad.yaml", "goal: x\nsteps:\n  - {id: s, tool: server.stop, args: {}}\n", "--server is required"},
		{"heat", "h.yaml", "resources: {}\n", "heat_template_version is missing"},
		{"shell", "s.yaml", "x", `kind must be "recipe" or "heat"`},
		{"recipe", "ok.yaml", recipe, ""},
		{"recipe", "ok.yaml", recipe, "already exists"},
		{"heat", "stack.yaml", heat, ""},
	}
	for _, tt := range tests {
		out := e.saveComposed(t.Context(), tt.kind, tt.path, tt.content)
		got := strings.Join(out.Errors, "; ")
		if tt.wantErr == "" {
			if out.Status != "ok" {
				t.Errorf("%s %s: %s %v", tt.kind, tt.path, out.Status, out.Errors)
			}
			continue
		}
		if !strings.Contains(got, tt.wantErr) {
			t.Errorf("%s %s: errors %q, want %q", tt.kind, tt.path, got, tt.wantErr)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "..", "x.yaml")); err == nil {
		t.Error("a file was written outside the compose directory")
	}
}
