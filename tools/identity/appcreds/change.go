package appcreds

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/applicationcredentials"

	"github.com/kriscelmer/os-tui/tools"
)

// now is the clock of expiry checks; tests set it.
var now = time.Now

// CreateArgs are the arguments of application-credential.create.
type CreateArgs struct {
	Name         string   `json:"name"`
	Roles        []string `json:"roles,omitempty"`
	ExpiresAt    string   `json:"expires_at,omitempty"`
	AccessRules  []string `json:"access_rules,omitempty"`
	Unrestricted bool     `json:"unrestricted,omitempty"`
	Description  string   `json:"description,omitempty"`
	// ShowSecret asks the front end to print the secret once on the
	// terminal besides storing it; the tool itself treats the secret the
	// same either way.
	ShowSecret bool `json:"show_secret,omitempty"`
}

// DeleteArgs are the arguments of application-credential.delete.
type DeleteArgs struct {
	AppCredential string `json:"application_credential"`
}

func createTool() tools.Tool {
	return tools.ChangeTool(tools.ChangeSpec[CreateArgs]{
		Name:     "application-credential.create",
		Effect:   tools.Change,
		Service:  "identity",
		Produces: []string{"id", "name"},
		Check:    checkCreate,
		Preview:  previewCreate,
		Run:      runCreate,
		Undo: func(args CreateArgs, res *tools.Result) *tools.Call {
			return &tools.Call{Tool: "application-credential.delete",
				Args: tools.JSON(DeleteArgs{AppCredential: tools.CreatedID(res, args.Name)}),
				Why:  "undo creating the application credential (its secret stops working)"}
		},
	})
}

func deleteTool() tools.Tool {
	return tools.ChangeTool(tools.ChangeSpec[DeleteArgs]{
		Name:     "application-credential.delete",
		Effect:   tools.Destroy,
		Service:  "identity",
		Produces: []string{"id", "name"},
		Check:    checkDelete,
		Preview:  previewDelete,
		Run:      runDelete,
	})
}

