package markdown

import (
	"strings"
	"testing"

	"github.com/kriscelmer/os-tui/internal/iostreams"
	"github.com/kriscelmer/os-tui/internal/termtext"
)

// TestEscapedTextStaysInert renders cloud text escaped by termtext
// through glamour, the way the plan review does, and checks that no
// control character comes out. It pins what termtext.Markdown relies on
// in glamour: "&#27;" is decoded to a real ESC unless '&' is written
// "&amp;", and a backslash before '&' does not stop it.
func TestEscapedTextStaysInert(t *testing.T) {
	hostile := []string{
		"\x1b]0;pwned\a",
		"&#27;]0;pwned&#7;",
		"&#x1b;[31mred",
		"&#155;2J",
		`\&#27;[2J`,
		"`&#27;` **x** [a](http://b) <img src=x>",
		"\u009b2J\x9b2J\u202eevil",
		"- list\n# heading",
	}
	// Colour off: glamour's "notty" style writes no escape sequences of
	// its own, so any that appear came from the text.
	ios, _, out, _ := iostreams.Test()
	ios.SetStdoutTTY(true)
	for _, h := range hostile {
		for _, md := range []string{"step: " + termtext.Markdown(h), "- request " + termtext.MarkdownCode(h)} {
			out.Reset()
			if err := Render(ios, md); err != nil {
				t.Fatal(err)
			}
			if strings.ContainsAny(out.String(), "\x1b\a\u009b\u202e") {
				t.Errorf("%q rendered as %q: control characters reached the terminal", md, out.String())
			}
		}
	}
	// Escaped text must still read as written.
	const written = "R&D **b** #1 ~x~ ~~y~~ a_b"
	for _, md := range []string{"x " + termtext.Markdown(written), "- " + termtext.Markdown("~ net"), "x " + termtext.MarkdownCode(written)} {
		out.Reset()
		if err := Render(ios, md); err != nil {
			t.Fatal(err)
		}
		want := written
		if strings.HasPrefix(md, "- ") {
			want = "~ net"
		}
		if !strings.Contains(out.String(), want) {
			t.Errorf("%q rendered as %q, want it to read %s", md, out.String(), want)
		}
	}
	// The first check would pass if nothing rendered at all: the
	// unescaped reference must come out as ESC.
	out.Reset()
	if err := Render(ios, "step: &#27;[31m"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "\x1b") {
		t.Errorf("glamour no longer decodes &#27; (got %q); termtext.Markdown's '&' rule may be loosened", out.String())
	}
}
