package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/kriscelmer/os-tui/agent/plan"
	"github.com/kriscelmer/os-tui/agent/session"
	"github.com/kriscelmer/os-tui/internal/recipes"
	"github.com/kriscelmer/os-tui/internal/termtext"
)

const saveRecipeUsage = `usage: /save-recipe NAME [--dir DIR] [--no-commit]

Saves the last plan of this session (run, or only reviewed) as the recipe
NAME in the recipe folder ($OSTUI_RECIPE_DIR, or
$XDG_DATA_HOME/ostui/recipes), and commits it there (--no-commit leaves it
uncommitted). The values you chose become parameters with those values as
defaults; IDs made by earlier steps become ${step.field}; each step gets a
holds check, so a replay skips what is already there. A plan holding a
secret (a password, user data) is refused.`

const recipeUsage = `usage: /recipe list
       /recipe show NAME
       /recipe run NAME [--param NAME=VALUE]...
       /recipe commit [-m MESSAGE]
       /recipe branch [NAME]
       /recipe diff [REV [REV]] [NAME]
       /recipe log [NAME]
       (every form takes --dir DIR: another recipe folder)

The recipe folder is a git repository. diff shows git's diff and the
change in the plans the two versions make (steps added, removed, changed),
each with its default parameters. run replays a recipe through the gate:
steps whose goal already holds are skipped, and say so.`

// recipeStore is the recipe folder: dir, or the configured one.
func (s *Shell) recipeStore(dir string) *recipes.Store {
	if dir == "" {
		dir = s.Paths.RecipeDir
	}
	return &recipes.Store{Dir: dir, NoCommit: s.Getenv("OSTUI_RECIPE_AUTOCOMMIT") == "0"}
}

// cutFlag removes "--name VALUE" (or --name=VALUE) from args.
func cutFlag(args []string, names ...string) (value string, rest []string, err error) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		matched := false
		for _, n := range names {
			if v, ok := strings.CutPrefix(a, n+"="); ok {
				value, matched = v, true
				break
			}
			if a == n {
				if i+1 >= len(args) {
					return "", nil, fmt.Errorf("%s needs a value", n)
				}
				value, matched = args[i+1], true
				i++
				break
			}
		}
		if !matched {
			rest = append(rest, a)
		}
	}
	return value, rest, nil
}

func hasHelp(args []string) bool {
	for _, a := range args {
		if a == "--help" || a == "-h" {
			return true
		}
	}
	return false
}

// saveRecipeCommand is /save-recipe NAME.
func (s *Shell) saveRecipeCommand(ctx context.Context, args []string) error {
	if hasHelp(args) {
		fmt.Fprintln(s.IO.Out, saveRecipeUsage)
		return nil
	}
	dir, args, err := cutFlag(args, "--dir")
	if err != nil {
		return &usageError{msg: "/save-recipe: " + err.Error() + "\n" + saveRecipeUsage}
	}
	noCommit := false
	var rest []string
	for _, a := range args {
		if a == "--no-commit" {
			noCommit = true
			continue
		}
		rest = append(rest, a)
	}
	if len(rest) != 1 || strings.HasPrefix(rest[0], "-") {
		return &usageError{msg: saveRecipeUsage}
	}
	if _, err := s.recipeStore(dir).File(rest[0]); err != nil {
		return err
	}
	out := s.engine.LastOutcome()
	if out == nil || out.Review == nil {
		return errors.New("no plan to save yet: make one (a slash command that changes something, /vpc create, or a request to the model), review or run it, then /save-recipe NAME")
	}
	msg, err := s.saveRecipe(ctx, rest[0], dir, noCommit, out.Review.Plan, outputsOf(out))
	if err != nil {
		return err
	}
	fmt.Fprintln(s.IO.ErrOut, msg)
	return nil
}

// outputsOf collects what each step of a run produced (held steps
// included), so IDs made by earlier steps become references.
func outputsOf(out *session.Outcome) map[string]map[string]string {
	m := map[string]map[string]string{}
	if out == nil || out.Exec == nil {
		return m
	}
	for _, st := range out.Exec.Steps {
		if st.Result != nil && st.Result.Outputs != nil {
			m[st.Step.ID] = st.Result.Outputs
		}
	}
	return m
}

