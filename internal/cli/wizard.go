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

// maxChoices is how many names a question lists before "…".
const maxChoices = 12

// wantsWizard reports whether a usage error should become questions: an
// interactive shell, a tool with an x-ask list, and nothing wrong but
// arguments left out.
func (s *Shell) wantsWizard(err error) (*router.UsageError, bool) {
	var ue *router.UsageError
	if s.Asker == nil || !errors.As(err, &ue) || len(ue.Tool.Spec.Ask) == 0 {
		return nil, false
	}
	for _, p := range ue.Problems {
		if !strings.HasSuffix(p, " is required") && !strings.HasSuffix(p, " are required") {
			return nil, false
		}
	}
	return ue, true
}

// wizard asks for the arguments of a tool's x-ask list that the command
// line left out, listing the choices the cloud offers, then takes the
// result through the gate like any other plan.
func (s *Shell) wizard(ctx context.Context, tool *tools.Tool, line string) error {
	words, err := router.Words(line)
	if err != nil {
		return err
	}
	// The command may have been typed the openstack way ("server image
	// create"): the registry says how many words named it.
	found, n := s.Registry.Resolve(words)
	if found == nil || found.Name != tool.Name {
		return fmt.Errorf("cannot read %q", line)
	}
	raw, _, err := router.ParseArgs(tool, words[n:])
	if err != nil {
		return err
	}
	args := map[string]any{}
	if err := json.Unmarshal(raw, &args); err != nil {
		return err
	}
	if _, err := s.environment(); err != nil {
		return err
	}
	fmt.Fprintf(s.IO.ErrOut, "%s: answer each question; Enter skips an optional one, Ctrl-C cancels.\n", tool.Slash())
	for _, name := range tool.Spec.Ask {
		if _, given := args[name]; given {
			continue
		}
		if alternativeGiven(tool, name, args) {
			continue
		}
		p, _ := tool.Spec.Prop(name)
		v, ok, err := s.askProp(ctx, tool, p)
		if err != nil {
			return err
		}
		if ok {
			args[name] = v
		}
	}
	b, err := json.Marshal(args)
	if err != nil {
		return err
	}
	if err := s.Registry.Validate(tool.Name, b); err != nil {
		var ae *tools.ArgsError
		if errors.As(err, &ae) {
			return &router.UsageError{Tool: tool, Problems: ae.Problems}
		}
		return err
	}
	return s.submit(ctx, plan.FromCall(tool.Name, b, slashLine(tool, args)))
}

// alternativeGiven: for server.create, a boot volume stands in for an image.
func alternativeGiven(tool *tools.Tool, name string, args map[string]any) bool {
	if name == "image" {
		_, vol := args["boot_volume"]
		return vol
	}
	return false
}

// askProp asks one question until the answer is usable. ok is false when
// an optional question was skipped.
func (s *Shell) askProp(ctx context.Context, tool *tools.Tool, p tools.Prop) (any, bool, error) {
	choices := p.Enum
	if len(choices) == 0 && p.Resource != "" {
		choices = s.namesOf(ctx, p.Resource)
	}
	required := p.Required || (tool.Name == "server.create" && p.Name == "image")
	prompt := strings.ReplaceAll(p.Name, "_", " ")
	if p.Description != "" {
		prompt += " — " + p.Description
	}
	if len(choices) > 0 {
		shown := choices
		more := ""
		if len(shown) > maxChoices {
			shown, more = shown[:maxChoices], ", …"
		}
		prompt += "\n  choices: " + termtext.Safe(strings.Join(shown, ", ")) + more
	}
	if !required {
		prompt += "\n  (optional; Enter to skip)"
	}
	if p.Type == "array" {
		prompt += "\n  (several: separate with commas)"
	}
	prompt += "\n" + strings.ReplaceAll(p.Name, "_", " ") + "> "
	for {
		answer, err := s.Asker(prompt)
		if errors.Is(err, repl.ErrInterrupt) || errors.Is(err, io.EOF) {
			return nil, false, &session.DeclinedError{}
		}
		if err != nil {
			return nil, false, err
		}
		answer = strings.TrimSpace(answer)
		if answer == "" {
			if !required {
				return nil, false, nil
			}
			fmt.Fprintln(s.IO.ErrOut, "  this one is needed")
			continue
		}
		v, err := convertAnswer(p, answer)
		if err != nil {
			fmt.Fprintln(s.IO.ErrOut, "  "+err.Error())
			continue
		}
		return v, true, nil
	}
}

