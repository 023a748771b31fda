// Package oauthtest is a fake OAuth 2.0 authorization server for tests:
// the device authorization grant, the authorization-code grant with PKCE
// and the refresh grant, at GitHub's paths (/login/device/code,
// /login/oauth/authorize, /login/oauth/access_token) and Microsoft
// Entra's (/TENANT/oauth2/v2.0/devicecode, /authorize, /token).
//
// Unit tests of internal/oauth use it, and so does cmd/ostui's script
// command fakeoauth, so that `ostui login github --host URL` runs end to
// end against it. It is a test kit: the ostui binary never links it.
package oauthtest

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
)

// Behaviour says how the server answers. The zero value approves a
// device code at the first poll and every browser login.
type Behaviour struct {
	// ClientID is the only client accepted; "" accepts any.
	ClientID string
	// ClientSecret, when set, is required by the code and refresh grants,
	// as GitHub requires it.
	ClientSecret string
	// Interval is the device flow's interval in seconds (0: not sent).
	Interval int
	// ExpiresIn is the device code's lifetime in seconds (0: 900).
	ExpiresIn int
	// VerificationURIComplete is sent when set.
	VerificationURIComplete bool
	// Unavailable answers 503 (an HTML page) to this many polls first.
	Unavailable int
	// Pending answers authorization_pending to this many polls first.
	Pending int
	// SlowDown answers slow_down to this many polls first (before Pending).
	SlowDown int
	// Outcome, when set, is the error the device poll ends with after
	// Pending/SlowDown: "access_denied", "expired_token", ….
	Outcome string
	// GitHubStyle answers errors with HTTP 200, as GitHub does; otherwise
	// 400 as RFC 6749 says.
	GitHubStyle bool

	// Token answers: the access token, refresh token and lifetime (s) of
	// the first issued token; later ones (refreshes) get "-2", "-3" …
	// appended. TokenExpiresIn 0 sends no expires_in.
	AccessToken    string
	RefreshToken   string
	TokenExpiresIn int
	// RefreshError, when set, is the error every refresh gets
	// ("invalid_grant").
	RefreshError string

	// Authorize answers the browser: "" redirects back with a code and
	// the state it was given; "wrong-state" with another state; any other
	// value with error=that value.
	Authorize string

	// Log, when set, gets one line per request ("POST /login/device/code"
	// and the grant type), never a token.
	Log io.Writer
}

// Server is a running fake.
type Server struct {
	*httptest.Server
	b Behaviour

	mu       sync.Mutex
	polls    int
	issued   int
	codes    map[string]string // code → PKCE challenge
	requests []string
	forms    []url.Values
}

// NewServer starts a server with behaviour b; Close stops it.
func NewServer(b Behaviour) *Server {
	s := &Server{b: b, codes: map[string]string{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// Polls is the number of device-code token requests received.
func (s *Server) Polls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.polls
}

// Requests are "METHOD PATH grant_type" of every request, in order.
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.requests...)
}

// Forms are the form bodies of every POST, in order.
func (s *Server) Forms() []url.Values {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]url.Values(nil), s.forms...)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	s.mu.Lock()
	line := strings.TrimSpace(r.Method + " " + r.URL.Path + " " + r.PostForm.Get("grant_type"))
	s.requests = append(s.requests, line)
	if s.b.Log != nil {
		_, _ = fmt.Fprintln(s.b.Log, line)
	}
	if r.Method == http.MethodPost {
		s.forms = append(s.forms, r.PostForm)
	}
	s.mu.Unlock()
	if s.b.ClientID != "" && r.Form.Get("client_id") != s.b.ClientID {
		s.fail(w, "invalid_client", "unknown client_id")
		return
	}
	p := r.URL.Path
	switch {
	case r.Method == http.MethodPost && (p == "/login/device/code" || strings.HasSuffix(p, "/oauth2/v2.0/devicecode")):
		s.deviceCode(w, r)
	case r.Method == http.MethodGet && (p == "/login/oauth/authorize" || strings.HasSuffix(p, "/oauth2/v2.0/authorize")):
		s.authorize(w, r)
	case r.Method == http.MethodPost && (p == "/login/oauth/access_token" || strings.HasSuffix(p, "/oauth2/v2.0/token")):
		s.token(w, r)
	default:
		http.NotFound(w, r)
	}
}

func (s *Server) deviceCode(w http.ResponseWriter, r *http.Request) {
	life := s.b.ExpiresIn
	if life == 0 {
		life = 900
	}
	ans := map[string]any{
		"device_code":      "dev-code-1",
		"user_code":        "WDJB-MJHT",
		"verification_uri": s.URL + "/login/device",
		"expires_in":       life,
	}
	if s.b.Interval > 0 {
		ans["interval"] = s.b.Interval
	}
	if s.b.VerificationURIComplete {
		ans["verification_uri_complete"] = s.URL + "/login/device?user_code=WDJB-MJHT"
	}
	writeJSON(w, http.StatusOK, ans)
}

