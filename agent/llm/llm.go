// Package llm is ostui's narrow port to a language model: any
// OpenAI-compatible endpoint, Azure OpenAI or GitHub Models, through
// go-openai, which nothing else imports. The planner sees only these types.
package llm

import (
	"context"
	"encoding/json"
)

// Roles of messages.
const (
	RoleSystem    = "system"
	RoleUser      = "user"
	RoleAssistant = "assistant"
	RoleTool      = "tool"
)

// Message is one message of a conversation.
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content,omitempty"`
	// ToolCalls are the calls an assistant message asks for.
	ToolCalls []ToolCall `json:"tool_calls,omitempty"`
	// ToolCallID ties a tool message to the call it answers.
	ToolCallID string `json:"tool_call_id,omitempty"`
}

// ToolCall is one function call the model asks for.
type ToolCall struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Arguments string `json:"arguments"` // JSON text, as the model wrote it
}

// Function is a function the model may call.
type Function struct {
	Name        string          `json:"name"`
	Description string          `json:"description"`
	Parameters  json.RawMessage `json:"parameters"`
}

// Request is one chat completion request.
type Request struct {
	Messages  []Message
	Functions []Function
}

// Usage counts tokens of one completion.
type Usage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	// Estimated is set when the endpoint reported no usage (many local
	// servers ignore stream_options): both counts are then guesses of one
	// token per four characters of text, good enough for /cost, not billing.
	Estimated bool `json:"estimated,omitempty"`
}

// Response is a whole completion, after streaming.
type Response struct {
	Content      string
	ToolCalls    []ToolCall
	Usage        Usage
	FinishReason string
}

// Client completes conversations. onText receives the answer's text as it
// streams (nil: not streamed to anyone); the returned Response holds the
// whole answer, with tool calls assembled from their streamed deltas.
type Client interface {
	Complete(ctx context.Context, req Request, onText func(delta string)) (*Response, error)
	// Model names the model in use, for /model and /cost.
	Model() string
}
