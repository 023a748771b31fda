// Package iostreams decides, in one place, where ostui reads and writes and
// how it should look there: whether stdin/stdout are terminals, whether
// colour is wanted and how wide the terminal is. Commands and renderers ask
// an *IOStreams instead of probing os.Stdout themselves, so tests can swap
// in buffers and pretend to be a terminal.
package iostreams

import (
	"bytes"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/charmbracelet/x/term"
)

// DefaultWidth is the terminal width assumed when it cannot be measured
// (output piped, size query failed, COLUMNS unset).
const DefaultWidth = 80

// IOStreams holds the standard streams and what is known about them.
// The zero value is usable: no TTYs, no colour, DefaultWidth.
type IOStreams struct {
	// In is where input is read from (stdin).
	In io.Reader
	// Out receives results (stdout).
	Out io.Writer
	// ErrOut receives diagnostics and progress (stderr).
	ErrOut io.Writer

	stdinTTY     bool
	stdoutTTY    bool
	stderrTTY    bool
	colorEnabled bool

	// width, when positive, is a fixed width (COLUMNS or SetWidth).
	width int
	// measure asks the terminal for its width; it is consulted on every
	// TerminalWidth call so a resized window is noticed in a long session.
	measure func() (int, bool)
}

// System returns streams bound to the process's stdin, stdout and stderr,
// with TTY, colour and width detected from the terminal and environment.
func System() *IOStreams {
	stdoutTTY := isTerminal(os.Stdout)
	s := &IOStreams{
		In:        os.Stdin,
		Out:       os.Stdout,
		ErrOut:    os.Stderr,
		stdinTTY:  isTerminal(os.Stdin),
		stdoutTTY: stdoutTTY,
		stderrTTY: isTerminal(os.Stderr),
	}
	s.colorEnabled = colorWanted(stdoutTTY, os.Getenv)
	if w, ok := columnsFromEnv(os.Getenv); ok {
		s.width = w
	} else if stdoutTTY {
		fd := os.Stdout.Fd()
		s.measure = func() (int, bool) {
			w, _, err := term.GetSize(fd)
			return w, err == nil && w > 0
		}
	}
	return s
}

// Test returns streams backed by buffers: in, out and errOut. Nothing is a
// TTY, colour is off and the width is DefaultWidth until a setter says
// otherwise.
func Test() (*IOStreams, *bytes.Buffer, *bytes.Buffer, *bytes.Buffer) {
	in, out, errOut := &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	return &IOStreams{In: in, Out: out, ErrOut: errOut}, in, out, errOut
}

// IsStdinTTY reports whether input comes from a terminal (so prompting is
// possible).
func (s *IOStreams) IsStdinTTY() bool { return s.stdinTTY }

// IsStdoutTTY reports whether output goes to a terminal (so it may be
// fitted to the width and decorated).
func (s *IOStreams) IsStdoutTTY() bool { return s.stdoutTTY }

// IsStderrTTY reports whether diagnostics go to a terminal.
func (s *IOStreams) IsStderrTTY() bool { return s.stderrTTY }

// ColorEnabled reports whether ANSI colour may be written to Out.
func (s *IOStreams) ColorEnabled() bool { return s.colorEnabled }

// TerminalWidth returns the width of the output terminal in cells: a fixed
// width if one was set (COLUMNS, SetWidth), else the measured width, else
// DefaultWidth.
func (s *IOStreams) TerminalWidth() int {
	if s.width > 0 {
		return s.width
	}
	if s.measure != nil {
		if w, ok := s.measure(); ok {
			return w
		}
	}
	return DefaultWidth
}

// SetStdinTTY overrides whether stdin counts as a terminal.
func (s *IOStreams) SetStdinTTY(v bool) { s.stdinTTY = v }

// SetStdoutTTY overrides whether stdout counts as a terminal.
func (s *IOStreams) SetStdoutTTY(v bool) { s.stdoutTTY = v }

// SetStderrTTY overrides whether stderr counts as a terminal.
func (s *IOStreams) SetStderrTTY(v bool) { s.stderrTTY = v }

// SetColorEnabled turns colour on or off, e.g. for a --no-color flag.
func (s *IOStreams) SetColorEnabled(v bool) { s.colorEnabled = v }

// SetWidth fixes the terminal width; a value <= 0 returns to measuring.
func (s *IOStreams) SetWidth(w int) { s.width = w }

// ColorScheme returns colour helpers that honour ColorEnabled.
func (s *IOStreams) ColorScheme() *ColorScheme { return NewColorScheme(s.colorEnabled) }

func isTerminal(f *os.File) bool {
	return f != nil && term.IsTerminal(f.Fd())
}

// colorWanted applies the conventions users expect: NO_COLOR (any
// non-empty value) always wins, because it is the user's explicit "never";
// CLICOLOR_FORCE (non-empty, not "0") turns colour on even when piped, e.g.
// into `less -R`; otherwise colour needs a terminal that is not "dumb".
func colorWanted(stdoutTTY bool, getenv func(string) string) bool {
	if getenv("NO_COLOR") != "" {
		return false
	}
	if f := getenv("CLICOLOR_FORCE"); f != "" && f != "0" {
		return true
	}
	return stdoutTTY && getenv("TERM") != "dumb"
}

// columnsFromEnv reads COLUMNS, which users and test harnesses set to fix
// the width regardless of the terminal.
func columnsFromEnv(getenv func(string) string) (int, bool) {
	v := strings.TrimSpace(getenv("COLUMNS"))
	if v == "" {
		return 0, false
	}
	w, err := strconv.Atoi(v)
	if err != nil || w <= 0 {
		return 0, false
	}
	return w, true
}
