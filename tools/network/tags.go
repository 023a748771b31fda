package network

import (
	"context"
	"fmt"
	"slices"
	"sort"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/attributestags"

	"github.com/kriscelmer/os-tui/tools"
)

// TagsAfter is the tag set a set or unset leaves on a resource: the
// current tags (none when clear is set), plus add, minus remove; sorted,
// never nil. Neutron replaces a resource's tags in one request, so tools
// compute the result and send it whole.
func TagsAfter(current []string, clear bool, add, remove []string) []string {
	out := []string{}
	if !clear {
		out = append(out, current...)
	}
	for _, t := range add {
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	out = slices.DeleteFunc(out, func(t string) bool { return slices.Contains(remove, t) })
	sort.Strings(out)
	return out
}

// SameTags reports whether two tag lists hold the same tags.
func SameTags(a, b []string) bool {
	return slices.Equal(Tags(a), Tags(b))
}

// TagsRequest is the request that replaces the tags of a resource
// ("networks", "subnets", "ports", "routers", ...), as ReplaceTags sends it.
func TagsRequest(c *gophercloud.ServiceClient, resourceType, id string, tags []string) tools.Request {
	return tools.Request{Method: "PUT", URL: c.ServiceURL(resourceType, id, "tags"),
		Body: map[string]any{"tags": Tags(tags)}}
}

// ReplaceTags sets the tags of a resource to exactly tags.
func ReplaceTags(ctx context.Context, c *gophercloud.ServiceClient, resourceType, id string, tags []string) ([]string, error) {
	r := attributestags.ReplaceAll(ctx, c, resourceType, id, attributestags.ReplaceAllOpts{Tags: Tags(tags)})
	if _, err := r.Extract(); err != nil {
		return tools.HeaderRequestIDs(r.Header), err
	}
	return tools.HeaderRequestIDs(r.Header), nil
}

// TagNew tags a resource this step has just created. Neutron takes the
// tags in a second request; when that fails, the resource without them
// is half made, so it is deleted again rather than left, and the error
// says whether that worked. kind and name word the error ("network",
// "web"); slash is the delete command to offer if the delete fails too.
func TagNew(ctx context.Context, c *gophercloud.ServiceClient, resourceType, id string, tags []string, kind, name, slash string) ([]string, error) {
	ids, err := ReplaceTags(ctx, c, resourceType, id, tags)
	if err == nil {
		return ids, nil
	}
	resp, derr := c.Delete(context.WithoutCancel(ctx), c.ServiceURL(resourceType, id), nil) //nolint:bodyclose // closed by gophercloud
	if resp != nil {
		ids = append(ids, tools.HeaderRequestIDs(resp.Header)...)
	}
	undone := "the " + kind + " was deleted again"
	if derr != nil {
		undone = fmt.Sprintf("deleting it failed too (%v); remove it with %s %s", derr, slash, id)
	}
	return ids, fmt.Errorf("tag %s %s: %w (%s)", kind, name, err, undone)
}
