package approval

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/kriscelmer/os-tui/agent/session"
	rreview "github.com/kriscelmer/os-tui/internal/render/review"
	"github.com/kriscelmer/os-tui/internal/termtext"
	"github.com/kriscelmer/os-tui/internal/views"
)

// View implements tea.Model.
func (m Model) View() tea.View { return tea.NewView(m.Content()) }

// Content is the review as text of exactly the model's size, for a view
// that embeds it.
func (m Model) Content() string {
	st := m.deps.Styles
	var lines []string
	switch m.req.Req.Kind {
	case session.ReviewUndo:
		lines = m.undoLines()
	case session.ShareRead:
		lines = m.shareLines()
	default:
		lines = m.planLines()
	}
	body := m.height - 2
	for len(lines) < body {
		lines = append(lines, "")
	}
	lines = lines[:max(body, 0)]
	lines = append(lines, m.statusLine(), views.HelpBar(st, m.width, m.bindings()...))
	for i, l := range lines {
		if m.deps.Mask != nil {
			// Privacy mode: names, addresses and IDs in the review are
			// masked like everything else on screen.
			l = m.deps.Mask("", l)
		}
		lines[i] = views.Fit(l, m.width)
	}
	return strings.Join(lines, "\n")
}

func (m Model) title() string {
	st := m.deps.Styles
	r := m.review()
	switch m.req.Req.Kind {
	case session.ReviewUndo:
		return st.Title.Render("Undo what completed?")
	case session.ShareRead:
		return st.Title.Render("Share a read with the model?")
	case session.FixBlocked:
		return st.Badge.Render(" BLOCKED ") + " " + st.Title.Render("Plan: "+termtext.Safe(r.Plan.Goal))
	}
	t := st.Title.Render("Review plan: " + termtext.Safe(r.Plan.Goal))
	if n := len(r.Steps); n > 1 {
		t += st.Faint.Render(fmt.Sprintf("  (%d steps)", n))
	}
	return t
}

func (m Model) planLines() []string {
	st := m.deps.Styles
	r := m.review()
	out := []string{m.title(), ""}
	if r == nil || len(r.Steps) == 0 {
		return append(out, "(no steps)")
	}
	leftW := max(24, m.width*2/5)
	rightW := max(10, m.width-leftW-3)
	h := m.bodyHeight()

	var left []string
	for i := m.top; i < len(r.Steps) && len(left) < m.listHeight(); i++ {
		s := &r.Steps[i]
		mark := " "
		if s.Blocked() {
			mark = "✗"
		}
		if s.Held != nil {
			// Its goal already holds: nothing runs for it.
			mark = "="
		}
		if m.stepMode {
			if m.runs[i] {
				mark = "[x]"
			} else {
				mark = "[ ]"
			}
		}
		line := fmt.Sprintf("%s %d. %s %s %s", mark, i+1, st.Effect(rreview.Badge(s.Tool.Effect)), s.Tool.Slash(), termtext.Safe(rreview.StepSubject(s)))
		line = views.Fit(line, leftW)
		if i == m.cursor {
			line = st.Cursor.Render(ansi.Strip(line))
		}
		left = append(left, line)
	}
	if len(r.Quota) > 0 {
		for len(left) < m.listHeight()+1 {
			left = append(left, "")
		}
		left = append(left, st.Header.Render("Quota"))
		for _, q := range r.Quota {
			limit := fmt.Sprint(q.Limit)
			if q.Limit < 0 {
				limit = "unlimited"
			}
			mark := "✓"
			if q.Limit >= 0 && q.InUse+q.Delta > q.Limit {
				mark = st.Error.Render("✗")
			}
			left = append(left, fmt.Sprintf("%s %s %s: %d → %d of %s", mark, q.Service, q.Resource, q.InUse, q.InUse+q.Delta, limit))
		}
	}

	detail := wrap(stepDetail(r, m.cursor), rightW)
	scroll := min(m.scroll, max(0, len(detail)-h))
	detail = detail[scroll:]
	if len(detail) > 0 {
		detail[0] = st.Header.Render(ansi.Strip(detail[0]))
	}
	for i := 0; i < h; i++ {
		l, d := "", ""
		if i < len(left) {
			l = left[i]
		}
		if i < len(detail) {
			d = colourFinding(st, detail[i])
		}
		out = append(out, views.Pad(l, leftW)+" "+st.Faint.Render("│")+" "+d)
	}
	return out
}

