package login

import (
	"context"
	"errors"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/internal/oauth"
	"github.com/kriscelmer/os-tui/internal/oauth/oauthtest"
	"github.com/kriscelmer/os-tui/internal/profile"
	"github.com/kriscelmer/os-tui/internal/secretstore"
)

// stepClock moves only when slept on.
type stepClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *stepClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *stepClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
	return ctx.Err()
}

// withFakeOAuth makes the flows wait on a fake clock and open no browser
// for the rest of the test.
func withFakeOAuth(t *testing.T, browse func(string) error) *stepClock {
	t.Helper()
	clock := &stepClock{now: time.Now()}
	oauthClock = clock
	openBrowser = browse
	t.Cleanup(func() { oauthClock, openBrowser = nil, oauth.OpenBrowser })
	return clock
}

func storedSecrets(t *testing.T, te *testEnv, prefix string) map[string]string {
	t.Helper()
	st, err := te.OpenStore()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range []string{profile.FieldAccessToken, profile.FieldRefreshToken, profile.FieldExpiry, profile.FieldAPIKey} {
		v, err := st.Get(context.Background(), profile.SecretKey(prefix, f))
		if errors.Is(err, secretstore.ErrNotFound) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		got[f] = v
	}
	return got
}

func TestLoginGitHub(t *testing.T) {
	tests := []struct {
		name       string
		b          oauthtest.Behaviour
		args       []string
		env        map[string]string
		wantErr    string
		wantStored []string // fields stored under provider/github
		wantOut    string
		wantErrOut []string
		wantModel  *profile.Model
		wantPolls  int
	}{
		{
			name:       "device flow: code shown, approval awaited, tokens stored, profile written",
			b:          oauthtest.Behaviour{Interval: 5, Pending: 2, AccessToken: "ghu_dev", RefreshToken: "ghr_dev", TokenExpiresIn: 28800},
			args:       []string{"--client-id", "Iv1.app", "--scopes", "read:user"},
			wantStored: []string{"access_token", "refresh_token", "expiry"},
			wantOut:    "logged in to HOST (profile github); the token expires",
			wantErrOut: []string{"First copy your one-time code: WDJB-MJHT", "Then open HOST/login/device and enter it", "waiting for approval (the code expires in 15:00)", "provider/github/access_token stored in"},
			wantModel:  &profile.Model{Provider: "github", Auth: "oauth", ClientID: "Iv1.app", AuthURL: "HOST", Scopes: []string{"read:user"}},
			wantPolls:  3,
		},
		{
			name:       "client ID from the environment; an OAuth app's token that never expires",
			b:          oauthtest.Behaviour{ClientID: "Ov23.env", AccessToken: "gho_forever"},
			env:        map[string]string{EnvGitHubClientID: "Ov23.env"},
			wantStored: []string{"access_token"},
			wantOut:    "logged in to HOST (profile github)\n",
			wantModel:  &profile.Model{Provider: "github", Auth: "oauth", ClientID: "Ov23.env", AuthURL: "HOST"},
			wantPolls:  1,
		},
		{
			name:       "GITHUB_TOKEN set: said to win over the stored token",
			b:          oauthtest.Behaviour{AccessToken: "gho_x"},
			args:       []string{"--client-id", "Iv1.app"},
			env:        map[string]string{"GITHUB_TOKEN": "ghp_from-env"},
			wantStored: []string{"access_token"},
			wantErrOut: []string{"note: GITHUB_TOKEN is set and is used before the stored token; unset it to use this login"},
			wantPolls:  1,
		},
		{
			name:       "slow_down is said and honoured",
			b:          oauthtest.Behaviour{Interval: 5, SlowDown: 1, AccessToken: "gho_x"},
			args:       []string{"--client-id", "Iv1.app"},
			wantStored: []string{"access_token"},
			wantErrOut: []string{"GitHub asked ostui to slow down: checking every 10s"},
			wantPolls:  2,
		},
		{
			name:      "declined: nothing stored, no profile",
			b:         oauthtest.Behaviour{Interval: 5, Outcome: "access_denied", GitHubStyle: true},
			args:      []string{"--client-id", "Iv1.app"},
			wantErr:   "declined at HOST/login/device: authorization server: access_denied",
			wantPolls: 1,
		},
		{
			name:      "expired code: run it again",
			b:         oauthtest.Behaviour{Interval: 5, Pending: 1, Outcome: "expired_token"},
			args:      []string{"--client-id", "Iv1.app"},
			wantErr:   "expired before it was approved: authorization server: expired_token: The device flow ended: expired_token.; nothing was stored: run `ostui login github` again",
			wantPolls: 2,
		},
		{
			name:    "no client: say how to get one",
			args:    []string{},
			wantErr: "register a GitHub App (or OAuth app) with the device flow enabled, then pass --client-id ID or set OSTUI_GITHUB_CLIENT_ID",
		},
		{
			name:       "--web: browser flow with PKCE",
			b:          oauthtest.Behaviour{AccessToken: "ghu_web", RefreshToken: "ghr_web", TokenExpiresIn: 28800},
			args:       []string{"--client-id", "Iv1.app", "--web", "--model", "openai/gpt-4.1", "--profile", "work"},
			wantStored: []string{"access_token", "refresh_token", "expiry"},
			wantOut:    "logged in to HOST (profile work)",
			wantErrOut: []string{"A browser was opened to sign in"},
			wantModel:  &profile.Model{Provider: "github", Auth: "oauth", ClientID: "Iv1.app", AuthURL: "HOST", Model: "openai/gpt-4.1"},
		},
		{
			name:    "--web: the browser comes back with an error",
			b:       oauthtest.Behaviour{Authorize: "access_denied"},
			args:    []string{"--client-id", "Iv1.app", "--web"},
			wantErr: "authorization server: access_denied: The user has denied your application access.; nothing was stored (run `ostui login github` again to retry)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := oauthtest.NewServer(tt.b)
			defer srv.Close()
			withFakeOAuth(t, func(u string) error {
				go func() {
					if resp, err := http.Get(u); err == nil { //nolint:noctx // a test browser
						_ = resp.Body.Close()
					}
				}()
				return nil
			})
			te := newTestEnv(t, "")
			for k, v := range tt.env {
				te.vars[k] = v
			}
			te.HTTPClient = srv.Client()
			args := append([]string{"github", "--host", srv.URL}, tt.args...)
			err := Run(t.Context(), te.Env, args)
			host := func(s string) string { return strings.ReplaceAll(s, "HOST", srv.URL) }
			if got := srv.Polls(); got != tt.wantPolls {
				t.Errorf("polls = %d, want %d", got, tt.wantPolls)
			}
			prefix := "provider/github"
			if slicesContains(tt.args, "work") {
				prefix = "provider/github/work"
			}
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), host(tt.wantErr)) {
					t.Fatalf("err = %v\nwant it to say %q", err, host(tt.wantErr))
				}
				if got := storedSecrets(t, te, prefix); len(got) != 0 {
					t.Errorf("a failed login stored %v", keysOf(got))
				}
				if _, err := os.Stat(te.ConfigPath); err == nil {
					t.Errorf("a failed login wrote the config file")
				}
				return
			}
			if err != nil {
				t.Fatalf("%v\nstderr:\n%s", err, te.errOut)
			}
			if !strings.Contains(te.out.String(), host(tt.wantOut)) {
				t.Errorf("stdout %q, want %q", te.out, host(tt.wantOut))
			}
			for _, w := range tt.wantErrOut {
				if !strings.Contains(te.errOut.String(), host(w)) {
					t.Errorf("stderr lacks %q:\n%s", host(w), te.errOut)
				}
			}
			got := storedSecrets(t, te, prefix)
			if diff := cmp.Diff(tt.wantStored, keysOf(got)); diff != "" {
				t.Errorf("stored fields (-want +got):\n%s", diff)
			}
			// The token is in the store and nowhere on screen.
			if tok := got["access_token"]; tok == "" || strings.Contains(te.out.String()+te.errOut.String(), tok) {
				t.Errorf("access token %q missing from the store or shown", tok)
			}
			if tt.wantModel != nil {
				f, err := profile.Load(te.ConfigPath)
				if err != nil {
					t.Fatal(err)
				}
				name := "github"
				if prefix != "provider/github" {
					name = "work"
				}
				p, ok := f.Get(name)
				if !ok {
					t.Fatalf("no profile %s in %s", name, te.ConfigPath)
				}
				want := *tt.wantModel
				want.AuthURL = host(want.AuthURL)
				if diff := cmp.Diff(&want, p.Model); diff != "" {
					t.Errorf("profile model (-want +got):\n%s", diff)
				}
				if f.DefaultProfile != name {
					t.Errorf("default_profile = %q, want %q", f.DefaultProfile, name)
				}
			}
		})
	}
}

