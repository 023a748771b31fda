package cloudlogin

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/applicationcredentials"

	"github.com/kriscelmer/os-tui/agent/gate"
	"github.com/kriscelmer/os-tui/agent/plan"
	"github.com/kriscelmer/os-tui/agent/session"
	"github.com/kriscelmer/os-tui/internal/cloud"
	"github.com/kriscelmer/os-tui/internal/config"
	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/identity/appcreds"
)

// DefaultReaderLifetime is how long a --reader credential lives when no
// --expires is given: one meant for a model or an MCP client should not
// outlive the reason it was made.
const DefaultReaderLifetime = 90 * 24 * time.Hour

// createAppCred creates the credential, stores its secret, proves it
// logs in, and only then points clouds.yaml at it. A failure after the
// create deletes the credential again, so nothing half-made is left.
//
// The create and its undo are plans through the session engine, like
// every change ostui makes: the gate checks and previews them, the
// review is printed, the login's question (or the flag that answered
// it) is the approval, and the audit log records them. The secret comes
// back in the step's Result.Secrets, which nothing renders or records.
// errDeclined: the person said no (the login keeps the password then).
func createAppCred(ctx context.Context, opts Options, conn *cloud.Conn, cfg *config.Cloud, info *cloud.TokenInfo, res *Result) error {
	now := opts.Now()
	name := opts.Name
	if name == "" {
		kind := ""
		if opts.Reader {
			kind = "reader-"
		}
		name = "ostui-" + cfg.Name + "-" + kind + now.UTC().Format("20060102T150405Z")
	}
	args := appcreds.CreateArgs{Name: name, Description: "created by ostui login cloud"}
	for _, r := range opts.AccessRules {
		args.AccessRules = append(args.AccessRules, r.Service+":"+r.Method+":"+r.Path)
	}
	if opts.Reader {
		args.Roles = []string{"reader"}
		args.Description = "read-only (reader role), created by ostui login cloud --reader"
	}
	expires := opts.Expires
	if expires.IsZero() && opts.Reader && !opts.NoExpiry {
		expires = now.Add(DefaultReaderLifetime)
	}
	if !expires.IsZero() {
		args.ExpiresAt = expires.UTC().Format(time.RFC3339)
	}
	eng, closeAudit, err := loginEngine(opts, conn, cfg, info)
	if err != nil {
		return err
	}
	defer closeAudit()
	p := &plan.Plan{ID: plan.NewID(), Origin: plan.OriginSlash,
		Goal:  "ostui login cloud --cloud " + cfg.Name + ": an application credential to log in with instead of the password",
		Steps: []plan.Step{{ID: "appcred", Tool: "application-credential.create", Args: tools.JSON(args), Why: "the next sessions log in with it"}}}
	out, err := eng.Submit(ctx, p, loginApprover(opts, cfg))
	var declined *session.DeclinedError
	switch {
	case errors.As(err, &declined):
		return errDeclined
	case err != nil && opts.Reader && (out == nil || out.Exec == nil):
		return fmt.Errorf("create the read-only application credential: %w (the user needs the reader role, directly or implied, in project %s)", err, orID(info.ProjectName, info.ProjectID))
	case err != nil:
		return fmt.Errorf("create the application credential: %w", err)
	}
	step := out.Exec.Steps[0].Result
	ac := struct{ ID, Name, Secret string }{ID: step.Outputs["id"], Name: step.Outputs["name"], Secret: step.Secrets[appcreds.SecretKey(name)]}
	undo := func(cause error) error {
		del := &plan.Plan{ID: plan.NewID(), Origin: plan.OriginSlash,
			Goal:  "ostui login cloud: undo creating application credential " + ac.Name,
			Steps: []plan.Step{{ID: "undo", Tool: "application-credential.delete", Args: tools.JSON(appcreds.DeleteArgs{AppCredential: ac.ID}), Why: cause.Error()}}}
		// The login undoes its own half-made change: approved as the
		// create was, without a second question.
		yes := session.ApproverFunc(func(_ context.Context, req session.Request) (session.Decision, error) {
			if req.Kind == session.ApprovePlan {
				return session.Decision{Verdict: session.Approve, By: gate.ByFlag}, nil
			}
			return session.Decision{Verdict: session.Deny}, nil
		})
		if _, derr := eng.Submit(context.WithoutCancel(ctx), del, yes); derr != nil {
			return fmt.Errorf("%w; deleting application credential %s again also failed (%v): delete it with `openstack application credential delete %s`", cause, ac.ID, derr, ac.ID)
		}
		return fmt.Errorf("%w; application credential %s was deleted again and clouds.yaml was not changed", cause, ac.ID)
	}
	if ac.Secret == "" {
		return undo(errors.New("the identity service returned no secret for the new application credential"))
	}
	res.AppCredentialID, res.AppCredentialName = ac.ID, ac.Name
	var roles []string
	if step.Record != nil {
		roles, _ = step.Record.Get("Roles").([]string)
	}
	fmt.Fprintf(opts.Out, "created application credential %s (%s), roles %s, %s\n", ac.Name, ac.ID, strings.Join(roles, ", "), expiry(expires))

	// Prove it logs in before anything depends on it.
	check := *cfg
	check.AuthType = config.AuthApplicationCredential
	check.ApplicationCredentialID, check.ApplicationCredentialSecret = ac.ID, ac.Secret
	check.Password, check.Passcode = "", ""
	copts := opts.Conn
	copts.CacheDir, copts.Passcode = "", nil
	got, err := cloud.New(&check, copts).TokenInfo(ctx)
	if err != nil {
		return undo(fmt.Errorf("the new application credential does not log in: %w", err))
	}

	key := "cloud/" + cfg.Name + "/application_credential_secret"
	where, err := opts.Store.Set(ctx, key, ac.Secret)
	if err != nil {
		return undo(fmt.Errorf("store the application credential's secret: %w", err))
	}
	res.StoredKey = key
	fmt.Fprintf(opts.Out, "stored its secret in %s\n", where)

	backup, err := UseAppCredential(cfg.ConfigFile, cfg.Name, ac.ID, now)
	if err != nil {
		return undo(fmt.Errorf("update %s: %w", cfg.ConfigFile, err))
	}
	res.Backup = backup
	// The credential replaces the password: a password stored by an
	// earlier login goes, so the store holds one way in, not two.
	if d, ok := opts.Store.(interface {
		Get(ctx context.Context, key string) (string, error)
		Delete(ctx context.Context, key string) error
	}); ok {
		pw := "cloud/" + cfg.Name + "/password"
		if v, err := d.Get(ctx, pw); err == nil && v != "" && d.Delete(ctx, pw) == nil {
			fmt.Fprintf(opts.Out, "removed the password of %s from the secret store\n", cfg.Name)
		}
	}
	fmt.Fprintf(opts.Out, "updated %s: cloud %s now uses auth_type v3applicationcredential (backup: %s)\n", cfg.ConfigFile, cfg.Name, backup)
	if src := opts.Cloud.Sources["password"]; strings.HasPrefix(src, "secure.yaml") {
		fmt.Fprintf(opts.Out, "note: %s still holds a password for %s; it is no longer needed there\n", strings.TrimPrefix(src, "secure.yaml "), cfg.Name)
	}
	fmt.Fprintf(opts.Out, "next: ostui --os-cloud %s (logs in as %s with roles %s)\n", cfg.Name, got.UserName, strings.Join(got.Roles, ", "))
	return nil
}

