package cloud

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kriscelmer/os-tui/internal/cloud/keystonetest"
	"github.com/kriscelmer/os-tui/internal/config"
)

// fakeIdP is an OpenID Connect provider: discovery, the password grant
// and the device authorization grant (pending once, then approved).
type fakeIdP struct {
	*httptest.Server
	mu       sync.Mutex
	polls    int
	basic    string // the client credentials of the last password grant
	denied   bool
	scopes   []string
	grants   []string
	noDevice bool
}

func newFakeIdP(t *testing.T) *fakeIdP {
	f := &fakeIdP{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		f.mu.Lock()
		defer f.mu.Unlock()
		switch r.URL.Path {
		case "/.well-known/openid-configuration":
			doc := map[string]string{"issuer": f.URL, "token_endpoint": f.URL + "/token"}
			if !f.noDevice {
				doc["device_authorization_endpoint"] = f.URL + "/device"
			}
			_ = json.NewEncoder(w).Encode(doc)
		case "/device":
			_ = r.ParseForm()
			f.scopes = strings.Fields(r.Form.Get("scope"))
			_ = json.NewEncoder(w).Encode(map[string]any{"device_code": "dev-1", "user_code": "ABCD-EFGH",
				"verification_uri": f.URL + "/activate", "expires_in": 600, "interval": 1})
		case "/token":
			_ = r.ParseForm()
			g := r.Form.Get("grant_type")
			f.grants = append(f.grants, g)
			switch g {
			case "password":
				u, p, _ := r.BasicAuth()
				f.basic = u + ":" + p
				f.scopes = strings.Fields(r.Form.Get("scope"))
				if r.Form.Get("username") != "alice" || r.Form.Get("password") != "idp-pw" {
					w.WriteHeader(http.StatusUnauthorized)
					_ = json.NewEncoder(w).Encode(map[string]string{"error": "invalid_grant", "error_description": "Invalid user credentials"})
					return
				}
				_ = json.NewEncoder(w).Encode(map[string]any{"access_token": "idp-access-alice", "id_token": "idp-id-alice", "token_type": "Bearer", "expires_in": 300})
			case "urn:ietf:params:oauth:grant-type:device_code":
				f.polls++
				if f.denied {
					w.WriteHeader(http.StatusBadRequest)
					_ = json.NewEncoder(w).Encode(map[string]string{"error": "access_denied"})
					return
				}
				if f.polls < 2 {
					w.WriteHeader(http.StatusBadRequest)
					_ = json.NewEncoder(w).Encode(map[string]string{"error": "authorization_pending"})
					return
				}
				_ = json.NewEncoder(w).Encode(map[string]any{"access_token": "idp-access-dev", "token_type": "Bearer", "expires_in": 300})
			default:
				w.WriteHeader(http.StatusBadRequest)
				_ = json.NewEncoder(w).Encode(map[string]string{"error": "unsupported_grant_type"})
			}
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(f.Close)
	return f
}

// instantClock never waits.
type instantClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *instantClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *instantClock) Sleep(_ context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return nil
}

func TestFederatedLogin(t *testing.T) {
	tests := []struct {
		name      string
		cfg       func(idp *fakeIdP) config.Cloud
		denied    bool
		noDevice  bool
		wantUser  string
		wantErr   string
		wantGrant string
		wantBasic string
		notice    string
	}{
		{
			name: "password grant with discovery and client secret",
			cfg: func(idp *fakeIdP) config.Cloud {
				return config.Cloud{AuthType: config.AuthOIDCPassword, Username: "alice", Password: "idp-pw", ClientID: "ostui", ClientSecret: "cs",
					DiscoveryEndpoint: idp.URL + "/.well-known/openid-configuration"}
			},
			wantUser: "alice", wantGrant: "password", wantBasic: "ostui:cs",
		},
		{
			name: "password grant, id_token exchanged",
			cfg: func(idp *fakeIdP) config.Cloud {
				return config.Cloud{AuthType: config.AuthOIDCPassword, Username: "alice", Password: "idp-pw", ClientID: "ostui",
					AccessTokenEndpoint: idp.URL + "/token", AccessTokenType: "id_token"}
			},
			wantUser: "alice-id", wantGrant: "password",
		},
		{
			name: "wrong password",
			cfg: func(idp *fakeIdP) config.Cloud {
				return config.Cloud{AuthType: config.AuthOIDCPassword, Username: "alice", Password: "nope", ClientID: "ostui", AccessTokenEndpoint: idp.URL + "/token"}
			},
			wantErr: "refused the password of alice: invalid_grant: Invalid user credentials",
		},
		{
			name: "access token given",
			cfg: func(*fakeIdP) config.Cloud {
				return config.Cloud{AuthType: config.AuthOIDCAccessToken, AccessToken: "idp-access-alice"}
			},
			wantUser: "alice",
		},
		{
			name: "access token Keystone does not accept",
			cfg: func(*fakeIdP) config.Cloud {
				return config.Cloud{AuthType: config.AuthOIDCAccessToken, AccessToken: "stale"}
			},
			wantErr: "identity provider's token may have expired",
		},
		{
			name: "device authorization",
			cfg: func(idp *fakeIdP) config.Cloud {
				return config.Cloud{AuthType: config.AuthOIDCDevice, ClientID: "ostui", DiscoveryEndpoint: idp.URL + "/.well-known/openid-configuration", OpenIDScope: "openid email"}
			},
			wantUser: "device-user", wantGrant: "urn:ietf:params:oauth:grant-type:device_code", notice: "enter the code ABCD-EFGH",
		},
		{
			name: "device authorization declined",
			cfg: func(idp *fakeIdP) config.Cloud {
				return config.Cloud{AuthType: config.AuthOIDCDevice, ClientID: "ostui", DiscoveryEndpoint: idp.URL + "/.well-known/openid-configuration"}
			},
			denied: true, wantErr: "declined",
		},
		{
			name: "device flow not offered",
			cfg: func(idp *fakeIdP) config.Cloud {
				return config.Cloud{AuthType: config.AuthOIDCDevice, ClientID: "ostui", DiscoveryEndpoint: idp.URL + "/.well-known/openid-configuration"}
			},
			noDevice: true, wantErr: "no device_authorization_endpoint",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ks := keystonetest.New(t)
			ks.AccessTokens["idp-access-alice"] = "alice"
			ks.AccessTokens["idp-id-alice"] = "alice-id"
			ks.AccessTokens["idp-access-dev"] = "device-user"
			idp := newFakeIdP(t)
			idp.denied, idp.noDevice = tt.denied, tt.noDevice
			cfg := tt.cfg(idp)
			cfg.Name, cfg.AuthURL, cfg.IdentityProvider, cfg.Protocol = "sso", ks.AuthURL(), "myidp", "openid"
			cfg.ProjectName, cfg.ProjectDomainName, cfg.Region, cfg.Interface = "demo", "Default", "RegionOne", "public"
			var notice bytes.Buffer
			c := New(&cfg, Options{Notice: &notice})
			c.oauthClock = &instantClock{now: time.Now()}
			info, err := c.TokenInfo(t.Context())
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(c.Explain(err).Error(), tt.wantErr) {
					t.Fatalf("err %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if info.UserName != tt.wantUser || info.ProjectID != "p1" {
				t.Errorf("token for %q in %q, want %q in p1", info.UserName, info.ProjectID, tt.wantUser)
			}
			// One exchange, then one scoping request with the token method.
			if ks.Count("POST /v3/OS-FEDERATION/identity_providers/myidp/protocols/openid/auth") != 1 || ks.Count("POST /v3/auth/tokens") != 1 {
				t.Errorf("requests %v", ks.Requests)
			}
			if !strings.Contains(ks.Bodies[len(ks.Bodies)-1], `"methods":["token"]`) || !strings.Contains(ks.Bodies[len(ks.Bodies)-1], `"project"`) {
				t.Errorf("scoping body %s", ks.Bodies[len(ks.Bodies)-1])
			}
			if tt.wantGrant != "" && (len(idp.grants) == 0 || idp.grants[len(idp.grants)-1] != tt.wantGrant) {
				t.Errorf("grants %v, want %s", idp.grants, tt.wantGrant)
			}
			if idp.basic != tt.wantBasic && tt.wantBasic != "" {
				t.Errorf("client auth %q, want %q", idp.basic, tt.wantBasic)
			}
			if tt.notice != "" && !strings.Contains(notice.String(), tt.notice) {
				t.Errorf("notice %q, want %q", notice.String(), tt.notice)
			}
			if cfg.AuthType == config.AuthOIDCDevice && strings.Join(idp.scopes, " ") != "openid email" {
				t.Errorf("scopes %v", idp.scopes)
			}
		})
	}
}

// A federated cloud missing a key is refused before any request.
func TestFederatedLoginRefusesMissingKeys(t *testing.T) {
	ks := keystonetest.New(t)
	cfg := config.Cloud{Name: "sso", AuthType: config.AuthOIDCPassword, AuthURL: ks.AuthURL(), IdentityProvider: "myidp", Protocol: "openid",
		ProjectName: "demo", Username: "alice", Password: "pw"}
	_, err := New(&cfg, Options{}).TokenInfo(t.Context())
	if err == nil || !strings.Contains(err.Error(), "client_id") || !strings.Contains(err.Error(), "OS_CLIENT_ID") {
		t.Errorf("err %v, want the missing client_id named", err)
	}
	if len(ks.Requests) != 0 {
		t.Errorf("requests were made: %v", ks.Requests)
	}
}
