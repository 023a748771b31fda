package login

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/kriscelmer/os-tui/agent/llm"
	"github.com/kriscelmer/os-tui/internal/oauth"
	"github.com/kriscelmer/os-tui/internal/profile"
)

// EnvGitHubClientID names the OAuth (or GitHub App) client ostui signs in
// with when --client-id is not given and the profile names none. ostui
// ships no client of its own: GitHub ties a client to the organisation
// that registered it, and borrowing another tool's would show its name on
// the consent page.
const EnvGitHubClientID = "OSTUI_GITHUB_CLIENT_ID"

// EnvGitHubClientSecret is the client's secret, for the clients GitHub
// asks one of: the browser flow (--web) and the refresh of a GitHub App's
// token both send it. A login that had it stores it beside the token
// (FieldClientSecret), so a refresh in a later session finds it.
const EnvGitHubClientSecret = "OSTUI_GITHUB_CLIENT_SECRET" //nolint:gosec // the variable's name

// FieldClientSecret is the OAuth client's secret under a credential.
const FieldClientSecret = "client_secret"

// githubClientSecret is the client secret from the environment, else from
// the store under cred; "" when neither has one (a device-flow OAuth app
// needs none).
func githubClientSecret(ctx context.Context, st SecretStore, cred string, getenv func(string) string) string {
	if getenv != nil {
		if v := strings.TrimSpace(getenv(EnvGitHubClientSecret)); v != "" {
			return v
		}
	}
	if st == nil {
		return ""
	}
	v, err := st.Get(ctx, profile.SecretKey(cred, FieldClientSecret))
	if err != nil {
		return ""
	}
	return v
}

// oauthClock and openBrowser are the flows' clock and browser; tests
// replace them so that a device flow runs without waiting and a browser
// login without a desktop.
var (
	oauthClock  oauth.Clock
	openBrowser = oauth.OpenBrowser
)

func init() {
	Register(Provider{
		Name:    profile.ProviderGitHub,
		Summary: "GitHub Models: OAuth device flow (or --web in a browser)",
		Usage:   "ostui login github [--web] [--client-id ID] [--host HOST] [--endpoint URL] [--model NAME]",
		Help: `Signs in to GitHub with the OAuth device flow: ostui shows a one-time code
and a URL; open the URL on any device, type the code and approve. ostui
waits at the pace GitHub asks for, and stops when the code expires, when
the request is declined, or on Ctrl-C. With --web the browser is sent to
GitHub instead and comes back to ostui on 127.0.0.1 (authorization code with
PKCE).

The access token (and the refresh token of a GitHub App, with its expiry)
goes to the secret store; an expired token is refreshed before use. The
client is a GitHub App or OAuth app you register (device flow enabled):
--client-id, else ` + EnvGitHubClientID + `. GitHub wants the client's secret
for --web and for refreshing a GitHub App's token: set
` + EnvGitHubClientSecret + ` (it is stored beside the token). --host names a
GitHub Enterprise Server (ghe.example.com) or a test server's URL.`,
		Flags: []Flag{
			{Name: "web", Help: "sign in in a browser (authorization code with PKCE) instead of the device flow"},
			{Name: "client-id", Arg: "ID", Help: "the GitHub App's or OAuth app's client ID (default $" + EnvGitHubClientID + ")"},
			{Name: "host", Arg: "HOST", Help: "GitHub Enterprise Server host, or an http(s) URL (default github.com)"},
			{Name: "endpoint", Arg: "URL", Help: "the GitHub Models inference URL (default https://models.github.ai/inference)"},
			{Name: "model", Arg: "NAME", Help: "the model to use (default openai/gpt-4.1-mini)"},
		},
		Run:     runGitHub,
		Refresh: refreshGitHub,
	})
}

// githubFlow is what a login or a refresh needs to talk to GitHub.
type githubFlow struct {
	client *oauth.Client
	host   string // as given ("" for github.com)
}

