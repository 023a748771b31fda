package login

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/kriscelmer/os-tui/agent/llm"
	"github.com/kriscelmer/os-tui/internal/profile"
)

// ModelOptions say where ResolveModel looks.
type ModelOptions struct {
	Getenv     func(string) string
	ConfigPath string
	// Profile is the profile named on the command line (--profile) or
	// with /profile; "" means the config's default_profile.
	Profile string
	// OpenStore opens the secret store; it is called only when a secret
	// is needed and no environment variable holds it.
	OpenStore func() (SecretStore, error)
	// Session are secrets kept for this session (/login --no-save-secret).
	Session    map[string]string
	HTTPClient *http.Client
}

// ModelChoice is the model a session uses and why.
type ModelChoice struct {
	Config     llm.Config
	Configured bool
	// Profile is the profile in use; "" when the environment or the
	// pre-profile model: section chose.
	Profile string
	// KeyFrom says where the key came from (never the key).
	KeyFrom Source
}

// modelSelectors are the variables that choose a model (not only a key):
// set, they beat the default profile, as the environment always beat the
// config file; a profile named on the command line beats them.
var modelSelectors = []string{llm.EnvProvider, llm.EnvOpenAIBaseURL, llm.EnvAzureEndpoint}

// ResolveModel picks the session's model: the profile named (or the
// default one) and its secret, else the environment and the config's
// pre-profile model: section as before profiles existed.
func ResolveModel(ctx context.Context, o ModelOptions) (ModelChoice, error) {
	getenv := o.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	f, err := profile.Load(o.ConfigPath)
	if err != nil {
		return ModelChoice{}, err
	}
	name, explicit := o.Profile, o.Profile != ""
	if !explicit {
		name = f.DefaultProfile
		for _, v := range modelSelectors {
			if getenv(v) != "" {
				name = ""
			}
		}
	}
	store := &lazyStore{open: o.OpenStore}
	if o.OpenStore == nil {
		store = nil
	}
	res := &Resolver{Getenv: getenv, Session: o.Session, HTTPClient: o.HTTPClient}
	if store != nil {
		res.Store = store
	}
	if name != "" {
		p, ok := f.Get(name)
		if !ok {
			what := "profile"
			if !explicit {
				what = "default_profile"
			}
			return ModelChoice{}, fmt.Errorf("%s %q is not in %s%s", what, name, o.ConfigPath, knownProfiles(f))
		}
		if p.Model != nil {
			cfg, err := ConfigOf(p)
			if err != nil {
				return ModelChoice{}, err
			}
			key, from, err := res.Secret(ctx, p)
			if err != nil {
				return ModelChoice{}, err
			}
			cfg.APIKey = key
			if from == FromStore || from == FromRefresh {
				// An OAuth token is refreshed again when it expires mid-session.
				if src := OAuthTokenSource(p, res.Store, o.HTTPClient, getenv); src != nil {
					cfg.Token = src
				}
			}
			return ModelChoice{Config: cfg, Configured: true, Profile: name, KeyFrom: from}, nil
		}
		// A profile that binds only a cloud leaves the model to the
		// environment and the model: section.
	}
	return legacyModel(ctx, getenv, f.Model, res)
}

func knownProfiles(f *profile.File) string {
	names := f.Names()
	if len(names) == 0 {
		return " (it has no profiles: `ostui login PROVIDER` writes one)"
	}
	return " (profiles: " + strings.Join(names, ", ") + ")"
}

