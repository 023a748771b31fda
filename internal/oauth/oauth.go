// Package oauth signs a person in to an OAuth 2.0 authorization server —
// GitHub, GitHub Enterprise, Microsoft Entra ID, or a test server — and
// keeps the tokens it gets fresh:
//
//   - the device authorization grant (RFC 8628), for terminals and
//     machines without a browser: the person types a short code on another
//     device while ostui polls at the pace the server asks for;
//   - the authorization-code grant with PKCE (RFC 7636) and a one-shot
//     callback on 127.0.0.1, for a person at a desktop (`--web`);
//   - the refresh-token grant, run before a token is used once it has
//     expired or is about to.
//
// Only the standard library speaks HTTP here: the three grants are a few
// form posts, and a dependency would cost more to audit than they do.
// Tokens never appear in errors, String or %v output; where they are kept
// is the caller's choice (Source keeps them in ostui's secret store).
package oauth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/kriscelmer/os-tui/internal/termtext"
)

// Endpoints are where an authorization server takes each request.
type Endpoints struct {
	// DeviceAuthURL is the device authorization endpoint (RFC 8628 §3.1).
	DeviceAuthURL string
	// AuthURL is the authorization endpoint a browser is sent to
	// (authorization-code grant).
	AuthURL string
	// TokenURL is the token endpoint every grant ends at.
	TokenURL string
}

// GitHub returns GitHub's endpoints. host is "" or "github.com" for
// GitHub itself, a host name for GitHub Enterprise Server
// ("ghe.example.com", reached over https), or a full base URL
// ("http://127.0.0.1:8080" for a test server).
func GitHub(host string) (Endpoints, error) {
	base, err := baseURL(host, "https://github.com")
	if err != nil {
		return Endpoints{}, err
	}
	return Endpoints{
		DeviceAuthURL: base + "/login/device/code",
		AuthURL:       base + "/login/oauth/authorize",
		TokenURL:      base + "/login/oauth/access_token",
	}, nil
}

// EntraAuthority is Microsoft Entra ID's public-cloud login host.
const EntraAuthority = "https://login.microsoftonline.com"

// Entra returns Microsoft Entra ID's v2.0 endpoints for tenant (a tenant
// ID or domain, or "organizations" / "common"). authority is "" for the
// public cloud, or another login host (a sovereign cloud, a test server).
func Entra(authority, tenant string) (Endpoints, error) {
	base, err := baseURL(authority, EntraAuthority)
	if err != nil {
		return Endpoints{}, err
	}
	tenant = strings.TrimSpace(tenant)
	if tenant == "" {
		tenant = "organizations"
	}
	if strings.ContainsAny(tenant, "/?#") {
		return Endpoints{}, fmt.Errorf("tenant %q is not a tenant ID or domain", tenant)
	}
	p := base + "/" + url.PathEscape(tenant) + "/oauth2/v2.0"
	return Endpoints{
		DeviceAuthURL: p + "/devicecode",
		AuthURL:       p + "/authorize",
		TokenURL:      p + "/token",
	}, nil
}

// EntraCognitiveScopes are the scopes an Azure OpenAI token needs, with
// offline_access so that a refresh token comes back.
var EntraCognitiveScopes = []string{"https://cognitiveservices.azure.com/.default", "offline_access"}

// baseURL turns a host or URL into a base URL without a trailing slash.
func baseURL(host, def string) (string, error) {
	host = strings.TrimSpace(host)
	if host == "" || host == "github.com" {
		if host == "github.com" {
			return "https://github.com", nil
		}
		return def, nil
	}
	if !strings.Contains(host, "://") {
		host = "https://" + host
	}
	u, err := url.Parse(host)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return "", fmt.Errorf("%q is not a host name or an http(s) URL", host)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("%q: give the host or base URL only (no user, query or fragment)", u.Redacted())
	}
	return strings.TrimRight(u.String(), "/"), nil
}

// Clock is time as the flows see it: tests pass one that moves without
// waiting, so a test of a 15-minute device flow takes milliseconds.
type Clock interface {
	Now() time.Time
	// Sleep waits d, or until ctx is done (then it returns ctx's error).
	Sleep(ctx context.Context, d time.Duration) error
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Client is one OAuth client (an app registration) at one server.
type Client struct {
	// ClientID is the app's client ID; public clients (device flow, PKCE)
	// need no secret.
	ClientID string
	// ClientSecret is sent only when set (a confidential client).
	ClientSecret string `json:"-"`
	Endpoints    Endpoints
	// Scopes are requested space-separated, as RFC 6749 §3.3 wants.
	Scopes []string
	// HTTPClient carries the requests; nil means one with a 30 s timeout.
	HTTPClient *http.Client
	// Clock is nil for the real one.
	Clock Clock
}

func (c *Client) clock() Clock {
	if c.Clock == nil {
		return realClock{}
	}
	return c.Clock
}

func (c *Client) httpClient() *http.Client {
	if c.HTTPClient == nil {
		return &http.Client{Timeout: 30 * time.Second}
	}
	return c.HTTPClient
}

// Token is what a grant yields. Its fields are the secret; String and
// GoString say only what kind of token it is and when it expires.
type Token struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type,omitempty"`
	// RefreshToken is empty when the server issues none (a GitHub OAuth
	// app's token that never expires).
	RefreshToken string `json:"refresh_token,omitempty"`
	// Expiry is when AccessToken stops working; zero means never.
	Expiry time.Time `json:"expiry,omitzero"`
	// RefreshExpiry is when RefreshToken stops working; zero means not said.
	RefreshExpiry time.Time `json:"refresh_expiry,omitzero"`
	// Scope is what the server granted, which may be less than asked.
	Scope string `json:"scope,omitempty"`
}

