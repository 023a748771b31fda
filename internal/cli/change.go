package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/kriscelmer/os-tui/agent/executor"
	"github.com/kriscelmer/os-tui/agent/gate"
	"github.com/kriscelmer/os-tui/agent/plan"
	"github.com/kriscelmer/os-tui/agent/router"
	"github.com/kriscelmer/os-tui/internal/audit"
	"github.com/kriscelmer/os-tui/internal/render/markdown"
	"github.com/kriscelmer/os-tui/internal/repl"
	"github.com/kriscelmer/os-tui/tools"
)

// Asker reads one answer from the person; nil means nobody can answer
// (piped input, CI), and the shell then fails closed.
type Asker func(prompt string) (string, error)

// declinedError: the person said no. Nothing was changed.
type declinedError struct{}

func (declinedError) Error() string { return "not approved; nothing was changed" }

// needsApprovalError: a change with no terminal to approve it.
type needsApprovalError struct{ slash string }

func (e *needsApprovalError) Error() string {
	return fmt.Sprintf("%s changes the cloud and needs your approval, but no terminal can answer; "+
		"run it in the shell, or one-shot with --yes (ostui --yes -c '...') to approve it after its preflight passes", e.slash)
}

// change turns a slash command that changes something into a one-step
// plan and takes it through the gate.
func (s *Shell) change(ctx context.Context, c router.Call, line string) error {
	if s.Mode == gate.ModeAsk {
		return &gate.ModeError{Mode: s.Mode, Tool: c.Tool}
	}
	return s.runPlan(ctx, plan.FromCall(c.Tool.Name, c.Args, strings.TrimSpace(line)))
}

// runPlan is the one path from a plan to the cloud: preflight and
// dry-run, the person's approval, the executor, and — when a step
// fails — the offer to undo what was done, as a new plan.
func (s *Shell) runPlan(ctx context.Context, p *plan.Plan) error {
	env, err := s.environment()
	if err != nil {
		return err
	}
	for {
		s.note("checking the plan against the cloud…")
		review, err := s.gate().Preflight(ctx, env, p)
		s.clearNote()
		if err != nil {
			return err
		}
		if err := s.Mode.Allow(review); err != nil {
			return err
		}
		s.showReview(review)
		if review.Blocked() {
			if edited := s.offerEdit(p); edited != nil {
				p = edited
				continue
			}
			return &blockedError{problems: review.Problems()}
		}
		approved, edited, err := s.approve(review)
		if err != nil {
			s.auditDenied(p, err)
			return err
		}
		if edited != nil {
			p = edited
			continue
		}
		out, err := s.executor().Execute(ctx, env, approved)
		var changed *gate.ChangedError
		if errors.As(err, &changed) && !anyRan(out) && s.Asker != nil && !s.Yes {
			// Nothing ran yet: review the plan again against the cloud as
			// it is now. (Once a step has run, going round again would
			// run it twice; the outcome and the undo offer follow instead.)
			fmt.Fprintln(s.IO.ErrOut, changed.Error())
			continue
		}
		s.showOutcome(out)
		if err != nil && out != nil && out.Undo != nil {
			s.offerUndo(ctx, out.Undo)
		}
		return err
	}
}

// anyRan reports whether any step of an outcome ran (completed or not).
func anyRan(out *executor.Outcome) bool {
	if out == nil {
		return false
	}
	for _, o := range out.Steps {
		switch o.Status {
		case executor.StatusOK, executor.StatusFailed, executor.StatusWaitStopped, executor.StatusCancelled:
			return true
		}
	}
	return false
}

// blockedError: the preflight found the plan cannot succeed.
type blockedError struct{ problems []string }

func (e *blockedError) Error() string {
	return "the plan cannot run as it stands; nothing was changed:\n  " + strings.Join(e.problems, "\n  ")
}

func (s *Shell) gate() *gate.Gate {
	if s.theGate == nil {
		s.theGate = &gate.Gate{Registry: s.Registry}
	}
	return s.theGate
}

