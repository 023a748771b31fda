package cli

import (
	"fmt"
	"strings"

	"github.com/kriscelmer/os-tui/internal/commands"
	"github.com/kriscelmer/os-tui/internal/config"
	"github.com/kriscelmer/os-tui/internal/iostreams"
	"github.com/kriscelmer/os-tui/tools/toolset"
)

func subcommand(ios *iostreams.IOStreams, o *options, getenv func(string) string) error {
	switch o.args[0] {
	case "completion":
		if len(o.args) != 2 {
			return &usageError{msg: "usage: ostui completion bash|zsh|fish"}
		}
		script, ok := completionShells[o.args[1]]
		if !ok {
			return &usageError{msg: fmt.Sprintf("ostui: no completion for shell %q; choose bash, zsh or fish", o.args[1])}
		}
		fmt.Fprint(ios.Out, script())
		return nil
	case "man":
		if len(o.args) != 1 {
			return &usageError{msg: "usage: ostui man (prints roff; try: ostui man | man -l -)"}
		}
		fmt.Fprint(ios.Out, manPage())
		return nil
	case "version":
		fmt.Fprintln(ios.Out, versionLine())
		return nil
	case "__complete":
		return complete(ios, o.args[1:], getenv)
	}
	return &usageError{msg: fmt.Sprintf("ostui: unknown command %q\nRun 'ostui --help' for usage; inside the shell or with -c, commands start with a slash: ostui -c '/%s'", o.args[0], strings.Join(o.args, " "))}
}

// complete serves shell completion scripts: `__complete clouds` lists cloud
// names; `__complete slash WORD...` completes a slash command.
func complete(ios *iostreams.IOStreams, args []string, getenv func(string) string) error {
	if len(args) == 0 {
		return &usageError{msg: "usage: ostui __complete clouds|slash WORDS..."}
	}
	var out []string
	switch args[0] {
	case "clouds":
		out, _ = config.Names(getenv)
	case "formats":
		out = commands.Formats
	case "slash":
		reg, err := toolset.Registry()
		if err != nil {
			return err
		}
		words := args[1:]
		if len(words) > 0 {
			words[0] = strings.TrimPrefix(words[0], "/")
		}
		c := &commands.Completer{Registry: reg, Builtins: builtinHelp()}
		out = c.Words(words)
		if len(words) <= 1 {
			for i := range out {
				out[i] = "/" + out[i]
			}
		}
	}
	for _, s := range out {
		fmt.Fprintln(ios.Out, strings.TrimSpace(s))
	}
	return nil
}
