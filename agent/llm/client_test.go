package llm_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/agent/llm"
	"github.com/kriscelmer/os-tui/internal/llm/llmtest"
)

const testKey = "sk-test-0123456789abcdef"

// waits records the retry waits a client asked for instead of sleeping.
type waits struct {
	mu  sync.Mutex
	got []time.Duration
}

func (w *waits) sleep(ctx context.Context, d time.Duration) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.got = append(w.got, d)
	return ctx.Err()
}

func newClient(t *testing.T, cfg llm.Config) (llm.Client, *waits) {
	t.Helper()
	w := &waits{}
	c, err := llm.NewWithSleep(cfg, w.sleep)
	if err != nil {
		t.Fatal(err)
	}
	return c, w
}

func openAIConfig(url string) llm.Config {
	return llm.Config{Provider: "openai", BaseURL: url, APIKey: testKey, Model: "test-model"}
}

var question = llm.Request{
	Messages: []llm.Message{
		{Role: llm.RoleSystem, Content: "You help with OpenStack."},
		{Role: llm.RoleUser, Content: "which of my servers are in ERROR?"},
	},
	Functions: []llm.Function{
		{Name: "server_list", Description: "List servers", Parameters: []byte(`{"type":"object","properties":{"status":{"type":"string"}}}`)},
		{Name: "server_show", Description: "Show a server"},
	},
}

func TestComplete(t *testing.T) {
	tests := []struct {
		name      string
		turn      llmtest.Turn
		opts      []llmtest.Option
		want      *llm.Response
		wantDelta int // at least this many text deltas
	}{
		{
			name: "streamed text with usage",
			turn: llmtest.Turn{Text: "web-1 and wéb-2 are in ERROR.", Usage: llm.Usage{PromptTokens: 42, CompletionTokens: 9}},
			want: &llm.Response{
				Content:      "web-1 and wéb-2 are in ERROR.",
				Usage:        llm.Usage{PromptTokens: 42, CompletionTokens: 9},
				FinishReason: "stop",
			},
			wantDelta: 3,
		},
		{
			name: "streamed tool calls",
			turn: llmtest.Turn{
				Text: "Looking.",
				ToolCalls: []llm.ToolCall{
					{ID: "call_1", Name: "server_list", Arguments: `{"status":"ERROR"}`},
					{ID: "call_2", Name: "server_show", Arguments: `{"name":"web-1"}`},
				},
				Usage: llm.Usage{PromptTokens: 50, CompletionTokens: 20},
			},
			want: &llm.Response{
				Content: "Looking.",
				ToolCalls: []llm.ToolCall{
					{ID: "call_1", Name: "server_list", Arguments: `{"status":"ERROR"}`},
					{ID: "call_2", Name: "server_show", Arguments: `{"name":"web-1"}`},
				},
				Usage:        llm.Usage{PromptTokens: 50, CompletionTokens: 20},
				FinishReason: "tool_calls",
			},
			wantDelta: 2,
		},
		{
			name: "a server that sends no usage gets an estimate",
			turn: llmtest.Turn{Text: "Nothing is in ERROR."},
			opts: []llmtest.Option{llmtest.IgnoreStreamOptions()},
			want: &llm.Response{
				Content: "Nothing is in ERROR.",
				// (system 6+24, user 4+33, functions 11+12+58 and 11+13) / 4;
				// the answer's 20 characters / 4.
				Usage:        llm.Usage{PromptTokens: 43, CompletionTokens: 5, Estimated: true},
				FinishReason: "stop",
			},
			wantDelta: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := llmtest.New(t, llmtest.Script{tt.turn}, append(tt.opts, llmtest.Canaries(testKey))...)
			c, w := newClient(t, openAIConfig(s.URL))
			var deltas []string
			got, err := c.Complete(t.Context(), question, func(d string) { deltas = append(deltas, d) })
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("response (-want +got):\n%s", diff)
			}
			if strings.Join(deltas, "") != tt.want.Content || len(deltas) < tt.wantDelta {
				t.Errorf("deltas %q, want %q in at least %d pieces", deltas, tt.want.Content, tt.wantDelta)
			}
			if len(w.got) != 0 {
				t.Errorf("waited %v, want no retries", w.got)
			}
			req := s.Requests()[0]
			if !req.Stream || !req.IncludeUsage || req.Model != "test-model" {
				t.Errorf("request stream=%v include_usage=%v model=%q", req.Stream, req.IncludeUsage, req.Model)
			}
			if diff := cmp.Diff(question.Messages, req.Messages); diff != "" {
				t.Errorf("messages sent (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{"server_list", "server_show"}, req.ToolNames()); diff != "" {
				t.Errorf("tools offered (-want +got):\n%s", diff)
			}
			if got := string(req.Tools[1].Parameters); got != `{"type":"object","properties":{}}` {
				t.Errorf("a function without parameters was offered with %s", got)
			}
		})
	}
}

