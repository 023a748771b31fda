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
	if c := <-code; c != 0 {
		t.Errorf("exit code %d", c)
	}
	out := log.String()
	for _, want := range []string{
		`FAIL request 1 carries canary "s3cr3t"`,
		`FAIL request 1 carries canary "hunter2"`,
		`FAIL turn 1: tool "server_list" not offered`,
		"POST /v1/chat/completions",
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
