package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/kriscelmer/os-tui/agent/plan"
	"github.com/kriscelmer/os-tui/agent/session"
	"github.com/kriscelmer/os-tui/internal/netstate"
	"github.com/kriscelmer/os-tui/internal/repl"
	"github.com/kriscelmer/os-tui/internal/termtext"
	"github.com/kriscelmer/os-tui/internal/vpc"
	"github.com/kriscelmer/os-tui/tools"
)

const vpcUsage = `usage: /vpc create NAME --cidr CIDR [--external NETWORK] [--dns IP[,IP…]] [--ssh-from CIDR | --no-ssh]
       /vpc delete NAME
(create makes NAME-net, NAME-subnet, NAME-router with its gateway on the external
network, the interface, and NAME-sg admitting ping, and SSH from --ssh-from; one plan)`

// vpcCommand is /vpc create and /vpc delete: one plan each, through the
// gate like any other.
func (s *Shell) vpcCommand(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return &usageError{msg: vpcUsage}
	}
	if helpAsked(args) {
		fmt.Fprintln(s.IO.Out, vpcUsage)
		return nil
	}
	switch args[0] {
	case "create":
		o, err := parseVPCCreate(args[1:])
		if err != nil {
			return &usageError{msg: termtext.Safe(err.Error()) + "\n" + vpcUsage}
		}
		return s.vpcCreate(ctx, o)
	case "delete":
		if len(args) != 2 || strings.HasPrefix(args[1], "-") {
			return &usageError{msg: "/vpc delete takes the VPC's name\n" + vpcUsage}
		}
		return s.vpcDelete(ctx, args[1])
	}
	return &usageError{msg: fmt.Sprintf("unknown command /vpc %s\n%s", termtext.Safe(args[0]), vpcUsage)}
}

// parseVPCCreate reads /vpc create's words: NAME and the flags, each as
// --flag VALUE or --flag=VALUE.
func parseVPCCreate(words []string) (vpc.Options, error) {
	var o vpc.Options
	noSSH := false
	for i := 0; i < len(words); i++ {
		w := words[i]
		if !strings.HasPrefix(w, "-") {
			if o.Name != "" {
				return o, fmt.Errorf("one VPC name, please (got %q and %q)", o.Name, w)
			}
			o.Name = w
			continue
		}
		flag, value, inline := strings.Cut(w, "=")
		get := func() (string, error) {
			if inline {
				return value, nil
			}
			if i+1 >= len(words) {
				return "", fmt.Errorf("%s needs a value", flag)
			}
			i++
			return words[i], nil
		}
		var err error
		switch flag {
		case "--cidr", "--subnet-range":
			o.CIDR, err = get()
		case "--external", "--external-gateway", "--external-network":
			o.External, err = get()
		case "--dns", "--dns-nameserver":
			var v string
			v, err = get()
			o.DNS = append(o.DNS, strings.Split(v, ",")...)
		case "--ssh-from":
			o.SSHFrom, err = get()
		case "--no-ssh":
			noSSH = true
		default:
			return o, fmt.Errorf("unknown flag %s", flag)
		}
		if err != nil {
			return o, err
		}
	}
	if noSSH && o.SSHFrom != "" {
		return o, errors.New("--no-ssh and --ssh-from say opposite things; give one")
	}
	return vpc.Check(o)
}

// netReader reads through the engine's read path, as every command does;
// an error is put into words with its request ID.
func (s *Shell) netReader() netstate.Reader {
	return func(ctx context.Context, tool string, args map[string]any) (*tools.Result, error) {
		raw := tools.Args("{}")
		if len(args) > 0 {
			b, err := json.Marshal(args)
			if err != nil {
				return nil, err
			}
			raw = b
		}
		res, err := s.engine.Read(ctx, plan.OriginSlash, tool, raw)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			var nf *tools.NotFoundError
			if errors.As(err, &nf) {
				return nil, err
			}
			return nil, s.explain(err)
		}
		return res, nil
	}
}

// vpcCreate checks the project, then submits the one plan.
func (s *Shell) vpcCreate(ctx context.Context, o vpc.Options) error {
	if _, err := s.environment(); err != nil {
		return err
	}
	survey, err := vpc.Preflight(ctx, s.netReader(), o)
	if err != nil {
		return err
	}
	if len(survey.Choices) > 0 && s.Asker != nil {
		// Several external networks and none named: ask, as the launch
		// wizard asks for what a command line left out.
		name, err := s.askExternal(survey.Choices)
		if err != nil {
			return err
		}
		o.External = name
		if survey, err = vpc.Preflight(ctx, s.netReader(), o); err != nil {
			return err
		}
	}
	for _, n := range survey.Notes {
		fmt.Fprintln(s.IO.ErrOut, "note: "+termtext.Safe(n))
	}
	if len(survey.Problems) > 0 {
		return refusal("/vpc create "+o.Name, survey.Problems)
	}
	p := vpc.CreatePlan(o, survey.External.ID, vpcGoal(o, survey.External.Label()))
	out, err := s.engine.Submit(ctx, p, noUndoOffer{s.approver()})
	if err == nil || ctx.Err() != nil || out == nil || out.Exec == nil || out.Exec.Undo == nil || len(out.Exec.Undo.Steps) == 0 {
		return err
	}
	s.takeApart(ctx, o.Name, p.Goal)
	return err
}