// saveRecipe lifts a plan into a recipe and saves it; it says where, for
// the person.
func (s *Shell) saveRecipe(ctx context.Context, name, dir string, noCommit bool, p *plan.Plan, outputs map[string]map[string]string) (string, error) {
	r, err := recipes.Lift(s.Registry, p, outputs)
	if err != nil {
		return "", fmt.Errorf("save recipe %s: %w", name, err)
	}
	st := s.recipeStore(dir)
	st.NoCommit = st.NoCommit || noCommit
	header := fmt.Sprintf("ostui recipe %s, saved from: %s\nRun it: /recipe run %s [--param NAME=VALUE], or ostui run FILE\nSteps whose holds check reads that their goal is there already are skipped.", name, p.Goal, name)
	path, commit, err := st.Save(ctx, name, r, header)
	if err != nil {
		return "", fmt.Errorf("save recipe %s: %w", name, err)
	}
	msg := fmt.Sprintf("saved recipe %s: %s (%d steps", name, path, len(r.Steps))
	if len(r.Params) > 0 {
		names := make([]string, 0, len(r.Params))
		for n := range r.Params {
			names = append(names, n)
		}
		sort.Strings(names)
		msg += "; parameters " + strings.Join(names, ", ")
	}
	msg += ")"
	if commit != "" {
		msg += ", committed " + commit
	}
	return termtext.Safe(msg), nil
}

// recipeCommand is /recipe.
func (s *Shell) recipeCommand(ctx context.Context, args []string) error {
	if len(args) == 0 || hasHelp(args) {
		fmt.Fprintln(s.IO.Out, recipeUsage)
		return nil
	}
	dir, args, err := cutFlag(args, "--dir")
	if err != nil {
		return &usageError{msg: "/recipe: " + err.Error() + "\n" + recipeUsage}
	}
	st := s.recipeStore(dir)
	verb, rest := args[0], args[1:]
	switch verb {
	case "list", "ls":
		return s.recipeList(st)
	case "show":
		if len(rest) != 1 {
			return &usageError{msg: "usage: /recipe show NAME"}
		}
		_, b, err := st.Load(rest[0])
		if err != nil {
			return err
		}
		fmt.Fprint(s.IO.Out, termtext.SafeMultiline(string(b)))
		return nil
	case "run":
		return s.recipeRun(ctx, st, rest)
	case "commit":
		msg, rest, err := cutFlag(rest, "-m", "--message")
		if err != nil || len(rest) > 0 {
			return &usageError{msg: "usage: /recipe commit [-m MESSAGE]"}
		}
		commit, err := st.Commit(ctx, msg)
		if err != nil {
			return err
		}
		if commit == "" {
			fmt.Fprintln(s.IO.ErrOut, "nothing to commit: the recipe folder has no changes")
			return nil
		}
		fmt.Fprintf(s.IO.ErrOut, "committed %s\n", commit)
		return nil
	case "branch":
		if len(rest) > 1 {
			return &usageError{msg: "usage: /recipe branch [NAME]"}
		}
		name := ""
		if len(rest) == 1 {
			name = rest[0]
		}
		out, err := st.Branch(ctx, name)
		if err != nil {
			return err
		}
		fmt.Fprint(s.IO.Out, termtext.SafeMultiline(out))
		return nil
	case "log":
		if len(rest) > 1 {
			return &usageError{msg: "usage: /recipe log [NAME]"}
		}
		name := ""
		if len(rest) == 1 {
			name = rest[0]
		}
		out, err := st.Log(ctx, name)
		if err != nil {
			return err
		}
		if strings.TrimSpace(out) == "" {
			fmt.Fprintln(s.IO.ErrOut, "no commits yet")
			return nil
		}
		fmt.Fprint(s.IO.Out, termtext.SafeMultiline(out))
		return nil
	case "diff":
		return s.recipeDiff(ctx, st, rest)
	}
	return &usageError{msg: fmt.Sprintf("/recipe: no subcommand %q\n", verb) + recipeUsage}
}

func (s *Shell) recipeList(st *recipes.Store) error {
	list, err := st.List()
	if err != nil {
		return err
	}
	if len(list) == 0 {
		fmt.Fprintf(s.IO.ErrOut, "no recipes in %s yet: save a plan with /save-recipe NAME\n", st.Dir)
		return nil
	}
	for _, e := range list {
		if e.Err != nil {
			fmt.Fprintf(s.IO.Out, "%s  (does not load: %s)\n", termtext.Safe(e.Name), termtext.Safe(firstLineOf(e.Err.Error())))
			continue
		}
		params := ""
		if len(e.Params) > 0 {
			params = " [" + strings.Join(e.Params, ", ") + "]"
		}
		fmt.Fprintf(s.IO.Out, "%s  %d steps%s  %s\n", termtext.Safe(e.Name), e.Steps, termtext.Safe(params), termtext.Safe(e.Goal))
	}
	return nil
}

