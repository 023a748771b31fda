package cli

import "strings"

// manPage is `ostui man`: the --help text typeset as a roff manual page
// (section 1). `make man` writes it to docs/ostui.1. It carries no version
// or date, so the committed page changes only when the words do.
func manPage() string {
	var b strings.Builder
	title, summary, _ := strings.Cut(helpTitle, " — ")
	b.WriteString(".TH OSTUI 1 \"\" \"ostui\" \"User Commands\"\n")
	b.WriteString(".SH NAME\n" + roff(title) + " \\- " + roff(summary) + "\n")

	b.WriteString(".SH SYNOPSIS\n")
	for i, l := range usageLines() {
		if i > 0 {
			b.WriteString(".br\n")
		}
		b.WriteString(".B " + roff(l.synopsis) + "\n")
	}

	b.WriteString(".SH DESCRIPTION\n")
	for _, l := range invocations {
		b.WriteString(".TP\n.B " + roff(l.synopsis) + "\n" + roff(l.help) + "\n")
	}
	b.WriteString(".PP\n" + roff(helpShellNote) + "\n")

	b.WriteString(".SH OPTIONS\n")
	headings, byHeading := flagGroups()
	for _, h := range headings {
		b.WriteString(".SS " + roff(strings.TrimSuffix(h, ":")) + "\n")
		for _, f := range byHeading[h] {
			manFlag(&b, f)
		}
	}

	b.WriteString(".SH COMMANDS\n")
	for _, s := range subcommands {
		if s.hidden {
			continue
		}
		b.WriteString(".SS " + roff(s.usage()) + "\n" + roff(s.help) + "\n")
		for _, f := range s.flags {
			manFlag(&b, f)
		}
	}

	b.WriteString(".SH FILES\n" + roff(strings.ReplaceAll(strings.TrimPrefix(helpConfig, "Configuration: "), "\n", " ")) + "\n")
	b.WriteString(".SH EXIT STATUS\n" + roff(strings.TrimPrefix(helpExit, "Exit codes: ")) + "\n")
	return b.String()
}

func manFlag(b *strings.Builder, f flagDef) {
	b.WriteString(".TP\n.B " + roff(f.synopsis()) + "\n" + roff(f.help) + "\n")
}

// roff escapes text for a roff line: backslashes, hyphens (so they stay
// hyphens, not typographic dashes), and a leading dot or quote that roff
// would read as a request.
func roff(s string) string {
	s = strings.ReplaceAll(s, `\`, `\e`)
	s = strings.ReplaceAll(s, "-", `\-`)
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "'") {
		s = `\&` + s
	}
	return s
}
