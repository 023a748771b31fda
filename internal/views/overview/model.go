// Package overview is the /overview view: the project's panels (quota
// bars, counts by status, orphans, instance actions, login expiry) drawn
// as they load, the all-clouds fleet (every cloud, project and region,
// fullest quota first) and a global search, where Enter chooses a scope
// the shell then switches to.
//
// The data is internal/overview's; every read goes through the session
// engine (views.Deps.Backend) as a command, never inside Update.
package overview

import (
	"context"
	"encoding/json"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/kriscelmer/os-tui/internal/overview"
	"github.com/kriscelmer/os-tui/internal/views"
	"github.com/kriscelmer/os-tui/tools"
)

// Mode is what the view shows.
type Mode int

// The view's modes.
const (
	Project Mode = iota // the current project's panels
	Fleet               // every reachable scope, fullest first
	Search              // a global search
)

// Options are what the shell gives the view besides Deps.
type Options struct {
	// Scope names the current scope in the title ("devcloud:demo@RegionOne").
	Scope string
	// Targets enumerates every reachable scope (the fleet and search);
	// nil turns both off.
	Targets func(ctx context.Context) ([]overview.Target, []string)
	// Mask is the session's masker's Cell; the p key turns masking on and
	// off with it. Nil: no privacy key.
	Mask func(column, text string) string
	// Private starts with masking on (--privacy).
	Private bool
	// Start is the mode to open in.
	Start Mode
}

// Model is the overview view.
type Model struct {
	deps views.Deps
	opts Options
	mode Mode
	ov   *overview.Overview

	panels  map[overview.ID]overview.Panel
	loading int
	warmed  bool
	frame   int
	started time.Time
	// Took is how long the panels took to load, once all have.
	Took time.Duration

	width, height int
	scroll        int
	private       bool

	// fleet and search state
	targets      []overview.Target
	targetNotes  []string
	fleet        []overview.Fullness
	fleetLoading bool
	hits         []overview.Hit
	searchNotes  []string
	searching    bool
	input        views.LineInput
	typing       bool
	query        string
	cursor       int

	// Chosen is the scope the person picked with Enter (fleet or search);
	// the shell switches there when the view closes.
	Chosen *overview.Scope

	keys keyMap
}

type keyMap struct {
	quit, refresh, privacy, fleet, search, project, up, down, enter, back key.Binding
}

func newKeys() keyMap {
	return keyMap{
		quit:    views.Binding("q", "quit", "q", "ctrl+c"),
		refresh: views.Binding("r", "refresh", "r"),
		privacy: views.Binding("p", "privacy", "p"),
		fleet:   views.Binding("a", "all clouds", "a"),
		search:  views.Binding("/", "search", "/"),
		project: views.Binding("o", "this project", "o"),
		up:      views.Binding("↑/k", "up", "up", "k"),
		down:    views.Binding("↓/j", "down", "down", "j"),
		enter:   views.Binding("enter", "switch there", "enter"),
		back:    views.Binding("esc", "back", "esc"),
	}
}

// New makes the view; it starts loading in Init.
func New(d views.Deps, opts Options) Model {
	m := Model{deps: d, opts: opts, mode: opts.Start, private: opts.Private, keys: newKeys()}
	m.input.Prompt = "search: "
	m.reset()
	return m
}

// reset starts the project's panels over (r).
func (m *Model) reset() {
	m.ov = overview.New(m.reader(), overview.Options{Now: m.deps.Clock})
	m.panels = map[overview.ID]overview.Panel{}
	for _, s := range overview.Specs() {
		m.panels[s.ID] = overview.Panel{Spec: s, State: overview.Loading}
	}
	m.loading = len(overview.Specs())
	m.warmed = false
	m.Took = 0
	m.started = m.deps.Clock()
}

