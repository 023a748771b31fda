package cli

import (
	"errors"
	"flag"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/kriscelmer/os-tui/agent/router"
)

// The command line is described once, here. parseFlags defines its flags
// from globalFlags, --help and the man page print them, and the bash, zsh and
// fish completion scripts are written from them, so a new flag or subcommand
// cannot be known to one and forgotten by another (tests check all four).

// flagDef is one command-line flag.
type flagDef struct {
	name  string // without dashes; a one-letter name is written -c, longer ones --name
	short string // a one-letter alias (-h for --help), or ""
	arg   string // the value's placeholder (NAME, FILE); "" for a switch
	help  string // one line, as --help prints it
	group string // the --help heading it is listed under (global flags only)
	// values says how a shell completes the flag's value: a fixed list of
	// words ("public internal admin"), or "@clouds", "@slash", "@files",
	// "@formats" for what ostui or the shell works out.
	values string
	// bind defines the flag on a flag set, storing into o (global flags only).
	bind func(fs *flag.FlagSet, o *options, name string)
}

// spelling is the flag as typed: "-c" or "--os-cloud".
func (f flagDef) spelling() string {
	if len(f.name) == 1 {
		return "-" + f.name
	}
	return "--" + f.name
}

// synopsis is the flag with its placeholder: "--os-cloud NAME", "-h, --help".
func (f flagDef) synopsis() string {
	s := f.spelling()
	if f.short != "" {
		s = "-" + f.short + ", " + s
	}
	if f.arg != "" {
		s += " " + f.arg
	}
	return s
}

// Headings of the global flags in --help.
const (
	groupCloud = "Cloud flags (beat OS_* variables, which beat clouds.yaml):"
	groupOther = "Other flags:"
)

// globalFlags are the flags before any subcommand, in --help order.
var globalFlags = []flagDef{
	{name: "os-cloud", arg: "NAME", help: "a cloud from clouds.yaml (else $OS_CLOUD)", group: groupCloud, values: "@clouds", bind: stringFlag(func(o *options) *string { return &o.flags.Cloud })},
	{name: "os-region-name", arg: "NAME", help: "region", group: groupCloud, bind: stringFlag(func(o *options) *string { return &o.flags.Region })},
	{name: "os-auth-url", arg: "URL", help: "Keystone URL", group: groupCloud, bind: stringFlag(func(o *options) *string { return &o.flags.AuthURL })},
	{name: "os-username", arg: "NAME", help: "user name", group: groupCloud, bind: stringFlag(func(o *options) *string { return &o.flags.Username })},
	{name: "os-password", arg: "PASSWORD", help: "password (prefer secure.yaml or $OS_PASSWORD)", group: groupCloud, bind: stringFlag(func(o *options) *string { return &o.flags.Password })},
	{name: "os-project-name", arg: "NAME", help: "project to scope to", group: groupCloud, bind: stringFlag(func(o *options) *string { return &o.flags.ProjectName })},
	{name: "os-project-id", arg: "ID", help: "project ID to scope to", group: groupCloud, bind: stringFlag(func(o *options) *string { return &o.flags.ProjectID })},
	{name: "os-user-domain-name", arg: "NAME", help: "the user's domain", group: groupCloud, bind: stringFlag(func(o *options) *string { return &o.flags.UserDomainName })},
	{name: "os-project-domain-name", arg: "NAME", help: "the project's domain", group: groupCloud, bind: stringFlag(func(o *options) *string { return &o.flags.ProjectDomainName })},
	{name: "os-interface", arg: "NAME", help: "endpoint interface: public, internal or admin", group: groupCloud, values: "public internal admin", bind: stringFlag(func(o *options) *string { return &o.flags.Interface })},
	{name: "os-cacert", arg: "FILE", help: "CA bundle to trust for TLS", group: groupCloud, values: "@files", bind: stringFlag(func(o *options) *string { return &o.flags.CACert })},
	{name: "insecure", help: "do not verify TLS certificates (unsafe)", group: groupCloud, bind: bindInsecure},

	{name: "c", arg: "COMMAND", help: "run one command and exit", group: groupOther, values: "@slash", bind: bindCommand},
	{name: "yes", help: "approve the -c command's plan once its preflight passes", group: groupOther, bind: boolFlag(func(o *options) *bool { return &o.yes })},
	{name: "read-only", help: "refuse anything that would change the cloud (mode ask)", group: groupOther, bind: boolFlag(func(o *options) *bool { return &o.readOnly })},
	{name: "privacy", help: "mask IPs, names, IDs and keys on screen (screencasts)", group: groupOther, bind: boolFlag(func(o *options) *bool { return &o.privacy })},
	{name: "profile", arg: "NAME", help: "use a profile from ostui's config (its cloud and model)", group: groupOther, bind: stringFlag(func(o *options) *string { return &o.profile })},
	{name: "offline", help: "never call a language model", group: groupOther, bind: boolFlag(func(o *options) *bool { return &o.offline })},
	{name: "resume", arg: "ID|latest", help: "continue a saved conversation with the model", group: groupOther, values: "latest", bind: stringFlag(func(o *options) *string { return &o.resume })},
	{name: "debug", help: "log each API call (method, URL, status, time, request ID) to stderr", group: groupOther, bind: boolFlag(func(o *options) *bool { return &o.debug })},
	{name: "timeout", arg: "DURATION", help: "give up on an API call after this long (default 30s)", group: groupOther, bind: bindTimeout},
	{name: "version", help: "print the version", group: groupOther, bind: boolFlag(func(o *options) *bool { return &o.version })},
	{name: "help", short: "h", help: "show this help", group: groupOther, bind: boolFlag(func(o *options) *bool { return &o.help })},
}

