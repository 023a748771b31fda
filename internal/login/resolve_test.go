package login

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/kriscelmer/os-tui/internal/profile"
	"github.com/kriscelmer/os-tui/internal/secretstore"
)

// hangingKeyring never answers, as a headless D-Bus can.
type hangingKeyring struct{ release chan struct{} }

func (h hangingKeyring) Get(string, string) (string, error) { <-h.release; return "", nil }
func (h hangingKeyring) Set(string, string, string) error   { <-h.release; return nil }
func (h hangingKeyring) Delete(string, string) error        { <-h.release; return nil }

// TestResolverOrder walks the resolution order branch by branch:
// environment → keyring → encrypted file → provider flow (refresh, then
// the login to run).
func TestResolverOrder(t *testing.T) {
	const passphrase = "resolver tests"
	openai := &profile.Profile{Name: "openai", Model: &profile.Model{Provider: "openai"}}
	work := &profile.Profile{Name: "work", Model: &profile.Model{Provider: "openai"}}
	azure := &profile.Profile{Name: "azure", Model: &profile.Model{Provider: "azure", Endpoint: "https://x.openai.azure.com", Deployment: "d"}}
	github := &profile.Profile{Name: "github", Model: &profile.Model{Provider: "github", Auth: "oauth"}}
	local := &profile.Profile{Name: "lab", Model: &profile.Model{Provider: "local", Endpoint: "http://127.0.0.1:8080/v1"}}

	// seed writes secrets into a backend before the resolver runs.
	type seed struct {
		keyring   map[string]string // through go-keyring's mock
		encrypted map[string]string // into secrets.age
	}
	tests := []struct {
		name    string
		p       *profile.Profile
		env     map[string]string
		seed    seed
		keyring string // "mock" (default), "failing", "hanging"
		refresh func(context.Context, *Refresh) (string, error)

		want     string
		from     Source
		wantErr  []string // substrings
		notInErr []string
	}{
		{name: "environment first", p: openai, env: map[string]string{"OPENAI_API_KEY": "sk-env"},
			seed: seed{keyring: map[string]string{"provider/openai/api_key": "sk-keyring"}}, want: "sk-env", from: FromEnv},
		{name: "each provider its own variable", p: azure, env: map[string]string{"OPENAI_API_KEY": "sk-env", "AZURE_OPENAI_API_KEY": "az-env"}, want: "az-env", from: FromEnv},
		{name: "keyring when the environment is empty", p: openai,
			seed: seed{keyring: map[string]string{"provider/openai/api_key": "sk-keyring"}}, want: "sk-keyring", from: FromStore},
		{name: "a profile's own credential", p: work,
			seed: seed{keyring: map[string]string{"provider/openai/api_key": "sk-other", "provider/openai/work/api_key": "sk-work"}}, want: "sk-work", from: FromStore},
		{name: "encrypted file when the keyring lacks it", p: openai,
			seed: seed{encrypted: map[string]string{"provider/openai/api_key": "sk-file"}}, want: "sk-file", from: FromStore},
		{name: "encrypted file when the keyring fails", p: openai, keyring: "failing",
			seed: seed{encrypted: map[string]string{"provider/openai/api_key": "sk-file"}}, want: "sk-file", from: FromStore},
		{name: "encrypted file when the keyring hangs", p: openai, keyring: "hanging",
			seed: seed{encrypted: map[string]string{"provider/openai/api_key": "sk-file"}}, want: "sk-file", from: FromStore},
		{name: "a valid token", p: github,
			seed: seed{keyring: map[string]string{"provider/github/access_token": "gho-live", "provider/github/expiry": time.Now().Add(time.Hour).Format(time.RFC3339)}},
			want: "gho-live", from: FromStore},
		{name: "an expired token is refreshed", p: github,
			seed: seed{keyring: map[string]string{"provider/github/access_token": "gho-old", "provider/github/refresh_token": "ghr-1", "provider/github/expiry": time.Now().Add(-time.Hour).Format(time.RFC3339)}},
			refresh: func(_ context.Context, r *Refresh) (string, error) {
				if r.Credential != "provider/github" {
					return "", errors.New("wrong credential " + r.Credential)
				}
				return "gho-new", nil
			},
			want: "gho-new", from: FromRefresh},
		{name: "a refresh that fails says to log in", p: github,
			seed:    seed{keyring: map[string]string{"provider/github/access_token": "gho-old", "provider/github/refresh_token": "ghr-1", "provider/github/expiry": time.Now().Add(-time.Hour).Format(time.RFC3339)}},
			refresh: func(context.Context, *Refresh) (string, error) { return "", errors.New("bad_refresh_token") },
			wantErr: []string{"run `ostui login github`", "GITHUB_TOKEN", "bad_refresh_token"}, notInErr: []string{"login openai", "gho-old"}},
		{name: "nothing anywhere names the login and the variable", p: openai,
			wantErr: []string{"model provider openai (profile openai) has no API key", "run `ostui login openai`", "OPENAI_API_KEY"}, notInErr: []string{"login github", "login azure"}},
		{name: "a named profile's login names it", p: work,
			wantErr: []string{"run `ostui login openai --profile work`"}},
		{name: "azure's login", p: azure, wantErr: []string{"run `ostui login azure`", "AZURE_OPENAI_API_KEY"}, notInErr: []string{"login openai", "login github"}},
		{name: "a local server needs nothing", p: local, want: "", from: FromNone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			vars := map[string]string{secretstore.PassphraseEnv: passphrase}
			for k, v := range tt.env {
				vars[k] = v
			}
			getenv := func(k string) string { return vars[k] }
			keyring.MockInit()
			var kr secretstore.KeyringAPI // nil: the real go-keyring, mocked
			switch tt.keyring {
			case "failing":
				keyring.MockInitWithError(errors.New("org.freedesktop.secrets was not provided by any .service files"))
				t.Cleanup(keyring.MockInit)
			case "hanging":
				h := hangingKeyring{release: make(chan struct{})}
				t.Cleanup(func() { close(h.release) })
				kr = h
			}
			for k, v := range tt.seed.keyring {
				if err := keyring.Set("ostui", k, v); err != nil {
					t.Fatal(err)
				}
			}
			if len(tt.seed.encrypted) > 0 {
				// A store that only writes the file puts the seed there.
				fileStore, err := secretstore.Open(secretstore.Options{Mode: secretstore.Encrypted, Dir: dir, Getenv: getenv})
				if err != nil {
					t.Fatal(err)
				}
				for k, v := range tt.seed.encrypted {
					if _, err := fileStore.Set(t.Context(), k, v); err != nil {
						t.Fatal(err)
					}
				}
			}
			store, err := secretstore.Open(secretstore.Options{Dir: dir, Getenv: getenv, Keyring: kr})
			if err != nil {
				t.Fatal(err)
			}
			if tt.refresh != nil {
				restore := swapRefresh(t, tt.p.Model.Provider, tt.refresh)
				defer restore()
			}
			r := &Resolver{Getenv: getenv, Store: store}
			got, from, err := r.Secret(t.Context(), tt.p)
			if len(tt.wantErr) > 0 {
				if err == nil {
					t.Fatalf("got %q from %s, want an error", got, from)
				}
				for _, w := range tt.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q lacks %q", err, w)
					}
				}
				for _, w := range tt.notInErr {
					if strings.Contains(err.Error(), w) {
						t.Errorf("error %q names %q", err, w)
					}
				}
				return
			}
			if err != nil || got != tt.want || from != tt.from {
				t.Errorf("Secret = %q from %q, %v; want %q from %q", got, from, err, tt.want, tt.from)
			}
		})
	}
}

