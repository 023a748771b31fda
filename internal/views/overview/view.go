package overview

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/kriscelmer/os-tui/internal/overview"
	"github.com/kriscelmer/os-tui/internal/termtext"
	"github.com/kriscelmer/os-tui/internal/views"
)

var spinner = []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}

// twoColumns is the width from which quotas sit beside the rest.
const twoColumns = 100

// View draws the current mode at the window's size (80×24 before the
// first size message, so the first frame paints at once).
func (m Model) View() tea.View {
	w, h := m.width, m.height
	if w <= 0 || h <= 0 {
		w, h = 80, 24
	}
	var body []string
	switch m.mode {
	case Fleet:
		body = m.fleetLines(w)
	case Search:
		body = m.searchLines(w)
	default:
		body = m.projectLines(w)
	}
	head := m.title(w)
	help := m.helpBar(w)
	room := max(h-2, 1)
	if m.mode == Project {
		scroll := min(m.scroll, max(len(body)-room, 0))
		body = body[scroll:]
	} else {
		// Keep the cursor's row in sight.
		first := 0
		if c := m.cursorLine(); c >= room {
			first = c - room + 1
		}
		body = body[min(first, len(body)):]
	}
	if len(body) > room {
		body = body[:room]
	}
	for len(body) < room {
		body = append(body, "")
	}
	return tea.NewView(strings.Join(append(append([]string{head}, body...), help), "\n"))
}

// cursorLine is the body line the cursor is on in fleet and search.
func (m Model) cursorLine() int { return m.cursor + 2 }

func (m Model) title(w int) string {
	st := m.deps.Styles
	name := map[Mode]string{Project: "Overview", Fleet: "Every cloud, project and region", Search: "Search"}[m.mode]
	t := st.Title.Render(name)
	if m.mode == Project && m.opts.Scope != "" {
		t += " " + st.Faint.Render(m.text("", m.opts.Scope))
	}
	if m.busy() {
		t += " " + spinner[m.frame%len(spinner)]
		if m.mode == Project {
			t += st.Faint.Render(fmt.Sprintf(" %d of %d panels loading", m.loading, len(overview.Specs())))
		}
	} else if m.mode == Project && m.Took > 0 {
		t += " " + st.Faint.Render(fmt.Sprintf("loaded in %.1fs", m.Took.Seconds()))
	}
	if m.private {
		t += " " + st.Badge.Render("privacy")
	}
	return ansi.Truncate(t, w, "…")
}

func (m Model) helpBar(w int) string {
	k := m.keys
	k.privacy.SetEnabled(m.opts.Mask != nil)
	k.fleet.SetEnabled(m.opts.Targets != nil && m.mode != Fleet)
	k.search.SetEnabled(m.opts.Targets != nil)
	k.project.SetEnabled(m.mode != Project)
	k.enter.SetEnabled(m.mode != Project && m.rows() > 0)
	k.back.SetEnabled(m.mode != Project)
	if m.typing {
		return ansi.Truncate(m.input.View(m.deps.Styles)+"  "+m.deps.Styles.Faint.Render("enter search  esc cancel"), w, "…")
	}
	return m.helpLine(w, k.up, k.down, k.enter, k.back, k.refresh, k.fleet, k.search, k.project, k.privacy, k.quit)
}

func (m Model) helpLine(w int, b ...key.Binding) string {
	return views.HelpBar(m.deps.Styles, w, b...)
}

// text makes cloud text safe and, in privacy mode, masked.
func (m Model) text(column, s string) string {
	s = termtext.Safe(s)
	if m.private && m.opts.Mask != nil {
		s = m.opts.Mask(column, s)
	}
	return s
}

// masked masks a line already made safe (overview.Lines escapes).
func (m Model) masked(s string) string {
	if m.private && m.opts.Mask != nil {
		return m.opts.Mask("", s)
	}
	return s
}

func (m Model) projectLines(w int) []string {
	var left, right []string
	for _, s := range overview.Specs() {
		p := m.panels[s.ID]
		lines := m.panelLines(p, w)
		switch s.ID {
		case overview.QuotaCompute, overview.QuotaNetwork, overview.QuotaVolume:
			left = append(left, lines...)
		default:
			right = append(right, lines...)
		}
	}
	if w < twoColumns {
		return append(left, right...)
	}
	cw := (w - 2) / 2
	lw := cw
	var out []string
	for i := range max(len(left), len(right)) {
		var l, r string
		if i < len(left) {
			l = left[i]
		}
		if i < len(right) {
			r = right[i]
		}
		l = ansi.Truncate(l, lw, "…")
		pad := lw - ansi.StringWidth(l)
		out = append(out, l+strings.Repeat(" ", pad)+"  "+ansi.Truncate(r, cw, "…"))
	}
	return out
}

// panelLines are a panel's title and body, fitted to w cells.
func (m Model) panelLines(p overview.Panel, w int) []string {
	st := m.deps.Styles
	cw := w
	if w >= twoColumns {
		cw = (w - 2) / 2
	}
	title := st.Header.Render(p.Title)
	switch p.State {
	case overview.Loading:
		return []string{title + " " + spinner[m.frame%len(spinner)], ""}
	case overview.Missing, overview.Forbidden:
		return []string{title, "  " + st.Faint.Render(m.masked(termtext.Safe(p.Err))), ""}
	case overview.Failed:
		return []string{title, "  " + st.Error.Render(m.masked(termtext.Safe(p.Err))), ""}
	}
	out := []string{title}
	switch p.ID {
	case overview.QuotaCompute, overview.QuotaNetwork, overview.QuotaVolume:
		out = append(out, m.quotaLines(p, cw)...)
	default:
		for _, l := range overview.Lines(p, m.deps.Clock()) {
			out = append(out, "  "+m.colour(p, m.masked(l)))
		}
	}
	return append(out, "")
}