// ParseExpiry reads an expiry as the create takes it: the openstack CLI's
// 2027-01-01T00:00:00 (UTC), an RFC 3339 time, a date (the end of that
// day, UTC, as `ostui login cloud --expires` reads one) or a duration from
// now in days (90d) or Go's units (720h). "" and "never" are the zero time.
func ParseExpiry(s string, from time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "never" {
		return time.Time{}, nil
	}
	if d, ok := strings.CutSuffix(s, "d"); ok {
		if n, err := strconv.Atoi(d); err == nil && n > 0 {
			return from.Add(time.Duration(n) * 24 * time.Hour).UTC().Truncate(time.Second), nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return from.Add(d).UTC().Truncate(time.Second), nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02T15:04"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t.Add(24*time.Hour - time.Second), nil
	}
	return time.Time{}, fmt.Errorf("expiry %q: want 2027-01-01T00:00:00 (UTC), an RFC 3339 time, a date (2027-03-31), a duration (90d, 720h) or never", s)
}

// ParseAccessRules reads access rules as SERVICE:METHOD:PATH
// (compute:GET:/v2.1/servers/**) or as the openstack CLI's JSON list of
// {"service", "method", "path"} objects (a single object is taken too).
func ParseAccessRules(in []string) ([]applicationcredentials.AccessRule, error) {
	var out []applicationcredentials.AccessRule
	for _, s := range in {
		s = strings.TrimSpace(s)
		if strings.HasPrefix(s, "[") || strings.HasPrefix(s, "{") {
			var rules []applicationcredentials.AccessRule
			if strings.HasPrefix(s, "{") {
				s = "[" + s + "]"
			}
			dec := json.NewDecoder(strings.NewReader(s))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&rules); err != nil {
				return nil, fmt.Errorf("access rules %s: not a JSON list of {\"service\", \"method\", \"path\"}: %v", s, err)
			}
			for _, r := range rules {
				r, err := checkRule(r, s)
				if err != nil {
					return nil, err
				}
				out = append(out, r)
			}
			continue
		}
		parts := strings.SplitN(s, ":", 3)
		if len(parts) != 3 {
			return nil, fmt.Errorf("access rule %q: want SERVICE:METHOD:PATH, for example compute:GET:/v2.1/servers/**", s)
		}
		r, err := checkRule(applicationcredentials.AccessRule{Service: parts[0], Method: parts[1], Path: parts[2]}, s)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

func checkRule(r applicationcredentials.AccessRule, given string) (applicationcredentials.AccessRule, error) {
	r.ID = ""
	r.Method = strings.ToUpper(r.Method)
	switch {
	case r.Service == "":
		return r, fmt.Errorf("access rule %s names no service (compute, network, image, ...)", given)
	case !strings.HasPrefix(r.Path, "/"):
		return r, fmt.Errorf("access rule %s: the path must start with / (for example /v2.1/servers/**)", given)
	}
	switch r.Method {
	case "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE":
	default:
		return r, fmt.Errorf("access rule %s: %q is not an HTTP method (GET, HEAD, POST, PUT, PATCH, DELETE)", given, r.Method)
	}
	return r, nil
}

// createOpts is the request body's source, from arguments Check resolved.
func createOpts(args CreateArgs) (applicationcredentials.CreateOpts, error) {
	opts := applicationcredentials.CreateOpts{Name: args.Name, Description: args.Description, Unrestricted: args.Unrestricted}
	for _, r := range args.Roles {
		opts.Roles = append(opts.Roles, applicationcredentials.Role{Name: r})
	}
	rules, err := ParseAccessRules(args.AccessRules)
	if err != nil {
		return opts, err
	}
	opts.AccessRules = rules
	if args.ExpiresAt != "" {
		t, err := ParseExpiry(args.ExpiresAt, now())
		if err != nil {
			return opts, err
		}
		if !t.IsZero() {
			t = t.UTC()
			opts.ExpiresAt = &t
		}
	}
	return opts, nil
}

func checkCreate(ctx context.Context, env *tools.Env, args CreateArgs) (*tools.Check, error) {
	c, err := client(ctx, env)
	if err != nil {
		return nil, err
	}
	id, err := tools.CurrentIdentity(ctx, env)
	if err != nil {
		return nil, err
	}
	chk := &tools.Check{Targets: []tools.Target{{Kind: Kind, Name: args.Name}}, Fetched: id}
	block := func(format string, a ...any) {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block, Text: fmt.Sprintf(format, a...)})
	}
	project := firstOf(id.ProjectName, id.ProjectID)
	if id.ProjectID == "" {
		block("this session's token is scoped to no project, and an application credential belongs to one: log in to a project (--os-project-name) first")
	}

	// Duplicate names: Keystone answers 409; say so before anything is sent.
	same, err := listOf(ctx, c, id.UserID, args.Name)
	if err != nil {
		return nil, fmt.Errorf("list your application credentials: %w", err)
	}
	for _, a := range same {
		if a.Name == args.Name {
			block("you already have an application credential named %s (%s, %s); choose another name, or delete that one first with /application credential delete %s",
				a.Name, a.ID, expiryText(a.ExpiresAt), a.Name)
			break
		}
	}

	// Roles: Keystone refuses a role its user does not hold in the
	// project. The token's roles are the effective ones (implied roles
	// included), which is what Keystone checks.
	var roles []string
	for _, want := range args.Roles {
		i := slices.IndexFunc(id.Roles, func(have string) bool { return strings.EqualFold(have, want) })
		if i < 0 {
			block("you do not hold role %s in project %s, and Keystone refuses a credential with a role its user lacks; you hold: %s",
				want, project, strings.Join(id.Roles, ", "))
			continue
		}
		roles = append(roles, id.Roles[i])
	}
	if len(args.Roles) == 0 {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Info,
			Text: fmt.Sprintf("it gets every role you hold in project %s: %s (--role limits it, for example --role reader)", project, strings.Join(id.Roles, ", "))})
	}
	args.Roles = roles

	// Expiry: a past time is refused by Keystone; show the time Run sends.
	if args.ExpiresAt != "" {
		t, err := ParseExpiry(args.ExpiresAt, now())
		switch {
		case err != nil:
			block("%v", err)
		case !t.IsZero() && !t.After(now()):
			block("the expiry %s is in the past; give a later one, for example %s or 90d",
				t.Format(time.RFC3339), now().AddDate(0, 3, 0).UTC().Format("2006-01-02T15:04:05"))
		case t.IsZero():
			args.ExpiresAt = ""
		default:
			args.ExpiresAt = t.Format(time.RFC3339)
		}
	}
	if args.ExpiresAt == "" {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Info,
			Text: "it never expires (--expiration sets a date); delete it when it is no longer needed"})
	}

	if rules, err := ParseAccessRules(args.AccessRules); err != nil {
		block("%v", err)
	} else {
		args.AccessRules = nil
		args.AccessRules = append(args.AccessRules, ruleStrings(rules)...)
	}

	if args.Unrestricted {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Warn,
			Text: "--unrestricted: whoever holds its secret can create further application credentials and trusts as you, which outlive this one; leave it out unless a tool needs that"})
	}
	chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Info,
		Text: "Keystone returns its secret once, in the answer to this request: ostui keeps it in the secret store and never shows it in output, the audit log, a transcript or to a model"})
	chk.Resolved = tools.JSON(args)
	chk.State = "user=" + id.UserID + ",project=" + id.ProjectID
	return chk, nil
}

