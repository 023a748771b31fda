package config

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The federated and TOTP auth types read keystoneauth's keys from
// clouds.yaml and the OS_* variables, and never print their secrets.
func TestLoadFederatedAndTOTP(t *testing.T) {
	clouds := `clouds:
  sso:
    auth_type: v3oidcpassword
    auth:
      auth_url: http://k/v3
      identity_provider: myidp
      protocol: openid
      client_id: ostui
      client_secret: s3cret-client
      discovery_endpoint: https://idp/.well-known/openid-configuration
      username: alice
      password: pw
      project_name: demo
      openid_scope: openid email
  device:
    auth_type: v3oidcdeviceauthz
    auth:
      auth_url: http://k/v3
      identity_provider: myidp
      protocol: openid
      client_id: ostui
      device_authorization_endpoint: https://idp/device
      access_token_endpoint: https://idp/token
      project_id: p1
  mfa:
    auth_type: v3multifactor
    auth:
      auth_url: http://k/v3
      username: bob
      project_name: demo
`
	e := home(t, map[string]string{"clouds.yaml": clouds}, nil)
	got, _, err := Load(Flags{Cloud: "sso"}, e.get)
	if err != nil {
		t.Fatal(err)
	}
	want := Cloud{AuthType: AuthOIDCPassword, IdentityProvider: "myidp", Protocol: "openid", ClientID: "ostui",
		ClientSecret: "s3cret-client", DiscoveryEndpoint: "https://idp/.well-known/openid-configuration",
		Username: "alice", Password: "pw", ProjectName: "demo", OpenIDScope: "openid email"}
	if diff := cmp.Diff(want, Cloud{AuthType: got.AuthType, IdentityProvider: got.IdentityProvider, Protocol: got.Protocol,
		ClientID: got.ClientID, ClientSecret: got.ClientSecret, DiscoveryEndpoint: got.DiscoveryEndpoint,
		Username: got.Username, Password: got.Password, ProjectName: got.ProjectName, OpenIDScope: got.OpenIDScope}); diff != "" {
		t.Errorf("sso (-want +got):\n%s", diff)
	}
	if got.UserDomainName != "" || got.UserDomainID != "" {
		t.Errorf("a federated user got a Keystone user domain: %q %q", got.UserDomainName, got.UserDomainID)
	}
	if !got.Federated() {
		t.Error("v3oidcpassword is not Federated")
	}
	if err := got.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
	if s := got.String(); strings.Contains(s, "s3cret-client") || strings.Contains(s, "pw\n") {
		t.Errorf("String leaks a secret:\n%s", s)
	}

	// OS_* variables name the same keys.
	e["OS_ACCESS_TOKEN"] = "at-123"
	e["OS_AUTH_TYPE"] = "v3oidcaccesstoken"
	got, _, err = Load(Flags{Cloud: "device"}, e.get)
	if err != nil {
		t.Fatal(err)
	}
	if got.AuthType != AuthOIDCAccessToken || got.AccessToken != "at-123" || got.Sources["access_token"] != "env OS_ACCESS_TOKEN" {
		t.Errorf("env: got %s %q from %q", got.AuthType, got.AccessToken, got.Sources["access_token"])
	}
	delete(e, "OS_AUTH_TYPE")
	delete(e, "OS_ACCESS_TOKEN")
	got, _, err = Load(Flags{Cloud: "device"}, e.get)
	if err != nil {
		t.Fatal(err)
	}
	if got.AuthType != AuthOIDCDevice || got.DeviceAuthorizationEndpoint != "https://idp/device" || got.Validate() != nil {
		t.Errorf("device: %s %q %v", got.AuthType, got.DeviceAuthorizationEndpoint, got.Validate())
	}

	e["OS_PASSCODE"] = "123456"
	got, _, err = Load(Flags{Cloud: "mfa"}, e.get)
	if err != nil {
		t.Fatal(err)
	}
	if got.AuthType != AuthTOTP || got.Passcode != "123456" || got.UserDomainName != "Default" {
		t.Errorf("mfa: %s passcode %q domain %q", got.AuthType, got.Passcode, got.UserDomainName)
	}
	if strings.Contains(got.String(), "123456") {
		t.Error("String leaks the passcode")
	}
}

// A federated cloud missing a key is refused with the key and its OS_*
// variable named.
func TestValidateFederated(t *testing.T) {
	full := func(at string) Cloud {
		return Cloud{Name: "sso", AuthType: at, IdentityProvider: "idp", Protocol: "openid", ProjectName: "demo",
			ClientID: "c", Username: "u", Password: "p", DiscoveryEndpoint: "https://idp/.well-known", AccessToken: "a"}
	}
	tests := []struct {
		name string
		edit func(*Cloud)
		at   string
		want string
	}{
		{"password ok", func(*Cloud) {}, AuthOIDCPassword, ""},
		{"no identity provider", func(c *Cloud) { c.IdentityProvider = "" }, AuthOIDCPassword, "identity_provider"},
		{"no protocol", func(c *Cloud) { c.Protocol = "" }, AuthOIDCAccessToken, "OS_PROTOCOL"},
		{"no project", func(c *Cloud) { c.ProjectName = "" }, AuthOIDCDevice, "project_name or project_id"},
		{"password: no client", func(c *Cloud) { c.ClientID = "" }, AuthOIDCPassword, "OS_CLIENT_ID"},
		{"password: no password", func(c *Cloud) { c.Password = "" }, AuthOIDCPassword, "OS_PASSWORD"},
		{"password: no endpoint", func(c *Cloud) { c.DiscoveryEndpoint = "" }, AuthOIDCPassword, "discovery_endpoint or access_token_endpoint"},
		{"access token ok", func(c *Cloud) { c.ClientID, c.Password = "", "" }, AuthOIDCAccessToken, ""},
		{"access token missing", func(c *Cloud) { c.AccessToken = "" }, AuthOIDCAccessToken, "OS_ACCESS_TOKEN"},
		{"device ok", func(c *Cloud) { c.Password = "" }, AuthOIDCDevice, ""},
		{"device: endpoints", func(c *Cloud) { c.DiscoveryEndpoint, c.AccessTokenEndpoint = "", "https://t" }, AuthOIDCDevice, "device_authorization_endpoint"},
		{"totp needs a user", func(c *Cloud) { c.Username = "" }, AuthTOTP, "OS_USERNAME"},
		{"totp without passcode is valid (asked at login)", func(c *Cloud) {}, AuthTOTP, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := full(tt.at)
			tt.edit(&c)
			err := c.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("Validate: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("Validate: %v, want an error containing %q", err, tt.want)
			}
		})
	}
}
