package cli

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/kriscelmer/os-tui/agent/gate"
	"github.com/kriscelmer/os-tui/agent/plan"
	"github.com/kriscelmer/os-tui/agent/session"
	"github.com/kriscelmer/os-tui/internal/render/markdown"
	"github.com/kriscelmer/os-tui/internal/render/review"
	"github.com/kriscelmer/os-tui/internal/termtext"
)

// eventView renders the engine's events on the terminal (or a pipe): the
// review, progress, outcomes, notices and the model's streamed answer.
// It holds no workflow: what happens next is the engine's.
type eventView struct {
	s        *Shell
	progress *progress

	mu     sync.Mutex
	answer *answer // the model's answer while a model turn runs
	noting bool    // a transient note is on stderr
	// muted: a full-screen view has the terminal and shows what it
	// needs itself; printing here would scribble over it.
	muted atomic.Bool
}

func newEventView(s *Shell) *eventView {
	p := newProgress(s.IO)
	p.mask = s.masked
	return &eventView{s: s, progress: p}
}

// show renders one event.
func (v *eventView) show(ev session.Event) {
	if f, ok := ev.(session.StepFinished); ok && v.muted.Load() {
		// A secret a step hands over is kept even while a view has the
		// screen: not kept now, it is lost.
		v.s.keepStepSecrets(f)
	}
	if v.muted.Load() {
		return
	}
	s := v.s
	switch e := ev.(type) {
	case session.TextDelta:
		if a := v.current(); a != nil {
			a.write(e.Text)
		}
		return
	case session.ReadStarted:
		if e.Origin == plan.OriginModel {
			if a := v.current(); a != nil {
				a.note(fmt.Sprintf("reading: %s %s", e.Tool.Slash(), termtext.Safe(compactArgs(e.Args))))
			}
		}
		return
	case session.ReadFinished, session.StateChanged, session.ApprovalNeeded:
		return
	}
	v.pause()
	switch e := ev.(type) {
	case session.PreflightStarted:
		v.note("checking the plan against the cloud…")
	case session.ReviewReady:
		v.clearNote()
		v.showReview(e.Review)
	case session.Notice:
		v.clearNote()
		fmt.Fprintln(s.IO.ErrOut, termtext.SafeMultiline(e.Text))
	case session.Failure:
		v.clearNote()
		fmt.Fprintln(s.IO.ErrOut, "warning: "+termtext.SafeMultiline(e.Err.Error()))
	case session.StepStarted:
		v.progress.StepStarted(e.Index, e.Step)
	case session.StepProgress:
		if e.Bytes {
			v.progress.Bytes(e.Index, e.Done, e.Total)
		} else {
			v.progress.Status(e.Index, e.Status)
		}
	case session.StepFinished:
		v.progress.StepFinished(e.Index, e.Outcome)
		v.s.keepStepSecrets(e)
	case session.Finished:
		v.clearNote()
		v.showOutcome(e.Outcome.Exec)
	case session.UndoOffered:
		var lines []string
		for _, st := range e.Plan.Steps {
			lines = append(lines, "/"+strings.ReplaceAll(st.Tool, ".", " "))
		}
		fmt.Fprintf(s.IO.ErrOut, "The completed steps can be undone: %s\n", strings.Join(lines, ", "))
	}
}

// startAnswer begins showing a model's answer; finish with endAnswer.
func (v *eventView) startAnswer() {
	v.mu.Lock()
	defer v.mu.Unlock()
	var mask func(string) string
	if v.s.privacy != nil {
		mask = v.s.privacy.Text
	}
	v.answer = newAnswer(v.s.IO, mask)
}

func (v *eventView) endAnswer() {
	v.mu.Lock()
	a := v.answer
	v.answer = nil
	v.mu.Unlock()
	if a != nil {
		a.finish()
	}
}

func (v *eventView) current() *answer {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.answer
}

// pause stops the answer's spinner before anything else is printed (a
// review, a question).
func (v *eventView) pause() {
	if a := v.current(); a != nil {
		a.pause()
	}
}

// note shows a transient status on a terminal's stderr.
func (v *eventView) note(msg string) {
	if v.s.IO.IsStderrTTY() {
		fmt.Fprint(v.s.IO.ErrOut, v.s.IO.ColorScheme().Faint(msg))
		v.noting = true
	}
}

func (v *eventView) clearNote() {
	if v.noting {
		fmt.Fprint(v.s.IO.ErrOut, "\r\x1b[K")
		v.noting = false
	}
}

// showReview prints the reviewed plan: markdown through glamour on a
// terminal, plain text elsewhere.
func (v *eventView) showReview(r *gate.Review) {
	ios := v.s.IO
	// A guardrail overridden with --force is repeated in red last, right
	// above the approval prompt.
	defer fmt.Fprint(ios.Out, v.s.masked(review.DangerBanner(r, ios.ColorScheme().Red)))
	if !ios.IsStdoutTTY() {
		fmt.Fprint(ios.Out, v.s.masked(review.Plain(r)))
		return
	}
	md := v.s.masked(review.Markdown(r))
	if err := markdown.Render(ios, md); err != nil {
		fmt.Fprint(ios.Out, md)
	}
}

// showOutcome prints what the steps returned, and how many were not run.
func (v *eventView) showOutcome(out *session.Run) {
	if out == nil {
		return
	}
	for _, o := range out.Steps {
		if o.Status == session.StepOK && o.Result != nil && (o.Result.List != nil || o.Result.Record != nil || o.Result.Text != "") {
			_ = v.s.render(o.Result)
		}
	}
	notRun := 0
	for _, o := range out.Steps {
		if o.Status == session.StepNotRun {
			notRun++
		}
	}
	if notRun > 0 {
		fmt.Fprintf(v.s.IO.ErrOut, "%d later step(s) were not run.\n", notRun)
	}
}
