// Package browse is the resource browser: every list tool of the
// registry as a table that stays smooth with ten thousand rows (only the
// visible rows are drawn), with a filter, sorting by any column, a column
// chooser, a detail pane following the cursor, relations followed with
// Enter and walked back with Esc, a `:` palette, and actions on keys
// taken from the registry, each a plan reviewed in the plan-review view
// and run by the session engine.
package browse

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/kriscelmer/os-tui/agent/plan"
	"github.com/kriscelmer/os-tui/agent/session"
	"github.com/kriscelmer/os-tui/internal/render"
	"github.com/kriscelmer/os-tui/internal/views"
	"github.com/kriscelmer/os-tui/internal/views/approval"
	"github.com/kriscelmer/os-tui/tools"
)

// refreshEvery is how often the list on screen is read again while the
// view is open: one wake-up per interval, nothing in between.
const refreshEvery = 30 * time.Second

// detailDelay lets the cursor settle before the detail pane reads the
// resource: scrolling through a thousand rows reads none of them.
const detailDelay = 150 * time.Millisecond

type mode int

const (
	modeTable   mode = iota
	modeFilter       // typing after /
	modePalette      // typing after :
	modeColumns      // choosing columns
	modeMenu         // choosing a relation or an action
	modeHelp         // every key
)

// Model is the browser.
type Model struct {
	deps      views.Deps
	cache     *Cache
	resources []*Resource

	stack  []*page
	width  int
	height int
	mode   mode

	input   views.LineInput
	matches []string // palette completions
	colSel  int

	menu      []menuItem
	menuSel   int
	menuTitle string

	showDetail bool
	yaml       bool
	details    map[string]detail // show records by resource key
	// sparks are a server's /metrics answers, by the same key: the
	// detail pane draws them under the record (nil: none to draw).
	sparks    map[string]*tools.List
	detailSeq int
	// detailScroll is the first line of the record shown in the pane.
	detailScroll int
	pendingRel   string   // a row waiting for its record before a relation is followed
	pendingItem  menuItem // the relation chosen

	paint     map[string]string // painted statuses
	helpCache map[string]string // help bars by state

	review     *approval.Model
	status     string // the last outcome, an error
	busy       string // a plan on its way
	refreshSeq int
}

type detail struct {
	rec *tools.Record
	err error
}

type menuItem struct {
	label string
	key   string
	rel   *relation
	act   *Action
	subj  subject
}

// Options open the browser.
type Options struct {
	// Resource is what to show first ("servers", "vol", "floating ip");
	// "" is servers.
	Resource string
	// Cache keeps lists between openings; nil keeps them for this view.
	Cache *Cache
}

// New returns the browser on the resource opts names, or an error naming
// the resources there are.
func New(d views.Deps, opts Options) (Model, error) {
	m := Model{deps: d, cache: opts.Cache, details: map[string]detail{}, sparks: map[string]*tools.List{}, paint: map[string]string{}, helpCache: map[string]string{}, width: 80, height: 24}
	if m.cache == nil {
		m.cache = NewCache()
	}
	m.resources = Resources(d.Backend.Registry())
	name := opts.Resource
	if name == "" {
		name = "servers"
	}
	r := Find(m.resources, name)
	if r == nil || r.Needs != "" {
		return m, fmt.Errorf("no resource %q to browse; try one of: %s", name, strings.Join(Complete(m.resources, "")[:min(12, len(Complete(m.resources, "")))], ", "))
	}
	m.push(newPage(r, nil, plural(r.Noun)))
	return m, nil
}

// Reopen is the browser again (the shell's /view) with a new context:
// the pages, filters and marks are kept, and the list is read again.
func (m Model) Reopen(d views.Deps) tea.Model {
	m.deps = d
	m.paint, m.helpCache = map[string]string{}, map[string]string{}
	m.mode, m.review, m.busy = modeTable, nil, ""
	return m
}

func (m *Model) top() *page { return m.stack[len(m.stack)-1] }

// push puts p on the stack, filled from the cache when it was read
// before.
func (m *Model) push(p *page) {
	if l, at, ok := m.cache.get(p.key()); ok {
		p.setList(m.deps, l, at)
	}
	m.stack = append(m.stack, p)
}

// Init implements tea.Model: read the list on screen.
func (m Model) Init() tea.Cmd { return m.refresh() }

type refreshMsg struct{ seq int }

type detailTickMsg struct{ seq int }

