package llm

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Providers a Config can name.
const (
	ProviderOpenAI = "openai" // api.openai.com or any OpenAI-compatible URL
	ProviderAzure  = "azure"  // Azure OpenAI: endpoint + deployment + api-version
	ProviderGitHub = "github" // GitHub Models, authenticated with GITHUB_TOKEN
)

// Defaults used when the environment leaves them out.
const (
	// DefaultAzureAPIVersion is a GA Azure OpenAI version that supports
	// tools and stream_options; go-openai's own default predates both.
	DefaultAzureAPIVersion = "2024-10-21"
	// GitHubModelsURL is GitHub Models' OpenAI-compatible inference base.
	GitHubModelsURL = "https://models.github.ai/inference"
	// DefaultGitHubModel is small, cheap and good at tool calls.
	DefaultGitHubModel = "openai/gpt-4.1-mini"
	// DefaultOpenAIModel is used against api.openai.com when no model is
	// named; a custom URL has no sensible default and must name one.
	DefaultOpenAIModel = "gpt-4.1-mini"
	// DefaultMaxRetries applies when Config.MaxRetries is 0.
	DefaultMaxRetries = 3
)

// Config says which model endpoint to use and how to reach it.
type Config struct {
	// Provider is "openai" (any OpenAI-compatible URL), "azure" or
	// "github"; empty means "openai".
	Provider string
	// BaseURL is the API base, e.g. http://127.0.0.1:11434/v1; for azure,
	// the resource endpoint (https://NAME.openai.azure.com).
	BaseURL string
	// APIKey authenticates; a local server (Ollama, llama.cpp) needs none.
	// It never appears in String, errors or recordings.
	APIKey string `json:"-"`
	// Model is the model name sent in each request (for azure, shown only).
	Model string
	// AzureDeployment is the deployment name in Azure's URL path.
	AzureDeployment string
	// APIVersion is Azure's api-version query parameter.
	APIVersion string
	// HTTPClient carries the requests; nil means a fresh http.Client.
	// Tests set it to reach an httptest server or to record exchanges.
	HTTPClient *http.Client
	// MaxRetries bounds retries on 429, 5xx and connection errors:
	// 0 means DefaultMaxRetries, negative means never retry.
	MaxRetries int
	// AzureAD says APIKey is a Microsoft Entra ID access token, sent as
	// "Authorization: Bearer" rather than as Azure's api-key header.
	AzureAD bool
	// Token, when set, gives each request its bearer token in place of
	// APIKey: an OAuth token that may expire during a session (a GitHub
	// App's lasts 8 hours, Entra's about one) and is refreshed by the
	// source. Its error ends the request as a refused key.
	Token TokenSource `json:"-"`
	// Remedy is what to do when the endpoint refuses the key, when the
	// caller knows better than the provider's default (a profile's
	// `ostui login openai --profile work`); see AuthRemedy.
	Remedy string
}

// AuthRemedy is what a person should do when the endpoint refuses the
// key. Each provider names its own remedy and no other's: an OpenAI key
// is fixed with `ostui login openai`, a GitHub token with `ostui login
// github`; Azure's answer carries its own guidance (wrong key or wrong
// regional endpoint), so ostui adds only where its key and endpoint come
// from.
func (c Config) AuthRemedy() string {
	if c.Remedy != "" {
		return c.Remedy
	}
	switch c.provider() {
	case ProviderAzure:
		return "check " + EnvAzureKey + " and " + EnvAzureEndpoint + ", or run `ostui login azure`"
	case ProviderGitHub:
		return "run `ostui login github` (or set " + EnvGitHubToken + " to a token with the models:read permission)"
	}
	return "run `ostui login openai` (or set " + EnvOpenAIKey + ")"
}

// String describes the configuration for logs and /model without the key.
func (c Config) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "provider=%s", c.provider())
	if u := c.endpoint(); u != "" {
		fmt.Fprintf(&b, " url=%s", u)
	}
	if c.Model != "" {
		fmt.Fprintf(&b, " model=%s", c.Model)
	}
	if c.AzureDeployment != "" {
		fmt.Fprintf(&b, " deployment=%s", c.AzureDeployment)
	}
	if c.APIVersion != "" {
		fmt.Fprintf(&b, " api-version=%s", c.APIVersion)
	}
	if c.Token != nil {
		b.WriteString(" key=oauth")
	} else if c.APIKey != "" {
		b.WriteString(" key=set")
	} else {
		b.WriteString(" key=none")
	}
	return b.String()
}

// GoString keeps %#v from printing the key the way a struct dump would.
func (c Config) GoString() string { return "llm.Config{" + c.String() + "}" }

func (c Config) provider() string {
	if c.Provider == "" {
		return ProviderOpenAI
	}
	return c.Provider
}

