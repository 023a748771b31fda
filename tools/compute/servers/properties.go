package servers

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/servers"

	"github.com/kriscelmer/os-tui/tools"
)

// SetArgs are the arguments of server.set: properties (Nova's metadata)
// to add or change, and tags to add.
type SetArgs struct {
	Server   string            `json:"server"`
	Property map[string]string `json:"property,omitempty"`
	Tag      []string          `json:"tag,omitempty"`
}

// UnsetArgs are the arguments of server.unset: property keys and tags
// to remove.
type UnsetArgs struct {
	Server   string   `json:"server"`
	Property []string `json:"property,omitempty"`
	Tag      []string `json:"tag,omitempty"`
}

// maxTags is how many tags Nova lets a server hold.
const maxTags = 50

func setTool() tools.Tool {
	return tools.ChangeTool(tools.ChangeSpec[SetArgs]{
		Name:     "server.set",
		Effect:   tools.Change,
		Service:  "compute",
		Produces: []string{"id", "name"},
		Subject:  func(a SetArgs) (string, string) { return subject(a.Server) },
		Check:    setCheck,
		Preview:  setPreview,
		Run:      setRun,
		Undo:     setUndo,
	})
}

func unsetTool() tools.Tool {
	return tools.ChangeTool(tools.ChangeSpec[UnsetArgs]{
		Name:     "server.unset",
		Effect:   tools.Change,
		Service:  "compute",
		Produces: []string{"id", "name"},
		Subject:  func(a UnsetArgs) (string, string) { return subject(a.Server) },
		Check:    unsetCheck,
		Preview:  unsetPreview,
		Run:      unsetRun,
		Undo:     unsetUndo,
	})
}

// checkStates applies Nova's rules to what a step will send: property
// changes need a settled, unlocked server; tags only the right status
// (and microversion 2.26).
func checkStates(ctx context.Context, env *tools.Env, s *Server, props, tags bool, add func(tools.Level, string, ...any)) error {
	what := "properties"
	switch {
	case props && tags:
		what = "properties and tags"
	case tags:
		what = "tags"
	case !props:
		return nil
	}
	blocked := false
	if !slices.Contains(metadataStates, s.Status) {
		add(tools.Block, "%s; %s can change only when it is %s", s.Describe(), what, strings.Join(metadataStates, " or "))
		blocked = true
	}
	if props && s.TaskState != "" {
		add(tools.Block, "%s and busy (%s); properties can change only when the task finishes", s.Describe(), s.TaskState)
		blocked = true
	}
	if props && s.Locked {
		add(tools.Block, "%s", s.LockedText())
		blocked = true
	}
	if !blocked {
		add(tools.Info, "%s", s.Describe())
	}
	if !tags {
		return nil
	}
	f, err := requireMicroversion(ctx, env, tagsMicroversion, "server tags need %s or later")
	if f != nil {
		add(f.Level, "%s", f.Text)
	}
	return err
}

// newCheck is the Check of a set or unset step on s, with resolved as
// its arguments, and add, which appends a finding to it.
func newCheck(s *Server, resolved any) (chk *tools.Check, add func(tools.Level, string, ...any)) {
	chk = &tools.Check{Targets: []tools.Target{s.Target()}, Resolved: tools.JSON(resolved), State: attributeState(s), Fetched: s}
	add = func(l tools.Level, format string, v ...any) {
		chk.Findings = append(chk.Findings, tools.Finding{Level: l, Text: fmt.Sprintf(format, v...)})
	}
	return chk, add
}

// setPlan is what a server.set sends to a server as it is now.
type setPlan struct {
	// old are the previous values of keys the step changes; added the
	// keys it creates.
	old     map[string]string
	added   []string
	newTags []string
	changes []tools.FieldChange
}

func planSet(s *Server, args SetArgs) setPlan {
	p := setPlan{old: map[string]string{}}
	for _, k := range sortedKeys(args.Property) {
		prev, had := s.Metadata[k]
		switch {
		case !had:
			p.added = append(p.added, k)
			p.changes = append(p.changes, tools.FieldChange{Field: "properties." + k, From: nil, To: args.Property[k]})
		case prev != args.Property[k]:
			p.old[k] = prev
			p.changes = append(p.changes, tools.FieldChange{Field: "properties." + k, From: prev, To: args.Property[k]})
		}
	}
	for _, t := range args.Tag {
		if !slices.Contains(s.Tags, t) && !slices.Contains(p.newTags, t) {
			p.newTags = append(p.newTags, t)
		}
	}
	if len(p.newTags) > 0 {
		p.changes = append(p.changes, tools.FieldChange{Field: "tags", From: tagList(s.Tags), To: tagList(append(slices.Clone(s.Tags), p.newTags...))})
	}
	return p
}