func expiry(t time.Time) string {
	if t.IsZero() {
		return "no expiry"
	}
	return "expires " + t.UTC().Format(time.RFC3339)
}

// ParseAccessRule reads --access-rule SERVICE:METHOD:PATH, for example
// compute:GET:/v2.1/servers/** (the path may use * and **, as Keystone's
// access rules do).
func ParseAccessRule(s string) (applicationcredentials.AccessRule, error) {
	parts := strings.SplitN(s, ":", 3)
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || !strings.HasPrefix(parts[2], "/") {
		return applicationcredentials.AccessRule{}, fmt.Errorf("access rule %q: want SERVICE:METHOD:PATH, for example compute:GET:/v2.1/servers/**", s)
	}
	m := strings.ToUpper(parts[1])
	switch m {
	case "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE":
	default:
		return applicationcredentials.AccessRule{}, fmt.Errorf("access rule %q: %s is not an HTTP method (GET, HEAD, POST, PUT, PATCH, DELETE)", s, parts[1])
	}
	return applicationcredentials.AccessRule{Service: parts[0], Method: m, Path: parts[2]}, nil
}

// ParseExpiry reads --expires: a duration with a d for days ("90d",
// "720h"), a date ("2027-03-31", the end of that day in UTC), an RFC 3339
// time, or "never".
func ParseExpiry(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "" || s == "never":
		return time.Time{}, nil
	case strings.HasSuffix(s, "d"):
		var n int
		if _, err := fmt.Sscanf(s, "%dd", &n); err == nil && n > 0 && fmt.Sprintf("%dd", n) == s {
			return now.Add(time.Duration(n) * 24 * time.Hour), nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return now.Add(d), nil
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		t = t.Add(24*time.Hour - time.Second)
		if !t.After(now) {
			return time.Time{}, fmt.Errorf("--expires %s is in the past", s)
		}
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		if !t.After(now) {
			return time.Time{}, fmt.Errorf("--expires %s is in the past", s)
		}
		return t, nil
	}
	return time.Time{}, fmt.Errorf("--expires %q: want a duration (90d, 720h), a date (2027-03-31), an RFC 3339 time or never", s)
}
