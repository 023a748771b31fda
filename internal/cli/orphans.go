package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/kriscelmer/os-tui/agent/plan"
	"github.com/kriscelmer/os-tui/agent/router"
	"github.com/kriscelmer/os-tui/agent/session"
	"github.com/kriscelmer/os-tui/internal/repl"
	"github.com/kriscelmer/os-tui/internal/termtext"
	"github.com/kriscelmer/os-tui/tools"
)

// orphansClean is the clean-up wizard's tool (tools/reports/orphans).
const orphansClean = "orphans.clean"

// wantsOrphanChoice reports a /orphans clean that names nothing to delete,
// typed where a person can answer: the shell lets them choose.
func (s *Shell) wantsOrphanChoice(c router.Call) bool {
	if c.Tool.Name != orphansClean || s.Asker == nil {
		return false
	}
	var a map[string]json.RawMessage
	if err := json.Unmarshal(c.Args, &a); err != nil {
		return false
	}
	_, ids := a["ids"]
	_, all := a["all"]
	return !ids && !all
}

// chooseOrphans lists the orphans (the /orphans read, with the same
// thresholds) numbered, reads the person's choice and submits the
// clean-up of those: one plan, reviewed and approved as any other.
func (s *Shell) chooseOrphans(ctx context.Context, c router.Call) error {
	var args map[string]any
	if err := json.Unmarshal(c.Args, &args); err != nil {
		return err
	}
	res, err := s.engine.Read(ctx, plan.OriginSlash, "orphans", tools.JSON(args))
	if err != nil {
		return err
	}
	r := tools.RowsOf(res.List)
	type row struct{ kind, id, name, age, why string }
	var rows []row
	r.Each(func(x []any) {
		rows = append(rows, row{r.Str(x, "Kind"), r.Str(x, "ID"), r.Str(x, "Name"), r.Str(x, "Age"), r.Str(x, "Why")})
	})
	if len(rows) == 0 {
		fmt.Fprintln(s.IO.ErrOut, "no orphans found: nothing to clean")
		return nil
	}
	for i, o := range rows {
		label := o.name
		if label == "" {
			label = o.id
		}
		fmt.Fprintf(s.IO.Out, "%3d. %-15s %-30s %5s  %s\n", i+1, o.kind, termtext.Safe(label), o.age, termtext.Safe(o.why))
	}
	for {
		answer, err := s.Asker("Delete which? numbers (1,3-5), all, or Enter to cancel: ")
		if errors.Is(err, repl.ErrInterrupt) || errors.Is(err, io.EOF) {
			return &session.DeclinedError{}
		}
		if err != nil {
			return err
		}
		answer = strings.TrimSpace(answer)
		if answer == "" {
			fmt.Fprintln(s.IO.ErrOut, "nothing deleted")
			return nil
		}
		picked, err := ParseChoice(answer, len(rows))
		if err != nil {
			fmt.Fprintln(s.IO.ErrOut, "  "+err.Error())
			continue
		}
		var ids []any
		for _, i := range picked {
			ids = append(ids, rows[i].id)
		}
		args["ids"] = ids
		b, err := json.Marshal(args)
		if err != nil {
			return err
		}
		if err := s.Registry.Validate(orphansClean, b); err != nil {
			return err
		}
		// The goal is the command that names them, as a person would
		// type it next time: the IDs first, then the flags given.
		goal := c.Tool.Slash()
		for _, id := range ids {
			goal += " " + quoteWord(fmt.Sprint(id))
		}
		delete(args, "ids")
		if rest := strings.TrimPrefix(slashLine(c.Tool, args), c.Tool.Slash()); rest != "" {
			goal += rest
		}
		return s.submit(ctx, plan.FromCall(orphansClean, b, goal))
	}
}

// ParseChoice reads a choice among n numbered items: "1,3-5", "2 4",
// "all". It returns zero-based indexes, sorted, each once.
func ParseChoice(s string, n int) ([]int, error) {
	if strings.EqualFold(strings.TrimSpace(s), "all") {
		out := make([]int, n)
		for i := range out {
			out[i] = i
		}
		return out, nil
	}
	seen := map[int]bool{}
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.Atoi(lo)
		b := a
		if err == nil && isRange {
			b, err = strconv.Atoi(hi)
		}
		if err != nil {
			return nil, fmt.Errorf("%q is not a number or a range like 3-5", part)
		}
		if a < 1 || b > n || a > b {
			return nil, fmt.Errorf("%q: choose between 1 and %d", part, n)
		}
		for i := a; i <= b; i++ {
			seen[i-1] = true
		}
	}
	if len(seen) == 0 {
		return nil, fmt.Errorf("choose by number (1,3-5) or all")
	}
	out := make([]int, 0, len(seen))
	for i := range seen {
		out = append(out, i)
	}
	sort.Ints(out)
	return out, nil
}

// tagsFixLine reads "/tags check POLICY --fix" as "/tags fix POLICY": the
// check is a read, and --fix asks for the plan its report offers.
func tagsFixLine(line string) (string, bool) {
	trimmed := strings.TrimSpace(line)
	if !strings.HasPrefix(trimmed, "/") {
		return line, false
	}
	words, err := router.Words(trimmed[1:])
	if err != nil || len(words) < 2 || words[0] != "tags" || words[1] != "check" {
		return line, false
	}
	rest := words[2:]
	i := slices.Index(rest, "--fix")
	if i < 0 {
		return line, false
	}
	rest = slices.Delete(slices.Clone(rest), i, i+1)
	out := "/tags fix"
	for _, w := range rest {
		out += " " + quoteWord(w)
	}
	return out, true
}