// tagList keeps an empty tag list visible as [] rather than null.
func tagList(tags []string) []string {
	if tags == nil {
		return []string{}
	}
	return tags
}

func setCheck(ctx context.Context, env *tools.Env, args SetArgs) (*tools.Check, error) {
	s, err := Get(ctx, env, args.Server)
	if err != nil {
		return nil, err
	}
	resolved := args
	resolved.Server = s.ID
	chk, add := newCheck(s, resolved)
	if len(args.Property) == 0 && len(args.Tag) == 0 {
		add(tools.Block, "nothing to set: give --property KEY=VALUE or --tag TAG")
		return chk, nil
	}
	if err := checkStates(ctx, env, s, len(args.Property) > 0, len(args.Tag) > 0, add); err != nil {
		return nil, err
	}
	for _, k := range sortedKeys(args.Property) {
		if v, had := s.Metadata[k]; had && v == args.Property[k] {
			add(tools.Warn, "server %s already has property %s=%s; setting it changes nothing", s.Name, k, v)
		}
	}
	for _, t := range args.Tag {
		if slices.Contains(s.Tags, t) {
			add(tools.Warn, "server %s already has tag %s; adding it changes nothing", s.Name, t)
		}
	}
	if p := planSet(s, args); len(s.Tags)+len(p.newTags) > maxTags {
		add(tools.Block, "server %s has %d tags and a server holds at most %d; adding %d is too many",
			s.Name, len(s.Tags), maxTags, len(p.newTags))
	}
	return chk, nil
}

// current reads the server a preview is about, or an empty one when it
// comes from an earlier step (then everything counts as new).
func current(ctx context.Context, env *tools.Env, chk *tools.Check) (*Server, error) {
	id := chk.Targets[0].ID
	if tools.IsRef(id) {
		return &Server{ID: id}, nil
	}
	if s, ok := tools.FetchedAs[*Server](chk); ok && s.ID == id {
		return s, nil
	}
	return Get(ctx, env, id)
}

func setPreview(ctx context.Context, env *tools.Env, args SetArgs, chk *tools.Check) (*tools.Preview, error) {
	c, err := Client(ctx, env)
	if err != nil {
		return nil, err
	}
	s, err := current(ctx, env, chk)
	if err != nil {
		return nil, err
	}
	p := planSet(s, args)
	pv := &tools.Preview{Changes: p.changes}
	if len(args.Property) > 0 {
		body, err := servers.MetadataOpts(args.Property).ToMetadataUpdateMap()
		if err != nil {
			return nil, fmt.Errorf("set properties of server %s: %w", s.ID, err)
		}
		pv.Requests = append(pv.Requests, tools.Request{Method: "POST", URL: c.ServiceURL("servers", s.ID, "metadata"), Body: body})
	}
	for _, t := range p.newTags {
		pv.Requests = append(pv.Requests, tools.Request{Method: "PUT", URL: tagURL(c, s.ID, t)})
	}
	return pv, nil
}

// setRun reads the server first: the undo restores what it held right
// before the change. On a failure part-way the result so far comes back
// with the error, so what was done can still be undone.
func setRun(ctx context.Context, env *tools.Env, args SetArgs) (*tools.Result, error) {
	s, c, err := findWithClient(ctx, env, args.Server)
	if err != nil {
		return nil, err
	}
	p := planSet(s, args)
	res := &tools.Result{
		Message: fmt.Sprintf("server %s: %s", s.Name, summary(len(args.Property), "property set", "properties set", len(p.newTags), "tag added", "tags added")),
		Outputs: map[string]string{
			"id": s.ID, "name": s.Name,
			"old_properties": string(tools.JSON(p.old)),
			"new_properties": string(tools.JSON(tagList(p.added))),
			"new_tags":       "[]",
		},
	}
	if len(args.Property) > 0 {
		r := servers.UpdateMetadata(ctx, c, s.ID, servers.MetadataOpts(args.Property))
		if r.Err != nil {
			return nil, fmt.Errorf("set properties of server %s: %w", s.Name, r.Err)
		}
		res.RequestIDs = append(res.RequestIDs, tools.HeaderRequestIDs(r.Header)...)
	}
	var added []string
	for _, t := range p.newTags {
		resp, err := c.Put(ctx, tagURL(c, s.ID, t), nil, nil, &gophercloud.RequestOpts{OkCodes: []int{201, 204}}) //nolint:bodyclose // closed by gophercloud
		if err != nil {
			return res, fmt.Errorf("add tag %s to server %s: %w", t, s.Name, err)
		}
		added = append(added, t)
		res.Outputs["new_tags"] = string(tools.JSON(added))
		res.RequestIDs = append(res.RequestIDs, tools.RequestIDs(resp, err)...)
	}
	return res, nil
}

