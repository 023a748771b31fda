package login

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/kriscelmer/os-tui/agent/llm"
	"github.com/kriscelmer/os-tui/internal/oauth"
	"github.com/kriscelmer/os-tui/internal/profile"
)

// Environment variables the Entra sign-in reads when neither a flag nor
// the profile says: the names the Azure SDKs and CLI use, so a machine
// set up for them needs nothing more.
const (
	EnvAzureTenantID = "AZURE_TENANT_ID"
	EnvAzureClientID = "AZURE_CLIENT_ID"
	// EnvAzureAuthorityHost is the login host of a sovereign cloud
	// (https://login.microsoftonline.us) or a test server.
	EnvAzureAuthorityHost = "AZURE_AUTHORITY_HOST"
)

// The azure provider (azure.go) runs this file's device-code flow for
// --device-code and refreshes its tokens with refreshAzureEntra.
func init() { SetAzureDeviceCode(runAzureEntra) }

// entraClient is the OAuth client of m's tenant and application.
func entraClient(m *profile.Model, hc *http.Client, getenv func(string) string, scopes []string) (*oauth.Client, error) {
	env := func(k string) string {
		if getenv == nil {
			return ""
		}
		return strings.TrimSpace(getenv(k))
	}
	tenant, clientID, authority := m.Tenant, m.ClientID, m.AuthURL
	if tenant == "" {
		tenant = env(EnvAzureTenantID)
	}
	if clientID == "" {
		clientID = env(EnvAzureClientID)
	}
	if authority == "" {
		authority = env(EnvAzureAuthorityHost)
	}
	if clientID == "" {
		return nil, errors.New("no Entra application to sign in with: register one (public client flows allowed, API permission Azure Cognitive Services user_impersonation), then pass --client-id ID or set " + EnvAzureClientID)
	}
	ep, err := oauth.Entra(authority, tenant)
	if err != nil {
		return nil, err
	}
	if scopes == nil {
		scopes = m.Scopes
	}
	if scopes == nil {
		scopes = oauth.EntraCognitiveScopes
	}
	return &oauth.Client{ClientID: clientID, Endpoints: ep, Scopes: scopes, HTTPClient: hc, Clock: oauthClock}, nil
}

// runAzureEntra is `ostui login azure --device-code`: Microsoft Entra ID's
// device code flow for an Azure OpenAI resource, whose token is sent as a
// bearer token instead of the resource's API key.
func runAzureEntra(ctx context.Context, req *Request) error {
	m, err := AzureModel(req)
	if err != nil {
		return err
	}
	c, err := entraClient(&m, req.Client(), req.getenv, req.Scopes)
	if err != nil {
		return err
	}
	m.Auth = profile.AuthOAuth
	m.ClientID = c.ClientID
	if m.Tenant == "" {
		m.Tenant = strings.TrimSpace(req.getenv(EnvAzureTenantID))
	}
	if req.Scopes != nil {
		m.Scopes = req.Scopes
	}
	p := &profile.Profile{Name: req.ProfileName, Model: &m}
	cred := p.CredentialOf()
	if req.SaveSecret {
		if req.Store == nil {
			return errors.New("no secret store is available; use --no-save-secret to use the token for this session only")
		}
		where, err := req.Store.Where(ctx)
		if err != nil {
			return fmt.Errorf("the token could not be stored: %w", err)
		}
		fmt.Fprintf(req.IO.ErrOut, "the token will be stored in %s\n", where)
	}
	tok, err := deviceLogin(ctx, req, c, "Microsoft Entra ID")
	if err != nil {
		return oauthAdvice(err, req)
	}
	if req.SaveSecret {
		where, err := oauth.Stored{Store: tokenStore(req.Store), Prefix: cred}.Save(ctx, tok)
		if err != nil {
			return fmt.Errorf("store the token: %w", err)
		}
		fmt.Fprintf(req.IO.ErrOut, "%s stored in %s\n", profile.SecretKey(cred, profile.FieldAccessToken), where)
	} else if err := req.StoreSecret(ctx, profile.SecretKey(cred, profile.FieldAccessToken), tok.AccessToken); err != nil {
		return err
	}
	if err := req.SaveProfile(func(dst *profile.Profile) error {
		dst.Model = &m
		return nil
	}); err != nil {
		return err
	}
	msg := fmt.Sprintf("logged in to azure with Microsoft Entra ID (profile %s, deployment %s)", req.ProfileName, m.Deployment)
	if tok.RefreshToken != "" {
		msg += "; the token is refreshed when it expires"
	}
	fmt.Fprintln(req.IO.Out, msg)
	shadowedBy(req, llm.EnvAzureKey)
	return nil
}

// refreshAzureEntra renews an expired Entra token of an azure profile.
// A profile that uses an API key has nothing to refresh.
func refreshAzureEntra(ctx context.Context, r *Refresh) (string, error) {
	if r.Profile == nil || r.Profile.Model == nil || r.Profile.Model.Auth != profile.AuthOAuth {
		return "", errors.New("this azure profile uses an API key, which does not expire")
	}
	c, err := entraClient(r.Profile.Model, r.HTTPClient, r.Getenv, nil)
	if err != nil {
		return "", err
	}
	return refreshStored(ctx, c, oauth.Stored{Store: tokenStore(r.Store), Prefix: r.Credential})
}

// entraRemedy is what to do when Azure refuses an Entra token: sign in
// again, or get the role that lets an Entra identity call the resource
// (an API key's advice — check AZURE_OPENAI_API_KEY — would mislead).
func entraRemedy(p *profile.Profile) string {
	cmd := "ostui login azure --device-code"
	if p.Name != "" && p.Name != profile.ProviderAzure {
		cmd += " --profile " + p.Name
	}
	return "run `" + cmd + "`; your account needs a role such as Cognitive Services OpenAI User on the resource"
}
