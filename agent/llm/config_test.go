package llm

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestConfigFromEnv(t *testing.T) {
	tests := []struct {
		name       string
		env        map[string]string
		want       Config
		configured bool
		wantErr    string // substring; "" means no error
	}{
		{name: "nothing set", env: map[string]string{}},
		{
			name: "GITHUB_TOKEN alone switches nothing on",
			env:  map[string]string{"GITHUB_TOKEN": "ghp_x"},
		},
		{
			name:       "api key alone means api.openai.com with the default model",
			env:        map[string]string{"OPENAI_API_KEY": "sk-1"},
			want:       Config{Provider: "openai", APIKey: "sk-1", Model: DefaultOpenAIModel},
			configured: true,
		},
		{
			name:       "local server needs no key",
			env:        map[string]string{"OPENAI_BASE_URL": "http://127.0.0.1:11434/v1", "OSTUI_MODEL": "qwen3:8b"},
			want:       Config{Provider: "openai", BaseURL: "http://127.0.0.1:11434/v1", Model: "qwen3:8b"},
			configured: true,
		},
		{
			name:       "OPENAI_MODEL when OSTUI_MODEL is unset",
			env:        map[string]string{"OPENAI_BASE_URL": "http://h/v1", "OPENAI_MODEL": "m1"},
			want:       Config{Provider: "openai", BaseURL: "http://h/v1", Model: "m1"},
			configured: true,
		},
		{
			name:       "OSTUI_MODEL wins over OPENAI_MODEL",
			env:        map[string]string{"OPENAI_BASE_URL": "http://h/v1", "OPENAI_MODEL": "m1", "OSTUI_MODEL": "m2"},
			want:       Config{Provider: "openai", BaseURL: "http://h/v1", Model: "m2"},
			configured: true,
		},
		{
			// ResolveModel asks the server which model it serves.
			name:       "custom URL without a model leaves the model to discovery",
			env:        map[string]string{"OPENAI_BASE_URL": "http://h/v1"},
			want:       Config{Provider: "openai", BaseURL: "http://h/v1"},
			configured: true,
		},
		{
			name: "azure endpoint wins over openai variables",
			env: map[string]string{
				"AZURE_OPENAI_ENDPOINT": "https://r.openai.azure.com", "AZURE_OPENAI_API_KEY": "az",
				"AZURE_OPENAI_DEPLOYMENT": "gpt4o", "OPENAI_API_KEY": "sk-1",
			},
			want:       Config{Provider: "azure", BaseURL: "https://r.openai.azure.com", APIKey: "az", AzureDeployment: "gpt4o", APIVersion: DefaultAzureAPIVersion},
			configured: true,
		},
		{
			name: "azure api version from the environment",
			env: map[string]string{
				"AZURE_OPENAI_ENDPOINT": "https://r", "AZURE_OPENAI_API_KEY": "az",
				"AZURE_OPENAI_DEPLOYMENT": "d", "AZURE_OPENAI_API_VERSION": "2025-01-01-preview",
			},
			want:       Config{Provider: "azure", BaseURL: "https://r", APIKey: "az", AzureDeployment: "d", APIVersion: "2025-01-01-preview"},
			configured: true,
		},
		{
			name:    "azure without key and deployment",
			env:     map[string]string{"AZURE_OPENAI_ENDPOINT": "https://r"},
			wantErr: "set AZURE_OPENAI_API_KEY and AZURE_OPENAI_DEPLOYMENT",
		},
		{
			name: "explicit provider wins over azure endpoint",
			env: map[string]string{
				"OSTUI_MODEL_PROVIDER": "openai", "AZURE_OPENAI_ENDPOINT": "https://r", "OPENAI_API_KEY": "sk-1",
			},
			want:       Config{Provider: "openai", APIKey: "sk-1", Model: DefaultOpenAIModel},
			configured: true,
		},
		{
			name:    "explicit openai with nothing to reach",
			env:     map[string]string{"OSTUI_MODEL_PROVIDER": "openai"},
			wantErr: "set OPENAI_API_KEY",
		},
		{
			name:       "github when named",
			env:        map[string]string{"OSTUI_MODEL_PROVIDER": "GitHub", "GITHUB_TOKEN": "ghp_x"},
			want:       Config{Provider: "github", BaseURL: GitHubModelsURL, APIKey: "ghp_x", Model: DefaultGitHubModel},
			configured: true,
		},
		{
			name:       "github with a chosen model",
			env:        map[string]string{"OSTUI_MODEL_PROVIDER": "github", "GITHUB_TOKEN": "ghp_x", "OSTUI_MODEL": "openai/gpt-4.1"},
			want:       Config{Provider: "github", BaseURL: GitHubModelsURL, APIKey: "ghp_x", Model: "openai/gpt-4.1"},
			configured: true,
		},
		{
			name:    "github without a token",
			env:     map[string]string{"OSTUI_MODEL_PROVIDER": "github"},
			wantErr: "set GITHUB_TOKEN",
		},
		{
			name:    "unknown provider",
			env:     map[string]string{"OSTUI_MODEL_PROVIDER": "anthropic"},
			wantErr: "use openai, azure or github",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, configured, err := ConfigFromEnv(func(k string) string { return tt.env[k] })
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if configured != tt.configured {
				t.Errorf("configured = %v, want %v", configured, tt.configured)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("config (-want +got):\n%s", diff)
			}
		})
	}
}

