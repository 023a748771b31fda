package login

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/kriscelmer/os-tui/internal/cloud"
	"github.com/kriscelmer/os-tui/internal/cloudlogin"
	"github.com/kriscelmer/os-tui/internal/config"
	"github.com/kriscelmer/os-tui/internal/profile"
)

// ProviderCloud is `ostui login cloud`.
const ProviderCloud = "cloud"

func init() {
	Register(Provider{
		Name:    ProviderCloud,
		Summary: "an OpenStack cloud: password and TOTP, then an application credential",
		Usage:   "ostui login cloud [--cloud NAME] [--reader] [--access-rule SERVICE:METHOD:PATH]... [--expires WHEN] [--name NAME] [--app-credential|--no-app-credential]",
		Help: `Logs in to a cloud of clouds.yaml: asks for the password without echoing
it (without a terminal, reads one line from standard input) and, when
Keystone asks for a second factor (auth_type v3totp, or a multi-factor
rule answered with an auth receipt), for the TOTP passcode.

Then it offers to create an application credential and keep that instead
of the password: its secret goes to the secret store (the OS keyring, or
the encrypted file), clouds.yaml gets auth_type v3applicationcredential
and its ID (the old file is kept as clouds.yaml.bak-TIMESTAMP; both 0600),
and the next session (ostui --os-cloud NAME) logs in with it, asking
nothing. --reader makes a read-only one for the model and ostui mcp: the
reader role only, optional --access-rule limits, and an expiry (90 days
unless --expires says otherwise). Declining keeps the password in the
secret store instead (unless --no-save-secret).`,
		Flags: []Flag{
			{Name: "cloud", Arg: "NAME", Help: "the clouds.yaml entry (default: the profile's cloud, OS_CLOUD, or the only one)"},
			{Name: "reader", Help: "create a read-only application credential (role reader only)"},
			{Name: "access-rule", Arg: "RULE", Help: "limit the credential to SERVICE:METHOD:PATH (repeatable), e.g. compute:GET:/v2.1/servers/**"},
			{Name: "expires", Arg: "WHEN", Help: "when the credential expires: 90d, 720h, 2027-03-31, or never"},
			{Name: "name", Arg: "NAME", Help: "the credential's name (default ostui-CLOUD-TIME)"},
			{Name: "app-credential", Help: "create an application credential without asking"},
			{Name: "no-app-credential", Help: "do not create one; keep the password instead"},
		},
		Run: runCloud,
	})
}

func runCloud(ctx context.Context, req *Request) error {
	name := req.Value("cloud")
	explicitProfile := req.ProfileName != ProviderCloud
	if name == "" && explicitProfile {
		if p, err := req.LoadProfile(); err == nil && p != nil {
			name = p.CloudName()
		}
	}
	cfg, warns, err := config.Load(config.Flags{Cloud: name}, req.Getenv)
	if err != nil {
		return err
	}
	for _, w := range warns {
		fmt.Fprintln(req.IO.ErrOut, "warning: "+w.String())
	}
	opts := cloudlogin.Options{
		Cloud:      cfg,
		Prompt:     req.IO,
		Out:        req.IO.ErrOut,
		SaveSecret: req.SaveSecret,
		Reader:     req.Switch("reader"),
		Name:       req.Value("name"),
		Conn:       cloud.Options{CacheDir: cacheDir(req.getenv)},
	}
	if req.Store != nil {
		opts.Store = req.Store
	}
	switch {
	case req.Switch("app-credential") && req.Switch("no-app-credential"):
		return &UsageError{Msg: "ostui login cloud: --app-credential and --no-app-credential contradict each other"}
	case req.Switch("app-credential"):
		opts.AppCredential = cloudlogin.Yes
	case req.Switch("no-app-credential"):
		if opts.Reader || req.Given("access-rule") {
			return &UsageError{Msg: "ostui login cloud: --reader and --access-rule make an application credential; drop --no-app-credential"}
		}
		opts.AppCredential = cloudlogin.No
	}
	for _, r := range req.Values("access-rule") {
		ar, err := cloudlogin.ParseAccessRule(r)
		if err != nil {
			return &UsageError{Msg: "ostui login cloud: " + err.Error()}
		}
		opts.AccessRules = append(opts.AccessRules, ar)
	}
	if req.Given("expires") {
		t, err := cloudlogin.ParseExpiry(req.Value("expires"), time.Now())
		if err != nil {
			return &UsageError{Msg: "ostui login cloud: " + err.Error()}
		}
		opts.Expires, opts.NoExpiry = t, t.IsZero()
	}
	if _, err := cloudlogin.Login(ctx, opts); err != nil {
		return err
	}
	if explicitProfile {
		// --profile NAME: bind the profile to this cloud.
		return req.SaveProfile(func(p *profile.Profile) error {
			p.Cloud = &profile.Cloud{Name: cfg.Name}
			return nil
		})
	}
	return nil
}

// cacheDir is ostui's cache folder as the session finds it, so that the
// token of this login serves the next session.
func cacheDir(getenv func(string) string) string {
	if d := getenv("OSTUI_CACHE_DIR"); d != "" {
		return d
	}
	if d := getenv("XDG_CACHE_HOME"); d != "" {
		return filepath.Join(d, "ostui")
	}
	if h := getenv("HOME"); h != "" {
		return filepath.Join(h, ".cache", "ostui")
	}
	d, err := cloud.DefaultCacheDir()
	if err != nil {
		return ""
	}
	return d
}
