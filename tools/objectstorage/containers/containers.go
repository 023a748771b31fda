// Package containers holds the Swift container tools: list, show,
// create, delete (recursive with a preview of what goes), set and unset
// (properties, ACLs, CORS, quotas, versioning).
package containers

import (
	"context"
	"fmt"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/objectstorage/v1/containers"
	"github.com/gophercloud/gophercloud/v2/pagination"

	"github.com/kriscelmer/os-tui/tools"
	swift "github.com/kriscelmer/os-tui/tools/objectstorage"
)

// Tools returns the container tools.
func Tools() []tools.Tool {
	return []tools.Tool{
		tools.ReadTool("container.list", swift.Service, list),
		tools.ReadTool("container.show", swift.Service, show),
		createTool(), deleteTool(), setTool(), unsetTool(),
	}
}

// ListArgs are the arguments of container.list.
type ListArgs struct {
	Prefix string `json:"prefix,omitempty"`
	Limit  int    `json:"limit,omitempty"`
}

// ShowArgs are the arguments of container.show.
type ShowArgs struct {
	Container string `json:"container"`
}

func list(ctx context.Context, env *tools.Env, args ListArgs) (*tools.Result, error) {
	c, err := swift.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	opts := containers.ListOpts{Prefix: args.Prefix}
	if args.Limit > 0 {
		opts.Limit = args.Limit
	}
	out := &tools.List{Columns: []tools.Column{{Name: "Name"}, {Name: "Bytes"}, {Name: "Count"}}}
	var names []string
	err = containers.List(c, opts).EachPage(ctx, func(_ context.Context, p pagination.Page) (bool, error) {
		page, err := containers.ExtractInfo(p)
		if err != nil {
			return false, err
		}
		for _, ct := range page {
			if args.Limit > 0 && len(out.Rows) >= args.Limit {
				return false, nil
			}
			out.Rows = append(out.Rows, []any{ct.Name, ct.Bytes, ct.Count})
			names = append(names, ct.Name)
		}
		return args.Limit == 0 || len(out.Rows) < args.Limit, nil
	})
	if err != nil {
		return nil, fmt.Errorf("list containers: %w", err)
	}
	env.Names.Listed(swift.ContainerKind, args.Prefix == "" && args.Limit == 0, names...)
	return &tools.Result{List: out}, nil
}

// resolve reads a container named by a person, turning a bad name into a
// sentence before Swift is asked.
func resolve(ctx context.Context, c *gophercloud.ServiceClient, name string) (*swift.Container, error) {
	if p := swift.ContainerProblem(name, nil); p != "" {
		return nil, fmt.Errorf("%s", p)
	}
	return swift.GetContainer(ctx, c, name)
}

func show(ctx context.Context, env *tools.Env, args ShowArgs) (*tools.Result, error) {
	c, err := swift.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	ct, err := resolve(ctx, c, args.Container)
	if err != nil {
		return nil, err
	}
	env.Names.Remember(swift.ContainerKind, ct.Name)
	versioning := ""
	switch {
	case ct.VersionsEnabled != "":
		versioning = "enabled=" + ct.VersionsEnabled
	case ct.VersionsLocation != "":
		versioning = "versions kept in " + ct.VersionsLocation
	case ct.HistoryLocation != "":
		versioning = "history kept in " + ct.HistoryLocation
	}
	tempKey := ""
	if ct.HasTempURLKey {
		// Whether a key is set, never the key.
		tempKey = "set"
	}
	// The openstack CLI's fields first (account ... storage_policy), then
	// what ostui reads besides.
	return &tools.Result{Record: &tools.Record{Fields: []tools.Field{
		{Name: "account", Value: swift.AccountName(c)},
		{Name: "container", Value: ct.Name},
		{Name: "object_count", Value: ct.Objects},
		{Name: "bytes_used", Value: ct.Bytes},
		{Name: "storage_policy", Value: ct.StoragePolicy},
		{Name: "read_acl", Value: ct.ReadACL},
		{Name: "write_acl", Value: ct.WriteACL},
		{Name: "public", Value: ct.Public()},
		{Name: "properties", Value: ct.Properties},
		{Name: "cors_allow_origin", Value: ct.CORSAllowOrigin},
		{Name: "cors_max_age", Value: ct.CORSMaxAge},
		{Name: "cors_expose_headers", Value: ct.CORSExposeHeaders},
		{Name: "quota_bytes", Value: ct.QuotaBytes},
		{Name: "quota_count", Value: ct.QuotaCount},
		{Name: "versioning", Value: versioning},
		{Name: "sync_to", Value: ct.SyncTo},
		{Name: "temp_url_key", Value: tempKey},
	}}}, nil
}