// reader is the engine's read path as the overview package reads.
func (m Model) reader() overview.Reader {
	b := m.deps.Backend
	return func(ctx context.Context, tool string, args map[string]any) (*tools.Result, error) {
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
}

func (m Model) ctx() context.Context {
	if m.deps.Ctx != nil {
		return m.deps.Ctx
	}
	return context.Background()
}

// Messages: each answers a command started by the view.
type (
	warmMsg struct {
		ov  *overview.Overview
		err error
	}
	panelMsg struct {
		ov *overview.Overview
		p  overview.Panel
	}
	tickMsg   struct{}
	targetMsg struct {
		targets []overview.Target
		notes   []string
	}
	fleetMsg  struct{ rows []overview.Fullness }
	searchMsg struct {
		query string
		hits  []overview.Hit
		notes []string
	}
)

const tickEvery = 120 * time.Millisecond

// tick turns the spinner; tests replace it.
var tick = func() tea.Cmd {
	return tea.Tick(tickEvery, func(time.Time) tea.Msg { return tickMsg{} })
}

// Init paints at once: the panels start as spinners, the first read
// (which logs in) runs alone, then the panels load in parallel.
func (m Model) Init() tea.Cmd {
	switch m.mode {
	case Fleet:
		return tea.Batch(m.loadTargets(), tick())
	case Search:
		return nil
	}
	return tea.Batch(m.warm(), tick())
}

func (m *Model) warm() tea.Cmd {
	ov, ctx := m.ov, m.ctx()
	return func() tea.Msg { return warmMsg{ov: ov, err: ov.Warm(ctx)} }
}

func (m Model) loadPanels() tea.Cmd {
	ov, ctx := m.ov, m.ctx()
	var cmds []tea.Cmd
	for _, s := range overview.Specs() {
		id := s.ID
		cmds = append(cmds, func() tea.Msg { return panelMsg{ov: ov, p: ov.Load(ctx, id)} })
	}
	return tea.Batch(cmds...)
}

func (m Model) loadTargets() tea.Cmd {
	if m.opts.Targets == nil {
		return nil
	}
	f, ctx := m.opts.Targets, m.ctx()
	return func() tea.Msg {
		t, n := f(ctx)
		return targetMsg{targets: t, notes: n}
	}
}

func (m Model) loadFleet() tea.Cmd {
	targets, ctx := m.targets, m.ctx()
	return func() tea.Msg { return fleetMsg{rows: overview.Fleet(ctx, targets, 8)} }
}

func (m Model) runSearch(q string) tea.Cmd {
	targets, ctx := m.targets, m.ctx()
	return func() tea.Msg {
		hits, notes := overview.Search(ctx, targets, q, 8)
		return searchMsg{query: q, hits: hits, notes: notes}
	}
}

// busy reports whether anything is loading (the spinner turns).
func (m Model) busy() bool {
	switch m.mode {
	case Fleet:
		return m.fleetLoading || m.targets == nil && m.opts.Targets != nil
	case Search:
		return m.searching
	}
	return m.loading > 0
}

// Update handles keys and answers; it does no I/O.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		return m, nil
	case tickMsg:
		if !m.busy() {
			return m, nil // idle: no more ticks, no CPU
		}
		m.frame++
		return m, tick()
	case warmMsg:
		if msg.ov != m.ov {
			return m, nil // an answer from before a refresh
		}
		m.warmed = true
		if msg.err != nil {
			st, why := overview.Classify(msg.err)
			for id, p := range m.panels {
				p.State, p.Err = st, why
				m.panels[id] = p
			}
			m.loading = 0
			return m, nil
		}
		return m, m.loadPanels()
	case panelMsg:
		if msg.ov != m.ov {
			return m, nil
		}
		m.panels[msg.p.ID] = msg.p
		m.loading--
		if m.loading == 0 {
			m.Took = m.deps.Clock().Sub(m.started)
		}
		return m, nil
	case targetMsg:
		m.targets, m.targetNotes = msg.targets, msg.notes
		if m.targets == nil {
			m.targets = []overview.Target{}
		}
		switch {
		case m.mode == Fleet:
			m.fleetLoading = true
			return m, tea.Batch(m.loadFleet(), tick())
		case m.mode == Search && m.query != "":
			return m, tea.Batch(m.runSearch(m.query), tick())
		}
		return m, nil
	case fleetMsg:
		m.fleet, m.fleetLoading = msg.rows, false
		m.cursor = 0
		return m, nil
	case searchMsg:
		if msg.query != m.query {
			return m, nil
		}
		m.hits, m.searchNotes, m.searching = msg.hits, msg.notes, false
		m.cursor = 0
		return m, nil
	case tea.KeyPressMsg:
		return m.key(msg)
	}
	return m, nil
}

