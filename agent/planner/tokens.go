package planner

import (
	"github.com/kriscelmer/os-tui/agent/llm"
)

// messageOverhead approximates the tokens a chat format spends around
// each message and function (role markers, separators).
const messageOverhead = 4

// EstimateTokens estimates the tokens of s as its length in bytes divided
// by four, rounded up. It is an estimate, not a tokenizer: English prose
// and JSON average about four bytes a token with OpenAI's encodings, which
// is close enough for budgets and for deciding when to trim a
// conversation, and costs nothing. The provider's reported usage is the
// real count.
func EstimateTokens(s string) int {
	return (len(s) + 3) / 4
}

// RequestTokens estimates the prompt tokens of a request: every message's
// content and tool calls, and every function's name, description and
// parameters, plus a small overhead for each.
func RequestTokens(msgs []llm.Message, fns []llm.Function) int {
	n := 0
	for _, m := range msgs {
		n += messageOverhead + EstimateTokens(m.Role) + EstimateTokens(m.Content) + EstimateTokens(m.ToolCallID)
		for _, tc := range m.ToolCalls {
			n += messageOverhead + EstimateTokens(tc.ID) + EstimateTokens(tc.Name) + EstimateTokens(tc.Arguments)
		}
	}
	for _, f := range fns {
		n += messageOverhead + EstimateTokens(f.Name) + EstimateTokens(f.Description) + EstimateTokens(string(f.Parameters))
	}
	return n
}
