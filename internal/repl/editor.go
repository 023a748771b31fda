package repl

import (
	"errors"
	"io"
)

// ErrInterrupt is returned by Editor.ReadLine when the user presses Ctrl-C at
// the prompt. The partly typed line is discarded.
var ErrInterrupt = errors.New("interrupt")

// Editor reads one edited line at a time from the user.
type Editor interface {
	// ReadLine shows the prompt and returns the line the user entered, without
	// its trailing newline. It returns ErrInterrupt on Ctrl-C (the line is
	// discarded) and io.EOF on Ctrl-D on an empty line or at end of input.
	ReadLine() (string, error)
	// Ask shows prompt and reads one answer (an approval, a missing
	// argument). Answers are never recorded in history. Errors are those
	// of ReadLine.
	Ask(prompt string) (string, error)
	// SetPrompt replaces the prompt shown by the next ReadLine.
	SetPrompt(prompt string)
	// Close restores the terminal and flushes history. It interrupts a
	// ReadLine in progress, which then returns io.EOF.
	Close() error
}

// Completer proposes completions for the word under the cursor.
type Completer interface {
	// Complete returns whole-word candidates for the word ending at pos in
	// line, and how many runes before pos they replace. pos counts runes, not
	// bytes. A candidate that does not start with those replaced runes cannot
	// be offered by the terminal editor and is dropped; a candidate may end in
	// a space to finish the word.
	Complete(line string, pos int) (candidates []string, replace int)
}

// DefaultHistoryLimit is the number of history entries kept when
// Config.HistoryLimit is zero.
const DefaultHistoryLimit = 1000

// Config describes an Editor built by New.
type Config struct {
	// Prompt is shown before each line; Loop replaces it before every read.
	Prompt string
	// HistoryFile is where entered lines persist across sessions. It is
	// created with mode 0600 (and tightened to 0600 if it exists with looser
	// permissions); missing parent directories are created 0700, because
	// commands typed into a cloud shell can name projects, hosts and, by
	// accident, secrets. "" keeps history for this session only.
	//
	// Lines that begin with a space or tab are never stored, neither in the
	// file nor in the session's recall list: this is the shell convention
	// (bash's HISTCONTROL=ignorespace) for keeping a secret out of history.
	HistoryFile string
	// HistoryLimit caps the entries kept in memory and in HistoryFile;
	// 0 means DefaultHistoryLimit and a negative value disables history.
	HistoryLimit int
	// Completer, if set, is consulted when the user presses Tab.
	Completer Completer
	// Stdin, Stdout and Stderr replace the process's standard streams, for
	// tests. A non-nil Stdin is treated as a plain stream, not a terminal: no
	// raw mode, no prompt drawing, no line editing beyond control keys. The
	// caller keeps ownership: Close does not close Stdin.
	Stdin  io.ReadCloser
	Stdout io.Writer
	Stderr io.Writer
}
