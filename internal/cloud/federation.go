package cloud

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"

	"github.com/kriscelmer/os-tui/internal/config"
	"github.com/kriscelmer/os-tui/internal/oauth"
	"github.com/kriscelmer/os-tui/internal/termtext"
)

// federatedLogin is an OpenID Connect login, as keystoneauth's v3oidc*
// plugins do it: an access token from the identity provider (the
// password grant, the device authorization grant, or the one given),
// exchanged at Keystone's federation endpoint for an unscoped token,
// which is then scoped to the cloud's project.
func (c *Conn) federatedLogin(ctx context.Context, tac *gophercloud.ProviderClient) error {
	if err := c.cfg.Validate(); err != nil {
		return err
	}
	access, err := c.idpToken(ctx)
	if err != nil {
		return err
	}
	ic, err := openstack.NewIdentityV3(tac, gophercloud.EndpointOpts{})
	if err != nil {
		return err
	}
	unscoped, err := exchange(ctx, ic, c.cfg.IdentityProvider, c.cfg.Protocol, access)
	if err != nil {
		return err
	}
	scoped := *c.cfg
	scoped.AuthType, scoped.Token = config.AuthToken, unscoped
	ao := authOptions(&scoped)
	if err := openstack.AuthenticateV3(ctx, tac, &ao, gophercloud.EndpointOpts{}); err != nil {
		return fmt.Errorf("scope the federated token to %s: %w", scopeName(c.cfg), err)
	}
	return nil
}

func scopeName(c *config.Cloud) string {
	switch {
	case c.ProjectName != "":
		return "project " + c.ProjectName
	case c.ProjectID != "":
		return "project " + c.ProjectID
	case c.DomainName != "":
		return "domain " + c.DomainName
	}
	return "domain " + c.DomainID
}

// exchange trades an identity provider's access token for an unscoped
// Keystone token at /v3/OS-FEDERATION/identity_providers/IDP/protocols/P/auth.
func exchange(ctx context.Context, ic *gophercloud.ServiceClient, idp, protocol, access string) (string, error) {
	u := ic.ServiceURL("OS-FEDERATION", "identity_providers", url.PathEscape(idp), "protocols", url.PathEscape(protocol), "auth")
	resp, err := ic.Request(ctx, http.MethodPost, u, &gophercloud.RequestOpts{ //nolint:bodyclose // gophercloud drains and closes it (KeepResponseBody is false)
		OmitHeaders:      []string{"X-Auth-Token"},
		MoreHeaders:      map[string]string{"Authorization": "Bearer " + access},
		OkCodes:          []int{200, 201},
		KeepResponseBody: false,
	})
	if err != nil {
		return "", fmt.Errorf("exchange the identity provider's token at Keystone (identity provider %q, protocol %q): %w", idp, protocol, err)
	}
	tok := resp.Header.Get("X-Subject-Token")
	if tok == "" {
		return "", fmt.Errorf("the federation endpoint %s answered without a token (no X-Subject-Token header)", u)
	}
	return tok, nil
}

// idpToken is the access token to exchange.
func (c *Conn) idpToken(ctx context.Context) (string, error) {
	cfg := c.cfg
	if cfg.AuthType == config.AuthOIDCAccessToken {
		return cfg.AccessToken, nil
	}
	ep, err := c.idpEndpoints(ctx)
	if err != nil {
		return "", err
	}
	scopes := strings.Fields(cfg.OpenIDScope)
	if len(scopes) == 0 {
		scopes = []string{"openid", "profile"}
	}
	if cfg.AuthType == config.AuthOIDCPassword {
		return c.passwordGrant(ctx, ep.TokenURL, scopes)
	}
	// v3oidcdeviceauthz: the person approves on another device.
	cl := &oauth.Client{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, Endpoints: ep, Scopes: scopes, HTTPClient: c.http, Clock: c.oauthClock}
	dc, err := cl.RequestDeviceCode(ctx)
	if err != nil {
		return "", fmt.Errorf("identity provider of cloud %q: %w", cfg.Name, err)
	}
	w := c.opts.Notice
	if w == nil {
		w = os.Stderr
	}
	if dc.VerificationURIComplete != "" {
		fmt.Fprintf(w, "To log in to cloud %s, open %s\n(or open %s and enter the code %s)\n", cfg.Name, dc.VerificationURIComplete, dc.VerificationURI, dc.UserCode)
	} else {
		fmt.Fprintf(w, "To log in to cloud %s, open %s and enter the code %s\n", cfg.Name, dc.VerificationURI, dc.UserCode)
	}
	tok, err := cl.PollToken(ctx, dc, nil)
	if err != nil {
		return "", fmt.Errorf("identity provider of cloud %q: %w", cfg.Name, err)
	}
	return tok.AccessToken, nil
}

