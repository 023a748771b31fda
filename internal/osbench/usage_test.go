package osbench

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseUsage(t *testing.T) {
	tests := []struct {
		name, body string
		want       Usage
	}{
		{"stream with usage chunk", "data: {\"choices\":[{\"delta\":{\"content\":\"hi\"}}]}\n\n" +
			"data: {\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":3}}\n\ndata: [DONE]\n\n", Usage{PromptTokens: 12, CompletionTokens: 3}},
		{"stream without usage", "data: {\"choices\":[]}\n\ndata: [DONE]\n", Usage{}},
		{"usage null in deltas", "data: {\"usage\":null}\n\n", Usage{}},
		{"plain JSON body", `{"choices":[],"usage":{"prompt_tokens":7,"completion_tokens":2}}`, Usage{PromptTokens: 7, CompletionTokens: 2}},
		{"error body", `{"error":{"message":"nope"}}`, Usage{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, parseUsage([]byte(tt.body))); diff != "" {
				t.Errorf("parseUsage (-want +got):\n%s", diff)
			}
		})
	}
}

// TestMeter proxies to an upstream with a path, as OPENAI_BASE_URL has,
// and adds up usage over requests.
func TestMeter(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/chat/completions" {
			http.Error(w, "wrong path "+r.URL.Path, http.StatusNotFound)
			return
		}
		_, _ = io.WriteString(w, "data: {\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":1}}\n\ndata: [DONE]\n\n")
	}))
	defer up.Close()
	m, err := startMeter(up.URL + "/v1")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = m.Close() }()
	if !strings.HasSuffix(m.URL, "/v1") {
		t.Errorf("meter URL %q lost the upstream's path", m.URL)
	}
	for range 2 {
		resp, err := http.Post(m.URL+"/chat/completions", "application/json", strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d: %s", resp.StatusCode, body)
		}
	}
	if diff := cmp.Diff(Usage{Requests: 2, PromptTokens: 20, CompletionTokens: 2}, m.Usage()); diff != "" {
		t.Errorf("usage (-want +got):\n%s", diff)
	}
}

func TestStartMeterBadURL(t *testing.T) {
	if _, err := startMeter("not a url"); err == nil {
		t.Fatal("startMeter accepted a non-URL")
	}
}
