// Package cloudlogin is `ostui login cloud`: log in to a cloud of
// clouds.yaml once, interactively — the password typed with the echo
// off, a TOTP passcode when Keystone asks for a second factor — and leave
// behind what later sessions use without asking.
//
// What is left behind is, by preference, an application credential: it
// is bound to one project, can be limited to the reader role and to a
// list of API calls (access rules), expires, and is revoked without
// touching the password. Its secret goes to ostui's secret store (the OS
// keyring or the encrypted file; see internal/secretstore); clouds.yaml
// gets only its ID (auth_type v3applicationcredential), and
// config.FillStoredSecrets finds the secret again at the next start.
// Without one, the password can be stored instead, and the token of the
// login stays in the token cache until it expires.
package cloudlogin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/applicationcredentials"

	"github.com/kriscelmer/os-tui/internal/cloud"
	"github.com/kriscelmer/os-tui/internal/config"
)

// Prompter asks the person (login.IO satisfies it).
type Prompter interface {
	// Secret reads a line without echoing it; from a pipe it reads the
	// next line.
	Secret(prompt string) (string, error)
	// Line reads a visible line.
	Line(prompt string) (string, error)
}

// SecretStore keeps secrets (*secretstore.Store satisfies it).
type SecretStore interface {
	Set(ctx context.Context, key, value string) (where string, err error)
}

// Choice is a yes/no the person may have answered with a flag.
type Choice int

// The choices.
const (
	Ask Choice = iota
	Yes
	No
)

// Options are one login.
type Options struct {
	// Cloud is the cloud as config.Load resolved it (secrets from the
	// store filled in or not: a login types them again anyway).
	Cloud *config.Cloud
	// Conn tunes the connections (cache, timeout, user agent); Login sets
	// its Passcode hook itself.
	Conn cloud.Options
	// Prompt asks for the password, the passcode and yes/no.
	Prompt Prompter
	// Out receives what happened, one line each (standard error).
	Out io.Writer
	// Store keeps the application credential's secret or the password;
	// SaveSecret false (--no-save-secret) keeps nothing.
	Store      SecretStore
	SaveSecret bool

	// AppCredential is whether to create an application credential
	// (--app-credential / --no-app-credential); Ask asks. Reader implies
	// Yes.
	AppCredential Choice
	// Reader makes the credential read-only: the reader role alone.
	Reader bool
	// AccessRules limit the credential to these API calls.
	AccessRules []applicationcredentials.AccessRule
	// Expires is when the credential stops working. Zero means never,
	// except for a Reader credential, which gets DefaultReaderLifetime
	// unless NoExpiry (--expires never) says otherwise.
	Expires  time.Time
	NoExpiry bool
	// Name is the credential's name; "" makes one from the cloud's name
	// and the time.
	Name string
	// Now is the clock; nil is time.Now.
	Now func() time.Time
	// StateDir holds the audit log the login's changes are recorded in;
	// "" is ostui's state directory as the shell finds it.
	StateDir string
}

// Result is what a login did.
type Result struct {
	User, Project string
	Roles         []string
	// AppCredentialID is the credential created ("" when none).
	AppCredentialID   string
	AppCredentialName string
	// Backup is the copy of clouds.yaml kept before it was changed.
	Backup string
	// StoredKey is the secret store key written ("" when none).
	StoredKey string
}

