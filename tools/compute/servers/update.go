// Package serverupdate holds the tools that change a server's own
// attributes (its name, properties and tags) or delete it: server.rename,
// server.set, server.unset and server.delete. Unlike the lifecycle
// actions each sends its own kind of request, so each has its own file.
package serverupdate

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/gophercloud/gophercloud/v2"

	"github.com/kriscelmer/os-tui/tools"
	serverreads "github.com/kriscelmer/os-tui/tools/compute/servers"
)

// Tools returns the server update and delete tools.
func Tools() []tools.Tool {
	return []tools.Tool{renameTool(), setTool(), unsetTool(), deleteTool()}
}

// tagsMicroversion is the compute microversion that brought server tags.
const tagsMicroversion = "2.26"

// server is what these tools read of a server (at serverreads.Microversion).
type server struct {
	ID           string            `json:"id"`
	Name         string            `json:"name"`
	Status       string            `json:"status"`
	TaskState    string            `json:"OS-EXT-STS:task_state"`
	Locked       bool              `json:"locked"`
	LockedReason string            `json:"locked_reason"`
	Metadata     map[string]string `json:"metadata"`
	Tags         []string          `json:"tags"`
	Volumes      []struct {
		ID                  string `json:"id"`
		DeleteOnTermination bool   `json:"delete_on_termination"`
	} `json:"os-extended-volumes:volumes_attached"`
}

func find(ctx context.Context, env *tools.Env, nameOrID string) (*server, error) {
	var s server
	if err := serverreads.Find(ctx, env, nameOrID, &s); err != nil {
		return nil, err
	}
	return &s, nil
}

func (s *server) target() tools.Target { return tools.Target{Kind: "server", ID: s.ID, Name: s.Name} }

func (s *server) describe() string { return fmt.Sprintf("server %s is %s", s.Name, s.Status) }

func (s *server) lockedText() string {
	msg := fmt.Sprintf("server %s is locked", s.Name)
	if s.LockedReason != "" {
		msg += fmt.Sprintf(" (%q)", s.LockedReason)
	}
	return msg + "; unlock it first with /server unlock " + s.Name
}

// metadataStates are the statuses in which Nova changes a server's
// metadata and tags (vm states active, paused, suspended, stopped).
var metadataStates = []string{"ACTIVE", "PAUSED", "SUSPENDED", "SHUTOFF"}

// referenced is the check of a step whose server comes from an earlier
// step: nothing can be looked up yet; the gate checks again once the
// reference has a value.
func referenced(nameOrID string) *tools.Check {
	return &tools.Check{
		Targets:  []tools.Target{{Kind: "server", ID: nameOrID, Name: nameOrID}},
		Findings: []tools.Finding{{Level: tools.Info, Text: fmt.Sprintf("server %s comes from an earlier step", nameOrID)}},
	}
}

// client returns a compute client pinned to the microversion the reads
// use, so tags and locked_reason come back the same way.
func client(ctx context.Context, env *tools.Env) (*gophercloud.ServiceClient, error) {
	c, err := env.Clients.ServiceClient(ctx, "compute")
	if err != nil {
		return nil, err
	}
	c.Microversion = serverreads.Microversion
	return c, nil
}

// findWithClient reads the server a Run changes, right before the
// change, and returns it with the compute client to change it with.
func findWithClient(ctx context.Context, env *tools.Env, nameOrID string) (*server, *gophercloud.ServiceClient, error) {
	s, err := find(ctx, env, nameOrID)
	if err != nil {
		return nil, nil, err
	}
	c, err := client(ctx, env)
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

// sortedKeys returns a map's keys in order, for stable previews.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// state fingerprints what a step depends on, properties and tags
// included, so a change between approval and run shows the plan again.
func (s *server) state() string {
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