// endpoint is the base URL requests go to, with any user:password hidden,
// for messages that tell a person where ostui tried to connect.
func (c Config) endpoint() string {
	raw := c.BaseURL
	switch {
	case raw == "" && c.provider() == ProviderGitHub:
		raw = GitHubModelsURL
	case raw == "" && c.provider() == ProviderOpenAI:
		raw = "https://api.openai.com/v1"
	}
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return u.Redacted()
}

// modelName is the name a person recognises: the deployment on Azure.
func (c Config) modelName() string {
	if c.provider() == ProviderAzure && c.AzureDeployment != "" {
		return c.AzureDeployment
	}
	return c.Model
}

// Environment variables ConfigFromEnv reads.
const (
	EnvProvider        = "OSTUI_MODEL_PROVIDER"
	EnvModel           = "OSTUI_MODEL"
	EnvOpenAIModel     = "OPENAI_MODEL"
	EnvOpenAIBaseURL   = "OPENAI_BASE_URL"
	EnvOpenAIKey       = "OPENAI_API_KEY"
	EnvAzureEndpoint   = "AZURE_OPENAI_ENDPOINT"
	EnvAzureKey        = "AZURE_OPENAI_API_KEY"
	EnvAzureDeployment = "AZURE_OPENAI_DEPLOYMENT"
	EnvAzureAPIVersion = "AZURE_OPENAI_API_VERSION"
	EnvGitHubToken     = "GITHUB_TOKEN"
)

// ConfigFromEnv builds a Config from environment variables read through
// getenv (os.Getenv in production, a map in tests).
//
// The provider is OSTUI_MODEL_PROVIDER when set; else azure when
// AZURE_OPENAI_ENDPOINT is set; else openai when OPENAI_BASE_URL or
// OPENAI_API_KEY is set. GitHub Models is used only when named: GITHUB_TOKEN
// alone is common in CI and must not switch a model on. With none of these,
// configured is false and err is nil: ostui runs without a model.
// OPENAI_BASE_URL without a model name leaves Model empty: call
// ResolveModel before New to ask that server which model it serves.
// A named provider that lacks what it needs is an error saying what to set.
func ConfigFromEnv(getenv func(string) string) (cfg Config, configured bool, err error) {
	env := func(k string) string { return strings.TrimSpace(getenv(k)) }
	provider := strings.ToLower(env(EnvProvider))
	if provider == "" {
		switch {
		case env(EnvAzureEndpoint) != "":
			provider = ProviderAzure
		case env(EnvOpenAIBaseURL) != "" || env(EnvOpenAIKey) != "":
			provider = ProviderOpenAI
		default:
			return Config{}, false, nil
		}
	}
	model := env(EnvModel)
	if model == "" {
		model = env(EnvOpenAIModel)
	}

	switch provider {
	case ProviderOpenAI:
		cfg = Config{Provider: provider, BaseURL: env(EnvOpenAIBaseURL), APIKey: env(EnvOpenAIKey), Model: model}
		if cfg.BaseURL == "" && cfg.APIKey == "" {
			return Config{}, false, errors.New("model provider openai: run `ostui login openai` or set OPENAI_API_KEY for api.openai.com, or set OPENAI_BASE_URL for an OpenAI-compatible server")
		}
		// A custom URL has no sensible default model: Model stays empty,
		// for ResolveModel to ask the server which one it serves.
		if cfg.Model == "" && cfg.BaseURL == "" {
			cfg.Model = DefaultOpenAIModel
		}
	case ProviderAzure:
		cfg = Config{
			Provider:        provider,
			BaseURL:         env(EnvAzureEndpoint),
			APIKey:          env(EnvAzureKey),
			AzureDeployment: env(EnvAzureDeployment),
			APIVersion:      env(EnvAzureAPIVersion),
			Model:           model,
		}
		var missing []string
		for _, need := range []struct{ name, value string }{
			{EnvAzureEndpoint, cfg.BaseURL},
			{EnvAzureKey, cfg.APIKey},
			{EnvAzureDeployment, cfg.AzureDeployment},
		} {
			if need.value == "" {
				missing = append(missing, need.name)
			}
		}
		if len(missing) > 0 {
			msg := "model provider azure: set " + strings.Join(missing, " and ")
			if cfg.APIKey == "" {
				msg += " (or run `ostui login azure`)"
			}
			return Config{}, false, errors.New(msg)
		}
		if cfg.APIVersion == "" {
			cfg.APIVersion = DefaultAzureAPIVersion
		}
	case ProviderGitHub:
		cfg = Config{Provider: provider, BaseURL: GitHubModelsURL, APIKey: env(EnvGitHubToken), Model: model}
		if cfg.APIKey == "" {
			return Config{}, false, errors.New("model provider github: run `ostui login github`, or set GITHUB_TOKEN to a token with the models:read permission")
		}
		if cfg.Model == "" {
			cfg.Model = DefaultGitHubModel
		}
	default:
		return Config{}, false, fmt.Errorf("OSTUI_MODEL_PROVIDER=%q is not a provider: use openai, azure or github", provider)
	}
	return cfg, true, nil
}
