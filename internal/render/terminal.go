package render

import (
	"io"

	"github.com/kriscelmer/os-tui/internal/iostreams"
	"github.com/kriscelmer/os-tui/internal/termtext"
)

// stdout is where data goes: ios.Out, escaped when it is a terminal.
// Tables do not use it: they escape each cell before colouring it, and
// their own colour codes must reach the terminal.
func stdout(ios *iostreams.IOStreams) io.Writer {
	return terminalSafe(ios.Out, ios.IsStdoutTTY())
}

// terminalSafe returns w itself for a pipe or a file, so a script gets
// the cloud's text byte for byte, and a writer that escapes what a
// terminal would act on when w is one.
func terminalSafe(w io.Writer, tty bool) io.Writer {
	if !tty {
		return w
	}
	return safeWriter{w}
}

// safeWriter escapes each Write on its own. Every writer in this package
// hands over whole strings, so no character is split between two Writes
// (a split one would show escaped, never reach the terminal raw).
type safeWriter struct{ w io.Writer }

func (s safeWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(s.w, termtext.SafeMultiline(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}