// noUndoOffer answers the engine's offer to undo a failed /vpc create
// with no: the engine's undo replays each step's inverse, each checked
// against the cloud before any has run, and a network is not deletable
// while the router interface an earlier undo step removes is still on
// it. The teardown /vpc delete makes (takeApart) orders and checks the
// same deletes properly.
type noUndoOffer struct{ session.Approver }

func (a noUndoOffer) Decide(ctx context.Context, req session.Request) (session.Decision, error) {
	if req.Kind == session.ReviewUndo {
		return session.Decision{}, nil
	}
	return a.Approver.Decide(ctx, req)
}

// takeApart offers, after /vpc create failed part-way, the plan of /vpc
// delete for what it made: at a terminal the person is asked; in a
// one-shot run approved with --yes it runs, so no half-built VPC is left.
func (s *Shell) takeApart(ctx context.Context, name, goal string) {
	f, err := vpc.Find(ctx, s.netReader(), name)
	if err != nil || f.Empty() {
		return
	}
	again := "/vpc delete " + quoteWord(name)
	if s.Asker != nil {
		answer, err := s.Asker(fmt.Sprintf("Take apart what was made (%s)? [y/N]: ", termtext.Safe(strings.Join(f.Parts(), "; "))))
		if err != nil || !strings.HasPrefix(strings.ToLower(strings.TrimSpace(answer)), "y") {
			fmt.Fprintf(s.IO.ErrOut, "left as it is; %s takes it apart\n", termtext.Safe(again))
			return
		}
	} else {
		fmt.Fprintf(s.IO.ErrOut, "%s failed part-way; --yes takes apart what it made (%s):\n", termtext.Safe(goal), termtext.Safe(strings.Join(f.Parts(), "; ")))
	}
	if b := f.Blockers(); len(b) > 0 {
		fmt.Fprintln(s.IO.ErrOut, refusal(again, b).Error())
		return
	}
	if _, err := s.engine.Submit(ctx, vpc.DeletePlan(f, "undo: "+goal), s.approver()); err != nil {
		// The error returned is the create's; the teardown's is said here,
		// so neither hides the other.
		fmt.Fprintln(s.IO.ErrOut, "the undo failed too: "+termtext.SafeMultiline(s.explain(err).Error())+"\n"+termtext.Safe(again)+" takes apart what is left")
	}
}

// refusal is one error listing every reason a command will not run.
func refusal(what string, problems []string) error {
	if len(problems) == 1 {
		return fmt.Errorf("%s: %s", what, termtext.Safe(problems[0]))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s cannot run:", what)
	for _, p := range problems {
		b.WriteString("\n  - " + termtext.Safe(p))
	}
	return errors.New(b.String())
}

// vpcGoal is the command the plan amounts to, with the external network
// chosen, for the review and the audit log.
func vpcGoal(o vpc.Options, external string) string {
	goal := fmt.Sprintf("/vpc create %s --cidr %s --external %s", quoteWord(o.Name), o.CIDR, quoteWord(external))
	if len(o.DNS) > 0 {
		goal += " --dns " + strings.Join(o.DNS, ",")
	}
	if o.SSHFrom != "" {
		goal += " --ssh-from " + o.SSHFrom
	}
	return goal
}

func (s *Shell) askExternal(choices []netstate.Network) (string, error) {
	var names []string
	for _, n := range choices {
		names = append(names, n.Label())
	}
	prompt := "external network for the router's gateway\n  choices: " + termtext.Safe(strings.Join(names, ", ")) + "\nexternal> "
	for {
		answer, err := s.Asker(prompt)
		if errors.Is(err, repl.ErrInterrupt) || errors.Is(err, io.EOF) {
			return "", &session.DeclinedError{}
		}
		if err != nil {
			return "", err
		}
		answer = strings.TrimSpace(answer)
		for _, n := range choices {
			if answer != "" && (answer == n.Name || answer == n.ID) {
				return answer, nil
			}
		}
		fmt.Fprintln(s.IO.ErrOut, "  one of the choices, please")
	}
}

// vpcDelete finds what exists of the VPC, says what still uses it, and
// submits the plan that takes the rest apart.
func (s *Shell) vpcDelete(ctx context.Context, name string) error {
	if _, err := s.environment(); err != nil {
		return err
	}
	f, err := vpc.Find(ctx, s.netReader(), name)
	if err != nil {
		return err
	}
	if f.Empty() && len(f.Problems) == 0 {
		n := vpc.NamesFor(name)
		return fmt.Errorf("no VPC named %s: none of network %s, subnet %s, router %s or security group %s exists",
			termtext.Safe(name), termtext.Safe(n.Network), termtext.Safe(n.Subnet), termtext.Safe(n.Router), termtext.Safe(n.Group))
	}
	if parts := f.Parts(); len(parts) > 0 {
		fmt.Fprintf(s.IO.ErrOut, "VPC %s: %s\n", termtext.Safe(name), termtext.Safe(strings.Join(parts, "; ")))
	}
	if b := f.Blockers(); len(b) > 0 {
		return refusal("/vpc delete "+name, b)
	}
	return s.submit(ctx, vpc.DeletePlan(f, "/vpc delete "+quoteWord(name)))
}