func (m Model) key(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	if m.typing {
		switch msg.String() {
		case "esc":
			m.typing = false
			if m.query == "" {
				m.mode = Project
			}
			return m, nil
		case "enter":
			m.typing = false
			m.query = m.input.Value
			if m.query == "" {
				return m, nil
			}
			m.searching, m.hits = true, nil
			if m.targets == nil {
				return m, tea.Batch(m.loadTargets(), tick())
			}
			return m, tea.Batch(m.runSearch(m.query), tick())
		case "ctrl+c":
			return m, tea.Quit
		}
		m.input.Update(msg)
		return m, nil
	}
	k := m.keys
	switch {
	case key.Matches(msg, k.quit):
		return m, tea.Quit
	case key.Matches(msg, k.back):
		if m.mode != Project {
			m.mode, m.cursor = Project, 0
			if m.loading > 0 && !m.warmed {
				return m, tea.Batch(m.warm(), tick())
			}
			return m, nil
		}
		return m, tea.Quit
	case key.Matches(msg, k.privacy) && m.opts.Mask != nil:
		m.private = !m.private
		return m, nil
	case key.Matches(msg, k.refresh):
		switch m.mode {
		case Project:
			m.reset()
			return m, tea.Batch(m.warm(), tick())
		case Fleet:
			if m.targets != nil {
				m.fleetLoading = true
				return m, tea.Batch(m.loadFleet(), tick())
			}
		case Search:
			if m.query != "" && m.targets != nil {
				m.searching = true
				return m, tea.Batch(m.runSearch(m.query), tick())
			}
		}
		return m, nil
	case key.Matches(msg, k.fleet) && m.opts.Targets != nil:
		m.mode, m.cursor = Fleet, 0
		if m.targets == nil {
			return m, tea.Batch(m.loadTargets(), tick())
		}
		if m.fleet == nil && !m.fleetLoading {
			m.fleetLoading = true
			return m, tea.Batch(m.loadFleet(), tick())
		}
		return m, nil
	case key.Matches(msg, k.search) && m.opts.Targets != nil:
		m.mode, m.typing, m.cursor = Search, true, 0
		m.input.Value = m.query
		return m, nil
	case key.Matches(msg, k.project):
		m.mode, m.cursor = Project, 0
		return m, nil
	case key.Matches(msg, k.up):
		if m.mode == Project {
			m.scroll = max(m.scroll-1, 0)
		} else {
			m.cursor = max(m.cursor-1, 0)
		}
		return m, nil
	case key.Matches(msg, k.down):
		if m.mode == Project {
			m.scroll++
		} else {
			m.cursor = min(m.cursor+1, max(m.rows()-1, 0))
		}
		return m, nil
	case key.Matches(msg, k.enter):
		switch {
		case m.mode == Fleet && m.cursor < len(m.fleet) && m.fleet[m.cursor].State == overview.Ready:
			sc := m.fleet[m.cursor].Scope
			m.Chosen = &sc
			return m, tea.Quit
		case m.mode == Search && m.cursor < len(m.hits):
			sc := m.hits[m.cursor].Scope
			m.Chosen = &sc
			return m, tea.Quit
		}
	}
	return m, nil
}

// rows is how many rows the cursor moves over.
func (m Model) rows() int {
	if m.mode == Fleet {
		return len(m.fleet)
	}
	return len(m.hits)
}

// Panels are the panels as they stand (tests, the shell's measurement).
func (m Model) Panels() []overview.Panel {
	out := make([]overview.Panel, 0, len(m.panels))
	for _, s := range overview.Specs() {
		out = append(out, m.panels[s.ID])
	}
	return out
}

// Stats are the reads the panels made, slowest first.
func (m Model) Stats() []overview.ReadStat { return m.ov.Stats() }

// Reopen shows the view again (/view) in the mode it was left in, with
// its panels read afresh.
func (m Model) Reopen(d views.Deps) tea.Model {
	d.Mask = nil
	n := New(d, m.opts)
	n.mode, n.private = m.mode, m.private
	n.targets, n.targetNotes, n.query, n.hits = m.targets, m.targetNotes, m.query, m.hits
	n.fleet = m.fleet
	n.width, n.height = m.width, m.height
	return n
}
