package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/kriscelmer/os-tui/agent/plan"
	"github.com/kriscelmer/os-tui/agent/router"
	"github.com/kriscelmer/os-tui/agent/session"
	"github.com/kriscelmer/os-tui/internal/render/review"
	"github.com/kriscelmer/os-tui/internal/repl"
	"github.com/kriscelmer/os-tui/internal/termtext"
)

// Asker reads one answer from the person; nil means nobody can answer
// (piped input, CI), and the shell then fails closed.
type Asker func(prompt string) (string, error)

// change turns a slash command that changes something into a one-step
// plan and hands it to the engine.
func (s *Shell) change(ctx context.Context, c router.Call, line string) error {
	if s.wantsOrphanChoice(c) {
		// /orphans clean naming nothing: the person picks from the list.
		return s.chooseOrphans(ctx, c)
	}
	if args, dry := dryRun(c.Args); dry {
		// --dry-run (a flag of the tools whose schema declares dry_run,
		// as the openstack CLI's stack create has it): the preflight and
		// the dry run, the review shown, and nothing run.
		if _, err := s.engine.Check(ctx, plan.FromCall(c.Tool.Name, args, strings.TrimSpace(line))); err != nil {
			return err
		}
		fmt.Fprintln(s.IO.ErrOut, "dry run: the review above is what would happen; nothing was changed")
		return nil
	}
	return s.submit(ctx, plan.FromCall(c.Tool.Name, c.Args, strings.TrimSpace(line)))
}

// dryRun reports arguments that ask for a dry run, and returns them
// without it: the step checked is the step that would run.
func dryRun(args []byte) ([]byte, bool) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(args, &m); err != nil || string(m["dry_run"]) != "true" {
		return args, false
	}
	delete(m, "dry_run")
	out, err := json.Marshal(m)
	if err != nil {
		return args, false
	}
	return out, true
}

// submit takes a plan through the engine: preflight and dry-run, the
// person's approval, the executor, the undo offer. What happens is shown
// by the engine's events; the error says how it ended.
func (s *Shell) submit(ctx context.Context, p *plan.Plan) error {
	_, err := s.engine.Submit(ctx, p, s.approver())
	return err
}

// terminalApprover asks the person at the terminal.
type terminalApprover struct{ s *Shell }

// Decide asks one question and reads the answer; Ctrl-C or end of input
// is a no.
func (a *terminalApprover) Decide(ctx context.Context, req session.Request) (session.Decision, error) {
	s := a.s
	s.events.pause()
	switch req.Kind {
	case session.ApprovePlan:
		if req.Review != nil && s.reviewInView(len(req.Review.Steps)) {
			// A long plan (or OSTUI_PLAN_REVIEW=view): step through it
			// in the plan-review view.
			return s.decideInView(ctx, req)
		}
		return a.approvePlan(req)
	case session.FixBlocked:
		return a.fixBlocked(req.Review.Plan), nil
	case session.ReviewUndo:
		return a.yesNo("Review an undo plan? [y/N]: "), nil
	case session.ShareRead:
		name := "a read"
		if req.Tool != nil {
			name = req.Tool.Slash()
		}
		if args := compactArgs(req.Args); args != "" {
			name += " " + termtext.Safe(args)
		}
		return a.yesNo(fmt.Sprintf("Share the result of %s with the model? [y/N]: ", name)), nil
	}
	return session.Decision{}, nil
}

func (a *terminalApprover) yesNo(prompt string) session.Decision {
	answer, err := a.s.Asker(prompt)
	if err == nil && strings.HasPrefix(strings.ToLower(strings.TrimSpace(answer)), "y") {
		return session.Decision{Verdict: session.Approve}
	}
	return session.Decision{}
}

// approvePlan is the approval prompt: yes, no (optionally with a reason,
// "n too big", which a model is told), step by step, edit, or allow the
// plan's one tool for the session.
func (a *terminalApprover) approvePlan(req session.Request) (session.Decision, error) {
	s := a.s
	prompt := "Run it? [y]es [n]o [s]tep by step [e]dit [r]ecipe NAME"
	if req.Grantable != nil {
		prompt += fmt.Sprintf(" [a]lways allow %s this session", req.Grantable.Slash())
	}
	prompt += ": "
	for {
		answer, err := s.Asker(prompt)
		if err != nil {
			if errors.Is(err, repl.ErrInterrupt) || errors.Is(err, io.EOF) {
				return session.Decision{}, nil
			}
			return session.Decision{}, err
		}
		word, reason := splitAnswer(answer)
		switch word {
		case "y", "yes":
			return session.Decision{Verdict: session.Approve}, nil
		case "n", "no", "":
			return session.Decision{Verdict: session.Deny, Reason: reason}, nil
		case "s", "step":
			return a.approveSteps(req)
		case "e", "edit":
			edited, err := s.editPlan(req.Review.Plan)
			if err != nil {
				fmt.Fprintln(s.IO.ErrOut, "edit: "+err.Error())
				continue
			}
			return session.Decision{Verdict: session.Edit, Edited: edited}, nil
		case "r", "recipe":
			// Saving is not an answer: the prompt asks again.
			if reason == "" {
				fmt.Fprintln(s.IO.ErrOut, "give the recipe a name: r NAME")
				continue
			}
			msg, err := s.saveRecipe(context.Background(), reason, "", false, req.Review.Plan, nil)
			if err != nil {
				fmt.Fprintln(s.IO.ErrOut, err.Error())
				continue
			}
			fmt.Fprintln(s.IO.ErrOut, msg)
			continue
		case "a", "always":
			if req.Grantable == nil {
				fmt.Fprintln(s.IO.ErrOut, "this plan has no single change tool to allow (destroy tools and plans from a model always ask)")
				continue
			}
			return session.Decision{Verdict: session.AllowForSession}, nil
		default:
			hint := "answer y, n (optionally with a reason: n REASON), s, e, or r NAME to save the plan as a recipe"
			if req.Grantable != nil {
				hint += ", or a to allow " + req.Grantable.Slash() + " for the session"
			}
			fmt.Fprintln(s.IO.ErrOut, hint)
		}
	}
}

