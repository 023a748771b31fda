package cli

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/kriscelmer/os-tui/internal/iostreams"
	"github.com/kriscelmer/os-tui/internal/render/markdown"
	"github.com/kriscelmer/os-tui/internal/termtext"
)

// answer shows a model's answer as it streams: a spinner on stderr until
// the first token (on a terminal), then the text itself on stdout.
type answer struct {
	out, err io.Writer
	tty      bool
	cs       *iostreams.ColorScheme

	mu     sync.Mutex
	stop   chan struct{}
	done   chan struct{}
	wrote  bool
	lastNL bool

	// On a terminal the answer is rendered as markdown a paragraph at a
	// time: pending holds the paragraph still arriving.
	md      func(string) error
	pending strings.Builder
}

func newAnswer(ios *iostreams.IOStreams) *answer {
	a := &answer{out: ios.Out, err: ios.ErrOut, tty: ios.IsStderrTTY(), cs: ios.ColorScheme(), lastNL: true}
	if ios.IsStdoutTTY() {
		a.md = func(s string) error { return markdown.Render(ios, s) }
	}
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
	a.flushLocked()
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
	if a.md != nil {
		a.pending.WriteString(delta)
		// Render each finished paragraph (outside code fences) as it
		// completes, so the answer still streams.
		text := a.pending.String()
		if i := strings.LastIndex(text, "\n\n"); i >= 0 && strings.Count(text[:i], "```")%2 == 0 {
			a.stopSpinnerLocked()
			a.renderLocked(text[:i+2])
			a.pending.Reset()
			a.pending.WriteString(text[i+2:])
		}
		return
	}
	a.stopSpinnerLocked()
	fmt.Fprint(a.out, termtext.SafeMultiline(delta))
	a.wrote = true
	a.lastNL = delta[len(delta)-1] == '\n'
}

func (a *answer) renderLocked(md string) {
	if strings.TrimSpace(md) == "" {
		return
	}
	if err := a.md(termtext.SafeMultiline(md)); err != nil {
		fmt.Fprint(a.out, termtext.SafeMultiline(md))
	}
	a.wrote, a.lastNL = true, true
}

// flushLocked renders what is left of a streamed answer.
func (a *answer) flushLocked() {
	if a.md != nil && a.pending.Len() > 0 {
		a.stopSpinnerLocked()
		a.renderLocked(a.pending.String())
		a.pending.Reset()
	}
}

// note prints a faint line about what the model is doing.
func (a *answer) note(msg string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.flushLocked()
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
	a.flushLocked()
	a.stopSpinnerLocked()
	if a.wrote && !a.lastNL {
		fmt.Fprintln(a.out)
	}
}
