package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"

	"github.com/kriscelmer/os-tui/agent/plan"
	"github.com/kriscelmer/os-tui/internal/iostreams"
	"github.com/kriscelmer/os-tui/internal/recipes"
	"github.com/kriscelmer/os-tui/tools/toolset"
)

const runUsage = `usage: ostui run RECIPE.yaml [--param NAME=VALUE]... [--yes] [--check]

Runs a saved plan (a recipe) through the gate: validate, preflight, dry-run,
then your approval (or --yes once the preflight passes), then the executor.
--check stops after the preflight and dry-run.`

// runRecipe is `ostui run`: a recipe is a plan with parameters, and it
// takes the same path as any other plan.
func runRecipe(ctx context.Context, ios *iostreams.IOStreams, o *options, getenv func(string) string) error {
	args := o.args[1:]
	// The recipe may come before or after the flags.
	var file string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		file, args = args[0], args[1:]
	}
	// The flags are the table's (flagdefs.go), so help, completion and the
	// man page cannot disagree with what is parsed here.
	got, rest, err := subcommandFlags("run", args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprintln(ios.Out, runUsage)
		return nil
	case err != nil:
		def, _ := subcommandNamed("run")
		return &usageError{msg: "ostui run: " + flagProblem(err, def.flags) + "\n" + runUsage}
	}
	params := map[string]string{}
	for _, v := range got["param"] {
		k, val, ok := strings.Cut(v, "=")
		if !ok || k == "" {
			return &usageError{msg: fmt.Sprintf("ostui run: --param takes NAME=VALUE (got %q)\n%s", v, runUsage)}
		}
		params[k] = val
	}
	yes := o.yes || lastSwitch(got["yes"])
	check := lastSwitch(got["check"])
	if file == "" && len(rest) == 1 {
		file = rest[0]
	} else if len(rest) > 0 || file == "" {
		return &usageError{msg: runUsage}
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("read recipe: %w", err)
	}
	// The schema first: its problems name the field and the line.
	recipe, err := recipes.Parse(file, b)
	if err != nil {
		return err
	}
	p, err := recipe.Plan(params)
	if err != nil {
		return &usageError{msg: "ostui run: " + err.Error()}
	}
	reg, err := toolset.Registry()
	if err != nil {
		return fmt.Errorf("load tools: %w", err)
	}
	sh := NewShell(ios, reg, o.flags, getenv, DefaultPaths(getenv))
	sh.Debug, sh.Timeout, sh.Yes = o.debug, o.timeout, yes
	if o.readOnly {
		sh.Engine().LockReadOnly()
	}
	if ios.IsStdinTTY() {
		sh.Asker = lineAsker(ios)
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()
	if check {
		err = sh.checkPlan(ctx, p)
	} else {
		err = sh.submit(ctx, p)
	}
	if err != nil {
		sh.Report(err)
		return &silentError{code: ExitCode(err)}
	}
	return nil
}

// checkPlan shows a plan's preflight and dry-run and stops there.
func (s *Shell) checkPlan(ctx context.Context, p *plan.Plan) error {
	if _, err := s.engine.Check(ctx, p); err != nil {
		return err
	}
	fmt.Fprintln(s.IO.ErrOut, "preflight passed; nothing was run (--check)")
	return nil
}
