package volumes

// volume.set changes what a volume is called and carries (name,
// description, properties, bootable) and, as the openstack CLI's
// "volume set" does, its size and type: those two share volume.extend's
// and volume.retype's rules. volume.unset removes properties.

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	cindervolumes "github.com/gophercloud/gophercloud/v2/openstack/blockstorage/v3/volumes"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/blockstorage"
)

// SetArgs are the arguments of volume.set.
type SetArgs struct {
	Volume          string            `json:"volume"`
	Name            string            `json:"name,omitempty"`
	Description     *string           `json:"description,omitempty"`
	Properties      map[string]string `json:"properties,omitempty"`
	Bootable        *bool             `json:"bootable,omitempty"`
	Size            int               `json:"size,omitempty"`
	Type            string            `json:"type,omitempty"`
	MigrationPolicy string            `json:"migration_policy,omitempty"`
}

// UnsetArgs are the arguments of volume.unset.
type UnsetArgs struct {
	Volume     string   `json:"volume"`
	Properties []string `json:"properties"`
}

func setTool() tools.Tool {
	return tools.ChangeTool(tools.ChangeSpec[SetArgs]{
		Name:     "volume.set",
		Effect:   tools.Change,
		Service:  blockstorage.Service,
		Produces: []string{"id", "name"},
		Subject:  func(a SetArgs) (string, string) { return Kind, a.Volume },
		Check:    checkSet,
		Preview:  previewSet,
		Run:      runSet,
		Undo:     undoSet,
	})
}

func unsetTool() tools.Tool {
	return tools.ChangeTool(tools.ChangeSpec[UnsetArgs]{
		Name:     "volume.unset",
		Effect:   tools.Change,
		Service:  blockstorage.Service,
		Produces: []string{"id", "name"},
		Subject:  func(a UnsetArgs) (string, string) { return Kind, a.Volume },
		Check:    checkUnset,
		Preview:  previewUnset,
		Run:      runUnset,
		Undo: func(args UnsetArgs, res *tools.Result) *tools.Call {
			if res == nil || res.Outputs["id"] == "" {
				return &tools.Call{Tool: "volume.set", Args: tools.JSON(map[string]string{"volume": args.Volume}), Why: "undo unset"}
			}
			var removed map[string]string
			_ = json.Unmarshal([]byte(res.Outputs["removed_properties"]), &removed)
			if len(removed) == 0 {
				return nil
			}
			return &tools.Call{Tool: "volume.set", Args: tools.JSON(SetArgs{Volume: res.Outputs["id"], Properties: removed}),
				Why: "undo unset: set back the properties it removed"}
		},
	})
}

// changes lists what a volume.set changes on v, field by field.
func setChanges(v *Volume, args SetArgs) []tools.FieldChange {
	var out []tools.FieldChange
	if args.Name != "" && args.Name != v.Name {
		out = append(out, tools.FieldChange{Field: "name", From: v.Name, To: args.Name})
	}
	if args.Description != nil && *args.Description != v.Description {
		out = append(out, tools.FieldChange{Field: "description", From: v.Description, To: *args.Description})
	}
	for _, k := range sortedKeys(args.Properties) {
		prev, had := v.Metadata[k]
		switch {
		case !had:
			out = append(out, tools.FieldChange{Field: "properties." + k, From: nil, To: args.Properties[k]})
		case prev != args.Properties[k]:
			out = append(out, tools.FieldChange{Field: "properties." + k, From: prev, To: args.Properties[k]})
		}
	}
	if args.Bootable != nil && *args.Bootable != v.IsBootable() {
		out = append(out, tools.FieldChange{Field: "bootable", From: v.IsBootable(), To: *args.Bootable})
	}
	return out
}

// IsBootable reads Cinder's "true"/"false" string.
func (v *Volume) IsBootable() bool { return v.Bootable == "true" }

func sortedKeys[V any](m map[string]V) []string {
	keys := slices.Collect(maps.Keys(m))
	sort.Strings(keys)
	return keys
}

