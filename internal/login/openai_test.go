package login

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/kriscelmer/os-tui/agent/llm"
	"github.com/kriscelmer/os-tui/internal/profile"
	"github.com/kriscelmer/os-tui/internal/secretstore"
)

const goodKey = "sk-login-test-5e1d"

func TestLoginOpenAI(t *testing.T) {
	ep := newFakeEndpoint(t, goodKey, "only-model")
	tests := []struct {
		name    string
		args    []string
		input   string
		wantErr string
		// what the config holds afterwards (nil: no profile)
		wantModel *profile.Model
		wantKey   string // in the store under provider/openai/api_key ("" none)
		keyAt     string
	}{
		{
			name:      "key checked, stored, profile written",
			args:      []string{"--endpoint", ep.URL + "/v1"},
			input:     goodKey + "\n",
			wantModel: &profile.Model{Provider: "openai", Endpoint: ep.URL + "/v1", Model: "only-model"},
			wantKey:   goodKey, keyAt: "provider/openai/api_key",
		},
		{
			name:    "a refused key stores nothing and never echoes it",
			args:    []string{"--endpoint", ep.URL + "/v1"},
			input:   "sk-wrong-0000\n",
			wantErr: "nothing was stored",
		},
		{
			name:    "no input",
			args:    []string{"--endpoint", ep.URL + "/v1"},
			input:   "",
			wantErr: "no input",
		},
		{
			name:      "--no-verify makes no request",
			args:      []string{"--endpoint", "http://127.0.0.1:1/v1", "--no-verify", "--model", "m", "--profile", "work"},
			input:     "sk-unchecked\n",
			wantModel: &profile.Model{Provider: "openai", Endpoint: "http://127.0.0.1:1/v1", Model: "m"},
			wantKey:   "sk-unchecked", keyAt: "provider/openai/work/api_key",
		},
		{
			name:      "--no-save-secret writes the profile, not the key",
			args:      []string{"--endpoint", ep.URL + "/v1", "--no-save-secret"},
			input:     goodKey + "\n",
			wantModel: &profile.Model{Provider: "openai", Endpoint: ep.URL + "/v1", Model: "only-model"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			te := newTestEnv(t, tt.input)
			err := Run(t.Context(), te.Env, append([]string{"openai"}, tt.args...))
			all := te.out.String() + te.errOut.String()
			if err != nil {
				all += err.Error()
			}
			if strings.Contains(all, goodKey) || strings.Contains(all, "sk-wrong-0000") || strings.Contains(all, "sk-unchecked") {
				t.Errorf("a key was echoed:\n%s", all)
			}
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if _, serr := os.Stat(te.ConfigPath); serr == nil {
					t.Error("a failed login wrote the config")
				}
				return
			}
			if err != nil {
				t.Fatalf("%v\n%s", err, all)
			}
			f, err := profile.Load(te.ConfigPath)
			if err != nil {
				t.Fatal(err)
			}
			name := "openai"
			if strings.Contains(tt.keyAt, "work") {
				name = "work"
			}
			p, ok := f.Get(name)
			if !ok || p.Model.Provider != tt.wantModel.Provider || p.Model.Endpoint != tt.wantModel.Endpoint || p.Model.Model != tt.wantModel.Model {
				t.Fatalf("profile %s = %+v", name, p)
			}
			if f.DefaultProfile != name {
				t.Errorf("default_profile = %q, want %q", f.DefaultProfile, name)
			}
			b, _ := os.ReadFile(te.ConfigPath)
			if strings.Contains(string(b), "sk-") {
				t.Errorf("the config file holds a key:\n%s", b)
			}
			store, _ := te.OpenStore()
			got, err := store.Get(t.Context(), "provider/openai/api_key")
			if tt.keyAt != "" {
				got, err = store.Get(t.Context(), tt.keyAt)
			}
			if tt.wantKey == "" {
				if !errors.Is(err, secretstore.ErrNotFound) {
					t.Errorf("store holds %q, %v; want nothing", got, err)
				}
				return
			}
			if got != tt.wantKey {
				t.Errorf("stored key %q, %v", got, err)
			}
		})
	}
}

