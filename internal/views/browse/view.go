package browse

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"gopkg.in/yaml.v3"

	"github.com/kriscelmer/os-tui/internal/render"
	"github.com/kriscelmer/os-tui/internal/views"
	"github.com/kriscelmer/os-tui/tools"
)

// View implements tea.Model.
func (m Model) View() tea.View {
	v := tea.NewView(m.Content())
	v.WindowTitle = "ostui browse"
	return v
}

// Content is the screen as text, exactly width × height cells at most.
func (m Model) Content() string {
	if m.review != nil {
		return m.review.Content()
	}
	st := m.deps.Styles
	p := m.top()
	h := m.tableHeight()
	p.clamp(h)

	pane := m.showDetail || m.mode == modeMenu || m.mode == modeColumns || m.mode == modeHelp
	tableW := m.width
	paneW := 0
	if pane {
		paneW = max(28, m.width*2/5)
		tableW = max(10, m.width-paneW-3)
	}

	lines := make([]string, 0, m.height)
	lines = append(lines, views.Fit(m.titleLine(), m.width))
	cols, widths := p.layout(tableW)
	table := make([]string, 0, h+1)
	table = append(table, m.header(cols, widths))
	table = append(table, m.rows(cols, widths, h)...)
	for len(table) < h+1 {
		table = append(table, "")
	}
	var right []string
	if pane {
		right = m.pane(paneW, h+1)
	}
	for i, l := range table {
		if pane {
			r := ""
			if i < len(right) {
				r = right[i]
			}
			l = views.Pad(l, tableW) + " " + st.Faint.Render("│") + " " + views.Fit(r, paneW)
		}
		lines = append(lines, l)
	}
	lines = append(lines, views.Fit(m.statusLine(), m.width), m.helpBar())
	return strings.Join(lines, "\n")
}

func (m Model) titleLine() string {
	st := m.deps.Styles
	p := m.top()
	var crumbs []string
	for _, q := range m.stack {
		crumbs = append(crumbs, q.title)
	}
	left := st.Title.Render(strings.Join(crumbs, " › "))
	if p.list != nil {
		count := fmt.Sprintf(" (%d)", len(p.base))
		if p.filter != "" {
			count = fmt.Sprintf(" (%d of %d)", len(p.rows), len(p.base))
		}
		left += st.Faint.Render(count)
	}
	if p.filter != "" && m.mode != modeFilter {
		left += "  /" + p.filter
	}
	if n := len(p.marked); n > 0 {
		left += "  " + st.Marked.Render(fmt.Sprintf("%d marked", n))
	}
	var right []string
	switch {
	case p.loading && p.list == nil:
		right = append(right, st.Faint.Render("reading…"))
	case p.loading:
		right = append(right, st.Faint.Render("refreshing… (shown: "+p.at.Local().Format("15:04:05")+")"))
	case !p.at.IsZero():
		right = append(right, st.Faint.Render("refreshed "+p.at.Local().Format("15:04:05")))
	}
	if m.deps.Backend.ReadOnly() {
		right = append(right, st.Badge.Render(" READ-ONLY "))
	}
	r := strings.Join(right, " ")
	gap := m.width - ansi.StringWidth(left) - ansi.StringWidth(r)
	if gap < 1 {
		return left + " " + r
	}
	return left + strings.Repeat(" ", gap) + r
}

func (m Model) header(cols, widths []int) string {
	st := m.deps.Styles
	p := m.top()
	if p.list == nil {
		return ""
	}
	var b strings.Builder
	b.WriteString("  ")
	for i, c := range cols {
		name := p.list.Columns[c].Name
		if c == p.sortCol {
			if p.desc {
				name += " ▼"
			} else {
				name += " ▲"
			}
		}
		if i > 0 {
			b.WriteString("  ")
		}
		b.WriteString(cell(name, widths[i]))
	}
	return st.Header.Render(b.String())
}

