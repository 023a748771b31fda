// Package whoami holds the whoami tool: who the session is authenticated
// as, read from its own token.
package whoami

import (
	"context"
	"fmt"
	"time"

	"github.com/kriscelmer/os-tui/tools"
)

// Tools returns the whoami tool.
func Tools() []tools.Tool {
	return []tools.Tool{
		tools.ReadTool("whoami", "identity", show),
	}
}

// Args are the (no) arguments of whoami.
type Args struct{}

// now is the clock; tests replace it.
var now = time.Now

// left renders the time until expiry in whole minutes.
func left(d time.Duration) string {
	if d <= 0 {
		return "expired"
	}
	d = d.Round(time.Minute)
	h, m := int(d.Hours()), int(d.Minutes())%60
	if h == 0 {
		return fmt.Sprintf("%dm", m)
	}
	return fmt.Sprintf("%dh%02dm", h, m)
}

func show(ctx context.Context, env *tools.Env, _ Args) (*tools.Result, error) {
	id, err := tools.CurrentIdentity(ctx, env)
	if err != nil {
		return nil, err
	}
	var region, authURL string
	if caps, err := env.Clients.Capabilities(ctx); err == nil {
		if svc, ok := caps.Services["identity"]; ok {
			region, authURL = svc.Region, svc.Endpoint
		}
	}
	// The URL the session authenticated against, when the client knows it,
	// says more than the catalog's identity endpoint.
	if client, err := env.Clients.ServiceClient(ctx, "identity"); err == nil && client.ProviderClient != nil && client.IdentityEndpoint != "" {
		authURL = client.IdentityEndpoint
	}
	return &tools.Result{Record: &tools.Record{Fields: []tools.Field{
		{Name: "user", Value: id.UserName},
		{Name: "user_id", Value: id.UserID},
		{Name: "user_domain", Value: id.UserDomain},
		{Name: "project", Value: id.ProjectName},
		{Name: "project_id", Value: id.ProjectID},
		{Name: "project_domain", Value: id.ProjectDomain},
		{Name: "roles", Value: id.Roles},
		{Name: "expires_at", Value: id.ExpiresAt.UTC().Format(time.RFC3339), Kind: tools.Time},
		{Name: "expires_in", Value: left(id.ExpiresAt.Sub(now()))},
		{Name: "region", Value: region},
		{Name: "auth_url", Value: authURL},
	}}}, nil
}
