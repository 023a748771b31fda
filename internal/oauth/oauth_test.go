package oauth_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/internal/oauth"
	"github.com/kriscelmer/os-tui/internal/oauth/oauthtest"
	"github.com/kriscelmer/os-tui/internal/secretstore"
)

// fakeClock moves only when slept on, and records each sleep: a device
// flow of many minutes runs in a few milliseconds.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
	// cancelAfter cancels the flow's context at that sleep (1-based).
	cancelAfter int
	cancel      context.CancelFunc
}

func newClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.sleeps = append(c.sleeps, d)
	c.now = c.now.Add(d)
	n := len(c.sleeps)
	c.mu.Unlock()
	if c.cancelAfter > 0 && n == c.cancelAfter {
		c.cancel()
	}
	return ctx.Err()
}

func (c *fakeClock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

func client(t *testing.T, srv *oauthtest.Server, clock oauth.Clock) *oauth.Client {
	t.Helper()
	ep, err := oauth.GitHub(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	return &oauth.Client{ClientID: "Iv1.test", Endpoints: ep, Scopes: []string{"read:user"}, HTTPClient: srv.Client(), Clock: clock}
}

func TestDeviceFlow(t *testing.T) {
	s := time.Second
	tests := []struct {
		name       string
		b          oauthtest.Behaviour
		cancelAt   int
		wantSleeps []time.Duration
		wantPolls  int
		wantErr    error  // errors.Is
		wantMsg    string // in the error text
		wantToken  string
	}{
		{
			name:       "approved after two pending polls, at the server's interval",
			b:          oauthtest.Behaviour{Interval: 3, Pending: 2, AccessToken: "gho_ok"},
			wantSleeps: []time.Duration{3 * s, 3 * s, 3 * s},
			wantPolls:  3,
			wantToken:  "gho_ok",
		},
		{
			name:       "no interval given: 5 s",
			b:          oauthtest.Behaviour{Pending: 1, AccessToken: "gho_ok"},
			wantSleeps: []time.Duration{5 * s, 5 * s},
			wantPolls:  2,
			wantToken:  "gho_ok",
		},
		{
			name:       "slow_down adds 5 s each time, GitHub answering errors with 200",
			b:          oauthtest.Behaviour{Interval: 5, SlowDown: 2, Pending: 1, GitHubStyle: true, AccessToken: "gho_ok"},
			wantSleeps: []time.Duration{5 * s, 10 * s, 15 * s, 15 * s},
			wantPolls:  4,
			wantToken:  "gho_ok",
		},
		{
			name:       "a server fault backs off (doubling) and keeps waiting",
			b:          oauthtest.Behaviour{Interval: 5, Unavailable: 2, Pending: 1, AccessToken: "gho_ok"},
			wantSleeps: []time.Duration{5 * s, 10 * s, 20 * s, 20 * s},
			wantPolls:  4,
			wantToken:  "gho_ok",
		},
		{
			name:       "a server down for good: give up after the sixth fault in a row",
			b:          oauthtest.Behaviour{Interval: 5, Unavailable: 100},
			wantSleeps: []time.Duration{5 * s, 10 * s, 20 * s, 40 * s, 60 * s, 60 * s},
			wantPolls:  6,
			wantMsg:    "gave up after 6 failed attempts to reach the authorization server",
		},
		{
			name:       "expired_token from the server",
			b:          oauthtest.Behaviour{Interval: 5, Pending: 1, Outcome: "expired_token"},
			wantSleeps: []time.Duration{5 * s, 5 * s},
			wantPolls:  2,
			wantErr:    oauth.ErrExpiredToken,
			wantMsg:    "the code WDJB-MJHT expired before it was approved",
		},
		{
			name:       "access_denied",
			b:          oauthtest.Behaviour{Interval: 5, Outcome: "access_denied", GitHubStyle: true},
			wantSleeps: []time.Duration{5 * s},
			wantPolls:  1,
			wantErr:    oauth.ErrAccessDenied,
			wantMsg:    "declined",
		},
		{
			name:       "Entra's authorization_declined is access_denied",
			b:          oauthtest.Behaviour{Interval: 5, Outcome: "authorization_declined"},
			wantSleeps: []time.Duration{5 * s},
			wantPolls:  1,
			wantErr:    oauth.ErrAccessDenied,
		},
		{
			name:       "expires_in reached while pending: stop without another poll",
			b:          oauthtest.Behaviour{Interval: 5, ExpiresIn: 12, Pending: 100},
			wantSleeps: []time.Duration{5 * s, 5 * s, 5 * s},
			wantPolls:  2,
			wantErr:    oauth.ErrExpiredToken,
		},
		{
			name:       "Ctrl-C while waiting",
			b:          oauthtest.Behaviour{Interval: 5, Pending: 100},
			cancelAt:   2,
			wantSleeps: []time.Duration{5 * s, 5 * s},
			wantPolls:  1,
			wantErr:    context.Canceled,
			wantMsg:    "stopped waiting for approval",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := oauthtest.NewServer(tt.b)
			defer srv.Close()
			clock := newClock()
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			clock.cancelAfter, clock.cancel = tt.cancelAt, cancel
			c := client(t, srv, clock)
			dc, err := c.RequestDeviceCode(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if dc.UserCode != "WDJB-MJHT" || dc.VerificationURI != srv.URL+"/login/device" {
				t.Fatalf("device code = %+v", dc)
			}
			var progress []oauth.Poll
			tok, err := c.PollToken(ctx, dc, func(p oauth.Poll) { progress = append(progress, p) })
			if diff := cmp.Diff(tt.wantSleeps, clock.Sleeps()); diff != "" {
				t.Errorf("sleeps (-want +got):\n%s", diff)
			}
			if got := srv.Polls(); got != tt.wantPolls {
				t.Errorf("polls = %d, want %d", got, tt.wantPolls)
			}
			if len(progress) != len(tt.wantSleeps) {
				t.Errorf("progress called %d times, want once per wait (%d)", len(progress), len(tt.wantSleeps))
			}
			if tt.wantErr != nil || tt.wantMsg != "" {
				if err == nil || (tt.wantErr != nil && !errors.Is(err, tt.wantErr)) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.wantMsg) {
					t.Errorf("err = %q, want it to say %q", err, tt.wantMsg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tok.AccessToken != tt.wantToken {
				t.Errorf("token = %q, want %q", tok.AccessToken, tt.wantToken)
			}
			// Every poll carried the grant type, the device code and the client.
			for _, f := range srv.Forms()[1:] {
				if f.Get("grant_type") != "urn:ietf:params:oauth:grant-type:device_code" || f.Get("device_code") != "dev-code-1" || f.Get("client_id") != "Iv1.test" {
					t.Errorf("poll form = %v", f)
				}
			}
		})
	}
}

func TestDeviceCodeRequest(t *testing.T) {
	srv := oauthtest.NewServer(oauthtest.Behaviour{Interval: 7, ExpiresIn: 600, VerificationURIComplete: true})
	defer srv.Close()
	clock := newClock()
	c := client(t, srv, clock)
	dc, err := c.RequestDeviceCode(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want := &oauth.DeviceCode{
		DeviceCode:              "dev-code-1",
		UserCode:                "WDJB-MJHT",
		VerificationURI:         srv.URL + "/login/device",
		VerificationURIComplete: srv.URL + "/login/device?user_code=WDJB-MJHT",
		Expires:                 clock.Now().Add(600 * time.Second),
		Interval:                7 * time.Second,
	}
	if diff := cmp.Diff(want, dc); diff != "" {
		t.Errorf("device code (-want +got):\n%s", diff)
	}
	if f := srv.Forms()[0]; f.Get("client_id") != "Iv1.test" || f.Get("scope") != "read:user" {
		t.Errorf("device code form = %v", f)
	}
}

func TestDeviceCodeRefusedClient(t *testing.T) {
	srv := oauthtest.NewServer(oauthtest.Behaviour{ClientID: "Iv1.other"})
	defer srv.Close()
	_, err := client(t, srv, newClock()).RequestDeviceCode(t.Context())
	var oe *oauth.Error
	if !errors.As(err, &oe) || oe.Code != "invalid_client" {
		t.Fatalf("err = %v, want invalid_client", err)
	}
}

// browser plays the person's browser: it follows the authorization URL
// and the redirect back to ostui's callback, like a click on "Authorize".
func browser(hc *http.Client, opened *string) func(string) error {
	return func(u string) error {
		*opened = u
		go func() {
			resp, err := hc.Get(u)
			if err == nil {
				_ = resp.Body.Close()
			}
		}()
		return nil
	}
}

func TestAuthCodeFlow(t *testing.T) {
	tests := []struct {
		name      string
		authorize string
		wantErr   error
		wantCode  string // *oauth.Error code
		wantMsg   string
	}{
		{name: "approved"},
		{name: "state mismatch is refused", authorize: "wrong-state", wantErr: oauth.ErrStateMismatch, wantMsg: "refused"},
		{name: "error return", authorize: "access_denied", wantErr: oauth.ErrAccessDenied, wantCode: "access_denied", wantMsg: "denied your application"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := oauthtest.NewServer(oauthtest.Behaviour{Authorize: tt.authorize, AccessToken: "gho_web", RefreshToken: "ghr_web", TokenExpiresIn: 28800})
			defer srv.Close()
			clock := newClock()
			c := client(t, srv, clock)
			var opened string
			tok, err := c.AuthCodeFlow(t.Context(), oauth.WebOptions{Open: browser(&http.Client{}, &opened), Timeout: 10 * time.Second})
			if !strings.HasPrefix(opened, srv.URL+"/login/oauth/authorize?") || !strings.Contains(opened, "code_challenge_method=S256") || !strings.Contains(opened, "redirect_uri=http%3A%2F%2F127.0.0.1%3A") {
				t.Errorf("opened %q", opened)
			}
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				var oe *oauth.Error
				if tt.wantCode != "" && (!errors.As(err, &oe) || oe.Code != tt.wantCode) {
					t.Errorf("err = %#v, want code %s", err, tt.wantCode)
				}
				if !strings.Contains(err.Error(), tt.wantMsg) {
					t.Errorf("err = %q, want it to say %q", err, tt.wantMsg)
				}
				for _, r := range srv.Requests() {
					if strings.Contains(r, "authorization_code") {
						t.Errorf("a refused answer was traded for a token: %v", srv.Requests())
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := oauth.Token{AccessToken: "gho_web", TokenType: "bearer", RefreshToken: "ghr_web", Scope: "models:read",
				Expiry: clock.Now().Add(8 * time.Hour), RefreshExpiry: clock.Now().Add(15897600 * time.Second)}
			if diff := cmp.Diff(want, *tok); diff != "" {
				t.Errorf("token (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAuthCodeTimeout(t *testing.T) {
	srv := oauthtest.NewServer(oauthtest.Behaviour{})
	defer srv.Close()
	c := client(t, srv, newClock())
	_, err := c.AuthCodeFlow(t.Context(), oauth.WebOptions{Open: func(string) error { return nil }, Timeout: 20 * time.Millisecond})
	if err == nil || !strings.Contains(err.Error(), "did not come back within") {
		t.Fatalf("err = %v", err)
	}
}

// memStore is the secret store in memory.
type memStore struct {
	m    map[string]string
	sets int
}

func (s *memStore) Get(_ context.Context, key string) (string, error) {
	v, ok := s.m[key]
	if !ok {
		return "", secretstore.ErrNotFound
	}
	return v, nil
}

func (s *memStore) Set(_ context.Context, key, value string) (string, error) {
	s.m[key] = value
	s.sets++
	return "memory", nil
}

func (s *memStore) Delete(_ context.Context, key string) error {
	delete(s.m, key)
	return nil
}

func TestSource(t *testing.T) {
	const prefix = "provider/github"
	const hint = "run `ostui login github`"
	tests := []struct {
		name       string
		b          oauthtest.Behaviour
		stored     *oauth.Token // expiry relative to the clock: set below
		expiresIn  time.Duration
		want       string
		wantErr    string
		wantStored string // access token in the store afterwards
		wantGrants []string
	}{
		{
			name:       "fresh token used as stored",
			stored:     &oauth.Token{AccessToken: "ghu_old", RefreshToken: "ghr_x"},
			expiresIn:  time.Hour,
			want:       "ghu_old",
			wantStored: "ghu_old",
		},
		{
			name:       "token without expiry never refreshes",
			stored:     &oauth.Token{AccessToken: "gho_forever"},
			want:       "gho_forever",
			wantStored: "gho_forever",
		},
		{
			name:       "expired token refreshed and stored",
			b:          oauthtest.Behaviour{AccessToken: "ghu_new", RefreshToken: "ghr_x", TokenExpiresIn: 28800},
			stored:     &oauth.Token{AccessToken: "ghu_old", RefreshToken: "ghr_x"},
			expiresIn:  -time.Minute,
			want:       "ghu_new",
			wantStored: "ghu_new",
			wantGrants: []string{"POST /login/oauth/access_token refresh_token"},
		},
		{
			name:       "within the margin: refreshed before use",
			b:          oauthtest.Behaviour{AccessToken: "ghu_new", RefreshToken: "ghr_x", TokenExpiresIn: 28800},
			stored:     &oauth.Token{AccessToken: "ghu_old", RefreshToken: "ghr_x"},
			expiresIn:  30 * time.Second,
			want:       "ghu_new",
			wantStored: "ghu_new",
			wantGrants: []string{"POST /login/oauth/access_token refresh_token"},
		},
		{
			name:       "refresh refused: log in again",
			b:          oauthtest.Behaviour{RefreshToken: "ghr_x", RefreshError: "bad_refresh_token", GitHubStyle: true},
			stored:     &oauth.Token{AccessToken: "ghu_old", RefreshToken: "ghr_x"},
			expiresIn:  -time.Minute,
			wantErr:    "refreshing it failed (authorization server: bad_refresh_token",
			wantStored: "ghu_old",
			wantGrants: []string{"POST /login/oauth/access_token refresh_token"},
		},
		{
			name:       "expired without a refresh token",
			stored:     &oauth.Token{AccessToken: "ghu_old"},
			expiresIn:  -time.Minute,
			wantErr:    "cannot be refreshed",
			wantStored: "ghu_old",
		},
		{
			name:    "nothing stored",
			wantErr: "no token is stored",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := oauthtest.NewServer(tt.b)
			defer srv.Close()
			clock := newClock()
			st := &memStore{m: map[string]string{}}
			if tt.stored != nil {
				if tt.expiresIn != 0 {
					tt.stored.Expiry = clock.Now().Add(tt.expiresIn)
				}
				if _, err := (oauth.Stored{Store: st, Prefix: prefix}).Save(t.Context(), tt.stored); err != nil {
					t.Fatal(err)
				}
			}
			src := &oauth.Source{Client: client(t, srv, clock), Stored: oauth.Stored{Store: st, Prefix: prefix}, Relogin: hint}
			got, err := src.Token(t.Context())
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.HasSuffix(err.Error(), hint) {
					t.Fatalf("err = %v, want %q … %q", err, tt.wantErr, hint)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("token = %q, want %q", got, tt.want)
			}
			if diff := cmp.Diff(tt.wantGrants, srv.Requests()); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
			if tt.wantStored != "" {
				tok, err := (oauth.Stored{Store: st, Prefix: prefix}).Load(t.Context())
				if err != nil {
					t.Fatal(err)
				}
				if tok.AccessToken != tt.wantStored {
					t.Errorf("stored %q, want %q", tok.AccessToken, tt.wantStored)
				}
				if tt.wantGrants != nil && tt.wantErr == "" && tok.RefreshToken != "ghr_x-1" && tok.RefreshToken != "ghr_x" {
					t.Errorf("stored refresh token %q", tok.RefreshToken)
				}
			}
			// Asked again, the cached fresh token is used: no second refresh.
			if err == nil {
				if again, _ := src.Token(t.Context()); again != got {
					t.Errorf("second Token = %q, want %q", again, got)
				}
				if n := len(srv.Requests()); n != len(tt.wantGrants) {
					t.Errorf("second Token sent requests: %v", srv.Requests())
				}
			}
		})
	}
}

func TestTokenNeverPrinted(t *testing.T) {
	tok := oauth.Token{AccessToken: "gho_secret1234", RefreshToken: "ghr_secret5678", TokenType: "bearer"}
	for _, s := range []string{fmt.Sprint(tok), fmt.Sprintf("%v", &tok), fmt.Sprintf("%+v", tok), fmt.Sprintf("%#v", tok)} {
		if strings.Contains(s, "secret") {
			t.Errorf("printed token: %s", s)
		}
	}
}

func TestEndpoints(t *testing.T) {
	tests := []struct {
		name    string
		got     func() (oauth.Endpoints, error)
		want    oauth.Endpoints
		wantErr string
	}{
		{"github.com", func() (oauth.Endpoints, error) { return oauth.GitHub("") }, oauth.Endpoints{
			DeviceAuthURL: "https://github.com/login/device/code", AuthURL: "https://github.com/login/oauth/authorize", TokenURL: "https://github.com/login/oauth/access_token"}, ""},
		{"GitHub Enterprise host", func() (oauth.Endpoints, error) { return oauth.GitHub("ghe.example.com") }, oauth.Endpoints{
			DeviceAuthURL: "https://ghe.example.com/login/device/code", AuthURL: "https://ghe.example.com/login/oauth/authorize", TokenURL: "https://ghe.example.com/login/oauth/access_token"}, ""},
		{"test server URL", func() (oauth.Endpoints, error) { return oauth.GitHub("http://127.0.0.1:9/") }, oauth.Endpoints{
			DeviceAuthURL: "http://127.0.0.1:9/login/device/code", AuthURL: "http://127.0.0.1:9/login/oauth/authorize", TokenURL: "http://127.0.0.1:9/login/oauth/access_token"}, ""},
		{"not a URL", func() (oauth.Endpoints, error) { return oauth.GitHub("ftp://x") }, oauth.Endpoints{}, "not a host name"},
		{"Entra", func() (oauth.Endpoints, error) { return oauth.Entra("", "contoso.onmicrosoft.com") }, oauth.Endpoints{
			DeviceAuthURL: "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/devicecode",
			AuthURL:       "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/authorize",
			TokenURL:      "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token"}, ""},
		{"Entra default tenant", func() (oauth.Endpoints, error) { return oauth.Entra("", "") }, oauth.Endpoints{
			DeviceAuthURL: "https://login.microsoftonline.com/organizations/oauth2/v2.0/devicecode",
			AuthURL:       "https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize",
			TokenURL:      "https://login.microsoftonline.com/organizations/oauth2/v2.0/token"}, ""},
		{"Entra bad tenant", func() (oauth.Endpoints, error) { return oauth.Entra("", "a/b") }, oauth.Endpoints{}, "not a tenant"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.got()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// orderStore records the order of writes.
type orderStore struct {
	memStore
	log []string
}

func (s *orderStore) Set(ctx context.Context, key, value string) (string, error) {
	s.log = append(s.log, "set "+key)
	return s.memStore.Set(ctx, key, value)
}

func (s *orderStore) Delete(ctx context.Context, key string) error {
	s.log = append(s.log, "delete "+key)
	return s.memStore.Delete(ctx, key)
}

func TestStoredLayout(t *testing.T) {
	st := &orderStore{memStore: memStore{m: map[string]string{}}}
	stored := oauth.Stored{Store: st, Prefix: "provider/github/"}
	exp := time.Date(2026, 12, 3, 18, 0, 0, 0, time.UTC)
	if _, err := stored.Save(t.Context(), &oauth.Token{AccessToken: "ghu_a", RefreshToken: "ghr_r", Expiry: exp}); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"provider/github/access_token":  "ghu_a",
		"provider/github/refresh_token": "ghr_r",
		"provider/github/expiry":        "2026-12-03T18:00:00Z",
	}
	if diff := cmp.Diff(want, st.m); diff != "" {
		t.Errorf("stored (-want +got):\n%s", diff)
	}
	// The rotated refresh token first, the expiry last.
	if diff := cmp.Diff([]string{"set provider/github/refresh_token", "set provider/github/access_token", "set provider/github/expiry"}, st.log); diff != "" {
		t.Errorf("write order (-want +got):\n%s", diff)
	}
	got, err := stored.Load(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if got.AccessToken != "ghu_a" || got.RefreshToken != "ghr_r" || !got.Expiry.Equal(exp) {
		t.Errorf("loaded %#v", got)
	}
	// A token that never expires replaces one that did: nothing stale stays.
	if _, err := stored.Save(t.Context(), &oauth.Token{AccessToken: "gho_b"}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]string{"provider/github/access_token": "gho_b"}, st.m); diff != "" {
		t.Errorf("stored (-want +got):\n%s", diff)
	}
	if _, err := (oauth.Stored{Store: &memStore{m: map[string]string{}}, Prefix: "p/x"}).Load(t.Context()); !errors.Is(err, oauth.ErrNoToken) {
		t.Errorf("empty store: err = %v, want ErrNoToken", err)
	}
}

func TestEntraDeviceFlow(t *testing.T) {
	srv := oauthtest.NewServer(oauthtest.Behaviour{Interval: 5, Pending: 1, AccessToken: "eyJ.entra", RefreshToken: "entra-refresh", TokenExpiresIn: 3600})
	defer srv.Close()
	ep, err := oauth.Entra(srv.URL, "contoso")
	if err != nil {
		t.Fatal(err)
	}
	clock := newClock()
	c := &oauth.Client{ClientID: "app-1", Endpoints: ep, Scopes: oauth.EntraCognitiveScopes, HTTPClient: srv.Client(), Clock: clock}
	dc, err := c.RequestDeviceCode(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	tok, err := c.PollToken(t.Context(), dc, nil)
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken != "eyJ.entra" || tok.RefreshToken != "entra-refresh" || !tok.Expiry.Equal(clock.Now().Add(time.Hour)) {
		t.Errorf("token %#v", tok)
	}
	want := []string{"POST /contoso/oauth2/v2.0/devicecode", "POST /contoso/oauth2/v2.0/token urn:ietf:params:oauth:grant-type:device_code", "POST /contoso/oauth2/v2.0/token urn:ietf:params:oauth:grant-type:device_code"}
	if diff := cmp.Diff(want, srv.Requests()); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	if got := srv.Forms()[0].Get("scope"); got != "https://cognitiveservices.azure.com/.default offline_access" {
		t.Errorf("scope = %q", got)
	}
}

func TestOpenBrowserTakesOnlyWebURLs(t *testing.T) {
	for _, u := range []string{"file:///etc/passwd", "--help", "javascript:alert(1)"} {
		if err := oauth.OpenBrowser(u); err == nil || !strings.Contains(err.Error(), "not an http(s) URL") {
			t.Errorf("OpenBrowser(%q) = %v", u, err)
		}
	}
}

// An authorization server that cannot be reached is said to be so, and
// its network error is not handed on: callers map network errors to the
// cloud's advice (clouds.yaml, OS_AUTH_URL), which would mislead here.
func TestUnreachableServer(t *testing.T) {
	ep, err := oauth.GitHub("http://127.0.0.1:1")
	if err != nil {
		t.Fatal(err)
	}
	c := &oauth.Client{ClientID: "x", Endpoints: ep, Clock: newClock()}
	_, err = c.RequestDeviceCode(t.Context())
	var ne net.Error
	if err == nil || !strings.Contains(err.Error(), "cannot reach http://127.0.0.1:1/login/device/code") || errors.As(err, &ne) {
		t.Errorf("err = %v (net.Error visible: %v)", err, errors.As(err, &ne))
	}
}

// Two sessions share the store: the other one refreshed first, spending
// the refresh token this one holds. The refusal sends this one to the
// store, where the other left a fresh token.
func TestSourceAfterAnotherSessionRefreshed(t *testing.T) {
	srv := oauthtest.NewServer(oauthtest.Behaviour{RefreshToken: "ghr_x", RefreshError: "bad_refresh_token", GitHubStyle: true})
	defer srv.Close()
	clock := newClock()
	st := &memStore{m: map[string]string{}}
	stored := oauth.Stored{Store: st, Prefix: "provider/github"}
	if _, err := stored.Save(t.Context(), &oauth.Token{AccessToken: "ghu_1", RefreshToken: "ghr_x", Expiry: clock.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	src := &oauth.Source{Client: client(t, srv, clock), Stored: stored, Relogin: "run `ostui login github`"}
	if got, err := src.Token(t.Context()); err != nil || got != "ghu_1" {
		t.Fatalf("first: %q, %v", got, err)
	}
	_ = clock.Sleep(t.Context(), 2*time.Hour)
	// The other session's refresh.
	if _, err := stored.Save(t.Context(), &oauth.Token{AccessToken: "ghu_2", RefreshToken: "ghr_y", Expiry: clock.Now().Add(8 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if got, err := src.Token(t.Context()); err != nil || got != "ghu_2" {
		t.Fatalf("after the other session refreshed: %q, %v", got, err)
	}
}
