package orchestration

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/gophercloud/gophercloud/v2"

	"github.com/kriscelmer/os-tui/internal/cloud"
)

// Change is what an update does to one resource.
type Change string

// The classes of Heat's update preview, in the order a diff shows them.
const (
	Added     Change = "added"
	Replaced  Change = "replaced"
	Updated   Change = "updated"
	Deleted   Change = "deleted"
	Unchanged Change = "unchanged"
)

// changeOrder is the order of the classes in a diff: what is lost
// (replaced, deleted) is never last.
var changeOrder = []Change{Added, Replaced, Updated, Deleted, Unchanged}

// Sign is the diff marker of a class.
func (c Change) Sign() string {
	switch c {
	case Added:
		return "+"
	case Replaced:
		return "±"
	case Updated:
		return "~"
	case Deleted:
		return "-"
	}
	return "="
}

// Verb is the class as a sentence fragment ("replaced (new physical
// resource)").
func (c Change) Verb() string {
	switch c {
	case Replaced:
		return "replaced: a new one is made and the old one deleted"
	case Updated:
		return "updated in place"
	case Added:
		return "added"
	case Deleted:
		return "deleted"
	}
	return "unchanged"
}

// PreviewResource is one resource of Heat's preview answers.
type PreviewResource struct {
	Name       string `json:"resource_name"`
	Type       string `json:"resource_type"`
	PhysicalID string `json:"physical_resource_id"`
	StackName  string `json:"stack_name"`
	Status     string `json:"resource_status"`
	Action     string `json:"resource_action"`
	// Properties are the resource's properties as Heat resolved them
	// (create preview only): what a quota preflight counts.
	Properties map[string]any `json:"properties,omitempty"`
}

// DiffEntry is one line of an update diff.
type DiffEntry struct {
	Change Change
	// Path is the resource's name, prefixed by its nested stack's
	// resource path ("db/volume") when it lives in a nested stack.
	Path       string
	Name       string
	Type       string
	PhysicalID string
	// Protected says why the resource may not be replaced or deleted
	// ("its metadata carries ostui:protected"), or "".
	Protected string
}

// Diff is an update's effect on a stack, resource by resource.
type Diff struct {
	Entries []DiffEntry
}

// Count returns how many entries have the given class.
func (d *Diff) Count(c Change) int {
	n := 0
	for _, e := range d.Entries {
		if e.Change == c {
			n++
		}
	}
	return n
}

// Summary is "1 added, 1 replaced, 2 updated in place, 0 deleted, 3 unchanged".
func (d *Diff) Summary() string {
	return fmt.Sprintf("%d added, %d replaced, %d updated in place, %d deleted, %d unchanged",
		d.Count(Added), d.Count(Replaced), d.Count(Updated), d.Count(Deleted), d.Count(Unchanged))
}

// Lines are the diff as a person reads it: one line per resource that
// changes, "+ net (OS::Neutron::Net) added".
func (d *Diff) Lines() []string {
	var out []string
	for _, e := range d.Entries {
		if e.Change == Unchanged {
			continue
		}
		l := fmt.Sprintf("%s %s (%s) %s", e.Change.Sign(), e.Path, e.Type, e.Change.Verb())
		if e.PhysicalID != "" && e.Change != Added {
			l += ", now " + e.PhysicalID
		}
		out = append(out, l)
	}
	return out
}

// ClassifyPreview turns the resource_changes of Heat's update preview
// into a diff. stack is the top stack's name: resources of nested stacks
// carry their own stack name and are shown under it.
func ClassifyPreview(stack string, changes map[string][]PreviewResource) *Diff {
	d := &Diff{}
	for _, c := range changeOrder {
		list := changes[string(c)]
		sorted := append([]PreviewResource(nil), list...)
		sort.SliceStable(sorted, func(i, j int) bool {
			return pathOf(stack, sorted[i]) < pathOf(stack, sorted[j])
		})
		for _, r := range sorted {
			d.Entries = append(d.Entries, DiffEntry{Change: c, Path: pathOf(stack, r), Name: r.Name, Type: r.Type, PhysicalID: r.PhysicalID})
		}
	}
	return d
}

// pathOf names a resource by its stack: "server" in the top stack,
// "web-db-x7k2/volume" in a nested one.
func pathOf(stack string, r PreviewResource) string {
	if r.StackName == "" || r.StackName == stack {
		return r.Name
	}
	return r.StackName + "/" + r.Name
}

