package tools

// Who the session is: other services' tools need its project and roles
// (quota, network sharing) and may import no tool package but this root.

import (
	"context"
	"fmt"
	"sort"
	"time"

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
