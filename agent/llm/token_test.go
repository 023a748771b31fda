package llm_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/kriscelmer/os-tui/agent/llm"
	"github.com/kriscelmer/os-tui/internal/llm/llmtest"
)

// tokens hands out "tok-1", "tok-2", … — a source that refreshes on each
// call — or fails with err.
type tokens struct {
	mu  sync.Mutex
	n   int
	err error
}

func (s *tokens) Token(context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return "", s.err
	}
	s.n++
	return fmt.Sprintf("ghu_tok-%d", s.n), nil
}

func TestTokenSource(t *testing.T) {
	s := llmtest.New(t, llmtest.Script{{Text: "one"}, {Text: "two"}})
	c, _ := newClient(t, llm.Config{Provider: "github", BaseURL: s.Endpoint, APIKey: "ghu_tok-0", Model: "openai/gpt-4.1-mini", Token: &tokens{}})
	for range 2 {
		if _, err := c.Complete(t.Context(), question, nil); err != nil {
			t.Fatal(err)
		}
	}
	// Each request carries the source's token of the moment, not the
	// key the session started with.
	for i, req := range s.Requests() {
		if got, want := req.Header.Get("Authorization"), fmt.Sprintf("Bearer ghu_tok-%d", i+1); got != want {
			t.Errorf("request %d: Authorization %q, want %q", i+1, got, want)
		}
	}
}

func TestAzureEntraToken(t *testing.T) {
	s := llmtest.New(t, llmtest.Script{{Text: "hi"}})
	c, _ := newClient(t, llm.Config{Provider: "azure", BaseURL: s.Endpoint, APIKey: "eyJ.entra", AzureDeployment: "prod-4o", AzureAD: true})
	if _, err := c.Complete(t.Context(), question, nil); err != nil {
		t.Fatal(err)
	}
	req := s.Requests()[0]
	if req.Header.Get("Api-Key") != "" || req.Header.Get("Authorization") != "Bearer eyJ.entra" || req.Deployment != "prod-4o" {
		t.Errorf("api-key %q, authorization %q, deployment %q", req.Header.Get("Api-Key"), req.Header.Get("Authorization"), req.Deployment)
	}
}

func TestTokenSourceFails(t *testing.T) {
	var calls int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { calls++ }))
	defer srv.Close()
	src := &tokens{err: errors.New("the token expired and refreshing it failed (bad_refresh_token); run `ostui login github`")}
	c, w := newClient(t, llm.Config{Provider: "github", BaseURL: srv.URL, Model: "m", Token: src})
	_, err := c.Complete(t.Context(), question, nil)
	if !errors.Is(err, llm.ErrAuth) {
		t.Fatalf("err = %v, want ErrAuth", err)
	}
	if !strings.Contains(err.Error(), "run `ostui login github`") {
		t.Errorf("err = %q, want the login advice", err)
	}
	if calls != 0 || len(w.got) != 0 {
		t.Errorf("%d requests sent and %d retries without a token", calls, len(w.got))
	}
}

func TestRefreshedTokenScrubbed(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprintf(w, `{"error":{"message":"bad credentials %s"}}`, strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
	}))
	defer srv.Close()
	c, _ := newClient(t, llm.Config{Provider: "github", BaseURL: srv.URL, APIKey: "ghu_tok-0", Model: "m", Token: &tokens{}})
	_, err := c.Complete(t.Context(), question, nil)
	if !errors.Is(err, llm.ErrAuth) || strings.Contains(err.Error(), "ghu_tok") || !strings.Contains(err.Error(), "ostui login github") {
		t.Errorf("err = %v", err)
	}
}
