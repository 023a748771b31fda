package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"

	"github.com/kriscelmer/os-tui/agent/llm"
	"github.com/kriscelmer/os-tui/internal/config"
	"github.com/kriscelmer/os-tui/internal/iostreams"
	"github.com/kriscelmer/os-tui/internal/login"
	"github.com/kriscelmer/os-tui/internal/profile"
	"github.com/kriscelmer/os-tui/internal/secretstore"
)

// loginState is the shell's part of logins and profiles: the profile in
// use and secrets kept for this session only.
type loginState struct {
	// profile is the profile named with --profile or /profile ("" means
	// default_profile, if any).
	profile string
	// secrets are those given with /login --no-save-secret, by key.
	secrets map[string]string
	// askSecret reads hidden input at the line editor (nil off it).
	askSecret func(prompt string) (string, error)
	store     *secretstore.Store
}

// openSecretStore opens the secret store in the config folder, with the
// backend the config file names (secret_backend). passphrase asks for
// the encrypted file's passphrase; nil when nobody can answer.
func openSecretStore(getenv func(string) string, warn io.Writer, passphrase func(confirm bool) (string, error)) (*secretstore.Store, error) {
	path := profile.Path(getenv)
	mode := secretstore.Auto
	if f, err := profile.Load(path); err == nil {
		if m, err := secretstore.ParseMode(f.SecretBackend); err == nil {
			mode = m
		}
	}
	return secretstore.Open(secretstore.Options{
		Mode:       mode,
		Dir:        profile.Dir(getenv),
		Getenv:     getenv,
		Passphrase: passphrase,
		Warn:       func(w string) { fmt.Fprintln(warn, "warning: "+w) },
	})
}

// passphraseFrom asks for the encrypted file's passphrase through ask
// (hidden input), twice when the file is being created.
func passphraseFrom(ask func(prompt string) (string, error)) func(confirm bool) (string, error) {
	if ask == nil {
		return nil
	}
	return func(confirm bool) (string, error) {
		p, err := ask("Passphrase for ostui's encrypted secrets file: ")
		if err != nil || !confirm {
			return p, err
		}
		again, err := ask("The same passphrase again: ")
		if err != nil {
			return "", err
		}
		if again != p {
			return "", errors.New("the two passphrases differ")
		}
		return p, nil
	}
}

// loginIO is the terminal as a login sees it.
func loginIO(ios *iostreams.IOStreams) *login.IO {
	return &login.IO{In: ios.In, Out: ios.Out, ErrOut: ios.ErrOut}
}

// runLogin is `ostui login ...`. A --profile given before the word login
// (ostui --profile work login openai) names the profile to write.
func runLogin(ctx context.Context, ios *iostreams.IOStreams, args []string, getenv func(string) string, profileName string) error {
	if profileName != "" && len(args) > 0 && !hasFlag(args, "profile") {
		args = append(append([]string{}, args...), "--profile", profileName)
	}
	lio := loginIO(ios)
	env := login.Env{
		IO:         lio,
		ConfigPath: profile.Path(getenv),
		Getenv:     getenv,
		OpenStore: func() (login.SecretStore, error) {
			var ask func(string) (string, error)
			if lio.IsTerminal() {
				ask = lio.Secret
			}
			return openSecretStore(getenv, ios.ErrOut, passphraseFrom(ask))
		},
	}
	// Ctrl-C ends a device flow's wait with "login cancelled; nothing was
	// stored" rather than killing ostui mid-write.
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()
	return loginError(login.Run(ctx, env, args))
}

func hasFlag(args []string, name string) bool {
	for _, a := range args {
		if a == "--"+name || a == "-"+name || strings.HasPrefix(a, "--"+name+"=") || strings.HasPrefix(a, "-"+name+"=") {
			return true
		}
	}
	return false
}

// loginError makes the router's usage errors ostui's (exit code 2).
func loginError(err error) error {
	var ue *login.UsageError
	if errors.As(err, &ue) {
		return &usageError{msg: ue.Msg}
	}
	return err
}

// secretStore is the session's store, opened on first use.
func (s *Shell) secretStore() (login.SecretStore, error) {
	if s.login.store != nil {
		return s.login.store, nil
	}
	st, err := openSecretStore(s.Getenv, s.IO.ErrOut, passphraseFrom(s.login.askSecret))
	if err != nil {
		return nil, err
	}
	s.login.store = st
	return st, nil
}

