package login

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/kriscelmer/os-tui/agent/router"
)

// UsageError is wrong usage of `ostui login` (exit code 2): an unknown
// provider or flag. Msg names the closest match and says how to get help.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// Env is what the front end hands the router: the same for `ostui login`
// and the shell's /login.
type Env struct {
	IO *IO
	// OpenStore opens the secret store on first use; a login that
	// stores nothing never calls it (no keyring probe, no passphrase).
	OpenStore func() (SecretStore, error)
	// ConfigPath is ostui's config file.
	ConfigPath string
	Getenv     func(string) string
	HTTPClient *http.Client
	// Session, in the shell, keeps secrets given with --no-save-secret
	// for the rest of the session.
	Session func(key, value string)
	// Prog is how the command is typed: "ostui login" or "/login".
	Prog string
	// Done, when set, is called after a flow succeeds, with its request
	// (the shell switches to the profile the login wrote).
	Done func(req *Request)
}

// Run is `ostui login [PROVIDER] [flags]`: without a provider it lists
// them; with --help it prints the usage; otherwise it parses the common
// flags and the provider's own and runs the provider's flow.
func Run(ctx context.Context, env Env, args []string) error {
	if env.Prog == "" {
		env.Prog = "ostui login"
	}
	if env.IO == nil {
		return errors.New("login: no terminal")
	}
	if len(args) == 0 {
		fmt.Fprint(env.IO.Out, ListText(env.Prog))
		return nil
	}
	if isHelp(args[0]) {
		fmt.Fprint(env.IO.Out, UsageText(env.Prog))
		return nil
	}
	name := args[0]
	if strings.HasPrefix(name, "-") {
		return &UsageError{Msg: fmt.Sprintf("%s: name a provider before the flags, e.g. %s openai %s\n%s", env.Prog, env.Prog, name, providerLine())}
	}
	p, ok := Lookup(name)
	if !ok {
		return unknownProvider(env.Prog, name)
	}
	// --help answers once the other flags have parsed, so a mistyped flag
	// is named even then.
	help := false
	var rest []string
	for i, a := range args[1:] {
		if a == "--" {
			rest = append(rest, args[1+i:]...)
			break
		}
		if a == "-h" || a == "--help" || a == "-help" {
			help = true
			continue
		}
		rest = append(rest, a)
	}
	req, err := parse(env, p, rest)
	if err != nil {
		return err
	}
	if help {
		fmt.Fprint(env.IO.Out, ProviderUsageText(env.Prog, p))
		return nil
	}
	if env.OpenStore != nil {
		// Opened lazily: a flow that reads or stores no secret never
		// probes the keyring or asks for a passphrase.
		req.Store = &lazyStore{open: env.OpenStore}
	}
	if err := p.Run(ctx, req); err != nil {
		return err
	}
	if env.Done != nil {
		env.Done(req)
	}
	return nil
}

func isHelp(a string) bool { return a == "-h" || a == "--help" || a == "-help" || a == "help" }

// parse reads the common flags and p's own into a Request.
func parse(env Env, p Provider, args []string) (*Request, error) {
	req := &Request{
		Provider:    p.Name,
		IO:          env.IO,
		ConfigPath:  env.ConfigPath,
		Getenv:      env.Getenv,
		HTTPClient:  env.HTTPClient,
		Session:     env.Session,
		SaveSecret:  true,
		SetDefault:  true,
		ProfileName: p.Name,
		values:      map[string][]string{},
	}
	fs := flag.NewFlagSet(p.Name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var scopes []string
	fs.Func("profile", "", func(v string) error {
		if strings.TrimSpace(v) == "" {
			return errors.New("--profile needs a name")
		}
		req.ProfileName = strings.TrimSpace(v)
		return nil
	})
	fs.Func("scopes", "", func(v string) error { scopes = append(scopes, v); return nil })
	boolSet := func(name string, dst *bool, when bool) {
		fs.BoolFunc(name, "", func(v string) error {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return fmt.Errorf("--%s takes no value (or true/false)", name)
			}
			*dst = b == when
			return nil
		})
	}
	boolSet("save-secret", &req.SaveSecret, true)
	boolSet("no-save-secret", &req.SaveSecret, false)
	boolSet("set-default", &req.SetDefault, true)
	boolSet("no-set-default", &req.SetDefault, false)
	for _, f := range p.Flags {
		set := func(v string) error { req.values[f.Name] = append(req.values[f.Name], v); return nil }
		if f.Arg == "" {
			fs.BoolFunc(f.Name, "", set)
		} else {
			fs.Func(f.Name, "", set)
		}
	}
	if err := fs.Parse(args); err != nil {
		return nil, &UsageError{Msg: fmt.Sprintf("%s %s: %s\nRun '%s %s --help' for usage.", env.Prog, p.Name, flagProblem(err, p), env.Prog, p.Name)}
	}
	req.Args = fs.Args()
	if len(req.Args) > 0 {
		return nil, &UsageError{Msg: fmt.Sprintf("%s %s: unexpected argument %q (flags only)\nRun '%s %s --help' for usage.", env.Prog, p.Name, req.Args[0], env.Prog, p.Name)}
	}
	if scopes != nil {
		req.Scopes = splitScopes(scopes)
	}
	if !validProfileName(req.ProfileName) {
		return nil, &UsageError{Msg: fmt.Sprintf("%s %s: profile name %q: use letters, digits, dot, dash and underscore", env.Prog, p.Name, req.ProfileName)}
	}
	return req, nil
}