func checkSet(ctx context.Context, env *tools.Env, args SetArgs) (*tools.Check, error) {
	v, err := Resolve(ctx, env, args.Volume)
	if err != nil {
		return nil, err
	}
	resolved := args
	resolved.Volume = v.ID
	chk := &tools.Check{Targets: []tools.Target{v.Target()}, State: v.State(), Fetched: v}
	if args.Name != "" && args.Name != v.Name {
		if same, err := All(ctx, env, cindervolumes.ListOpts{Name: args.Name}); err != nil {
			return nil, err
		} else if len(same) > 0 {
			warnf(chk, "a volume named %s already exists (%s); two volumes of one name need their IDs to tell apart", args.Name, same[0].ID)
		}
	}
	for _, k := range sortedKeys(args.Properties) {
		if prev, had := v.Metadata[k]; had && prev == args.Properties[k] {
			warnf(chk, "volume %s already has property %s=%s; setting it changes nothing", v.Label(), k, prev)
		}
	}
	if args.Bootable != nil && *args.Bootable == v.IsBootable() {
		warnf(chk, "volume %s is already %s; setting it changes nothing", v.Label(), map[bool]string{true: "bootable", false: "not bootable"}[v.IsBootable()])
	}
	if args.Size > 0 {
		if err := checkExtend(ctx, env, v, args.Size, chk); err != nil {
			return nil, err
		}
	}
	if args.Type != "" {
		if resolved.MigrationPolicy == "" {
			resolved.MigrationPolicy = "never"
		}
		if resolved.Type, err = checkRetype(ctx, env, v, args.Type, resolved.MigrationPolicy, chk); err != nil {
			return nil, err
		}
	}
	if args.Size == 0 && args.Type == "" {
		// The extend and retype rules describe the volume themselves.
		infof(chk, "%s", v.Describe())
	}
	chk.Resolved = tools.JSON(resolved)
	return chk, nil
}

func updateOpts(v *Volume, args SetArgs) (cindervolumes.UpdateOpts, bool) {
	var o cindervolumes.UpdateOpts
	if args.Name != "" && args.Name != v.Name {
		o.Name = &args.Name
	}
	if args.Description != nil && *args.Description != v.Description {
		o.Description = args.Description
	}
	return o, o.Name != nil || o.Description != nil
}

func metadataBody(props map[string]string) map[string]any {
	return map[string]any{"metadata": props}
}

func previewSet(ctx context.Context, env *tools.Env, args SetArgs, chk *tools.Check) (*tools.Preview, error) {
	v, err := current(ctx, env, chk, args.Volume)
	if err != nil {
		return nil, err
	}
	c, err := blockstorage.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	pv := &tools.Preview{Changes: setChanges(v, args)}
	if o, ok := updateOpts(v, args); ok {
		body, err := o.ToVolumeUpdateMap()
		if err != nil {
			return nil, err
		}
		pv.Requests = append(pv.Requests, tools.Request{Method: "PUT", URL: c.ServiceURL("volumes", v.ID), Body: body})
	}
	if len(args.Properties) > 0 {
		pv.Requests = append(pv.Requests, tools.Request{Method: "POST", URL: c.ServiceURL("volumes", v.ID, "metadata"), Body: metadataBody(args.Properties)})
	}
	if args.Bootable != nil && *args.Bootable != v.IsBootable() {
		body, err := cindervolumes.BootableOpts{Bootable: *args.Bootable}.ToBootableMap()
		if err != nil {
			return nil, err
		}
		pv.Requests = append(pv.Requests, tools.Request{Method: "POST", URL: c.ServiceURL("volumes", v.ID, "action"), Body: body})
	}
	if args.Size > 0 {
		if err := previewExtend(ctx, env, v, args.Size, pv); err != nil {
			return nil, err
		}
	}
	if args.Type != "" {
		if err := previewRetype(ctx, env, v, args.Type, args.MigrationPolicy, pv); err != nil {
			return nil, err
		}
	}
	return pv, nil
}

// longWait bounds the wait for an extend that a retype follows in the
// same step.
const longWait = 15 * time.Minute

