// Package cli wires ostui together: flags, the session, one-shot commands,
// piped input and the interactive shell. Errors become exit codes in one
// place (ExitCode), and no panic reaches the user.
package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/kriscelmer/os-tui/internal/commands"
	"github.com/kriscelmer/os-tui/internal/config"
	"github.com/kriscelmer/os-tui/internal/iostreams"
	"github.com/kriscelmer/os-tui/internal/repl"
	"github.com/kriscelmer/os-tui/tools/toolset"
)

// Main runs ostui with the process's arguments and streams and returns the
// exit code.
func Main() int {
	return Run(context.Background(), os.Args[1:], iostreams.System(), os.Getenv)
}

// options are the parsed command line.
type options struct {
	flags     config.Flags
	command   string
	commandOK bool
	offline   bool
	debug     bool
	timeout   time.Duration
	version   bool
	help      bool
	yes       bool
	resume    string
	readOnly  bool
	profile   string
	privacy   bool
	args      []string
}

func parseFlags(args []string) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("ostui", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	defineFlags(fs, o)
	if err := fs.Parse(args); err != nil {
		return nil, &usageError{msg: "ostui: " + flagProblem(err, globalFlags) + "\nRun 'ostui --help' for usage."}
	}
	if o.timeout <= 0 {
		return nil, &usageError{msg: "ostui: --timeout must be positive"}
	}
	o.args = fs.Args()
	if o.yes && !o.commandOK && (len(o.args) == 0 || o.args[0] != "run") {
		return nil, &usageError{msg: "ostui: --yes approves one command given with -c (or a recipe); in the shell, answer the prompt"}
	}
	if o.yes && o.readOnly {
		return nil, &usageError{msg: "ostui: --yes and --read-only contradict each other"}
	}
	return o, nil
}

// Run is Main with its dependencies injected, for tests.
func Run(ctx context.Context, args []string, ios *iostreams.IOStreams, getenv func(string) string) (code int) {
	defer func() {
		// The last line of defence: a bug must not print a Go stack at a
		// person. Say what happened and how to report it.
		if r := recover(); r != nil {
			fmt.Fprintf(ios.ErrOut, "ostui: internal error: %v\nPlease report this with the command you ran (https://github.com/kriscelmer/os-tui/issues).\n", r)
			code = ExitError
		}
	}()
	err := run(ctx, args, ios, getenv)
	if err != nil {
		var se *silentError
		var ue *usageError
		switch {
		case errors.As(err, &se):
		case errors.As(err, &ue):
			fmt.Fprintln(ios.ErrOut, ue.msg)
		default:
			fmt.Fprintln(ios.ErrOut, "ostui: "+err.Error())
		}
	}
	return ExitCode(err)
}

func run(ctx context.Context, args []string, ios *iostreams.IOStreams, getenv func(string) string) error {
	o, err := parseFlags(args)
	if err != nil {
		return err
	}
	switch {
	case o.help:
		fmt.Fprint(ios.Out, usageText())
		return nil
	case o.version:
		fmt.Fprintln(ios.Out, versionLine())
		return nil
	}
	// The MCP server and recipes use the profile's cloud as the shell does.
	if len(o.args) > 0 && (o.args[0] == "mcp" || o.args[0] == "run") {
		if err := startProfile(&o.flags, getenv, o.profile); err != nil {
			return err
		}
	}
	if len(o.args) > 0 && o.args[0] == "mcp" {
		return runMCP(ctx, ios, o.args[1:], o, getenv)
	}
	if len(o.args) > 0 && o.args[0] == "import" {
		return runImport(ctx, ios, o.args[1:], getenv, importOptions{})
	}
	if len(o.args) > 0 && o.args[0] == "login" {
		return runLogin(ctx, ios, o.args[1:], getenv, o.profile)
	}
	if len(o.args) > 0 && o.args[0] == "run" {
		return runRecipe(ctx, ios, o, getenv)
	}
	if len(o.args) > 0 && o.args[0] == "export" {
		// ostui export [flags] is the shell's /export, run once.
		o.command, o.commandOK = exportLine(o.args[1:]), true
		o.args = nil
	}
	if len(o.args) > 0 && o.args[0] == "browse" {
		// ostui browse [RESOURCE] is the shell's /browse, run once.
		o.command, o.commandOK = strings.TrimSpace("/browse "+strings.Join(o.args[1:], " ")), true
		o.args = nil
	}
	if len(o.args) > 0 {
		return subcommand(ios, o, getenv)
	}
	reg, err := toolset.Registry()
	if err != nil {
		return fmt.Errorf("load tools: %w", err)
	}
	if err := startProfile(&o.flags, getenv, o.profile); err != nil {
		return err
	}
	sh := NewShell(ios, reg, o.flags, getenv, DefaultPaths(getenv))
	sh.startLogin(o.profile)
	sh.Debug, sh.Offline, sh.Timeout, sh.Yes = o.debug, o.offline, o.timeout, o.yes
	if !o.offline {
		client, cfg, _, err := sh.modelOf(ctx, ios.ErrOut, o.profile)
		if err != nil {
			// A misconfigured model must not stop slash commands.
			fmt.Fprintln(ios.ErrOut, "warning: "+err.Error()+"; continuing offline")
		}
		if client != nil {
			sh.SetModel(client, cfg)
		}
	}
	if o.readOnly {
		sh.Engine().LockReadOnly()
	}
	sh.SetPrivacy(o.privacy)
	if o.resume != "" {
		if err := sh.resume(o.resume); err != nil {
			return err
		}
	}
	for _, w := range sh.Warnings() {
		fmt.Fprintln(ios.ErrOut, "warning: "+w.String())
	}
	switch {
	case o.commandOK:
		// A person at the keyboard can answer even when output is piped.
		if ios.IsStdinTTY() {
			sh.Asker = lineAsker(ios)
		}
		return oneShot(ctx, sh, o.command)
	case !ios.IsStdinTTY():
		return script(ctx, sh, ios.In)
	}
	return interactive(ctx, sh)
}