func (s *Shell) executor() *executor.Executor {
	x := &executor.Executor{
		Gate:     s.gate(),
		Report:   newProgress(s.IO),
		AuditErr: func(err error) { fmt.Fprintln(s.IO.ErrOut, "warning: "+err.Error()) },
	}
	if log := s.auditLog(); log != nil {
		x.Audit = log
	}
	if c := s.cfg; c != nil {
		x.Scope = executor.Scope{Cloud: c.Name, Project: firstNonEmpty(c.ProjectName, c.ProjectID), User: firstNonEmpty(c.Username, c.UserID), Region: c.Region}
	}
	return x
}

func (s *Shell) auditLog() *audit.Log {
	if s.audit != nil {
		return s.audit
	}
	log, err := audit.Open(audit.DefaultPath(s.Paths.StateDir))
	if err != nil {
		fmt.Fprintln(s.IO.ErrOut, "warning: the audit log cannot be opened: "+err.Error())
		return nil
	}
	s.audit = log
	return log
}

func (s *Shell) auditDenied(p *plan.Plan, err error) {
	log := s.auditLog()
	if log == nil {
		return
	}
	var d declinedError
	var na *needsApprovalError
	if !errors.As(err, &d) && !errors.As(err, &na) {
		return
	}
	_ = log.Append(audit.Record{Event: "denied", PlanID: p.ID, Origin: p.Origin, Goal: p.Goal, Error: err.Error()})
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// showReview prints the reviewed plan: markdown through glamour on a
// terminal, as it is elsewhere.
func (s *Shell) showReview(r *gate.Review) {
	if !s.IO.IsStdoutTTY() {
		fmt.Fprint(s.IO.Out, reviewMarkdown(r, true))
		return
	}
	md := reviewMarkdown(r, false)
	if err := markdown.Render(s.IO, md); err != nil {
		fmt.Fprint(s.IO.Out, md)
	}
}

// approve asks the person. It returns an approval, or an edited plan to
// review again, or an error (declined, or nobody to ask).
func (s *Shell) approve(r *gate.Review) (*gate.Approved, *plan.Plan, error) {
	if a, ok := s.gate().ApproveByGrant(r, s.Grants); ok {
		fmt.Fprintln(s.IO.ErrOut, "approved by your grant for this session")
		return a, nil, nil
	}
	if s.Yes {
		a, err := s.gate().Approve(r, gate.ByFlag, nil)
		return a, nil, err
	}
	if s.Asker == nil {
		return nil, nil, &needsApprovalError{slash: r.Steps[0].Tool.Slash()}
	}
	grantable := grantableTool(r)
	if r.Plan.Origin == plan.OriginModel {
		// Grants never approve a model's plan, so offering one would mislead.
		grantable = nil
	}
	prompt := "Run it? [y]es [n]o [s]tep by step [e]dit"
	if grantable != nil {
		prompt += fmt.Sprintf(" [a]lways allow %s this session", grantable.Slash())
	}
	prompt += ": "
	for {
		answer, err := s.Asker(prompt)
		if err != nil {
			if errors.Is(err, repl.ErrInterrupt) || errors.Is(err, io.EOF) {
				return nil, nil, declinedError{}
			}
			return nil, nil, err
		}
		switch strings.ToLower(strings.TrimSpace(answer)) {
		case "y", "yes":
			a, err := s.gate().Approve(r, gate.ByKeyboard, nil)
			return a, nil, err
		case "n", "no", "":
			return nil, nil, declinedError{}
		case "s", "step":
			return s.approveSteps(r)
		case "e", "edit":
			edited, err := s.editPlan(r.Plan)
			if err != nil {
				fmt.Fprintln(s.IO.ErrOut, "edit: "+err.Error())
				continue
			}
			return nil, edited, nil
		case "a", "always":
			if grantable == nil {
				fmt.Fprintln(s.IO.ErrOut, "this plan has no single change tool to grant (destroy tools always ask)")
				continue
			}
			if err := s.Grants.Grant(grantable); err != nil {
				fmt.Fprintln(s.IO.ErrOut, err.Error())
				continue
			}
			a, err := s.gate().Approve(r, gate.ByKeyboard, nil)
			return a, nil, err
		default:
			fmt.Fprintln(s.IO.ErrOut, "answer y, n, s or e")
		}
	}
}

// offerEdit lets a person at a terminal fix a blocked plan in $EDITOR;
// nil when nobody can answer or they decline.
func (s *Shell) offerEdit(p *plan.Plan) *plan.Plan {
	if s.Asker == nil {
		return nil
	}
	for {
		answer, err := s.Asker("The plan cannot run as it stands. [e]dit it, or [n]o: ")
		if err != nil {
			return nil
		}
		switch strings.ToLower(strings.TrimSpace(answer)) {
		case "e", "edit":
			edited, err := s.editPlan(p)
			if err != nil {
				fmt.Fprintln(s.IO.ErrOut, "edit: "+err.Error())
				continue
			}
			return edited
		case "", "n", "no":
			return nil
		default:
			fmt.Fprintln(s.IO.ErrOut, "answer e to edit the plan, or n (or Enter) to leave it")
		}
	}
}

// grantableTool is the one change (not destroy) tool a plan uses, which
// "a" would allow for the session; nil when there is none or several.
func grantableTool(r *gate.Review) *tools.Tool {
	var found *tools.Tool
	for _, s := range r.Steps {
		switch s.Tool.Effect {
		case tools.Read:
			continue
		case tools.Destroy:
			return nil
		}
		if found != nil && found.Name != s.Tool.Name {
			return nil
		}
		found = s.Tool
	}
	return found
}

func (s *Shell) approveSteps(r *gate.Review) (*gate.Approved, *plan.Plan, error) {
	runs := make([]bool, len(r.Steps))
	any := false
	for i, st := range r.Steps {
		answer, err := s.Asker(fmt.Sprintf("  step %d, %s %s? [y/N]: ", i+1, st.Tool.Slash(), controlEscape(stepSubject(&st))))
		if err != nil {
			return nil, nil, declinedError{}
		}
		runs[i] = strings.HasPrefix(strings.ToLower(strings.TrimSpace(answer)), "y")
		any = any || runs[i]
	}
	if !any {
		return nil, nil, declinedError{}
	}
	a, err := s.gate().Approve(r, gate.StepByStep, runs)
	return a, nil, err
}

// editPlan opens the plan as YAML in $VISUAL or $EDITOR; the result is
// validated and preflighted again like any new plan.
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
	cmd := exec.Command(fields[0], append(fields[1:], file)...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("run %s: %w", editor, err)
	}
	b, err := os.ReadFile(file)
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

func (s *Shell) showOutcome(out *executor.Outcome) {
	if out == nil {
		return
	}
	for _, o := range out.Steps {
		if o.Status == executor.StatusOK && o.Result != nil && (o.Result.List != nil || o.Result.Record != nil || o.Result.Text != "") {
			_ = s.render(o.Result)
		}
	}
	notRun := 0
	for _, o := range out.Steps {
		if o.Status == executor.StatusNotRun {
			notRun++
		}
	}
	if notRun > 0 {
		fmt.Fprintf(s.IO.ErrOut, "%d later step(s) were not run.\n", notRun)
	}
}

// offerUndo asks whether to reverse what a failed plan completed. The
// undo is a new plan and goes through the gate like any other.
func (s *Shell) offerUndo(ctx context.Context, undo *plan.Plan) {
	var lines []string
	for _, st := range undo.Steps {
		lines = append(lines, "/"+strings.ReplaceAll(st.Tool, ".", " "))
	}
	fmt.Fprintf(s.IO.ErrOut, "The completed steps can be undone: %s\n", strings.Join(lines, ", "))
	if s.Asker == nil {
		fmt.Fprintln(s.IO.ErrOut, "(not offered without a terminal; run those commands to undo)")
		return
	}
	answer, err := s.Asker("Review an undo plan? [y/N]: ")
	if err != nil || !strings.HasPrefix(strings.ToLower(strings.TrimSpace(answer)), "y") {
		return
	}
	if err := s.runPlan(ctx, undo); err != nil {
		s.Report(err)
	}
}

// note shows a transient status on a terminal's stderr.
func (s *Shell) note(msg string) {
	if s.IO.IsStderrTTY() {
		fmt.Fprint(s.IO.ErrOut, s.IO.ColorScheme().Faint(msg))
	}
}

func (s *Shell) clearNote() {
	if s.IO.IsStderrTTY() {
		fmt.Fprint(s.IO.ErrOut, "\r\x1b[K")
	}
}
