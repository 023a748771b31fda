package llmtest

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	openai "github.com/sashabaranov/go-openai"

	"github.com/kriscelmer/os-tui/agent/llm"
)

const yamlScript = `
canaries: [s3cr3t]
turns:
  - expect:
      - last_message_contains: broken
        tool_offered: server_list
    tool_calls:
      - id: call_1
        name: server_list
        arguments: {status: ERROR}
    usage: {prompt_tokens: 10, completion_tokens: 3}
  - text: web-1 is in ERROR.
  - status: 429
    header: {Retry-After: "1"}
`

func TestLoadScript(t *testing.T) {
	want := Script{
		{
			Expect:    []Expectation{{LastMessageContains: "broken", ToolOffered: "server_list"}},
			ToolCalls: []llm.ToolCall{{ID: "call_1", Name: "server_list", Arguments: `{"status":"ERROR"}`}},
			Usage:     llm.Usage{PromptTokens: 10, CompletionTokens: 3},
		},
		{Text: "web-1 is in ERROR."},
		{Status: 429, Header: map[string]string{"Retry-After": "1"}},
	}
	tests := []struct {
		name, file, content string
		wantErr             string
	}{
		{name: "yaml object", file: "s.yaml", content: yamlScript},
		{
			name: "json list", file: "s.json",
			content: `[{"expect":[{"last_message_contains":"broken","tool_offered":"server_list"}],
			  "tool_calls":[{"id":"call_1","name":"server_list","arguments":"{\"status\":\"ERROR\"}"}],
			  "usage":{"prompt_tokens":10,"completion_tokens":3}},
			 {"text":"web-1 is in ERROR."},
			 {"status":429,"header":{"Retry-After":"1"}}]`,
		},
		{name: "misspelt field", file: "bad.yaml", content: "- txt: hello\n", wantErr: `unknown field "txt"`},
		{name: "not yaml", file: "bad.yaml", content: "- [unclosed\n", wantErr: "bad.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), tt.file)
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := LoadScript(path)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b func(Captured) error) bool { return a == nil && b == nil })); diff != "" {
				t.Errorf("script (-want +got):\n%s", diff)
			}
		})
	}
}

// syncBuffer is a log written by the server's goroutines and read here.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestMainEntry runs the standalone entry as a harness would: it writes the
// port, serves the script, reports a canary and stops when told.
func TestMainEntry(t *testing.T) {
	dir := t.TempDir()
	scriptPath := filepath.Join(dir, "turns.yaml")
	if err := os.WriteFile(scriptPath, []byte(yamlScript), 0o600); err != nil {
		t.Fatal(err)
	}
	portFile := filepath.Join(dir, "port")

	// run calls stop once it serves and the port file is written: that
	// call is the signal to start, so nothing here polls or sleeps.
	serving := make(chan struct{})
	stop := make(chan struct{})
	var log syncBuffer
	code := make(chan int, 1)
	go func() {
		code <- run([]string{"--script", scriptPath, "--port-file", portFile, "--canary", "hunter2"}, &log, func() <-chan struct{} {
			close(serving)
			return stop
		})
	}()
	select {
	case <-serving:
	case c := <-code:
		t.Fatalf("run exited with %d before serving:\n%s", c, log.String())
	}
	port, err := os.ReadFile(portFile)
	if err != nil {
		t.Fatal(err)
	}
	cfg := openai.DefaultConfig("")
	cfg.BaseURL = "http://127.0.0.1:" + strings.TrimSpace(string(port)) + "/v1"
	c := openai.NewClientWithConfig(cfg)
	req := openai.ChatCompletionRequest{Model: "m", Messages: []openai.ChatCompletionMessage{{Role: "user", Content: "what is broken? s3cr3t hunter2"}}}
	resp, err := c.CreateChatCompletion(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	if got := resp.Choices[0].Message.ToolCalls[0].Function.Arguments; got != `{"status":"ERROR"}` {
		t.Errorf("arguments = %s", got)
	}
	close(stop)
	if c := <-code; c != 1 {
		t.Errorf("exit code %d, want 1: requests failed checks and turns were left", c)
	}
	out := log.String()
	for _, want := range []string{
		`FAIL request 1 carries canary "s3cr3t"`,
		`FAIL request 1 carries canary "hunter2"`,
		`FAIL turn 1: tool "server_list" not offered`,
		"POST /v1/chat/completions",
		`FAIL 2 of 3 scripted turns were never requested: turn 2 (text "web-1 is in ERROR."); turn 3 (status 429)`,
		"llmtest: 4 failures",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
}

func TestMainUsage(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"no script", nil, 2},
		{"bad flag", []string{"--nope"}, 2},
		{"missing file", []string{"--script", filepath.Join(t.TempDir(), "none.yaml")}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var log syncBuffer
			never := func() <-chan struct{} { t.Fatal("served"); return nil }
			if got := run(tt.args, &log, never); got != tt.want {
				t.Errorf("exit %d, want %d; log:\n%s", got, tt.want, log.String())
			}
		})
	}
}

