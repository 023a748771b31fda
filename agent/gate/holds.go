package gate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/kriscelmer/os-tui/agent/plan"
	"github.com/kriscelmer/os-tui/tools"
)

// Held says that a step's goal already holds, so the step is skipped:
// nothing runs for it. Outputs stand in for what the step would have
// produced (read from the cloud), so later ${step.field} still resolve.
type Held struct {
	// Text says so in words: "net: network h-rec-net already exists —
	// nothing to do".
	Text    string
	Outputs map[string]string
}

// validateHolds checks a step's holds block before anything is looked
// up: a known read tool, arguments that fit its schema, references that
// point backwards.
func (g *Gate) validateHolds(s plan.Step, produced map[string][]string) []string {
	h := s.Holds
	tool, ok := g.Registry.Lookup(h.Tool)
	if !ok {
		return []string{fmt.Sprintf("holds: unknown tool %q", h.Tool)}
	}
	if tool.Effect != tools.Read {
		return []string{fmt.Sprintf("holds: %s changes the cloud; a holds check must use a read tool (a show or a list)", h.Tool)}
	}
	args, err := holdsArgs(h)
	if err != nil {
		return []string{"holds: " + err.Error()}
	}
	var out []string
	for _, ref := range tools.Refs(args) {
		if _, earlier := produced[ref[0]]; !earlier {
			out = append(out, fmt.Sprintf("holds: ${%s.%s} refers to no earlier step", ref[0], ref[1]))
		}
	}
	if err := g.Registry.Validate(h.Tool, withoutRefs(args)); err != nil {
		var ae *tools.ArgsError
		if errors.As(err, &ae) {
			for _, p := range ae.Problems {
				out = append(out, "holds: "+p)
			}
		} else {
			out = append(out, "holds: "+err.Error())
		}
	}
	return out
}

func holdsArgs(h *plan.Holds) (tools.Args, error) {
	a := h.Args
	if a == nil {
		a = map[string]any{}
	}
	b, err := json.Marshal(a)
	if err != nil {
		return nil, fmt.Errorf("arguments: %w", err)
	}
	return b, nil
}

// evalHolds runs a step's holds read (ctx is read-only) and reports
// whether the goal holds. held maps earlier skipped steps to their
// outputs; a holds read that needs an output of a step that will run
// cannot be answered before it runs, so the step runs. note explains a
// read that could not tell (the step then runs, and its own preflight
// decides).
func (g *Gate) evalHolds(ctx context.Context, env *tools.Env, s plan.Step, tool *tools.Tool, held map[string]map[string]string, needed map[string]bool) (h *Held, note string) {
	args, err := holdsArgs(s.Holds)
	if err != nil {
		return nil, "could not read its holds check: " + err.Error()
	}
	expect, err := json.Marshal(s.Holds.Expect)
	if err != nil {
		return nil, "could not read its holds check: " + err.Error()
	}
	for _, ref := range append(tools.Refs(args), tools.Refs(expect)...) {
		if _, ok := held[ref[0]]; !ok {
			return nil, ""
		}
	}
	lookup := func(step, field string) (string, bool) {
		v, ok := held[step][field]
		return v, ok
	}
	if args, err = tools.ResolveRefs(args, lookup); err != nil {
		return nil, "could not tell whether its goal already holds: " + err.Error()
	}
	var want map[string]any
	if s.Holds.Expect != nil {
		filled, err := tools.ResolveRefs(expect, lookup)
		if err == nil {
			err = json.Unmarshal(filled, &want)
		}
		if err != nil {
			return nil, "could not tell whether its goal already holds: " + err.Error()
		}
	}
	res, err := Read(ctx, g.Registry, env, s.Holds.Tool, args)
	var nf *tools.NotFoundError
	switch {
	case errors.As(err, &nf):
		return nil, ""
	case err != nil:
		return nil, fmt.Sprintf("could not tell whether its goal already holds (%s): %s", s.Holds.Tool, firstLine(err.Error()))
	case res == nil:
		return nil, ""
	}
	fields, ok := matchResult(res, want)
	if !ok {
		return nil, ""
	}
	outs := map[string]string{}
	for k, v := range fields {
		outs[k] = v
	}
	// An output named like one of the step's arguments is that argument
	// ("router" of router.add.subnet); every output a later step uses must
	// be known, or the step has to run to produce it.
	var own map[string]any
	_ = json.Unmarshal(fillHeld(s.Args, held), &own)
	for _, want := range tool.Produces {
		if _, ok := outs[want]; ok {
			continue
		}
		if v, ok := own[want].(string); ok && !strings.Contains(v, "${") {
			outs[want] = v
			continue
		}
		if needed[want] {
			return nil, fmt.Sprintf("its goal may already hold, but %s does not show %q, which a later step uses; the step runs", s.Holds.Tool, want)
		}
	}
	return &Held{Text: heldText(s, args, want), Outputs: outs}, ""
}

// matchResult finds the record, or the first row of a list, showing every
// expected field, and returns its fields by normalised name.
func matchResult(res *tools.Result, expect map[string]any) (map[string]string, bool) {
	switch {
	case res.Record != nil:
		fields := map[string]string{}
		for _, f := range res.Record.Fields {
			if v, ok := scalar(f.Value); ok {
				fields[fieldKey(f.Name)] = v
			}
		}
		return fields, matches(fields, expect)
	case res.List != nil:
		for _, row := range res.List.Rows {
			fields := map[string]string{}
			for i, c := range res.List.Columns {
				if i < len(row) {
					if v, ok := scalar(row[i]); ok {
						fields[fieldKey(c.Name)] = v
					}
				}
			}
			if matches(fields, expect) {
				return fields, true
			}
		}
	}
	return nil, false
}

