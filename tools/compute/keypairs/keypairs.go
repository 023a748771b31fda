// Package keypairs holds the key pair tools: list, show, create, import
// and delete. Private keys never leave this package: Nova returns one only
// when it generates a key pair, keypair.create writes it straight to a
// 0600 file, and no tool prints that field.
package keypairs

import (
	"context"
	"fmt"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/keypairs"

	"github.com/kriscelmer/os-tui/tools"
)

// Kind is the resource kind of key pairs in Names and errors.
const Kind = "keypair"

// Microversion is the compute API microversion these tools ask for: 2.2
// added the key type, 2.10 the user_id on show.
const Microversion = "2.79"

// Tools returns the key pair tools.
func Tools() []tools.Tool {
	return []tools.Tool{
		tools.ReadTool("keypair.list", "compute", list),
		tools.ReadTool("keypair.show", "compute", show),
		createTool(), importTool(), deleteTool(),
	}
}

// ListArgs are the arguments of keypair.list (none).
type ListArgs struct{}

// ShowArgs are the arguments of keypair.show.
type ShowArgs struct {
	Keypair   string `json:"keypair,omitempty"`
	PublicKey bool   `json:"public_key,omitempty"`
}

func client(ctx context.Context, env *tools.Env) (*gophercloud.ServiceClient, error) {
	c, err := env.Clients.ServiceClient(ctx, "compute")
	if err != nil {
		return nil, err
	}
	c.Microversion = Microversion
	return c, nil
}

func list(ctx context.Context, env *tools.Env, _ ListArgs) (*tools.Result, error) {
	c, err := client(ctx, env)
	if err != nil {
		return nil, err
	}
	pages, err := keypairs.List(c, nil).AllPages(ctx)
	if err != nil {
		return nil, fmt.Errorf("list key pairs: %w", err)
	}
	all, err := keypairs.ExtractKeyPairs(pages)
	if err != nil {
		return nil, fmt.Errorf("list key pairs: %w", err)
	}
	out := &tools.List{Columns: []tools.Column{{Name: "Name"}, {Name: "Fingerprint"}, {Name: "Type"}}}
	names := make([]string, 0, len(all))
	for _, k := range all {
		out.Rows = append(out.Rows, []any{k.Name, k.Fingerprint, k.Type})
		names = append(names, k.Name)
	}
	env.Names.Replace(Kind, names...)
	return &tools.Result{List: out}, nil
}

// keypair is a key pair as Nova's GET returns it (list entries carry
// fewer fields).
type keypair struct {
	Name        string `json:"name"`
	Fingerprint string `json:"fingerprint"`
	PublicKey   string `json:"public_key"`
	Type        string `json:"type"`
	UserID      string `json:"user_id"`
	CreatedAt   string `json:"created_at"`
	Deleted     bool   `json:"deleted"`
}

// Resolve finds the caller's key pair by name. Key pair names are unique
// per user and are their IDs, so there is no ambiguity to report.
func Resolve(ctx context.Context, env *tools.Env, name string) (*keypairs.KeyPair, error) {
	c, err := client(ctx, env)
	if err != nil {
		return nil, err
	}
	k, err := get(ctx, c, name)
	if err != nil {
		return nil, err
	}
	return &keypairs.KeyPair{Name: k.Name, Fingerprint: k.Fingerprint, PublicKey: k.PublicKey, UserID: k.UserID, Type: k.Type}, nil
}

func get(ctx context.Context, c *gophercloud.ServiceClient, name string) (*keypair, error) {
	var k keypair
	err := keypairs.Get(ctx, c, name, nil).ExtractInto(&struct {
		KeyPair *keypair `json:"keypair"`
	}{&k})
	if err != nil {
		if gophercloud.ResponseCodeIs(err, 404) {
			return nil, &tools.NotFoundError{Kind: Kind, Name: name}
		}
		return nil, fmt.Errorf("get key pair %s: %w", name, err)
	}
	return &k, nil
}

func show(ctx context.Context, env *tools.Env, args ShowArgs) (*tools.Result, error) {
	c, err := client(ctx, env)
	if err != nil {
		return nil, err
	}
	k, err := get(ctx, c, args.Keypair)
	if err != nil {
		return nil, err
	}
	env.Names.Remember(Kind, k.Name)
	if args.PublicKey {
		// Like openstack keypair show --public-key: the key alone, ready
		// to paste into authorized_keys.
		pub := k.PublicKey
		if pub != "" && pub[len(pub)-1] != '\n' {
			pub += "\n"
		}
		return &tools.Result{Text: pub}, nil
	}
	// The fields openstack prints (its SDK names: a key pair's id is its
	// name, deleted is is_deleted), without private_key.
	return &tools.Result{Record: &tools.Record{Fields: []tools.Field{
		{Name: "created_at", Value: k.CreatedAt},
		{Name: "fingerprint", Value: k.Fingerprint},
		{Name: "id", Value: k.Name},
		{Name: "is_deleted", Value: k.Deleted},
		{Name: "name", Value: k.Name},
		{Name: "type", Value: k.Type},
		{Name: "user_id", Value: k.UserID},
	}}}, nil
}
