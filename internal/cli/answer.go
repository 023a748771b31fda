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

	// mask, under privacy mode, hides addresses, names, IDs and keys in
	// the model's words as in tables. Masking needs whole values, so
	// without markdown the answer is then shown a line at a time.
	mask func(string) string
}

// newAnswer starts an answer; mask is nil unless privacy mode is on.
func newAnswer(ios *iostreams.IOStreams, mask func(string) string) *answer {
	a := &answer{out: ios.Out, err: ios.ErrOut, tty: ios.IsStderrTTY(), cs: ios.ColorScheme(), lastNL: true, mask: mask}
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
	if a.mask != nil {
		// Hold the line still arriving: an address split across two
		// deltas would otherwise escape the mask.
		a.pending.WriteString(delta)
		text := a.pending.String()
		i := strings.LastIndex(text, "\n")
		if i < 0 {
			return
		}
		delta = text[:i+1]
		a.pending.Reset()
		a.pending.WriteString(text[i+1:])
	}
	a.plainLocked(delta)
}

// plainLocked prints answer text without markdown.
func (a *answer) plainLocked(text string) {
	if text == "" {
		return
	}
	a.stopSpinnerLocked()
	if a.mask != nil {
		text = a.mask(text)
	}
	fmt.Fprint(a.out, termtext.SafeMultiline(text))
	a.wrote = true
	a.lastNL = text[len(text)-1] == '\n'
}

func (a *answer) renderLocked(md string) {
	if strings.TrimSpace(md) == "" {
		return
	}
	if a.mask != nil {
		md = a.mask(md)
	}
	if err := a.md(termtext.SafeMultiline(md)); err != nil {
		fmt.Fprint(a.out, termtext.SafeMultiline(md))
	}
	a.wrote, a.lastNL = true, true
}

// flushLocked renders what is left of a streamed answer.
func (a *answer) flushLocked() {
	if a.pending.Len() == 0 {
		return
	}
	text := a.pending.String()
	a.pending.Reset()
	if a.md == nil {
		a.plainLocked(text)
		return
	}
	a.stopSpinnerLocked()
	a.renderLocked(text)
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
