package session

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/kriscelmer/os-tui/agent/gate"
	"github.com/kriscelmer/os-tui/agent/llm"
	"github.com/kriscelmer/os-tui/agent/plan"
	"github.com/kriscelmer/os-tui/agent/planner"
	"github.com/kriscelmer/os-tui/agent/prompt"
	"github.com/kriscelmer/os-tui/tools"
)

// ErrOffline: plain language with no model configured.
var ErrOffline = errors.New("no language model is configured")

// Conversation is the model side of a session: its messages, what they
// cost, and where they are saved.
type Conversation struct {
	mu      sync.Mutex
	session *planner.Session
	id      string
	title   string
	start   time.Time
}

// ModelConfig connects the engine to a model.
type ModelConfig struct {
	// LLM is the model; nil when offline.
	LLM llm.Client
	// PromptData fills the system prompt (cloud, project, region, user).
	PromptData func() prompt.Data
	// TokenBudget refuses new turns once the conversation has used this
	// many tokens (0: no budget).
	TokenBudget int
	// SessionDir is where conversations are saved after each turn ("":
	// not saved). Secrets lists values redacted from what is saved.
	SessionDir string
	Secrets    func() []string
}

// Ask answers one request in plain language: the model reads through the
// gate's read path, and each plan it proposes takes exactly the path of
// any other plan (submit), answered by ap. mode is "ask", "plan",
// "compose" or "advise".
func (e *Engine) Ask(ctx context.Context, text, mode string, ap Approver) error {
	if e.Model.LLM == nil {
		return ErrOffline
	}
	if ap == nil {
		ap = FailClosed
	}
	t := e.newTurn()
	err := e.ask(ctx, t, text, mode, ap)
	switch {
	case err == nil:
		t.to(Done)
	case errors.Is(err, context.Canceled):
		t.to(Cancelled)
	default:
		t.to(Failed)
	}
	return err
}

func (e *Engine) ask(ctx context.Context, t *turn, text, mode string, ap Approver) error {
	env, err := e.env()
	if err != nil {
		return err
	}
	conv := e.conversation()
	if err := e.budgetLeft(conv); err != nil {
		return err
	}
	var data prompt.Data
	if e.Model.PromptData != nil {
		data = e.Model.PromptData()
	}
	system, err := prompt.System(mode, data)
	if err != nil {
		return err
	}
	p := &planner.Planner{LLM: e.Model.LLM, Registry: e.Registry}
	if caps, err := env.Clients.Capabilities(ctx); err == nil {
		p.Offered = caps.Has
	}
	hooks := planner.Hooks{
		Read: func(ctx context.Context, tool string, args tools.Args) (*tools.Result, error) {
			return e.Read(ctx, plan.OriginModel, tool, args)
		},
		Propose: func(ctx context.Context, pl *plan.Plan) planner.Outcome {
			out, _ := e.submit(ctx, t, pl, ap)
			if out.Status == StatusDenied && len(out.Errors) > 0 {
				e.emit(Notice{Text: out.Errors[0]})
			}
			e.emit(Finished{Outcome: out})
			t.to(Planning)
			return out.ForModel()
		},
		Text: func(delta string) { e.emit(TextDelta{Text: delta}) },
		SaveFile: func(ctx context.Context, kind, path, content string) planner.Outcome {
			return e.saveComposed(ctx, kind, path, content)
		},
	}
	if e.Mode() == gate.ModeParanoid {
		hooks.AllowRead = func(tool string, args tools.Args) bool {
			tl, _ := e.Registry.Lookup(tool)
			d, err := ap.Decide(ctx, Request{Kind: ShareRead, Tool: tl, Args: args})
			return err == nil && d.Verdict == Approve
		}
	}
	t.to(Planning)
	conv.mu.Lock()
	err = p.Turn(ctx, conv.session, system, mode, text, hooks)
	conv.mu.Unlock()
	if _, serr := e.SaveConversation(""); serr != nil && e.Model.SessionDir != "" {
		e.emit(Failure{Err: fmt.Errorf("the session was not saved: %w", serr)})
	}
	return err
}

func (e *Engine) conversation() *Conversation {
	e.convMu.Lock()
	defer e.convMu.Unlock()
	if e.conv == nil {
		e.conv = &Conversation{session: &planner.Session{}, start: time.Now()}
	}
	return e.conv
}