// ConfigOf is the llm configuration of p's model, without its secret.
func ConfigOf(p *profile.Profile) (llm.Config, error) {
	m := p.Model
	where := fmt.Sprintf("profile %s", p.Name)
	cfg := llm.Config{Model: m.Model, BaseURL: m.Endpoint, Remedy: Remedy(m.Provider, p.Name)}
	switch m.Provider {
	case profile.ProviderOpenAI:
		cfg.Provider = llm.ProviderOpenAI
		if cfg.Model == "" && cfg.BaseURL == "" {
			cfg.Model = llm.DefaultOpenAIModel
		}
	case profile.ProviderLocal:
		cfg.Provider = llm.ProviderOpenAI
		if cfg.BaseURL == "" {
			return cfg, fmt.Errorf("%s: provider local needs an endpoint (the server's http://HOST:PORT/v1)", where)
		}
	case profile.ProviderAzure:
		cfg.Provider = llm.ProviderAzure
		cfg.AzureDeployment, cfg.APIVersion = m.Deployment, m.APIVersion
		// Signed in with Microsoft Entra ID: a bearer token, not an api-key.
		cfg.AzureAD = m.Auth == profile.AuthOAuth
		if cfg.AzureAD {
			cfg.Remedy = entraRemedy(p)
		}
		if cfg.APIVersion == "" {
			cfg.APIVersion = llm.DefaultAzureAPIVersion
		}
		if cfg.BaseURL == "" || cfg.AzureDeployment == "" {
			return cfg, fmt.Errorf("%s: azure needs an endpoint and a deployment; run `%s --endpoint URL --deployment NAME`", where, Command(m.Provider, p.Name))
		}
	case profile.ProviderGitHub:
		cfg.Provider = llm.ProviderGitHub
		if cfg.BaseURL == "" {
			cfg.BaseURL = llm.GitHubModelsURL
		}
		if cfg.Model == "" {
			cfg.Model = llm.DefaultGitHubModel
		}
	default:
		return cfg, fmt.Errorf("%s: model provider %q is not one of %s", where, m.Provider, strings.Join(profile.Providers, ", "))
	}
	return cfg, nil
}

// legacyModel is the model as ostui chose it before profiles: the
// environment, then the config's model: section; a key that neither
// holds is looked up in the secret store (where `ostui login` put it).
func legacyModel(ctx context.Context, getenv func(string) string, m profile.LegacyModel, res *Resolver) (ModelChoice, error) {
	fromFile := map[string]string{
		llm.EnvProvider:        m.Provider,
		llm.EnvOpenAIBaseURL:   m.BaseURL,
		llm.EnvModel:           m.Name,
		llm.EnvAzureEndpoint:   m.AzureEndpoint,
		llm.EnvAzureDeployment: m.AzureDeployment,
		llm.EnvAzureAPIVersion: m.APIVersion,
	}
	merged := func(k string) string {
		if v := getenv(k); v != "" {
			return v
		}
		return fromFile[k]
	}
	// Which provider, as llm.ConfigFromEnv decides it; the store is
	// asked for that provider's key only, so a session with no model
	// configured never touches the keyring.
	provider := strings.ToLower(strings.TrimSpace(merged(llm.EnvProvider)))
	if provider == "" {
		switch {
		case merged(llm.EnvAzureEndpoint) != "":
			provider = llm.ProviderAzure
		case merged(llm.EnvOpenAIBaseURL) != "" || merged(llm.EnvOpenAIKey) != "":
			provider = llm.ProviderOpenAI
		}
	}
	from := FromEnv
	keyVar := EnvVar(provider)
	// A custom OpenAI-compatible URL may need no key; only api.openai.com
	// (no base URL) must have one, so only then is the store asked.
	customURL := provider == llm.ProviderOpenAI && merged(llm.EnvOpenAIBaseURL) != ""
	needKey := keyVar != "" && merged(keyVar) == "" && !customURL
	var stored string
	if needKey && res.Store != nil {
		p := &profile.Profile{Model: &profile.Model{Provider: provider}}
		if key, src, err := res.Secret(ctx, p); err == nil {
			stored, from = key, src
		}
	}
	withKey := func(k string) string {
		if k == keyVar && stored != "" {
			return stored
		}
		return merged(k)
	}
	cfg, configured, err := llm.ConfigFromEnv(withKey)
	if err != nil || !configured {
		return ModelChoice{}, err
	}
	if cfg.APIKey == "" {
		from = FromNone
	}
	return ModelChoice{Config: cfg, Configured: true, KeyFrom: from}, nil
}
