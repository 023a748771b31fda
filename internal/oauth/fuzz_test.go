package oauth_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/kriscelmer/os-tui/internal/oauth"
)

// FuzzTokenAnswer feeds the token endpoint's answer arbitrary bytes: a
// refresh either yields a token or an error, never a panic, and an error
// never quotes the refresh token it sent.
func FuzzTokenAnswer(f *testing.F) {
	for _, seed := range []struct {
		status int
		ctype  string
		body   string
	}{
		{200, "application/json", `{"access_token":"a","expires_in":"3600","refresh_token":"r"}`},
		{200, "application/json", `{"error":"bad_refresh_token","error_description":"\u001b[31mred"}`},
		{400, "application/x-www-form-urlencoded", `error=invalid_grant&error_description=x`},
		{200, "text/plain", `access_token=a&scope=&token_type=bearer`},
		{502, "text/html", `<html>bad gateway</html>`},
		{200, "application/json", `{"access_token":"a","expires_in":1e308}`},
		{200, "application/json", `{"access_token":`},
	} {
		f.Add(seed.status, seed.ctype, seed.body)
	}
	f.Fuzz(func(t *testing.T, status int, ctype, body string) {
		if status < 100 || status > 599 {
			return
		}
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", ctype)
			w.WriteHeader(status)
			_, _ = w.Write([]byte(body))
		}))
		defer srv.Close()
		ep, _ := oauth.GitHub(srv.URL)
		c := &oauth.Client{ClientID: "x", Endpoints: ep, HTTPClient: srv.Client(), Clock: newClock()}
		const sent = "ghr_SENT-refresh-token-0123456789"
		tok, err := c.Refresh(t.Context(), sent)
		if err == nil && (tok == nil || tok.AccessToken == "") {
			t.Fatalf("no error and no token for %d %q %q", status, ctype, body)
		}
		if err != nil && strings.Contains(err.Error(), sent) && !strings.Contains(body, sent) {
			t.Fatalf("the error quotes the refresh token: %v", err)
		}
		if err != nil && strings.ContainsRune(err.Error(), 0x1b) {
			t.Fatalf("the error carries a terminal escape: %q", err)
		}
	})
}