func previewCreate(ctx context.Context, env *tools.Env, args CreateArgs, chk *tools.Check) (*tools.Preview, error) {
	c, err := client(ctx, env)
	if err != nil {
		return nil, err
	}
	id, ok := tools.FetchedAs[*tools.Identity](chk)
	if !ok {
		if id, err = tools.CurrentIdentity(ctx, env); err != nil {
			return nil, err
		}
	}
	opts, err := createOpts(args)
	if err != nil {
		return nil, err
	}
	body, err := opts.ToApplicationCredentialCreateMap()
	if err != nil {
		return nil, err
	}
	roles := "every role you hold"
	if len(args.Roles) > 0 {
		roles = "roles " + strings.Join(args.Roles, ", ")
	}
	exp := "no expiry"
	if opts.ExpiresAt != nil {
		exp = "expires " + opts.ExpiresAt.Format(time.RFC3339)
	}
	return &tools.Preview{
		Requests: []tools.Request{{Method: "POST", URL: c.ServiceURL("users", id.UserID, "application_credentials"), Body: body}},
		Creates: []string{fmt.Sprintf("application credential %s for %s in project %s, %s, %s; its secret is generated by Keystone and returned once",
			args.Name, firstOf(id.UserName, id.UserID), firstOf(id.ProjectName, id.ProjectID), roles, exp)},
	}, nil
}

func runCreate(ctx context.Context, env *tools.Env, args CreateArgs) (*tools.Result, error) {
	c, err := client(ctx, env)
	if err != nil {
		return nil, err
	}
	id, err := tools.CurrentIdentity(ctx, env)
	if err != nil {
		return nil, err
	}
	opts, err := createOpts(args)
	if err != nil {
		return nil, err
	}
	r := applicationcredentials.Create(ctx, c, id.UserID, opts)
	a, err := r.Extract()
	if err != nil {
		// The error is Keystone's message, never the body: a body that
		// parsed badly may still hold the secret.
		return nil, fmt.Errorf("create application credential %s: %w", args.Name, err)
	}
	ids := tools.HeaderRequestIDs(r.Header)
	if a.Secret == "" {
		// A credential nobody can log in with is worse than none: take it
		// back.
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		d := applicationcredentials.Delete(dctx, c, id.UserID, a.ID)
		cancel()
		ids = append(ids, tools.HeaderRequestIDs(d.Header)...)
		undone := "it was deleted again"
		if d.Err != nil {
			undone = fmt.Sprintf("deleting it failed too (%v); remove it with /application credential delete %s", d.Err, a.ID)
		}
		return &tools.Result{RequestIDs: ids}, fmt.Errorf("create application credential %s: Keystone returned no secret (%s)", args.Name, undone)
	}
	secret := a.Secret
	a.Secret = ""
	env.Names.Remember(Kind, a.Name)
	return &tools.Result{
		Record:     record(a),
		Message:    fmt.Sprintf("application credential %s created (%s), %s", a.Name, a.ID, expiryText(a.ExpiresAt)),
		Outputs:    map[string]string{"id": a.ID, "name": a.Name},
		Secrets:    map[string]string{SecretKey(a.Name): secret},
		RequestIDs: ids,
	}, nil
}

