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
// channel they write to.
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
	// Interrupts, if set, replaces the SIGINT subscription made around each
	// handler call.
	Interrupts Interrupts
}

// Run reads and handles lines until Ctrl-D on an empty line (or end of
// input), a handler asking to quit, or ctx ending; the first two return nil.
//
// Ctrl-C never ends the loop. At the prompt the editor sees it as a key and
// the typed line is dropped. While a handler runs the terminal is in normal
// mode, so Ctrl-C arrives as SIGINT: Run catches it for the duration of the
// call, cancels only that handler's context (every further Ctrl-C in the same
// call does the same, harmlessly), prints "cancelled" once the handler has
// returned, and shows the prompt again.
func (l *Loop) Run(ctx context.Context) error {
	if l.Editor == nil || l.Handle == nil {
		return errors.New("repl loop needs an Editor and a Handle function")
	}
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
		if l.handle(ctx, line) {
			return nil
		}
	}
}

// handle runs one line with Ctrl-C turned into cancellation and reports the
// outcome. It returns true when the handler asked to quit.
func (l *Loop) handle(ctx context.Context, line string) (quit bool) {
	hctx, cancel := context.WithCancel(ctx)
	defer cancel()

	interrupts := l.Interrupts
	if interrupts == nil {
		interrupts = osInterrupts
	}
	sigs, stop := interrupts()
	done := make(chan struct{})
	interrupted := make(chan bool, 1)
	go func() {
		seen := false
		defer func() { interrupted <- seen }()
		for {
			select {
			case <-sigs:
				// Keep draining after the first one: a second Ctrl-C in the
				// same call must not fall through to the default action.
				seen = true
				cancel()
			case <-done:
				return
			}
		}
	}()

	quit, err := l.Handle(hctx, line)
	close(done)
	stop()
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

// osInterrupts subscribes to SIGINT for one handler call. Stopping restores
// the previous disposition (the default: terminate), which is what we want at
// the prompt, where the terminal is raw and Ctrl-C is a key, not a signal.
func osInterrupts() (<-chan os.Signal, func()) {
	c := make(chan os.Signal, 2)
	signal.Notify(c, os.Interrupt)
	return c, func() { signal.Stop(c) }
}
