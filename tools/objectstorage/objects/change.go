package objects

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/objectstorage/v1/objects"

	"github.com/kriscelmer/os-tui/internal/secrets"
	"github.com/kriscelmer/os-tui/tools"
	swift "github.com/kriscelmer/os-tui/tools/objectstorage"
)

// CopyArgs are the arguments of object.copy.
type CopyArgs struct {
	Container   string `json:"container"`
	Object      string `json:"object"`
	Destination string `json:"destination"`
}

// SetArgs are the arguments of object.set. DeleteAt is a pointer: ""
// (keep the object for good) differs from not given.
type SetArgs struct {
	Container   string            `json:"container"`
	Object      string            `json:"object"`
	Property    map[string]string `json:"property,omitempty"`
	DeleteAfter string            `json:"delete_after,omitempty"`
	DeleteAt    *string           `json:"delete_at,omitempty"`
}

// UnsetArgs are the arguments of object.unset.
type UnsetArgs struct {
	Container string   `json:"container"`
	Object    string   `json:"object"`
	Property  []string `json:"property,omitempty"`
	Expiry    bool     `json:"expiry,omitempty"`
}

const restoreKey = "restore"

func deleteTool() tools.Tool {
	return tools.ChangeTool(tools.ChangeSpec[DeleteArgs]{
		Name: "object.delete", Effect: tools.Destroy, Service: swift.Service,
		Produces: []string{"container"},
		Check:    checkDelete, Preview: previewDelete, Run: runDelete,
	})
}

func copyTool() tools.Tool {
	return tools.ChangeTool(tools.ChangeSpec[CopyArgs]{
		Name: "object.copy", Effect: tools.Change, Service: swift.Service,
		Produces: []string{"container", "name"},
		Check:    checkCopy, Preview: previewCopy, Run: runCopy,
		Undo: func(_ CopyArgs, res *tools.Result) *tools.Call {
			if res == nil || res.Outputs["created"] != "true" {
				return nil
			}
			return &tools.Call{Tool: "object.delete", Args: tools.JSON(DeleteArgs{Container: res.Outputs["container"], Objects: []string{res.Outputs["name"]}}),
				Why: "undo the copy: delete the new object"}
		},
	})
}

func undoSet(res *tools.Result) *tools.Call {
	if res == nil || res.Outputs[restoreKey] == "" {
		return nil
	}
	return &tools.Call{Tool: "object.set", Args: json.RawMessage(res.Outputs[restoreKey]), Why: "undo: put the object's old properties and expiry back"}
}

func setTool() tools.Tool {
	return tools.ChangeTool(tools.ChangeSpec[SetArgs]{
		Name: "object.set", Effect: tools.Change, Service: swift.Service,
		Produces: []string{"container", "name"},
		Check: func(ctx context.Context, env *tools.Env, args SetArgs) (*tools.Check, error) {
			return checkSet(ctx, env, args, nil)
		},
		Preview: previewSet,
		Run:     runSet,
		Undo:    func(_ SetArgs, res *tools.Result) *tools.Call { return undoSet(res) },
	})
}

func unsetTool() tools.Tool {
	return tools.ChangeTool(tools.ChangeSpec[UnsetArgs]{
		Name: "object.unset", Effect: tools.Change, Service: swift.Service,
		Produces: []string{"container", "name"},
		Check: func(ctx context.Context, env *tools.Env, args UnsetArgs) (*tools.Check, error) {
			c, err := swift.Client(ctx, env)
			if err != nil {
				return nil, err
			}
			o, err := head(ctx, c, args.Container, args.Object)
			if err != nil {
				return nil, err
			}
			set, problems := unsetAsSet(o, args)
			return checkSet(ctx, env, set, o, problems...)
		},
		Preview: func(ctx context.Context, env *tools.Env, args UnsetArgs, chk *tools.Check) (*tools.Preview, error) {
			o, err := fetchedObject(ctx, env, args.Container, args.Object, chk)
			if err != nil {
				return nil, err
			}
			set, _ := unsetAsSet(o, args)
			return previewSet(ctx, env, set, &tools.Check{Fetched: o})
		},
		Run: func(ctx context.Context, env *tools.Env, args UnsetArgs) (*tools.Result, error) {
			c, err := swift.Client(ctx, env)
			if err != nil {
				return nil, err
			}
			o, err := head(ctx, c, args.Container, args.Object)
			if err != nil {
				return nil, err
			}
			set, problems := unsetAsSet(o, args)
			if len(problems) > 0 {
				return nil, errors.New(strings.Join(problems, "; "))
			}
			return applySet(ctx, c, o, set)
		},
		Undo: func(_ UnsetArgs, res *tools.Result) *tools.Call { return undoSet(res) },
	})
}

