package llmtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/kriscelmer/os-tui/agent/llm"
)

// Captured is one request as the server decoded it.
type Captured struct {
	Path string
	// Deployment is the Azure deployment named in the path, if any.
	Deployment string
	Header     http.Header
	Model      string
	Stream     bool
	// IncludeUsage reports stream_options.include_usage.
	IncludeUsage bool
	Messages     []llm.Message
	// Tools are the functions offered.
	Tools []llm.Function
	// Body is the raw request body.
	Body []byte
}

// ToolNames lists the names of the functions offered, in order.
func (c Captured) ToolNames() []string {
	var out []string
	for _, f := range c.Tools {
		out = append(out, f.Name)
	}
	return out
}

// handler serves a script; report receives every failure (t.Errorf in a
// test, a log line outside one).
type handler struct {
	mux    *http.ServeMux
	report func(format string, args ...any)

	canaries            []string
	ignoreStreamOptions bool
	// models answer GET /v1/models, so model discovery can be tested.
	models []string
	// apiKey, when set, is the only key accepted (APIKey).
	apiKey string

	mu       sync.Mutex
	script   Script
	next     int
	requests []Captured
	failed   int
}

func newHandler(script Script, report func(string, ...any), opts ...Option) *handler {
	h := &handler{script: script, mux: http.NewServeMux()}
	// Count what is reported, so a run outside a test can exit non-zero.
	h.report = func(format string, args ...any) {
		h.mu.Lock()
		h.failed++
		h.mu.Unlock()
		report(format, args...)
	}
	for _, o := range opts {
		o(h)
	}
	h.mux.HandleFunc("GET /v1/models", h.listModels)
	h.mux.HandleFunc("GET /models", h.listModels)
	h.mux.HandleFunc("POST /v1/chat/completions", h.chat)
	h.mux.HandleFunc("POST /chat/completions", h.chat)
	h.mux.HandleFunc("POST /openai/deployments/{deployment}/chat/completions", h.chat)
	h.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		h.report("llmtest: unexpected request %s %s", r.Method, r.URL.Path)
		writeError(w, http.StatusNotFound, "no such endpoint: "+r.URL.Path)
	})
	return h
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h.apiKey != "" {
		got := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		if k := r.Header.Get("api-key"); k != "" {
			got = k
		}
		if got != h.apiKey {
			writeError(w, http.StatusUnauthorized, "Incorrect API key provided.")
			return
		}
	}
	h.mux.ServeHTTP(w, r)
}

// failures counts what was reported so far.
func (h *handler) failures() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.failed
}

// reportLeftovers reports the turns never requested, by number and by
// what they would have answered, so the author sees which part of the
// conversation did not happen: a script longer than the conversation
// means the shell stopped early (or the script was written for a flow
// that no longer exists), and that is as much a failure as a wrong request.
func (h *handler) reportLeftovers() {
	h.mu.Lock()
	next, total := h.next, len(h.script)
	var names []string
	for i := next; i < total; i++ {
		names = append(names, describeTurn(i+1, h.script[i]))
	}
	h.mu.Unlock()
	if len(names) > 0 {
		h.report("llmtest: %d of %d scripted turns were never requested: %s", total-next, total, strings.Join(names, "; "))
	}
}

// describeTurn names a turn by its number and what it answers.
func describeTurn(n int, t Turn) string {
	var parts []string
	if t.Status != 0 && t.Status != http.StatusOK {
		parts = append(parts, fmt.Sprintf("status %d", t.Status))
	}
	if t.Text != "" {
		text := []rune(t.Text)
		if len(text) > 40 {
			text = append(text[:40], '…')
		}
		parts = append(parts, fmt.Sprintf("text %q", string(text)))
	}
	if len(t.ToolCalls) > 0 {
		var calls []string
		for _, tc := range t.ToolCalls {
			calls = append(calls, tc.Name)
		}
		parts = append(parts, "tool calls "+strings.Join(calls, ", "))
	}
	if len(parts) == 0 {
		parts = append(parts, "an empty answer")
	}
	return fmt.Sprintf("turn %d (%s)", n, strings.Join(parts, ", "))
}

// listModels answers GET /v1/models as OpenAI does, with the names set
// by the Models option (none: an empty list).
func (h *handler) listModels(w http.ResponseWriter, _ *http.Request) {
	type model struct {
		ID      string `json:"id"`
		Object  string `json:"object"`
		Created int64  `json:"created"`
		OwnedBy string `json:"owned_by"`
	}
	list := struct {
		Object string  `json:"object"`
		Data   []model `json:"data"`
	}{Object: "list", Data: []model{}}
	for _, name := range h.models {
		list.Data = append(list.Data, model{ID: name, Object: "model", OwnedBy: "llmtest"})
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(list) // a failed write is the client's to notice
}

func (h *handler) captured() []Captured {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]Captured(nil), h.requests...)
}