// TestRunServerReportsUnusedTurns: a conversation shorter than its script
// fails when the server stops, naming the turns that never happened, and
// a script used to the end stops clean.
func TestRunServerReportsUnusedTurns(t *testing.T) {
	script := Script{
		{ToolCalls: []llm.ToolCall{{ID: "c1", Name: "server__list", Arguments: "{}"}}},
		{Text: "web-1 is in ERROR, and a rather long answer follows it here."},
		{},
	}
	tests := []struct {
		name  string
		asks  int
		stop  func(*Running) error
		want  []string
		fails int
	}{
		{
			name: "two unused, shut down", asks: 1,
			stop:  func(r *Running) error { return r.Shutdown(t.Context()) },
			want:  []string{`llmtest: FAIL 2 of 3 scripted turns were never requested: turn 2 (text "web-1 is in ERROR, and a rather long ans…"); turn 3 (an empty answer)`},
			fails: 1,
		},
		{
			name: "none requested, closed", asks: 0,
			stop:  func(r *Running) error { return r.Close() },
			want:  []string{`llmtest: FAIL 3 of 3 scripted turns were never requested: turn 1 (tool calls server__list); turn 2`},
			fails: 1,
		},
		{
			name: "all used", asks: 3,
			stop: func(r *Running) error { return r.Shutdown(t.Context()) },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var log syncBuffer
			srv, err := RunServer("127.0.0.1:0", script, &log)
			if err != nil {
				t.Fatal(err)
			}
			c := client("http://" + srv.Addr + "/v1")
			for range tt.asks {
				if _, err := c.CreateChatCompletion(t.Context(), userAsks("hi")); err != nil {
					t.Fatal(err)
				}
			}
			if err := tt.stop(srv); err != nil {
				t.Fatal(err)
			}
			_ = srv.Close() // a second stop reports nothing more
			var fails []string
			for _, line := range strings.Split(log.String(), "\n") {
				if strings.HasPrefix(line, "llmtest: FAIL") {
					fails = append(fails, line)
				}
			}
			if len(fails) != len(tt.want) {
				t.Fatalf("FAIL lines:\n%s\nwant %d", strings.Join(fails, "\n"), len(tt.want))
			}
			for i, w := range tt.want {
				if !strings.HasPrefix(fails[i], w) {
					t.Errorf("FAIL line %d = %q, want it to start %q", i, fails[i], w)
				}
			}
			if got := srv.Failures(); got != tt.fails {
				t.Errorf("Failures() = %d, want %d", got, tt.fails)
			}
		})
	}
}

func TestLoadFileOptions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.yaml")
	content := "models: [llama3.1, qwen3]\ncanaries: [s3cr3t]\nturns:\n  - text: hi\n"
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	script, opts, err := LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	h := newHandler(script, func(string, ...any) {}, opts...)
	if diff := cmp.Diff([]string{"llama3.1", "qwen3"}, h.models); diff != "" {
		t.Errorf("models (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"s3cr3t"}, h.canaries); diff != "" {
		t.Errorf("canaries (-want +got):\n%s", diff)
	}
	if len(script) != 1 || script[0].Text != "hi" {
		t.Errorf("script = %+v", script)
	}
}