// loginCommand is /login: the same router as `ostui login`, answered at
// the line editor (the key hidden), then the session switches to the
// profile the login wrote.
func (s *Shell) loginCommand(ctx context.Context, args []string) error {
	lio := loginIO(s.IO)
	// At the line editor (or a terminal with -c) answers come through the
	// shell's own askers; without a terminal, from standard input.
	lio.HiddenLine, lio.AskLine = s.login.askSecret, s.Asker
	env := login.Env{
		IO:         lio,
		ConfigPath: profile.Path(s.Getenv),
		Getenv:     s.Getenv,
		OpenStore:  s.secretStore,
		Prog:       "/login",
		Session: func(key, value string) {
			if s.login.secrets == nil {
				s.login.secrets = map[string]string{}
			}
			s.login.secrets[key] = value
		},
	}
	var done *login.Request
	env.Done = func(r *login.Request) { done = r }
	if err := loginError(login.Run(ctx, env, args)); err != nil {
		return err
	}
	if done == nil {
		return nil // a list or a help text
	}
	f, err := profile.Load(profile.Path(s.Getenv))
	if err != nil {
		return err
	}
	if _, ok := f.Get(done.ProfileName); ok {
		if err := s.useProfile(ctx, done.ProfileName); err != nil {
			return err
		}
		fmt.Fprintf(s.IO.ErrOut, "this session now uses profile %s\n", done.ProfileName)
		return nil
	}
	// A login that wrote no profile (a cloud's password) is picked up by
	// loading the cloud again.
	s.loadConfig()
	return nil
}

// profileCommand is /profile: alone, the profiles with the current one
// marked; with a name, switch to it.
func (s *Shell) profileCommand(ctx context.Context, args []string) error {
	switch len(args) {
	case 0:
		return s.listProfiles(s.IO.Out)
	case 1:
		if err := s.useProfile(ctx, args[0]); err != nil {
			return err
		}
		return s.listProfiles(s.IO.Out)
	}
	return &usageError{msg: "usage: /profile [NAME]"}
}

// currentProfile is the profile in use: the one named, else the default.
func (s *Shell) currentProfile(f *profile.File) string {
	if s.login.profile != "" {
		return s.login.profile
	}
	return f.DefaultProfile
}

func (s *Shell) listProfiles(w io.Writer) error {
	path := profile.Path(s.Getenv)
	f, err := profile.Load(path)
	if err != nil {
		return err
	}
	if len(f.Profiles) == 0 {
		fmt.Fprintf(w, "no profiles in %s; `ostui login openai` (or azure, github, cloud) writes one\n", path)
		return nil
	}
	cur := s.currentProfile(f)
	for _, name := range f.Names() {
		fmt.Fprintln(w, describeProfile(f.Profiles[name], name == cur, name == f.DefaultProfile))
	}
	return nil
}

// describeProfile is one line of /profile: never a secret, only where
// the profile's secrets live.
func describeProfile(p *profile.Profile, current, isDefault bool) string {
	mark := "  "
	if current {
		mark = "* "
	}
	parts := []string{p.Name}
	cloud := p.CloudName()
	switch {
	case cloud != "":
		parts = append(parts, "cloud "+cloud)
	case p.Cloud != nil:
		parts = append(parts, "cloud (own auth: "+p.Cloud.Auth["auth_url"]+")")
	default:
		parts = append(parts, "cloud -")
	}
	if m := p.Model; m != nil {
		desc := "model " + m.Provider
		switch {
		case m.Deployment != "":
			desc += " " + m.Deployment
		case m.Model != "":
			desc += " " + m.Model
		}
		if m.Endpoint != "" {
			desc += " at " + m.Endpoint
		}
		parts = append(parts, desc)
	} else {
		parts = append(parts, "model -")
	}
	line := mark + strings.Join(parts, "  ")
	if isDefault {
		line += "  (default)"
	}
	return line
}

// useProfile switches the session to profile name: its cloud (when it
// names one) and its model, both rebuilt through the shell's own paths
// (loadConfig, SetModel), so the engine sees one session throughout. A
// profile that cannot be used leaves the session as it was.
func (s *Shell) useProfile(ctx context.Context, name string) error {
	path := profile.Path(s.Getenv)
	f, err := profile.Load(path)
	if err != nil {
		return err
	}
	p, ok := f.Get(name)
	if !ok {
		names := f.Names()
		sort.Strings(names)
		msg := fmt.Sprintf("no profile %q in %s", name, path)
		if len(names) > 0 {
			msg += " (profiles: " + strings.Join(names, ", ") + ")"
		}
		return errors.New(msg)
	}
	var client llm.Client
	var cfg *llm.Config
	if p.Model != nil && !s.Offline {
		c, cf, _, err := s.modelOf(ctx, io.Discard, name)
		if err != nil {
			return fmt.Errorf("switch to profile %s: %w", name, err)
		}
		client, cfg = c, cf
	}
	oldFlags := s.Flags
	if p.Cloud != nil {
		flags := config.Flags{CACert: s.Flags.CACert, Insecure: s.Flags.Insecure}
		if err := profileCloud(&flags, p); err != nil {
			return err
		}
		s.Flags = flags
		s.loadConfig()
		if s.cfgErr != nil {
			err := s.cfgErr
			s.Flags = oldFlags
			s.loadConfig()
			return fmt.Errorf("switch to profile %s: %w", name, err)
		}
	}
	s.login.profile = name
	if client != nil {
		s.SetModel(client, cfg)
	}
	return nil
}