// colour marks the lines that need the eye: a failed action, an ERROR
// fault, an expired login.
func (m Model) colour(p overview.Panel, line string) string {
	st := m.deps.Styles
	switch {
	case strings.Contains(line, "FAILED:") || strings.HasPrefix(line, "ERROR "):
		return st.Error.Render(line)
	case strings.HasPrefix(line, "note: "):
		return st.Faint.Render(line)
	case p.ID == overview.Auth && strings.Contains(line, "(in expired)"):
		return st.Error.Render(line)
	}
	return line
}

func (m Model) quotaLines(p overview.Panel, w int) []string {
	st := m.deps.Styles
	if len(p.Quota) == 0 {
		return []string{"  " + st.Faint.Render("no quotas reported")}
	}
	nameW := 0
	for _, b := range p.Quota {
		nameW = max(nameW, ansi.StringWidth(quotaName(b)))
	}
	nameW = min(nameW, max(w/3, 8))
	barW := max(min(w-nameW-22, 30), 6)
	var out []string
	for _, b := range p.Quota {
		name := ansi.Truncate(m.text("", quotaName(b)), nameW, "…")
		name += strings.Repeat(" ", nameW-ansi.StringWidth(name))
		out = append(out, "  "+name+" "+m.bar(b, barW)+" "+st.Faint.Render(overview.Usage(b)))
	}
	return out
}

func quotaName(b overview.Bar) string {
	if b.Type != "" {
		return b.Resource + " (" + b.Type + ")"
	}
	return b.Resource
}

// bar draws a quota bar: green up to 75 %, yellow above, red above 90 %.
// Without colour the level shows as the fill character.
func (m Model) bar(b overview.Bar, w int) string {
	st := m.deps.Styles
	if b.Unlimited() {
		return strings.Repeat(" ", w)
	}
	filled := int(b.Percent()/100*float64(w) + 0.5)
	filled = min(max(filled, 0), w)
	if filled == 0 && b.InUse > 0 {
		filled = 1
	}
	fill, empty := "█", "░"
	if !st.Color {
		fill = map[overview.Level]string{overview.OK: "=", overview.Warn: "+", overview.Critical: "#"}[b.Level()]
		empty = "."
	}
	used := strings.Repeat(fill, filled)
	if st.Color {
		c := map[overview.Level]lipgloss.Style{overview.OK: st.Good, overview.Warn: st.Warn, overview.Critical: st.Error}[b.Level()]
		used = c.Render(used)
	}
	return used + st.Faint.Render(strings.Repeat(empty, w-filled))
}

func (m Model) fleetLines(w int) []string {
	st := m.deps.Styles
	if m.fleet == nil {
		return []string{"", st.Faint.Render("  reading every cloud, project and region…")}
	}
	scopeW := 12
	for _, f := range m.fleet {
		scopeW = max(scopeW, ansi.StringWidth(m.text("", f.String())))
	}
	scopeW = min(scopeW, max(w/2, 12))
	out := []string{"", st.Header.Render(fmt.Sprintf("  %-*s %-12s %s", scopeW, "Scope", "Fullest", "Use"))}
	for i, f := range m.fleet {
		sc := ansi.Truncate(m.text("", f.String()), scopeW, "…")
		sc += strings.Repeat(" ", scopeW-ansi.StringWidth(sc))
		var rest string
		switch {
		case f.State != overview.Ready:
			rest = st.Error.Render(f.State.String()) + " " + st.Faint.Render(m.masked(termtext.Safe(f.Err)))
		case f.Service == "":
			rest = st.Faint.Render("no limited quota")
		default:
			name := f.Service + " " + quotaName(f.Worst)
			rest = fmt.Sprintf("%-12s %s %s", ansi.Truncate(name, 12, "…"), m.bar(f.Worst, 12), overview.Usage(f.Worst))
		}
		line := ansi.Truncate(sc+" "+rest, w-2, "…")
		if i == m.cursor {
			line = st.Cursor.Render(line)
		}
		out = append(out, "  "+line)
	}
	for _, n := range m.targetNotes {
		out = append(out, "  "+st.Faint.Render("note: "+m.masked(termtext.Safe(n))))
	}
	return out
}

func (m Model) searchLines(w int) []string {
	st := m.deps.Styles
	switch {
	case m.query == "":
		return []string{"", st.Faint.Render("  type a name, an ID or an IP address, then enter")}
	case m.searching:
		return []string{"", st.Faint.Render(fmt.Sprintf("  searching every cloud, project and region for %q…", m.text("", m.query)))}
	}
	out := []string{"", st.Header.Render(fmt.Sprintf("  %d match(es) for %q", len(m.hits), m.text("", m.query)))}
	for i, h := range m.hits {
		name := h.Name
		if name == "" {
			name = h.ID
		}
		line := fmt.Sprintf("%-14s %-24s %-20s %s  %s", h.Kind, m.text("Name", name), m.text("", h.Match), m.text("", h.String()), m.text("ID", h.ID))
		line = ansi.Truncate(line, w-2, "…")
		if i == m.cursor {
			line = st.Cursor.Render(line)
		}
		out = append(out, "  "+line)
	}
	for _, n := range m.searchNotes {
		out = append(out, "  "+st.Faint.Render("note: "+m.masked(termtext.Safe(n))))
	}
	return out
}