// Login logs in to opts.Cloud and, as the options and the person's
// answers say, creates and stores an application credential.
func Login(ctx context.Context, opts Options) (*Result, error) {
	if opts.Cloud == nil {
		return nil, errors.New("no cloud to log in to")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Out == nil {
		opts.Out = io.Discard
	}
	if opts.Reader || len(opts.AccessRules) > 0 {
		opts.AppCredential = Yes
	}
	cfg, err := loginConfig(opts.Cloud)
	if err != nil {
		return nil, err
	}
	if opts.AppCredential == Yes {
		if err := canStoreAppCred(cfg, opts); err != nil {
			return nil, err
		}
	}
	typed := false
	if needsPassword(cfg) && cfg.Password == "" {
		pw, err := opts.Prompt.Secret(fmt.Sprintf("Password for %s at %s: ", userOf(cfg), cfg.Name))
		if err != nil {
			return nil, fmt.Errorf("read the password: %w", err)
		}
		if pw == "" {
			return nil, errors.New("no password given; nothing was changed")
		}
		cfg.Password, typed = pw, true
	}
	copts := opts.Conn
	copts.Fresh = true
	copts.Passcode = func(_ context.Context, prompt string) (string, error) { return opts.Prompt.Secret(prompt) }
	conn := cloud.New(cfg, copts)
	info, err := conn.TokenInfo(ctx)
	if err != nil {
		return nil, conn.Explain(err)
	}
	res := &Result{User: info.UserName, Project: info.ProjectName, Roles: info.Roles}
	fmt.Fprintf(opts.Out, "logged in to %s as %s in project %s (roles: %s)\n", cfg.Name, info.UserName, orID(info.ProjectName, info.ProjectID), strings.Join(info.Roles, ", "))

	if opts.AppCredential == No {
		return res, keepPassword(ctx, opts, cfg, typed, info, res)
	}
	// The question (or the flag that answered it) is the approval of the
	// create, asked after the gate's review of it (appcred.go).
	if err := createAppCred(ctx, opts, conn, cfg, info, res); err != nil {
		if errors.Is(err, errDeclined) {
			return res, keepPassword(ctx, opts, cfg, typed, info, res)
		}
		return nil, err
	}
	return res, nil
}

// loginConfig is the cloud as a login authenticates: an entry that uses
// an application credential logs in as its user with a password again.
func loginConfig(in *config.Cloud) (*config.Cloud, error) {
	c := *in
	c.Sources = nil
	switch c.AuthType {
	case config.AuthApplicationCredential:
		if c.Username == "" && c.UserID == "" {
			return nil, fmt.Errorf("cloud %q logs in with an application credential and names no user: add auth.username to its clouds.yaml entry so that `ostui login cloud` knows whom to log in as", c.Name)
		}
		c.AuthType = config.AuthPassword
		c.ApplicationCredentialID, c.ApplicationCredentialName, c.ApplicationCredentialSecret = "", "", ""
		if c.UserDomainName == "" && c.UserDomainID == "" && c.UserID == "" {
			c.UserDomainName = "Default"
		}
		// The credential's secret filled in from the store is not a
		// password: ask for the password.
		c.Password = ""
	case config.AuthToken:
		return nil, fmt.Errorf("cloud %q logs in with a token (auth_type token): there is nothing to log in with; give it a username, or use the token as it is", c.Name)
	}
	if !c.Federated() && c.Username == "" && c.UserID == "" {
		return nil, fmt.Errorf("cloud %q has no username: set auth.username in %s", c.Name, orText(c.ConfigFile, "clouds.yaml"))
	}
	return &c, nil
}

func needsPassword(c *config.Cloud) bool {
	switch c.AuthType {
	case config.AuthPassword, config.AuthTOTP, config.AuthOIDCPassword:
		return true
	}
	return false
}

// canStoreAppCred refuses, before anything is created, a credential whose
// secret could go nowhere: Keystone shows it only once.
func canStoreAppCred(cfg *config.Cloud, opts Options) error {
	switch {
	case !opts.SaveSecret:
		return errors.New("--no-save-secret: an application credential's secret is shown only once and must be stored; drop --no-save-secret, or log in without one (--no-app-credential)")
	case opts.Store == nil:
		return errors.New("no secret store to keep the application credential's secret in")
	case cfg.ConfigFile == "" || cfg.Name == "" || cfg.Name == "envvars":
		return errors.New("an application credential is recorded in clouds.yaml, and this cloud comes from OS_* variables: add it to clouds.yaml (ostui import openrc.sh does) and run ostui login cloud --cloud NAME")
	}
	return nil
}

func askYes(p Prompter, prompt string) (bool, error) {
	a, err := p.Line(prompt)
	if err != nil {
		// Input ended: the default is to change nothing.
		return false, nil //nolint:nilerr // no answer is no
	}
	switch strings.ToLower(strings.TrimSpace(a)) {
	case "", "y", "yes":
		return true, nil
	case "n", "no":
		return false, nil
	}
	return false, fmt.Errorf("answer y or n, not %q; nothing was created", a)
}

// keepPassword stores a typed password (when asked to) and says what the
// next session will use.
func keepPassword(ctx context.Context, opts Options, cfg *config.Cloud, typed bool, info *cloud.TokenInfo, res *Result) error {
	if typed && opts.SaveSecret && opts.Store != nil && cfg.Name != "" && cfg.Name != "envvars" {
		key := "cloud/" + cfg.Name + "/password"
		where, err := opts.Store.Set(ctx, key, cfg.Password)
		if err != nil {
			return fmt.Errorf("store the password: %w", err)
		}
		res.StoredKey = key
		fmt.Fprintf(opts.Out, "stored the password of %s in %s\n", cfg.Name, where)
	}
	if opts.Conn.CacheDir != "" {
		fmt.Fprintf(opts.Out, "the token is cached until %s; after that a login asks again\n", info.ExpiresAt.Local().Format(time.RFC3339))
	}
	return nil
}

func userOf(c *config.Cloud) string {
	if c.Username != "" {
		return c.Username
	}
	return c.UserID
}

func orID(name, id string) string {
	if name != "" {
		return name
	}
	return id
}

func orText(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
