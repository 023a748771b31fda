package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/kriscelmer/os-tui/agent/session"
	"github.com/kriscelmer/os-tui/internal/render"
	"github.com/kriscelmer/os-tui/internal/termtext"
	"github.com/kriscelmer/os-tui/tools"
)

func (s *Shell) saveCommand(args []string) error {
	title := strings.Join(args, " ")
	path, err := s.engine.SaveConversation(title)
	if err != nil {
		return err
	}
	id := s.engine.ConversationID()
	fmt.Fprintf(s.IO.Out, "saved %s (resume with /resume %s or ostui --resume %s)\n", path, id, id)
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
	t, err := s.engine.Resume(which)
	if err != nil {
		return err
	}
	fmt.Fprintf(s.IO.ErrOut, "resumed session %s: %s (%d messages)\n", t.ID, termtext.Safe(t.Title), len(t.Messages))
	return nil
}

// compact asks the model to sum up the conversation so far and keeps only
// that summary, so long sessions stay within the model's window and cost.
func (s *Shell) compact(ctx context.Context) error {
	before, tokens, err := s.engine.Compact(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(s.IO.ErrOut, "compacted %d messages into a summary of about %d tokens\n", before, tokens)
	return nil
}
