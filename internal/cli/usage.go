package cli

import "strings"

// The help text: `ostui --help` prints it and `ostui man` (docs/ostui.1)
// typesets the same words, with the flags and subcommands taken from the
// table in flagdefs.go. A golden transcript keeps --help honest, and a test
// keeps the committed man page in step with it.

const (
	helpTitle     = "ostui — a chat-first shell for OpenStack"
	helpShellNote = "Inside the shell, type /help for every command, or /help COMMAND for one."
	helpConfig    = `Configuration: clouds.yaml and secure.yaml are read from $OS_CLIENT_CONFIG_FILE,
./, ~/.config/openstack/ and /etc/openstack/ (see docs/configuration.md).`
	helpExit = "Exit codes: 0 success, 1 error, 2 wrong usage."
)

// usageLine is one way of invoking ostui and what it does.
type usageLine struct{ synopsis, help string }

// invocations are the three ways to give ostui commands.
var invocations = []usageLine{
	{"ostui [flags]", "open the interactive shell"},
	{"ostui [flags] -c COMMAND", "run one command and exit, e.g. -c '/server list -f json'"},
	{"COMMANDS | ostui [flags]", "run commands read from standard input, one per line"},
}

// usageLines are the Usage: section: the invocations, each visible
// subcommand, then --version.
func usageLines() []usageLine {
	lines := append([]usageLine(nil), invocations...)
	for _, s := range subcommands {
		if !s.hidden {
			lines = append(lines, usageLine{s.usage(), s.help})
		}
	}
	return append(lines, usageLine{"ostui --version", "print the version"})
}

// flagGroups are the global flags under their headings, in table order.
func flagGroups() (headings []string, byHeading map[string][]flagDef) {
	byHeading = map[string][]flagDef{}
	for _, f := range globalFlags {
		if _, seen := byHeading[f.group]; !seen {
			headings = append(headings, f.group)
		}
		byHeading[f.group] = append(byHeading[f.group], f)
	}
	return headings, byHeading
}

// usageText is `ostui --help`.
func usageText() string {
	var b strings.Builder
	b.WriteString(helpTitle + "\n\nUsage:\n")
	for _, l := range usageLines() {
		// A synopsis too long for the column gets a line of its own.
		if len(l.synopsis) > 32 {
			b.WriteString("  " + l.synopsis + "\n" + strings.Repeat(" ", 37) + l.help + "\n")
			continue
		}
		b.WriteString("  " + pad(l.synopsis, 35) + l.help + "\n")
	}
	b.WriteString("\n" + helpShellNote + "\n")
	headings, byHeading := flagGroups()
	for _, h := range headings {
		b.WriteString("\n" + h + "\n")
		for _, f := range byHeading[h] {
			b.WriteString("  " + pad(f.synopsis(), 31) + f.help + "\n")
		}
	}
	b.WriteString("\n" + helpConfig + "\n\n" + helpExit + "\n")
	return b.String()
}

func pad(s string, width int) string {
	if n := width - len([]rune(s)); n > 0 {
		return s + strings.Repeat(" ", n)
	}
	return s + " "
}