// String describes the token without any part of it.
func (t Token) String() string {
	var b strings.Builder
	b.WriteString("oauth token")
	if t.TokenType != "" {
		b.WriteString(" type=" + t.TokenType)
	}
	if !t.Expiry.IsZero() {
		b.WriteString(" expires=" + t.Expiry.UTC().Format(time.RFC3339))
	}
	if t.RefreshToken != "" {
		b.WriteString(" refreshable")
	}
	return b.String()
}

// GoString keeps %#v from dumping the fields.
func (t Token) GoString() string { return "oauth.Token{" + t.String() + "}" }

// ExpiresWithin reports whether the access token has expired or will
// within margin of now. A token without an expiry never does.
func (t *Token) ExpiresWithin(now time.Time, margin time.Duration) bool {
	return !t.Expiry.IsZero() && !now.Add(margin).Before(t.Expiry)
}

// Error is an OAuth error answer (RFC 6749 §5.2, RFC 8628 §3.5).
type Error struct {
	Code        string // "access_denied", "expired_token", …
	Description string // the server's error_description, made safe for a terminal
	Status      int    // HTTP status; GitHub answers errors with 200
}

func (e *Error) Error() string {
	msg := "authorization server: " + e.Code
	if e.Description != "" {
		msg += ": " + e.Description
	}
	return msg
}

// Is lets errors.Is match the sentinels by code: Entra says
// "authorization_declined" where RFC 8628 says "access_denied".
func (e *Error) Is(target error) bool {
	switch target {
	case ErrAccessDenied:
		return e.Code == "access_denied" || e.Code == "authorization_declined"
	case ErrExpiredToken:
		return e.Code == "expired_token" || e.Code == "code_expired"
	case ErrInvalidGrant:
		return e.Code == "invalid_grant" || e.Code == "bad_refresh_token" || e.Code == "bad_verification_code"
	}
	return false
}

// Kinds of failure a caller turns into advice.
var (
	// ErrAccessDenied: the person declined.
	ErrAccessDenied = errors.New("access denied")
	// ErrExpiredToken: the device code expired before it was approved.
	ErrExpiredToken = errors.New("device code expired")
	// ErrInvalidGrant: a refresh token or code the server no longer accepts.
	ErrInvalidGrant = errors.New("grant no longer valid")
	// ErrStateMismatch: the browser came back with another flow's state;
	// the answer may have been forged and is refused.
	ErrStateMismatch = errors.New("state mismatch")
)

// tokenResponse is a token endpoint's answer, success or error. Numbers
// may come as strings (some servers quote expires_in).
type tokenResponse struct {
	AccessToken           string     `json:"access_token"`
	TokenType             string     `json:"token_type"`
	RefreshToken          string     `json:"refresh_token"`
	ExpiresIn             flexNumber `json:"expires_in"`
	RefreshTokenExpiresIn flexNumber `json:"refresh_token_expires_in"`
	Scope                 string     `json:"scope"`
	Error                 string     `json:"error"`
	ErrorDescription      string     `json:"error_description"`
	Interval              flexNumber `json:"interval"`
}

// flexNumber reads 5, "5" or nothing.
type flexNumber int64

func (n *flexNumber) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "" || s == "null" {
		*n = 0
		return nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return fmt.Errorf("not a number: %s", termtext.Safe(s))
	}
	// Seconds: a negative or absurd value (beyond ten years) is treated as
	// not given, so that no Duration overflows.
	if v < 0 || v > 10*365*24*3600 {
		v = 0
	}
	*n = flexNumber(v)
	return nil
}