// refresh reads the top page's list in the background.
func (m *Model) refresh() tea.Cmd {
	p := m.top()
	p.loading = true
	m.refreshSeq++
	return m.deps.Read("list "+p.key(), p.res.List.Name, p.args)
}

// tableHeight is the number of rows the table shows.
func (m Model) tableHeight() int { return max(1, m.height-4) }

// Update implements tea.Model.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		if m.review != nil {
			rv, _ := m.review.Update(msg)
			r := rv.(approval.Model)
			m.review = &r
		}
		m.top().clamp(m.tableHeight())
		return m, nil
	case views.ReadMsg:
		return m.read(msg)
	case refreshMsg:
		if msg.seq != m.refreshSeq || m.top().loading {
			return m, nil
		}
		return m, m.refresh()
	case detailTickMsg:
		if msg.seq != m.detailSeq {
			return m, nil
		}
		return m, m.readDetail()
	case approval.RequestMsg:
		rv := approval.New(m.deps, msg)
		r, _ := rv.Update(tea.WindowSizeMsg{Width: m.width, Height: m.height})
		ra := r.(approval.Model)
		m.review = &ra
		return m, nil
	case approval.DecidedMsg:
		m.review = nil
		switch msg.Decision.Verdict {
		case session.Deny:
			m.busy = ""
			m.status = "declined"
		case session.Edit:
			m.busy = "checking the edited plan…"
		default:
			m.busy = strings.Replace(m.busy, "checking", "running", 1)
		}
		return m, msg.Request.Answer(msg.Decision)
	case approval.OutcomeMsg:
		return m.outcome(msg)
	}
	if m.review != nil {
		rv, cmd := m.review.Update(msg)
		r := rv.(approval.Model)
		m.review = &r
		return m, cmd
	}
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		return m.key(msg)
	case tea.MouseWheelMsg:
		p := m.top()
		switch msg.Button {
		case tea.MouseWheelDown:
			p.cursor += 3
		case tea.MouseWheelUp:
			p.cursor -= 3
		}
		p.clamp(m.tableHeight())
		return m, m.cursorMoved()
	case tea.MouseClickMsg:
		p := m.top()
		if row := msg.Y - 2; row >= 0 && row < m.tableHeight() {
			p.cursor = p.top + row
			p.clamp(m.tableHeight())
			return m, m.cursorMoved()
		}
	}
	return m, nil
}

// read takes a list or a show answer.
func (m Model) read(msg views.ReadMsg) (tea.Model, tea.Cmd) {
	if key, ok := strings.CutPrefix(msg.Tag, "show "); ok {
		m.details[key] = detail{rec: recordOf(msg.Result), err: msg.Err}
		if m.pendingRel == key {
			m.pendingRel = ""
			m.status = ""
			it := m.pendingItem
			if msg.Err != nil || recordOf(msg.Result) == nil {
				m.status = "cannot read " + m.top().res.Noun + " to follow " + it.label
				return m, nil
			}
			it.subj.rec = recordOf(msg.Result)
			// Rebuild the relation with the record now known.
			for _, r := range relationsOf(m.top().res.Noun, it.subj, m.resources) {
				if r.label == it.label {
					it.rel = &r
				}
			}
			return m.choose(it)
		}
		return m, nil
	}
	if key, ok := strings.CutPrefix(msg.Tag, "metrics "); ok {
		m.sparks[key] = nil
		if msg.Err == nil && msg.Result != nil {
			m.sparks[key] = msg.Result.List
		}
		return m, nil
	}
	key, ok := strings.CutPrefix(msg.Tag, "list ")
	if !ok {
		return m, nil
	}
	var cmd tea.Cmd
	for i, p := range m.stack {
		if p.key() != key {
			continue
		}
		p.loading = false
		if msg.Err != nil {
			p.err = msg.Err
			continue
		}
		if msg.Result != nil && msg.Result.List != nil {
			p.setList(m.deps, msg.Result.List, msg.At)
			p.clamp(m.tableHeight())
		}
		if i == len(m.stack)-1 {
			seq := m.refreshSeq
			cmd = tea.Batch(tea.Tick(refreshEvery, func(time.Time) tea.Msg { return refreshMsg{seq: seq} }), m.cursorMoved())
		}
	}
	if msg.Err == nil && msg.Result != nil && msg.Result.List != nil {
		m.cache.put(key, msg.Result.List, msg.At)
	}
	return m, cmd
}

func recordOf(r *tools.Result) *tools.Record {
	if r == nil {
		return nil
	}
	return r.Record
}

