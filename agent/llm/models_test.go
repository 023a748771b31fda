package llm_test

import (
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/agent/llm"
	"github.com/kriscelmer/os-tui/internal/llm/llmtest"
)

func TestResolveModel(t *testing.T) {
	// A server that refuses the key and echoes it, as some do.
	refuses := func(t *testing.T) string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error":{"message":"bad key ` + testKey + `"}}`))
		}))
		t.Cleanup(srv.Close)
		return srv.URL + "/v1"
	}
	// A proxy without the models endpoint.
	noList := func(t *testing.T) string {
		srv := httptest.NewServer(http.NotFoundHandler())
		t.Cleanup(srv.Close)
		return srv.URL + "/v1"
	}
	// A port nothing listens on any more.
	closed := func(t *testing.T) string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		_ = ln.Close()
		return "http://" + addr + "/v1"
	}
	serving := func(names ...string) func(t *testing.T) string {
		return func(t *testing.T) string { return llmtest.New(t, nil, llmtest.Models(names...)).URL }
	}
	tests := []struct {
		name      string
		server    func(t *testing.T) string
		wantModel string
		wantNote  string   // contains
		wantKind  error    // errors.Is
		wantErr   []string // contains, each
	}{
		{
			name: "one model is used", server: serving("llama3.1"),
			wantModel: "llama3.1", wantNote: "using model llama3.1, the only one the server at http://127.0.0.1:",
		},
		{
			name: "several are listed", server: serving("a", "b", "c"),
			wantKind: llm.ErrModelNotNamed, wantErr: []string{"serves several models: a, b, c; set OSTUI_MODEL to one", "the server at http://127.0.0.1:"},
		},
		{
			name: "a long list is cut", server: serving("m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9", "m10", "m11", "m12"),
			wantKind: llm.ErrModelNotNamed, wantErr: []string{"m9, m10 and 2 more; set OSTUI_MODEL to one"},
		},
		{
			name: "none", server: serving(),
			wantKind: llm.ErrModelNotNamed, wantErr: []string{"lists no models; set OSTUI_MODEL"},
		},
		{
			name: "unreachable", server: closed,
			wantKind: llm.ErrUnreachable, wantErr: []string{"cannot reach the model server at http://127.0.0.1:", "is OPENAI_BASE_URL right?"},
		},
		{
			name: "no models endpoint", server: noList,
			wantKind: llm.ErrModelNotNamed, wantErr: []string{"did not list its models (HTTP 404", "set OSTUI_MODEL to a model it serves"},
		},
		{
			name: "key refused, and not echoed", server: refuses,
			wantKind: llm.ErrAuth, wantErr: []string{"refused the key", "ostui login openai", "OPENAI_API_KEY", "[REDACTED]"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url := tt.server(t)
			cfg := llm.Config{Provider: llm.ProviderOpenAI, BaseURL: url, APIKey: testKey}
			got, note, err := llm.ResolveModel(t.Context(), cfg)
			if tt.wantKind != nil {
				if !errors.Is(err, tt.wantKind) {
					t.Fatalf("error = %v, want kind %v", err, tt.wantKind)
				}
				for _, w := range tt.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q lacks %q", err, w)
					}
				}
				if strings.Contains(err.Error(), testKey) {
					t.Errorf("error %q holds the key", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := cfg
			want.Model = tt.wantModel
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("config (-want +got):\n%s", diff)
			}
			if !strings.Contains(note, tt.wantNote) {
				t.Errorf("note %q lacks %q", note, tt.wantNote)
			}
		})
	}
}

// Only a custom URL without a model is asked; anything else is returned
// unchanged without a request.
func TestResolveModelAsksOnlyWhenNeeded(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("unexpected request %s %s", r.Method, r.URL.Path)
		w.WriteHeader(http.StatusInternalServerError)
	}))
	t.Cleanup(srv.Close)
	tests := []struct {
		name string
		cfg  llm.Config
	}{
		{"model named", llm.Config{Provider: llm.ProviderOpenAI, BaseURL: srv.URL, Model: "m"}},
		{"api.openai.com", llm.Config{Provider: llm.ProviderOpenAI, APIKey: testKey, Model: llm.DefaultOpenAIModel}},
		{"azure", llm.Config{Provider: llm.ProviderAzure, BaseURL: srv.URL, APIKey: "k", AzureDeployment: "d"}},
		{"github", llm.Config{Provider: llm.ProviderGitHub, BaseURL: srv.URL, APIKey: "k"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, note, err := llm.ResolveModel(t.Context(), tt.cfg)
			if err != nil || note != "" {
				t.Errorf("note %q, err %v; want neither", note, err)
			}
			if diff := cmp.Diff(tt.cfg, got); diff != "" {
				t.Errorf("config changed (-want +got):\n%s", diff)
			}
		})
	}
}