func TestLoginGitHubNoSaveSecret(t *testing.T) {
	srv := oauthtest.NewServer(oauthtest.Behaviour{AccessToken: "gho_session"})
	defer srv.Close()
	withFakeOAuth(t, nil)
	te := newTestEnv(t, "")
	te.HTTPClient = srv.Client()
	session := map[string]string{}
	te.Session = func(k, v string) { session[k] = v }
	if err := Run(t.Context(), te.Env, []string{"github", "--host", srv.URL, "--client-id", "x", "--no-save-secret"}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]string{"provider/github/access_token": "gho_session"}, session); diff != "" {
		t.Errorf("session (-want +got):\n%s", diff)
	}
	if got := storedSecrets(t, te, "provider/github"); len(got) != 0 {
		t.Errorf("--no-save-secret stored %v", keysOf(got))
	}
}

func TestRefreshGitHub(t *testing.T) {
	tests := []struct {
		name       string
		b          oauthtest.Behaviour
		wantToken  string
		wantErr    string
		wantStored map[string]string
	}{
		{
			name:      "refreshed and stored, the rotated refresh token too",
			b:         oauthtest.Behaviour{AccessToken: "ghu_new", RefreshToken: "ghr_old", TokenExpiresIn: 28800},
			wantToken: "ghu_new",
			wantStored: map[string]string{
				"access_token": "ghu_new", "refresh_token": "ghr_old", // the fake rotates by suffix from the 2nd issue on
			},
		},
		{
			name:       "refused refresh",
			b:          oauthtest.Behaviour{RefreshToken: "ghr_old", RefreshError: "bad_refresh_token", GitHubStyle: true},
			wantErr:    "bad_refresh_token",
			wantStored: map[string]string{"access_token": "ghu_old", "refresh_token": "ghr_old"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := oauthtest.NewServer(tt.b)
			defer srv.Close()
			withFakeOAuth(t, nil)
			te := newTestEnv(t, "")
			st, err := te.OpenStore()
			if err != nil {
				t.Fatal(err)
			}
			ctx := t.Context()
			if _, err := (oauth.Stored{Store: st, Prefix: "provider/github"}).Save(ctx, &oauth.Token{AccessToken: "ghu_old", RefreshToken: "ghr_old", Expiry: time.Now().Add(-time.Hour)}); err != nil {
				t.Fatal(err)
			}
			prov, _ := Lookup("github")
			p := &profile.Profile{Name: "github", Model: &profile.Model{Provider: "github", Auth: "oauth", ClientID: "Iv1.app", AuthURL: srv.URL}}
			tok, err := prov.Refresh(ctx, &Refresh{Profile: p, Credential: "provider/github", Store: st, HTTPClient: srv.Client()})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if tok != tt.wantToken {
				t.Errorf("token = %q, want %q", tok, tt.wantToken)
			}
			got := storedSecrets(t, te, "provider/github")
			delete(got, "expiry")
			if diff := cmp.Diff(tt.wantStored, got); diff != "" {
				t.Errorf("stored (-want +got):\n%s", diff)
			}
		})
	}
}

