package servers

// The tools that change a server's own attributes (its name, properties
// and tags) or delete it: server.rename, server.set, server.unset and
// server.delete. Unlike the lifecycle actions each sends its own kind of
// request, so each has its own file.

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/gophercloud/gophercloud/v2"

	"github.com/kriscelmer/os-tui/tools"
)

// updateTools returns the server update and delete tools.
func updateTools() []tools.Tool {
	return []tools.Tool{renameTool(), setTool(), unsetTool(), deleteTool()}
}

// metadataStates are the statuses in which Nova changes a server's
// metadata and tags (vm states active, paused, suspended, stopped).
var metadataStates = []string{"ACTIVE", "PAUSED", "SUSPENDED", "SHUTOFF"}

// findWithClient reads the server a Run changes, right before the
// change, and returns it with the compute client to change it with.
func findWithClient(ctx context.Context, env *tools.Env, nameOrID string) (*Server, *gophercloud.ServiceClient, error) {
	s, err := Get(ctx, env, nameOrID)
	if err != nil {
		return nil, nil, err
	}
	c, err := Client(ctx, env)
	if err != nil {
		return nil, nil, err
	}
	return s, c, nil
}

// metadatumURL and tagURL escape the key: gophercloud's URL helpers join
// it as it is, and a property key may hold any character.
func metadatumURL(c *gophercloud.ServiceClient, id, key string) string {
	return c.ServiceURL("servers", id, "metadata", url.PathEscape(key))
}

func tagURL(c *gophercloud.ServiceClient, id, tag string) string {
	return c.ServiceURL("servers", id, "tags", url.PathEscape(tag))
}

// attributeState fingerprints what a step depends on, properties and tags
// included, so a change between approval and run shows the plan again.
func attributeState(s *Server) string {
	var b strings.Builder
	fmt.Fprintf(&b, "status=%s task=%s locked=%t name=%q", s.Status, s.TaskState, s.Locked, s.Name)
	for _, k := range sortedKeys(s.Metadata) {
		fmt.Fprintf(&b, " property:%q=%q", k, s.Metadata[k])
	}
	tags := slices.Clone(s.Tags)
	sort.Strings(tags)
	for _, t := range tags {
		fmt.Fprintf(&b, " tag:%q", t)
	}
	return b.String()
}
