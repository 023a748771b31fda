package browse

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/kriscelmer/os-tui/internal/views"
)

func (m Model) key(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	switch m.mode {
	case modeFilter:
		return m.filterKey(msg)
	case modePalette:
		return m.paletteKey(msg)
	case modeColumns:
		return m.columnsKey(msg)
	case modeMenu:
		return m.menuKey(msg)
	case modeHelp:
		m.mode = modeTable
		return m, nil
	}
	p := m.top()
	h := m.tableHeight()
	move := func(d int) (tea.Model, tea.Cmd) {
		p.cursor += d
		p.clamp(h)
		return m, m.cursorMoved()
	}
	switch k := msg.String(); k {
	case "ctrl+c":
		return m, tea.Quit
	case "q":
		if m.busy != "" {
			// Leaving ends the command, which would cancel the plan
			// mid-way.
			m.status = "a plan is running: q again once it is done (ctrl+c leaves now and cancels it)"
			return m, nil
		}
		return m, tea.Quit
	case "esc":
		if len(m.stack) > 1 {
			m.stack = m.stack[:len(m.stack)-1]
			m.status = ""
			return m, m.refresh()
		}
		if p.filter != "" {
			p.filter = ""
			p.refilter()
			p.clamp(h)
			return m, m.cursorMoved()
		}
		if m.busy != "" {
			m.status = "a plan is running: Esc again once it is done (ctrl+c leaves now and cancels it)"
			return m, nil
		}
		return m, tea.Quit
	case "up", "k":
		return move(-1)
	case "down", "j":
		return move(1)
	case "pgup", "ctrl+b":
		return move(-h)
	case "pgdown", "ctrl+f":
		return move(h)
	case "home", "g":
		return move(-len(p.rows))
	case "end", "G":
		return move(len(p.rows))
	case "left", "h":
		p.left = max(p.left-1, 0)
	case "right", "l":
		if p.left < len(p.visibleColumns())-1 {
			p.left++
		}
	case "/":
		m.mode = modeFilter
		m.input = views.LineInput{Prompt: "/", Value: p.filter}
	case ":":
		m.mode = modePalette
		m.input = views.LineInput{Prompt: ":"}
		m.matches = Complete(m.resources, "")
	case "?":
		m.mode = modeHelp
	case "c":
		if p.list != nil {
			m.mode, m.colSel = modeColumns, 0
		}
	case "s", ">":
		// Sort by the next column; s on the last goes back to the
		// list's own order.
		vis := p.visibleColumns()
		i := slices.Index(vis, p.sortCol)
		switch {
		case len(vis) == 0:
		case i+1 >= len(vis):
			p.sortCol = -1
		default:
			p.sortCol = vis[i+1]
		}
		p.resort()
		p.refilter()
		p.clamp(h)
	case "<":
		vis := p.visibleColumns()
		i := slices.Index(vis, p.sortCol)
		switch {
		case len(vis) == 0:
		case i == -1:
			p.sortCol = vis[len(vis)-1]
		case i == 0:
			p.sortCol = -1
		default:
			p.sortCol = vis[i-1]
		}
		p.resort()
		p.refilter()
		p.clamp(h)
	case "-":
		if p.sortCol >= 0 {
			p.desc = !p.desc
			p.resort()
			p.refilter()
			p.clamp(h)
		}
	case "space", "x":
		if k := p.currentKey(); k != "" {
			if p.marked[k] {
				delete(p.marked, k)
			} else {
				p.marked[k] = true
			}
			return move(1)
		}
	case "ctrl+a":
		// Mark every row the filter shows (or clear the marks).
		if len(p.marked) > 0 {
			p.marked = map[string]bool{}
		} else {
			for _, r := range p.rows {
				p.marked[p.rowKey(r)] = true
			}
		}
	case "ctrl+d":
		if m.showDetail {
			m.detailScroll += max(h/2, 1)
		}
	case "ctrl+u":
		m.detailScroll = max(m.detailScroll-max(h/2, 1), 0)
	case "d":
		m.showDetail = !m.showDetail
		return m, m.cursorMoved()
	case "y":
		m.yaml = !m.yaml
		if !m.showDetail {
			m.showDetail = true
			return m, m.cursorMoved()
		}
	case "r", "ctrl+r":
		if !p.loading {
			return m, m.refresh()
		}
	case "enter":
		return m, m.openRelations()
	case "a":
		m.openActions()
	default:
		if a := m.actionOn(k); a != nil {
			return m.run(a)
		}
	}
	return m, nil
}

// actionOn is the action whose key is k on this page.
func (m Model) actionOn(k string) *Action {
	for i, a := range m.top().res.Actions {
		if a.Key == k {
			return &m.top().res.Actions[i]
		}
	}
	return nil
}

func (m Model) filterKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	p := m.top()
	switch msg.String() {
	case "enter":
		m.mode = modeTable
		return m, m.cursorMoved()
	case "esc", "ctrl+c":
		m.mode = modeTable
		p.filter = ""
		p.refilter()
		p.clamp(m.tableHeight())
		return m, m.cursorMoved()
	case "up", "down", "pgup", "pgdown":
		m.mode = modeTable
		return m.key(msg)
	}
	if m.input.Update(msg) {
		p.filter = m.input.Value
		p.refilter()
		p.clamp(m.tableHeight())
	}
	return m, nil
}