func keysOf(m map[string]string) []string {
	var out []string
	for _, f := range []string{"access_token", "refresh_token", "expiry", "api_key"} {
		if _, ok := m[f]; ok {
			out = append(out, f)
		}
	}
	return out
}

func slicesContains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func TestOAuthTokenSource(t *testing.T) {
	srv := oauthtest.NewServer(oauthtest.Behaviour{AccessToken: "ghu_new", RefreshToken: "ghr_old", TokenExpiresIn: 28800})
	defer srv.Close()
	clock := withFakeOAuth(t, nil)
	te := newTestEnv(t, "")
	st, err := te.OpenStore()
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	if _, err := (oauth.Stored{Store: st, Prefix: "provider/github/work"}).Save(ctx, &oauth.Token{AccessToken: "ghu_old", RefreshToken: "ghr_old", Expiry: clock.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	p := &profile.Profile{Name: "work", Model: &profile.Model{Provider: "github", Auth: "oauth", ClientID: "Iv1.app", AuthURL: srv.URL}}
	src := OAuthTokenSource(p, st, srv.Client(), nil)
	if got, err := src.Token(ctx); err != nil || got != "ghu_old" {
		t.Fatalf("fresh: %q, %v", got, err)
	}
	// An hour on, mid-session: refreshed before the request, and stored.
	_ = clock.Sleep(ctx, time.Hour)
	if got, err := src.Token(ctx); err != nil || got != "ghu_new" {
		t.Fatalf("expired: %q, %v", got, err)
	}
	if got := storedSecrets(t, te, "provider/github/work")["access_token"]; got != "ghu_new" {
		t.Errorf("stored %q", got)
	}
	// Neither an API-key profile nor a local one has a source.
	for _, m := range []*profile.Model{{Provider: "azure"}, {Provider: "openai"}, {Provider: "github", Auth: "api_key"}} {
		if OAuthTokenSource(&profile.Profile{Name: "x", Model: m}, st, nil, nil) != nil {
			t.Errorf("%+v has a token source", m)
		}
	}
	// A refresh refused: the advice names the profile's login.
	bad := oauthtest.NewServer(oauthtest.Behaviour{RefreshError: "bad_refresh_token"})
	defer bad.Close()
	p.Model.AuthURL = bad.URL
	_ = clock.Sleep(ctx, 9*time.Hour)
	_, err = OAuthTokenSource(p, st, bad.Client(), nil).Token(ctx)
	if err == nil || !strings.HasSuffix(err.Error(), "run `ostui login github --profile work`") {
		t.Errorf("err = %v", err)
	}
}

// GitHub asks the browser flow and the refresh for the client secret: a
// login given it in the environment keeps it for the refreshes of later
// sessions, which may not have the variable.
func TestGitHubClientSecret(t *testing.T) {
	srv := oauthtest.NewServer(oauthtest.Behaviour{ClientSecret: "cs_canary-1234", AccessToken: "ghu_web", RefreshToken: "ghr_web", TokenExpiresIn: 28800})
	defer srv.Close()
	withFakeOAuth(t, func(u string) error {
		go func() {
			if resp, err := http.Get(u); err == nil { //nolint:noctx // a test browser
				_ = resp.Body.Close()
			}
		}()
		return nil
	})
	te := newTestEnv(t, "")
	te.HTTPClient = srv.Client()
	te.vars[EnvGitHubClientSecret] = "cs_canary-1234"
	if err := Run(t.Context(), te.Env, []string{"github", "--host", srv.URL, "--client-id", "Iv1.app", "--web"}); err != nil {
		t.Fatalf("%v\n%s", err, te.errOut)
	}
	if strings.Contains(te.out.String()+te.errOut.String(), "cs_canary") {
		t.Errorf("the client secret was shown:\n%s%s", te.out, te.errOut)
	}
	st, err := te.OpenStore()
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := st.Get(t.Context(), "provider/github/client_secret"); v != "cs_canary-1234" {
		t.Fatalf("client secret stored as %q", v)
	}
	// A later session, without the variable, refreshes with the stored one.
	f, err := profile.Load(te.ConfigPath)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := f.Get("github")
	prov, _ := Lookup("github")
	tok, err := prov.Refresh(t.Context(), &Refresh{Profile: p, Credential: "provider/github", Store: st, HTTPClient: srv.Client(), Getenv: func(string) string { return "" }})
	if err != nil || tok != "ghu_web-2" {
		t.Fatalf("refresh = %q, %v", tok, err)
	}
}

// Ctrl-C during the wait: the login says so and stores nothing.
func TestLoginGitHubCancelled(t *testing.T) {
	srv := oauthtest.NewServer(oauthtest.Behaviour{Interval: 5, Pending: 1000})
	defer srv.Close()
	withFakeOAuth(t, nil)
	ctx, cancel := context.WithCancel(t.Context())
	oauthClock = cancelAfter{clock: oauthClock, polls: 3, cancel: cancel, n: new(int)}
	te := newTestEnv(t, "")
	te.HTTPClient = srv.Client()
	err := Run(ctx, te.Env, []string{"github", "--host", srv.URL, "--client-id", "x"})
	if err == nil || err.Error() != "login cancelled; nothing was stored" {
		t.Fatalf("err = %v", err)
	}
	if got := storedSecrets(t, te, "provider/github"); len(got) != 0 {
		t.Errorf("stored %v", keysOf(got))
	}
}

// cancelAfter cancels at its polls-th sleep, as a Ctrl-C would.
type cancelAfter struct {
	clock  oauth.Clock
	polls  int
	cancel context.CancelFunc
	n      *int
}

func (c cancelAfter) Now() time.Time { return c.clock.Now() }

func (c cancelAfter) Sleep(ctx context.Context, d time.Duration) error {
	*c.n++
	if *c.n == c.polls {
		c.cancel()
	}
	return c.clock.Sleep(ctx, d)
}
