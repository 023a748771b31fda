package cli

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/kriscelmer/os-tui/internal/iostreams"
)

// answer shows a model's answer as it streams: a spinner on stderr until
// the first token (on a terminal), then the text itself on stdout.
type answer struct {
	out, err io.Writer
	tty      bool
	cs       *iostreams.ColorScheme

	mu      sync.Mutex
	started bool
	stop    chan struct{}
	done    chan struct{}
	wrote   bool
	lastNL  bool
}

func newAnswer(ios *iostreams.IOStreams) *answer {
	a := &answer{out: ios.Out, err: ios.ErrOut, tty: ios.IsStderrTTY(), cs: ios.ColorScheme(), lastNL: true}
	a.spin()
	return a
}

func (a *answer) spin() {
	if !a.tty {
		return
	}
	a.stop, a.done = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(a.done)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		start := time.Now()
		for i := 0; ; i++ {
			select {
			case <-a.stop:
				fmt.Fprint(a.err, "\r\x1b[K")
				return
			case <-t.C:
				fmt.Fprintf(a.err, "\r\x1b[K%s thinking… %s", spinner[i%len(spinner)], time.Since(start).Round(time.Second))
			}
		}
	}()
}

// pause stops the spinner (before a question or a plan review).
func (a *answer) pause() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.stopSpinnerLocked()
	if a.wrote && !a.lastNL {
		fmt.Fprintln(a.out)
		a.lastNL = true
	}
}

func (a *answer) stopSpinnerLocked() {
	if a.stop != nil {
		close(a.stop)
		<-a.done
		a.stop = nil
	}
}

func (a *answer) write(delta string) {
	if delta == "" {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.stopSpinnerLocked()
	fmt.Fprint(a.out, controlEscapeKeepNL(delta))
	a.wrote = true
	a.lastNL = delta[len(delta)-1] == '\n'
}

// note prints a faint line about what the model is doing.
func (a *answer) note(msg string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.stopSpinnerLocked()
	if a.wrote && !a.lastNL {
		fmt.Fprintln(a.out)
		a.lastNL = true
	}
	fmt.Fprintln(a.err, a.cs.Faint("  "+msg))
	if a.tty {
		a.spin()
	}
}

func (a *answer) finish() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.stopSpinnerLocked()
	if a.wrote && !a.lastNL {
		fmt.Fprintln(a.out)
	}
}

// controlEscapeKeepNL keeps a model's text from driving the terminal
// (escape sequences), while newlines and tabs pass.
func controlEscapeKeepNL(s string) string {
	b := make([]rune, 0, len(s))
	for _, r := range s {
		if (r < 0x20 && r != '\n' && r != '\t') || r == 0x7f {
			b = append(b, []rune(fmt.Sprintf("\\x%02x", r))...)
			continue
		}
		b = append(b, r)
	}
	return string(b)
}