// Protect marks the entries that replace or delete a protected resource
// of the top stack and returns the sentences that refuse them.
func (d *Diff) Protect(protected map[string]string) []string {
	var out []string
	for i := range d.Entries {
		e := &d.Entries[i]
		why, ok := protected[e.Path]
		if !ok || (e.Change != Replaced && e.Change != Deleted) {
			continue
		}
		e.Protected = why
		fix := "change the template so the resource is updated in place, or remove the mark in an update of its own first"
		if e.Change == Deleted {
			fix = "keep the resource in the template, or remove the mark in an update of its own first"
		}
		out = append(out, fmt.Sprintf("the update would %s resource %s (%s), which is protected: %s; %s",
			map[Change]string{Replaced: "replace", Deleted: "delete"}[e.Change], e.Path, e.Type, why, fix))
	}
	return out
}

// UpdatePreview asks Heat what an update would do (PUT, or PATCH for an
// update that keeps the existing template and parameters, on
// .../preview?show_nested=true) and returns the diff. Heat computes it
// and changes nothing.
func UpdatePreview(ctx context.Context, c *gophercloud.ServiceClient, s *Stack, body map[string]any, patch bool) (*Diff, error) {
	var out struct {
		Changes map[string][]PreviewResource `json:"resource_changes"`
	}
	url := URL(c, s, "preview") + "?show_nested=true"
	opts := &gophercloud.RequestOpts{JSONBody: body, JSONResponse: &out, OkCodes: []int{200}}
	method := "PUT"
	if patch {
		method = "PATCH"
	}
	if _, err := c.Request(cloud.WithHeatDryRun(ctx), method, url, opts); err != nil { //nolint:bodyclose // closed by gophercloud
		return nil, err
	}
	return ClassifyPreview(s.Name, out.Changes), nil
}

// DeployedTemplate reads the template a stack runs now.
func DeployedTemplate(ctx context.Context, c *gophercloud.ServiceClient, s *Stack) (map[string]any, error) {
	var tpl map[string]any
	if _, err := c.Get(ctx, URL(c, s, "template"), &tpl, nil); err != nil { //nolint:bodyclose // closed by gophercloud
		return nil, fmt.Errorf("read the template of stack %s: %w", s.Name, Explain(err))
	}
	return tpl, nil
}

// CreatePreview (and Validate) return Heat's refusal as it came, for
// Refusal to word.
//
// CreatePreview asks Heat to plan a create (POST /stacks/preview): the
// resources it would make, fully validated (constraints such as a
// flavor that exists included). Heat stores nothing.
func CreatePreview(ctx context.Context, c *gophercloud.ServiceClient, body map[string]any) ([]PreviewResource, error) {
	var out struct {
		Stack struct {
			Resources []any `json:"resources"`
		} `json:"stack"`
	}
	if _, err := c.Post(cloud.WithHeatDryRun(ctx), c.ServiceURL("stacks", "preview"), body, &out, &gophercloud.RequestOpts{OkCodes: []int{200}}); err != nil { //nolint:bodyclose // closed by gophercloud
		return nil, err
	}
	var res []PreviewResource
	flattenPreview(out.Stack.Resources, &res)
	return res, nil
}

// flattenPreview walks Heat's preview answer: each resource is an
// object, a nested stack is a list of them.
func flattenPreview(items []any, out *[]PreviewResource) {
	for _, it := range items {
		switch v := it.(type) {
		case []any:
			flattenPreview(v, out)
		case map[string]any:
			r := PreviewResource{}
			r.Name, _ = v["resource_name"].(string)
			r.Type, _ = v["resource_type"].(string)
			r.StackName, _ = v["stack_name"].(string)
			r.Properties, _ = v["properties"].(map[string]any)
			*out = append(*out, r)
		}
	}
}

// Validate is Heat's template validate (POST /validate): what Heat says
// of the template, environment and parameters, and the parameters it
// reads from the template.
func Validate(ctx context.Context, c *gophercloud.ServiceClient, body map[string]any) (map[string]any, error) {
	var out map[string]any
	if _, err := c.Post(cloud.WithHeatDryRun(ctx), c.ServiceURL("validate"), body, &out, &gophercloud.RequestOpts{OkCodes: []int{200}}); err != nil { //nolint:bodyclose // closed by gophercloud
		return nil, err
	}
	return out, nil
}

// Refusal is a Heat error as a Block sentence: what Heat said, and what
// to do about it.
func Refusal(what string, err error) string {
	msg, typ := HeatMessage(err)
	if msg == "" {
		msg = err.Error()
	} else if typ != "" {
		msg = typ + ": " + msg
	}
	return fmt.Sprintf("Heat's %s refuses it: %s; fix the template (or the parameters) and try again", what, strings.Join(strings.Fields(msg), " "))
}
