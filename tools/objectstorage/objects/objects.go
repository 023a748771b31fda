// Package objects holds the Swift object tools: list (with pseudo-folders),
// show, create (upload of a file or a folder, segmented and resumable
// above a size), save (download), delete, copy, set and unset (properties
// and expiry), and temp-url.
package objects

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/objectstorage/v1/objects"

	"github.com/kriscelmer/os-tui/tools"
	swift "github.com/kriscelmer/os-tui/tools/objectstorage"
)

// Tools returns the object tools.
func Tools() []tools.Tool {
	return []tools.Tool{
		tools.ReadTool("object.list", swift.Service, list),
		tools.ReadTool("object.show", swift.Service, show),
		tempURLTool(),
		createTool(), saveTool(), deleteTool(), copyTool(), setTool(), unsetTool(),
	}
}

// tempURLTool signs a temp URL. The URL is a bearer credential for the
// object, so only the person gets one (tools.Tool.PersonOnly).
func tempURLTool() tools.Tool {
	t := tools.ReadTool("object.temp-url", swift.Service, tempURL)
	t.PersonOnly = true
	return t
}

// ListArgs are the arguments of object.list.
type ListArgs struct {
	Container string `json:"container"`
	Prefix    string `json:"prefix,omitempty"`
	Delimiter string `json:"delimiter,omitempty"`
	Limit     int    `json:"limit,omitempty"`
}

// ObjectArgs name one object.
type ObjectArgs struct {
	Container string `json:"container"`
	Object    string `json:"object"`
}

// TempURLArgs are the arguments of object.temp-url.
type TempURLArgs struct {
	Container string `json:"container"`
	Object    string `json:"object"`
	Method    string `json:"method,omitempty"`
	Expires   string `json:"expires,omitempty"`
	Digest    string `json:"digest,omitempty"`
}

// PseudoFolder is the content type a listing shows for a pseudo-folder:
// a name prefix that holds objects, not an object itself.
const PseudoFolder = "(pseudo-folder)"

func containerOK(name string) error {
	if p := swift.ContainerProblem(name, nil); p != "" {
		return errors.New(p)
	}
	return nil
}

func list(ctx context.Context, env *tools.Env, args ListArgs) (*tools.Result, error) {
	if err := containerOK(args.Container); err != nil {
		return nil, err
	}
	c, err := swift.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	entries, err := swift.ListObjects(ctx, c, args.Container, swift.ListOptions{Prefix: args.Prefix, Delimiter: args.Delimiter, Limit: args.Limit})
	if err != nil {
		return nil, err
	}
	env.Names.Remember(swift.ContainerKind, args.Container)
	// The openstack CLI's columns, Name first and the rest with --long,
	// plus the size and time people look for without --long.
	out := &tools.List{Columns: []tools.Column{
		{Name: "Name"}, {Name: "Bytes"}, {Name: "Last Modified", Kind: tools.Time},
		{Name: "Hash", Long: true}, {Name: "Content Type", Long: true},
	}}
	for _, e := range entries {
		if e.Subdir != "" {
			out.Rows = append(out.Rows, []any{e.Subdir, nil, nil, nil, PseudoFolder})
			continue
		}
		out.Rows = append(out.Rows, []any{e.Name, e.Bytes, lastModified(e.LastModified), e.Hash, e.ContentType})
	}
	return &tools.Result{List: out}, nil
}

// lastModified turns Swift's listing time ("2024-01-02T03:04:05.123456")
// into RFC 3339 UTC.
func lastModified(s string) string {
	for _, layout := range []string{"2006-01-02T15:04:05.999999", "2006-01-02T15:04:05.999999Z07:00"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC().Format(time.RFC3339)
		}
	}
	return s
}

// head reads an object named by a person; a missing one that is a
// pseudo-folder says so.
func head(ctx context.Context, c *gophercloud.ServiceClient, container, name string) (*swift.Object, error) {
	if err := containerOK(container); err != nil {
		return nil, err
	}
	o, err := swift.GetObject(ctx, c, container, name)
	var nf *swift.ObjectNotFoundError
	if errors.As(err, &nf) {
		prefix := strings.TrimSuffix(name, "/") + "/"
		if under, lerr := swift.ListObjects(ctx, c, container, swift.ListOptions{Prefix: prefix, Limit: 1}); lerr == nil && len(under) > 0 {
			return nil, &pseudoFolderError{container: container, name: name, prefix: prefix}
		}
	}
	return o, err
}

// pseudoFolderError is a name that is no object but the prefix of some.
type pseudoFolderError struct{ container, name, prefix string }

func (e *pseudoFolderError) Error() string {
	return fmt.Sprintf("%s in container %s is a pseudo-folder, not an object: /object list %s --prefix %s shows what it holds",
		e.name, e.container, e.container, e.prefix)
}