// newGitHubFlow builds the OAuth client from the flags, then the saved
// profile, then the environment.
func newGitHubFlow(m *profile.Model, hc *http.Client, getenv func(string) string, clientID, host string, scopes []string) (*githubFlow, error) {
	if host == "" && m != nil {
		host = m.AuthURL
	}
	if clientID == "" && m != nil {
		clientID = m.ClientID
	}
	if clientID == "" && getenv != nil {
		clientID = strings.TrimSpace(getenv(EnvGitHubClientID))
	}
	if clientID == "" {
		return nil, errors.New("no OAuth client to sign in with: register a GitHub App (or OAuth app) with the device flow enabled, then pass --client-id ID or set " + EnvGitHubClientID)
	}
	ep, err := oauth.GitHub(host)
	if err != nil {
		return nil, fmt.Errorf("--host: %w", err)
	}
	if scopes == nil && m != nil {
		scopes = m.Scopes
	}
	return &githubFlow{
		client: &oauth.Client{ClientID: clientID, Endpoints: ep, Scopes: scopes, HTTPClient: hc, Clock: oauthClock},
		host:   host,
	}, nil
}

func runGitHub(ctx context.Context, req *Request) error {
	existing, err := req.LoadProfile()
	if err != nil {
		return err
	}
	m := profile.Model{Provider: profile.ProviderGitHub}
	if existing != nil && existing.Model != nil && existing.Model.Provider == profile.ProviderGitHub {
		m = *existing.Model
	}
	flow, err := newGitHubFlow(&m, req.Client(), req.getenv, req.Value("client-id"), strings.TrimSpace(req.Value("host")), req.Scopes)
	if err != nil {
		return err
	}
	m.Auth = profile.AuthOAuth
	m.ClientID = flow.client.ClientID
	m.AuthURL = flow.host
	m.Scopes = flow.client.Scopes
	if req.Given("endpoint") {
		m.Endpoint = strings.TrimRight(req.Value("endpoint"), "/")
	}
	if req.Given("model") {
		m.Model = req.Value("model")
	}
	p := &profile.Profile{Name: req.ProfileName, Model: &m}
	cred := p.CredentialOf()

	// Where the token will go is said (and checked) before the person
	// spends a minute approving a code that could not be kept.
	if req.SaveSecret {
		if req.Store == nil {
			return errors.New("no secret store is available; use --no-save-secret to use the token for this session only")
		}
		where, err := req.Store.Where(ctx)
		if err != nil {
			return fmt.Errorf("the token could not be stored: %w", err)
		}
		fmt.Fprintf(req.IO.ErrOut, "the token will be stored in %s\n", where)
	}
	var secretStore SecretStore
	if req.SaveSecret {
		secretStore = req.Store
	}
	flow.client.ClientSecret = githubClientSecret(ctx, secretStore, cred, req.getenv)

	var tok *oauth.Token
	if req.Switch("web") {
		tok, err = githubWeb(ctx, req, flow)
	} else {
		tok, err = githubDevice(ctx, req, flow)
	}
	if err != nil {
		return err
	}

	if req.SaveSecret {
		where, err := oauth.Stored{Store: tokenStore(req.Store), Prefix: cred}.Save(ctx, tok)
		if err != nil {
			return fmt.Errorf("store the token: %w", err)
		}
		fmt.Fprintf(req.IO.ErrOut, "%s stored in %s\n", profile.SecretKey(cred, profile.FieldAccessToken), where)
		if sec := strings.TrimSpace(req.getenv(EnvGitHubClientSecret)); sec != "" && tok.RefreshToken != "" {
			// A later session's refresh needs it and may not have the variable.
			if _, err := req.Store.Set(ctx, profile.SecretKey(cred, FieldClientSecret), sec); err != nil {
				fmt.Fprintf(req.IO.ErrOut, "warning: the client secret could not be stored (%v); set %s when the token is refreshed\n", err, EnvGitHubClientSecret)
			}
		}
	} else if err := req.StoreSecret(ctx, profile.SecretKey(cred, profile.FieldAccessToken), tok.AccessToken); err != nil {
		return err
	}
	if err := req.SaveProfile(func(dst *profile.Profile) error {
		dst.Model = &m
		return nil
	}); err != nil {
		return err
	}
	host := flow.host
	if host == "" {
		host = "github.com"
	}
	msg := fmt.Sprintf("logged in to %s (profile %s)", host, req.ProfileName)
	if !tok.Expiry.IsZero() {
		msg += "; the token expires " + tok.Expiry.Local().Format(time.DateTime)
		if tok.RefreshToken != "" {
			msg += " and is refreshed when it does"
		}
	}
	fmt.Fprintln(req.IO.Out, msg)
	shadowedBy(req, llm.EnvGitHubToken)
	return nil
}

