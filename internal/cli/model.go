package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kriscelmer/os-tui/agent/gate"
	"github.com/kriscelmer/os-tui/agent/llm"
	"github.com/kriscelmer/os-tui/agent/plan"
	"github.com/kriscelmer/os-tui/agent/planner"
	"github.com/kriscelmer/os-tui/agent/prompt"
	"github.com/kriscelmer/os-tui/tools"
)

// ask sends plain language to the model: reads answer at once (through
// the gate's read path), changes come back as plans that go through the
// gate and the person, exactly like slash commands.
func (s *Shell) ask(ctx context.Context, text string) error {
	if s.LLM == nil {
		return &offlineError{suggestions: suggest(s.Registry, text)}
	}
	env, err := s.environment()
	if err != nil {
		return err
	}
	if s.session == nil {
		s.session, s.sessionStart = &planner.Session{}, time.Now()
	}
	if err := s.budgetLeft(); err != nil {
		return err
	}
	mode := s.modelMode()
	system, err := prompt.System(mode, s.promptData())
	if err != nil {
		return err
	}
	p := &planner.Planner{LLM: s.LLM, Registry: s.Registry}
	if caps, err := env.Clients.Capabilities(ctx); err == nil {
		p.Offered = caps.Has
	}
	out := newAnswer(s.IO)
	defer out.finish()
	hooks := planner.Hooks{
		Read: func(ctx context.Context, tool string, args tools.Args) (*tools.Result, error) {
			return gate.Read(ctx, s.Registry, env, tool, args)
		},
		Propose: func(ctx context.Context, pl *plan.Plan) planner.Outcome {
			out.pause()
			return s.proposeForModel(ctx, pl)
		},
		Text: out.write,
		SaveFile: func(_ context.Context, kind, path, content string) planner.Outcome {
			out.pause()
			return s.saveComposed(kind, path, content)
		},
		Calling: func(tool string, args tools.Args) {
			out.note(fmt.Sprintf("reading: /%s %s", strings.ReplaceAll(tool, ".", " "), compactArgs(args)))
		},
	}
	if s.Mode == gate.ModeParanoid {
		hooks.AllowRead = func(tool string, args tools.Args) bool {
			out.pause()
			answer, err := s.askOrNo(fmt.Sprintf("Share the result of /%s %s with the model? [y/N]: ", strings.ReplaceAll(tool, ".", " "), compactArgs(args)))
			return err == nil && strings.HasPrefix(strings.ToLower(strings.TrimSpace(answer)), "y")
		}
	}
	err = p.Turn(ctx, s.session, system, mode, text, hooks)
	if _, serr := s.saveSession(""); serr != nil && err == nil {
		fmt.Fprintln(s.IO.ErrOut, "warning: the session was not saved: "+serr.Error())
	}
	return err
}

func (s *Shell) askOrNo(prompt string) (string, error) {
	if s.Asker == nil {
		return "", errors.New("no terminal")
	}
	return s.Asker(prompt)
}

func (s *Shell) modelMode() string {
	switch s.Mode {
	case gate.ModeAsk:
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

// proposeForModel takes a model's plan through the same gate as a slash
// command. The model learns the outcome as a status; it can never approve
// anything itself: --yes does not apply, and only the person's keystroke
// (or nothing, off a terminal) decides.
func (s *Shell) proposeForModel(ctx context.Context, p *plan.Plan) planner.Outcome {
	env, err := s.environment()
	if err != nil {
		return planner.Outcome{Status: planner.StatusFailed, Errors: []string{err.Error()}}
	}
	review, err := s.gate().Preflight(ctx, env, p)
	var pe *gate.PlanError
	switch {
	case errors.As(err, &pe):
		var errs []string
		for _, sp := range pe.Problems {
			for _, msg := range sp.Problems {
				if sp.Step != "" {
					msg = "step " + sp.Step + ": " + msg
				}
				errs = append(errs, msg)
			}
		}
		return planner.Outcome{Status: planner.StatusInvalid, Retryable: true, Errors: errs}
	case err != nil:
		return planner.Outcome{Status: planner.StatusFailed, Retryable: true, Errors: []string{err.Error()}}
	}
	if err := s.Mode.Allow(review); err != nil {
		return planner.Outcome{Status: planner.StatusDenied, Errors: []string{err.Error()}}
	}
	s.showReview(review)
	if review.Blocked() {
		return planner.Outcome{Status: planner.StatusBlocked, Retryable: true, Errors: review.Problems()}
	}
	// A model's plan is never approved by --yes or a session grant.
	yes := s.Yes
	s.Yes = false
	approved, edited, err := s.approve(review)
	s.Yes = yes
	for err == nil && edited != nil {
		review, err = s.gate().Preflight(ctx, env, edited)
		if err != nil {
			break
		}
		s.showReview(review)
		if review.Blocked() {
			return planner.Outcome{Status: planner.StatusBlocked, Retryable: true, Errors: review.Problems()}
		}
		approved, edited, err = s.approve(review)
	}
	if err != nil {
		s.auditDenied(p, err)
		var d declinedError
		if errors.As(err, &d) {
			fmt.Fprintln(s.IO.ErrOut, d.Error())
		}
		return planner.Outcome{Status: planner.StatusDenied, Errors: []string{err.Error()}}
	}
	out, err := s.executor().Execute(ctx, env, approved)
	s.showOutcome(out)
	if err != nil {
		return planner.Outcome{Status: planner.StatusFailed, Errors: []string{err.Error()}}
	}
	var done []string
	for _, o := range out.Steps {
		line := fmt.Sprintf("%s: %s", o.Step.ID, o.Status)
		if o.Final != "" {
			line += " (" + o.Final + ")"
		}
		done = append(done, line)
	}
	return planner.Outcome{Status: planner.StatusOK, Summary: strings.Join(done, "; ")}
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
		fmt.Fprintln(s.IO.Out, "no model: ostui is offline. Set OPENAI_BASE_URL (any OpenAI-compatible server) and OSTUI_MODEL, or AZURE_OPENAI_*, or OSTUI_MODEL_PROVIDER=github with GITHUB_TOKEN.")
		return nil
	}
	fmt.Fprintf(s.IO.Out, "model: %s\n", s.LLM.Model())
	return s.describeCost()
}

// describeCost is /cost: tokens of the last turn and of the session.
func (s *Shell) describeCost() error {
	if s.session == nil {
		fmt.Fprintln(s.IO.Out, "no model turns yet")
		return nil
	}
	u, t := s.session.Usage, s.session.LastTurn
	fmt.Fprintf(s.IO.Out, "last turn: %d prompt + %d completion tokens\nsession:   %d prompt + %d completion tokens\n",
		t.PromptTokens, t.CompletionTokens, u.PromptTokens, u.CompletionTokens)
	return nil
}

// modelFromEnv builds the model client when one is configured (the
// environment, then the config file); nil when none is.
func modelFromEnv(getenv func(string) string) (llm.Client, *llm.Config, error) {
	cfg, configured, err := modelConfig(getenv)
	if err != nil || !configured {
		return nil, nil, err
	}
	c, err := llm.New(cfg)
	if err != nil {
		return nil, nil, err
	}
	return c, &cfg, nil
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
	s.LLM, s.llmConfig = c, &cfg
	fmt.Fprintf(s.IO.Out, "model: %s\n", c.Model())
	return nil
}
