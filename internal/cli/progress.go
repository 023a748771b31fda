package cli

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/kriscelmer/os-tui/agent/gate"
	"github.com/kriscelmer/os-tui/agent/session"
	"github.com/kriscelmer/os-tui/internal/iostreams"
	"github.com/kriscelmer/os-tui/internal/render/review"
	"github.com/kriscelmer/os-tui/internal/termtext"
)

// progress shows a running plan on stderr: one line per step; on a
// terminal the current status (waits, uploads) rewrites itself in place
// with a spinner and elapsed time, elsewhere each new status is a line.
type progress struct {
	w     io.Writer
	tty   bool
	cs    *iostreams.ColorScheme
	mu    sync.Mutex
	start time.Time
	last  string
	spin  int
	// mark is the last upload milestone printed off a terminal (a tenth
	// of the total, or a 100 MiB step when the total is unknown), and
	// drawn when a terminal's upload line was last redrawn.
	mark  int64
	drawn time.Time
	// verb names what the byte counts measure: the first word of the
	// step's last status when it is one ("downloading", "deleting"),
	// else "uploading".
	verb string
	// mask is privacy mode's (nil: off); names, addresses and IDs in step
	// subjects and the cloud's messages pass through it.
	mask func(string) string
}

func newProgress(ios *iostreams.IOStreams) *progress {
	return &progress{w: ios.ErrOut, tty: ios.IsStderrTTY(), cs: ios.ColorScheme()}
}

// safe is text from the cloud as the progress lines show it: masked under
// privacy mode, escaped always.
func (p *progress) safe(text string) string {
	if p.mask != nil {
		text = p.mask(text)
	}
	return termtext.Safe(text)
}

// safeMultiline is safe for text of several lines (errors).
func (p *progress) safeMultiline(text string) string {
	if p.mask != nil {
		text = p.mask(text)
	}
	return termtext.SafeMultiline(text)
}

var spinner = []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}

func (p *progress) StepStarted(i int, s *gate.StepReview) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.start, p.last, p.mark, p.verb = time.Now(), "", -1, ""
	fmt.Fprintf(p.w, "%s %d. %s %s\n", p.cs.Cyan("▶"), i+1, s.Tool.Slash(), p.safe(review.StepSubject(s)))
}

func (p *progress) Status(i int, msg string) {
	// A status can carry the cloud's words (a server's fault message).
	msg = p.safe(msg)
	p.mu.Lock()
	defer p.mu.Unlock()
	if w, _, _ := strings.Cut(msg, " "); strings.HasSuffix(w, "ing") {
		p.verb = w
	}
	if p.tty {
		p.spin = (p.spin + 1) % len(spinner)
		fmt.Fprintf(p.w, "\r\x1b[K   %s %s", spinner[p.spin], msg)
		p.last = msg
		return
	}
	// Off a terminal, print a status only when it changes (ignoring the
	// elapsed time), so logs stay short.
	key, _, _ := strings.Cut(msg, " (")
	if key != p.last {
		fmt.Fprintf(p.w, "   %s\n", msg)
		p.last = key
	}
}

// Bytes shows an upload's (or a download's, a delete's) progress. Uploads report every few KiB: a
// terminal redraws at most ten times a second, and a log gets a line per
// tenth of the upload (or per 100 MiB when the size is unknown), so a
// 1 GiB image writes ten lines, not thirty thousand.
func (p *progress) Bytes(i int, done, total int64) {
	finished := total > 0 && done >= total
	p.mu.Lock()
	if p.tty {
		if !finished && time.Since(p.drawn) < 100*time.Millisecond {
			p.mu.Unlock()
			return
		}
		p.drawn = time.Now()
	} else {
		mark := done / (100 << 20)
		if total > 0 {
			mark = done * 10 / total
		}
		if mark == p.mark {
			p.mu.Unlock()
			return
		}
		p.mark = mark
	}
	verb := p.verb
	p.mu.Unlock()
	if verb == "" {
		verb = "uploading"
	}
	if total > 0 {
		pct := float64(done) * 100 / float64(total)
		bar := strings.Repeat("█", int(pct/5)) + strings.Repeat("░", 20-int(pct/5))
		p.Status(i, fmt.Sprintf("%s %s %5.1f%% (%s of %s)", verb, bar, pct, size(done), size(total)))
		return
	}
	p.Status(i, verb+" "+size(done))
}

func size(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

func (p *progress) StepFinished(i int, o *session.StepOutcome) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty && p.last != "" {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
	took := o.Duration.Round(100 * time.Millisecond)
	switch o.Status {
	case session.StepOK:
		msg := "done"
		if o.Final != "" {
			msg = o.Final
		}
		if o.Result != nil && o.Result.Message != "" && o.Final == "" {
			msg = o.Result.Message
		}
		fmt.Fprintf(p.w, "   %s %s (%s)\n", p.cs.Green("✓"), p.safe(msg), took)
	case session.StepHeld:
		fmt.Fprintf(p.w, "   %s %s\n", p.cs.Green("="), p.safe(o.Result.Message))
	case session.StepSkipped:
		fmt.Fprintf(p.w, "   %s skipped: you declined it\n", p.cs.Faint("-"))
	case session.StepWaitStopped:
		fmt.Fprintf(p.w, "   %s %s\n", p.cs.Yellow("…"), p.safeMultiline(fmt.Sprint(o.Err)))
	default:
		fmt.Fprintf(p.w, "   %s %s (%s)\n", p.cs.Red("✗"), p.safeMultiline(fmt.Sprint(o.Err)), took)
	}
}
