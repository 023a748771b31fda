package containers

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/gophercloud/gophercloud/v2/openstack/objectstorage/v1/containers"

	"github.com/kriscelmer/os-tui/internal/secrets"
	"github.com/kriscelmer/os-tui/tools"
	swift "github.com/kriscelmer/os-tui/tools/objectstorage"
)

// SetArgs are the arguments of container.set. Pointers tell "not given"
// from "" (which removes a setting, as Swift removes metadata sent empty).
type SetArgs struct {
	Container         string            `json:"container"`
	Property          map[string]string `json:"property,omitempty"`
	ReadACL           *string           `json:"read_acl,omitempty"`
	WriteACL          *string           `json:"write_acl,omitempty"`
	CORSAllowOrigin   *string           `json:"cors_allow_origin,omitempty"`
	CORSMaxAge        *string           `json:"cors_max_age,omitempty"`
	CORSExposeHeaders *string           `json:"cors_expose_headers,omitempty"`
	QuotaBytes        *string           `json:"quota_bytes,omitempty"`
	QuotaCount        *string           `json:"quota_count,omitempty"`
	VersionsLocation  *string           `json:"versions_location,omitempty"`
	HistoryLocation   *string           `json:"history_location,omitempty"`
	Versioning        *bool             `json:"versioning,omitempty"`
}

// UnsetArgs are the arguments of container.unset.
type UnsetArgs struct {
	Container        string   `json:"container"`
	Property         []string `json:"property,omitempty"`
	ReadACL          bool     `json:"read_acl,omitempty"`
	WriteACL         bool     `json:"write_acl,omitempty"`
	CORS             bool     `json:"cors,omitempty"`
	Quota            bool     `json:"quota,omitempty"`
	VersionsLocation bool     `json:"versions_location,omitempty"`
}

// restoreKey is the output holding container.set arguments that put the
// old settings back, for the undo.
const restoreKey = "restore"

func undoSet(res *tools.Result) *tools.Call {
	if res == nil || res.Outputs[restoreKey] == "" {
		return nil
	}
	return &tools.Call{Tool: "container.set", Args: json.RawMessage(res.Outputs[restoreKey]), Why: "undo: put the container's old settings back"}
}

func setTool() tools.Tool {
	return tools.ChangeTool(tools.ChangeSpec[SetArgs]{
		Name: "container.set", Effect: tools.Change, Service: swift.Service,
		Produces: []string{"name"},
		Subject:  func(a SetArgs) (string, string) { return swift.ContainerKind, a.Container },
		Check:    checkSet,
		Preview: func(ctx context.Context, env *tools.Env, args SetArgs, chk *tools.Check) (*tools.Preview, error) {
			return preview(ctx, env, args, chk)
		},
		Run:  runSet,
		Undo: func(_ SetArgs, res *tools.Result) *tools.Call { return undoSet(res) },
	})
}

func unsetTool() tools.Tool {
	return tools.ChangeTool(tools.ChangeSpec[UnsetArgs]{
		Name: "container.unset", Effect: tools.Change, Service: swift.Service,
		Produces: []string{"name"},
		Subject:  func(a UnsetArgs) (string, string) { return swift.ContainerKind, a.Container },
		Check: func(ctx context.Context, env *tools.Env, args UnsetArgs) (*tools.Check, error) {
			ct, info, err := read(ctx, env, args.Container)
			if err != nil {
				return nil, err
			}
			set, problems := unsetAsSet(ct, args)
			return check(ctx, env, ct, info, set, problems...), nil
		},
		Preview: func(ctx context.Context, env *tools.Env, args UnsetArgs, chk *tools.Check) (*tools.Preview, error) {
			ct, ok := tools.FetchedAs[*swift.Container](chk)
			if !ok {
				var err error
				if ct, _, err = read(ctx, env, args.Container); err != nil {
					return nil, err
				}
			}
			set, _ := unsetAsSet(ct, args)
			return preview(ctx, env, set, &tools.Check{Fetched: ct})
		},
		Run: func(ctx context.Context, env *tools.Env, args UnsetArgs) (*tools.Result, error) {
			ct, _, err := read(ctx, env, args.Container)
			if err != nil {
				return nil, err
			}
			set, problems := unsetAsSet(ct, args)
			if len(problems) > 0 {
				return nil, fmt.Errorf("%s", strings.Join(problems, "; "))
			}
			return apply(ctx, env, ct, set)
		},
		Undo: func(_ UnsetArgs, res *tools.Result) *tools.Call { return undoSet(res) },
	})
}

func ptr[T any](v T) *T { return &v }

