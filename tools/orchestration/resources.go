package orchestration

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/gophercloud/gophercloud/v2"
)

// StackResource is one resource of a stack as Heat lists it.
type StackResource struct {
	Name         string   `json:"resource_name"`
	Type         string   `json:"resource_type"`
	Status       string   `json:"resource_status"`
	StatusReason string   `json:"resource_status_reason"`
	PhysicalID   string   `json:"physical_resource_id"`
	LogicalID    string   `json:"logical_resource_id"`
	StackName    string   `json:"stack_name"`
	Parent       string   `json:"parent_resource"`
	UpdatedTime  string   `json:"updated_time"`
	CreationTime string   `json:"creation_time"`
	RequiredBy   []string `json:"required_by"`
	Links        []struct {
		Href string `json:"href"`
		Rel  string `json:"rel"`
	} `json:"links"`
}

// StackID returns the ID of the stack the resource belongs to (a nested
// stack's, for nested resources), from its "stack" link.
func (r *StackResource) StackID() string {
	for _, l := range r.Links {
		if l.Rel == "stack" {
			parts := strings.Split(strings.TrimSuffix(l.Href, "/"), "/")
			return parts[len(parts)-1]
		}
	}
	return ""
}

// Failed reports a resource whose last action failed.
func (r *StackResource) Failed() bool { return strings.HasSuffix(r.Status, "_FAILED") }

// MaxNestedDepth bounds how deep a resource list looks into nested
// stacks when asked for "all".
const MaxNestedDepth = 5

// Resources lists a stack's resources, nested stacks down to depth
// levels (0: the stack's own). Heat returns them flat; the nested ones
// carry their parent resource's name.
func Resources(ctx context.Context, c *gophercloud.ServiceClient, s *Stack, depth int) ([]StackResource, error) {
	q := url.Values{}
	if depth > 0 {
		q.Set("nested_depth", strconv.Itoa(depth))
	}
	u := URL(c, s, "resources")
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	var body struct {
		Resources []StackResource `json:"resources"`
	}
	if _, err := c.Get(ctx, u, &body, nil); err != nil { //nolint:bodyclose // closed by gophercloud
		return nil, fmt.Errorf("list the resources of stack %s: %w", s.Name, Explain(err))
	}
	return Tree(s.Name, body.Resources), nil
}

// Tree orders resources as a tree: each stack's resources by name, a
// nested stack's resources right under the resource that holds them.
func Tree(top string, all []StackResource) []StackResource {
	children := map[string][]StackResource{} // parent resource path → resources
	for _, r := range all {
		children[r.Parent] = append(children[r.Parent], r)
	}
	for k := range children {
		sort.SliceStable(children[k], func(i, j int) bool { return children[k][i].Name < children[k][j].Name })
	}
	var out []StackResource
	seen := map[string]bool{}
	var walk func(parent string, depth int)
	walk = func(parent string, depth int) {
		if depth > MaxNestedDepth+1 {
			return
		}
		for _, r := range children[parent] {
			key := r.StackName + "/" + r.Name
			if seen[key] {
				continue
			}
			seen[key] = true
			out = append(out, r)
			walk(r.Name, depth+1)
		}
	}
	walk("", 0)
	// Anything whose parent was not found (a parent name shared by two
	// nested levels) is kept at the end rather than lost.
	for _, r := range all {
		if !seen[r.StackName+"/"+r.Name] {
			out = append(out, r)
		}
	}
	return out
}

// Depth is how deep in nested stacks a resource of a Tree lives: 0 for
// the top stack's own.
func Depth(top string, r StackResource, byName map[string]StackResource) int {
	d := 0
	for p := r.Parent; p != "" && d <= MaxNestedDepth; d++ {
		parent, ok := byName[p]
		if !ok {
			return d + 1
		}
		p = parent.Parent
	}
	return d
}

// Event is one stack event.
type Event struct {
	ID           string `json:"id"`
	Time         string `json:"event_time"`
	Resource     string `json:"resource_name"`
	PhysicalID   string `json:"physical_resource_id"`
	Status       string `json:"resource_status"`
	StatusReason string `json:"resource_status_reason"`
	StackName    string `json:"stack_name"`
}

// Events lists a stack's events, oldest first (as the openstack CLI
// prints them), nested stacks down to depth, at most limit (0: Heat's
// default page).
func Events(ctx context.Context, c *gophercloud.ServiceClient, s *Stack, depth int, resource string, limit int) ([]Event, error) {
	q := url.Values{}
	if depth > 0 {
		q.Set("nested_depth", strconv.Itoa(depth))
	}
	if resource != "" {
		q.Set("resource_name", resource)
	}
	if limit > 0 {
		// The newest first, so a limit keeps the latest; shown oldest first.
		q.Set("limit", strconv.Itoa(limit))
		q.Set("sort_dir", "desc")
	}
	u := URL(c, s, "events")
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	var body struct {
		Events []Event `json:"events"`
	}
	if _, err := c.Get(ctx, u, &body, nil); err != nil { //nolint:bodyclose // closed by gophercloud
		return nil, fmt.Errorf("list the events of stack %s: %w", s.Name, Explain(err))
	}
	ev := body.Events
	if limit > 0 {
		for i, j := 0, len(ev)-1; i < j; i, j = i+1, j-1 {
			ev[i], ev[j] = ev[j], ev[i]
		}
	}
	return ev, nil
}