func show(ctx context.Context, env *tools.Env, args ObjectArgs) (*tools.Result, error) {
	c, err := swift.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	o, err := head(ctx, c, args.Container, args.Object)
	if err != nil {
		return nil, err
	}
	env.Names.Remember(swift.ContainerKind, args.Container)
	large := ""
	switch {
	case o.SLO:
		large = "static (segmented; segments deleted with it)"
	case o.Manifest != "":
		large = "dynamic (segments under " + o.Manifest + ")"
	}
	// The openstack CLI's fields (its names, content-length as a string
	// of bytes), then what ostui reads besides.
	return &tools.Result{Record: &tools.Record{Fields: []tools.Field{
		{Name: "account", Value: swift.AccountName(c)},
		{Name: "container", Value: o.Container},
		{Name: "object", Value: o.Name},
		{Name: "content-length", Value: fmt.Sprint(o.Size)},
		{Name: "content-type", Value: o.ContentType},
		{Name: "etag", Value: o.ETag},
		{Name: "last-modified", Value: o.LastModified},
		{Name: "properties", Value: o.Properties},
		{Name: "delete-at", Value: swift.FormatDeleteAt(o.DeleteAt), Kind: tools.Time},
		{Name: "large-object", Value: large},
	}}}, nil
}

// digests in the order ostui prefers them.
var digests = []string{"sha256", "sha512", "sha1"}

func tempURL(ctx context.Context, env *tools.Env, args TempURLArgs) (*tools.Result, error) {
	c, err := swift.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	if err := containerOK(args.Container); err != nil {
		return nil, err
	}
	if args.Method == "" {
		args.Method = "GET"
	}
	if args.Expires == "" {
		args.Expires = "1h"
	}
	ttl, err := swift.ParseDuration(args.Expires)
	if err != nil {
		return nil, err
	}
	if ttl < time.Second {
		return nil, fmt.Errorf("--expires %s is no time at all; give how long the URL should work (30m, 1h, 7d)", args.Expires)
	}
	info, err := swift.GetInfo(ctx, c)
	if err != nil {
		return nil, err
	}
	if info.Published && !info.Has(swift.FeatureTempURL) {
		return nil, errors.New("this cluster's Swift does not run the tempurl middleware (no \"tempurl\" in /info), so it cannot serve temp URLs")
	}
	if methods := info.Strings(swift.FeatureTempURL, "methods"); len(methods) > 0 && !slices.Contains(methods, args.Method) {
		return nil, fmt.Errorf("this cluster's temp URLs allow %s, not %s", strings.Join(methods, ", "), args.Method)
	}
	digest, err := pickDigest(args.Digest, info)
	if err != nil {
		return nil, err
	}
	// A URL to read an object that is not there would only ever answer
	// 404; a PUT URL is for an object yet to come.
	if args.Method != "PUT" && args.Method != "POST" {
		if _, err := head(ctx, c, args.Container, args.Object); err != nil {
			return nil, err
		}
	}
	key, err := swift.SigningKey(ctx, c, args.Container)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	u, err := objects.CreateTempURL(ctx, c, args.Container, args.Object, objects.CreateTempURLOpts{
		Method: objects.HTTPMethod(args.Method), TTL: int(ttl / time.Second), Timestamp: now, TempURLKey: key, Digest: digest,
	})
	if err != nil {
		// gophercloud's errors name the digest or the URL, never the key.
		return nil, fmt.Errorf("sign a temp URL for %s/%s: %w", args.Container, args.Object, err)
	}
	expires := now.Add(ttl).UTC().Truncate(time.Second)
	return &tools.Result{
		Record: &tools.Record{Fields: []tools.Field{
			{Name: "url", Value: u},
			{Name: "method", Value: args.Method},
			{Name: "expires_at", Value: expires.Format(time.RFC3339), Kind: tools.Time},
			{Name: "digest", Value: digest},
			{Name: "container", Value: args.Container},
			{Name: "object", Value: args.Object},
		}},
		Message: fmt.Sprintf("anyone holding this URL can %s %s/%s until %s", args.Method, args.Container, args.Object, expires.Format(time.RFC3339)),
	}, nil
}

// pickDigest returns the digest to sign with: the one asked for if the
// cluster allows it, else the first of sha256, sha512, sha1 it allows
// and does not deprecate.
func pickDigest(want string, info *swift.Info) (string, error) {
	allowed := info.Strings(swift.FeatureTempURL, "allowed_digests")
	deprecated := info.Strings(swift.FeatureTempURL, "deprecated_digests")
	if want != "" {
		if len(allowed) > 0 && !slices.Contains(allowed, want) {
			return "", fmt.Errorf("this cluster's temp URLs accept %s digests, not %s", strings.Join(allowed, ", "), want)
		}
		return want, nil
	}
	if len(allowed) == 0 {
		// Older clusters publish tempurl without a digest list and
		// know only sha1; newer ones publish the list.
		if info.Published && info.Has(swift.FeatureTempURL) {
			return "sha1", nil
		}
		return "sha256", nil
	}
	for _, d := range digests {
		if slices.Contains(allowed, d) && !slices.Contains(deprecated, d) {
			return d, nil
		}
	}
	return allowed[0], nil
}
