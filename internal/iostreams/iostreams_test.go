package iostreams

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestColorWanted(t *testing.T) {
	tests := []struct {
		name string
		tty  bool
		env  map[string]string
		want bool
	}{
		{"tty", true, map[string]string{"TERM": "xterm-256color"}, true},
		{"tty no TERM", true, nil, true},
		{"piped", false, map[string]string{"TERM": "xterm"}, false},
		{"dumb terminal", true, map[string]string{"TERM": "dumb"}, false},
		{"NO_COLOR", true, map[string]string{"NO_COLOR": "1"}, false},
		{"empty NO_COLOR is unset", true, map[string]string{"NO_COLOR": ""}, true},
		{"CLICOLOR_FORCE piped", false, map[string]string{"CLICOLOR_FORCE": "1"}, true},
		{"CLICOLOR_FORCE dumb", true, map[string]string{"CLICOLOR_FORCE": "1", "TERM": "dumb"}, true},
		{"CLICOLOR_FORCE=0", false, map[string]string{"CLICOLOR_FORCE": "0"}, false},
		{"NO_COLOR beats CLICOLOR_FORCE", true, map[string]string{"CLICOLOR_FORCE": "1", "NO_COLOR": "1"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := colorWanted(tt.tty, env(tt.env)); got != tt.want {
				t.Errorf("colorWanted(%v, %v) = %v, want %v", tt.tty, tt.env, got, tt.want)
			}
		})
	}
}

func TestColumnsFromEnv(t *testing.T) {
	tests := []struct {
		val   string
		want  int
		wantK bool
	}{
		{"", 0, false},
		{"120", 120, true},
		{" 100 ", 100, true},
		{"0", 0, false},
		{"-3", 0, false},
		{"wide", 0, false},
	}
	for _, tt := range tests {
		w, ok := columnsFromEnv(env(map[string]string{"COLUMNS": tt.val}))
		if w != tt.want || ok != tt.wantK {
			t.Errorf("COLUMNS=%q: got (%d, %v), want (%d, %v)", tt.val, w, ok, tt.want, tt.wantK)
		}
	}
}

func TestTestStreams(t *testing.T) {
	ios, in, out, errOut := Test()
	if ios.IsStdoutTTY() || ios.IsStdinTTY() || ios.IsStderrTTY() || ios.ColorEnabled() {
		t.Fatal("Test() streams must start as non-TTY without colour")
	}
	if got := ios.TerminalWidth(); got != DefaultWidth {
		t.Errorf("TerminalWidth() = %d, want %d", got, DefaultWidth)
	}
	in.WriteString("hi")
	buf := make([]byte, 2)
	if _, err := ios.In.Read(buf); err != nil || string(buf) != "hi" {
		t.Errorf("In did not read from the in buffer: %q, %v", buf, err)
	}
	if _, err := ios.Out.Write([]byte("o")); err != nil {
		t.Fatal(err)
	}
	if _, err := ios.ErrOut.Write([]byte("e")); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"o", "e"}, []string{out.String(), errOut.String()}); diff != "" {
		t.Errorf("buffers (-want +got):\n%s", diff)
	}

	ios.SetStdoutTTY(true)
	ios.SetStdinTTY(true)
	ios.SetStderrTTY(true)
	ios.SetColorEnabled(true)
	ios.SetWidth(132)
	got := []any{ios.IsStdoutTTY(), ios.IsStdinTTY(), ios.IsStderrTTY(), ios.ColorEnabled(), ios.TerminalWidth()}
	if diff := cmp.Diff([]any{true, true, true, true, 132}, got); diff != "" {
		t.Errorf("after setters (-want +got):\n%s", diff)
	}
	ios.SetWidth(0)
	if got := ios.TerminalWidth(); got != DefaultWidth {
		t.Errorf("SetWidth(0) should fall back to %d, got %d", DefaultWidth, got)
	}
}

func TestTerminalWidthMeasured(t *testing.T) {
	ios := &IOStreams{}
	width, ok := 100, true
	ios.measure = func() (int, bool) { return width, ok }
	if got := ios.TerminalWidth(); got != 100 {
		t.Errorf("measured width = %d, want 100", got)
	}
	// A resize between calls must be noticed.
	width = 60
	if got := ios.TerminalWidth(); got != 60 {
		t.Errorf("after resize width = %d, want 60", got)
	}
	ok = false
	if got := ios.TerminalWidth(); got != DefaultWidth {
		t.Errorf("failed measurement width = %d, want %d", got, DefaultWidth)
	}
	ios.SetWidth(42)
	if got := ios.TerminalWidth(); got != 42 {
		t.Errorf("fixed width = %d, want 42", got)
	}
}

func TestSystemHonoursEnv(t *testing.T) {
	t.Setenv("COLUMNS", "123")
	t.Setenv("NO_COLOR", "1")
	ios := System()
	if got := ios.TerminalWidth(); got != 123 {
		t.Errorf("TerminalWidth() with COLUMNS=123 = %d", got)
	}
	if ios.ColorEnabled() {
		t.Error("NO_COLOR=1 must disable colour")
	}
	if ios.In == nil || ios.Out == nil || ios.ErrOut == nil {
		t.Error("System() must set all three streams")
	}
}

func TestColorScheme(t *testing.T) {
	on, off := NewColorScheme(true), NewColorScheme(false)
	fns := map[string][2]func(string) string{
		"Green":  {on.Green, off.Green},
		"Red":    {on.Red, off.Red},
		"Yellow": {on.Yellow, off.Yellow},
		"Cyan":   {on.Cyan, off.Cyan},
		"Bold":   {on.Bold, off.Bold},
		"Faint":  {on.Faint, off.Faint},
	}
	want := map[string]string{
		"Green":  "\x1b[32mok\x1b[0m",
		"Red":    "\x1b[31mok\x1b[0m",
		"Yellow": "\x1b[33mok\x1b[0m",
		"Cyan":   "\x1b[36mok\x1b[0m",
		"Bold":   "\x1b[1mok\x1b[0m",
		"Faint":  "\x1b[2mok\x1b[0m",
	}
	for name, f := range fns {
		if got := f[0]("ok"); got != want[name] {
			t.Errorf("%s on = %q, want %q", name, got, want[name])
		}
		if got := f[1]("ok"); got != "ok" {
			t.Errorf("%s off = %q, want plain text", name, got)
		}
		if got := f[0](""); got != "" {
			t.Errorf("%s on empty = %q, want empty", name, got)
		}
	}
	ios, _, _, _ := Test()
	if ios.ColorScheme().Enabled() {
		t.Error("scheme of a non-colour stream must be disabled")
	}
}