// colourFinding paints a finding line by its mark, as the REPL's
// review does with glamour.
func colourFinding(st views.Styles, l string) string {
	t := strings.TrimLeft(l, " ")
	switch {
	case strings.HasPrefix(t, "- ‼"), strings.HasPrefix(t, "‼"), strings.HasPrefix(t, "- ✗"):
		return st.Error.Render(l)
	case strings.HasPrefix(t, "- !"):
		return st.Warn.Render(l)
	}
	return l
}

func (m Model) undoLines() []string {
	out := []string{m.title(), ""}
	p := m.req.Req.Undo
	if p == nil {
		return out
	}
	out = append(out, "The plan failed part-way. These steps would reverse what it completed;", "yes reviews them like any plan (nothing runs unasked):", "")
	for i, s := range p.Steps {
		out = append(out, fmt.Sprintf("  %d. /%s %s", i+1, strings.ReplaceAll(s.Tool, ".", " "), termtext.Safe(string(s.Args))))
	}
	return out
}

func (m Model) shareLines() []string {
	name := "a read"
	if t := m.req.Req.Tool; t != nil {
		name = t.Slash()
	}
	return []string{m.title(), "", "Paranoid mode: may the result of " + name + " " + termtext.Safe(string(m.req.Req.Args)) + " go to the model?"}
}

func (m Model) statusLine() string {
	st := m.deps.Styles
	switch {
	case m.reason != nil:
		return m.reason.View(st)
	case m.note != "":
		return st.Warn.Render(m.note)
	case m.stepMode:
		n := 0
		for _, r := range m.runs {
			if r {
				n++
			}
		}
		return fmt.Sprintf("step by step: %d of %d steps chosen; Enter runs them", n, len(m.runs))
	case m.req.Req.Kind == session.FixBlocked:
		return st.Error.Render("The plan cannot run as it stands: edit it, or leave it.")
	}
	if r := m.review(); r != nil && m.req.Req.Kind == session.ApprovePlan {
		if banner := rreview.DangerBanner(r, func(s string) string { return s }); banner != "" {
			first, _, _ := strings.Cut(banner, "\n")
			return st.Error.Render(first)
		}
	}
	return ""
}

// The keys of the help bar, made when drawn: nothing is built at init.
func keyMove() key.Binding    { return views.Binding("↑/↓", "step", "up", "down", "j", "k") }
func keyScroll() key.Binding  { return views.Binding("^d/^u", "scroll detail", "ctrl+d", "ctrl+u") }
func keyYes() key.Binding     { return views.Binding("y", "approve all", "y") }
func keyNo() key.Binding      { return views.Binding("n", "deny (reason)", "n") }
func keySteps() key.Binding   { return views.Binding("s", "step by step", "s") }
func keyToggle() key.Binding  { return views.Binding("space", "pick step", "space") }
func keyRun() key.Binding     { return views.Binding("enter", "run picked", "enter") }
func keyEdit() key.Binding    { return views.Binding("e", "edit", "e") }
func keyAllow() key.Binding   { return views.Binding("a", "allow for session", "a") }
func keyRecipe() key.Binding  { return views.Binding("r", "save as recipe", "r") }
func keyLeave() key.Binding   { return views.Binding("esc", "deny & back", "esc") }
func keyYesOnly() key.Binding { return views.Binding("y", "yes", "y") }
func keyNoOnly() key.Binding  { return views.Binding("n", "no", "n") }
func keySend() key.Binding    { return views.Binding("enter", "send", "enter") }
func keyBack() key.Binding    { return views.Binding("esc", "back", "esc") }

func (m Model) bindings() []key.Binding {
	if m.reason != nil {
		return []key.Binding{keySend(), keyBack()}
	}
	switch m.req.Req.Kind {
	case session.ReviewUndo, session.ShareRead:
		return []key.Binding{keyYesOnly(), keyNoOnly()}
	case session.FixBlocked:
		return []key.Binding{keyMove(), keyScroll(), keyEdit(), keyNoOnly()}
	}
	if m.stepMode {
		return []key.Binding{keyMove(), keyToggle(), keyRun(), keySteps(), keyScroll(), keyBack()}
	}
	allow := keyAllow()
	allow.SetEnabled(m.req.Req.Grantable != nil)
	move := keyMove()
	move.SetEnabled(m.steps() > 1)
	recipe := keyRecipe()
	recipe.SetEnabled(m.deps.SaveRecipe != nil)
	return []key.Binding{keyYes(), keyNo(), move, keySteps(), keyEdit(), allow, recipe, keyScroll(), keyLeave()}
}