// subcommandDef is one word that may follow the global flags.
type subcommandDef struct {
	name   string
	args   string // positional arguments for the usage line: "RECIPE.yaml"
	help   string
	flags  []flagDef
	values string // how a shell completes the first argument (as flagDef.values)
	hidden bool   // left out of --help and the man page (still completed)
}

// usage is the subcommand's line in --help: "ostui run RECIPE.yaml [--yes]".
func (s subcommandDef) usage() string {
	parts := []string{"ostui", s.name}
	if s.args != "" {
		parts = append(parts, s.args)
	}
	for _, f := range s.flags {
		v := f.spelling()
		if f.arg != "" {
			v += " " + f.arg
		}
		parts = append(parts, "["+v+"]")
	}
	return strings.Join(parts, " ")
}

// subcommands are the words ostui takes after its flags, in --help order.
// Each one's own flags are parsed where it runs; the table is what the
// help, the man page and the completion scripts say about them.
var subcommands = []subcommandDef{
	{name: "run", args: "RECIPE.yaml", help: "run a saved plan through the gate", values: "@files", flags: []flagDef{
		{name: "param", arg: "K=V", help: "set a recipe parameter (repeatable)"},
		{name: "yes", help: "approve the plan once its preflight passes"},
		{name: "check", help: "stop after the preflight and dry-run"},
	}},
	{name: "mcp", help: "be an MCP server (stdio, or HTTP on loopback)", flags: []flagDef{
		{name: "http", arg: "ADDR", help: "serve streamable HTTP on this loopback address instead of stdio"},
		{name: "allow-changes", help: "let the client propose changes (each still asks the person)"},
		{name: "http-any", help: "accept a non-loopback --http address (there is no login)"},
	}},
	{name: "import", args: "clouds.yaml|openrc.sh...", help: "merge Horizon downloads into clouds.yaml (secrets to the store)", values: "@files", flags: []flagDef{
		{name: "dry-run", help: "print what would change (never a secret) and change nothing"},
	}},
	{name: "login", args: "[PROVIDER]", help: "log in to a model provider or a cloud (writes a profile)", values: loginProviders, flags: []flagDef{
		{name: "profile", arg: "NAME", help: "the profile to write (default: the provider's name)"},
		{name: "scopes", arg: "LIST", help: "scopes to ask for, comma or space separated"},
		{name: "no-save-secret", help: "use the secret for this session only; store nothing"},
		{name: "no-set-default", help: "leave the default profile as it is"},
	}},
	{name: "export", help: "write the inventory: every resource, one row each (/export)", flags: []flagDef{
		{name: "format", short: "f", arg: "FORMAT", help: "json (JSON Lines, the default), csv or yaml", values: "json csv yaml"},
		{name: "output", short: "o", arg: "PATH", help: "a file; for CSV of several types, a directory of TYPE.csv", values: "@files"},
		{name: "resources", arg: "LIST", help: "only these types, comma-separated (--list-types names them)"},
		{name: "all-projects", help: "every project's servers, volumes, snapshots and backups (admin)"},
		{name: "list-types", help: "list the exported types and the list commands left out"},
	}},
	{name: "browse", args: "[RESOURCE]", help: "open the resource browser full screen (the shell's /browse)"},
	{name: "completion", args: "bash|zsh|fish", help: "print a shell completion script", values: "bash zsh fish"},
	{name: "man", help: "print the manual page (roff)"},
	{name: "version", help: "print the version", hidden: true},
}

