// Package topoview is the navigable topology view (/topology --view):
// each network with what hangs on it (subnets, routers, servers and
// floating IPs), folded and unfolded with Enter, walked with the arrows;
// m and d show the same graph as Mermaid or Graphviz DOT to copy out.
//
// Its reads go through the session engine (views.Deps.Backend) as one
// command; the graph is internal/topology's, the same the REPL prints.
package topoview

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/kriscelmer/os-tui/internal/termtext"
	"github.com/kriscelmer/os-tui/internal/topology"
	"github.com/kriscelmer/os-tui/internal/views"
	"github.com/kriscelmer/os-tui/tools"
)

// Pane is what the view shows.
type Pane int

// The panes.
const (
	Tree Pane = iota
	Mermaid
	DOT
)

// Model is the topology view.
type Model struct {
	deps    views.Deps
	g       *topology.Graph
	skipped []string
	err     error
	loading bool

	open   map[int]bool // networks unfolded, by index
	cursor int          // a line of the tree
	scroll int
	pane   Pane

	width, height int
	keys          keyMap
}

type keyMap struct {
	up, down, toggle, all, mermaid, dot, tree, refresh, quit key.Binding
}

// New makes the view; Init reads the lists.
func New(d views.Deps) Model {
	return Model{deps: d, loading: true, open: map[int]bool{}, keys: keyMap{
		up:      views.Binding("↑/k", "up", "up", "k"),
		down:    views.Binding("↓/j", "down", "down", "j"),
		toggle:  views.Binding("enter", "fold", "enter", "space"),
		all:     views.Binding("a", "unfold all", "a"),
		mermaid: views.Binding("m", "mermaid", "m"),
		dot:     views.Binding("d", "dot", "d"),
		tree:    views.Binding("t", "tree", "t", "esc"),
		refresh: views.Binding("r", "refresh", "r"),
		quit:    views.Binding("q", "quit", "q", "ctrl+c"),
	}}
}

type loadedMsg struct {
	g       *topology.Graph
	skipped []string
	err     error
}

// Init reads the lists through the engine.
func (m Model) Init() tea.Cmd { return m.load() }

func (m Model) load() tea.Cmd {
	b, ctx := m.deps.Backend, m.deps.Ctx
	if ctx == nil {
		ctx = context.Background()
	}
	read := func(ctx context.Context, tool string, args map[string]any) (*tools.Result, error) {
		raw := tools.Args("{}")
		if args != nil {
			data, err := json.Marshal(args)
			if err != nil {
				return nil, err
			}
			raw = data
		}
		return b.Read(ctx, tool, raw)
	}
	return func() tea.Msg {
		in, skipped, err := topology.Load(ctx, read, nil)
		if err != nil {
			return loadedMsg{err: err}
		}
		return loadedMsg{g: topology.Build(in), skipped: skipped}
	}
}

// Reopen shows the view again (/view) with the graph read afresh and the
// same networks unfolded.
func (m Model) Reopen(d views.Deps) tea.Model {
	n := New(d)
	n.open, n.pane, n.width, n.height = m.open, m.pane, m.width, m.height
	return n
}

// Update handles keys and the graph's arrival; no I/O.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
	case loadedMsg:
		m.loading = false
		m.g, m.skipped, m.err = msg.g, msg.skipped, msg.err
		if m.g != nil && len(m.open) == 0 && len(m.g.Networks) <= 3 {
			for i := range m.g.Networks {
				m.open[i] = true
			}
		}
		m.cursor = min(m.cursor, max(len(m.lines())-1, 0))
	case tea.KeyPressMsg:
		k := m.keys
		lines := m.lines()
		switch {
		case key.Matches(msg, k.quit):
			return m, tea.Quit
		case key.Matches(msg, k.tree):
			if m.pane == Tree && msg.String() == "esc" {
				return m, tea.Quit
			}
			m.pane, m.scroll = Tree, 0
		case key.Matches(msg, k.mermaid):
			m.pane, m.scroll = Mermaid, 0
		case key.Matches(msg, k.dot):
			m.pane, m.scroll = DOT, 0
		case key.Matches(msg, k.refresh):
			m.loading = true
			return m, m.load()
		case key.Matches(msg, k.up):
			if m.pane == Tree {
				m.cursor = max(m.cursor-1, 0)
			} else {
				m.scroll = max(m.scroll-1, 0)
			}
		case key.Matches(msg, k.down):
			if m.pane == Tree {
				m.cursor = min(m.cursor+1, max(len(lines)-1, 0))
			} else {
				m.scroll++
			}
		case key.Matches(msg, k.toggle) && m.pane == Tree:
			if m.cursor < len(lines) && lines[m.cursor].network >= 0 {
				i := lines[m.cursor].network
				m.open[i] = !m.open[i]
				if !m.open[i] {
					// Stay on the network folded.
					for j, l := range m.lines() {
						if l.network == i && l.head {
							m.cursor = j
						}
					}
				}
			}
		case key.Matches(msg, k.all) && m.g != nil:
			all := true
			for i := range m.g.Networks {
				all = all && m.open[i]
			}
			for i := range m.g.Networks {
				m.open[i] = !all
			}
			m.cursor = min(m.cursor, max(len(m.lines())-1, 0))
		}
	}
	return m, nil
}

