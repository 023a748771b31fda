package llmtest

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/kriscelmer/os-tui/agent/llm"
)

// Script is what the server answers, one Turn per request, in order.
type Script []Turn

// Turn is the answer to one request, and optional checks on that request.
type Turn struct {
	// Expect lists checks on the request; a failed check fails the test
	// but the turn is still answered, so later failures show too.
	Expect []Expectation `json:"expect,omitempty"`
	// Text is the assistant's answer, streamed in small deltas; with a
	// non-200 Status, the error message.
	Text string `json:"text,omitempty"`
	// ToolCalls are streamed after the text, arguments split across chunks.
	ToolCalls []llm.ToolCall `json:"tool_calls,omitempty"`
	// Usage is sent in a last chunk when the client asks for it
	// (stream_options.include_usage), and always when not streaming.
	Usage llm.Usage `json:"usage,omitzero"`
	// Status other than 0 or 200 answers with that error status.
	Status int `json:"status,omitempty"`
	// Header is added to the response, e.g. Retry-After with a 429.
	Header map[string]string `json:"header,omitempty"`
}

// Expectation is one check on a request; every field set is checked.
type Expectation struct {
	// LastMessageContains: the last message's content contains this.
	LastMessageContains string `json:"last_message_contains,omitempty"`
	// LastRole: the last message has this role ("user", "tool", …).
	LastRole string `json:"last_role,omitempty"`
	// ToolOffered: a function of this name is offered.
	ToolOffered string `json:"tool_offered,omitempty"`
	// ToolNotOffered: no function of this name is offered.
	ToolNotOffered string `json:"tool_not_offered,omitempty"`
	// ToolResultStatus: every tool message after the last assistant
	// message is a JSON object whose "status" is this ("denied", …).
	ToolResultStatus string `json:"tool_result_status,omitempty"`
	// Check is any other check, for Go tests; it is not loaded from files.
	Check func(Captured) error `json:"-"`
}

// problems returns what is wrong with c, one sentence each.
func (e Expectation) problems(c Captured) []string {
	var out []string
	var last llm.Message
	if n := len(c.Messages); n > 0 {
		last = c.Messages[n-1]
	}
	if e.LastMessageContains != "" && !strings.Contains(last.Content, e.LastMessageContains) {
		out = append(out, fmt.Sprintf("last message %q does not contain %q", last.Content, e.LastMessageContains))
	}
	if e.LastRole != "" && last.Role != e.LastRole {
		out = append(out, fmt.Sprintf("last message has role %q, want %q", last.Role, e.LastRole))
	}
	names := c.ToolNames()
	if e.ToolOffered != "" && !slices.Contains(names, e.ToolOffered) {
		out = append(out, fmt.Sprintf("tool %q not offered (offered: %v)", e.ToolOffered, names))
	}
	if e.ToolNotOffered != "" && slices.Contains(names, e.ToolNotOffered) {
		out = append(out, fmt.Sprintf("tool %q offered, want it absent", e.ToolNotOffered))
	}
	if e.ToolResultStatus != "" {
		out = append(out, toolResultProblems(c.Messages, e.ToolResultStatus)...)
	}
	if e.Check != nil {
		if err := e.Check(c); err != nil {
			out = append(out, err.Error())
		}
	}
	return out
}

// toolResultProblems checks the tool messages answering the last batch of
// calls: one per call, each with the wanted status.
func toolResultProblems(msgs []llm.Message, want string) []string {
	start := -1
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].Role == llm.RoleAssistant {
			start = i + 1
			break
		}
	}
	if start < 0 {
		return []string{"no assistant message, so no tool results to check"}
	}
	var out []string
	seen := 0
	for _, m := range msgs[start:] {
		if m.Role != llm.RoleTool {
			continue
		}
		seen++
		var result struct {
			Status string `json:"status"`
		}
		if err := json.Unmarshal([]byte(m.Content), &result); err != nil {
			out = append(out, fmt.Sprintf("tool result for %s is not a JSON object: %v", m.ToolCallID, err))
			continue
		}
		if result.Status != want {
			out = append(out, fmt.Sprintf("tool result for %s has status %q, want %q", m.ToolCallID, result.Status, want))
		}
	}
	if calls := len(msgs[start-1].ToolCalls); seen != calls {
		out = append(out, fmt.Sprintf("%d tool results answer %d tool calls", seen, calls))
	}
	return out
}

// scriptFile is a script file's shape: a list of turns, or an object
// with turns, canaries and the models GET /v1/models lists.
type scriptFile struct {
	Turns    Script   `json:"turns"`
	Canaries []string `json:"canaries,omitempty"`
	Models   []string `json:"models,omitempty"`
	// APIKey is the only key the server accepts (APIKey); "" any.
	APIKey string `json:"api_key,omitempty"`
}

// options are the server options a file asks for besides its turns.
func (f scriptFile) options() []Option {
	return []Option{Canaries(f.Canaries...), Models(f.Models...), APIKey(f.APIKey)}
}

// LoadScript reads a script from a YAML or JSON file (JSON is YAML): either
// a list of turns or an object {turns: [...], canaries: [...], models:
// [...]}. Field names are the JSON names of Turn, e.g. tool_calls,
// last_message_contains. It returns the turns only; LoadFile also returns
// the options the file's canaries and models ask for.
func LoadScript(path string) (Script, error) {
	f, err := loadFile(path)
	if err != nil {
		return nil, err
	}
	return f.Turns, nil
}

// LoadFile reads a script file as LoadScript does and returns its turns
// with the options its canaries and models ask for, to pass to RunServer.
func LoadFile(path string) (Script, []Option, error) {
	f, err := loadFile(path)
	if err != nil {
		return nil, nil, err
	}
	return f.Turns, f.options(), nil
}

func loadFile(path string) (scriptFile, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return scriptFile{}, fmt.Errorf("reading model script: %w", err)
	}
	// YAML into plain values, then through JSON, so that one set of field
	// names (the json tags, shared with llm's types) serves both formats.
	var doc any
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return scriptFile{}, fmt.Errorf("model script %s: %w", filepath.Base(path), err)
	}
	if _, isList := doc.([]any); isList {
		doc = map[string]any{"turns": doc}
	}
	inlineArguments(doc)
	js, err := json.Marshal(doc)
	if err != nil {
		return scriptFile{}, fmt.Errorf("model script %s: %w", filepath.Base(path), err)
	}
	dec := json.NewDecoder(strings.NewReader(string(js)))
	dec.DisallowUnknownFields() // a misspelt check would silently pass
	var f scriptFile
	if err := dec.Decode(&f); err != nil {
		return scriptFile{}, fmt.Errorf("model script %s: %w", filepath.Base(path), err)
	}
	return f, nil
}

// inlineArguments lets a script write a tool call's arguments as a YAML
// object, easier to read than JSON in a string: it becomes JSON text.
func inlineArguments(doc any) {
	top, _ := doc.(map[string]any)
	turns, _ := top["turns"].([]any)
	for _, t := range turns {
		turn, _ := t.(map[string]any)
		calls, _ := turn["tool_calls"].([]any)
		for _, c := range calls {
			call, _ := c.(map[string]any)
			switch args := call["arguments"].(type) {
			case map[string]any, []any:
				if js, err := json.Marshal(args); err == nil {
					call["arguments"] = string(js)
				}
			}
		}
	}
}
