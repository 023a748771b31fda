package login

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/kriscelmer/os-tui/agent/llm"
	"github.com/kriscelmer/os-tui/internal/profile"
	"github.com/kriscelmer/os-tui/internal/secretstore"
)

// EnvVar is the environment variable that holds provider's secret, ""
// for a provider that needs none (local).
func EnvVar(provider string) string {
	switch provider {
	case profile.ProviderOpenAI:
		return llm.EnvOpenAIKey
	case profile.ProviderAzure:
		return llm.EnvAzureKey
	case profile.ProviderGitHub:
		return llm.EnvGitHubToken
	}
	return ""
}

// Command is the `ostui login` command that gives profile its secret:
// "ostui login openai", or "ostui login openai --profile work" for a
// profile not named after its provider.
func Command(provider, profileName string) string {
	c := "ostui login " + provider
	if profileName != "" && profileName != provider {
		c += " --profile " + profileName
	}
	return c
}

// Remedy is what a person does when provider refuses profile's secret:
// the login command (or the variable). Azure keeps its own words on top
// (see llm.Config.AuthRemedy).
func Remedy(provider, profileName string) string {
	switch provider {
	case profile.ProviderAzure:
		return "check " + llm.EnvAzureKey + " and " + llm.EnvAzureEndpoint + ", or run `" + Command(provider, profileName) + "`"
	case profile.ProviderGitHub:
		return "run `" + Command(provider, profileName) + "` (or set " + llm.EnvGitHubToken + " to a token with the models:read permission)"
	case profile.ProviderOpenAI:
		return "run `" + Command(provider, profileName) + "` (or set " + llm.EnvOpenAIKey + ")"
	}
	return ""
}

// MissingSecretError is a model secret found nowhere. Its text names
// exactly what to run or set.
type MissingSecretError struct {
	Provider string
	Profile  string
	// StoreErr is a store that failed (not one that lacked the key).
	StoreErr error
	// RefreshErr is a refresh that failed.
	RefreshErr error
}

func (e *MissingSecretError) Error() string {
	what := "API key"
	if e.Provider == profile.ProviderGitHub {
		what = "token"
	}
	where := "model provider " + e.Provider
	if e.Profile != "" {
		where += " (profile " + e.Profile + ")"
	}
	msg := fmt.Sprintf("%s has no %s: run `%s`, or set %s", where, what, Command(e.Provider, e.Profile), EnvVar(e.Provider))
	if e.RefreshErr != nil {
		msg += fmt.Sprintf(" (the stored token expired and could not be refreshed: %v)", e.RefreshErr)
	}
	if e.StoreErr != nil {
		msg += fmt.Sprintf(" (the secret store did not answer: %v)", e.StoreErr)
	}
	return msg
}

// Resolver finds a model's secret, in this order:
//
//  1. the provider's environment variable (OPENAI_API_KEY,
//     AZURE_OPENAI_API_KEY, GITHUB_TOKEN);
//  2. the OS keyring, then 3. the encrypted file — both through the
//     secret store, under the profile's credential;
//  4. the provider's flow: an expired OAuth token is refreshed; with no
//     refresh possible, the error says which `ostui login` to run.
type Resolver struct {
	Getenv func(string) string
	// Store is the secret store; nil when none can be opened (then only
	// the environment answers).
	Store SecretStore
	// Session holds secrets kept for this session only (/login
	// --no-save-secret), by secret-store key; consulted before the
	// store.
	Session    map[string]string
	HTTPClient *http.Client
	// Now is the clock for token expiry; nil means time.Now.
	Now func() time.Time
}

// Source says where a secret came from, for /profile and --debug (never
// the secret itself).
type Source string

// Where a secret can come from.
const (
	FromNone    Source = "none needed"
	FromEnv     Source = "environment"
	FromSession Source = "this session"
	FromStore   Source = "secret store"
	FromRefresh Source = "refreshed"
)

// Secret resolves the secret of p's model.
func (r *Resolver) Secret(ctx context.Context, p *profile.Profile) (string, Source, error) {
	if p == nil || p.Model == nil {
		return "", FromNone, errors.New("the profile has no model")
	}
	m := p.Model
	provider := m.Provider
	if provider == profile.ProviderLocal || m.Auth == profile.AuthNone {
		return "", FromNone, nil
	}
	if v := EnvVar(provider); v != "" && r.Getenv != nil {
		if s := strings.TrimSpace(r.Getenv(v)); s != "" {
			return s, FromEnv, nil
		}
	}
	cred := p.CredentialOf()
	oauth := m.Auth == profile.AuthOAuth || m.Auth == "" && provider == profile.ProviderGitHub
	fields := []string{profile.FieldAPIKey}
	if oauth {
		fields = []string{profile.FieldAccessToken, profile.FieldAPIKey}
	}
	for _, f := range fields {
		if v, ok := r.Session[profile.SecretKey(cred, f)]; ok && v != "" {
			return v, FromSession, nil
		}
	}
	missing := &MissingSecretError{Provider: provider, Profile: p.Name}
	if r.Store == nil {
		return "", "", missing
	}
	get := func(field string) (string, bool, error) {
		v, err := r.Store.Get(ctx, profile.SecretKey(cred, field))
		switch {
		case errors.Is(err, secretstore.ErrNotFound):
			return "", false, nil
		case err != nil:
			return "", false, err
		}
		return v, v != "", nil
	}
	if oauth {
		tok, ok, err := get(profile.FieldAccessToken)
		if err != nil {
			missing.StoreErr = err
			return "", "", missing
		}
		if ok && !r.expired(ctx, get) {
			return tok, FromStore, nil
		}
		if _, hasRefresh, _ := get(profile.FieldRefreshToken); hasRefresh {
			tok, err := r.refresh(ctx, p, cred)
			if err == nil {
				return tok, FromRefresh, nil
			}
			missing.RefreshErr = err
		}
	}
	key, ok, err := get(profile.FieldAPIKey)
	if err != nil {
		missing.StoreErr = err
		return "", "", missing
	}
	if ok {
		return key, FromStore, nil
	}
	return "", "", missing
}

// expired reads the token's expiry beside it; no expiry (a GitHub token
// that does not expire) is never expired. A minute's margin keeps a
// token from expiring between the check and the request.
func (r *Resolver) expired(_ context.Context, get func(string) (string, bool, error)) bool {
	v, ok, err := get(profile.FieldExpiry)
	if err != nil || !ok {
		return false
	}
	at, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return false
	}
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	return !now().Add(time.Minute).Before(at)
}

func (r *Resolver) refresh(ctx context.Context, p *profile.Profile, cred string) (string, error) {
	prov, ok := Lookup(p.Model.Provider)
	if !ok || prov.Refresh == nil {
		return "", fmt.Errorf("provider %s cannot refresh a token", p.Model.Provider)
	}
	return prov.Refresh(ctx, &Refresh{Profile: p, Credential: cred, Store: r.Store, HTTPClient: r.HTTPClient, Getenv: r.Getenv})
}
