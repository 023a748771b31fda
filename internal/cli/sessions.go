package cli

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/kriscelmer/os-tui/agent/llm"
	"github.com/kriscelmer/os-tui/agent/planner"
	"github.com/kriscelmer/os-tui/agent/session"
	"github.com/kriscelmer/os-tui/internal/render"
	"github.com/kriscelmer/os-tui/tools"
)

// saveSession writes the conversation (redacted, 0600) after each model
// turn, so a session survives a crash and can be resumed.
func (s *Shell) saveSession(title string) (string, error) {
	if s.session == nil || len(s.session.Messages) == 0 {
		return "", fmt.Errorf("nothing to save: no conversation with the model yet")
	}
	if s.sessionID == "" {
		s.sessionID = session.NewID(time.Now())
	}
	meta := session.Transcript{Title: title, Created: s.sessionStart, Updated: time.Now()}
	if s.LLM != nil {
		meta.Model = s.LLM.Model()
	}
	var secretsOf []string
	if c := s.cfg; c != nil {
		meta.Cloud, meta.Project = c.Name, firstNonEmpty(c.ProjectName, c.ProjectID)
		secretsOf = append(secretsOf, c.Password, c.ApplicationCredentialSecret, c.Token)
	}
	if title == "" && s.sessionTitle != "" {
		meta.Title = s.sessionTitle
	}
	return session.Save(session.Dir(s.Paths.StateDir), session.FromSession(s.sessionID, s.session, meta), secretsOf...)
}

func (s *Shell) saveCommand(args []string) error {
	title := strings.Join(args, " ")
	if title != "" {
		s.sessionTitle = title
	}
	path, err := s.saveSession(title)
	if err != nil {
		return err
	}
	fmt.Fprintf(s.IO.Out, "saved %s (resume with /resume %s or ostui --resume %s)\n", path, s.sessionID, s.sessionID)
	return nil
}

// resumeCommand is /resume: alone it lists saved sessions; with an ID or
// "latest" it continues that conversation.
func (s *Shell) resumeCommand(args []string) error {
	dir := session.Dir(s.Paths.StateDir)
	if len(args) == 0 {
		list, err := session.List(dir)
		if err != nil {
			return err
		}
		if len(list) == 0 {
			fmt.Fprintln(s.IO.ErrOut, "no saved sessions yet")
			return nil
		}
		l := &tools.List{Columns: []tools.Column{{Name: "ID"}, {Name: "Title"}, {Name: "Cloud"}, {Name: "Model"}, {Name: "Tokens"}}}
		for _, t := range list {
			l.Rows = append(l.Rows, []any{t.ID, t.Title, t.Cloud, t.Model, t.Usage.PromptTokens + t.Usage.CompletionTokens})
		}
		return render.Render(s.IO, &tools.Result{List: l}, render.Options{})
	}
	return s.resume(args[0])
}

func (s *Shell) resume(which string) error {
	t, err := session.Load(session.Dir(s.Paths.StateDir), which)
	if err != nil {
		return err
	}
	s.session, s.sessionID, s.sessionTitle, s.sessionStart = t.Session(), t.ID, t.Title, t.Created
	fmt.Fprintf(s.IO.ErrOut, "resumed session %s: %s (%d messages)\n", t.ID, t.Title, len(t.Messages))
	return nil
}

// compact asks the model to sum up the conversation so far and keeps only
// that summary, so long sessions stay within the model's window and cost.
func (s *Shell) compact(ctx context.Context) error {
	if s.LLM == nil || s.session == nil || len(s.session.Messages) < 3 {
		return fmt.Errorf("nothing to compact")
	}
	msgs := append([]llm.Message(nil), s.session.Messages...)
	msgs = append(msgs, llm.Message{Role: llm.RoleUser, Content: "Summarise this conversation for your own later use: the person's goals, what was read (key facts, names, IDs) and what was changed or declined. Plain text, at most 200 words. Do not call tools."})
	resp, err := s.LLM.Complete(ctx, llm.Request{Messages: msgs}, nil)
	if err != nil {
		return fmt.Errorf("compact: %w", err)
	}
	before := len(s.session.Messages)
	s.session.Usage.PromptTokens += resp.Usage.PromptTokens
	s.session.Usage.CompletionTokens += resp.Usage.CompletionTokens
	s.session.Messages = []llm.Message{
		s.session.Messages[0],
		{Role: llm.RoleUser, Content: "(Summary of the earlier conversation)\n" + resp.Content},
		{Role: llm.RoleAssistant, Content: "Understood."},
	}
	fmt.Fprintf(s.IO.ErrOut, "compacted %d messages into a summary of about %d tokens\n", before, planner.EstimateTokens(resp.Content))
	return nil
}

// budgetLeft refuses a new turn once the session has used its token
// budget (OSTUI_TOKEN_BUDGET, tokens; 0 or unset: no budget).
func (s *Shell) budgetLeft() error {
	limit, _ := strconv.Atoi(s.Getenv("OSTUI_TOKEN_BUDGET"))
	if limit <= 0 || s.session == nil {
		return nil
	}
	used := s.session.Usage.PromptTokens + s.session.Usage.CompletionTokens
	if used >= limit {
		return fmt.Errorf("this session has used %d tokens of its budget of %d (OSTUI_TOKEN_BUDGET); /compact, /save and start afresh, or raise the budget", used, limit)
	}
	return nil
}