func TestModel(t *testing.T) {
	tests := []struct {
		cfg  llm.Config
		want string
	}{
		{llm.Config{Provider: "openai", Model: "gpt-4.1-mini"}, "gpt-4.1-mini"},
		{llm.Config{Provider: "azure", BaseURL: "https://r", AzureDeployment: "prod-4o"}, "prod-4o"},
	}
	for _, tt := range tests {
		c, err := llm.New(tt.cfg)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.Model(); got != tt.want {
			t.Errorf("Model() = %q, want %q", got, tt.want)
		}
	}
}

func TestAzure(t *testing.T) {
	s := llmtest.New(t, llmtest.Script{{Text: "hi"}})
	c, _ := newClient(t, llm.Config{Provider: "azure", BaseURL: s.Endpoint, APIKey: testKey, AzureDeployment: "prod-4o"})
	if _, err := c.Complete(t.Context(), question, nil); err != nil {
		t.Fatal(err)
	}
	req := s.Requests()[0]
	if req.Deployment != "prod-4o" || req.Header.Get("Api-Key") != testKey || req.Header.Get("Authorization") != "" {
		t.Errorf("deployment %q, api-key %q, authorization %q", req.Deployment, req.Header.Get("Api-Key"), req.Header.Get("Authorization"))
	}
}

func TestRetries(t *testing.T) {
	tests := []struct {
		name       string
		script     llmtest.Script
		maxRetries int
		wantWaits  []time.Duration
		wantErr    error // kind; nil means success
		wantText   string
	}{
		{
			name: "429 with Retry-After, then 503, then an answer",
			script: llmtest.Script{
				{Status: 429, Header: map[string]string{"Retry-After": "2"}},
				{Status: 503},
				{Text: "done"},
			},
			// Retry-After as sent; then backoff 1s with jitter ½: ½ + ¼.
			wantWaits: []time.Duration{2 * time.Second, 750 * time.Millisecond},
			wantText:  "done",
		},
		{
			name:       "503 until the retries run out",
			script:     llmtest.Script{{Status: 503}, {Status: 502}},
			maxRetries: 1,
			wantWaits:  []time.Duration{375 * time.Millisecond},
			wantErr:    llm.ErrUnavailable,
		},
		{
			name:       "negative MaxRetries never retries",
			script:     llmtest.Script{{Status: 500}},
			maxRetries: -1,
			wantErr:    llm.ErrUnavailable,
		},
		{
			name:    "a Retry-After too long is reported, not slept",
			script:  llmtest.Script{{Status: 429, Header: map[string]string{"Retry-After": "3600"}}},
			wantErr: llm.ErrRateLimited,
		},
		{
			name:    "401 is not retried",
			script:  llmtest.Script{{Status: 401}},
			wantErr: llm.ErrAuth,
		},
		{
			name:    "400 is not retried",
			script:  llmtest.Script{{Status: 400, Text: "messages: too long"}},
			wantErr: llm.ErrRejected,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := llmtest.New(t, tt.script)
			cfg := openAIConfig(s.URL)
			cfg.MaxRetries = tt.maxRetries
			c, w := newClient(t, cfg)
			got, err := c.Complete(t.Context(), question, nil)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("error = %v, want %v", err, tt.wantErr)
				}
			} else if err != nil {
				t.Fatal(err)
			} else if got.Content != tt.wantText {
				t.Errorf("content = %q, want %q", got.Content, tt.wantText)
			}
			if diff := cmp.Diff(tt.wantWaits, w.got); diff != "" {
				t.Errorf("waits (-want +got):\n%s", diff)
			}
		})
	}
}

// brokenStream answers the first request with some text and then drops
// the connection, and later requests properly.
func brokenStream(t *testing.T) (url string, requests func() int) {
	var mu sync.Mutex
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		n++
		first := n == 1
		mu.Unlock()
		w.Header().Set("Content-Type", "text/event-stream")
		if first {
			fmt.Fprint(w, `data: {"choices":[{"index":0,"delta":{"role":"assistant","content":"web-1 is"}}]}`+"\n\n")
			w.(http.Flusher).Flush()
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				_ = conn.Close()
			}
			return
		}
		fmt.Fprint(w, `data: {"choices":[{"index":0,"delta":{"content":"all fine"},"finish_reason":"stop"}]}`+"\n\n")
		fmt.Fprint(w, "data: [DONE]\n\n")
	}))
	t.Cleanup(srv.Close)
	return srv.URL, func() int { mu.Lock(); defer mu.Unlock(); return n }
}

