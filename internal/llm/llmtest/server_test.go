package llmtest

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	openai "github.com/sashabaranov/go-openai"

	"github.com/kriscelmer/os-tui/agent/llm"
)

// failures stands in for a test so that the server's failures can be
// checked rather than failing this test.
type failures struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (f *failures) Errorf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.errs = append(f.errs, fmt.Sprintf(format, args...))
}

func (f *failures) got() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.errs...)
}

func client(url string) *openai.Client {
	cfg := openai.DefaultConfig("sk-test")
	cfg.BaseURL = url
	return openai.NewClientWithConfig(cfg)
}

func userAsks(text string) openai.ChatCompletionRequest {
	return openai.ChatCompletionRequest{
		Model:    "test-model",
		Messages: []openai.ChatCompletionMessage{{Role: "user", Content: text}},
	}
}

// TestStreamShape reads the stream back with go-openai's own reader and
// checks the order a real endpoint uses.
func TestStreamShape(t *testing.T) {
	s := New(t, Script{{
		Text: "Two are in ERROR.",
		ToolCalls: []llm.ToolCall{
			{ID: "call_1", Name: "server_list", Arguments: `{"status":"ERROR"}`},
			{ID: "call_2", Name: "server_show", Arguments: `{"name":"wéb-1"}`},
		},
		Usage: llm.Usage{PromptTokens: 120, CompletionTokens: 30},
	}})
	req := userAsks("which servers are broken?")
	req.StreamOptions = &openai.StreamOptions{IncludeUsage: true}
	stream, err := client(s.URL).CreateChatCompletionStream(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = stream.Close() }()

	var (
		chunks        []openai.ChatCompletionStreamResponse
		text          strings.Builder
		textDeltas    int
		args          = map[int]string{}
		argDeltas     = map[int]int{}
		heads         []openai.ToolCall // deltas carrying id and name
		finish        openai.FinishReason
		usage         *openai.Usage
		usageWasLast  bool
		firstRoleSeen string
	)
	for {
		c, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		chunks = append(chunks, c)
		usageWasLast = c.Usage != nil
		if c.Usage != nil {
			usage = c.Usage
		}
		for _, ch := range c.Choices {
			if len(chunks) == 1 {
				firstRoleSeen = ch.Delta.Role
			}
			if ch.Delta.Content != "" {
				text.WriteString(ch.Delta.Content)
				textDeltas++
			}
			for _, tc := range ch.Delta.ToolCalls {
				if tc.Index == nil {
					t.Fatalf("tool-call delta without index: %+v", tc)
				}
				if tc.ID != "" {
					heads = append(heads, tc)
				}
				if tc.Function.Arguments != "" {
					args[*tc.Index] += tc.Function.Arguments
					argDeltas[*tc.Index]++
				}
			}
			if ch.FinishReason != "" {
				finish = ch.FinishReason
			}
		}
	}

	if firstRoleSeen != "assistant" {
		t.Errorf("first chunk's role = %q, want assistant", firstRoleSeen)
	}
	if got := text.String(); got != "Two are in ERROR." || textDeltas < 3 {
		t.Errorf("text %q in %d deltas, want the whole text in several", got, textDeltas)
	}
	var headNames []string
	for _, h := range heads {
		headNames = append(headNames, fmt.Sprintf("%d:%s:%s", *h.Index, h.ID, h.Function.Name))
	}
	if diff := cmp.Diff([]string{"0:call_1:server_list", "1:call_2:server_show"}, headNames); diff != "" {
		t.Errorf("tool-call heads (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[int]string{0: `{"status":"ERROR"}`, 1: `{"name":"wéb-1"}`}, args); diff != "" {
		t.Errorf("arguments (-want +got):\n%s", diff)
	}
	for i, n := range argDeltas {
		if n < 2 {
			t.Errorf("call %d's arguments came in %d delta(s), want them split", i, n)
		}
	}
	if finish != openai.FinishReasonToolCalls {
		t.Errorf("finish reason = %q, want tool_calls", finish)
	}
	if usage == nil || usage.PromptTokens != 120 || usage.CompletionTokens != 30 || usage.TotalTokens != 150 || !usageWasLast {
		t.Errorf("usage = %+v (last chunk: %v), want 120+30 in the last chunk", usage, usageWasLast)
	}
}

func TestUsageOnlyWhenAsked(t *testing.T) {
	tests := []struct {
		name      string
		ask       bool
		opts      []Option
		wantUsage bool
	}{
		{name: "asked", ask: true, wantUsage: true},
		{name: "not asked", ask: false},
		{name: "asked of a server that ignores it", ask: true, opts: []Option{IgnoreStreamOptions()}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(t, Script{{Text: "hi", Usage: llm.Usage{PromptTokens: 5, CompletionTokens: 1}}}, tt.opts...)
			req := userAsks("hello")
			if tt.ask {
				req.StreamOptions = &openai.StreamOptions{IncludeUsage: true}
			}
			stream, err := client(s.URL).CreateChatCompletionStream(t.Context(), req)
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = stream.Close() }()
			sawUsage := false
			for {
				c, err := stream.Recv()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				sawUsage = sawUsage || c.Usage != nil
			}
			if sawUsage != tt.wantUsage {
				t.Errorf("usage chunk sent = %v, want %v", sawUsage, tt.wantUsage)
			}
		})
	}
}