// unsetAsSet turns an unset into the set that sends each named setting
// empty, for those the container has; asking to remove what is not
// there is a problem sentence.
func unsetAsSet(ct *swift.Container, args UnsetArgs) (SetArgs, []string) {
	set := SetArgs{Container: ct.Name}
	var problems []string
	empty := func(have string, field **string) bool {
		if have == "" {
			return false
		}
		*field = ptr("")
		return true
	}
	for _, k := range args.Property {
		if _, ok := lookupFold(ct.Properties, k); !ok {
			problems = append(problems, fmt.Sprintf("container %s has no property %q", ct.Name, k))
			continue
		}
		if set.Property == nil {
			set.Property = map[string]string{}
		}
		set.Property[k] = ""
	}
	if args.ReadACL && !empty(ct.ReadACL, &set.ReadACL) {
		problems = append(problems, fmt.Sprintf("container %s has no read ACL", ct.Name))
	}
	if args.WriteACL && !empty(ct.WriteACL, &set.WriteACL) {
		problems = append(problems, fmt.Sprintf("container %s has no write ACL", ct.Name))
	}
	if args.CORS {
		a := empty(ct.CORSAllowOrigin, &set.CORSAllowOrigin)
		b := empty(ct.CORSMaxAge, &set.CORSMaxAge)
		c := empty(ct.CORSExposeHeaders, &set.CORSExposeHeaders)
		if !a && !b && !c {
			problems = append(problems, fmt.Sprintf("container %s has no CORS settings", ct.Name))
		}
	}
	if args.Quota {
		a := empty(ct.QuotaBytes, &set.QuotaBytes)
		b := empty(ct.QuotaCount, &set.QuotaCount)
		if !a && !b {
			problems = append(problems, fmt.Sprintf("container %s has no quota", ct.Name))
		}
	}
	if args.VersionsLocation {
		a := empty(ct.VersionsLocation, &set.VersionsLocation)
		b := empty(ct.HistoryLocation, &set.HistoryLocation)
		if !a && !b {
			problems = append(problems, fmt.Sprintf("container %s has no versions or history location", ct.Name))
		}
	}
	return set, problems
}

// lookupFold finds a property by key, case-insensitively: Swift's header
// names are, and it returns them capitalised its own way.
func lookupFold(m map[string]string, key string) (string, bool) {
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return v, true
		}
	}
	return "", false
}

func read(ctx context.Context, env *tools.Env, name string) (*swift.Container, *swift.Info, error) {
	c, err := swift.Client(ctx, env)
	if err != nil {
		return nil, nil, err
	}
	ct, err := resolve(ctx, c, name)
	if err != nil {
		return nil, nil, err
	}
	info, err := swift.GetInfo(ctx, c)
	if err != nil {
		return nil, nil, err
	}
	return ct, info, nil
}

// change is one setting a set modifies.
type change struct {
	field  string // as the person names it ("read_acl", "property Owner")
	header string
	from   string
	to     string
	secret bool
}

// plan works out the headers that turn ct into what args ask for, one
// change per setting that differs, and the container.set arguments that
// put it back. Secret properties (a container's Temp-URL-Key) are changed
// but never restored: restoring would copy the old key into the undo.
func plan(ct *swift.Container, args SetArgs) ([]change, SetArgs, error) {
	var out []change
	prev := SetArgs{Container: ct.Name}
	add := func(field, header, from string, to *string, restore **string) {
		if to == nil || *to == from {
			return
		}
		out = append(out, change{field: field, header: header, from: from, to: *to})
		*restore = ptr(from)
	}
	for _, k := range swift.SortedKeys(args.Property) {
		old, _ := lookupFold(ct.Properties, k)
		v := args.Property[k]
		secret := secrets.IsSecretKey(k)
		if v == old && !secret {
			continue
		}
		out = append(out, change{field: "property " + k, header: "X-Container-Meta-" + k, from: old, to: v, secret: secret})
		if !secret {
			if prev.Property == nil {
				prev.Property = map[string]string{}
			}
			prev.Property[k] = old
		}
	}
	add("read_acl", "X-Container-Read", ct.ReadACL, args.ReadACL, &prev.ReadACL)
	add("write_acl", "X-Container-Write", ct.WriteACL, args.WriteACL, &prev.WriteACL)
	add("cors_allow_origin", "X-Container-Meta-"+swift.MetaCORSAllowOrigin, ct.CORSAllowOrigin, args.CORSAllowOrigin, &prev.CORSAllowOrigin)
	add("cors_max_age", "X-Container-Meta-"+swift.MetaCORSMaxAge, ct.CORSMaxAge, args.CORSMaxAge, &prev.CORSMaxAge)
	add("cors_expose_headers", "X-Container-Meta-"+swift.MetaCORSExposeHeaders, ct.CORSExposeHeaders, args.CORSExposeHeaders, &prev.CORSExposeHeaders)
	if args.QuotaBytes != nil {
		// Swift wants bytes; a person types 10G.
		to := ""
		if *args.QuotaBytes != "" {
			n, err := swift.ParseSize(*args.QuotaBytes)
			if err != nil {
				return nil, prev, err
			}
			to = strconv.FormatInt(n, 10)
		}
		add("quota_bytes", "X-Container-Meta-"+swift.MetaQuotaBytes, ct.QuotaBytes, &to, &prev.QuotaBytes)
	}
	add("quota_count", "X-Container-Meta-"+swift.MetaQuotaCount, ct.QuotaCount, args.QuotaCount, &prev.QuotaCount)
	add("versions_location", "X-Versions-Location", ct.VersionsLocation, args.VersionsLocation, &prev.VersionsLocation)
	add("history_location", "X-History-Location", ct.HistoryLocation, args.HistoryLocation, &prev.HistoryLocation)
	if args.Versioning != nil {
		was := strings.EqualFold(ct.VersionsEnabled, "true")
		if *args.Versioning != was {
			out = append(out, change{field: "versioning", header: "X-Versions-Enabled", from: strconv.FormatBool(was), to: strconv.FormatBool(*args.Versioning)})
			prev.Versioning = ptr(was)
		}
	}
	return out, prev, nil
}