// oneShot runs a single command; Ctrl-C cancels it.
func oneShot(ctx context.Context, sh *Shell, line string) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()
	if strings.TrimSpace(line) == "" {
		return &usageError{msg: "ostui: -c needs a command, e.g. -c '/server list'"}
	}
	_, err := sh.Execute(ctx, line)
	if err != nil {
		sh.Report(err)
		return &silentError{code: ExitCode(err)}
	}
	return nil
}

// script runs lines from a pipe, reporting each failure and going on; the
// exit code is that of the last failure.
func script(ctx context.Context, sh *Shell, in io.Reader) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	var last error
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		quit, err := sh.Execute(ctx, line)
		if err != nil {
			sh.Report(err)
			last = &silentError{code: ExitCode(err)}
			if ctx.Err() != nil {
				return last
			}
		}
		if quit {
			break
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read commands: %w", err)
	}
	return last
}

func interactive(ctx context.Context, sh *Shell) (err error) {
	sh.interactive = true
	completer := &commands.Completer{
		Registry: sh.Registry,
		Builtins: builtinHelp(),
		Names: func(kind string) []string {
			if sh.env == nil {
				return nil
			}
			return sh.env.Names.Of(kind)
		},
		Clouds: func() []string {
			names, _ := config.Names(sh.Getenv)
			return names
		},
	}
	ed, err := repl.New(repl.Config{
		Prompt:      sh.Prompt(),
		HistoryFile: sh.Paths.HistoryFile(),
		Completer:   completer,
	})
	if err != nil {
		return fmt.Errorf("start the line editor: %w", err)
	}
	defer func() {
		// Closing flushes history; a failure there is worth saying.
		if cerr := ed.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("close the line editor: %w", cerr)
		}
	}()
	fmt.Fprintf(sh.IO.ErrOut, "ostui %s — type /help for commands, Ctrl-D to leave.\n", Version())
	if err := sh.ConfigError(); err != nil {
		sh.Report(err)
	}
	sh.Asker = ed.Ask
	if se, ok := ed.(interface{ AskSecret(string) (string, error) }); ok {
		sh.login.askSecret = se.AskSecret
	}
	loop := &repl.Loop{
		Editor:  ed,
		Handle:  sh.Execute,
		Prompt:  sh.Prompt,
		ErrOut:  sh.IO.ErrOut,
		OnError: sh.Report,
	}
	return loop.Run(ctx)
}

// lineAsker reads answers from a terminal's stdin in cooked mode, for
// one-shot commands (no line editor is running then).
func lineAsker(ios *iostreams.IOStreams) Asker {
	in := bufio.NewReader(ios.In)
	return func(prompt string) (string, error) {
		fmt.Fprint(ios.ErrOut, prompt)
		line, err := in.ReadString('\n')
		if err != nil && line == "" {
			return "", err
		}
		return strings.TrimRight(line, "\r\n"), nil
	}
}
