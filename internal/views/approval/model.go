package approval

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/kriscelmer/os-tui/agent/gate"
	"github.com/kriscelmer/os-tui/agent/plan"
	"github.com/kriscelmer/os-tui/agent/session"
	rreview "github.com/kriscelmer/os-tui/internal/render/review"
	"github.com/kriscelmer/os-tui/internal/termtext"
	"github.com/kriscelmer/os-tui/internal/views"
)

// DecidedMsg says the person answered; a view embedding the Model
// passes Decision to Request.Answer and closes the review.
type DecidedMsg struct {
	Request  RequestMsg
	Decision session.Decision
}

// Model is the plan-review view for one question.
type Model struct {
	deps views.Deps
	req  RequestMsg
	// Standalone: the review is the whole program (the shell's long
	// plans); deciding quits it.
	Standalone bool

	width, height int
	cursor        int  // the step under the cursor
	top           int  // first step shown
	scroll        int  // first line of the detail pane shown
	stepMode      bool // choosing steps one by one
	runs          []bool
	reason        *views.LineInput // typing a reason for no
	naming        bool             // reason holds a recipe's name, not a reason
	note          string           // a line for the person (an editor that failed)
	decided       bool
	decision      session.Decision
}

// New is the review of req.
func New(d views.Deps, req RequestMsg) Model {
	m := Model{deps: d, req: req, width: 80, height: 24}
	if r := req.Req.Review; r != nil {
		m.runs = make([]bool, len(r.Steps))
	}
	return m
}

// Decision is the answer given, and whether there is one yet.
func (m Model) Decision() (session.Decision, bool) { return m.decision, m.decided }

// Init implements tea.Model: the review waits for keys, nothing ticks.
func (m Model) Init() tea.Cmd { return nil }

func (m Model) review() *gate.Review { return m.req.Req.Review }

func (m Model) steps() int {
	if r := m.review(); r != nil {
		return len(r.Steps)
	}
	return 0
}

// decide records d and tells the embedding view (or quits).
func (m Model) decide(d session.Decision) (Model, tea.Cmd) {
	m.decided, m.decision = true, d
	if m.Standalone {
		return m, tea.Quit
	}
	req := m.req
	return m, func() tea.Msg { return DecidedMsg{Request: req, Decision: d} }
}

type editReadyMsg struct {
	file, dir string
	err       error
}

type editedMsg struct {
	plan *plan.Plan
	err  error
}

// Update implements tea.Model.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	m2, cmd := m.update(msg)
	return m2, cmd
}

func (m Model) update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.clamp()
		return m, nil
	case editReadyMsg:
		if msg.err != nil {
			m.note = "edit: " + msg.err.Error()
			return m, nil
		}
		return m, editCmd(msg, m.req.Req.Review.Plan)
	case editedMsg:
		if msg.err != nil {
			m.note = "edit: " + termtext.Safe(msg.err.Error())
			return m, nil
		}
		return m.decide(session.Decision{Verdict: session.Edit, Edited: msg.plan})
	case tea.MouseWheelMsg:
		switch msg.Button {
		case tea.MouseWheelDown:
			m.move(1)
		case tea.MouseWheelUp:
			m.move(-1)
		}
		return m, nil
	case tea.KeyPressMsg:
		if m.decided {
			return m, nil
		}
		if m.reason != nil {
			return m.reasonKey(msg)
		}
		return m.key(msg)
	}
	return m, nil
}

func (m Model) reasonKey(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	switch msg.String() {
	case "enter":
		reason := strings.TrimSpace(m.reason.Value)
		m.reason = nil
		if m.naming {
			// Saving is not an answer: the review stays open.
			m.naming = false
			m.note = m.saveRecipe(reason)
			return m, nil
		}
		return m.decide(session.Decision{Verdict: session.Deny, Reason: reason})
	case "esc":
		m.reason, m.naming = nil, false
		return m, nil
	case "ctrl+c":
		m.reason, m.naming = nil, false
		return m.decide(session.Decision{Verdict: session.Deny})
	}
	m.reason.Update(msg)
	return m, nil
}