func objectTarget(container, name string) tools.Target {
	return tools.Target{Kind: swift.ObjectKind, ID: name, Name: container + "/" + name}
}

// --- object.delete ---

func checkDelete(ctx context.Context, env *tools.Env, args DeleteArgs) (*tools.Check, error) {
	c, err := swift.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	chk := &tools.Check{}
	if p := swift.ContainerProblem(args.Container, nil); p != "" {
		swift.Block(chk, p)
		return chk, nil
	}
	var found []swift.Entry
	var total int64
	for _, name := range args.Objects {
		o, err := head(ctx, c, args.Container, name)
		var nf *swift.ObjectNotFoundError
		var pf *pseudoFolderError
		switch {
		case errors.As(err, &pf):
			swift.Block(chk, fmt.Sprintf("%s in %s is a pseudo-folder, not an object; delete the objects under it by name (/object list %s --prefix %s), or the whole container with /container delete %s --recursive",
				name, args.Container, args.Container, pf.prefix, args.Container))
			continue
		case errors.As(err, &nf):
			swift.Block(chk, err.Error())
			continue
		case err != nil:
			return nil, err
		}
		chk.Targets = append(chk.Targets, objectTarget(args.Container, o.Name))
		e := swift.Entry{Name: o.Name, Bytes: o.Size, Hash: o.ETag}
		if o.SLO {
			e.SLOEtag = o.ETag
			chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Info, Text: fmt.Sprintf("%s is a static large object: its segments are deleted with it", o.Name)})
		}
		if o.Manifest != "" {
			chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Info, Text: fmt.Sprintf("%s is a dynamic large object: only its manifest is deleted; its segments under %s stay", o.Name, o.Manifest)})
		}
		found = append(found, e)
		total += o.Size
	}
	if len(found) > 0 {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Warn,
			Text: fmt.Sprintf("deletes %s (%s) from %s; deleted objects cannot be recovered", swift.Plural(int64(len(found)), "object"), swift.HumanBytes(total), args.Container)})
	}
	chk.Fetched = found
	var state []string
	for _, e := range found {
		state = append(state, e.Name+"="+e.Hash)
	}
	chk.State = strings.Join(state, ",")
	return chk, nil
}

func previewDelete(ctx context.Context, env *tools.Env, args DeleteArgs, chk *tools.Check) (*tools.Preview, error) {
	c, err := swift.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	found, ok := tools.FetchedAs[[]swift.Entry](chk)
	if !ok {
		for _, name := range args.Objects {
			found = append(found, swift.Entry{Name: name})
		}
	}
	pv := &tools.Preview{}
	for _, e := range found {
		u := swift.URL(c, args.Container, e.Name)
		fate := "deleted"
		if e.SLOEtag != "" {
			u += "?multipart-manifest=delete"
			fate = "deleted with its segments"
		}
		pv.Requests = append(pv.Requests, tools.Request{Method: "DELETE", URL: u})
		name := args.Container + "/" + e.Name
		if e.Bytes > 0 {
			name += " (" + swift.HumanBytes(e.Bytes) + ")"
		}
		pv.Deletes = append(pv.Deletes, tools.Dependent{Kind: swift.ObjectKind, ID: e.Name, Name: name, Fate: fate})
	}
	return pv, nil
}

