package tools

// Who the session is: other services' tools need its project and roles
// (quota, network sharing) and may import no tool package but this root.

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/tokens"
)

// Identity is what the current token says about the session. It never
// holds the token itself.
type Identity struct {
	UserID, UserName, UserDomain          string
	ProjectID, ProjectName, ProjectDomain string
	Roles                                 []string
	ExpiresAt                             time.Time
}

// CurrentIdentity reads the session's own token (GET /v3/auth/tokens with the
// token as the subject) and returns who it belongs to. Other tools use it
// for the current project's ID.
func CurrentIdentity(ctx context.Context, env *Env) (*Identity, error) {
	client, err := env.Clients.ServiceClient(ctx, "identity")
	if err != nil {
		return nil, fmt.Errorf("identity service: %w", err)
	}
	token, err := env.Clients.Token(ctx)
	if err != nil {
		return nil, fmt.Errorf("authenticate: %w", err)
	}
	if c := env.who; c != nil {
		// One GET per token: reads made at once (the overview's quota
		// panels, whoami) wait for the first instead of asking again.
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.id != nil && c.token == token {
			cp := *c.id
			cp.Roles = slices.Clone(c.id.Roles)
			return &cp, nil
		}
		id, err := readIdentity(ctx, client, token)
		if err != nil {
			return nil, err
		}
		c.token, c.id = token, id
		cp := *id
		cp.Roles = slices.Clone(id.Roles)
		return &cp, nil
	}
	return readIdentity(ctx, client, token)
}

// whoCache keeps the identity read for one token.
type whoCache struct {
	mu    sync.Mutex
	token string
	id    *Identity
}

// readIdentity reads the token's own record (GET /v3/auth/tokens).
func readIdentity(ctx context.Context, client *gophercloud.ServiceClient, token string) (*Identity, error) {
	r := tokens.Get(ctx, client, token)
	tok, err := r.ExtractToken()
	if err != nil {
		return nil, fmt.Errorf("read the current token: %w", err)
	}
	user, err := r.ExtractUser()
	if err != nil {
		return nil, fmt.Errorf("read the current token's user: %w", err)
	}
	// A domain-scoped or unscoped token has no project; that is not an error.
	project, err := r.ExtractProject()
	if err != nil {
		return nil, fmt.Errorf("read the current token's project: %w", err)
	}
	roles, err := r.ExtractRoles()
	if err != nil {
		return nil, fmt.Errorf("read the current token's roles: %w", err)
	}
	id := &Identity{
		UserID: user.ID, UserName: user.Name, UserDomain: user.Domain.Name,
		ExpiresAt: tok.ExpiresAt,
		Roles:     []string{},
	}
	if project != nil {
		id.ProjectID, id.ProjectName, id.ProjectDomain = project.ID, project.Name, project.Domain.Name
	}
	for _, role := range roles {
		id.Roles = append(id.Roles, role.Name)
	}
	sort.Strings(id.Roles)
	return id, nil
}
