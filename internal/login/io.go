package login

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/charmbracelet/x/term"
)

// IO is where a login talks to the person: prompts and notes go to
// ErrOut (so stdout stays clean for scripts), answers come from In.
type IO struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	// HiddenLine, when set, reads one line without echoing it: the
	// shell sets it to its line editor's password mode. Nil means: hide
	// the input when In is a terminal, else read a plain line.
	HiddenLine func(prompt string) (string, error)
	// AskLine, when set, reads one visible line (the shell's editor).
	AskLine func(prompt string) (string, error)

	once   sync.Once
	reader *bufio.Reader
}

// ErrNoInput is an answer that never came: input ended before a line.
var ErrNoInput = errors.New("no input (standard input ended)")

func (o *IO) lineReader() *bufio.Reader {
	o.once.Do(func() {
		in := o.In
		if in == nil {
			in = strings.NewReader("")
		}
		o.reader = bufio.NewReader(in)
	})
	return o.reader
}

// terminalFD is In's descriptor when In is a terminal.
func (o *IO) terminalFD() (uintptr, bool) {
	f, ok := o.In.(*os.File)
	if !ok || f == nil {
		return 0, false
	}
	if !term.IsTerminal(f.Fd()) {
		return 0, false
	}
	return f.Fd(), true
}

// IsTerminal reports whether answers come from a person at a terminal.
func (o *IO) IsTerminal() bool {
	if o.HiddenLine != nil {
		return true
	}
	_, ok := o.terminalFD()
	return ok
}

// Line asks prompt and reads one visible line, trimmed.
func (o *IO) Line(prompt string) (string, error) {
	if o.AskLine != nil {
		s, err := o.AskLine(prompt)
		return strings.TrimSpace(s), err
	}
	fmt.Fprint(o.ErrOut, prompt)
	return o.readLine()
}

// Secret asks prompt and reads one line without echoing it. At a
// terminal echo is switched off; without one (a pipe, CI, a test) the
// line is read from In as it comes — and never written anywhere.
func (o *IO) Secret(prompt string) (string, error) {
	if o.HiddenLine != nil {
		s, err := o.HiddenLine(prompt)
		return strings.TrimSpace(s), err
	}
	fmt.Fprint(o.ErrOut, prompt)
	if fd, ok := o.terminalFD(); ok {
		b, err := term.ReadPassword(fd)
		fmt.Fprintln(o.ErrOut)
		if err != nil {
			return "", fmt.Errorf("read hidden input: %w", err)
		}
		return strings.TrimSpace(string(b)), nil
	}
	s, err := o.readLine()
	// The prompt ended without the newline a terminal would echo.
	fmt.Fprintln(o.ErrOut)
	return s, err
}

func (o *IO) readLine() (string, error) {
	line, err := o.lineReader().ReadString('\n')
	if err != nil && line == "" {
		if errors.Is(err, io.EOF) {
			return "", ErrNoInput
		}
		return "", err
	}
	return strings.TrimSpace(line), nil
}
