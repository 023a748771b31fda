package llmtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/kriscelmer/os-tui/agent/llm"
)

// Sizes of the pieces answers are cut into: small, so every client path
// that joins pieces is exercised, and by rune, so UTF-8 stays whole.
const (
	textPiece = 4 // runes of content per delta
	argPieces = 3 // deltas per call's arguments
)

type chunk struct {
	ID      string        `json:"id"`
	Object  string        `json:"object"`
	Created int64         `json:"created"`
	Model   string        `json:"model"`
	Choices []chunkChoice `json:"choices"`
	Usage   *wireUsage    `json:"usage,omitempty"`
}

type chunkChoice struct {
	Index        int     `json:"index"`
	Delta        delta   `json:"delta"`
	FinishReason *string `json:"finish_reason"`
}

type delta struct {
	Role      string         `json:"role,omitempty"`
	Content   *string        `json:"content,omitempty"`
	ToolCalls []wireToolCall `json:"tool_calls,omitempty"`
}

type wireUsage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
}

func usageOf(u llm.Usage) *wireUsage {
	return &wireUsage{PromptTokens: u.PromptTokens, CompletionTokens: u.CompletionTokens, TotalTokens: u.PromptTokens + u.CompletionTokens}
}

func finishReason(t Turn) string {
	if len(t.ToolCalls) > 0 {
		return "tool_calls"
	}
	return "stop"
}

// writeStream answers as OpenAI streams: the role, the content in small
// deltas, each tool call (id and name first, then its arguments in
// pieces), the finish reason, the usage if asked for, then [DONE].
func writeStream(w http.ResponseWriter, t Turn, model string, withUsage bool) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	flusher, _ := w.(http.Flusher)
	base := chunk{ID: "chatcmpl-llmtest", Object: "chat.completion.chunk", Created: time.Now().Unix(), Model: model}
	send := func(c chunk) {
		js, err := json.Marshal(c)
		if err != nil {
			panic(err) // our own structs always marshal
		}
		fmt.Fprintf(w, "data: %s\n\n", js)
		if flusher != nil {
			flusher.Flush()
		}
	}
	choice := func(d delta) chunk {
		c := base
		c.Choices = []chunkChoice{{Delta: d}}
		return c
	}

	empty := ""
	send(choice(delta{Role: llm.RoleAssistant, Content: &empty}))
	for _, piece := range splitRunes(t.Text, textPiece) {
		send(choice(delta{Content: &piece}))
	}
	for i, call := range t.ToolCalls {
		first := wireToolCall{Index: &i, ID: call.ID, Type: "function"}
		first.Function.Name = call.Name
		send(choice(delta{ToolCalls: []wireToolCall{first}}))
		for _, piece := range splitInto(call.Arguments, argPieces) {
			more := wireToolCall{Index: &i}
			more.Function.Arguments = piece
			send(choice(delta{ToolCalls: []wireToolCall{more}}))
		}
	}
	reason := finishReason(t)
	last := choice(delta{})
	last.Choices[0].FinishReason = &reason
	send(last)
	if withUsage {
		u := base
		u.Choices = []chunkChoice{}
		u.Usage = usageOf(t.Usage)
		send(u)
	}
	fmt.Fprint(w, "data: [DONE]\n\n")
	if flusher != nil {
		flusher.Flush()
	}
}

// writeJSON answers a request that did not ask to stream.
func writeJSON(w http.ResponseWriter, t Turn, model string) {
	type message struct {
		Role      string         `json:"role"`
		Content   string         `json:"content"`
		ToolCalls []wireToolCall `json:"tool_calls,omitempty"`
	}
	msg := message{Role: llm.RoleAssistant, Content: t.Text}
	for _, call := range t.ToolCalls {
		tc := wireToolCall{ID: call.ID, Type: "function"}
		tc.Function.Name = call.Name
		tc.Function.Arguments = call.Arguments
		msg.ToolCalls = append(msg.ToolCalls, tc)
	}
	body := map[string]any{
		"id":      "chatcmpl-llmtest",
		"object":  "chat.completion",
		"created": time.Now().Unix(),
		"model":   model,
		"choices": []any{map[string]any{"index": 0, "message": msg, "finish_reason": finishReason(t)}},
		"usage":   usageOf(t.Usage),
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(body)
}

// writeError answers in OpenAI's error shape, which clients parse.
func writeError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"error": map[string]any{"message": msg, "type": errorType(status), "code": status},
	})
}

func errorType(status int) string {
	switch {
	case status == http.StatusUnauthorized:
		return "invalid_request_error"
	case status == http.StatusTooManyRequests:
		return "rate_limit_exceeded"
	case status >= 500:
		return "server_error"
	default:
		return "invalid_request_error"
	}
}

// splitRunes cuts s into pieces of at most n runes.
func splitRunes(s string, n int) []string {
	var out []string
	r := []rune(s)
	for len(r) > 0 {
		k := min(n, len(r))
		out = append(out, string(r[:k]))
		r = r[k:]
	}
	return out
}

// splitInto cuts s into at most n pieces of near-equal rune counts; an
// empty s is one empty piece, as servers send "arguments": "".
func splitInto(s string, n int) []string {
	r := []rune(s)
	if len(r) == 0 {
		return []string{""}
	}
	size := (len(r) + n - 1) / n
	return splitRunes(s, size)
}
