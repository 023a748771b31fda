package cloudlogin

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/applicationcredentials"

	"github.com/kriscelmer/os-tui/internal/cloud"
	"github.com/kriscelmer/os-tui/internal/config"
)

// DefaultReaderLifetime is how long a --reader credential lives when no
// --expires is given: one meant for a model or an MCP client should not
// outlive the reason it was made.
const DefaultReaderLifetime = 90 * 24 * time.Hour

// createAppCred creates the credential, stores its secret, proves it
// logs in, and only then points clouds.yaml at it. A failure after the
// create deletes the credential again, so nothing half-made is left.
func createAppCred(ctx context.Context, opts Options, conn *cloud.Conn, cfg *config.Cloud, info *cloud.TokenInfo, res *Result) error {
	ic, err := conn.ServiceClient(ctx, "identity")
	if err != nil {
		return conn.Explain(err)
	}
	now := opts.Now()
	name := opts.Name
	if name == "" {
		kind := ""
		if opts.Reader {
			kind = "reader-"
		}
		name = "ostui-" + cfg.Name + "-" + kind + now.UTC().Format("20060102T150405Z")
	}
	co := applicationcredentials.CreateOpts{
		Name:        name,
		Description: "created by ostui login cloud",
		AccessRules: opts.AccessRules,
	}
	if opts.Reader {
		co.Roles = []applicationcredentials.Role{{Name: "reader"}}
		co.Description = "read-only (reader role), created by ostui login cloud --reader"
	}
	expires := opts.Expires
	if expires.IsZero() && opts.Reader && !opts.NoExpiry {
		expires = now.Add(DefaultReaderLifetime)
	}
	if !expires.IsZero() {
		e := expires.UTC()
		co.ExpiresAt = &e
	}
	ac, err := applicationcredentials.Create(ctx, ic, info.UserID, co).Extract()
	if err != nil {
		err = conn.Explain(err)
		if opts.Reader {
			return fmt.Errorf("create the read-only application credential: %w (the user needs the reader role, directly or implied, in project %s)", err, orID(info.ProjectName, info.ProjectID))
		}
		return fmt.Errorf("create the application credential: %w", err)
	}
	undo := func(cause error) error {
		if derr := applicationcredentials.Delete(ctx, ic, info.UserID, ac.ID).ExtractErr(); derr != nil {
			return fmt.Errorf("%w; deleting application credential %s again also failed (%v): delete it with `openstack application credential delete %s`", cause, ac.ID, derr, ac.ID)
		}
		return fmt.Errorf("%w; application credential %s was deleted again and clouds.yaml was not changed", cause, ac.ID)
	}
	if ac.Secret == "" {
		return undo(errors.New("Keystone returned no secret for the new application credential"))
	}
	res.AppCredentialID, res.AppCredentialName = ac.ID, ac.Name
	var roles []string
	for _, r := range ac.Roles {
		roles = append(roles, r.Name)
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