func (h *handler) chat(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		h.report("llmtest: reading request: %v", err)
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	c, err := decodeRequest(body)
	if err != nil {
		h.report("llmtest: %v", err)
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	c.Path = r.URL.Path
	c.Deployment = r.PathValue("deployment")
	c.Header = r.Header.Clone()

	h.mu.Lock()
	n := h.next
	h.requests = append(h.requests, c)
	var turn Turn
	exhausted := n >= len(h.script)
	if !exhausted {
		turn = h.script[n]
		h.next++
	}
	h.mu.Unlock()

	for _, canary := range h.canaries {
		if leaked(c, canary) {
			h.report("llmtest: request %d carries canary %q: a secret reached the model", n+1, canary)
		}
	}
	if exhausted {
		h.report("llmtest: request %d is beyond the script's %d turns (last message: %q)", n+1, len(h.script), lastContent(c))
		writeError(w, http.StatusInternalServerError, "llmtest: script exhausted")
		return
	}
	for _, e := range turn.Expect {
		for _, p := range e.problems(c) {
			h.report("llmtest: turn %d: %s", n+1, p)
		}
	}
	for k, v := range turn.Header {
		w.Header().Set(k, v)
	}
	if turn.Status != 0 && turn.Status != http.StatusOK {
		msg := turn.Text
		if msg == "" {
			msg = http.StatusText(turn.Status)
		}
		writeError(w, turn.Status, msg)
		return
	}
	model := c.Model
	if model == "" {
		model = "llmtest"
	}
	if c.Stream {
		writeStream(w, turn, model, c.IncludeUsage && !h.ignoreStreamOptions)
		return
	}
	writeJSON(w, turn, model)
}

// leaked looks for a canary in the raw body and in the decoded text, since
// JSON may escape characters of the secret (<, >, &, non-ASCII).
func leaked(c Captured, canary string) bool {
	if strings.Contains(string(c.Body), canary) {
		return true
	}
	for _, m := range c.Messages {
		if strings.Contains(m.Content, canary) {
			return true
		}
		for _, tc := range m.ToolCalls {
			if strings.Contains(tc.Arguments, canary) {
				return true
			}
		}
	}
	return false
}

func lastContent(c Captured) string {
	if len(c.Messages) == 0 {
		return ""
	}
	return c.Messages[len(c.Messages)-1].Content
}

// The request as OpenAI-compatible clients send it.
type wireRequest struct {
	Model         string `json:"model"`
	Stream        bool   `json:"stream"`
	StreamOptions *struct {
		IncludeUsage bool `json:"include_usage"`
	} `json:"stream_options"`
	Messages []wireMessage `json:"messages"`
	Tools    []struct {
		Type     string       `json:"type"`
		Function llm.Function `json:"function"`
	} `json:"tools"`
}

type wireMessage struct {
	Role       string          `json:"role"`
	Content    json.RawMessage `json:"content"`
	ToolCalls  []wireToolCall  `json:"tool_calls"`
	ToolCallID string          `json:"tool_call_id"`
}

type wireToolCall struct {
	Index    *int   `json:"index,omitempty"`
	ID       string `json:"id,omitempty"`
	Type     string `json:"type,omitempty"`
	Function struct {
		Name      string `json:"name,omitempty"`
		Arguments string `json:"arguments"`
	} `json:"function"`
}

func decodeRequest(body []byte) (Captured, error) {
	var wr wireRequest
	if err := json.Unmarshal(body, &wr); err != nil {
		return Captured{}, fmt.Errorf("request body is not a chat completion request: %w", err)
	}
	c := Captured{Model: wr.Model, Stream: wr.Stream, Body: body}
	c.IncludeUsage = wr.StreamOptions != nil && wr.StreamOptions.IncludeUsage
	for _, wm := range wr.Messages {
		m := llm.Message{Role: wm.Role, Content: contentText(wm.Content), ToolCallID: wm.ToolCallID}
		for _, tc := range wm.ToolCalls {
			m.ToolCalls = append(m.ToolCalls, llm.ToolCall{ID: tc.ID, Name: tc.Function.Name, Arguments: tc.Function.Arguments})
		}
		c.Messages = append(c.Messages, m)
	}
	for _, t := range wr.Tools {
		c.Tools = append(c.Tools, t.Function)
	}
	return c, nil
}

// contentText reads content given as a string or as a list of parts.
func contentText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var parts []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	if json.Unmarshal(raw, &parts) == nil {
		var b strings.Builder
		for _, p := range parts {
			b.WriteString(p.Text)
		}
		return b.String()
	}
	return ""
}