func TestNonStreaming(t *testing.T) {
	s := New(t, Script{{
		Text:      "ok",
		ToolCalls: []llm.ToolCall{{ID: "c1", Name: "server_list", Arguments: "{}"}},
		Usage:     llm.Usage{PromptTokens: 9, CompletionTokens: 2},
	}})
	resp, err := client(s.URL).CreateChatCompletion(t.Context(), userAsks("list"))
	if err != nil {
		t.Fatal(err)
	}
	msg := resp.Choices[0].Message
	got := []string{msg.Content, msg.ToolCalls[0].ID, msg.ToolCalls[0].Function.Name, string(resp.Choices[0].FinishReason)}
	if diff := cmp.Diff([]string{"ok", "c1", "server_list", "tool_calls"}, got); diff != "" {
		t.Errorf("response (-want +got):\n%s", diff)
	}
	if resp.Usage.PromptTokens != 9 || resp.Usage.CompletionTokens != 2 {
		t.Errorf("usage = %+v", resp.Usage)
	}
}

func TestErrorStatus(t *testing.T) {
	s := New(t, Script{{Status: http.StatusTooManyRequests, Text: "slow down", Header: map[string]string{"Retry-After": "3"}}})
	resp, err := http.Post(s.URL+"/chat/completions", "application/json", strings.NewReader(`{"model":"m","messages":[]}`))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "3" || !strings.Contains(string(body), `"message":"slow down"`) {
		t.Errorf("got %d, Retry-After %q, body %s", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
}

func TestRequestsAreCaptured(t *testing.T) {
	s := New(t, Script{{Text: "a"}, {Text: "b"}})
	c := client(s.URL)
	req := userAsks("first")
	req.Tools = []openai.Tool{{Type: "function", Function: &openai.FunctionDefinition{
		Name: "server_list", Description: "List servers", Parameters: []byte(`{"type":"object"}`),
	}}}
	if _, err := c.CreateChatCompletion(t.Context(), req); err != nil {
		t.Fatal(err)
	}
	req2 := userAsks("second")
	req2.Messages = append([]openai.ChatCompletionMessage{{Role: "system", Content: "be brief"}}, req2.Messages...)
	req2.Messages = append(req2.Messages,
		openai.ChatCompletionMessage{Role: "assistant", ToolCalls: []openai.ToolCall{{ID: "c1", Type: "function", Function: openai.FunctionCall{Name: "server_list", Arguments: "{}"}}}},
		openai.ChatCompletionMessage{Role: "tool", ToolCallID: "c1", Content: `{"status":"ok"}`},
	)
	if _, err := c.CreateChatCompletion(t.Context(), req2); err != nil {
		t.Fatal(err)
	}
	got := s.Requests()
	if len(got) != 2 {
		t.Fatalf("%d requests captured, want 2", len(got))
	}
	if diff := cmp.Diff([]string{"server_list"}, got[0].ToolNames()); diff != "" {
		t.Errorf("tools (-want +got):\n%s", diff)
	}
	want := []llm.Message{
		{Role: "system", Content: "be brief"},
		{Role: "user", Content: "second"},
		{Role: "assistant", ToolCalls: []llm.ToolCall{{ID: "c1", Name: "server_list", Arguments: "{}"}}},
		{Role: "tool", ToolCallID: "c1", Content: `{"status":"ok"}`},
	}
	if diff := cmp.Diff(want, got[1].Messages); diff != "" {
		t.Errorf("messages (-want +got):\n%s", diff)
	}
	if got[0].Path != "/v1/chat/completions" || got[0].Model != "test-model" || got[0].Header.Get("Authorization") != "Bearer sk-test" {
		t.Errorf("captured path %q model %q auth %q", got[0].Path, got[0].Model, got[0].Header.Get("Authorization"))
	}
}

func TestAzurePath(t *testing.T) {
	s := New(t, Script{{Text: "hi"}})
	cfg := openai.DefaultAzureConfig("az-key", s.Endpoint)
	cfg.APIVersion = "2024-10-21"
	cfg.AzureModelMapperFunc = func(string) string { return "my-dep" }
	if _, err := openai.NewClientWithConfig(cfg).CreateChatCompletion(t.Context(), userAsks("hi")); err != nil {
		t.Fatal(err)
	}
	got := s.Requests()[0]
	if got.Deployment != "my-dep" || got.Header.Get("Api-Key") != "az-key" {
		t.Errorf("deployment %q, api-key %q", got.Deployment, got.Header.Get("Api-Key"))
	}
}

// TestFailures checks that the server fails the test it serves when it
// should, and only then.
func TestFailures(t *testing.T) {
	tests := []struct {
		name   string
		script Script
		opts   []Option
		asks   []string // one request per entry, the user's message
		want   []string // substrings of the failures, in order
	}{
		{
			name:   "clean run",
			script: Script{{Text: "a", Expect: []Expectation{{LastMessageContains: "servers", LastRole: "user"}}}},
			asks:   []string{"list servers"},
		},
		{
			name:   "canary in a message",
			script: Script{{Text: "a"}},
			opts:   []Option{Canaries("hunter2<&>")},
			asks:   []string{"my password is hunter2<&>"},
			want:   []string{`carries canary "hunter2<&>"`},
		},
		{
			name:   "script exhausted",
			script: Script{{Text: "a"}},
			asks:   []string{"one", "two"},
			want:   []string{"request 2 is beyond the script's 1 turns"},
		},
		{
			name:   "turns left over",
			script: Script{{Text: "a"}, {Text: "b"}},
			asks:   []string{"one"},
			want:   []string{`1 of 2 scripted turns were never requested: turn 2 (text "b")`},
		},
		{
			name: "expectations fail",
			script: Script{{Text: "a", Expect: []Expectation{
				{LastMessageContains: "volumes"},
				{ToolOffered: "server_list"},
				{Check: func(c Captured) error { return errors.New("custom check says no") }},
			}}},
			asks: []string{"list servers"},
			want: []string{`does not contain "volumes"`, `tool "server_list" not offered`, "custom check says no"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &failures{TB: t}
			// The server's end-of-test check runs at the inner test's
			// cleanup, so look at the failures after it returned.
			t.Run("serve", func(inner *testing.T) {
				f.TB = inner
				s := New(f, tt.script, tt.opts...)
				c := client(s.URL)
				for _, ask := range tt.asks {
					_, _ = c.CreateChatCompletion(inner.Context(), userAsks(ask))
				}
			})
			got := f.got()
			if len(got) != len(tt.want) {
				t.Fatalf("failures:\n%s\nwant %d", strings.Join(got, "\n"), len(tt.want))
			}
			for i, w := range tt.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("failure %d = %q, want it to contain %q", i, got[i], w)
				}
			}
		})
	}
}