// TestLoginOpenAIHeadless: no keyring, the passphrase in the
// environment: the key goes to the encrypted file, 0600, and no file in
// the folder holds it in plain text.
func TestLoginOpenAIHeadless(t *testing.T) {
	te := newTestEnv(t, "sk-headless-77aa\n")
	te.vars[secretstore.PassphraseEnv] = "a passphrase for tests"
	te.OpenStore = func() (SecretStore, error) {
		return secretstore.Open(secretstore.Options{Dir: te.dir, Getenv: te.Getenv, Keyring: noKeyring{}})
	}
	if err := Run(t.Context(), te.Env, []string{"openai", "--no-verify"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(te.errOut.String(), "stored in the encrypted file") {
		t.Errorf("not said where the key went:\n%s", te.errOut)
	}
	entries, _ := os.ReadDir(te.dir)
	for _, e := range entries {
		fi, _ := e.Info()
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s is %v, want 0600", e.Name(), fi.Mode().Perm())
		}
		b, _ := os.ReadFile(te.dir + "/" + e.Name())
		if strings.Contains(string(b), "sk-headless-77aa") {
			t.Errorf("%s holds the key in plain text", e.Name())
		}
	}
	// The next session finds it.
	choice, err := ResolveModel(t.Context(), ModelOptions{Getenv: te.Getenv, ConfigPath: te.ConfigPath, OpenStore: te.OpenStore})
	if err != nil || choice.Config.APIKey != "sk-headless-77aa" || choice.Profile != "openai" || choice.KeyFrom != FromStore {
		t.Errorf("ResolveModel = %v profile %q from %q, %v", choice.Config, choice.Profile, choice.KeyFrom, err)
	}
}

type noKeyring struct{}

func (noKeyring) Get(string, string) (string, error) { return "", errors.New("no secret service") }
func (noKeyring) Set(string, string, string) error   { return errors.New("no secret service") }
func (noKeyring) Delete(string, string) error        { return errors.New("no secret service") }

func TestLoginAzure(t *testing.T) {
	ep := newFakeEndpoint(t, goodKey)
	t.Run("prompts for what the flags leave out", func(t *testing.T) {
		te := newTestEnv(t, ep.URL+"\nprod-4o\n"+goodKey+"\n")
		if err := Run(t.Context(), te.Env, []string{"azure"}); err != nil {
			t.Fatalf("%v\n%s", err, te.errOut)
		}
		f, _ := profile.Load(te.ConfigPath)
		p, _ := f.Get("azure")
		if p == nil || p.Model.Endpoint != ep.URL || p.Model.Deployment != "prod-4o" || p.Model.APIVersion != llm.DefaultAzureAPIVersion {
			t.Fatalf("profile = %+v", p)
		}
		if reqs := ep.requests(); len(reqs) != 1 || !strings.Contains(reqs[0], "/openai/") {
			t.Errorf("requests = %q, want one to the resource's /openai/ API", reqs)
		}
	})
	t.Run("a refused key keeps azure's words", func(t *testing.T) {
		te := newTestEnv(t, "bad-key\n")
		err := Run(t.Context(), te.Env, []string{"azure", "--endpoint", ep.URL, "--deployment", "d"})
		if err == nil || !strings.Contains(err.Error(), "refused the key") || !strings.Contains(err.Error(), "endpoint (the resource's region)") {
			t.Fatalf("err = %v", err)
		}
		for _, other := range []string{"login openai", "login github", "bad-key"} {
			if strings.Contains(err.Error(), other) {
				t.Errorf("err names %q: %v", other, err)
			}
		}
	})
	t.Run("--device-code without the flow says so", func(t *testing.T) {
		old := azureDeviceCodeFlow()
		t.Cleanup(func() { SetAzureDeviceCode(old) })
		SetAzureDeviceCode(nil) // a build without the Entra flow
		te := newTestEnv(t, "")
		err := Run(t.Context(), te.Env, []string{"azure", "--device-code"})
		if err == nil || !strings.Contains(err.Error(), "not available") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("--device-code runs the hook", func(t *testing.T) {
		old := azureDeviceCodeFlow()
		t.Cleanup(func() { SetAzureDeviceCode(old) })
		var tenant string
		SetAzureDeviceCode(func(_ context.Context, r *Request) error { tenant = r.Value("tenant"); return nil })
		te := newTestEnv(t, "")
		if err := Run(t.Context(), te.Env, []string{"azure", "--device-code", "--tenant", "contoso"}); err != nil || tenant != "contoso" {
			t.Errorf("err %v, tenant %q", err, tenant)
		}
	})
	t.Run("--tenant without --device-code", func(t *testing.T) {
		te := newTestEnv(t, "")
		var ue *UsageError
		if err := Run(t.Context(), te.Env, []string{"azure", "--tenant", "x"}); !errors.As(err, &ue) {
			t.Errorf("err = %v, want a usage error", err)
		}
	})
}

// TestLoginOpenAINoPassphrase: no keyring, no passphrase, no terminal:
// the login stops before asking for the key and says what to set.
func TestLoginOpenAINoPassphrase(t *testing.T) {
	te := newTestEnv(t, "sk-never-read\n")
	te.OpenStore = func() (SecretStore, error) {
		return secretstore.Open(secretstore.Options{Dir: te.dir, Getenv: te.Getenv, Keyring: noKeyring{}})
	}
	err := Run(t.Context(), te.Env, []string{"openai", "--no-verify"})
	if err == nil || !strings.Contains(err.Error(), "set OSTUI_CONFIG_ENCRYPTION_KEY") {
		t.Fatalf("err = %v", err)
	}
	if strings.Contains(te.errOut.String(), "API key (input hidden)") {
		t.Error("the key was asked for although it could not be stored")
	}
}
