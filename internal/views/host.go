package views

import (
	"context"
	"errors"
	"io"

	tea "charm.land/bubbletea/v2"
)

// Options say where and how a view runs.
type Options struct {
	// In and Out are the terminal; nil means the process's stdin and
	// stdout.
	In  io.Reader
	Out io.Writer
	// Suspend, when set, makes the line editor step aside before the
	// view takes the terminal; the function it returns gives the terminal
	// back once the view has left the alternate screen. The shell uses it
	// to stop rendering engine events on the terminal while a view is up.
	Suspend func() (resume func())
	// Mouse turns on mouse reporting (wheel scrolling, clicks on rows).
	Mouse bool
	// Env replaces the environment the program reads (TERM, NO_COLOR,
	// COLORTERM); nil is the process's.
	Env []string
	// Width and Height fix the window size (tests, a terminal that does
	// not report one); zero asks the terminal.
	Width, Height int
	// OnStart, when set, receives the program's Send before the first
	// frame: a front end forwards engine events into the view with it.
	OnStart func(send func(tea.Msg))
}

// Run shows m full-screen on the alternate screen until it quits, then
// returns to the line where the prompt was: the scrollback (the
// conversation) is untouched because the view never drew on it. It
// returns the final model, so the shell can reopen it (/view).
//
// Ctrl-C inside a view is a key the view handles (it leaves the view);
// when ctx ends the view closes and Run returns ctx's error.
func Run(ctx context.Context, m tea.Model, opts Options) (tea.Model, error) {
	if opts.Suspend != nil {
		resume := opts.Suspend()
		if resume != nil {
			defer resume()
		}
	}
	popts := []tea.ProgramOption{tea.WithContext(ctx)}
	if opts.In != nil {
		popts = append(popts, tea.WithInput(opts.In))
	}
	if opts.Out != nil {
		popts = append(popts, tea.WithOutput(opts.Out))
	}
	if opts.Env != nil {
		popts = append(popts, tea.WithEnvironment(opts.Env))
	}
	if opts.Width > 0 && opts.Height > 0 {
		popts = append(popts, tea.WithWindowSize(opts.Width, opts.Height))
	}
	p := tea.NewProgram(Frame{Model: m, Mouse: opts.Mouse}, popts...)
	if opts.OnStart != nil {
		opts.OnStart(p.Send)
	}
	final, err := p.Run()
	if f, ok := final.(Frame); ok {
		m = f.Model
	}
	if err != nil {
		if ctx.Err() != nil && errors.Is(err, tea.ErrProgramKilled) {
			return m, ctx.Err()
		}
		if errors.Is(err, tea.ErrProgramPanic) {
			return m, errors.New("the view stopped on an internal error; the shell goes on")
		}
		return m, err
	}
	return m, nil
}

// Frame wraps a view for Run: it puts every frame on the alternate
// screen (so leaving restores the conversation) and sets the mouse mode.
// Views return plain content and need not know either.
type Frame struct {
	tea.Model
	Mouse bool
}

// Update implements tea.Model.
func (f Frame) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	m, cmd := f.Model.Update(msg)
	f.Model = m
	return f, cmd
}

// View implements tea.Model.
func (f Frame) View() tea.View {
	v := f.Model.View()
	v.AltScreen = true
	if f.Mouse && v.MouseMode == tea.MouseModeNone {
		v.MouseMode = tea.MouseModeCellMotion
	}
	return v
}

// Reopener is a view that can be shown again (the shell's /view) with a
// new context: it keeps what the person did (pages, filters, marks) and
// reads again what it shows. A view that is not one opens afresh.
type Reopener interface {
	Reopen(d Deps) tea.Model
}