// rows draws the h rows in the window: only those, whatever the list's
// length.
func (m Model) rows(cols, widths []int, h int) []string {
	st := m.deps.Styles
	p := m.top()
	switch {
	case p.list == nil && p.err != nil:
		return []string{st.Error.Render("error: ") + m.deps.Text("", firstLine(p.err.Error()))}
	case p.list == nil:
		return []string{st.Faint.Render("reading " + p.res.List.Slash() + "…")}
	case len(p.rows) == 0 && p.filter != "":
		return []string{st.Faint.Render("nothing matches /" + p.filter + " (Esc clears the filter)")}
	case len(p.rows) == 0:
		return []string{st.Faint.Render("(none)")}
	}
	out := make([]string, 0, h)
	var b strings.Builder
	for i := p.top; i < len(p.rows) && i < p.top+h; i++ {
		r := p.rows[i]
		cur := i == p.cursor
		b.Reset()
		if p.marked[p.rowKey(r)] {
			b.WriteString("● ")
		} else {
			b.WriteString("  ")
		}
		for j, c := range cols {
			if j > 0 {
				b.WriteString("  ")
			}
			s := p.cells[r][c]
			w := widths[j]
			if !cur && p.list.Columns[c].Kind == tools.Status && textWidth(s) <= w {
				b.WriteString(m.paintStatus(s))
				b.WriteString(strings.Repeat(" ", w-textWidth(s)))
				continue
			}
			b.WriteString(cell(s, w))
		}
		line := b.String()
		switch {
		case cur:
			line = st.Cursor.Render(line)
		case p.marked[p.rowKey(r)]:
			line = st.Marked.Render(line)
		}
		out = append(out, line)
	}
	return out
}

// pane is the right-hand side: a menu, the column chooser, the keys, or
// the detail of the row under the cursor.
func (m Model) pane(w, h int) []string {
	st := m.deps.Styles
	p := m.top()
	var out []string
	switch m.mode {
	case modeMenu:
		out = append(out, st.Title.Render(m.menuTitle), "")
		for i, it := range m.menu {
			label := it.label
			if it.key != "" {
				label = it.key + "  " + label
			}
			if i == m.menuSel {
				label = st.Selected.Render(label)
			}
			out = append(out, label)
		}
		return out
	case modeColumns:
		out = append(out, st.Title.Render("columns"), "")
		for i, c := range p.list.Columns {
			mark := "[x] "
			if p.hidden[i] {
				mark = "[ ] "
			}
			l := mark + c.Name
			if i == m.colSel {
				l = st.Selected.Render(l)
			}
			out = append(out, l)
		}
		return out
	case modeHelp:
		return helpLines(st, p.res)
	}
	r := p.current()
	if r < 0 {
		return nil
	}
	d, read := m.details[m.detailKey()]
	title := p.res.Noun + " " + p.cells[r][p.idCol]
	if c := columnIndex(p.list.Columns, "Name"); c >= 0 && p.cells[r][c] != "" {
		title = p.res.Noun + " " + p.cells[r][c]
	}
	out = append(out, st.Title.Render(views.Fit(title, w)))
	var fields []tools.Field
	switch {
	case read && d.rec != nil:
		fields = d.rec.Fields
	default:
		for c, col := range p.list.Columns {
			fields = append(fields, tools.Field{Name: col.Name, Value: p.list.Rows[r][c], Kind: col.Kind})
		}
		switch {
		case read && d.err != nil:
			out = append(out, st.Error.Render("show: ")+m.deps.Text("", firstLine(d.err.Error())))
		case p.res.Show != nil:
			out = append(out, st.Faint.Render("(the list's row; reading the rest…)"))
		}
	}
	var body []string
	if m.yaml {
		body = yamlLines(m, fields)
	} else {
		body = summaryLines(m, fields, w)
	}
	body = append(body, m.sparkLines(w)...)
	// ctrl+d / ctrl+u scroll a record longer than the pane.
	room := max(h-len(out), 1)
	off := min(m.detailScroll, max(len(body)-room, 0))
	out = append(out, body[off:]...)
	if len(out) > h {
		out = out[:h]
	}
	return out
}

