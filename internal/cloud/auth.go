package cloud

import (
	"context"
	"fmt"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/tokens"

	"github.com/kriscelmer/os-tui/internal/config"
)

// authOptions translates the cloud into gophercloud's terms. The user's
// domain goes with the user and the project's domain into the scope, so
// the two stay separate.
func authOptions(cfg *config.Cloud) gophercloud.AuthOptions {
	ao := gophercloud.AuthOptions{IdentityEndpoint: cfg.AuthURL}
	userDomain := func() {
		if cfg.UserID != "" {
			return // an ID is unique without a domain; Keystone rejects both
		}
		if cfg.UserDomainID != "" {
			ao.DomainID = cfg.UserDomainID
		} else {
			ao.DomainName = cfg.UserDomainName
		}
	}
	switch cfg.AuthType {
	case config.AuthApplicationCredential:
		ao.ApplicationCredentialID = cfg.ApplicationCredentialID
		ao.ApplicationCredentialName = cfg.ApplicationCredentialName
		ao.ApplicationCredentialSecret = cfg.ApplicationCredentialSecret
		if cfg.ApplicationCredentialID == "" {
			ao.Username, ao.UserID = cfg.Username, cfg.UserID
			userDomain()
		}
		// An application credential carries its own project scope.
		return ao
	case config.AuthToken:
		ao.TokenID = cfg.Token
	default:
		ao.Username, ao.UserID, ao.Password = cfg.Username, cfg.UserID, cfg.Password
		userDomain()
	}
	switch {
	case cfg.ProjectID != "":
		ao.Scope = &gophercloud.AuthScope{ProjectID: cfg.ProjectID}
	case cfg.ProjectName != "":
		s := &gophercloud.AuthScope{ProjectName: cfg.ProjectName}
		if cfg.ProjectDomainID != "" {
			s.DomainID = cfg.ProjectDomainID
		} else {
			s.DomainName = cfg.ProjectDomainName
		}
		ao.Scope = s
	case cfg.DomainID != "":
		ao.Scope = &gophercloud.AuthScope{DomainID: cfg.DomainID}
	case cfg.DomainName != "":
		ao.Scope = &gophercloud.AuthScope{DomainName: cfg.DomainName}
	}
	return ao
}

// tokenResult is what both a token create (POST) and a token get (GET,
// for an unscoped token passed through) return.
type tokenResult interface {
	ExtractToken() (*tokens.Token, error)
	ExtractServiceCatalog() (*tokens.ServiceCatalog, error)
	ExtractUser() (*tokens.User, error)
	ExtractProject() (*tokens.Project, error)
	ExtractRoles() ([]tokens.Role, error)
}

// login asks Keystone for a new token on a throwaway provider (no token,
// no re-auth, so a failed login cannot recurse) and returns it as a cache
// entry.
func (c *Conn) login(ctx context.Context) (*cacheEntry, gophercloud.AuthResult, error) {
	if err := c.cfg.Validate(); err != nil {
		return nil, nil, err
	}
	tac, err := openstack.NewClient(c.cfg.AuthURL)
	if err != nil {
		return nil, nil, fmt.Errorf("auth_url %q of cloud %q: %w", c.cfg.AuthURL, c.cfg.Name, err)
	}
	tac.HTTPClient = *c.http
	tac.UserAgent = c.userAgent()
	// Logging in changes nothing in the cloud: a preflight (read-only
	// context) may be a session's first call, and a federated login
	// posts to the identity provider and the federation endpoint.
	ctx = context.WithValue(ctx, readOnlyKey{}, false)
	if err := c.authenticate(ctx, tac); err != nil {
		return nil, nil, &AuthError{Cloud: c.cfg.Name, AuthURL: c.cfg.AuthURL, AuthType: c.cfg.AuthType, Err: err}
	}
	res := tac.GetAuthResult()
	var tr tokenResult
	switch r := res.(type) {
	case tokens.CreateResult:
		tr = r
	case tokens.GetResult:
		tr = r
	default:
		return nil, nil, fmt.Errorf("authenticate to %s: unexpected result %T", c.cfg.AuthURL, res)
	}
	e, err := entryFrom(tr)
	if err != nil {
		return nil, nil, fmt.Errorf("authenticate to %s: read token: %w", c.cfg.AuthURL, err)
	}
	e.Cloud, e.AuthURL = c.cfg.Name, c.cfg.AuthURL
	return e, res, nil
}

func entryFrom(tr tokenResult) (*cacheEntry, error) {
	tok, err := tr.ExtractToken()
	if err != nil {
		return nil, err
	}
	cat, err := tr.ExtractServiceCatalog()
	if err != nil {
		return nil, err
	}
	e := &cacheEntry{Version: cacheVersion, TokenID: tok.ID, ExpiresAt: tok.ExpiresAt, Catalog: cat.Entries}
	if e.ExpiresAt.IsZero() {
		// No expiry in the body: treat it as short-lived rather than forever.
		e.ExpiresAt = time.Now().Add(refreshBefore + time.Minute)
	}
	if u, err := tr.ExtractUser(); err == nil && u != nil {
		e.User = *u
	}
	if p, err := tr.ExtractProject(); err == nil && p != nil {
		e.Project = p
	}
	if roles, err := tr.ExtractRoles(); err == nil {
		for _, r := range roles {
			e.Roles = append(e.Roles, r.Name)
		}
	}
	return e, nil
}

// AuthError is a failed login: Explain turns it into advice.
type AuthError struct {
	Cloud    string
	AuthURL  string
	AuthType string
	Err      error
}

func (e *AuthError) Error() string {
	return fmt.Sprintf("authenticate to %s (cloud %q): %v", e.AuthURL, e.Cloud, e.Err)
}

func (e *AuthError) Unwrap() error { return e.Err }
