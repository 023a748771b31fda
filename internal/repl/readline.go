package repl

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/ergochat/readline"
)

// lineEditor is the Editor backed by ergochat/readline.
type lineEditor struct {
	rl      *readline.Instance
	history *historyFile // nil without a history file
	stderr  io.Writer

	warnOnce sync.Once // a broken history file is reported once, not per line
}

// New builds an Editor on the terminal (or on cfg's streams). Emacs-style
// editing, Up/Down recall and Ctrl-R reverse history search come from
// readline; see Config for history rules.
func New(cfg Config) (Editor, error) {
	limit := cfg.HistoryLimit
	if limit == 0 {
		limit = DefaultHistoryLimit
	}
	rc := &readline.Config{
		Prompt: cfg.Prompt,
		// readline counts the line being edited as an entry too.
		HistoryLimit: limit + 1,
		// We decide what is remembered (see remember) and own the file.
		DisableAutoSaveHistory: true,
		// Ctrl-R is on by default in readline; folding case makes searching
		// for "Server" find "server list".
		HistorySearchFold: true,
		Stdout:            cfg.Stdout,
		Stderr:            cfg.Stderr,
	}
	if limit < 0 {
		rc.HistoryLimit = -1
	}
	if cfg.Completer != nil {
		rc.AutoComplete = autoCompleter{c: cfg.Completer}
	}
	if cfg.Stdin != nil {
		// readline puts file descriptor 0 into raw mode whatever Stdin is;
		// a substitute stream must leave the real terminal alone.
		rc.Stdin = cfg.Stdin
		rc.FuncIsTerminal = func() bool { return false }
		rc.FuncMakeRaw = func() error { return nil }
		rc.FuncExitRaw = func() error { return nil }
		rc.FuncOnWidthChanged = func(func()) {}
	}

	e := &lineEditor{stderr: cfg.Stderr}
	if e.stderr == nil {
		e.stderr = os.Stderr
	}
	var past []string
	if cfg.HistoryFile != "" && limit > 0 {
		h, lines, err := openHistory(cfg.HistoryFile, limit)
		if err != nil {
			return nil, err
		}
		e.history, past = h, lines
	}

	rl, err := readline.NewFromConfig(rc)
	if err != nil {
		err = fmt.Errorf("start line editor: %w", err)
		if e.history != nil {
			err = errors.Join(err, e.history.Close())
		}
		return nil, err
	}
	e.rl = rl
	for _, line := range past {
		// In memory only: the file already holds these lines.
		if err := rl.SaveToHistory(line); err != nil {
			return nil, errors.Join(fmt.Errorf("load history: %w", err), e.Close())
		}
	}
	return e, nil
}

// ReadLine implements Editor.
func (e *lineEditor) ReadLine() (string, error) {
	line, err := e.rl.ReadLine()
	switch {
	case errors.Is(err, readline.ErrInterrupt):
		return "", ErrInterrupt
	case errors.Is(err, io.EOF):
		return "", io.EOF
	case err != nil:
		return "", fmt.Errorf("read line: %w", err)
	}
	e.remember(line)
	return line, nil
}

// remember adds line to the session's recall list and the history file,
// unless keepInHistory says otherwise.
func (e *lineEditor) remember(line string) {
	if !keepInHistory(line) {
		// Saving an empty entry is readline's way to drop the line being
		// edited and reset Up/Down navigation without recording anything.
		_ = e.rl.SaveToHistory("")
		return
	}
	_ = e.rl.SaveToHistory(line) // in memory: cannot fail
	if e.history == nil {
		return
	}
	if err := e.history.Append(line); err != nil {
		e.warnOnce.Do(func() {
			fmt.Fprintf(e.stderr, "warning: history is not being saved: %v\n", err)
		})
	}
}

// Ask implements Editor: one answer, never recorded in history, with the
// shell's prompt restored afterwards.
func (e *lineEditor) Ask(prompt string) (string, error) {
	old := e.rl.GetConfig().Prompt
	e.rl.SetPrompt(prompt)
	defer e.rl.SetPrompt(old)
	line, err := e.rl.ReadLine()
	// Drop the answer from Up/Down recall as well.
	_ = e.rl.SaveToHistory("")
	switch {
	case errors.Is(err, readline.ErrInterrupt):
		return "", ErrInterrupt
	case errors.Is(err, io.EOF):
		return "", io.EOF
	case err != nil:
		return "", fmt.Errorf("read answer: %w", err)
	}
	return line, nil
}

// AskSecret reads one answer without echoing it (an API key typed into
// /login): never shown, never recorded in history.
func (e *lineEditor) AskSecret(prompt string) (string, error) {
	b, err := e.rl.ReadPassword(prompt)
	switch {
	case errors.Is(err, readline.ErrInterrupt):
		return "", ErrInterrupt
	case errors.Is(err, io.EOF):
		return "", io.EOF
	case err != nil:
		return "", fmt.Errorf("read answer: %w", err)
	}
	return string(b), nil
}

// SetPrompt implements Editor.
func (e *lineEditor) SetPrompt(prompt string) {
	e.rl.SetPrompt(prompt)
}

// Close implements Editor.
func (e *lineEditor) Close() error {
	err := e.rl.Close()
	if err != nil {
		err = fmt.Errorf("restore terminal: %w", err)
	}
	if e.history != nil {
		err = errors.Join(err, e.history.Close())
	}
	return err
}