// Usage is what the conversation has cost: the last turn and the whole
// session; ok is false before the first turn.
func (e *Engine) Usage() (last, total llm.Usage, ok bool) {
	e.convMu.Lock()
	c := e.conv
	e.convMu.Unlock()
	if c == nil {
		return llm.Usage{}, llm.Usage{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.session.LastTurn, c.session.Usage, true
}

// budgetLeft refuses a new turn once the conversation has used its
// token budget.
func (e *Engine) budgetLeft(c *Conversation) error {
	limit := e.Model.TokenBudget
	if limit <= 0 {
		return nil
	}
	c.mu.Lock()
	used := c.session.Usage.PromptTokens + c.session.Usage.CompletionTokens
	c.mu.Unlock()
	if used >= limit {
		return fmt.Errorf("this session has used %d tokens of its budget of %d (OSTUI_TOKEN_BUDGET); /compact, /save and start afresh, or raise the budget", used, limit)
	}
	return nil
}

// SaveConversation writes the conversation (redacted, 0600) and returns
// its path; title, when given, names it from now on.
func (e *Engine) SaveConversation(title string) (string, error) {
	e.convMu.Lock()
	c := e.conv
	e.convMu.Unlock()
	if c == nil {
		return "", errors.New("nothing to save: no conversation with the model yet")
	}
	if e.Model.SessionDir == "" {
		return "", errors.New("sessions are not saved here (no state directory)")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.session.Messages) == 0 {
		return "", errors.New("nothing to save: no conversation with the model yet")
	}
	if c.id == "" {
		c.id = NewID(time.Now())
	}
	if title != "" {
		c.title = title
	}
	meta := Transcript{Title: c.title, Created: c.start, Updated: time.Now()}
	if e.Model.LLM != nil {
		meta.Model = e.Model.LLM.Model()
	}
	if e.Model.PromptData != nil {
		d := e.Model.PromptData()
		meta.Cloud, meta.Project = d.Cloud, d.Project
	}
	var secrets []string
	if e.Model.Secrets != nil {
		secrets = e.Model.Secrets()
	}
	return Save(e.Model.SessionDir, FromSession(c.id, c.session, meta), secrets...)
}

// ConversationID is the saved conversation's ID ("" until first saved).
func (e *Engine) ConversationID() string {
	e.convMu.Lock()
	c := e.conv
	e.convMu.Unlock()
	if c == nil {
		return ""
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.id
}

// Resume continues a saved conversation ("latest" or an ID).
func (e *Engine) Resume(which string) (*Transcript, error) {
	t, err := Load(e.Model.SessionDir, which)
	if err != nil {
		return nil, err
	}
	e.convMu.Lock()
	e.conv = &Conversation{session: t.Session(), id: t.ID, title: t.Title, start: t.Created}
	e.convMu.Unlock()
	return t, nil
}

// Compact asks the model to sum up the conversation so far and keeps only
// that summary, so long sessions stay within the model's window and
// cost. It returns how many messages were folded and the summary's size.
func (e *Engine) Compact(ctx context.Context) (before, tokens int, err error) {
	e.convMu.Lock()
	c := e.conv
	e.convMu.Unlock()
	if e.Model.LLM == nil || c == nil {
		return 0, 0, errors.New("nothing to compact")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.session.Messages) < 3 {
		return 0, 0, errors.New("nothing to compact")
	}
	msgs := append([]llm.Message(nil), c.session.Messages...)
	msgs = append(msgs, llm.Message{Role: llm.RoleUser, Content: "Summarise this conversation for your own later use: the person's goals, what was read (key facts, names, IDs) and what was changed or declined. Plain text, at most 200 words. Do not call tools."})
	resp, err := e.Model.LLM.Complete(ctx, llm.Request{Messages: msgs}, nil)
	if err != nil {
		return 0, 0, fmt.Errorf("compact: %w", err)
	}
	before = len(c.session.Messages)
	c.session.Usage.PromptTokens += resp.Usage.PromptTokens
	c.session.Usage.CompletionTokens += resp.Usage.CompletionTokens
	c.session.Messages = []llm.Message{
		c.session.Messages[0],
		{Role: llm.RoleUser, Content: "(Summary of the earlier conversation)\n" + resp.Content},
		{Role: llm.RoleAssistant, Content: "Understood."},
	}
	return before, planner.EstimateTokens(resp.Content), nil
}