func (m Model) key(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	kind := m.req.Req.Kind
	m.note = ""
	switch msg.String() {
	case "up", "k":
		m.move(-1)
		return m, nil
	case "down", "j":
		m.move(1)
		return m, nil
	case "pgup":
		m.move(-m.listHeight())
		return m, nil
	case "pgdown":
		m.move(m.listHeight())
		return m, nil
	case "home", "g":
		m.move(-m.steps())
		return m, nil
	case "end", "G":
		m.move(m.steps())
		return m, nil
	case "ctrl+d", "J":
		m.scroll += max(1, m.bodyHeight()/2)
		m.clamp()
		return m, nil
	case "ctrl+u", "K":
		m.scroll = max(0, m.scroll-max(1, m.bodyHeight()/2))
		return m, nil
	case "esc", "q", "ctrl+c":
		if m.stepMode && msg.String() == "esc" {
			m.stepMode = false
			return m, nil
		}
		return m.decide(session.Decision{Verdict: session.Deny})
	}
	switch kind {
	case session.ReviewUndo, session.ShareRead:
		switch msg.String() {
		case "y", "enter":
			return m.decide(session.Decision{Verdict: session.Approve})
		case "n":
			return m.decide(session.Decision{Verdict: session.Deny})
		}
		return m, nil
	case session.FixBlocked:
		switch msg.String() {
		case "e":
			return m, prepareEdit(m.req.Req.Review.Plan)
		case "n":
			return m.decide(session.Decision{Verdict: session.Deny})
		}
		return m, nil
	}
	// ApprovePlan
	switch msg.String() {
	case "y":
		return m.decide(session.Decision{Verdict: session.Approve})
	case "enter":
		if m.stepMode {
			return m.decide(session.Decision{Verdict: session.ApproveSteps, Runs: append([]bool(nil), m.runs...)})
		}
		return m.decide(session.Decision{Verdict: session.Approve})
	case "n":
		m.reason = &views.LineInput{Prompt: "Why not? (Enter to send, Esc to go back) "}
		return m, nil
	case "s":
		m.stepMode = !m.stepMode
		return m, nil
	case "space", "x":
		if m.stepMode && m.cursor < len(m.runs) {
			m.runs[m.cursor] = !m.runs[m.cursor]
			m.move(1)
		}
		return m, nil
	case "e":
		return m, prepareEdit(m.req.Req.Review.Plan)
	case "r":
		if m.deps.SaveRecipe == nil {
			return m, nil
		}
		m.reason, m.naming = &views.LineInput{Prompt: "Save as recipe named (Enter to save, Esc to go back) "}, true
		return m, nil
	case "a":
		if m.req.Req.Grantable != nil {
			return m.decide(session.Decision{Verdict: session.AllowForSession})
		}
		m.note = "this plan has no single change tool to allow (destroy tools and plans from a model always ask)"
		return m, nil
	}
	return m, nil
}

// saveRecipe saves the plan under review as a recipe and says how it
// went, in the note line.
func (m Model) saveRecipe(name string) string {
	if name == "" {
		return "no name given: nothing saved"
	}
	msg, err := m.deps.SaveRecipe(name, m.req.Req.Review.Plan)
	if err != nil {
		return termtext.Safe(err.Error())
	}
	return termtext.Safe(msg)
}

func (m *Model) move(d int) {
	before := m.cursor
	m.cursor = min(max(m.cursor+d, 0), max(m.steps()-1, 0))
	if m.cursor != before {
		m.scroll = 0
	}
	m.clamp()
}

func (m *Model) clamp() {
	h := m.listHeight()
	if m.cursor < m.top {
		m.top = m.cursor
	}
	if h > 0 && m.cursor >= m.top+h {
		m.top = m.cursor - h + 1
	}
	m.top = max(0, min(m.top, max(0, m.steps()-h)))
}

// bodyHeight is the height between the title and the bottom lines.
func (m Model) bodyHeight() int { return max(1, m.height-4) }

func (m Model) listHeight() int {
	h := m.bodyHeight()
	if r := m.review(); r != nil && len(r.Quota) > 0 {
		h -= len(r.Quota) + 2
	}
	return max(1, h)
}