func matches(fields map[string]string, expect map[string]any) bool {
	for k, want := range expect {
		got, ok := fields[fieldKey(k)]
		w, _ := scalar(want)
		// "~TEXT" asks that the field contain TEXT (a list of fixed IPs
		// naming a subnet); otherwise the field equals the value.
		if sub, contains := strings.CutPrefix(w, "~"); contains {
			if !ok || !strings.Contains(strings.ToLower(got), strings.ToLower(sub)) {
				return false
			}
			continue
		}
		if !ok || !strings.EqualFold(got, w) {
			return false
		}
	}
	return true
}

// fieldKey normalises a field or column name: "Port Range", "port_range"
// and "port-range" are one field.
func fieldKey(name string) string {
	r := strings.NewReplacer(" ", "_", "-", "_")
	return strings.ToLower(r.Replace(strings.TrimSpace(name)))
}

// scalar is a value as text, for the scalar kinds a holds check compares
// (strings, numbers, booleans, and pointers to them).
func scalar(v any) (string, bool) {
	switch t := v.(type) {
	case nil:
		return "", false
	case string:
		return t, true
	case bool, int, int64, int32, float64, float32, json.Number:
		return fmt.Sprint(t), true
	case *string:
		if t != nil {
			return *t, true
		}
	case *int:
		if t != nil {
			return fmt.Sprint(*t), true
		}
	case *bool:
		if t != nil {
			return fmt.Sprint(*t), true
		}
	case []string:
		return strings.Join(t, ", "), true
	case fmt.Stringer:
		return t.String(), true
	}
	return "", false
}

// subjectOf is the first string argument of a holds read: the name it
// looks for.
func subjectOf(args tools.Args) string {
	var m map[string]any
	if json.Unmarshal(args, &m) != nil {
		return ""
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if s, ok := m[k].(string); ok && s != "" {
			return s
		}
	}
	return ""
}

// heldText says, for the person and the audit log, why a step is skipped:
// "net: network h-rec-net already exists — nothing to do", or, for a
// check that finds its goal in a list, "icmp: /security-group rule create
// is done already (security-group rule list shows ip_range=0.0.0.0/0) —
// nothing to do".
func heldText(s plan.Step, args tools.Args, expect map[string]any) string {
	holdsVerb := s.Holds.Tool[strings.LastIndex(s.Holds.Tool, ".")+1:]
	if holdsVerb == "list" {
		shows := "finds it"
		if len(expect) > 0 {
			shows = "shows " + strings.TrimPrefix(expectText(expect), "has ")
		}
		return fmt.Sprintf("%s: /%s is done already (%s %s) — nothing to do",
			s.ID, strings.ReplaceAll(s.Tool, ".", " "), strings.ReplaceAll(s.Holds.Tool, ".", " "), shows)
	}
	noun := s.Holds.Tool
	if i := strings.LastIndex(noun, "."); i > 0 {
		noun = strings.ReplaceAll(noun[:i], ".", " ")
	}
	subject := strings.TrimSpace(noun + " " + subjectOf(args))
	verb := s.Tool[strings.LastIndex(s.Tool, ".")+1:]
	var what string
	switch {
	case verb == "create" && len(expect) == 0:
		what = "already exists"
	case verb == "create":
		what = "already exists and " + expectText(expect)
	case len(expect) == 0:
		what = "already holds"
	default:
		what = "already " + expectText(expect)
	}
	return fmt.Sprintf("%s: %s %s — nothing to do", s.ID, subject, what)
}

// expectText words expected fields: "is ACTIVE" for a status alone,
// "has mtu=1400, description=web" otherwise.
func expectText(expect map[string]any) string {
	if len(expect) == 1 {
		for k, v := range expect {
			if fieldKey(k) == "status" {
				return fmt.Sprintf("is %v", v)
			}
		}
	}
	keys := make([]string, 0, len(expect))
	for k := range expect {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		v := fmt.Sprint(expect[k])
		if v == "" {
			v = `""`
		}
		if c, ok := strings.CutPrefix(v, "~"); ok {
			parts[i] = k + " containing " + c
			continue
		}
		parts[i] = k + "=" + v
	}
	return "has " + strings.Join(parts, ", ")
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// AllHeld reports whether every step's goal already holds: the plan has
// nothing to do.
func (r *Review) AllHeld() bool {
	if r == nil || len(r.Steps) == 0 {
		return false
	}
	for i := range r.Steps {
		if r.Steps[i].Held == nil {
			return false
		}
	}
	return true
}

// ApproveHeld seals a review in which every step's goal already holds, so
// the executor can record, step by step, that nothing was done. Nothing
// runs for a held step, so no person's answer is needed; any other review
// is refused.
func (g *Gate) ApproveHeld(r *Review) (*Approved, error) {
	if !r.AllHeld() {
		return nil, errors.New("the plan has steps to run: it needs an approval")
	}
	return g.Approve(r, ByHolds, nil)
}