// post sends form to endpoint and decodes the answer into out (JSON, or a
// form body as GitHub sends without Accept: application/json). An answer
// that is neither is an error naming the status and the body's start.
func (c *Client) post(ctx context.Context, endpoint string, form url.Values, out any) (int, error) {
	if c.ClientSecret != "" {
		form.Set("client_secret", c.ClientSecret)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := c.httpClient().Do(req)
	if err != nil {
		// %v, not %w: the cause is told, not handed on, so that no caller
		// mistakes an OAuth server it cannot reach for the cloud
		// (whose network errors come with clouds.yaml advice).
		err = fmt.Errorf("cannot reach %s: %v", redactURL(endpoint), scrubURLError(err))
		if ctx.Err() != nil {
			return 0, err
		}
		return 0, &transientError{err}
	}
	defer func() { _ = resp.Body.Close() }() // read fully below; nothing to report on close
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return resp.StatusCode, fmt.Errorf("read the answer of %s: %w", redactURL(endpoint), err)
	}
	ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if tr, ok := out.(*tokenResponse); ok && (ct == "application/x-www-form-urlencoded" || ct == "text/plain") {
		if q, err := url.ParseQuery(string(body)); err == nil && (q.Has("access_token") || q.Has("error")) {
			fromForm(q, tr)
			return resp.StatusCode, nil
		}
	}
	if err := json.Unmarshal(body, out); err != nil {
		err := fmt.Errorf("%s answered HTTP %d with no OAuth answer: %s", redactURL(endpoint), resp.StatusCode, snippet(body))
		if resp.StatusCode >= 500 {
			return resp.StatusCode, &transientError{err}
		}
		return resp.StatusCode, err
	}
	return resp.StatusCode, nil
}

func fromForm(q url.Values, out *tokenResponse) {
	num := func(k string) flexNumber {
		v, _ := strconv.ParseInt(q.Get(k), 10, 64)
		return flexNumber(v)
	}
	*out = tokenResponse{
		AccessToken:           q.Get("access_token"),
		TokenType:             q.Get("token_type"),
		RefreshToken:          q.Get("refresh_token"),
		ExpiresIn:             num("expires_in"),
		RefreshTokenExpiresIn: num("refresh_token_expires_in"),
		Scope:                 q.Get("scope"),
		Error:                 q.Get("error"),
		ErrorDescription:      q.Get("error_description"),
		Interval:              num("interval"),
	}
}

// tokenRequest runs one token-endpoint request and returns the token or
// the server's *Error.
func (c *Client) tokenRequest(ctx context.Context, form url.Values) (*Token, *tokenResponse, error) {
	var tr tokenResponse
	status, err := c.post(ctx, c.Endpoints.TokenURL, form, &tr)
	if err != nil {
		return nil, nil, err
	}
	if tr.Error != "" {
		return nil, &tr, &Error{Code: termtext.Safe(tr.Error), Description: termtext.Safe(tr.ErrorDescription), Status: status}
	}
	if status < 200 || status > 299 || tr.AccessToken == "" {
		err := fmt.Errorf("%s answered HTTP %d without an access token", redactURL(c.Endpoints.TokenURL), status)
		if status >= 500 {
			return nil, &tr, &transientError{err}
		}
		return nil, &tr, err
	}
	now := c.clock().Now()
	t := &Token{AccessToken: tr.AccessToken, TokenType: tr.TokenType, RefreshToken: tr.RefreshToken, Scope: tr.Scope}
	if tr.ExpiresIn > 0 {
		t.Expiry = now.Add(time.Duration(tr.ExpiresIn) * time.Second)
	}
	if tr.RefreshTokenExpiresIn > 0 {
		t.RefreshExpiry = now.Add(time.Duration(tr.RefreshTokenExpiresIn) * time.Second)
	}
	return t, &tr, nil
}

// Refresh trades refreshToken for a new token. A server that sends no new
// refresh token leaves the old one in force, so it is kept.
func (c *Client) Refresh(ctx context.Context, refreshToken string) (*Token, error) {
	if refreshToken == "" {
		return nil, errors.New("no refresh token")
	}
	form := url.Values{
		"grant_type":    {"refresh_token"},
		"refresh_token": {refreshToken},
		"client_id":     {c.ClientID},
	}
	if len(c.Scopes) > 0 {
		form.Set("scope", strings.Join(c.Scopes, " "))
	}
	t, _, err := c.tokenRequest(ctx, form)
	if err != nil {
		return nil, err
	}
	if t.RefreshToken == "" {
		t.RefreshToken = refreshToken
	}
	return t, nil
}

// randomString is n random bytes, base64url without padding (state and
// the PKCE verifier).
func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}

// snippet is the start of a body, safe for a terminal.
func snippet(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	if s == "" {
		return "(empty body)"
	}
	return termtext.Safe(s)
}

// transientError is a failure another attempt may not meet: no
// connection, or a server fault (5xx) without an OAuth answer.
type transientError struct{ err error }

func (e *transientError) Error() string { return e.err.Error() }
func (e *transientError) Unwrap() error { return e.err }

// redactURL hides a user:password in a URL a message names.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return termtext.Safe(raw)
	}
	return termtext.Safe(u.Redacted())
}

// scrubURLError keeps the cause of a transport error without the request
// URL net/http puts in front (it may carry a query the caller did not mean
// to show).
func scrubURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