func validProfileName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || i > 0 && (r == '.' || r == '-' || r == '_')
		if !ok {
			return false
		}
	}
	return true
}

// flagProblem turns the flag package's "flag provided but not defined:
// -scope" into "unknown flag --scope (did you mean --scopes?)".
func flagProblem(err error, p Provider) string {
	const undefined = "flag provided but not defined: "
	msg := err.Error()
	name, ok := strings.CutPrefix(msg, undefined)
	if !ok {
		return msg
	}
	typed := "--" + strings.TrimLeft(name, "-")
	var spellings []string
	for _, f := range append(CommonFlags(), p.Flags...) {
		spellings = append(spellings, "--"+f.Name)
	}
	near := router.Closest(typed, spellings, 3)
	if len(near) == 0 {
		return "unknown flag " + typed
	}
	return "unknown flag " + typed + " (did you mean " + strings.Join(near, " or ") + "?)"
}

func unknownProvider(prog, name string) error {
	var names []string
	for _, p := range Providers() {
		names = append(names, p.Name)
	}
	msg := fmt.Sprintf("%s: unknown provider %q", prog, name)
	if near := router.Closest(name, names, 3); len(near) > 0 {
		msg += " (did you mean " + strings.Join(near, " or ") + "?)"
	}
	return &UsageError{Msg: msg + "\n" + providerLine()}
}

func providerLine() string {
	var names []string
	for _, p := range Providers() {
		names = append(names, p.Name)
	}
	return "Providers: " + strings.Join(names, ", ") + "."
}

// ListText is `ostui login` alone: the providers and how to get help.
func ListText(prog string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Log in to a model provider or a cloud. Providers:\n\n")
	for _, p := range Providers() {
		fmt.Fprintf(&b, "  %-8s %s\n", p.Name, p.Summary)
	}
	fmt.Fprintf(&b, "\nRun '%s PROVIDER --help' for one provider's flags.\n", prog)
	return b.String()
}

// UsageText is `ostui login --help`.
func UsageText(prog string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "usage: %s PROVIDER [flags]\n\n", prog)
	b.WriteString("Logs in to a model provider or a cloud and writes a profile in ostui's\n")
	b.WriteString("config file. Secrets go to the secret store (the OS keyring, else a file\n")
	b.WriteString("encrypted with OSTUI_CONFIG_ENCRYPTION_KEY), never to the config file.\n\nProviders:\n")
	for _, p := range Providers() {
		fmt.Fprintf(&b, "  %-8s %s\n", p.Name, p.Summary)
	}
	b.WriteString("\nFlags every provider takes:\n")
	writeFlags(&b, CommonFlags())
	fmt.Fprintf(&b, "\nRun '%s PROVIDER --help' for one provider's flags.\n", prog)
	return b.String()
}

// ProviderUsageText is `ostui login PROVIDER --help`.
func ProviderUsageText(prog string, p Provider) string {
	var b strings.Builder
	usage := p.Usage
	if usage == "" {
		usage = "ostui login " + p.Name
	}
	if prog != "ostui login" {
		usage = strings.Replace(usage, "ostui login", prog, 1)
	}
	fmt.Fprintf(&b, "usage: %s [flags]\n\n%s\n", usage, p.Summary)
	if p.Help != "" {
		b.WriteString("\n" + strings.TrimRight(p.Help, "\n") + "\n")
	}
	if len(p.Flags) > 0 {
		b.WriteString("\nFlags:\n")
		writeFlags(&b, p.Flags)
	}
	b.WriteString("\nFlags every provider takes:\n")
	writeFlags(&b, CommonFlags())
	return b.String()
}

func writeFlags(b *strings.Builder, flags []Flag) {
	for _, f := range flags {
		s := "--" + f.Name
		if f.Arg != "" {
			s += " " + f.Arg
		}
		if f.Name == "help" {
			s = "-h, --help"
		}
		fmt.Fprintf(b, "  %-24s %s\n", s, f.Help)
	}
}

// lazyStore opens the store on first use.
type lazyStore struct {
	open  func() (SecretStore, error)
	store SecretStore
	err   error
	done  bool
}

func (l *lazyStore) get() (SecretStore, error) {
	if !l.done {
		l.store, l.err = l.open()
		l.done = true
	}
	return l.store, l.err
}

func (l *lazyStore) Get(ctx context.Context, key string) (string, error) {
	s, err := l.get()
	if err != nil {
		return "", err
	}
	return s.Get(ctx, key)
}

func (l *lazyStore) Set(ctx context.Context, key, value string) (string, error) {
	s, err := l.get()
	if err != nil {
		return "", err
	}
	return s.Set(ctx, key, value)
}

func (l *lazyStore) Delete(ctx context.Context, key string) error {
	s, err := l.get()
	if err != nil {
		return err
	}
	return s.Delete(ctx, key)
}

func (l *lazyStore) Where(ctx context.Context) (string, error) {
	s, err := l.get()
	if err != nil {
		return "", err
	}
	return s.Where(ctx)
}