func summaryLines(m Model, fields []tools.Field, w int) []string {
	st := m.deps.Styles
	nameW := 0
	for _, f := range fields {
		nameW = max(nameW, min(textWidth(f.Name), 22))
	}
	var out []string
	for _, f := range fields {
		v := m.deps.Text(f.Name, render.CellText(f.Value))
		if f.Kind == tools.Status {
			v = st.Status(v)
		}
		out = append(out, views.Fit(st.Faint.Render(cell(f.Name, nameW))+" "+v, w))
	}
	return out
}

func yamlLines(m Model, fields []tools.Field) []string {
	doc := &yaml.Node{Kind: yaml.MappingNode}
	for _, f := range fields {
		var v yaml.Node
		if err := v.Encode(f.Value); err != nil {
			continue
		}
		doc.Content = append(doc.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: f.Name}, &v)
	}
	b, err := yaml.Marshal(doc)
	if err != nil {
		return []string{m.deps.Text("", err.Error())}
	}
	var out []string
	for _, l := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
		out = append(out, m.deps.Text("", l))
	}
	return out
}

func helpLines(st views.Styles, r *Resource) []string {
	out := []string{st.Title.Render("keys"), ""}
	for _, kv := range [][2]string{
		{"↑↓ j k pgup pgdn g G", "move"}, {"← → h l", "scroll columns"},
		{"/", "filter (any column)"}, {"s / <", "sort by next / previous column"}, {"-", "reverse the sort"},
		{"c", "choose columns"}, {"d", "detail pane"}, {"y", "YAML / summary"}, {"ctrl+d ctrl+u", "scroll the detail"},
		{"enter", "follow a relation"}, {"esc", "back (at the first list: leave)"},
		{"space", "mark a row"}, {"ctrl+a", "mark all shown / none"},
		{"a", "actions"}, {":", "go to a resource (Tab completes)"}, {"r", "refresh"}, {"q", "leave"},
	} {
		out = append(out, st.Key.Render(kv[0])+"  "+kv[1])
	}
	if len(r.Actions) > 0 {
		out = append(out, "", st.Title.Render("actions on "+r.Noun))
		for _, a := range r.Actions {
			out = append(out, st.Key.Render(a.Key)+"  "+a.Verb+" "+st.Effect(a.Tool.Effect.String()))
		}
	}
	return out
}

func (m Model) statusLine() string {
	st := m.deps.Styles
	switch m.mode {
	case modeFilter:
		return m.input.View(st)
	case modePalette:
		line := m.input.View(st)
		if len(m.matches) > 0 {
			line += "  " + st.Faint.Render(strings.Join(m.matches[:min(len(m.matches), 10)], " "))
		}
		return line
	}
	p := m.top()
	switch {
	case m.busy != "":
		return st.Warn.Render(m.busy)
	case m.status != "":
		if strings.HasPrefix(m.status, "error") {
			return st.Error.Render(m.status)
		}
		return m.status
	case p.err != nil && p.list != nil:
		return st.Error.Render("refresh failed: ") + m.deps.Text("", firstLine(p.err.Error()))
	}
	return ""
}

// The keys of the help bar, made when drawn: nothing is built at init.
func keyMove() key.Binding    { return views.Binding("↑↓", "move", "up", "down") }
func keyFilter() key.Binding  { return views.Binding("/", "filter", "/") }
func keySort() key.Binding    { return views.Binding("s", "sort", "s") }
func keyCols() key.Binding    { return views.Binding("c", "columns", "c") }
func keyDetail() key.Binding  { return views.Binding("d", "detail", "d") }
func keyEnter() key.Binding   { return views.Binding("enter", "related", "enter") }
func keyBack() key.Binding    { return views.Binding("esc", "back", "esc") }
func keyMark() key.Binding    { return views.Binding("space", "mark", "space") }
func keyActions() key.Binding { return views.Binding("a", "actions", "a") }
func keyPalette() key.Binding { return views.Binding(":", "go to", ":") }
func keyHelp() key.Binding    { return views.Binding("?", "keys", "?") }
func keyQuit() key.Binding    { return views.Binding("q", "leave", "q") }
func keyApply() key.Binding   { return views.Binding("enter", "keep", "enter") }
func keyClear() key.Binding   { return views.Binding("esc", "clear", "esc") }
func keyTab() key.Binding     { return views.Binding("tab", "complete", "tab") }
func keyOpen() key.Binding    { return views.Binding("enter", "open", "enter") }
func keyCancel() key.Binding  { return views.Binding("esc", "cancel", "esc") }
func keyToggle() key.Binding  { return views.Binding("space", "show/hide", "space") }
func keyChoose() key.Binding  { return views.Binding("enter", "choose", "enter") }
func keyAnyKey() key.Binding  { return views.Binding("any key", "back", "esc") }