func TestNoRetryAfterTextWasShown(t *testing.T) {
	tests := []struct {
		name         string
		onText       bool
		wantRequests int
		wantErr      bool
	}{
		{name: "text shown: the break is reported", onText: true, wantRequests: 1, wantErr: true},
		{name: "nobody saw it: retried", onText: false, wantRequests: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url, requests := brokenStream(t)
			c, _ := newClient(t, openAIConfig(url))
			var shown strings.Builder
			var onText func(string)
			if tt.onText {
				onText = func(d string) { shown.WriteString(d) }
			}
			got, err := c.Complete(t.Context(), question, onText)
			if tt.wantErr {
				if !errors.Is(err, llm.ErrUnavailable) {
					t.Errorf("error = %v, want ErrUnavailable", err)
				}
				if shown.String() != "web-1 is" {
					t.Errorf("shown %q", shown.String())
				}
			} else if err != nil || got.Content != "all fine" {
				t.Errorf("got %+v, %v; want the second answer", got, err)
			}
			if n := requests(); n != tt.wantRequests {
				t.Errorf("%d requests, want %d", n, tt.wantRequests)
			}
		})
	}
}

func TestInterleavedToolCallsOnTheWire(t *testing.T) {
	// Two calls whose argument pieces alternate, as parallel calls may.
	chunks := []string{
		`{"choices":[{"index":0,"delta":{"role":"assistant"}}]}`,
		`{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"a","type":"function","function":{"name":"server_stop","arguments":""}}]}}]}`,
		`{"choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"b","type":"function","function":{"name":"server_stop","arguments":"{\"na"}}]}}]}`,
		`{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"name\":\"web-1\"}"}}]}}]}`,
		`{"choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"function":{"arguments":"me\":\"web-2\"}"}}]}}]}`,
		`{"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}`,
		`{"choices":[],"usage":{"prompt_tokens":7,"completion_tokens":3,"total_tokens":10}}`,
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		for _, c := range chunks {
			fmt.Fprintf(w, "data: %s\n\n", c)
		}
		fmt.Fprint(w, "data: [DONE]\n\n")
	}))
	defer srv.Close()
	c, _ := newClient(t, openAIConfig(srv.URL))
	got, err := c.Complete(t.Context(), question, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := &llm.Response{
		ToolCalls: []llm.ToolCall{
			{ID: "a", Name: "server_stop", Arguments: `{"name":"web-1"}`},
			{ID: "b", Name: "server_stop", Arguments: `{"name":"web-2"}`},
		},
		Usage:        llm.Usage{PromptTokens: 7, CompletionTokens: 3},
		FinishReason: "tool_calls",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("response (-want +got):\n%s", diff)
	}
}