func convertAnswer(p tools.Prop, answer string) (any, error) {
	if len(p.Enum) > 0 && p.Type == "string" && !slices.Contains(p.Enum, answer) {
		// Asked again at once, rather than refused after every question.
		return nil, fmt.Errorf("one of %s, please (got %q)", strings.Join(p.Enum, ", "), answer)
	}
	switch p.Type {
	case "integer":
		n, err := strconv.Atoi(answer)
		if err != nil {
			return nil, fmt.Errorf("a whole number, please (got %q)", answer)
		}
		return n, nil
	case "number":
		f, err := strconv.ParseFloat(answer, 64)
		if err != nil {
			return nil, fmt.Errorf("a number, please (got %q)", answer)
		}
		return f, nil
	case "boolean":
		b, err := strconv.ParseBool(answer)
		if err != nil {
			return nil, fmt.Errorf("yes or no: true or false (got %q)", answer)
		}
		return b, nil
	case "array":
		var out []any
		for _, part := range strings.Split(answer, ",") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, part)
			}
		}
		return out, nil
	case "object":
		m := map[string]any{}
		for _, part := range strings.Split(answer, ",") {
			k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
			if !ok || k == "" {
				return nil, fmt.Errorf("KEY=VALUE pairs separated by commas, please (got %q)", part)
			}
			m[k] = v
		}
		return m, nil
	}
	return answer, nil
}

// namesOf lists the names of a resource kind through its list tool (a
// read through the gate), for the choices of a question.
func (s *Shell) namesOf(ctx context.Context, kind string) []string {
	listTool := kind + ".list"
	if _, ok := s.Registry.Lookup(listTool); !ok {
		return nil
	}
	res, err := s.engine.Read(ctx, plan.OriginSlash, listTool, tools.Args("{}"))
	if err != nil || res.List == nil {
		return nil
	}
	col := -1
	for i, c := range res.List.Columns {
		if c.Name == "Name" {
			col = i
		}
	}
	if col < 0 {
		return nil
	}
	seen := map[string]bool{}
	var names []string
	for _, row := range res.List.Rows {
		if name, ok := row[col].(string); ok && name != "" && !seen[name] {
			seen[name] = true
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}

// slashLine writes the command the answers amount to, as the plan's goal,
// so the review and the audit log show what a person could type next time.
func slashLine(tool *tools.Tool, args map[string]any) string {
	var b strings.Builder
	b.WriteString(tool.Slash())
	keys := make([]string, 0, len(args))
	for k := range args {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	// Positional arguments first, without their flag, as a person types them.
	positional := map[string]bool{}
	for _, k := range tool.Spec.Positional {
		if v, ok := args[k].(string); ok {
			fmt.Fprintf(&b, " %s", quoteWord(v))
			positional[k] = true
			continue
		}
		break
	}
	for _, k := range keys {
		if positional[k] {
			continue
		}
		p, _ := tool.Spec.Prop(k)
		switch v := args[k].(type) {
		case []any:
			for _, e := range v {
				fmt.Fprintf(&b, " %s %s", p.Flag(), quoteWord(fmt.Sprint(e)))
			}
		case map[string]any:
			for mk, mv := range v {
				fmt.Fprintf(&b, " %s %s", p.Flag(), quoteWord(fmt.Sprintf("%s=%v", mk, mv)))
			}
		case bool:
			if v {
				fmt.Fprintf(&b, " %s", p.Flag())
			} else {
				fmt.Fprintf(&b, " --no-%s", strings.TrimPrefix(p.Flag(), "--"))
			}
		default:
			fmt.Fprintf(&b, " %s %s", p.Flag(), quoteWord(fmt.Sprint(v)))
		}
	}
	return b.String()
}

func quoteWord(s string) string {
	if s == "" || strings.ContainsAny(s, " \t'\"\\") {
		return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
	}
	return s
}