func (m Model) bindings() []key.Binding {
	switch m.mode {
	case modeFilter:
		return []key.Binding{keyApply(), keyClear()}
	case modePalette:
		return []key.Binding{keyTab(), keyOpen(), keyCancel()}
	case modeColumns:
		return []key.Binding{keyMove(), keyToggle(), keyBack()}
	case modeMenu:
		return []key.Binding{keyMove(), keyChoose(), keyBack()}
	case modeHelp:
		return []key.Binding{keyAnyKey()}
	}
	p := m.top()
	back := keyBack()
	if len(m.stack) == 1 && p.filter == "" {
		back = views.Binding("esc", "leave", "esc")
	}
	acts := keyActions()
	acts.SetEnabled(len(p.res.Actions) > 0 && !m.deps.Backend.ReadOnly())
	mark := keyMark()
	mark.SetEnabled(acts.Enabled())
	bs := []key.Binding{keyMove(), keyFilter(), keySort(), keyDetail(), keyEnter(), back, mark, acts, keyPalette(), keyHelp(), keyQuit(), keyCols()}
	// The resource's own action keys, as many as fit (? lists them all).
	if acts.Enabled() {
		for _, a := range p.res.Actions {
			if a.Key != "" {
				bs = append(bs, views.Binding(a.Key, a.Verb, a.Key))
			}
		}
	}
	return bs
}

// paintStatus paints a status value, remembering each: a list holds a few
// distinct statuses, and painting through lipgloss costs microseconds.
func (m Model) paintStatus(s string) string {
	if p, ok := m.paint[s]; ok {
		return p
	}
	p := m.deps.Styles.Status(s)
	if len(m.paint) < 256 {
		m.paint[s] = p
	}
	return p
}

// helpBar is the bottom line, drawn once per state rather than per
// frame.
func (m Model) helpBar() string {
	p := m.top()
	k := fmt.Sprint(m.mode, m.width, p.res.Noun, len(m.stack), p.filter == "", m.deps.Backend.ReadOnly())
	if h, ok := m.helpCache[k]; ok {
		return h
	}
	h := views.HelpBar(m.deps.Styles, m.width, m.bindings()...)
	if len(m.helpCache) > 64 {
		clear(m.helpCache)
	}
	m.helpCache[k] = h
	return h
}

func firstLine(s string) string {
	first, _, _ := strings.Cut(s, "\n")
	return first
}

// sparkLines draws the metrics of the server under the cursor, one
// sparkline each with its last value, below its record.
func (m Model) sparkLines(w int) []string {
	l := m.sparks[m.detailKey()]
	if l == nil || len(l.Rows) == 0 {
		return nil
	}
	rows := tools.RowsOf(l)
	out := []string{"", m.deps.Styles.Faint.Render("metrics, the last hour")}
	for _, row := range l.Rows {
		line := m.deps.Text("metric", rows.Str(row, "metric")) + " " + m.deps.Text("sparkline", rows.Str(row, "sparkline"))
		if last := rows.Str(row, "last"); last != "" {
			line += "  last " + m.deps.Text("last", last)
			if unit := rows.Str(row, "unit"); unit != "" {
				line += " " + m.deps.Text("unit", unit)
			}
		}
		out = append(out, views.Fit(line, w))
	}
	return out
}