func TestStreamOptionsRejected(t *testing.T) {
	var (
		mu     sync.Mutex
		bodies []string
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		body := string(raw)
		mu.Lock()
		bodies = append(bodies, body)
		mu.Unlock()
		if strings.Contains(body, "stream_options") {
			w.WriteHeader(400)
			fmt.Fprint(w, `{"error":{"message":"Unrecognized request argument supplied: stream_options"}}`)
			return
		}
		fmt.Fprint(w, `data: {"choices":[{"index":0,"delta":{"content":"ok"},"finish_reason":"stop"}]}`+"\n\ndata: [DONE]\n\n")
	}))
	defer srv.Close()
	c, w := newClient(t, openAIConfig(srv.URL))
	got, err := c.Complete(t.Context(), question, nil)
	if err != nil || got.Content != "ok" {
		t.Fatalf("got %+v, %v", got, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(bodies) != 2 || len(w.got) != 0 {
		t.Errorf("%d requests and waits %v, want 2 requests and no wait", len(bodies), w.got)
	}
}

func TestErrorsPeopleCanActOn(t *testing.T) {
	refused := func() string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		url := "http://" + ln.Addr().String() + "/v1"
		_ = ln.Close()
		return url
	}()
	tests := []struct {
		name   string
		script llmtest.Script
		cfg    func(url string) llm.Config
		kind   error
		want   []string
		// notWant are remedies that belong to another context: a hint
		// must appear only where it fixes something.
		notWant []string
	}{
		{
			name:    "401 names the variables, never the key",
			notWant: []string{"ostui login github", "ostui login azure", "ostui login cloud", "GITHUB_TOKEN"},
			script:  llmtest.Script{{Status: 401, Text: "Incorrect API key provided: " + testKey}},
			cfg:     openAIConfig,
			kind:    llm.ErrAuth,
			want:    []string{"the model endpoint at http://127.0.0.1:", "refused the key", "run `ostui login openai` (or set OPENAI_API_KEY)"},
		},
		{
			name:   "401 on azure points at the azure key",
			script: llmtest.Script{{Status: 401}},
			cfg: func(url string) llm.Config {
				return llm.Config{Provider: "azure", BaseURL: strings.TrimSuffix(url, "/v1"), APIKey: testKey, AzureDeployment: "d"}
			},
			kind:    llm.ErrAuth,
			want:    []string{"check AZURE_OPENAI_API_KEY"},
			notWant: []string{"ostui login openai", "ostui login github", "ostui login cloud", "OPENAI_API_KEY or"},
		},
		{
			name:   "401 on azure keeps azure's own guidance",
			script: llmtest.Script{{Status: 401, Text: "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource."}},
			cfg: func(url string) llm.Config {
				return llm.Config{Provider: "azure", BaseURL: strings.TrimSuffix(url, "/v1"), APIKey: testKey, AzureDeployment: "d"}
			},
			kind:    llm.ErrAuth,
			want:    []string{"use a correct regional API endpoint", "AZURE_OPENAI_ENDPOINT"},
			notWant: []string{"ostui login openai", "ostui login github"},
		},
		{
			name:   "401 on github says to log in to github",
			script: llmtest.Script{{Status: 401, Text: "Bad credentials"}},
			cfg: func(url string) llm.Config {
				return llm.Config{Provider: "github", BaseURL: url, APIKey: testKey, Model: "openai/gpt-4.1-mini"}
			},
			kind:    llm.ErrAuth,
			want:    []string{"Bad credentials", "run `ostui login github`"},
			notWant: []string{"ostui login openai", "ostui login azure", "ostui login cloud", "OPENAI_API_KEY"},
		},
		{
			name:   "404 names the model",
			script: llmtest.Script{{Status: 404, Text: "model 'test-model' not found"}},
			cfg:    openAIConfig,
			kind:   llm.ErrNotFound,
			want:   []string{`model "test-model" not found at http://127.0.0.1:`, "OSTUI_MODEL"},
		},
		{
			name:   "404 on azure names the deployment",
			script: llmtest.Script{{Status: 404}},
			cfg: func(url string) llm.Config {
				return llm.Config{Provider: "azure", BaseURL: strings.TrimSuffix(url, "/v1"), APIKey: testKey, AzureDeployment: "prod-4o"}
			},
			kind: llm.ErrNotFound,
			want: []string{`deployment "prod-4o" not found`, "AZURE_OPENAI_DEPLOYMENT"},
		},
		{
			name: "connection refused names the URL",
			cfg: func(string) llm.Config {
				cfg := openAIConfig(refused)
				cfg.MaxRetries = -1
				return cfg
			},
			kind: llm.ErrUnreachable,
			want: []string{"cannot reach the model endpoint at " + refused + ": connection refused", "OPENAI_BASE_URL"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url := refused
			if tt.script != nil {
				url = llmtest.New(t, tt.script).URL
			}
			c, _ := newClient(t, tt.cfg(url))
			_, err := c.Complete(t.Context(), question, nil)
			if !errors.Is(err, tt.kind) {
				t.Fatalf("error = %v, want kind %v", err, tt.kind)
			}
			msg := err.Error()
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q lacks %q", msg, w)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(msg, w) {
					t.Errorf("error %q names %q, which is another context's remedy", msg, w)
				}
			}
			if strings.Contains(msg, testKey) {
				t.Errorf("error shows the key: %q", msg)
			}
		})
	}
}

func TestCancellationStopsAtOnce(t *testing.T) {
	t.Run("during the backoff", func(t *testing.T) {
		s := llmtest.New(t, llmtest.Script{{Status: 503}})
		ctx, cancel := context.WithCancel(t.Context())
		c, err := llm.NewWithSleep(openAIConfig(s.URL), func(ctx context.Context, _ time.Duration) error {
			cancel() // the person pressed Ctrl-C while we waited
			return ctx.Err()
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Complete(ctx, question, nil); !errors.Is(err, context.Canceled) {
			t.Errorf("error = %v, want context.Canceled", err)
		}
	})
	t.Run("while text streams", func(t *testing.T) {
		s := llmtest.New(t, llmtest.Script{{Text: "a long answer that is cut short by the person"}})
		ctx, cancel := context.WithCancel(t.Context())
		c, _ := newClient(t, openAIConfig(s.URL))
		_, err := c.Complete(ctx, question, func(string) { cancel() })
		if !errors.Is(err, context.Canceled) {
			t.Errorf("error = %v, want context.Canceled", err)
		}
	})
}