func firstLineOf(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// recipeRun is /recipe run NAME [--param k=v]: the recipe's plan goes
// through the engine like any other.
func (s *Shell) recipeRun(ctx context.Context, st *recipes.Store, args []string) error {
	params := map[string]string{}
	var name string
	for i := 0; i < len(args); i++ {
		a := args[i]
		var kv string
		switch {
		case a == "--param" || a == "-p":
			if i+1 >= len(args) {
				return &usageError{msg: "usage: /recipe run NAME [--param NAME=VALUE]..."}
			}
			kv = args[i+1]
			i++
		case strings.HasPrefix(a, "--param="):
			kv = strings.TrimPrefix(a, "--param=")
		case !strings.HasPrefix(a, "-") && name == "":
			name = a
			continue
		default:
			return &usageError{msg: fmt.Sprintf("/recipe run: unexpected %q\nusage: /recipe run NAME [--param NAME=VALUE]...", a)}
		}
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return &usageError{msg: fmt.Sprintf("/recipe run: --param takes NAME=VALUE (got %q)", kv)}
		}
		params[k] = v
	}
	if name == "" {
		return &usageError{msg: "usage: /recipe run NAME [--param NAME=VALUE]..."}
	}
	r, _, err := st.Load(name)
	if err != nil {
		return err
	}
	p, err := r.Plan(params)
	if err != nil {
		return &usageError{msg: "/recipe run " + name + ": " + err.Error()}
	}
	return s.submit(ctx, p)
}

// recipeDiff is /recipe diff [REV [REV]] [NAME]: git's diff, then the
// change in the plans the versions make.
func (s *Shell) recipeDiff(ctx context.Context, st *recipes.Store, args []string) error {
	if len(args) > 3 {
		return &usageError{msg: "usage: /recipe diff [REV [REV]] [NAME]"}
	}
	// The last word is a recipe when such a file exists (now or, for
	// a deleted one, it is not a revision).
	var name string
	revs := args
	if n := len(args); n > 0 {
		if path, err := st.File(args[n-1]); err == nil && fileExists(path) {
			name, revs = args[n-1], args[:n-1]
		}
	}
	text, err := st.TextDiff(ctx, revs, name)
	if err != nil {
		return err
	}
	if strings.TrimSpace(text) == "" {
		fmt.Fprintln(s.IO.ErrOut, "no changes")
		return nil
	}
	fmt.Fprint(s.IO.Out, termtext.SafeMultiline(text))
	names := []string{name}
	if name == "" {
		if names, err = st.Changed(ctx, revs); err != nil {
			return err
		}
	}
	for _, n := range names {
		lines, err := s.planDiff(ctx, st, revs, n)
		fmt.Fprintf(s.IO.Out, "\nplan of %s:\n", termtext.Safe(n))
		if err != nil {
			fmt.Fprintf(s.IO.Out, "  (cannot compare the plans: %s)\n", termtext.Safe(firstLineOf(err.Error())))
			continue
		}
		if len(lines) == 0 {
			fmt.Fprintln(s.IO.Out, "  the same steps and arguments")
			continue
		}
		for _, l := range lines {
			fmt.Fprintf(s.IO.Out, "  %s\n", termtext.Safe(l))
		}
	}
	return nil
}

// planDiff compares the plans of one recipe at two points: revs[0] (HEAD
// when none) and revs[1] (the folder when absent), each with its default
// parameters.
func (s *Shell) planDiff(ctx context.Context, st *recipes.Store, revs []string, name string) ([]string, error) {
	oldRev := "HEAD"
	if len(revs) > 0 {
		oldRev = revs[0]
	}
	load := func(rev string) (*plan.Plan, error) {
		var r *plan.Recipe
		var err error
		if rev == "" {
			r, _, err = st.Load(name)
		} else {
			r, _, err = st.LoadAt(ctx, rev, name)
		}
		var nf *recipes.NotFoundError
		if errors.As(err, &nf) || err != nil && strings.Contains(err.Error(), "does not exist") {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		return r.Plan(nil)
	}
	before, err := load(oldRev)
	if err != nil {
		return nil, fmt.Errorf("%s at %s: %w", name, oldRev, err)
	}
	newRev := ""
	if len(revs) > 1 {
		newRev = revs[1]
	}
	after, err := load(newRev)
	if err != nil {
		return nil, err
	}
	return recipes.PlanDiff(before, after), nil
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
