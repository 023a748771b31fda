// Package appcreds holds the application credential tools: list, show,
// create and delete your own Keystone application credentials.
//
// An application credential is a login for one project that can be
// limited to some roles and API calls, expire, and be revoked without
// touching the password. Keystone shows its secret once, in the answer to
// the create: application-credential.create hands it to the Go caller in
// tools.Result.Secrets (never in the rendered result, the audit log, a
// transcript or a model's context), and only a person may run it
// (tools.Tool.PersonOnly), since an agent could do nothing with a secret
// it is never shown.
package appcreds

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/applicationcredentials"

	"github.com/kriscelmer/os-tui/tools"
)

// Kind names application credentials in targets, errors and completion.
const Kind = "application-credential"

// SecretKey is the key under which application-credential.create puts the
// new credential's secret in tools.Result.Secrets: a path below the
// cloud's own part of the secret store ("appcred/NAME"), where the shell
// keeps it as cloud/CLOUD/appcred/NAME.
func SecretKey(name string) string { return "appcred/" + name }

// Tools returns application-credential.list, .show, .create and .delete.
func Tools() []tools.Tool {
	create := createTool()
	// The answer holds a credential: the person creates one, never an
	// agent (which would never see the secret anyway).
	create.PersonOnly = true
	return []tools.Tool{
		tools.ReadTool("application-credential.list", "identity", list),
		tools.ReadTool("application-credential.show", "identity", show),
		create,
		deleteTool(),
	}
}

func client(ctx context.Context, env *tools.Env) (*gophercloud.ServiceClient, error) {
	c, err := env.Clients.ServiceClient(ctx, "identity")
	if err != nil {
		return nil, fmt.Errorf("identity service: %w", err)
	}
	return c, nil
}

// ListArgs are the (no) arguments of application-credential.list.
type ListArgs struct{}

func list(ctx context.Context, env *tools.Env, _ ListArgs) (*tools.Result, error) {
	c, err := client(ctx, env)
	if err != nil {
		return nil, err
	}
	id, err := tools.CurrentIdentity(ctx, env)
	if err != nil {
		return nil, err
	}
	all, err := listOf(ctx, c, id.UserID, "")
	if err != nil {
		return nil, fmt.Errorf("list your application credentials: %w", err)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Name+all[i].ID < all[j].Name+all[j].ID })
	out := &tools.List{Columns: []tools.Column{
		{Name: "ID"}, {Name: "Name"}, {Name: "Project ID"}, {Name: "Expires At", Kind: tools.Time}, {Name: "Unrestricted", Long: true}, {Name: "Description", Long: true},
	}}
	names := make([]string, 0, len(all))
	for _, a := range all {
		out.Rows = append(out.Rows, []any{a.ID, a.Name, a.ProjectID, expiresValue(a.ExpiresAt), a.Unrestricted, a.Description})
		names = append(names, a.Name)
	}
	env.Names.Listed(Kind, true, names...)
	return &tools.Result{List: out}, nil
}

// listOf lists a user's application credentials, those named name when
// name is not "".
func listOf(ctx context.Context, c *gophercloud.ServiceClient, userID, name string) ([]applicationcredentials.ApplicationCredential, error) {
	var opts applicationcredentials.ListOptsBuilder
	if name != "" {
		opts = applicationcredentials.ListOpts{Name: name}
	}
	pages, err := applicationcredentials.List(c, userID, opts).AllPages(ctx)
	if err != nil {
		return nil, err
	}
	return applicationcredentials.ExtractApplicationCredentials(pages)
}

// find resolves a name or an ID among the user's own credentials: the
// name first (GET ?name=, one request), then the ID.
func find(ctx context.Context, c *gophercloud.ServiceClient, userID, ref string) (*applicationcredentials.ApplicationCredential, error) {
	byName, err := listOf(ctx, c, userID, ref)
	if err != nil {
		return nil, fmt.Errorf("look up application credential %s: %w", ref, err)
	}
	switch len(byName) {
	case 1:
		return &byName[0], nil
	case 0:
	default:
		// Keystone keeps names unique per user; a second one is another
		// user's, which the list never returns. Be safe anyway.
		var ids []string
		for _, a := range byName {
			ids = append(ids, a.ID)
		}
		return nil, fmt.Errorf("%d application credentials are named %s (%s): give the ID", len(byName), ref, strings.Join(ids, ", "))
	}
	a, err := applicationcredentials.Get(ctx, c, userID, ref).Extract()
	if err != nil {
		if gophercloud.ResponseCodeIs(err, http.StatusNotFound) {
			return nil, &tools.NotFoundError{Kind: Kind, Name: ref}
		}
		return nil, fmt.Errorf("look up application credential %s: %w", ref, err)
	}
	return a, nil
}

// lookup finds the current user's application credential ref (a name or
// an ID), with the identity client and the user it belongs to.
func lookup(ctx context.Context, env *tools.Env, ref string) (*gophercloud.ServiceClient, *tools.Identity, *applicationcredentials.ApplicationCredential, error) {
	c, err := client(ctx, env)
	if err != nil {
		return nil, nil, nil, err
	}
	id, err := tools.CurrentIdentity(ctx, env)
	if err != nil {
		return nil, nil, nil, err
	}
	a, err := find(ctx, c, id.UserID, ref)
	if err != nil {
		return nil, nil, nil, err
	}
	return c, id, a, nil
}

// ShowArgs are the arguments of application-credential.show.
type ShowArgs struct {
	AppCredential string `json:"application_credential"`
}

func show(ctx context.Context, env *tools.Env, args ShowArgs) (*tools.Result, error) {
	_, _, a, err := lookup(ctx, env, args.AppCredential)
	if err != nil {
		return nil, err
	}
	env.Names.Remember(Kind, a.Name)
	return &tools.Result{Record: record(a)}, nil
}

// record is a credential as show and create print it. It has no secret
// field: Keystone keeps none, and a create's secret travels apart.
func record(a *applicationcredentials.ApplicationCredential) *tools.Record {
	return &tools.Record{Fields: []tools.Field{
		{Name: "ID", Value: a.ID},
		{Name: "Name", Value: a.Name},
		{Name: "Description", Value: a.Description},
		{Name: "Project ID", Value: a.ProjectID},
		{Name: "Roles", Value: roleNames(a.Roles)},
		{Name: "Access Rules", Value: ruleStrings(a.AccessRules)},
		{Name: "Expires At", Value: expiresValue(a.ExpiresAt), Kind: tools.Time},
		{Name: "Unrestricted", Value: a.Unrestricted},
	}}
}

func roleNames(rs []applicationcredentials.Role) []string {
	out := []string{}
	for _, r := range rs {
		out = append(out, r.Name)
	}
	sort.Strings(out)
	return out
}

func ruleStrings(rs []applicationcredentials.AccessRule) []string {
	out := []string{}
	for _, r := range rs {
		out = append(out, r.Service+":"+r.Method+":"+r.Path)
	}
	return out
}

func expiresValue(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(time.RFC3339)
}