func TestExhaustedScriptAnswers500(t *testing.T) {
	f := &failures{TB: t}
	s := New(f, Script{})
	_, err := client(s.URL).CreateChatCompletion(t.Context(), userAsks("hi"))
	var apiErr *openai.APIError
	if !errors.As(err, &apiErr) || apiErr.HTTPStatusCode != 500 {
		t.Errorf("error = %v, want a 500", err)
	}
}

func TestToolResultStatus(t *testing.T) {
	msgs := func(statuses ...string) []llm.Message {
		m := []llm.Message{{Role: "user", Content: "stop both"}, {Role: "assistant", ToolCalls: []llm.ToolCall{{ID: "a"}, {ID: "b"}}}}
		for i, s := range statuses {
			m = append(m, llm.Message{Role: "tool", ToolCallID: string(rune('a' + i)), Content: `{"status":"` + s + `","retryable":false}`})
		}
		return m
	}
	tests := []struct {
		name string
		msgs []llm.Message
		want int // problems
	}{
		{"every call denied", msgs("denied", "denied"), 0},
		{"one call approved", msgs("denied", "ok"), 1},
		{"a call unanswered", msgs("denied"), 1},
		{"no assistant message", []llm.Message{{Role: "user"}}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Expectation{ToolResultStatus: "denied"}.problems(Captured{Messages: tt.msgs})
			if len(got) != tt.want {
				t.Errorf("problems = %q, want %d", got, tt.want)
			}
		})
	}
}

// TestModels: GET /v1/models lists the names given, as go-openai reads
// them; with none, an empty list, not a failure.
func TestModels(t *testing.T) {
	tests := []struct {
		name string
		opts []Option
		want []string
	}{
		{name: "one", opts: []Option{Models("llama3.1")}, want: []string{"llama3.1"}},
		{name: "several", opts: []Option{Models("a", "b"), Models("c")}, want: []string{"a", "b", "c"}},
		{name: "none"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(t, nil, tt.opts...)
			list, err := client(s.URL).ListModels(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, m := range list.Models {
				got = append(got, m.ID)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("models (-want +got):\n%s", diff)
			}
			if n := len(s.Requests()); n != 0 {
				t.Errorf("listing models captured %d chat requests", n)
			}
		})
	}
}