func runDelete(ctx context.Context, env *tools.Env, args DeleteArgs) (*tools.Result, error) {
	c, err := swift.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	res := &tools.Result{Outputs: map[string]string{"container": args.Container}}
	var entries []swift.Entry
	for _, name := range args.Objects {
		o, err := swift.GetObject(ctx, c, args.Container, name)
		if err != nil {
			return res, err
		}
		e := swift.Entry{Name: o.Name, Bytes: o.Size}
		if o.SLO {
			e.SLOEtag = o.ETag
		}
		entries = append(entries, e)
	}
	// One request each: a few named objects are no job for bulk delete,
	// and a 404 then names the object.
	report := env.Report()
	report.Status(fmt.Sprintf("deleting %s from %s", swift.Plural(int64(len(entries)), "object"), args.Container))
	t, err := swift.DeleteObjects(ctx, c, &swift.Info{}, args.Container, entries, report)
	res.RequestIDs = t.RequestIDs
	if err != nil {
		return res, fmt.Errorf("%w (%d of %d deleted)", err, t.Deleted, len(entries))
	}
	res.Message = fmt.Sprintf("%s deleted from %s (%s)", swift.Plural(int64(t.Deleted), "object"), args.Container, swift.HumanBytes(t.Bytes))
	if len(entries) == 1 {
		res.Message = fmt.Sprintf("object %s/%s deleted (%s)", args.Container, entries[0].Name, swift.HumanBytes(t.Bytes))
	}
	return res, nil
}

// --- object.copy ---

// destination reads a copy's destination: "/CONTAINER/NAME" for another
// container, any other string a name in the source's container.
func destination(args CopyArgs) (container, name string) {
	if rest, ok := strings.CutPrefix(args.Destination, "/"); ok {
		container, name, _ = strings.Cut(rest, "/")
		return container, name
	}
	return args.Container, args.Destination
}

// copyState is what checkCopy read, for the preview.
type copyState struct {
	source   *swift.Object
	replaces *swift.Object
}

func checkCopy(ctx context.Context, env *tools.Env, args CopyArgs) (*tools.Check, error) {
	c, err := swift.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	info, err := swift.GetInfo(ctx, c)
	if err != nil {
		return nil, err
	}
	chk := &tools.Check{Targets: []tools.Target{objectTarget(args.Container, args.Object)}}
	src, err := head(ctx, c, args.Container, args.Object)
	if err != nil {
		return nil, err
	}
	dc, dn := destination(args)
	switch {
	case dc == "" || dn == "":
		swift.Block(chk, fmt.Sprintf("destination %q names no object: give NAME for a copy in %s, or /CONTAINER/NAME", args.Destination, args.Container))
		return chk, nil
	case dc == args.Container && dn == src.Name:
		swift.Block(chk, "a copy onto itself changes nothing; to change its properties use /object set")
		return chk, nil
	}
	swift.Block(chk, swift.ContainerProblem(dc, info))
	swift.Block(chk, swift.ObjectProblem(dn, info))
	if chk.Blocked() {
		return chk, nil
	}
	if dc != args.Container {
		if _, err := swift.GetContainer(ctx, c, dc); swift.IsNotFound(err) {
			swift.Block(chk, fmt.Sprintf("container %s does not exist; create it first with /container create %s", dc, dc))
			return chk, nil
		} else if err != nil {
			return nil, err
		}
	}
	st := copyState{source: src}
	switch old, err := swift.GetObject(ctx, c, dc, dn); {
	case err == nil:
		st.replaces = old
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Warn, Text: fmt.Sprintf("replaces object %s/%s (%s), which cannot be brought back", dc, dn, swift.HumanBytes(old.Size))})
	case !errors.As(err, new(*swift.ObjectNotFoundError)):
		return nil, err
	}
	if src.SLO || src.Manifest != "" {
		// Swift copies a large object's content into one new object.
		if max := info.Swift.MaxFileSize; max > 0 && src.Size > max {
			swift.Block(chk, fmt.Sprintf("%s is a large object of %s; Swift copies its content into one object, and this cluster's largest is %s: download it and upload it again with /object save and /object create",
				src.Name, swift.HumanBytes(src.Size), swift.HumanBytes(max)))
		} else {
			chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Info, Text: fmt.Sprintf("%s is a large object: the copy is one ordinary object of %s", src.Name, swift.HumanBytes(src.Size))})
		}
	}
	chk.Fetched = st
	chk.State = src.ETag
	return chk, nil
}

