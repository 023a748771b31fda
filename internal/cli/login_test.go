package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kriscelmer/os-tui/internal/config"
	"github.com/kriscelmer/os-tui/internal/profile"
)

// TestStartProfileCloud: which cloud a run gets from the profiles —
// --os-cloud beats everything, --profile beats OS_CLOUD, the default
// profile yields to OS_CLOUD and an openrc's OS_AUTH_URL.
func TestStartProfileCloud(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yaml")
	conf := `default_profile: work
profiles:
  work:
    cloud: prod
  lab:
    cloud:
      auth:
        auth_url: http://127.0.0.1:5000/v3
        username: demo
        project_name: demo
      region_name: RegionOne
  fed:
    cloud:
      auth_type: v3oidcpassword
      auth:
        auth_url: https://keystone/v3
  modelonly:
    model:
      provider: local
      endpoint: http://127.0.0.1:8080/v1
`
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		flags     config.Flags
		env       map[string]string
		profile   string
		wantCloud string
		wantURL   string
		wantErr   string
	}{
		{name: "the default profile's cloud", wantCloud: "prod"},
		{name: "--os-cloud beats it", flags: config.Flags{Cloud: "mine"}, wantCloud: "mine"},
		{name: "OS_CLOUD beats the default profile", env: map[string]string{"OS_CLOUD": "envcloud"}},
		{name: "an openrc beats the default profile", env: map[string]string{"OS_AUTH_URL": "http://x"}},
		{name: "--profile beats OS_CLOUD", profile: "work", env: map[string]string{"OS_CLOUD": "envcloud"}, wantCloud: "prod"},
		{name: "--os-cloud beats --profile", profile: "work", flags: config.Flags{Cloud: "mine"}, wantCloud: "mine"},
		{name: "an auth block fills the flags", profile: "lab", wantURL: "http://127.0.0.1:5000/v3"},
		{name: "a profile with only a model leaves the cloud alone", profile: "modelonly"},
		{name: "an unknown profile lists the known", profile: "nope", wantErr: "profiles: fed, lab, modelonly, work"},
		{name: "an auth type the flags cannot carry", profile: "fed", wantErr: "needs a clouds.yaml entry"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{"OSTUI_CONFIG": path}
			for k, v := range tt.env {
				env[k] = v
			}
			flags := tt.flags
			err := startProfile(&flags, func(k string) string { return env[k] }, tt.profile)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if flags.Cloud != tt.wantCloud || flags.AuthURL != tt.wantURL {
				t.Errorf("flags cloud %q auth URL %q, want %q %q", flags.Cloud, flags.AuthURL, tt.wantCloud, tt.wantURL)
			}
			if tt.profile == "lab" && (flags.Username != "demo" || flags.Region != "RegionOne") {
				t.Errorf("auth block not applied: %+v", flags)
			}
		})
	}
}

func TestDescribeProfileNamesNoSecret(t *testing.T) {
	p := &profile.Profile{Name: "work", Cloud: &profile.Cloud{Name: "prod"},
		Model: &profile.Model{Provider: "azure", Endpoint: "https://x.openai.azure.com", Deployment: "gpt-4o", Credential: "provider/azure/work"}}
	got := describeProfile(p, true, true)
	want := "* work  cloud prod  model azure gpt-4o at https://x.openai.azure.com  (default)"
	if got != want {
		t.Errorf("describeProfile = %q, want %q", got, want)
	}
}

func TestLoginCompletionKnowsEveryProvider(t *testing.T) {
	if got := loginProviderWords(); got != loginProviders {
		t.Errorf("loginProviders = %q, but the registry has %q: update the constant", loginProviders, got)
	}
}