// modelOf builds the model of profile name ("" the default) with the
// session's store and session-only secrets.
func (s *Shell) modelOf(ctx context.Context, notes io.Writer, name string) (llm.Client, *llm.Config, string, error) {
	return modelFromProfile(ctx, notes, s.Getenv, name, s.login.secrets, s.secretStore)
}

// modelFromProfile resolves the model (a profile, else the environment
// and the config's model: section) and builds its client; nil when none
// is configured.
func modelFromProfile(ctx context.Context, notes io.Writer, getenv func(string) string, name string, session map[string]string, open func() (login.SecretStore, error)) (llm.Client, *llm.Config, string, error) {
	choice, err := login.ResolveModel(ctx, login.ModelOptions{
		Getenv:     getenv,
		ConfigPath: profile.Path(getenv),
		Profile:    name,
		OpenStore:  open,
		Session:    session,
	})
	if err != nil || !choice.Configured {
		return nil, nil, "", err
	}
	cfg, note, err := llm.ResolveModel(ctx, choice.Config)
	if err != nil {
		return nil, nil, "", err
	}
	if note != "" {
		fmt.Fprintln(notes, "note: "+note)
	}
	c, err := llm.New(cfg)
	if err != nil {
		return nil, nil, "", err
	}
	return c, &cfg, choice.Profile, nil
}

// profileCloud points flags at p's cloud: its clouds.yaml entry, or its
// own auth block (settings only; the password comes from the secret
// store, secure.yaml or OS_PASSWORD). Flags already given win.
func profileCloud(flags *config.Flags, p *profile.Profile) error {
	if p == nil || p.Cloud == nil {
		return nil
	}
	c := p.Cloud
	if c.Name != "" {
		if flags.Cloud == "" {
			flags.Cloud = c.Name
		}
		return nil
	}
	fields := map[string]*string{
		"auth_url":            &flags.AuthURL,
		"username":            &flags.Username,
		"project_name":        &flags.ProjectName,
		"project_id":          &flags.ProjectID,
		"user_domain_name":    &flags.UserDomainName,
		"project_domain_name": &flags.ProjectDomainName,
	}
	for k, v := range c.Auth {
		dst, ok := fields[k]
		if !ok {
			return fmt.Errorf("profile %s: the cloud's auth key %q cannot be set in a profile yet; put the cloud in clouds.yaml and name it with cloud: NAME", p.Name, k)
		}
		if *dst == "" {
			*dst = v
		}
	}
	if c.AuthType != "" && c.AuthType != "password" && c.AuthType != "v3password" {
		return fmt.Errorf("profile %s: auth_type %s needs a clouds.yaml entry; name it with cloud: NAME", p.Name, c.AuthType)
	}
	if flags.Region == "" {
		flags.Region = c.Region
	}
	if flags.Interface == "" {
		flags.Interface = c.Interface
	}
	return nil
}

// startProfile applies the profile in effect to the command-line flags
// before the session loads its cloud: --profile NAME beats OS_CLOUD (not
// --os-cloud); default_profile yields to OS_CLOUD and an openrc's
// OS_AUTH_URL, as the environment has always beaten the files.
func startProfile(flags *config.Flags, getenv func(string) string, explicit string) error {
	f, err := profile.Load(profile.Path(getenv))
	if err != nil {
		if explicit != "" {
			return err
		}
		return nil // reported when the model is resolved
	}
	name := explicit
	if name == "" {
		if getenv("OS_CLOUD") != "" || getenv("OS_AUTH_URL") != "" {
			return nil
		}
		name = f.DefaultProfile
	}
	if name == "" {
		return nil
	}
	p, ok := f.Get(name)
	if !ok {
		if explicit != "" {
			return &usageError{msg: fmt.Sprintf("ostui: --profile %s: no such profile in %s%s", name, f.Path, profileList(f))}
		}
		return nil // default_profile names nothing: the model resolution says so
	}
	return profileCloud(flags, p)
}

func profileList(f *profile.File) string {
	names := f.Names()
	if len(names) == 0 {
		return " (it has none: `ostui login PROVIDER` writes one)"
	}
	return " (profiles: " + strings.Join(names, ", ") + ")"
}

// startLogin sets the profile named on the command line and, at a
// terminal, how a passphrase is asked before the line editor starts.
func (s *Shell) startLogin(name string) {
	s.login.profile = name
	if s.IO.IsStdinTTY() {
		s.login.askSecret = loginIO(s.IO).Secret
	}
}

// loginProviders completes `ostui login`'s first word. A constant, not
// login.Providers() at package init (the init budget); a test keeps it
// equal to the registry.
const loginProviders = "azure cloud github openai"

// loginProviderWords are the registered providers, sorted.
func loginProviderWords() string {
	var names []string
	for _, p := range login.Providers() {
		names = append(names, p.Name)
	}
	return strings.Join(names, " ")
}