func checkDelete(ctx context.Context, env *tools.Env, args DeleteArgs) (*tools.Check, error) {
	_, id, a, err := lookup(ctx, env, args.AppCredential)
	if err != nil {
		return nil, err
	}
	chk := &tools.Check{
		Targets:  []tools.Target{{Kind: Kind, ID: a.ID, Name: a.Name}},
		Resolved: tools.JSON(DeleteArgs{AppCredential: a.ID}),
		State:    "id=" + a.ID,
		Fetched:  &fetched{user: id, cred: a},
		Findings: []tools.Finding{{Level: tools.Warn,
			Text: fmt.Sprintf("whatever logs in with application credential %s (a clouds.yaml entry, ostui mcp, a CI job) stops working at once, and its tokens are revoked; it cannot be recovered, only replaced by a new one", a.Name)}},
	}
	return chk, nil
}

// fetched is what checkDelete read, for previewDelete.
type fetched struct {
	user *tools.Identity
	cred *applicationcredentials.ApplicationCredential
}

func previewDelete(ctx context.Context, env *tools.Env, args DeleteArgs, chk *tools.Check) (*tools.Preview, error) {
	c, err := client(ctx, env)
	if err != nil {
		return nil, err
	}
	f, ok := tools.FetchedAs[*fetched](chk)
	if !ok {
		_, id, a, err := lookup(ctx, env, args.AppCredential)
		if err != nil {
			return nil, err
		}
		f = &fetched{user: id, cred: a}
	}
	return &tools.Preview{
		Requests: []tools.Request{{Method: "DELETE", URL: c.ServiceURL("users", f.user.UserID, "application_credentials", f.cred.ID)}},
		Deletes:  []tools.Dependent{{Kind: Kind, ID: f.cred.ID, Name: f.cred.Name, Fate: "deleted; its tokens are revoked"}},
	}, nil
}

func runDelete(ctx context.Context, env *tools.Env, args DeleteArgs) (*tools.Result, error) {
	// Check resolved a name to the ID; an undo plan or a later step may
	// still name it, so resolve what is not an ID of the user's.
	c, id, a, err := lookup(ctx, env, args.AppCredential)
	if err != nil {
		return nil, err
	}
	r := applicationcredentials.Delete(ctx, c, id.UserID, a.ID)
	if r.Err != nil {
		if gophercloud.ResponseCodeIs(r.Err, http.StatusNotFound) {
			return nil, &tools.NotFoundError{Kind: Kind, Name: args.AppCredential}
		}
		return nil, fmt.Errorf("delete application credential %s: %w", a.Name, r.Err)
	}
	return &tools.Result{
		Message:    fmt.Sprintf("application credential %s (%s) deleted", a.Name, a.ID),
		Outputs:    map[string]string{"id": a.ID, "name": a.Name},
		RequestIDs: tools.HeaderRequestIDs(r.Header),
	}, nil
}

func expiryText(t time.Time) string {
	if t.IsZero() {
		return "no expiry"
	}
	return "expires " + t.UTC().Format(time.RFC3339)
}

func firstOf(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