// swapRefresh replaces provider's Refresh for one test.
func swapRefresh(t *testing.T, provider string, f func(context.Context, *Refresh) (string, error)) func() {
	t.Helper()
	regMu.Lock()
	defer regMu.Unlock()
	old, had := providers[provider]
	p := old
	if !had {
		p = Provider{Name: provider, Run: func(context.Context, *Request) error { return nil }}
	}
	p.Refresh = f
	providers[provider] = p
	return func() {
		regMu.Lock()
		defer regMu.Unlock()
		if had {
			providers[provider] = old
		} else {
			delete(providers, provider)
		}
	}
}

// TestResolveModel: which model a session gets from the config file and
// the environment.
func TestResolveModel(t *testing.T) {
	const cfgWithProfiles = `default_profile: lab
profiles:
  lab:
    cloud: devcloud
    model:
      provider: local
      endpoint: http://127.0.0.1:8080/v1
      model: qwen
  work:
    model:
      provider: azure
      endpoint: https://contoso.openai.azure.com
      deployment: gpt-4o
  cloudonly:
    cloud: prod
model:
  provider: openai
  base_url: http://127.0.0.1:9999/v1
  name: from-legacy
`
	tests := []struct {
		name      string
		file      string
		env       map[string]string
		profile   string
		wantModel string
		wantProf  string
		wantKey   string
		wantErr   string
		unset     bool
	}{
		{name: "the default profile", file: cfgWithProfiles, wantModel: "qwen", wantProf: "lab"},
		{name: "--profile beats the default", file: cfgWithProfiles, profile: "work", env: map[string]string{"AZURE_OPENAI_API_KEY": "az"}, wantModel: "gpt-4o", wantProf: "work", wantKey: "az"},
		{name: "--profile beats a model chosen by the environment", file: cfgWithProfiles, profile: "lab", env: map[string]string{"OPENAI_BASE_URL": "http://elsewhere/v1", "OSTUI_MODEL": "x"}, wantModel: "qwen", wantProf: "lab"},
		{name: "the environment beats the default profile", file: cfgWithProfiles, env: map[string]string{"OPENAI_BASE_URL": "http://elsewhere/v1", "OSTUI_MODEL": "x"}, wantModel: "x"},
		{name: "a profile with only a cloud leaves the model to the model: section", file: cfgWithProfiles, profile: "cloudonly", wantModel: "from-legacy"},
		{name: "an unknown profile lists the known", file: cfgWithProfiles, profile: "nope", wantErr: "profile \"nope\" is not in"},
		{name: "a missing key names the login", file: cfgWithProfiles, profile: "work", wantErr: "run `ostui login azure --profile work`"},
		{name: "no config, no environment: offline", file: "", unset: true},
		{name: "an old config loads as before", file: "model:\n  name: from-file\n  base_url: http://127.0.0.1:1/v1\n", wantModel: "from-file"},
		{name: "an old config, the environment wins", file: "model:\n  name: from-file\n  base_url: http://127.0.0.1:1/v1\n", env: map[string]string{"OSTUI_MODEL": "from-env"}, wantModel: "from-env"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := dir + "/config.yaml"
			if tt.file != "" {
				if err := os.WriteFile(path, []byte(tt.file), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			opened := false
			choice, err := ResolveModel(t.Context(), ModelOptions{
				Getenv: func(k string) string { return tt.env[k] }, ConfigPath: path, Profile: tt.profile,
				OpenStore: func() (SecretStore, error) {
					opened = true
					return secretstore.Open(secretstore.Options{Dir: dir, Keyring: noKeyring{}})
				},
			})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.unset {
				if choice.Configured || opened {
					t.Errorf("configured %v, store opened %v; want neither", choice.Configured, opened)
				}
				return
			}
			if !choice.Configured || choice.Config.Model+choice.Config.AzureDeployment != tt.wantModel || choice.Profile != tt.wantProf || choice.Config.APIKey != tt.wantKey {
				t.Errorf("choice = %v profile %q", choice.Config, choice.Profile)
			}
		})
	}
}