func (m Model) paletteKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	switch msg.String() {
	case "esc", "ctrl+c":
		m.mode = modeTable
		return m, nil
	case "tab":
		// Tab completes the common prefix of the candidates; pressed
		// again it steps through them. Typing narrows them anew.
		cur := strings.TrimSpace(m.input.Value)
		switch cp := commonPrefix(m.matches); {
		case len(m.matches) == 0:
		case len(m.matches) == 1:
			m.input.Value = m.matches[0]
		case len(cp) > len(cur):
			m.input.Value = cp
		default:
			m.input.Value = m.matches[(slices.Index(m.matches, cur)+1)%len(m.matches)]
		}
		return m, nil
	case "enter":
		name := strings.TrimSpace(m.input.Value)
		if name == "" && len(m.matches) > 0 {
			name = m.matches[0]
		}
		r := Find(m.resources, name)
		if r == nil && len(m.matches) > 0 {
			r = Find(m.resources, m.matches[0])
		}
		m.mode = modeTable
		if r == nil || r.Needs != "" {
			m.status = fmt.Sprintf("no resource %q: Tab completes names", m.deps.Text("", name))
			return m, nil
		}
		m.stack = m.stack[:0]
		m.push(newPage(r, nil, plural(r.Noun)))
		m.status = ""
		return m, m.refresh()
	}
	if m.input.Update(msg) {
		m.matches = Complete(m.resources, strings.TrimSpace(m.input.Value))
	}
	return m, nil
}

func commonPrefix(ss []string) string {
	if len(ss) == 0 {
		return ""
	}
	p := ss[0]
	for _, s := range ss[1:] {
		for !strings.HasPrefix(s, p) {
			p = p[:len(p)-1]
		}
	}
	return p
}

func (m Model) columnsKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	p := m.top()
	n := len(p.list.Columns)
	switch msg.String() {
	case "up", "k":
		m.colSel = max(m.colSel-1, 0)
	case "down", "j":
		m.colSel = min(m.colSel+1, n-1)
	case "space", "x", "enter":
		p.hidden[m.colSel] = !p.hidden[m.colSel]
		if len(p.visibleColumns()) == 0 {
			p.hidden[m.colSel] = false // one column stays
		}
	case "esc", "c", "q", "ctrl+c":
		m.mode = modeTable
	}
	return m, nil
}

// openRelations shows where Enter leads from the row under the cursor;
// a relation that needs the resource's record waits for it.
func (m *Model) openRelations() tea.Cmd {
	p := m.top()
	r := p.current()
	if r < 0 {
		return nil
	}
	s := subject{id: p.currentKey(), row: p.rowText(r)}
	s.name = s.row("Name")
	if s.name == "" {
		s.name = s.id
	}
	if d, ok := m.details[m.detailKey()]; ok {
		s.rec = d.rec
	}
	rels := relationsOf(p.res.Noun, s, m.resources)
	if len(rels) == 0 {
		m.showDetail = true
		m.status = "no relations from " + p.res.Noun + "; the detail pane shows the resource"
		return m.cursorMoved()
	}
	m.status = ""
	m.menu = m.menu[:0]
	for i := range rels {
		m.menu = append(m.menu, menuItem{label: rels[i].label, rel: &rels[i], subj: s})
	}
	m.menuTitle = fmt.Sprintf("%s %s →", p.res.Noun, m.deps.Text("Name", s.name))
	m.menuSel = 0
	m.mode = modeMenu
	return nil
}

func (m *Model) openActions() {
	p := m.top()
	if len(p.res.Actions) == 0 {
		m.status = "no actions on " + p.res.Noun
		return
	}
	if m.deps.Backend.ReadOnly() {
		m.status = "this session is read-only (--read-only): no changes"
		return
	}
	m.menu = m.menu[:0]
	for i := range p.res.Actions {
		a := &p.res.Actions[i]
		m.menu = append(m.menu, menuItem{label: fmt.Sprintf("%s  [%s]", a.Verb, a.Tool.Effect), key: a.Key, act: a})
	}
	target := p.currentKey()
	if n := len(p.marked); n > 0 {
		target = fmt.Sprintf("%d marked", n)
	}
	m.menuTitle = fmt.Sprintf("act on %s %s:", p.res.Noun, m.deps.Text("", target))
	m.menuSel = 0
	m.mode = modeMenu
}

func (m Model) menuKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	switch k := msg.String(); k {
	case "up", "k":
		m.menuSel = max(m.menuSel-1, 0)
	case "down", "j", "tab":
		m.menuSel = min(m.menuSel+1, len(m.menu)-1)
	case "esc", "q", "ctrl+c":
		m.mode = modeTable
	case "enter", "l", "right":
		m.mode = modeTable
		return m.choose(m.menu[m.menuSel])
	default:
		for _, it := range m.menu {
			if it.key != "" && it.key == k {
				m.mode = modeTable
				return m.choose(it)
			}
		}
	}
	return m, nil
}

// choose follows a relation or runs an action.
func (m Model) choose(it menuItem) (tea.Model, tea.Cmd) {
	if it.act != nil {
		return m.run(it.act)
	}
	rel := it.rel
	if rel.detail && it.subj.rec == nil && m.top().res.Show != nil {
		// The relation needs the resource's record (a port's network):
		// read it, then follow.
		if d, ok := m.details[m.detailKey()]; ok && d.rec != nil {
			it.subj.rec = d.rec
			return m.choose(it)
		}
		m.pendingRel = m.detailKey()
		m.pendingItem = it
		m.status = "reading " + m.top().res.Noun + "…"
		return m, m.readDetail()
	}
	res := Find(m.resources, rel.noun)
	if res == nil {
		return m, nil
	}
	var args []byte
	if rel.args != nil {
		args, _ = json.Marshal(rel.args)
	}
	from := m.top()
	title := fmt.Sprintf("%s of %s %s", rel.label, from.res.Noun, m.deps.Text("Name", it.subj.name))
	np := newPage(res, args, title)
	np.match = rel.match
	m.push(np)
	return m, m.refresh()
}
