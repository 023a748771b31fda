package repl

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// read is one scripted result of fakeEditor.ReadLine.
type read struct {
	line string
	err  error
}

// fakeEditor replays reads and then reports end of input.
type fakeEditor struct {
	reads   []read
	prompts []string
}

func (f *fakeEditor) ReadLine() (string, error) {
	if len(f.reads) == 0 {
		return "", io.EOF
	}
	r := f.reads[0]
	f.reads = f.reads[1:]
	return r.line, r.err
}

func (f *fakeEditor) SetPrompt(p string) { f.prompts = append(f.prompts, p) }

func (f *fakeEditor) Ask(string) (string, error) { return f.ReadLine() }
func (f *fakeEditor) Close() error               { return nil }

// noInterrupts keeps tests away from the process's real signal handling.
func noInterrupts() (<-chan os.Signal, func()) { return nil, func() {} }

func TestLoopRun(t *testing.T) {
	errRead := errors.New("terminal gone")
	tests := []struct {
		name        string
		reads       []read
		wantHandled []string
		wantErrOut  string
		wantErr     error
	}{
		{
			name:        "handles trimmed lines until end of input",
			reads:       []read{{line: "server list"}, {line: "   "}, {line: ""}, {line: "  flavor list \t"}},
			wantHandled: []string{"server list", "flavor list"},
		},
		{
			name:        "ctrl-c at the prompt shows a fresh prompt",
			reads:       []read{{err: ErrInterrupt}, {err: ErrInterrupt}, {line: "help"}},
			wantHandled: []string{"help"},
		},
		{
			name:        "handler asking to quit stops the loop",
			reads:       []read{{line: "quit"}, {line: "never"}},
			wantHandled: []string{"quit"},
		},
		{
			name:        "handler error is reported and the loop goes on",
			reads:       []read{{line: "fail"}, {line: "help"}},
			wantHandled: []string{"fail", "help"},
			wantErrOut:  "error: boom\n",
		},
		{
			name:        "editor failure ends the loop with context",
			reads:       []read{{line: "help"}, {err: errRead}},
			wantHandled: []string{"help"},
			wantErr:     errRead,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var handled []string
			var errOut bytes.Buffer
			l := &Loop{
				Editor: &fakeEditor{reads: tt.reads},
				Handle: func(ctx context.Context, line string) (bool, error) {
					handled = append(handled, line)
					switch line {
					case "quit":
						return true, nil
					case "fail":
						return false, errors.New("boom")
					}
					return false, nil
				},
				ErrOut:     &errOut,
				Interrupts: noInterrupts,
			}
			err := l.Run(t.Context())
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Run() error = %v, want %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.wantHandled, handled); diff != "" {
				t.Errorf("handled lines (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantErrOut, errOut.String()); diff != "" {
				t.Errorf("error output (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLoopAsksForPromptBeforeEachRead(t *testing.T) {
	ed := &fakeEditor{reads: []read{{line: "a"}, {err: ErrInterrupt}}}
	n := 0
	l := &Loop{
		Editor:     ed,
		Handle:     func(context.Context, string) (bool, error) { return false, nil },
		Prompt:     func() string { n++; return "p" + string(rune('0'+n)) + "> " },
		Interrupts: noInterrupts,
	}
	if err := l.Run(t.Context()); err != nil {
		t.Fatalf("Run() error = %v", err)
	}
	if diff := cmp.Diff([]string{"p1> ", "p2> ", "p3> "}, ed.prompts); diff != "" {
		t.Errorf("prompts (-want +got):\n%s", diff)
	}
}

func TestLoopOnErrorReplacesDefaultReport(t *testing.T) {
	var reported []string
	var errOut bytes.Buffer
	l := &Loop{
		Editor:     &fakeEditor{reads: []read{{line: "x"}}},
		Handle:     func(context.Context, string) (bool, error) { return false, errors.New("no cloud selected") },
		ErrOut:     &errOut,
		OnError:    func(err error) { reported = append(reported, err.Error()) },
		Interrupts: noInterrupts,
	}
	if err := l.Run(t.Context()); err != nil {
		t.Fatalf("Run() error = %v", err)
	}
	if diff := cmp.Diff([]string{"no cloud selected"}, reported); diff != "" {
		t.Errorf("reported errors (-want +got):\n%s", diff)
	}
	if errOut.Len() != 0 {
		t.Errorf("error output = %q, want nothing when OnError is set", errOut.String())
	}
}

// fakeInterrupts hands out a channel the test writes to and counts how often
// the subscription was started and stopped.
type fakeInterrupts struct {
	c       chan os.Signal
	started int
	stopped int
}

func (f *fakeInterrupts) subscribe() (<-chan os.Signal, func()) {
	f.started++
	return f.c, func() { f.stopped++ }
}

func TestLoopCtrlCCancelsOnlyTheRunningHandler(t *testing.T) {
	sigs := &fakeInterrupts{c: make(chan os.Signal, 2)}
	var errOut bytes.Buffer
	var nextErr error
	var reported []error
	l := &Loop{
		Editor: &fakeEditor{reads: []read{{line: "wait"}, {line: "next"}}},
		Handle: func(ctx context.Context, line string) (bool, error) {
			if line == "next" {
				nextErr = ctx.Err()
				return false, nil
			}
			// Two presses: the second must be absorbed, not kill the shell.
			sigs.c <- os.Interrupt
			sigs.c <- os.Interrupt
			<-ctx.Done()
			return false, ctx.Err()
		},
		ErrOut:     &errOut,
		OnError:    func(err error) { reported = append(reported, err) },
		Interrupts: sigs.subscribe,
	}
	if err := l.Run(t.Context()); err != nil {
		t.Fatalf("Run() error = %v, want the loop to continue and end at EOF", err)
	}
	if diff := cmp.Diff("cancelled\n", errOut.String()); diff != "" {
		t.Errorf("error output (-want +got):\n%s", diff)
	}
	if len(reported) != 0 {
		t.Errorf("reported %v, want the cancellation error suppressed", reported)
	}
	if nextErr != nil {
		t.Errorf("next handler's context error = %v, want a fresh context", nextErr)
	}
	if sigs.started != 1 || sigs.stopped != 1 {
		t.Errorf("interrupt subscriptions started %d, stopped %d; want 1 and 1", sigs.started, sigs.stopped)
	}
}

func TestLoopDiscardsCtrlCFromBetweenCommands(t *testing.T) {
	sigs := &fakeInterrupts{c: make(chan os.Signal, 1)}
	var errOut bytes.Buffer
	var handlerErr error
	l := &Loop{
		Editor: &fakeEditor{reads: []read{{line: "server list"}}},
		// The prompt is drawn while no command runs: a Ctrl-C landing then
		// belongs to the command that just finished.
		Prompt: func() string {
			sigs.c <- os.Interrupt
			return "> "
		},
		Handle: func(ctx context.Context, line string) (bool, error) {
			handlerErr = ctx.Err()
			return false, nil
		},
		ErrOut:     &errOut,
		Interrupts: sigs.subscribe,
	}
	if err := l.Run(t.Context()); err != nil {
		t.Fatalf("Run() error = %v", err)
	}
	if handlerErr != nil {
		t.Errorf("handler context error = %v, want a stale Ctrl-C ignored", handlerErr)
	}
	if errOut.Len() != 0 {
		t.Errorf("error output = %q, want nothing", errOut.String())
	}
}

func TestLoopReportsOtherErrorsAfterCtrlC(t *testing.T) {
	sigs := &fakeInterrupts{c: make(chan os.Signal, 1)}
	var errOut bytes.Buffer
	l := &Loop{
		Editor: &fakeEditor{reads: []read{{line: "wait"}}},
		Handle: func(ctx context.Context, line string) (bool, error) {
			sigs.c <- os.Interrupt
			<-ctx.Done()
			return false, errors.New("server left in state BUILD")
		},
		ErrOut:     &errOut,
		Interrupts: sigs.subscribe,
	}
	if err := l.Run(t.Context()); err != nil {
		t.Fatalf("Run() error = %v", err)
	}
	want := "cancelled\nerror: server left in state BUILD\n"
	if diff := cmp.Diff(want, errOut.String()); diff != "" {
		t.Errorf("error output (-want +got):\n%s", diff)
	}
}

func TestLoopStopsWhenContextEnds(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	var errOut bytes.Buffer
	handled := 0
	l := &Loop{
		Editor: &fakeEditor{reads: []read{{line: "shutdown"}, {line: "never"}}},
		Handle: func(hctx context.Context, line string) (bool, error) {
			handled++
			cancel()
			return false, hctx.Err()
		},
		ErrOut:     &errOut,
		Interrupts: noInterrupts,
	}
	if err := l.Run(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Run() error = %v, want context.Canceled", err)
	}
	if handled != 1 {
		t.Errorf("handled %d lines, want 1", handled)
	}
	if errOut.Len() != 0 {
		t.Errorf("error output = %q, want nothing for the loop's own shutdown", errOut.String())
	}
}

func TestLoopNeedsEditorAndHandler(t *testing.T) {
	if err := (&Loop{}).Run(t.Context()); err == nil {
		t.Fatal("Run() on an empty Loop succeeded, want an error")
	}
}