func TestConfigNeverPrintsTheKey(t *testing.T) {
	const key = "sk-very-secret-key"
	cfg := Config{Provider: "openai", BaseURL: "http://user:pw@h/v1", APIKey: key, Model: "m"}
	for _, verb := range []string{"%v", "%+v", "%s", "%#v"} {
		out := fmt.Sprintf(verb, cfg)
		if strings.Contains(out, key) || strings.Contains(out, "pw@") {
			t.Errorf("%s printed a credential: %s", verb, out)
		}
	}
	if got, want := cfg.String(), "provider=openai url=http://user:xxxxx@h/v1 model=m key=set"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

// TestAuthRemedyStaysInItsContext: each provider's 401 names its own fix
// and never another provider's login (a GitHub hint on an OpenAI key
// would send a person to the wrong place).
func TestAuthRemedyStaysInItsContext(t *testing.T) {
	hints := map[string]string{
		ProviderOpenAI: "ostui login openai",
		ProviderAzure:  "ostui login azure",
		ProviderGitHub: "ostui login github",
	}
	also := map[string]string{
		ProviderOpenAI: EnvOpenAIKey,
		ProviderAzure:  EnvAzureKey,
		ProviderGitHub: EnvGitHubToken,
	}
	for provider, own := range hints {
		t.Run(provider, func(t *testing.T) {
			got := Config{Provider: provider}.AuthRemedy()
			if !strings.Contains(got, own) || !strings.Contains(got, also[provider]) {
				t.Errorf("AuthRemedy() = %q, want %q and %q", got, own, also[provider])
			}
			for other, hint := range hints {
				if other != provider && strings.Contains(got, hint) {
					t.Errorf("AuthRemedy() = %q names %q, which belongs to %s", got, hint, other)
				}
			}
			for _, cloud := range []string{"ostui login cloud", "OS_PASSWORD"} {
				if strings.Contains(got, cloud) {
					t.Errorf("AuthRemedy() = %q names the cloud's remedy %q", got, cloud)
				}
			}
		})
	}
	t.Run("empty provider is openai", func(t *testing.T) {
		if got := (Config{}).AuthRemedy(); !strings.Contains(got, "ostui login openai") {
			t.Errorf("AuthRemedy() = %q", got)
		}
	})
	t.Run("a caller's remedy wins", func(t *testing.T) {
		c := Config{Provider: ProviderOpenAI, Remedy: "run `ostui login openai --profile work`"}
		if got := c.AuthRemedy(); got != c.Remedy {
			t.Errorf("AuthRemedy() = %q, want %q", got, c.Remedy)
		}
	})
}