// idpEndpoints are the token and device endpoints: given, else from the
// provider's discovery document.
func (c *Conn) idpEndpoints(ctx context.Context) (oauth.Endpoints, error) {
	ep := oauth.Endpoints{TokenURL: c.cfg.AccessTokenEndpoint, DeviceAuthURL: c.cfg.DeviceAuthorizationEndpoint}
	needDevice := c.cfg.AuthType == config.AuthOIDCDevice && ep.DeviceAuthURL == ""
	if ep.TokenURL != "" && !needDevice {
		return ep, nil
	}
	var doc struct {
		TokenEndpoint  string `json:"token_endpoint"`
		DeviceEndpoint string `json:"device_authorization_endpoint"`
	}
	if err := c.getJSON(ctx, c.cfg.DiscoveryEndpoint, &doc); err != nil {
		return ep, fmt.Errorf("read the identity provider's discovery document (discovery_endpoint of cloud %q): %w", c.cfg.Name, err)
	}
	if ep.TokenURL == "" {
		ep.TokenURL = doc.TokenEndpoint
	}
	if ep.DeviceAuthURL == "" {
		ep.DeviceAuthURL = doc.DeviceEndpoint
	}
	switch {
	case ep.TokenURL == "":
		return ep, fmt.Errorf("the discovery document %s names no token_endpoint: set access_token_endpoint for cloud %q", c.cfg.DiscoveryEndpoint, c.cfg.Name)
	case needDevice && ep.DeviceAuthURL == "":
		return ep, fmt.Errorf("the identity provider of cloud %q has no device_authorization_endpoint (its discovery document names none): it may not support the device flow; use v3oidcpassword or set device_authorization_endpoint", c.cfg.Name)
	}
	return ep, nil
}

func (c *Conn) getJSON(ctx context.Context, u string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	return json.Unmarshal(body, out)
}

// passwordGrant is the resource-owner password grant (RFC 6749 §4.3),
// the client authenticated with HTTP Basic as keystoneauth does.
func (c *Conn) passwordGrant(ctx context.Context, tokenURL string, scopes []string) (string, error) {
	cfg := c.cfg
	form := url.Values{
		"grant_type": {"password"},
		"username":   {cfg.Username},
		"password":   {cfg.Password},
		"scope":      {strings.Join(scopes, " ")},
		"client_id":  {cfg.ClientID},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	if cfg.ClientSecret != "" {
		req.SetBasicAuth(url.QueryEscape(cfg.ClientID), url.QueryEscape(cfg.ClientSecret))
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return "", fmt.Errorf("identity provider of cloud %q: %w", cfg.Name, err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", err
	}
	var tr struct {
		AccessToken string `json:"access_token"`
		IDToken     string `json:"id_token"`
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	_ = json.Unmarshal(body, &tr)
	if tr.Error != "" || resp.StatusCode != http.StatusOK {
		msg := fmt.Sprintf("HTTP %d", resp.StatusCode)
		if tr.Error != "" {
			msg = termtext.Safe(tr.Error)
			if tr.Description != "" {
				msg += ": " + termtext.Safe(tr.Description)
			}
		}
		return "", &AuthError{Cloud: cfg.Name, AuthURL: tokenURL, AuthType: cfg.AuthType,
			Err: fmt.Errorf("the identity provider refused the password of %s: %s (check username, password, client_id and client_secret)", cfg.Username, msg)}
	}
	tok := tr.AccessToken
	if cfg.AccessTokenType == "id_token" {
		tok = tr.IDToken
	}
	if tok == "" {
		return "", fmt.Errorf("the identity provider of cloud %q returned no %s", cfg.Name, orDefaultType(cfg.AccessTokenType))
	}
	return tok, nil
}

func orDefaultType(t string) string {
	if t == "" {
		return "access_token"
	}
	return t
}
