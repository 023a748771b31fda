package llm_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/kriscelmer/os-tui/agent/llm"
	"github.com/kriscelmer/os-tui/internal/llm/llmtest"
)

func TestRecordingTransport(t *testing.T) {
	s := llmtest.New(t, llmtest.Script{
		{Status: 503},
		{Text: "hello", ToolCalls: []llm.ToolCall{{ID: "c1", Name: "server_list", Arguments: "{}"}}},
	})
	rec := &llm.RecordingTransport{}
	cfg := openAIConfig(s.URL)
	cfg.HTTPClient = &http.Client{Transport: rec}
	c, _ := newClient(t, cfg)
	got, err := c.Complete(t.Context(), question, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.Content != "hello" {
		t.Errorf("content through the recorder = %q", got.Content)
	}

	xs := rec.Exchanges()
	if len(xs) != 2 {
		t.Fatalf("%d exchanges recorded, want 2 (a 503, then the answer)", len(xs))
	}
	if xs[0].Status != 503 || xs[1].Status != 200 {
		t.Errorf("statuses %d, %d", xs[0].Status, xs[1].Status)
	}
	for i, x := range xs {
		if got := x.RequestHeader.Get("Authorization"); got != "REDACTED" {
			t.Errorf("exchange %d: Authorization recorded as %q", i, got)
		}
		for part, b := range map[string]string{"request": string(x.RequestBody), "response": string(x.ResponseBody), "url": x.URL} {
			if strings.Contains(b, testKey) {
				t.Errorf("exchange %d: key in the recorded %s", i, part)
			}
		}
		if !strings.Contains(string(x.RequestBody), `"stream":true`) || x.Method != "POST" || !strings.HasSuffix(x.URL, "/v1/chat/completions") {
			t.Errorf("exchange %d: %s %s %s", i, x.Method, x.URL, x.RequestBody)
		}
	}
	if body := string(xs[1].ResponseBody); !strings.Contains(body, `"name":"server_list"`) || !strings.HasSuffix(body, "data: [DONE]\n\n") {
		t.Errorf("recorded stream:\n%s", body)
	}
	// The request that went out still carried the key.
	if got := s.Requests()[1].Header.Get("Authorization"); got != "Bearer "+testKey {
		t.Errorf("server saw Authorization %q", got)
	}
}
