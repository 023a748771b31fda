package login

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/internal/oauth"
	"github.com/kriscelmer/os-tui/internal/oauth/oauthtest"
	"github.com/kriscelmer/os-tui/internal/profile"
)

func TestLoginAzureEntra(t *testing.T) {
	tests := []struct {
		name       string
		b          oauthtest.Behaviour
		args       []string
		env        map[string]string
		wantErr    string
		wantStored []string
		wantModel  *profile.Model
		wantScope  string
	}{
		{
			name:       "device code: tokens stored, profile says oauth",
			b:          oauthtest.Behaviour{Interval: 5, Pending: 1, AccessToken: "eyJ.entra", RefreshToken: "entra-r", TokenExpiresIn: 3600},
			args:       []string{"--tenant", "contoso", "--client-id", "app-1"},
			wantStored: []string{"access_token", "refresh_token", "expiry"},
			wantModel: &profile.Model{Provider: "azure", Endpoint: "https://res.openai.azure.com", Deployment: "gpt4o", APIVersion: "2024-10-21",
				Tenant: "contoso", ClientID: "app-1", Auth: "oauth"},
			wantScope: "https://cognitiveservices.azure.com/.default offline_access",
		},
		{
			name:       "tenant and client from the Azure SDK's variables; scopes chosen",
			b:          oauthtest.Behaviour{AccessToken: "eyJ.entra"},
			args:       []string{"--scopes", "api://x/.default,offline_access"},
			env:        map[string]string{EnvAzureTenantID: "fabrikam", EnvAzureClientID: "app-2"},
			wantStored: []string{"access_token"},
			wantModel: &profile.Model{Provider: "azure", Endpoint: "https://res.openai.azure.com", Deployment: "gpt4o", APIVersion: "2024-10-21",
				Tenant: "fabrikam", ClientID: "app-2", Auth: "oauth", Scopes: []string{"api://x/.default", "offline_access"}},
			wantScope: "api://x/.default offline_access",
		},
		{
			name:    "declined",
			b:       oauthtest.Behaviour{Outcome: "authorization_declined"},
			args:    []string{"--tenant", "contoso", "--client-id", "app-1"},
			wantErr: "declined",
		},
		{
			name:    "no application",
			args:    []string{"--tenant", "contoso"},
			wantErr: "pass --client-id ID or set AZURE_CLIENT_ID",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := oauthtest.NewServer(tt.b)
			defer srv.Close()
			withFakeOAuth(t, nil)
			te := newTestEnv(t, "")
			te.vars[EnvAzureAuthorityHost] = srv.URL
			for k, v := range tt.env {
				te.vars[k] = v
			}
			te.HTTPClient = srv.Client()
			args := append([]string{"azure", "--device-code", "--endpoint", "https://res.openai.azure.com/", "--deployment", "gpt4o"}, tt.args...)
			err := Run(t.Context(), te.Env, args)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if got := storedSecrets(t, te, "provider/azure"); len(got) != 0 {
					t.Errorf("a failed login stored %v", keysOf(got))
				}
				return
			}
			if err != nil {
				t.Fatalf("%v\n%s", err, te.errOut)
			}
			if !strings.Contains(te.errOut.String(), "First copy your one-time code: WDJB-MJHT") {
				t.Errorf("stderr:\n%s", te.errOut)
			}
			if got := srv.Forms()[0].Get("scope"); got != tt.wantScope {
				t.Errorf("scope = %q, want %q", got, tt.wantScope)
			}
			if diff := cmp.Diff(tt.wantStored, keysOf(storedSecrets(t, te, "provider/azure"))); diff != "" {
				t.Errorf("stored (-want +got):\n%s", diff)
			}
			f, err := profile.Load(te.ConfigPath)
			if err != nil {
				t.Fatal(err)
			}
			p, _ := f.Get("azure")
			if diff := cmp.Diff(tt.wantModel, p.Model); diff != "" {
				t.Errorf("profile (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRefreshAzureEntra(t *testing.T) {
	prov, ok := Lookup("azure")
	if !ok || prov.Refresh == nil {
		t.Fatal("the azure provider cannot refresh an Entra token")
	}
	srv := oauthtest.NewServer(oauthtest.Behaviour{AccessToken: "eyJ.new", RefreshToken: "entra-r", TokenExpiresIn: 3600})
	defer srv.Close()
	withFakeOAuth(t, nil)
	te := newTestEnv(t, "")
	st, err := te.OpenStore()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := (oauth.Stored{Store: st, Prefix: "provider/azure"}).Save(t.Context(), &oauth.Token{AccessToken: "eyJ.old", RefreshToken: "entra-r", Expiry: time.Now().Add(-time.Minute)}); err != nil {
		t.Fatal(err)
	}
	p := &profile.Profile{Name: "azure", Model: &profile.Model{Provider: "azure", Auth: "oauth", Tenant: "contoso", ClientID: "app-1", AuthURL: srv.URL}}
	tok, err := prov.Refresh(t.Context(), &Refresh{Profile: p, Credential: "provider/azure", Store: st, HTTPClient: srv.Client()})
	if err != nil || tok != "eyJ.new" {
		t.Fatalf("refresh = %q, %v", tok, err)
	}
	if diff := cmp.Diff([]string{"POST /contoso/oauth2/v2.0/token refresh_token"}, srv.Requests()); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	if got := storedSecrets(t, te, "provider/azure")["access_token"]; got != "eyJ.new" {
		t.Errorf("stored %q", got)
	}
	p.Model.Auth = ""
	if _, err := prov.Refresh(t.Context(), &Refresh{Profile: p, Credential: "provider/azure", Store: st}); err == nil {
		t.Error("an API-key profile was refreshed")
	}
}

func TestEntraConfig(t *testing.T) {
	p := &profile.Profile{Name: "work", Model: &profile.Model{Provider: "azure", Auth: "oauth", Endpoint: "https://res.openai.azure.com", Deployment: "d"}}
	cfg, err := ConfigOf(p)
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.AzureAD || !strings.Contains(cfg.AuthRemedy(), "run `ostui login azure --device-code --profile work`") || strings.Contains(cfg.AuthRemedy(), "AZURE_OPENAI_API_KEY") {
		t.Errorf("AzureAD %v, remedy %q", cfg.AzureAD, cfg.AuthRemedy())
	}
	p.Model.Auth = ""
	if cfg, _ := ConfigOf(p); cfg.AzureAD || strings.Contains(cfg.AuthRemedy(), "--device-code") {
		t.Errorf("an API-key profile: AzureAD %v, remedy %q", cfg.AzureAD, cfg.AuthRemedy())
	}
}
