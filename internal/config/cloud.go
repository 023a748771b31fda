package config

import (
	"fmt"
	"sort"
	"strings"
)

// Auth types ostui supports, after aliases ("v3password", "v3token") are
// folded into them.
const (
	AuthPassword              = "password"
	AuthApplicationCredential = "v3applicationcredential"
	AuthToken                 = "token"
	// AuthTOTP sends a TOTP passcode, and the password too when one is
	// set: that satisfies a Keystone multi-factor rule in one request.
	// v3multifactor is folded into it.
	AuthTOTP = "v3totp"
	// AuthOIDCPassword gets an access token from the identity provider
	// with the resource-owner password grant, then exchanges it at
	// Keystone's federation endpoint.
	AuthOIDCPassword = "v3oidcpassword"
	// AuthOIDCAccessToken exchanges an access token the person already
	// holds.
	AuthOIDCAccessToken = "v3oidcaccesstoken"
	// AuthOIDCDevice gets the access token with the OAuth 2.0 device
	// authorization grant (RFC 8628): the person opens a URL and types a
	// code.
	AuthOIDCDevice = "v3oidcdeviceauthz"
)

// Federated reports whether the cloud logs in through an OpenID Connect
// identity provider and Keystone's federation endpoint.
func (c *Cloud) Federated() bool {
	switch c.AuthType {
	case AuthOIDCPassword, AuthOIDCAccessToken, AuthOIDCDevice:
		return true
	}
	return false
}

// Cloud is one resolved cloud: every setting ostui needs to authenticate,
// with where each came from. It holds secrets; print it with String
// (which is Redacted), never with %#v.
type Cloud struct {
	// Name is the clouds.yaml name, or "envvars" when only OS_* variables
	// and flags describe the cloud.
	Name     string
	AuthType string // one of the Auth* constants
	AuthURL  string

	Username string
	UserID   string
	Password string

	ProjectName string
	ProjectID   string

	// The user's domain and the project's domain are kept apart: a user in
	// one domain may work in a project of another.
	UserDomainName    string
	UserDomainID      string
	ProjectDomainName string
	ProjectDomainID   string
	// DomainName and DomainID scope the token to a domain; set only when
	// no project is given.
	DomainName string
	DomainID   string

	Token                       string
	ApplicationCredentialID     string
	ApplicationCredentialName   string
	ApplicationCredentialSecret string

	// Passcode is a TOTP passcode (v3totp); it is good for one login, so
	// it usually comes from a prompt rather than a file.
	Passcode string

	// OpenID Connect federation (v3oidc*), with keystoneauth's names.
	IdentityProvider string // Keystone's identity provider ID
	Protocol         string // the federation protocol, usually "openid"
	ClientID         string
	ClientSecret     string
	// DiscoveryEndpoint is the IdP's .well-known/openid-configuration;
	// it names the token and device endpoints unless they are given.
	DiscoveryEndpoint           string
	AccessTokenEndpoint         string
	DeviceAuthorizationEndpoint string
	// AccessToken is the token v3oidcaccesstoken exchanges.
	AccessToken string
	// OpenIDScope is what to ask the IdP for ("openid profile" unless set).
	OpenIDScope string
	// AccessTokenType is the field of the IdP's answer to exchange:
	// "access_token" (default) or "id_token".
	AccessTokenType string

	Region    string
	Interface string // "public" (default), "internal" or "admin"

	// Insecure turns TLS verification off; only an explicit setting
	// (verify: false, OS_INSECURE=true, --insecure) sets it.
	Insecure bool
	CACert   string // CA bundle to trust
	Cert     string // client certificate
	Key      string // client key

	// ConfigFile and SecureFile are the files read ("" when none).
	ConfigFile string
	SecureFile string

	// Sources maps each setting (by its clouds.yaml key) to where it came
	// from: "flag --os-region-name", "env OS_PASSWORD",
	// "clouds.yaml /home/a/.config/openstack/clouds.yaml", "default".
	Sources map[string]string
}

// secretKeys are never printed.
var secretKeys = map[string]bool{
	"password":                      true,
	"token":                         true,
	"application_credential_secret": true,
	"passcode":                      true,
	"client_secret":                 true,
	"access_token":                  true,
}

// fields returns the settings by clouds.yaml key, for printing.
func (c *Cloud) fields() map[string]string {
	return map[string]string{
		"auth_type":                     c.AuthType,
		"auth_url":                      c.AuthURL,
		"username":                      c.Username,
		"user_id":                       c.UserID,
		"password":                      c.Password,
		"project_name":                  c.ProjectName,
		"project_id":                    c.ProjectID,
		"user_domain_name":              c.UserDomainName,
		"user_domain_id":                c.UserDomainID,
		"project_domain_name":           c.ProjectDomainName,
		"project_domain_id":             c.ProjectDomainID,
		"domain_name":                   c.DomainName,
		"domain_id":                     c.DomainID,
		"token":                         c.Token,
		"application_credential_id":     c.ApplicationCredentialID,
		"application_credential_name":   c.ApplicationCredentialName,
		"application_credential_secret": c.ApplicationCredentialSecret,
		"passcode":                      c.Passcode,
		"identity_provider":             c.IdentityProvider,
		"protocol":                      c.Protocol,
		"client_id":                     c.ClientID,
		"client_secret":                 c.ClientSecret,
		"discovery_endpoint":            c.DiscoveryEndpoint,
		"access_token_endpoint":         c.AccessTokenEndpoint,
		"device_authorization_endpoint": c.DeviceAuthorizationEndpoint,
		"access_token":                  c.AccessToken,
		"openid_scope":                  c.OpenIDScope,
		"access_token_type":             c.AccessTokenType,
		"region_name":                   c.Region,
		"interface":                     c.Interface,
		"cacert":                        c.CACert,
		"cert":                          c.Cert,
		"key":                           c.Key,
	}
}

// Redacted describes the cloud one setting a line, with its source, and
// secrets replaced by "<redacted>" (never their length or a prefix).
func (c *Cloud) Redacted() string {
	if c == nil {
		return "<no cloud>"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "cloud: %s\n", c.Name)
	f := c.fields()
	keys := make([]string, 0, len(f))
	for k, v := range f {
		if v != "" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := f[k]
		if secretKeys[k] {
			v = "<redacted>"
		}
		fmt.Fprintf(&b, "%s: %s", k, v)
		if src := c.Sources[k]; src != "" {
			fmt.Fprintf(&b, "  (%s)", src)
		}
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "verify: %t", !c.Insecure)
	if src := c.Sources["insecure"]; src != "" {
		fmt.Fprintf(&b, "  (%s)", src)
	}
	b.WriteByte('\n')
	return b.String()
}

// String is Redacted, so that %v and %s never leak a secret.
func (c *Cloud) String() string { return c.Redacted() }

// GoString is Redacted too, so that %#v does not leak a secret either.
func (c *Cloud) GoString() string { return c.Redacted() }