func summary(n int, one, many string, m int, oneM, manyM string) string {
	var parts []string
	if n > 0 {
		parts = append(parts, plural(n, one, many))
	}
	if m > 0 {
		parts = append(parts, plural(m, oneM, manyM))
	}
	if len(parts) == 0 {
		return "nothing changed"
	}
	return strings.Join(parts, ", ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// setUndo reverses a server.set. Overwritten values are restored with a
// server.set; properties and tags that were new are removed with a
// server.unset. When a step did both, one call cannot express the undo:
// the overwritten values (which are otherwise lost) are restored, and the
// Why names the added keys and tags that stay.
func setUndo(args SetArgs, res *tools.Result) *tools.Call {
	if res == nil || res.Outputs["id"] == "" {
		// A plan under review: which keys are new is known only once
		// Run has read the server; adding is the usual case.
		return &tools.Call{Tool: "server.unset", Args: tools.JSON(map[string]string{"server": args.Server}), Why: "undo set"}
	}
	var old map[string]string
	var added, newTags []string
	_ = json.Unmarshal([]byte(res.Outputs["old_properties"]), &old)
	_ = json.Unmarshal([]byte(res.Outputs["new_properties"]), &added)
	_ = json.Unmarshal([]byte(res.Outputs["new_tags"]), &newTags)
	id := res.Outputs["id"]
	switch {
	case len(old) > 0:
		why := "undo set: restore the previous values of " + strings.Join(sortedKeys(old), ", ")
		if len(added) > 0 || len(newTags) > 0 {
			var stay []string
			if len(added) > 0 {
				stay = append(stay, "properties "+strings.Join(added, ", "))
			}
			if len(newTags) > 0 {
				stay = append(stay, "tags "+strings.Join(newTags, ", "))
			}
			why += "; the added " + strings.Join(stay, " and ") + " stay (remove them with /server unset)"
		}
		return &tools.Call{Tool: "server.set", Args: tools.JSON(SetArgs{Server: id, Property: old}), Why: why}
	case len(added) > 0 || len(newTags) > 0:
		return &tools.Call{Tool: "server.unset", Args: tools.JSON(UnsetArgs{Server: id, Property: added, Tag: newTags}),
			Why: "undo set: remove what it added"}
	}
	return nil
}

// unsetPlan is what a server.unset removes from a server as it is now.
type unsetPlan struct {
	removed map[string]string
	keys    []string // removed keys, in the order given
	tags    []string
	changes []tools.FieldChange
}

func planUnset(s *Server, args UnsetArgs) unsetPlan {
	p := unsetPlan{removed: map[string]string{}}
	for _, k := range args.Property {
		if v, had := s.Metadata[k]; had {
			if _, dup := p.removed[k]; !dup {
				p.removed[k] = v
				p.keys = append(p.keys, k)
				p.changes = append(p.changes, tools.FieldChange{Field: "properties." + k, From: v, To: nil})
			}
		}
	}
	for _, t := range args.Tag {
		if slices.Contains(s.Tags, t) && !slices.Contains(p.tags, t) {
			p.tags = append(p.tags, t)
		}
	}
	if len(p.tags) > 0 {
		left := slices.DeleteFunc(slices.Clone(s.Tags), func(t string) bool { return slices.Contains(p.tags, t) })
		p.changes = append(p.changes, tools.FieldChange{Field: "tags", From: tagList(s.Tags), To: tagList(left)})
	}
	return p
}

func unsetCheck(ctx context.Context, env *tools.Env, args UnsetArgs) (*tools.Check, error) {
	s, err := Get(ctx, env, args.Server)
	if err != nil {
		return nil, err
	}
	resolved := args
	resolved.Server = s.ID
	chk, add := newCheck(s, resolved)
	if len(args.Property) == 0 && len(args.Tag) == 0 {
		add(tools.Block, "nothing to unset: give --property KEY or --tag TAG")
		return chk, nil
	}
	p := planUnset(s, args)
	// Only what will be sent is subject to Nova's rules.
	if err := checkStates(ctx, env, s, len(p.keys) > 0, len(p.tags) > 0, add); err != nil {
		return nil, err
	}
	for _, k := range args.Property {
		if _, had := s.Metadata[k]; !had {
			add(tools.Warn, "server %s has no property %s; nothing to unset", s.Name, k)
		}
	}
	for _, t := range args.Tag {
		if !slices.Contains(s.Tags, t) {
			add(tools.Warn, "server %s has no tag %s; nothing to unset", s.Name, t)
		}
	}
	return chk, nil
}

func unsetPreview(ctx context.Context, env *tools.Env, args UnsetArgs, chk *tools.Check) (*tools.Preview, error) {
	c, err := Client(ctx, env)
	if err != nil {
		return nil, err
	}
	s, err := current(ctx, env, chk)
	if err != nil {
		return nil, err
	}
	if tools.IsRef(s.ID) {
		// Unknown until the earlier step runs: show what is asked.
		s.Metadata = map[string]string{}
		for _, k := range args.Property {
			s.Metadata[k] = "?"
		}
		s.Tags = args.Tag
	}
	p := planUnset(s, args)
	pv := &tools.Preview{Changes: p.changes}
	for _, k := range p.keys {
		pv.Requests = append(pv.Requests, tools.Request{Method: "DELETE", URL: metadatumURL(c, s.ID, k)})
	}
	for _, t := range p.tags {
		pv.Requests = append(pv.Requests, tools.Request{Method: "DELETE", URL: tagURL(c, s.ID, t)})
	}
	return pv, nil
}

// unsetRun reads the server first, removes only what it holds (Nova
// answers 404 for the rest) and keeps the removed values for the undo.
func unsetRun(ctx context.Context, env *tools.Env, args UnsetArgs) (*tools.Result, error) {
	s, c, err := findWithClient(ctx, env, args.Server)
	if err != nil {
		return nil, err
	}
	p := planUnset(s, args)
	res := &tools.Result{
		Message: fmt.Sprintf("server %s: %s", s.Name, summary(len(p.keys), "property removed", "properties removed", len(p.tags), "tag removed", "tags removed")),
		Outputs: map[string]string{"id": s.ID, "name": s.Name, "removed_properties": "{}", "removed_tags": "[]"},
	}
	removed := map[string]string{}
	for _, k := range p.keys {
		resp, err := c.Delete(ctx, metadatumURL(c, s.ID, k), &gophercloud.RequestOpts{OkCodes: []int{204}}) //nolint:bodyclose // closed by gophercloud
		if err != nil {
			return res, fmt.Errorf("remove property %s of server %s: %w", k, s.Name, err)
		}
		removed[k] = p.removed[k]
		res.Outputs["removed_properties"] = string(tools.JSON(removed))
		res.RequestIDs = append(res.RequestIDs, tools.RequestIDs(resp, err)...)
	}
	var tags []string
	for _, t := range p.tags {
		resp, err := c.Delete(ctx, tagURL(c, s.ID, t), &gophercloud.RequestOpts{OkCodes: []int{204}}) //nolint:bodyclose // closed by gophercloud
		if err != nil {
			return res, fmt.Errorf("remove tag %s of server %s: %w", t, s.Name, err)
		}
		tags = append(tags, t)
		res.Outputs["removed_tags"] = string(tools.JSON(tags))
		res.RequestIDs = append(res.RequestIDs, tools.RequestIDs(resp, err)...)
	}
	return res, nil
}

// unsetUndo sets back what server.unset removed: one server.set holds
// both the properties and the tags.
func unsetUndo(args UnsetArgs, res *tools.Result) *tools.Call {
	if res == nil || res.Outputs["id"] == "" {
		// A plan under review: the removed values are known only once
		// Run has read them.
		return &tools.Call{Tool: "server.set", Args: tools.JSON(map[string]string{"server": args.Server}), Why: "undo unset"}
	}
	var props map[string]string
	var tags []string
	_ = json.Unmarshal([]byte(res.Outputs["removed_properties"]), &props)
	_ = json.Unmarshal([]byte(res.Outputs["removed_tags"]), &tags)
	if len(props) == 0 && len(tags) == 0 {
		return nil
	}
	return &tools.Call{Tool: "server.set", Args: tools.JSON(SetArgs{Server: res.Outputs["id"], Property: props, Tag: tags}),
		Why: "undo unset: set back what it removed"}
}