// runSet reads the volume first, so the undo restores what it held right
// before the change, and sends the parts in the order the preview shows.
// A failure part-way returns what was done with the error, so it can
// still be undone.
func runSet(ctx context.Context, env *tools.Env, args SetArgs) (*tools.Result, error) {
	v, err := Resolve(ctx, env, args.Volume)
	if err != nil {
		return nil, err
	}
	c, err := blockstorage.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	old := map[string]string{}
	var added []string
	for k, val := range args.Properties {
		if prev, had := v.Metadata[k]; !had {
			added = append(added, k)
		} else if prev != val {
			old[k] = prev
		}
	}
	sort.Strings(added)
	res := &tools.Result{Outputs: map[string]string{"id": v.ID, "name": v.Name}}
	var done []string
	note := func(what string, h map[string][]string) {
		done = append(done, what)
		res.RequestIDs = append(res.RequestIDs, tools.HeaderRequestIDs(h)...)
	}
	finish := func(err error) (*tools.Result, error) {
		res.Message = fmt.Sprintf("volume %s: %s", v.Label(), strings.Join(done, ", "))
		if len(done) == 0 {
			res.Message = fmt.Sprintf("volume %s: nothing changed", v.Label())
		}
		return res, err
	}
	if o, ok := updateOpts(v, args); ok {
		r := cindervolumes.Update(ctx, c, v.ID, o)
		if r.Err != nil {
			return finish(fmt.Errorf("update volume %s: %w", v.Label(), r.Err))
		}
		if o.Name != nil {
			res.Outputs["old_name"] = v.Name
			res.Outputs["name"] = *o.Name
			env.Names.Remember(Kind, *o.Name)
			env.Lookups.Forget(Kind)
		}
		if o.Description != nil {
			res.Outputs["old_description"] = v.Description
		}
		note("renamed/described", r.Header)
	}
	if len(args.Properties) > 0 {
		resp, err := c.Post(ctx, c.ServiceURL("volumes", v.ID, "metadata"), metadataBody(args.Properties), nil, &gophercloud.RequestOpts{OkCodes: []int{200}}) //nolint:bodyclose // closed by gophercloud
		if err != nil {
			return finish(fmt.Errorf("set properties of volume %s: %w", v.Label(), err))
		}
		res.Outputs["old_properties"] = string(tools.JSON(old))
		res.Outputs["new_properties"] = string(tools.JSON(nonNil(added)))
		note(plural(len(args.Properties), "property set", "properties set"), resp.Header)
	}
	if args.Bootable != nil && *args.Bootable != v.IsBootable() {
		r := cindervolumes.SetBootable(ctx, c, v.ID, cindervolumes.BootableOpts{Bootable: *args.Bootable})
		if r.Err != nil {
			return finish(fmt.Errorf("set volume %s bootable=%t: %w", v.Label(), *args.Bootable, r.Err))
		}
		res.Outputs["old_bootable"] = fmt.Sprint(v.IsBootable())
		note(fmt.Sprintf("bootable=%t", *args.Bootable), r.Header)
	}
	if args.Size > 0 {
		ids, err := extend(ctx, env, v, args.Size)
		if err != nil {
			return finish(err)
		}
		res.RequestIDs = append(res.RequestIDs, ids...)
		done = append(done, fmt.Sprintf("extending from %d to %d GiB", v.Size, args.Size))
		res.Outputs["extended_from"] = fmt.Sprint(v.Size)
		res.Await = awaitVolume(v.ID, v.Name, v.Status)
	}
	if args.Type != "" {
		if res.Await != nil {
			// The retype must wait for the extend: Cinder refuses it
			// while the volume is extending.
			if _, err := blockstorage.Wait(ctx, env, res.Await, longWait); err != nil {
				return finish(err)
			}
			done[len(done)-1] = fmt.Sprintf("extended from %d to %d GiB", v.Size, args.Size)
		}
		ids, err := retype(ctx, env, v, args.Type, args.MigrationPolicy)
		if err != nil {
			return finish(err)
		}
		res.RequestIDs = append(res.RequestIDs, ids...)
		res.Outputs["old_type"] = v.VolumeType
		done = append(done, fmt.Sprintf("changing type from %s to %s", v.VolumeType, args.Type))
		res.Await = awaitRetype(v, args.Type)
	}
	return finish(nil)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// undoSet restores what a volume.set changed: the old name, description,
// overwritten properties, bootable flag and type go back with one
// volume.set; properties it added are removed with a volume.unset when
// that is all it did. A size cannot go back (Cinder does not shrink a
// volume), and the reason says so.
func undoSet(args SetArgs, res *tools.Result) *tools.Call {
	if res == nil || res.Outputs["id"] == "" {
		// Under review: what it restores is known once Run has read it.
		if args.Size > 0 && args.Name == "" && args.Description == nil && args.Properties == nil && args.Bootable == nil && args.Type == "" {
			return nil
		}
		return &tools.Call{Tool: "volume.set", Args: tools.JSON(map[string]string{"volume": args.Volume}), Why: "undo set"}
	}
	o := res.Outputs
	back := SetArgs{Volume: o["id"]}
	var restored, stay []string
	if n, ok := o["old_name"]; ok && n != "" {
		back.Name = n
		restored = append(restored, "name")
	}
	if d, ok := o["old_description"]; ok {
		back.Description = &d
		restored = append(restored, "description")
	}
	var old map[string]string
	var added []string
	_ = json.Unmarshal([]byte(o["old_properties"]), &old)
	_ = json.Unmarshal([]byte(o["new_properties"]), &added)
	if len(old) > 0 {
		back.Properties = old
		restored = append(restored, "properties "+strings.Join(sortedKeys(old), ", "))
	}
	if b, ok := o["old_bootable"]; ok && (b == "true" || b == "false") {
		was := b == "true"
		back.Bootable = &was
		restored = append(restored, "bootable")
	}
	if t := o["old_type"]; t != "" {
		back.Type, back.MigrationPolicy = t, args.MigrationPolicy
		restored = append(restored, "type "+t)
	}
	if len(added) > 0 {
		stay = append(stay, "the added properties "+strings.Join(added, ", ")+" stay (remove them with /volume unset)")
	}
	if from := o["extended_from"]; from != "" {
		stay = append(stay, "the size stays: Cinder cannot shrink a volume back to "+from+" GiB")
	}
	if len(restored) == 0 {
		if len(added) > 0 {
			return &tools.Call{Tool: "volume.unset", Args: tools.JSON(UnsetArgs{Volume: o["id"], Properties: added}), Why: "undo set: remove the properties it added"}
		}
		return nil
	}
	why := "undo set: restore the previous " + strings.Join(restored, ", ")
	if len(stay) > 0 {
		why += "; " + strings.Join(stay, "; ")
	}
	return &tools.Call{Tool: "volume.set", Args: tools.JSON(back), Why: why}
}

func checkUnset(ctx context.Context, env *tools.Env, args UnsetArgs) (*tools.Check, error) {
	v, err := Resolve(ctx, env, args.Volume)
	if err != nil {
		return nil, err
	}
	chk := &tools.Check{Targets: []tools.Target{v.Target()}, State: v.State(), Fetched: v,
		Resolved: tools.JSON(UnsetArgs{Volume: v.ID, Properties: args.Properties})}
	n := 0
	for _, k := range args.Properties {
		if _, had := v.Metadata[k]; !had {
			warnf(chk, "volume %s has no property %s; nothing to unset", v.Label(), k)
		} else {
			n++
		}
	}
	if n > 0 {
		infof(chk, "%s", v.Describe())
	}
	return chk, nil
}

func previewUnset(ctx context.Context, env *tools.Env, args UnsetArgs, chk *tools.Check) (*tools.Preview, error) {
	v, err := current(ctx, env, chk, args.Volume)
	if err != nil {
		return nil, err
	}
	c, err := blockstorage.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	pv := &tools.Preview{}
	for _, k := range args.Properties {
		if prev, had := v.Metadata[k]; had || tools.IsRef(v.ID) {
			pv.Requests = append(pv.Requests, tools.Request{Method: "DELETE", URL: c.ServiceURL("volumes", v.ID, "metadata", k)})
			pv.Changes = append(pv.Changes, tools.FieldChange{Field: "properties." + k, From: prev, To: nil})
		}
	}
	return pv, nil
}

// runUnset removes only the keys the volume holds (Cinder answers 404
// for the rest) and keeps their values for the undo.
func runUnset(ctx context.Context, env *tools.Env, args UnsetArgs) (*tools.Result, error) {
	v, err := Resolve(ctx, env, args.Volume)
	if err != nil {
		return nil, err
	}
	c, err := blockstorage.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	removed := map[string]string{}
	res := &tools.Result{Outputs: map[string]string{"id": v.ID, "name": v.Name, "removed_properties": "{}"}}
	for _, k := range args.Properties {
		prev, had := v.Metadata[k]
		if !had {
			continue
		}
		resp, err := c.Delete(ctx, c.ServiceURL("volumes", v.ID, "metadata", k), &gophercloud.RequestOpts{OkCodes: []int{200, 204}}) //nolint:bodyclose // closed by gophercloud
		if err != nil {
			res.Message = fmt.Sprintf("volume %s: %s", v.Label(), plural(len(removed), "property removed", "properties removed"))
			return res, fmt.Errorf("remove property %s of volume %s: %w", k, v.Label(), err)
		}
		removed[k] = prev
		res.Outputs["removed_properties"] = string(tools.JSON(removed))
		res.RequestIDs = append(res.RequestIDs, tools.RequestIDs(resp, err)...)
	}
	res.Message = fmt.Sprintf("volume %s: %s", v.Label(), plural(len(removed), "property removed", "properties removed"))
	return res, nil
}