// githubDevice runs the device flow against GitHub.
func githubDevice(ctx context.Context, req *Request, flow *githubFlow) (*oauth.Token, error) {
	tok, err := deviceLogin(ctx, req, flow.client, "GitHub")
	if err != nil {
		return nil, oauthAdvice(err, req)
	}
	return tok, nil
}

// deviceLogin runs a device flow: the code and URL on stderr (the
// server's own instruction too, when it sends one), then a wait at the
// server's pace with its progress shown.
func deviceLogin(ctx context.Context, req *Request, c *oauth.Client, server string) (*oauth.Token, error) {
	dc, err := c.RequestDeviceCode(ctx)
	if err != nil {
		return nil, fmt.Errorf("start the device flow: %w", err)
	}
	out := req.IO.ErrOut
	fmt.Fprintf(out, "! First copy your one-time code: %s\n", dc.UserCode)
	fmt.Fprintf(out, "  Then open %s and enter it", dc.VerificationURI)
	if dc.VerificationURIComplete != "" {
		fmt.Fprintf(out, " (or open %s, which carries it)", dc.VerificationURIComplete)
	}
	fmt.Fprintln(out, ".")
	tty := req.IO.IsTerminal()
	tok, err := c.PollToken(ctx, dc, func(p oauth.Poll) {
		left := p.Remaining.Round(time.Second)
		switch {
		case tty:
			// One line rewritten in place: a person sees the wait move.
			// Padded, so a shorter line leaves nothing of a longer one.
			fmt.Fprintf(out, "\r%-60s", fmt.Sprintf("  waiting for approval… %s left, checking every %s", fmtLeft(left), p.Interval))
		case p.Attempt == 0:
			fmt.Fprintf(out, "  waiting for approval (the code expires in %s)…\n", fmtLeft(left))
		}
		if p.SlowedDown && !tty {
			fmt.Fprintf(out, "  %s asked ostui to slow down: checking every %s\n", server, p.Interval)
		}
	})
	if tty {
		fmt.Fprintln(out)
	}
	return tok, err
}

// githubWeb runs the browser flow.
func githubWeb(ctx context.Context, req *Request, flow *githubFlow) (*oauth.Token, error) {
	tok, err := flow.client.AuthCodeFlow(ctx, oauth.WebOptions{Open: func(u string) error {
		if err := openBrowser(u); err != nil {
			fmt.Fprintf(req.IO.ErrOut, "Open this URL in a browser on this machine to sign in:\n  %s\n", u)
		} else {
			fmt.Fprintf(req.IO.ErrOut, "A browser was opened to sign in; if none appeared, open:\n  %s\n", u)
		}
		fmt.Fprintln(req.IO.ErrOut, "  waiting for the browser (up to 5 minutes)…")
		return nil
	}})
	if err != nil {
		return nil, oauthAdvice(err, req)
	}
	return tok, nil
}

// oauthAdvice adds what to do next to a failed OAuth login.
func oauthAdvice(err error, req *Request) error {
	cmd := "ostui login " + req.Provider
	if req.ProfileName != req.Provider {
		cmd += " --profile " + req.ProfileName
	}
	again := "run `" + cmd + "` again"
	switch {
	case errors.Is(err, oauth.ErrAccessDenied):
		return fmt.Errorf("%w; nothing was stored (%s to retry)", err, again)
	case errors.Is(err, oauth.ErrExpiredToken):
		return fmt.Errorf("%w; nothing was stored: %s and enter the new code within its time", err, again)
	case errors.Is(err, oauth.ErrStateMismatch):
		return fmt.Errorf("%w; nothing was stored: %s", err, again)
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("login cancelled; nothing was stored")
	}
	var oe *oauth.Error
	if errors.As(err, &oe) && (oe.Code == "device_flow_disabled" || oe.Code == "unauthorized_client") {
		return fmt.Errorf("%w: enable the device flow in the app's settings, or use --web", err)
	}
	return fmt.Errorf("%w; nothing was stored", err)
}