func copyOpts(args CopyArgs) objects.CopyOpts {
	dc, dn := destination(args)
	return objects.CopyOpts{Destination: "/" + dc + "/" + dn}
}

func previewCopy(ctx context.Context, env *tools.Env, args CopyArgs, chk *tools.Check) (*tools.Preview, error) {
	c, err := swift.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	h, err := copyOpts(args).ToObjectCopyMap()
	if err != nil {
		return nil, err
	}
	dc, dn := destination(args)
	what := fmt.Sprintf("object %s/%s, a copy of %s/%s", dc, dn, args.Container, args.Object)
	if st, ok := tools.FetchedAs[copyState](chk); ok {
		what += " (" + swift.HumanBytes(st.source.Size) + ")"
		if st.replaces != nil {
			what += ", replacing the one there"
		}
	}
	return &tools.Preview{
		Requests: []tools.Request{{Method: "COPY", URL: swift.URL(c, args.Container, args.Object), Body: swift.HeaderBody(h)}},
		Creates:  []string{what},
	}, nil
}

func runCopy(ctx context.Context, env *tools.Env, args CopyArgs) (*tools.Result, error) {
	c, err := swift.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	dc, dn := destination(args)
	_, err = swift.GetObject(ctx, c, dc, dn)
	created := errors.As(err, new(*swift.ObjectNotFoundError))
	r := objects.Copy(ctx, c, args.Container, args.Object, copyOpts(args))
	if r.Err != nil {
		return nil, fmt.Errorf("copy %s/%s to %s/%s: %w", args.Container, args.Object, dc, dn, r.Err)
	}
	return &tools.Result{
		Message:    fmt.Sprintf("%s/%s copied to %s/%s", args.Container, args.Object, dc, dn),
		Outputs:    map[string]string{"container": dc, "name": dn, "created": strconv.FormatBool(created)},
		RequestIDs: tools.HeaderRequestIDs(r.Header),
	}, nil
}

// --- object.set / object.unset ---

func fetchedObject(ctx context.Context, env *tools.Env, container, name string, chk *tools.Check) (*swift.Object, error) {
	if o, ok := tools.FetchedAs[*swift.Object](chk); ok {
		return o, nil
	}
	c, err := swift.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	return head(ctx, c, container, name)
}

func lookupFold(m map[string]string, key string) (string, string, bool) {
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return k, v, true
		}
	}
	return "", "", false
}

// unsetAsSet turns an unset into a set of empty values.
func unsetAsSet(o *swift.Object, args UnsetArgs) (SetArgs, []string) {
	set := SetArgs{Container: o.Container, Object: o.Name}
	var problems []string
	for _, k := range args.Property {
		if _, _, ok := lookupFold(o.RawProperties, k); !ok {
			problems = append(problems, fmt.Sprintf("object %s/%s has no property %q", o.Container, o.Name, k))
			continue
		}
		if set.Property == nil {
			set.Property = map[string]string{}
		}
		set.Property[k] = ""
	}
	if args.Expiry {
		if o.DeleteAt == 0 {
			problems = append(problems, fmt.Sprintf("object %s/%s does not expire", o.Container, o.Name))
		} else {
			set.DeleteAt = new(string)
		}
	}
	return set, problems
}

