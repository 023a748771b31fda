package cli

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/kriscelmer/os-tui/agent/gate"
	"github.com/kriscelmer/os-tui/agent/llm"
	"github.com/kriscelmer/os-tui/agent/prompt"
	"github.com/kriscelmer/os-tui/agent/session"
	"github.com/kriscelmer/os-tui/tools"
)

// ask sends plain language to the model through the engine: reads
// answer at once (through the gate's read path), changes come back as
// plans that take the same path as a slash command's.
func (s *Shell) ask(ctx context.Context, text string) error {
	if s.LLM == nil {
		return &offlineError{suggestions: suggest(s.Registry, text)}
	}
	s.events.startAnswer()
	defer s.events.endAnswer()
	err := s.engine.Ask(ctx, text, s.modelMode(), s.approver())
	if errors.Is(err, session.ErrOffline) {
		return &offlineError{suggestions: suggest(s.Registry, text)}
	}
	return err
}

func (s *Shell) modelMode() string {
	if s.engine.Mode() == gate.ModeAsk {
		return "ask"
	}
	if s.modelModeOverride != "" {
		return s.modelModeOverride
	}
	return "plan"
}

func (s *Shell) promptData() prompt.Data {
	d := prompt.Data{Date: time.Now().Format("2006-01-02")}
	if c := s.cfg; c != nil {
		d.Cloud, d.Project, d.Region, d.User = c.Name, firstNonEmpty(c.ProjectName, c.ProjectID), c.Region, firstNonEmpty(c.Username, c.UserID)
	}
	return d
}

// tokenBudget is OSTUI_TOKEN_BUDGET: tokens a session may use (0: no
// budget).
func tokenBudget(getenv func(string) string) int {
	n, _ := strconv.Atoi(getenv("OSTUI_TOKEN_BUDGET"))
	return n
}

func compactArgs(args tools.Args) string {
	s := string(args)
	if s == "{}" {
		return ""
	}
	return truncate(s, 120)
}

// modelCommand is /ask, /plan, /compose and /advise: with text, one turn
// in that mode; alone, that mode for the turns that follow.
func (s *Shell) modelCommand(ctx context.Context, mode, text string) error {
	if s.LLM == nil || s.Offline {
		return &offlineError{suggestions: suggest(s.Registry, text)}
	}
	if strings.TrimSpace(text) == "" {
		s.modelModeOverride = mode
		fmt.Fprintf(s.IO.Out, "plain language now goes to the model in %s mode\n", mode)
		return nil
	}
	old := s.modelModeOverride
	s.modelModeOverride = mode
	defer func() { s.modelModeOverride = old }()
	return s.ask(ctx, text)
}

// describeModel is /model: which model answers, and what it has cost.
func (s *Shell) describeModel() error {
	if s.LLM == nil {
		fmt.Fprintln(s.IO.Out, "no model: ostui is offline. Run `ostui login openai` (or azure, github), or set OPENAI_BASE_URL (any OpenAI-compatible server) and OSTUI_MODEL, or AZURE_OPENAI_*, or OSTUI_MODEL_PROVIDER=github with GITHUB_TOKEN.")
		return nil
	}
	fmt.Fprintf(s.IO.Out, "model: %s\n", s.LLM.Model())
	return s.describeCost()
}

// describeCost is /cost: tokens of the last turn and of the session.
func (s *Shell) describeCost() error {
	t, u, ok := s.engine.Usage()
	if !ok {
		fmt.Fprintln(s.IO.Out, "no model turns yet")
		return nil
	}
	fmt.Fprintf(s.IO.Out, "last turn: %d prompt + %d completion tokens\nsession:   %d prompt + %d completion tokens\n",
		t.PromptTokens, t.CompletionTokens, u.PromptTokens, u.CompletionTokens)
	return nil
}

// switchModel is /model NAME: the same provider and endpoint, another model.
func (s *Shell) switchModel(name string) error {
	if s.llmConfig == nil {
		return s.describeModel()
	}
	cfg := *s.llmConfig
	if cfg.Provider == llm.ProviderAzure {
		cfg.AzureDeployment = name
	} else {
		cfg.Model = name
	}
	c, err := llm.New(cfg)
	if err != nil {
		return fmt.Errorf("switch model: %w", err)
	}
	s.SetModel(c, &cfg)
	fmt.Fprintf(s.IO.Out, "model: %s\n", c.Model())
	return nil
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
