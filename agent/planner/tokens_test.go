package planner

import (
	"testing"

	"github.com/kriscelmer/os-tui/agent/llm"
	"github.com/kriscelmer/os-tui/agent/prompt"
)

func TestEstimateTokens(t *testing.T) {
	tests := []struct {
		s    string
		want int
	}{
		{"", 0},
		{"a", 1},
		{"abcd", 1},
		{"abcde", 2},
		{"list my servers in ERROR", 6},
	}
	for _, tt := range tests {
		t.Run(tt.s, func(t *testing.T) {
			if got := EstimateTokens(tt.s); got != tt.want {
				t.Errorf("EstimateTokens(%q) = %d, want %d", tt.s, got, tt.want)
			}
		})
	}
}

func TestRequestTokensCountsEverything(t *testing.T) {
	msgs := []llm.Message{
		{Role: llm.RoleAssistant, ToolCalls: []llm.ToolCall{{ID: "c1", Name: "server__list", Arguments: `{"status":"ERROR"}`}}},
		{Role: llm.RoleTool, ToolCallID: "c1", Content: "abcdefgh"},
	}
	fns := []llm.Function{{Name: "f", Description: "d", Parameters: []byte(`{}`)}}
	// assistant: 4 + role 3; call: 4 + 1 + 3 + 5; tool: 4 + 1 + 2 + 1;
	// function: 4 + 1 + 1 + 1.
	if got, want := RequestTokens(msgs, fns), 7+13+8+7; got != want {
		t.Errorf("RequestTokens = %d, want %d", got, want)
	}
}

// firstRequestBudget is the most the first request of a turn may cost, in
// estimated tokens: system prompt, one short question and every function
// the model is offered with every service in the catalog.
const firstRequestBudget = 6000

func TestFirstRequestFitsTheBudget(t *testing.T) {
	system, err := prompt.System("plan", prompt.Data{
		Cloud: "devstack", Project: "demo", Region: "RegionOne", User: "demo", Date: "2026-05-01",
	})
	if err != nil {
		t.Fatal(err)
	}
	msgs := []llm.Message{
		{Role: llm.RoleSystem, Content: system},
		{Role: llm.RoleUser, Content: "which of my servers are in ERROR, and why?"},
	}
	fns := ModelFunctions(realRegistry(t), nil)
	got := RequestTokens(msgs, fns)
	t.Logf("first request: %d estimated tokens (system prompt %d, %d functions %d)",
		got, EstimateTokens(system), len(fns), RequestTokens(nil, fns))
	if got > firstRequestBudget {
		t.Errorf("first request is %d estimated tokens, budget %d", got, firstRequestBudget)
	}
}