// objectChange is what a set does to one object: the headers of the POST
// (which replaces all of an object's metadata, so every property it keeps
// is sent again), the changes a person reads, and the set that undoes it.
type objectChange struct {
	headers  map[string]string
	changes  []tools.FieldChange
	restore  SetArgs
	deleteAt int64
}

func planSet(o *swift.Object, args SetArgs, now time.Time) (*objectChange, error) {
	oc := &objectChange{headers: map[string]string{}, restore: SetArgs{Container: o.Container, Object: o.Name}}
	props := map[string]string{}
	for k, v := range o.RawProperties {
		props[k] = v
	}
	for _, k := range swift.SortedKeys(args.Property) {
		v := args.Property[k]
		key, old, had := lookupFold(props, k)
		if !had {
			key = k
		}
		if had && old == v {
			continue
		}
		secret := secrets.IsSecretKey(k)
		from, to := any(old), any(v)
		if secret {
			from, to = redacted(old), redacted(v)
		}
		if v == "" {
			to = "(removed)"
			delete(props, key)
		} else {
			props[key] = v
		}
		oc.changes = append(oc.changes, tools.FieldChange{Field: "property " + k, From: from, To: to})
		if !secret {
			if oc.restore.Property == nil {
				oc.restore.Property = map[string]string{}
			}
			oc.restore.Property[key] = old
		}
	}
	for k, v := range props {
		oc.headers["X-Object-Meta-"+k] = v
	}
	oc.deleteAt = o.DeleteAt
	switch {
	case args.DeleteAfter != "":
		d, err := swift.ParseDuration(args.DeleteAfter)
		if err != nil {
			return nil, err
		}
		oc.deleteAt = now.Add(d).Unix()
	case args.DeleteAt != nil && *args.DeleteAt == "":
		oc.deleteAt = 0
	case args.DeleteAt != nil:
		t, err := swift.ParseTime(*args.DeleteAt)
		if err != nil {
			return nil, err
		}
		oc.deleteAt = t.Unix()
	}
	if oc.deleteAt != o.DeleteAt {
		oc.changes = append(oc.changes, tools.FieldChange{Field: "delete-at", From: swift.FormatDeleteAt(o.DeleteAt), To: orNever(oc.deleteAt)})
		oc.restore.DeleteAt = ptr(strconv.FormatInt(o.DeleteAt, 10))
		if o.DeleteAt == 0 {
			oc.restore.DeleteAt = ptr("")
		}
	}
	// The POST would drop an expiry it does not repeat.
	if oc.deleteAt > 0 {
		oc.headers["X-Delete-At"] = strconv.FormatInt(oc.deleteAt, 10)
	}
	return oc, nil
}

func orNever(unix int64) string {
	if unix == 0 {
		return "(never)"
	}
	return swift.FormatDeleteAt(unix)
}

func ptr[T any](v T) *T { return &v }

func redacted(s string) string {
	if s == "" {
		return ""
	}
	return secrets.Placeholder
}

func checkSet(ctx context.Context, env *tools.Env, args SetArgs, o *swift.Object, problems ...string) (*tools.Check, error) {
	if o == nil {
		c, err := swift.Client(ctx, env)
		if err != nil {
			return nil, err
		}
		if o, err = head(ctx, c, args.Container, args.Object); err != nil {
			return nil, err
		}
	}
	chk := &tools.Check{Targets: []tools.Target{objectTarget(o.Container, o.Name)}, Fetched: o,
		State: fmt.Sprintf("etag=%s,delete-at=%d", o.ETag, o.DeleteAt)}
	for _, p := range problems {
		swift.Block(chk, p)
	}
	if args.DeleteAfter != "" && args.DeleteAt != nil {
		swift.Block(chk, "give --delete-after or --delete-at, not both")
		return chk, nil
	}
	now := time.Now()
	oc, err := planSet(o, args, now)
	if err != nil {
		swift.Block(chk, err.Error())
		return chk, nil
	}
	if oc.deleteAt != o.DeleteAt && oc.deleteAt > 0 {
		at := time.Unix(oc.deleteAt, 0)
		switch {
		case !at.After(now):
			swift.Block(chk, fmt.Sprintf("%s is in the past; Swift would refuse it (to delete the object now use /object delete)", at.UTC().Format(time.RFC3339)))
		default:
			chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Warn,
				Text: fmt.Sprintf("Swift deletes %s/%s at %s (in %s), for good", o.Container, o.Name, at.UTC().Format(time.RFC3339), at.Sub(now).Round(time.Second))})
		}
	}
	if len(oc.changes) == 0 && !chk.Blocked() {
		swift.Block(chk, fmt.Sprintf("object %s/%s already has these settings; nothing to change", o.Container, o.Name))
	}
	return chk, nil
}