func fmtLeft(d time.Duration) string {
	m, s := int(d/time.Minute), int(d%time.Minute/time.Second)
	return fmt.Sprintf("%d:%02d", m, s)
}

// refreshGitHub renews an expired GitHub App token with the stored
// refresh token (GitHub rotates it: the new one is stored too).
func refreshGitHub(ctx context.Context, r *Refresh) (string, error) {
	var m *profile.Model
	if r.Profile != nil {
		m = r.Profile.Model
	}
	flow, err := newGitHubFlow(m, r.HTTPClient, r.Getenv, "", "", nil)
	if err != nil {
		return "", err
	}
	flow.client.ClientSecret = githubClientSecret(ctx, r.Store, r.Credential, r.Getenv)
	return refreshStored(ctx, flow.client, oauth.Stored{Store: tokenStore(r.Store), Prefix: r.Credential})
}

// refreshStored refreshes the token stored under st and stores the new
// one; shared by every OAuth provider's Refresh.
func refreshStored(ctx context.Context, c *oauth.Client, st oauth.Stored) (string, error) {
	old, err := st.Load(ctx)
	if err != nil {
		return "", err
	}
	if old.RefreshToken == "" {
		return "", errors.New("no refresh token is stored")
	}
	tok, err := c.Refresh(ctx, old.RefreshToken)
	if err != nil {
		return "", err
	}
	if _, err := st.Save(ctx, tok); err != nil {
		return "", fmt.Errorf("the token was refreshed but could not be stored: %w", err)
	}
	return tok.AccessToken, nil
}

// OAuthTokenSource is the token source of an OAuth profile's model —
// github, or azure signed in with Microsoft Entra ID: the stored token,
// refreshed (and stored again) when it expires during the session, so a
// shell left open past a GitHub App token's 8 hours keeps working. It is
// nil for a profile that uses an API key, or whose client is unknown.
func OAuthTokenSource(p *profile.Profile, store SecretStore, hc *http.Client, getenv func(string) string) llm.TokenSource {
	if p == nil || p.Model == nil || store == nil {
		return nil
	}
	m := p.Model
	var (
		c   *oauth.Client
		err error
	)
	switch {
	case m.Provider == profile.ProviderGitHub && m.Auth != profile.AuthAPIKey:
		var flow *githubFlow
		if flow, err = newGitHubFlow(m, hc, getenv, "", "", nil); err == nil {
			c = flow.client
			c.ClientSecret = githubClientSecret(context.Background(), store, p.CredentialOf(), getenv)
		}
	case m.Provider == profile.ProviderAzure && m.Auth == profile.AuthOAuth:
		c, err = entraClient(m, hc, getenv, nil)
	default:
		return nil
	}
	if err != nil {
		return nil
	}
	relogin := "run `ostui login " + m.Provider
	if m.Provider == profile.ProviderAzure {
		relogin += " --device-code"
	}
	if p.Name != "" && p.Name != m.Provider {
		relogin += " --profile " + p.Name
	}
	relogin += "`"
	return &oauth.Source{Client: c, Stored: oauth.Stored{Store: tokenStore(store), Prefix: p.CredentialOf()}, Relogin: relogin}
}

// tokenStore is the store a token is saved in: the one behind the
// router's lazy wrapper when it is open, so that its SetMany (the three
// fields of a token in one encryption of the secrets file) is used.
func tokenStore(st SecretStore) oauth.SecretStore {
	if l, ok := st.(*lazyStore); ok {
		if s, err := l.get(); err == nil && s != nil {
			return s
		}
	}
	return st
}

// shadowedBy warns when the environment holds a secret that wins over
// the one just stored (environment first, then the store): otherwise the
// login would seem to have no effect.
func shadowedBy(req *Request, env string) {
	if strings.TrimSpace(req.getenv(env)) != "" {
		fmt.Fprintf(req.IO.ErrOut, "note: %s is set and is used before the stored token; unset it to use this login\n", env)
	}
}
