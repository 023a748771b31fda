package profile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestBeforeProfilesLoadsWithNothingLost: a config written before
// profiles loads as it was, and a profile added and saved keeps every
// old setting, including keys this version does not know.
func TestBeforeProfilesLoadsWithNothingLost(t *testing.T) {
	src, err := os.ReadFile("testdata/before-profiles.yaml")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "ostui", "config.yaml")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, src, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	want := LegacyModel{Provider: "azure", AzureEndpoint: "https://contoso.openai.azure.com", AzureDeployment: "gpt-4o", APIVersion: "2024-10-21", Name: "gpt-4o"}
	if diff := cmp.Diff(want, f.Model); diff != "" {
		t.Errorf("model section (-want +got):\n%s", diff)
	}
	if f.SecretBackend != "file" || len(f.Profiles) != 0 || f.DefaultProfile != "" {
		t.Errorf("secret_backend %q, profiles %v, default %q", f.SecretBackend, f.Names(), f.DefaultProfile)
	}

	f.Upsert("work").Model = &Model{Provider: ProviderOpenAI, Model: "gpt-4.1-mini"}
	f.DefaultProfile = "work"
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
	again, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(f.Model, again.Model); diff != "" {
		t.Errorf("model section after a save (-want +got):\n%s", diff)
	}
	b, _ := os.ReadFile(path)
	for _, keep := range []string{"accent: cyan", "secret_backend: file", "default_profile: work", "azure_deployment: gpt-4o"} {
		if !strings.Contains(string(b), keep) {
			t.Errorf("saved file lost %q:\n%s", keep, b)
		}
	}
	fi, _ := os.Stat(path)
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("config is %v, want 0600", fi.Mode().Perm())
	}
}

func TestProfileRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new", "config.yaml")
	f, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	f.DefaultProfile = "lab"
	f.Upsert("lab").Cloud = &Cloud{Name: "devcloud"}
	f.Profiles["lab"].Model = &Model{Provider: ProviderLocal, Endpoint: "http://127.0.0.1:8080/v1", Model: "qwen"}
	f.Upsert("fed").Cloud = &Cloud{AuthType: "v3oidcdeviceauthz", Auth: map[string]string{"auth_url": "https://keystone/v3", "identity_provider": "idp"}}
	f.Upsert("gh").Model = &Model{Provider: ProviderGitHub, Scopes: []string{"models:read"}, Auth: AuthOAuth}
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	if !strings.Contains(string(b), "cloud: devcloud") {
		t.Errorf("a cloud that is only a name is not written as one:\n%s", b)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	for _, name := range []string{"lab", "fed", "gh"} {
		if diff := cmp.Diff(f.Profiles[name], got.Profiles[name]); diff != "" {
			t.Errorf("profile %s (-want +got):\n%s", name, diff)
		}
	}
	dir, _ := os.Stat(filepath.Dir(path))
	if dir.Mode().Perm() != 0o700 {
		t.Errorf("folder is %v, want 0700", dir.Mode().Perm())
	}
	if got.Profiles["gh"].CredentialOf() != "provider/github/gh" || got.Profiles["lab"].CredentialOf() != "provider/local/lab" {
		t.Errorf("credentials %q %q", got.Profiles["gh"].CredentialOf(), got.Profiles["lab"].CredentialOf())
	}
}

// TestSchemaRefuses: the schema keeps secrets out of the file and names
// where a mistake is.
func TestSchemaRefuses(t *testing.T) {
	tests := []struct{ name, doc, want string }{
		{"an inline api key", "profiles:\n  work:\n    model:\n      provider: openai\n      api_key: sk-123\n", "/profiles/work/model"},
		{"a password in a cloud's auth", "profiles:\n  p:\n    cloud:\n      auth:\n        auth_url: https://k\n        password: x\n", "/profiles/p/cloud"},
		{"an unknown provider", "profiles:\n  p:\n    model:\n      provider: anthropic\n", "/profiles/p/model/provider"},
		{"a model without a provider", "profiles:\n  p:\n    model:\n      model: x\n", "/profiles/p/model"},
		{"a bad profile name", "profiles:\n  \"a b\":\n    cloud: x\n", "'a b' does not match"},
		{"a bad backend", "secret_backend: cloud\n", "/secret_backend"},
		{"a typo in the legacy model", "model:\n  base_ulr: x\n", "/model"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Validate([]byte(tt.doc))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Validate = %v, want a problem at %s", err, tt.want)
			}
			if err != nil && strings.Contains(err.Error(), "sk-123") {
				t.Errorf("the error quotes the secret: %v", err)
			}
		})
	}
	if err := Validate([]byte("")); err != nil {
		t.Errorf("an empty file: %v", err)
	}
}