// subcommandNamed returns the table entry for name.
func subcommandNamed(name string) (subcommandDef, bool) {
	for _, s := range subcommands {
		if s.name == name {
			return s, true
		}
	}
	return subcommandDef{}, false
}

// defineFlags defines every global flag on fs, storing into o.
func defineFlags(fs *flag.FlagSet, o *options) {
	for _, f := range globalFlags {
		f.bind(fs, o, f.name)
		if f.short != "" {
			f.bind(fs, o, f.short)
		}
	}
}

// subcommandFlags parses a subcommand's own flags (from the table) out of
// args. It returns the values of the flags given, by name ("true" for a
// switch; a repeated flag keeps every value), and the remaining arguments.
func subcommandFlags(name string, args []string) (map[string][]string, []string, error) {
	s, ok := subcommandNamed(name)
	if !ok {
		return nil, nil, errors.New("no subcommand " + strconv.Quote(name))
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	got := map[string][]string{}
	for _, f := range s.flags {
		set := func(v string) error { got[f.name] = append(got[f.name], v); return nil }
		if f.arg == "" {
			fs.BoolFunc(f.name, "", set)
		} else {
			fs.Func(f.name, "", set)
		}
	}
	err := fs.Parse(args)
	return got, fs.Args(), err
}

func stringFlag(field func(*options) *string) func(*flag.FlagSet, *options, string) {
	return func(fs *flag.FlagSet, o *options, name string) { fs.StringVar(field(o), name, "", "") }
}

func boolFlag(field func(*options) *bool) func(*flag.FlagSet, *options, string) {
	return func(fs *flag.FlagSet, o *options, name string) { fs.BoolVar(field(o), name, false, "") }
}

func bindTimeout(fs *flag.FlagSet, o *options, name string) {
	fs.DurationVar(&o.timeout, name, 30*time.Second, "")
}

// bindInsecure keeps "not given" apart from "given as false" (a nil
// pointer lets clouds.yaml's verify setting decide), which BoolVar cannot.
func bindInsecure(fs *flag.FlagSet, o *options, name string) {
	fs.BoolFunc(name, "", func(v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return err
		}
		o.flags.Insecure = &b
		return nil
	})
}

func bindCommand(fs *flag.FlagSet, o *options, name string) {
	fs.Func(name, "", func(v string) error {
		if o.commandOK {
			return errors.New("-c is given more than once; run one command per -c invocation")
		}
		o.command, o.commandOK = v, true
		return nil
	})
}

// flagProblem rewrites the flag package's error for a person: its
// "flag provided but not defined: -os-clud" becomes "unknown flag
// --os-clud (did you mean --os-cloud?)", with the flags of defs as the
// candidates; other errors pass through.
func flagProblem(err error, defs []flagDef) string {
	const undefined = "flag provided but not defined: "
	msg := err.Error()
	name, ok := strings.CutPrefix(msg, undefined)
	if !ok {
		return msg
	}
	name = strings.TrimLeft(name, "-")
	typed := "--" + name
	if len(name) == 1 {
		typed = "-" + name
	}
	var spellings []string
	for _, f := range defs {
		spellings = append(spellings, f.spelling())
		if f.short != "" {
			spellings = append(spellings, "-"+f.short)
		}
	}
	var near []string
	// A one-letter flag is one edit from every other one-letter flag:
	// suggesting them would be noise, not help.
	if len(name) > 1 {
		near = router.Closest(typed, spellings, 3)
	}
	if len(near) == 0 {
		return "unknown flag " + typed
	}
	return "unknown flag " + typed + " (did you mean " + strings.Join(near, " or ") + "?)"
}

// lastSwitch is a switch's value as subcommandFlags gives it: the last one
// typed wins (--yes --yes=false is false); not given is false.
func lastSwitch(values []string) bool {
	if len(values) == 0 {
		return false
	}
	b, err := strconv.ParseBool(values[len(values)-1])
	return err == nil && b
}

// helpAsked reports a -h or --help among a built-in command's words: the
// command prints its usage on standard output instead of running.
func helpAsked(words []string) bool {
	for _, w := range words {
		if w == "-h" || w == "--help" {
			return true
		}
	}
	return false
}
