// Package account holds the tools of the project's Swift account: show,
// set and unset of its properties. One of them is a secret: the
// Temp-URL-Key that signs temp URLs. It never leaves this package but in
// the one request that sets it: previews, findings, results, outputs and
// undo calls carry "<redacted>" or nothing in its place, and
// --generate-temp-url-key makes a key nobody ever types or sees.
package account

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/gophercloud/gophercloud/v2/openstack/objectstorage/v1/accounts"

	"github.com/kriscelmer/os-tui/internal/secrets"
	"github.com/kriscelmer/os-tui/tools"
	swift "github.com/kriscelmer/os-tui/tools/objectstorage"
)

// Kind is the resource kind of the account in targets.
const Kind = "account"

// TempURLKey is the property that holds the key, as people type it.
const TempURLKey = "Temp-URL-Key"

// generatedKeyBytes is the entropy of a generated key (64 hex digits).
const generatedKeyBytes = 32

// shortKey is the length under which a typed key draws a warning.
const shortKey = 16

// Tools returns the account tools.
func Tools() []tools.Tool {
	return []tools.Tool{
		tools.ReadTool("account.show", swift.Service, show),
		tools.ChangeTool(tools.ChangeSpec[SetArgs]{
			Name: "account.set", Effect: tools.Change, Service: swift.Service,
			Produces: []string{"account"},
			Check:    checkSet, Preview: previewSet, Run: runSet,
			Undo: func(_ SetArgs, res *tools.Result) *tools.Call { return undo(res) },
		}),
		tools.ChangeTool(tools.ChangeSpec[UnsetArgs]{
			Name: "account.unset", Effect: tools.Change, Service: swift.Service,
			Produces: []string{"account"},
			Check: func(ctx context.Context, env *tools.Env, args UnsetArgs) (*tools.Check, error) {
				return checkSet(ctx, env, asSet(args))
			},
			Preview: func(ctx context.Context, env *tools.Env, args UnsetArgs, chk *tools.Check) (*tools.Preview, error) {
				return previewSet(ctx, env, asSet(args), chk)
			},
			Run: func(ctx context.Context, env *tools.Env, args UnsetArgs) (*tools.Result, error) {
				return runSet(ctx, env, asSet(args))
			},
			Undo: func(_ UnsetArgs, res *tools.Result) *tools.Call { return undo(res) },
		}),
	}
}

// ShowArgs are the arguments of account.show (none).
type ShowArgs struct{}

// SetArgs are the arguments of account.set.
type SetArgs struct {
	Property           map[string]string `json:"property,omitempty"`
	GenerateTempURLKey bool              `json:"generate_temp_url_key,omitempty"`
}

// UnsetArgs are the arguments of account.unset.
type UnsetArgs struct {
	Property []string `json:"property"`
}

// asSet is an unset as a set of empty values, which Swift reads as
// "remove".
func asSet(args UnsetArgs) SetArgs {
	set := SetArgs{Property: map[string]string{}}
	for _, k := range args.Property {
		set.Property[k] = ""
	}
	return set
}

const restoreKey = "restore"

func undo(res *tools.Result) *tools.Call {
	if res == nil || res.Outputs[restoreKey] == "" {
		return nil
	}
	why := "undo: put the account's old properties back"
	if res.Outputs["key_lost"] == "true" {
		why += " (the replaced Temp-URL-Key is not kept anywhere, so it cannot be restored)"
	}
	return &tools.Call{Tool: "account.set", Args: json.RawMessage(res.Outputs[restoreKey]), Why: why}
}

func show(ctx context.Context, env *tools.Env, _ ShowArgs) (*tools.Result, error) {
	c, err := swift.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	a, err := swift.GetAccount(ctx, c)
	if err != nil {
		return nil, err
	}
	key := ""
	if a.HasTempURLKey {
		key = "set"
	}
	// The openstack CLI's fields first, with its capitals.
	return &tools.Result{Record: &tools.Record{Fields: []tools.Field{
		{Name: "Account", Value: a.Name},
		{Name: "Bytes", Value: a.Bytes},
		{Name: "Containers", Value: a.Containers},
		{Name: "Objects", Value: a.Objects},
		{Name: "properties", Value: a.Properties},
		{Name: "quota_bytes", Value: a.QuotaBytes},
		{Name: "temp_url_key", Value: key},
	}}}, nil
}

// isKey reports the properties that are the temp URL key (or its second
// slot, which Swift keeps for key rotation).
func isKey(k string) bool { return secrets.IsSecretKey(k) }

func lookupFold(m map[string]string, key string) (string, string, bool) {
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return k, v, true
		}
	}
	return "", "", false
}

// change is one property a set modifies.
type change struct {
	key     string
	from    string // "" when absent; "<redacted>" for a set secret
	to      string
	had     bool
	secret  bool
	removes bool
}

// plan compares args with the account. Secret values are never compared
// (the account's are redacted when read): setting a key always counts as
// a change.
func plan(a *swift.Account, args SetArgs) []change {
	var out []change
	for _, k := range swift.SortedKeys(args.Property) {
		v := args.Property[k]
		_, old, had := lookupFold(a.Properties, k)
		secret := isKey(k)
		if !secret && had && old == v {
			continue
		}
		if v == "" && !had {
			continue // removing what is not there; Check says so
		}
		out = append(out, change{key: k, from: old, to: v, had: had, secret: secret, removes: v == ""})
	}
	if args.GenerateTempURLKey {
		out = append(out, change{key: TempURLKey, had: a.HasTempURLKey, secret: true, to: "(generated)"})
	}
	return out
}