// headerOpts sends headers as they are: container.set builds every one
// itself, including empty ones, which Swift reads as "remove".
type headerOpts map[string]string

// ToContainerUpdateMap implements containers.UpdateOptsBuilder.
func (h headerOpts) ToContainerUpdateMap() (map[string]string, error) { return h, nil }

func headersOf(changes []change) headerOpts {
	h := headerOpts{}
	for _, c := range changes {
		h[c.header] = c.to
	}
	return h
}

func checkSet(ctx context.Context, env *tools.Env, args SetArgs) (*tools.Check, error) {
	ct, info, err := read(ctx, env, args.Container)
	if err != nil {
		return nil, err
	}
	return check(ctx, env, ct, info, args), nil
}

// check applies container.set's rules (shared by unset, which is a set
// of empty values).
func check(ctx context.Context, env *tools.Env, ct *swift.Container, info *swift.Info, args SetArgs, problems ...string) *tools.Check {
	chk := &tools.Check{Targets: []tools.Target{target(ct.Name)}, Fetched: ct}
	for _, p := range problems {
		swift.Block(chk, p)
	}
	changes, prev, err := plan(ct, args)
	if err != nil {
		swift.Block(chk, err.Error())
		return chk
	}
	chk.State = string(tools.JSON(prev))
	given := func(p *string) bool { return p != nil && *p != "" }
	if given(args.QuotaBytes) || given(args.QuotaCount) {
		info.Require(chk, swift.FeatureContainerQuotas, "a quota would be kept as a plain property and not enforced")
		if n, err := swift.ParseSize(deref(args.QuotaBytes)); err == nil && given(args.QuotaBytes) && n < ct.Bytes {
			chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Warn,
				Text: fmt.Sprintf("container %s already holds %s, more than the quota: uploads are refused until objects are deleted", ct.Name, swift.HumanBytes(ct.Bytes))})
		}
		if n, err := strconv.ParseInt(deref(args.QuotaCount), 10, 64); err == nil && n < ct.Objects {
			chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Warn,
				Text: fmt.Sprintf("container %s already holds %s, more than the quota: uploads are refused until objects are deleted", ct.Name, swift.Plural(ct.Objects, "object"))})
		}
	}
	if given(args.VersionsLocation) && given(args.HistoryLocation) {
		swift.Block(chk, "give a versions location or a history location, not both: Swift keeps old versions one way per container")
	}
	for _, loc := range []struct {
		to   *string
		flag string
	}{{args.VersionsLocation, "x-versions-location"}, {args.HistoryLocation, "x-history-location"}} {
		if !given(loc.to) {
			continue
		}
		info.Require(chk, swift.FeatureVersionedWrites, "the location would not be used")
		if info.Has(swift.FeatureVersionedWrites) && !info.AllowsFlag(loc.flag) {
			swift.Block(chk, fmt.Sprintf("this cluster's versioned_writes does not allow %s (allowed: %s)", loc.flag, strings.Join(info.Strings(swift.FeatureVersionedWrites, "allowed_flags"), ", ")))
		}
		switch {
		case *loc.to == ct.Name:
			swift.Block(chk, fmt.Sprintf("container %s cannot keep its own old versions; name another container", ct.Name))
		case swift.ContainerProblem(*loc.to, info) != "":
			swift.Block(chk, swift.ContainerProblem(*loc.to, info))
		default:
			if c, err := swift.Client(ctx, env); err == nil {
				if _, err := swift.GetContainer(ctx, c, *loc.to); swift.IsNotFound(err) {
					swift.Block(chk, fmt.Sprintf("container %s, where old versions would go, does not exist; create it first with /container create %s", *loc.to, *loc.to))
				}
			}
		}
		if strings.EqualFold(ct.VersionsEnabled, "true") {
			swift.Block(chk, fmt.Sprintf("container %s uses object versioning (X-Versions-Enabled); turn it off with --no-versioning before giving it a versions location", ct.Name))
		}
	}
	if args.Versioning != nil && *args.Versioning {
		info.Require(chk, swift.FeatureObjectVersioning, "Swift would refuse X-Versions-Enabled")
		removing := func(p *string) bool { return p != nil && *p == "" }
		keeps := (ct.VersionsLocation != "" && !removing(args.VersionsLocation)) ||
			(ct.HistoryLocation != "" && !removing(args.HistoryLocation))
		if keeps {
			swift.Block(chk, fmt.Sprintf("container %s keeps versions in another container (X-Versions-Location or X-History-Location); remove that with /container unset %s --versions-location first", ct.Name, ct.Name))
		}
	}
	if given(args.ReadACL) && strings.Contains(*args.ReadACL, ".r:*") {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Warn,
			Text: fmt.Sprintf("container %s becomes public: anyone who knows its URL can read its objects without logging in", ct.Name)})
	}
	for _, c := range changes {
		if c.secret {
			chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Info,
				Text: fmt.Sprintf("%s is a secret: it is not shown, and an undo cannot restore its old value", c.field)})
		}
	}
	if len(changes) == 0 && !chk.Blocked() {
		swift.Block(chk, fmt.Sprintf("container %s already has these settings; nothing to change", ct.Name))
	}
	return chk
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func preview(ctx context.Context, env *tools.Env, args SetArgs, chk *tools.Check) (*tools.Preview, error) {
	c, err := swift.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	ct, ok := tools.FetchedAs[*swift.Container](chk)
	if !ok {
		if ct, err = resolve(ctx, c, args.Container); err != nil {
			return nil, err
		}
	}
	changes, _, err := plan(ct, args)
	if err != nil {
		return nil, err
	}
	pv := &tools.Preview{Requests: []tools.Request{{Method: "POST", URL: swift.URL(c, ct.Name), Body: swift.HeaderBody(headersOf(changes))}}}
	for _, ch := range changes {
		from, to := any(ch.from), any(ch.to)
		if ch.secret {
			from, to = redacted(ch.from), redacted(ch.to)
		}
		if ch.to == "" {
			to = "(removed)"
		}
		pv.Changes = append(pv.Changes, tools.FieldChange{Field: ch.field, From: from, To: to})
	}
	return pv, nil
}