// outcome is the end of a plan the browser submitted.
func (m Model) outcome(msg approval.OutcomeMsg) (tea.Model, tea.Cmd) {
	m.busy = ""
	out := msg.Outcome
	switch {
	case out != nil && out.Status == session.StatusDenied:
		m.status = "declined: nothing was changed"
		if out.Reason != "" {
			m.status += " (" + m.deps.Text("", out.Reason) + ")"
		}
	case msg.Err != nil:
		first, _, _ := strings.Cut(msg.Err.Error(), "\n")
		m.status = "error: " + m.deps.Text("", first)
	case out != nil && out.Summary != "":
		m.status = m.deps.Text("", out.Summary)
	default:
		m.status = "done"
	}
	// What changed is read again at once.
	for _, p := range m.stack {
		p.marked = map[string]bool{}
	}
	m.details = map[string]detail{}
	m.sparks = map[string]*tools.List{}
	return m, m.refresh()
}

// cursorMoved schedules the detail read for the row under the cursor,
// once the cursor has rested there.
func (m *Model) cursorMoved() tea.Cmd {
	m.detailScroll = 0
	if !m.showDetail || m.top().res.Show == nil {
		return nil
	}
	if _, ok := m.details[m.detailKey()]; ok {
		return nil
	}
	m.detailSeq++
	seq := m.detailSeq
	return tea.Tick(detailDelay, func(time.Time) tea.Msg { return detailTickMsg{seq: seq} })
}

// detailKey names the show read of the row under the cursor.
func (m Model) detailKey() string {
	p := m.top()
	return p.res.Noun + " " + p.currentKey()
}

func (m *Model) readDetail() tea.Cmd {
	p := m.top()
	id := p.currentKey()
	if id == "" || p.res.Show == nil {
		return nil
	}
	args, _ := json.Marshal(map[string]any{p.res.ShowArg: id})
	show := m.deps.Read("show "+m.detailKey(), p.res.Show.Name, args)
	// A server's metrics come with its record, where the cloud has a
	// metrics service (the read fails quietly where it has none).
	if _, ok := m.deps.Backend.Registry().Lookup(sparkTool); ok && p.res.Noun == "server" {
		margs, _ := json.Marshal(map[string]any{"resource": id})
		return tea.Batch(show, m.deps.Read("metrics "+m.detailKey(), sparkTool, margs))
	}
	return show
}

// sparkTool draws a server's metrics as sparklines (/metrics).
const sparkTool = "metrics"

// actionPlan is the plan of action a on the marked rows, or on the row
// under the cursor: one step per resource, reviewed and run as one.
func (m Model) actionPlan(a *Action) *plan.Plan {
	p := m.top()
	var keys []string
	for _, r := range p.order {
		if k := p.rowKey(r); p.marked[k] {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		if k := p.currentKey(); k != "" {
			keys = []string{k}
		}
	}
	if len(keys) == 0 {
		return nil
	}
	pl := &plan.Plan{ID: plan.NewID(), Origin: plan.OriginSlash}
	// The goal names what the person saw (names, where the list has
	// them); the steps carry IDs, so a duplicate name cannot mislead.
	label := map[string]string{}
	if nameCol := columnIndex(p.list.Columns, "Name"); nameCol >= 0 {
		for _, r := range p.base {
			if n := render.CellText(p.list.Rows[r][nameCol]); n != "" {
				label[p.rowKey(r)] = n
			}
		}
	}
	var names []string
	for i, k := range keys {
		args, _ := json.Marshal(map[string]any{a.Arg: k})
		id := plan.StepID(a.Tool.Name)
		if len(keys) > 1 {
			id = fmt.Sprintf("%s-%d", id, i+1)
		}
		pl.Steps = append(pl.Steps, plan.Step{ID: id, Tool: a.Tool.Name, Args: args, Why: "from the resource browser"})
		if n, ok := label[k]; ok {
			k = n
		}
		names = append(names, k)
	}
	pl.Goal = a.Tool.Slash() + " " + strings.Join(names, " ")
	return pl
}

// run submits the plan of a through the engine; its review comes back
// as an approval.RequestMsg.
func (m Model) run(a *Action) (Model, tea.Cmd) {
	if m.deps.Backend.ReadOnly() {
		m.status = "this session is read-only (--read-only): no changes"
		return m, nil
	}
	pl := m.actionPlan(a)
	if pl == nil {
		return m, nil
	}
	m.busy = fmt.Sprintf("checking %s on %d %s…", a.Verb, len(pl.Steps), m.top().res.Noun)
	m.status = ""
	return m, approval.Submit(m.deps, pl)
}