// splitAnswer reads "n, too expensive" as the word n and the reason
// "too expensive".
func splitAnswer(answer string) (word, reason string) {
	answer = strings.TrimSpace(answer)
	word, reason, _ = strings.Cut(answer, " ")
	word = strings.ToLower(strings.TrimRight(word, ",:;"))
	return word, strings.TrimSpace(strings.TrimLeft(reason, ",:; "))
}

func (a *terminalApprover) approveSteps(req session.Request) (session.Decision, error) {
	runs := make([]bool, len(req.Review.Steps))
	for i := range req.Review.Steps {
		st := &req.Review.Steps[i]
		answer, err := a.s.Asker(fmt.Sprintf("  step %d, %s %s? [y/N]: ", i+1, st.Tool.Slash(), termtext.Safe(a.s.masked(review.StepSubject(st)))))
		if err != nil {
			// Ctrl-C or end of input while stepping through: the whole
			// plan is declined, as at the first prompt.
			return session.Decision{Verdict: session.Deny}, nil //nolint:nilerr // giving up is an answer: no
		}
		runs[i] = strings.HasPrefix(strings.ToLower(strings.TrimSpace(answer)), "y")
	}
	return session.Decision{Verdict: session.ApproveSteps, Runs: runs}, nil
}

// fixBlocked lets a person at a terminal fix a blocked plan in $EDITOR.
func (a *terminalApprover) fixBlocked(p *plan.Plan) session.Decision {
	s := a.s
	for {
		answer, err := s.Asker("The plan cannot run as it stands. [e]dit it, or [n]o: ")
		if err != nil {
			return session.Decision{}
		}
		switch strings.ToLower(strings.TrimSpace(answer)) {
		case "e", "edit":
			edited, err := s.editPlan(p)
			if err != nil {
				fmt.Fprintln(s.IO.ErrOut, "edit: "+err.Error())
				continue
			}
			return session.Decision{Verdict: session.Edit, Edited: edited}
		case "", "n", "no":
			return session.Decision{}
		default:
			fmt.Fprintln(s.IO.ErrOut, "answer e to edit the plan, or n (or Enter) to leave it")
		}
	}
}

// editPlan opens the plan as YAML in $VISUAL or $EDITOR; the engine
// validates and preflights the result again like any new plan.
func (s *Shell) editPlan(p *plan.Plan) (*plan.Plan, error) {
	editor := firstNonEmpty(s.Getenv("VISUAL"), s.Getenv("EDITOR"))
	if editor == "" {
		editor = "vi"
	}
	doc, err := p.MarshalYAML()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "ostui-plan-")
	if err != nil {
		return nil, fmt.Errorf("create a file to edit: %w", err)
	}
	defer func() { _ = os.RemoveAll(dir) }() // a temp dir; nothing to do if it lingers
	file := filepath.Join(dir, "plan.yaml")
	header := "# Edit the plan, save and quit. It is validated and checked again before anything runs.\n"
	if err := os.WriteFile(file, append([]byte(header), doc...), 0o600); err != nil {
		return nil, fmt.Errorf("write the plan for editing: %w", err)
	}
	fields := strings.Fields(editor)
	// The editor is the person's own $VISUAL/$EDITOR.
	cmd := exec.Command(fields[0], append(fields[1:], file)...) //nolint:gosec // the person's own editor setting
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("run %s: %w", editor, err)
	}
	b, err := os.ReadFile(file) //nolint:gosec // our own temp file
	if err != nil {
		return nil, fmt.Errorf("read the edited plan: %w", err)
	}
	edited, err := plan.ParseYAML(b)
	if err != nil {
		return nil, err
	}
	edited.ID, edited.Origin = plan.NewID(), p.Origin
	return edited, nil
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