func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	back, err := url.Parse(q.Get("redirect_uri"))
	if err != nil || back.Hostname() != "127.0.0.1" {
		http.Error(w, "redirect_uri must be a loopback URL", http.StatusBadRequest)
		return
	}
	if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" {
		http.Error(w, "PKCE S256 required", http.StatusBadRequest)
		return
	}
	ans := url.Values{}
	switch s.b.Authorize {
	case "":
		s.mu.Lock()
		code := fmt.Sprintf("code-%d", len(s.codes)+1)
		s.codes[code] = q.Get("code_challenge")
		s.mu.Unlock()
		ans.Set("code", code)
		ans.Set("state", q.Get("state"))
	case "wrong-state":
		ans.Set("code", "code-forged")
		ans.Set("state", "not-the-state-ostui-sent")
	default:
		ans.Set("error", s.b.Authorize)
		ans.Set("error_description", "The user has denied your application access.")
		ans.Set("state", q.Get("state"))
	}
	back.RawQuery = ans.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound) //nolint:gosec // a test server; the target was checked to be loopback
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	grant := r.PostForm.Get("grant_type")
	if s.b.ClientSecret != "" && (grant == "authorization_code" || grant == "refresh_token") && r.PostForm.Get("client_secret") != s.b.ClientSecret {
		s.fail(w, "incorrect_client_credentials", "The client_id and/or client_secret passed are incorrect.")
		return
	}
	switch grant {
	case "urn:ietf:params:oauth:grant-type:device_code":
		if r.PostForm.Get("device_code") != "dev-code-1" {
			s.fail(w, "bad_verification_code", "unknown device code")
			return
		}
		s.mu.Lock()
		s.polls++
		n := s.polls
		s.mu.Unlock()
		switch {
		case n <= s.b.Unavailable:
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte("<html>unicorn</html>"))
		case n <= s.b.Unavailable+s.b.SlowDown:
			s.fail(w, "slow_down", "Too many requests have been made in the same timeframe.")
		case n <= s.b.Unavailable+s.b.SlowDown+s.b.Pending:
			s.fail(w, "authorization_pending", "The authorization request is still pending.")
		case s.b.Outcome != "":
			s.fail(w, s.b.Outcome, "The device flow ended: "+s.b.Outcome+".")
		default:
			s.issue(w)
		}
	case "authorization_code":
		code := r.PostForm.Get("code")
		s.mu.Lock()
		challenge, ok := s.codes[code]
		delete(s.codes, code)
		s.mu.Unlock()
		sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
		switch {
		case !ok:
			s.fail(w, "bad_verification_code", "The code passed is incorrect or expired.")
		case base64.RawURLEncoding.EncodeToString(sum[:]) != challenge:
			s.fail(w, "invalid_grant", "PKCE verification failed.")
		default:
			s.issue(w)
		}
	case "refresh_token":
		switch {
		case s.b.RefreshError != "":
			s.fail(w, s.b.RefreshError, "The refresh token passed is incorrect or expired.")
		case !strings.HasPrefix(r.PostForm.Get("refresh_token"), s.b.RefreshToken) || s.b.RefreshToken == "":
			s.fail(w, "bad_refresh_token", "The refresh token passed is incorrect or expired.")
		default:
			s.issue(w)
		}
	default:
		s.fail(w, "unsupported_grant_type", "")
	}
}

func (s *Server) issue(w http.ResponseWriter) {
	s.mu.Lock()
	s.issued++
	n := s.issued
	s.mu.Unlock()
	suffix := ""
	if n > 1 {
		suffix = fmt.Sprintf("-%d", n)
	}
	access := s.b.AccessToken
	if access == "" {
		access = "gho_fakeaccess"
	}
	ans := map[string]any{"access_token": access + suffix, "token_type": "bearer", "scope": "models:read"}
	if s.b.RefreshToken != "" {
		ans["refresh_token"] = s.b.RefreshToken + suffix
		ans["refresh_token_expires_in"] = 15897600
	}
	if s.b.TokenExpiresIn > 0 {
		ans["expires_in"] = s.b.TokenExpiresIn
	}
	writeJSON(w, http.StatusOK, ans)
}

func (s *Server) fail(w http.ResponseWriter, code, desc string) {
	status := http.StatusBadRequest
	if s.b.GitHubStyle {
		status = http.StatusOK
	}
	ans := map[string]any{"error": code}
	if desc != "" {
		ans["error_description"] = desc
	}
	writeJSON(w, status, ans)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