// line is one line of the tree.
type line struct {
	text    string
	network int // the network it belongs to, -1 for none
	head    bool
}

func (m Model) lines() []line {
	if m.g == nil {
		return nil
	}
	var out []line
	for i, n := range m.g.Networks {
		items := topology.Items(m.g, n)
		mark := "▸"
		if m.open[i] {
			mark = "▾"
		}
		if len(items) == 0 {
			mark = " "
		}
		head := mark + " network " + termtext.Safe(n.Label())
		if n.External {
			head += " (external)"
		}
		if !m.open[i] && len(items) > 0 {
			head += fmt.Sprintf("  %d item(s)", len(items))
		}
		out = append(out, line{text: head, network: i, head: true})
		if !m.open[i] {
			continue
		}
		for j, it := range items {
			branch := "├─ "
			if j == len(items)-1 {
				branch = "└─ "
			}
			out = append(out, line{text: "    " + branch + it, network: i})
		}
	}
	if len(m.g.Unplaced) > 0 {
		out = append(out, line{text: "  servers on no network", network: -1})
		for _, s := range m.g.Unplaced {
			out = append(out, line{text: "    server " + termtext.Safe(s.Label()), network: -1})
		}
	}
	return out
}

// View draws the tree (or an export) at the window's size.
func (m Model) View() tea.View {
	w, h := m.width, m.height
	if w <= 0 || h <= 0 {
		w, h = 80, 24
	}
	st := m.deps.Styles
	title := st.Title.Render("Topology")
	switch m.pane {
	case Mermaid:
		title += " " + st.Faint.Render("as Mermaid (paste into a Mermaid viewer)")
	case DOT:
		title += " " + st.Faint.Render("as Graphviz DOT (dot -Tsvg)")
	}
	if m.loading {
		title += " " + st.Faint.Render("reading…")
	}
	room := max(h-2, 1)
	var body []string
	switch {
	case m.err != nil:
		body = []string{st.Error.Render(m.mask(termtext.Safe(m.err.Error())))}
	case m.g == nil:
	case m.pane == Tree:
		lines := m.lines()
		first := 0
		if m.cursor >= room {
			first = m.cursor - room + 1
		}
		for i := first; i < len(lines) && len(body) < room; i++ {
			text := ansi.Truncate(m.mask(lines[i].text), w, "…")
			switch {
			case i == m.cursor:
				text = st.Cursor.Render(text)
			case lines[i].head:
				text = st.Header.Render(text)
			}
			body = append(body, text)
		}
		if len(lines) == 0 {
			body = append(body, st.Faint.Render("no networks"))
		}
		for _, s := range m.skipped {
			if len(body) < room {
				body = append(body, st.Faint.Render(ansi.Truncate("left out "+m.mask(termtext.Safe(s)), w, "…")))
			}
		}
	default:
		text := topology.Mermaid(m.g)
		if m.pane == DOT {
			text = topology.DOT(m.g)
		}
		all := strings.Split(strings.TrimRight(m.mask(text), "\n"), "\n")
		first := min(m.scroll, max(len(all)-room, 0))
		for _, l := range all[first:] {
			if len(body) == room {
				break
			}
			body = append(body, ansi.Truncate(l, w, "…"))
		}
	}
	for len(body) < room {
		body = append(body, "")
	}
	k := m.keys
	k.toggle.SetEnabled(m.pane == Tree)
	k.all.SetEnabled(m.pane == Tree)
	k.mermaid.SetEnabled(m.pane != Mermaid)
	k.dot.SetEnabled(m.pane != DOT)
	k.tree.SetEnabled(m.pane != Tree)
	help := views.HelpBar(st, w, k.up, k.down, k.toggle, k.all, k.mermaid, k.dot, k.tree, k.refresh, k.quit)
	return tea.NewView(strings.Join(append(append([]string{ansi.Truncate(title, w, "…")}, body...), help), "\n"))
}

// mask hides what privacy mode hides.
func (m Model) mask(s string) string {
	if m.deps.Mask != nil {
		return m.deps.Mask("", s)
	}
	return s
}
