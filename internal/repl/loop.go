package repl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
)

// Handler runs one entered line. ctx is cancelled when the user presses
// Ctrl-C while the handler runs; a handler should return promptly then.
// Returning quit ends the loop.
type Handler func(ctx context.Context, line string) (quit bool, err error)

// Interrupts starts delivering Ctrl-C (SIGINT) notifications on the returned
// channel until stop is called. The default uses os/signal; tests pass a
// channel they write to, so no real signal is needed.
type Interrupts func() (c <-chan os.Signal, stop func())

// Loop is the read–handle cycle of the shell. Fill in the fields and call Run.
type Loop struct {
	// Editor reads lines. Required.
	Editor Editor
	// Handle runs each non-blank line, trimmed of surrounding space. Required.
	Handle Handler
	// Prompt, if set, is asked for the prompt before every read, so the
	// prompt can show the current cloud or project.
	Prompt func() string
	// ErrOut receives "cancelled" and, unless OnError is set, handler errors.
	// nil means os.Stderr.
	ErrOut io.Writer
	// OnError, if set, reports a handler error instead of the default
	// "error: <err>" line on ErrOut, so the caller can map errors to advice.
	// It is not called for the context.Canceled that follows a Ctrl-C.
	OnError func(err error)
	// Interrupts, if set, replaces the SIGINT subscription Run holds while
	// it runs.
	Interrupts Interrupts
}

// Run reads and handles lines until Ctrl-D on an empty line (or end of
// input), a handler asking to quit, or ctx ending; the first two return nil.
//
// Ctrl-C never ends the loop. At the prompt the terminal is in raw mode, the
// editor sees Ctrl-C as a key and drops the typed line. While a handler runs
// the terminal is in normal mode, so Ctrl-C arrives as SIGINT: it cancels only
// that handler's context (a second Ctrl-C in the same call does the same,
// harmlessly), "cancelled" is printed once the handler has returned, and the
// prompt comes back.
//
// SIGINT is caught for the whole of Run, not only around each handler call:
// a Ctrl-C pressed just as a command finishes, before the editor has put the
// terminal back in raw mode, would otherwise hit the default action and kill
// the shell. Such a late SIGINT is discarded rather than cancelling the next
// command. The previous signal handling is restored when Run returns.
func (l *Loop) Run(ctx context.Context) error {
	if l.Editor == nil || l.Handle == nil {
		return errors.New("repl loop needs an Editor and a Handle function")
	}
	interrupts := l.Interrupts
	if interrupts == nil {
		interrupts = osInterrupts
	}
	sigs, stop := interrupts()
	defer stop()

	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		if l.Prompt != nil {
			l.Editor.SetPrompt(l.Prompt())
		}
		line, err := l.Editor.ReadLine()
		switch {
		case errors.Is(err, ErrInterrupt):
			continue
		case errors.Is(err, io.EOF):
			return nil
		case err != nil:
			return fmt.Errorf("read command: %w", err)
		}
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if l.handle(ctx, line, sigs) {
			return nil
		}
	}
}

// handle runs one line with Ctrl-C turned into cancellation and reports the
// outcome. It returns true when the handler asked to quit.
func (l *Loop) handle(ctx context.Context, line string, sigs <-chan os.Signal) (quit bool) {
	discard(sigs)
	hctx, cancel := context.WithCancel(ctx)
	defer cancel()

	done := make(chan struct{})
	interrupted := make(chan bool, 1)
	go func() {
		seen := false
		defer func() { interrupted <- seen }()
		for {
			select {
			case <-sigs:
				// Keep receiving after the first one so a second Ctrl-C
				// is one more cancel, never a surprise.
				seen = true
				cancel()
			case <-done:
				return
			}
		}
	}()

	quit, err := l.Handle(hctx, line)
	close(done)
	cancelled := <-interrupted

	if cancelled {
		fmt.Fprintln(l.errOut(), "cancelled")
		if errors.Is(err, context.Canceled) {
			err = nil // the user knows; "cancelled" said it
		}
	}
	if err != nil && ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		err = nil // the whole loop is ending; Run returns ctx.Err() itself
	}
	if err != nil {
		l.report(err)
	}
	return quit
}

// discard drops interrupts that arrived while no command was running: they
// were meant for a command that has already finished, not the next one.
func discard(sigs <-chan os.Signal) {
	for {
		select {
		case <-sigs:
		default:
			return
		}
	}
}

func (l *Loop) report(err error) {
	if l.OnError != nil {
		l.OnError(err)
		return
	}
	fmt.Fprintf(l.errOut(), "error: %v\n", err)
}

func (l *Loop) errOut() io.Writer {
	if l.ErrOut == nil {
		return os.Stderr
	}
	return l.ErrOut
}

// osInterrupts subscribes to SIGINT; stop restores the previous disposition.
func osInterrupts() (<-chan os.Signal, func()) {
	c := make(chan os.Signal, 2)
	signal.Notify(c, os.Interrupt)
	return c, func() { signal.Stop(c) }
}