func previewSet(ctx context.Context, env *tools.Env, args SetArgs, chk *tools.Check) (*tools.Preview, error) {
	c, err := swift.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	o, err := fetchedObject(ctx, env, args.Container, args.Object, chk)
	if err != nil {
		return nil, err
	}
	oc, err := planSet(o, args, time.Now())
	if err != nil {
		return nil, err
	}
	h := oc.headers
	if args.DeleteAfter != "" {
		// Run sends X-Delete-After, so the clock that counts is Swift's.
		h = copyMap(h)
		delete(h, "X-Delete-At")
		d, _ := swift.ParseDuration(args.DeleteAfter)
		h["X-Delete-After"] = strconv.FormatInt(int64(d/time.Second), 10)
	}
	return &tools.Preview{
		Requests: []tools.Request{{Method: "POST", URL: swift.URL(c, o.Container, o.Name), Body: swift.HeaderBody(h)}},
		Changes:  oc.changes,
	}, nil
}

func copyMap(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// headerOpts sends headers as built; object.set needs its own since the
// POST must repeat every property and the expiry.
type headerOpts map[string]string

// ToObjectUpdateMap implements objects.UpdateOptsBuilder.
func (h headerOpts) ToObjectUpdateMap() (map[string]string, error) { return h, nil }

func runSet(ctx context.Context, env *tools.Env, args SetArgs) (*tools.Result, error) {
	c, err := swift.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	o, err := head(ctx, c, args.Container, args.Object)
	if err != nil {
		return nil, err
	}
	return applySet(ctx, c, o, args)
}

func applySet(ctx context.Context, c *gophercloud.ServiceClient, o *swift.Object, args SetArgs) (*tools.Result, error) {
	oc, err := planSet(o, args, time.Now())
	if err != nil {
		return nil, err
	}
	out := map[string]string{"container": o.Container, "name": o.Name}
	if len(oc.changes) == 0 {
		return &tools.Result{Message: fmt.Sprintf("object %s/%s: nothing to change", o.Container, o.Name), Outputs: out}, nil
	}
	h := headerOpts(oc.headers)
	if args.DeleteAfter != "" {
		h = headerOpts(copyMap(oc.headers))
		delete(h, "X-Delete-At")
		d, _ := swift.ParseDuration(args.DeleteAfter)
		h["X-Delete-After"] = strconv.FormatInt(int64(d/time.Second), 10)
	}
	r := objects.Update(ctx, c, o.Container, o.Name, h)
	if r.Err != nil {
		return nil, fmt.Errorf("update object %s/%s: %w", o.Container, o.Name, r.Err)
	}
	var fields []string
	for _, ch := range oc.changes {
		fields = append(fields, ch.Field)
	}
	if len(oc.restore.Property) > 0 || oc.restore.DeleteAt != nil {
		out[restoreKey] = string(tools.JSON(oc.restore))
	}
	return &tools.Result{
		Message:    fmt.Sprintf("object %s/%s updated: %s", o.Container, o.Name, strings.Join(fields, ", ")),
		Outputs:    out,
		RequestIDs: tools.HeaderRequestIDs(r.Header),
	}, nil
}