func checkSet(ctx context.Context, env *tools.Env, args SetArgs) (*tools.Check, error) {
	c, err := swift.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	a, err := swift.GetAccount(ctx, c)
	if err != nil {
		return nil, err
	}
	chk := &tools.Check{Targets: []tools.Target{{Kind: Kind, ID: a.Name, Name: a.Name}}, Fetched: a}
	typedKey := false
	for _, k := range swift.SortedKeys(args.Property) {
		v := args.Property[k]
		_, _, had := lookupFold(a.Properties, k)
		switch {
		case v == "" && !had:
			swift.Block(chk, fmt.Sprintf("the account has no property %q to remove", k))
		case isKey(k) && v != "":
			typedKey = true
			if len(v) < shortKey {
				chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Warn,
					Text: fmt.Sprintf("a %d-character key is easy to guess, and anyone who has it can sign URLs to every object; --generate-temp-url-key makes a random one of 64", len(v))})
			}
		}
	}
	if args.GenerateTempURLKey && typedKey {
		swift.Block(chk, "give a Temp-URL-Key property or --generate-temp-url-key, not both")
	}
	changes := plan(a, args)
	setsKey := args.GenerateTempURLKey || typedKey
	removesKey := false
	for _, ch := range changes {
		if ch.secret && ch.removes {
			removesKey = true
		}
	}
	if setsKey {
		info, err := swift.GetInfo(ctx, c)
		if err != nil {
			return nil, err
		}
		info.Require(chk, swift.FeatureTempURL, "the key would be stored, but no temp URL would work")
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Info,
			Text: "the key is a secret: it is not shown here, in the audit log or to a model, and an undo cannot restore a key it replaces"})
	}
	if (setsKey && a.HasTempURLKey) || removesKey {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Warn,
			Text: "every temp URL signed with the account's current key stops working"})
	}
	if len(changes) == 0 && !chk.Blocked() {
		swift.Block(chk, "the account already has these properties; nothing to change")
	}
	// What the gate compares before running: never a key's value.
	chk.State = fmt.Sprintf("temp-url-key=%t,%s", a.HasTempURLKey, tools.JSON(nonSecret(a.Properties)))
	return chk, nil
}

func nonSecret(m map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		if !isKey(k) {
			out[k] = v
		}
	}
	return out
}

// headerOpts sends headers as built.
type headerOpts map[string]string

// ToAccountUpdateMap implements accounts.UpdateOptsBuilder.
func (h headerOpts) ToAccountUpdateMap() (map[string]string, error) { return h, nil }

// headers turns changes into the POST's headers. key is the generated
// key, "" in a preview (which shows "<redacted>" whatever the value).
func headers(changes []change, key string) headerOpts {
	h := headerOpts{}
	for _, ch := range changes {
		v := ch.to
		if ch.to == "(generated)" {
			v = key
			if v == "" {
				v = secrets.Placeholder
			}
		}
		h["X-Account-Meta-"+ch.key] = v
	}
	return h
}

func previewSet(ctx context.Context, env *tools.Env, args SetArgs, chk *tools.Check) (*tools.Preview, error) {
	c, err := swift.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	a, ok := tools.FetchedAs[*swift.Account](chk)
	if !ok {
		if a, err = swift.GetAccount(ctx, c); err != nil {
			return nil, err
		}
	}
	changes := plan(a, args)
	pv := &tools.Preview{Requests: []tools.Request{{Method: "POST", URL: c.ServiceURL(), Body: swift.HeaderBody(headers(changes, ""))}}}
	for _, ch := range changes {
		from, to := any(ch.from), any(ch.to)
		if ch.secret {
			from = ""
			if ch.had {
				from = "(set)"
			}
			switch {
			case ch.to == "(generated)":
				to = "(a new random key, shown nowhere)"
			case ch.removes:
			default:
				to = secrets.Placeholder
			}
		}
		if ch.removes {
			to = "(removed)"
		}
		pv.Changes = append(pv.Changes, tools.FieldChange{Field: "property " + ch.key, From: from, To: to})
	}
	return pv, nil
}

func runSet(ctx context.Context, env *tools.Env, args SetArgs) (*tools.Result, error) {
	c, err := swift.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	a, err := swift.GetAccount(ctx, c)
	if err != nil {
		return nil, err
	}
	changes := plan(a, args)
	if len(changes) == 0 {
		return &tools.Result{Message: "the account: nothing to change", Outputs: map[string]string{"account": a.Name}}, nil
	}
	key := ""
	if args.GenerateTempURLKey {
		if key, err = newKey(); err != nil {
			return nil, err
		}
	}
	r := accounts.Update(ctx, c, headers(changes, key))
	if r.Err != nil {
		// gophercloud's error names the method, URL and answer, never
		// the request's headers, so the key is not in it.
		return nil, fmt.Errorf("update the object storage account: %w", r.Err)
	}
	out := map[string]string{"account": a.Name}
	restore := SetArgs{Property: map[string]string{}}
	var fields []string
	for _, ch := range changes {
		field := ch.key
		switch {
		case ch.to == "(generated)":
			field += " (a new random key, never shown)"
		case ch.removes:
			field += " removed"
		}
		fields = append(fields, field)
		switch {
		case ch.secret && ch.had:
			out["key_lost"] = "true"
		case ch.secret:
			restore.Property[ch.key] = "" // it was absent: the undo removes it
		default:
			restore.Property[ch.key] = ch.from
		}
	}
	if len(restore.Property) > 0 {
		out[restoreKey] = string(tools.JSON(restore))
	}
	return &tools.Result{
		Message:    "account updated: " + strings.Join(fields, ", "),
		Outputs:    out,
		RequestIDs: tools.HeaderRequestIDs(r.Header),
	}, nil
}

// newKey is a random key for signing temp URLs.
func newKey() (string, error) {
	b := make([]byte, generatedKeyBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("make a random key: %w", err)
	}
	return hex.EncodeToString(b), nil
}