// restorable reports whether prev sets anything back.
func restorable(prev SetArgs) bool {
	return len(prev.Property) > 0 || prev.ReadACL != nil || prev.WriteACL != nil ||
		prev.CORSAllowOrigin != nil || prev.CORSMaxAge != nil || prev.CORSExposeHeaders != nil ||
		prev.QuotaBytes != nil || prev.QuotaCount != nil || prev.VersionsLocation != nil ||
		prev.HistoryLocation != nil || prev.Versioning != nil
}

func redacted(s string) string {
	if s == "" {
		return ""
	}
	return secrets.Placeholder
}

func runSet(ctx context.Context, env *tools.Env, args SetArgs) (*tools.Result, error) {
	ct, _, err := read(ctx, env, args.Container)
	if err != nil {
		return nil, err
	}
	return apply(ctx, env, ct, args)
}

// apply sends the set, planned again against the container as it is now,
// and keeps what an undo needs.
func apply(ctx context.Context, env *tools.Env, ct *swift.Container, args SetArgs) (*tools.Result, error) {
	c, err := swift.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	changes, prev, err := plan(ct, args)
	if err != nil {
		return nil, err
	}
	if len(changes) == 0 {
		return &tools.Result{Message: "container " + ct.Name + ": nothing to change", Outputs: map[string]string{"name": ct.Name}}, nil
	}
	r := containers.Update(ctx, c, ct.Name, headersOf(changes))
	if r.Err != nil {
		return nil, fmt.Errorf("update container %s: %w", ct.Name, r.Err)
	}
	var fields []string
	for _, ch := range changes {
		fields = append(fields, ch.field)
	}
	out := map[string]string{"name": ct.Name}
	if restorable(prev) {
		out[restoreKey] = string(tools.JSON(prev))
	}
	return &tools.Result{
		Message:    fmt.Sprintf("container %s updated: %s", ct.Name, strings.Join(fields, ", ")),
		Outputs:    out,
		RequestIDs: tools.HeaderRequestIDs(r.Header),
	}, nil
}
