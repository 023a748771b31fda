package cli

import (
	"github.com/kriscelmer/os-tui/agent/plan"

	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/kriscelmer/os-tui/agent/session"
	"github.com/kriscelmer/os-tui/internal/views"
	"github.com/kriscelmer/os-tui/internal/views/approval"
	"github.com/kriscelmer/os-tui/internal/views/browse"
)

const browseUsage = "usage: /browse [RESOURCE]   (servers, volumes, ports, networks, floating ips, …; inside: ? lists the keys)"

// viewState is what the shell keeps of its full-screen views.
type viewState struct {
	// last is the view shown last, for /view.
	last tea.Model
	// cache keeps the browser's lists between openings, for one scope.
	cache    *browse.Cache
	cacheFor session.Scope
}

// canShowViews reports whether a full-screen view can take the
// terminal: someone answers at a terminal both ways (not -c --yes, not
// a pipe).
func (s *Shell) canShowViews() bool {
	return s.Asker != nil && s.IO.IsStdinTTY() && s.IO.IsStdoutTTY()
}

// viewDeps are what a view is built with: the engine as its backend,
// the shell's colours and privacy mask.
func (s *Shell) viewDeps(ctx context.Context) views.Deps {
	d := views.NewDeps(views.EngineBackend{Engine: s.engine})
	d.Ctx = ctx
	d.Styles = views.NewStyles(s.IO.ColorEnabled())
	if s.privacy != nil {
		d.Mask = s.privacy.Cell
	}
	d.SaveRecipe = func(name string, p *plan.Plan) (string, error) {
		return s.saveRecipe(ctx, name, "", false, p, nil)
	}
	return d
}

// runView shows m full-screen and remembers it for /view. The engine's
// events are not printed while it runs (the view shows outcomes itself);
// the conversation is on the main screen, untouched, when it returns.
func (s *Shell) runView(ctx context.Context, m tea.Model) error {
	// Connect before the view's reads start on their own goroutines.
	if _, err := s.environment(); err != nil {
		return err
	}
	opts := views.Options{
		Suspend: func() func() {
			s.events.muted.Store(true)
			return func() { s.events.muted.Store(false) }
		},
		Mouse: s.Getenv("OSTUI_MOUSE") == "1",
	}
	final, err := views.Run(ctx, m, opts)
	if final != nil {
		s.views.last = final
	}
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// browseCommand opens the resource browser: /browse [RESOURCE].
func (s *Shell) browseCommand(ctx context.Context, args []string) error {
	if len(args) > 0 && (args[0] == "--help" || args[0] == "-h") {
		fmt.Fprintln(s.IO.Out, browseUsage)
		return nil
	}
	if !s.canShowViews() {
		return errors.New("the browser is full-screen and needs a terminal; in -c or a pipe use the list commands (/server list, /volume list, …)")
	}
	if scope := s.scope(); s.views.cache == nil || scope != s.views.cacheFor {
		// Lists of one project are not another's.
		s.views.cache, s.views.cacheFor = browse.NewCache(), scope
	}
	m, err := browse.New(s.viewDeps(ctx), browse.Options{Resource: strings.Join(args, " "), Cache: s.views.cache})
	if err != nil {
		return &usageError{msg: err.Error() + "\n" + browseUsage}
	}
	return s.runView(ctx, m)
}

// viewCommand reopens the last view: /view.
func (s *Shell) viewCommand(ctx context.Context, args []string) error {
	if len(args) > 0 {
		return &usageError{msg: "usage: /view   (reopens the last full-screen view)"}
	}
	if !s.canShowViews() {
		return errors.New("views are full-screen and need a terminal")
	}
	m := s.views.last
	if m == nil {
		return errors.New("no view was opened yet: try /browse or /overview")
	}
	if r, ok := m.(views.Reopener); ok {
		m = r.Reopen(s.viewDeps(ctx))
	}
	return s.runView(ctx, m)
}

// defaultReviewSteps is the plan length from which the shell reviews a
// plan in the full-screen view rather than as text.
const defaultReviewSteps = 6

// reviewInView reports whether the review of r is shown full-screen:
// OSTUI_PLAN_REVIEW=view always, =text never, a number N from N steps
// on; by default from defaultReviewSteps steps.
func (s *Shell) reviewInView(steps int) bool {
	if !s.canShowViews() {
		return false
	}
	threshold := defaultReviewSteps
	switch v := strings.TrimSpace(s.Getenv("OSTUI_PLAN_REVIEW")); v {
	case "view":
		return true
	case "text":
		return false
	case "":
	default:
		if n, err := strconv.Atoi(v); err == nil && n > 0 {
			threshold = n
		}
	}
	return steps >= threshold
}

// decideInView asks for approval in the plan-review view.
func (s *Shell) decideInView(ctx context.Context, req session.Request) (session.Decision, error) {
	d := s.viewDeps(ctx)
	opts := views.Options{
		Suspend: func() func() {
			s.events.muted.Store(true)
			return func() { s.events.muted.Store(false) }
		},
	}
	opts.Mouse = s.Getenv("OSTUI_MOUSE") == "1"
	return approval.Ask(ctx, d, req, opts)
}
