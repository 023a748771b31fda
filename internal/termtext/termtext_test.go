package termtext

import (
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

func TestSafe(t *testing.T) {
	tests := []struct {
		name, in, one, multi string
	}{
		{"empty", "", "", ""},
		{"plain", "web-1", "web-1", "web-1"},
		{"unicode text passes", "データ é e\u0301 \uFFFD", "データ é e\u0301 \uFFFD", "データ é e\u0301 \uFFFD"},
		{"ESC", "evil\x1b[31mred", `evil\x1b[31mred`, `evil\x1b[31mred`},
		{"OSC title with BEL", "\x1b]0;pwned\a", `\x1b]0;pwned\x07`, `\x1b]0;pwned\x07`},
		{"NUL", "a\x00b", `a\x00b`, `a\x00b`},
		{"newline", "two\nlines", `two\x0alines`, "two\nlines"},
		{"tab", "a\tb", `a\x09b`, "a\tb"},
		{"carriage return overwrites a line", "ok\rEVIL", `ok\x0dEVIL`, `ok\x0dEVIL`},
		{"CRLF", "x\r\n", `x\x0d\x0a`, "x\\x0d\n"},
		{"unit separator", "a\x1fb", `a\x1fb`, `a\x1fb`},
		{"DEL", "del\x7f", `del\x7f`, `del\x7f`},
		{"C1 CSI as a rune", "c1\u009b31m", `c1\u009b31m`, `c1\u009b31m`},
		{"C1 first and last", "\u0080\u009f", `\u0080\u009f`, `\u0080\u009f`},
		{"after C1 is text", "\u00a0nbsp", "\u00a0nbsp", "\u00a0nbsp"},
		{"raw CSI byte", "csi\x9b31m", `csi\x9b31m`, `csi\x9b31m`},
		{"invalid byte", "bad\xffbyte", `bad\xffbyte`, `bad\xffbyte`},
		{"truncated rune", "cut\xe3\x83", `cut\xe3\x83`, `cut\xe3\x83`},
		{"right-to-left override", "file\u202egpj.exe", `file\u202egpj.exe`, `file\u202egpj.exe`},
		{"bidi embedding and pop", "\u202a\u202b\u202c\u202d", `\u202a\u202b\u202c\u202d`, `\u202a\u202b\u202c\u202d`},
		{"bidi isolates", "\u2066\u2067\u2068\u2069", `\u2066\u2067\u2068\u2069`, `\u2066\u2067\u2068\u2069`},
		{"bidi marks pass", "\u200e\u200f", "\u200e\u200f", "\u200e\u200f"},
		{"neighbours of bidi controls pass", "\u2029\u202f\u2065\u206a", "\u2029\u202f\u2065\u206a", "\u2029\u202f\u2065\u206a"},
		{"escape at the end", "end\x1b", `end\x1b`, `end\x1b`},
		{"backslash passes", `a\x1b`, `a\x1b`, `a\x1b`},
	}
	// In parallel: under -race this fails if escaping ever gains shared
	// state (a cache, a pooled buffer) that is not safe for the many
	// goroutines of a session (the model's stream, progress, renderer).
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.one, Safe(tt.in)); diff != "" {
				t.Errorf("Safe(%q) (-want +got):\n%s", tt.in, diff)
			}
			if diff := cmp.Diff(tt.multi, SafeMultiline(tt.in)); diff != "" {
				t.Errorf("SafeMultiline(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestMarkdown(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "web-1", "web-1"},
		{"emphasis and code", "**b** `c` _i_", "\\*\\*b\\*\\* \\`c\\` \\_i\\_"},
		{"link", "[x](http://e)", `\[x\](http://e)`},
		{"html", "<b>", `\<b\>`},
		{"heading and table", "# a | b", `\# a \| b`},
		{"strikethrough", "~~x~~", "&#126;&#126;x&#126;&#126;"},
		{"character reference", "&#27;[31m", `&amp;\#27;\[31m`},
		{"ampersand", "R&D", "R&amp;D"},
		{"backslash", `a\b`, `a\\b`},
		{"control escapes keep their backslash", "a\x1b", `a\\x1b`},
		{"newline cannot start a block", "a\n# b", `a\\x0a\# b`},
		{"leading dash", "- x", `\- x`},
		{"leading plus", "+x", `\+x`},
		{"leading equals", "===", `\===`},
		{"ordered list", "12. x", `12\. x`},
		{"ordered list paren", "1) x", `1\) x`},
		{"digits alone", "12", "12"},
		{"inner dash", "a - b", "a - b"},
		{"unicode", "データ", "データ"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, Markdown(tt.in)); diff != "" {
				t.Errorf("Markdown(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestMarkdownCode(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "GET /servers", "`GET /servers`"},
		{"one backtick", "a`b", "`` a`b ``"},
		{"a run of two", "a``b`", "``` a``b` ```"},
		{"leading backtick", "`x", "`` `x ``"},
		{"spaces both sides", " x ", "`  x  `"},
		{"space one side", " x", "` x`"},
		{"control", "a\x1bb", "`a\\x1bb`"},
		{"reference cannot decode", "&#27;", "`&amp;#27;`"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, MarkdownCode(tt.in)); diff != "" {
				t.Errorf("MarkdownCode(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

// TestCleanTextIsNotCopied guards the promise callers rely on when they
// run every table cell through Safe: clean text costs no allocation.
func TestCleanTextIsNotCopied(t *testing.T) {
	for _, s := range []string{"web-1", "データ e\u0301", "two\nlines\tx"} {
		if n := testing.AllocsPerRun(10, func() { _ = SafeMultiline(s) }); n != 0 {
			t.Errorf("SafeMultiline(%q) allocates %v times, want 0", s, n)
		}
	}
	for _, s := range []string{"web-1", "データ e\u0301"} {
		if n := testing.AllocsPerRun(10, func() { _ = Safe(s) }); n != 0 {
			t.Errorf("Safe(%q) allocates %v times, want 0", s, n)
		}
		if n := testing.AllocsPerRun(10, func() { _ = Markdown(s) }); n != 0 {
			t.Errorf("Markdown(%q) allocates %v times, want 0", s, n)
		}
	}
}

// unsafeIn returns what in out a terminal could act on, or "".
func unsafeIn(out string, keepLayout bool) string {
	if !utf8.ValidString(out) {
		return "invalid UTF-8"
	}
	for _, r := range out {
		switch {
		case keepLayout && (r == '\n' || r == '\t'):
		case r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f:
			return "control " + strconv.QuoteRune(r)
		case r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069:
			return "bidi control"
		}
	}
	return ""
}

func FuzzSafe(f *testing.F) {
	for _, s := range []string{"", "web-1", "\x1b[31m", "\u009b", "\x9b", "a\r\nb\t", "\u202e", "\xe3\x83", "データ", "&#27;", "``"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		one := Safe(s)
		if why := unsafeIn(one, false); why != "" {
			t.Errorf("Safe(%q) = %q: %s", s, one, why)
		}
		if why := unsafeIn(SafeMultiline(s), true); why != "" {
			t.Errorf("SafeMultiline(%q) = %q: %s", s, SafeMultiline(s), why)
		}
		if md := Markdown(s); unsafeIn(md, false) != "" || strings.Contains(md, "&#") {
			t.Errorf("Markdown(%q) = %q: unsafe", s, md)
		}
		if code := MarkdownCode(s); unsafeIn(code, false) != "" {
			t.Errorf("MarkdownCode(%q) = %q: unsafe", s, code)
		}
		if one == s && firstUnsafe(s, false) >= 0 {
			t.Errorf("Safe(%q) returned unsafe text unchanged", s)
		}
		// Escaping is the identity on text that needs none, so applying
		// it twice changes nothing more.
		if twice := Safe(one); twice != one {
			t.Errorf("Safe is not idempotent on %q: %q then %q", s, one, twice)
		}
	})
}

func BenchmarkSafe(b *testing.B) {
	inputs := map[string]string{
		"clean ascii":   "web-server-01.example.org ACTIVE m1.small",
		"clean unicode": "サーバー データ café e\u0301",
		"one escape":    "web-server-01\x1b[31m.example.org",
		"hostile":       strings.Repeat("\x1b[31m\u009b\xff\u202e", 8),
	}
	for name, s := range inputs {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(s)))
			for b.Loop() {
				_ = SafeMultiline(s)
			}
		})
	}
}