// prepareEdit writes the plan where the person's editor can open it
// (file I/O runs as a command, not in Update).
func prepareEdit(p *plan.Plan) tea.Cmd {
	return func() tea.Msg {
		doc, err := p.MarshalYAML()
		if err != nil {
			return editReadyMsg{err: err}
		}
		dir, err := os.MkdirTemp("", "ostui-plan-")
		if err != nil {
			return editReadyMsg{err: fmt.Errorf("create a file to edit: %w", err)}
		}
		file := filepath.Join(dir, "plan.yaml")
		header := "# Edit the plan, save and quit. It is validated and checked again before anything runs.\n"
		if err := os.WriteFile(file, append([]byte(header), doc...), 0o600); err != nil {
			_ = os.RemoveAll(dir)
			return editReadyMsg{err: fmt.Errorf("write the plan for editing: %w", err)}
		}
		return editReadyMsg{file: file, dir: dir}
	}
}

// editCmd hands the terminal to $VISUAL or $EDITOR and reads the plan
// back; the engine validates and preflights it again like any new plan.
func editCmd(ready editReadyMsg, orig *plan.Plan) tea.Cmd {
	editor := os.Getenv("VISUAL")
	if editor == "" {
		editor = os.Getenv("EDITOR")
	}
	if editor == "" {
		editor = "vi"
	}
	fields := strings.Fields(editor)
	cmd := exec.Command(fields[0], append(fields[1:], ready.file)...) //nolint:gosec // the person's own editor setting
	return tea.ExecProcess(cmd, func(err error) tea.Msg {
		defer func() { _ = os.RemoveAll(ready.dir) }()
		if err != nil {
			return editedMsg{err: fmt.Errorf("run %s: %w", editor, err)}
		}
		b, err := os.ReadFile(ready.file) //nolint:gosec // our own temp file
		if err != nil {
			return editedMsg{err: fmt.Errorf("read the edited plan: %w", err)}
		}
		p, err := plan.ParseYAML(b)
		if err != nil {
			return editedMsg{err: err}
		}
		p.ID, p.Origin = plan.NewID(), orig.Origin
		return editedMsg{plan: p}
	})
}

// Ask runs the review of req full-screen (the shell's long plans) and
// returns the person's decision; leaving without one is a no.
func Ask(ctx context.Context, d views.Deps, req session.Request, opts views.Options) (session.Decision, error) {
	m := New(d, RequestMsg{Req: req})
	m.Standalone = true
	final, err := views.Run(ctx, m, opts)
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return session.Decision{Verdict: session.Deny}, nil
		}
		return session.Decision{}, err
	}
	if fm, ok := final.(Model); ok {
		if d, ok := fm.Decision(); ok {
			return d, nil
		}
	}
	return session.Decision{Verdict: session.Deny}, nil
}

// stepDetail is the side pane of step i: the same words the shell's
// review prints for it (findings, requests, diff, undo), one per line.
func stepDetail(r *gate.Review, i int) []string {
	one := &gate.Review{Plan: r.Plan, Steps: []gate.StepReview{r.Steps[i]}}
	text := rreview.Plain(one)
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	// Drop "Plan: goal" and the blank line after it; the step's own
	// line becomes the pane's title.
	if len(lines) > 2 {
		lines = lines[2:]
	}
	if len(lines) > 0 {
		lines[0] = strings.TrimPrefix(lines[0], "1. ")
	}
	for j := range lines {
		lines[j] = strings.TrimPrefix(lines[j], "   ")
	}
	if banner := rreview.DangerBanner(one, func(s string) string { return s }); banner != "" {
		lines = append(lines, "", strings.TrimRight(banner, "\n"))
	}
	return lines
}

// wrap breaks lines to width.
func wrap(lines []string, width int) []string {
	var out []string
	for _, l := range lines {
		if width <= 0 || ansi.StringWidth(l) <= width {
			out = append(out, l)
			continue
		}
		out = append(out, strings.Split(ansi.Hardwrap(l, width, true), "\n")...)
	}
	return out
}
