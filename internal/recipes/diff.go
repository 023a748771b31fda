package recipes

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/kriscelmer/os-tui/agent/plan"
)

// PlanDiff compares the plans two versions of a recipe make (each with
// its default parameters): steps added, removed or changed, and for a
// changed step its tool, arguments and holds check. The lines read like a
// review: "+ step rule2 (security-group.rule.create)", "~ step net:
// name: h-a → h-b". No lines: the plans are the same.
func PlanDiff(old, new *plan.Plan) []string {
	byID := func(p *plan.Plan) (map[string]plan.Step, []string) {
		m := map[string]plan.Step{}
		var order []string
		if p == nil {
			return m, nil
		}
		for _, s := range p.Steps {
			m[s.ID] = s
			order = append(order, s.ID)
		}
		return m, order
	}
	oldSteps, oldOrder := byID(old)
	newSteps, newOrder := byID(new)
	var out []string
	if old != nil && new != nil && old.Goal != new.Goal {
		out = append(out, fmt.Sprintf("~ goal: %s → %s", old.Goal, new.Goal))
	}
	for _, id := range oldOrder {
		if _, ok := newSteps[id]; !ok {
			out = append(out, fmt.Sprintf("- step %s (%s)%s", id, oldSteps[id].Tool, argsText(oldSteps[id].Args)))
		}
	}
	for _, id := range newOrder {
		n := newSteps[id]
		o, ok := oldSteps[id]
		if !ok {
			out = append(out, fmt.Sprintf("+ step %s (%s)%s", id, n.Tool, argsText(n.Args)))
			continue
		}
		if o.Tool != n.Tool {
			out = append(out, fmt.Sprintf("~ step %s: tool %s → %s", id, o.Tool, n.Tool))
		}
		for _, c := range argChanges(o.Args, n.Args) {
			out = append(out, fmt.Sprintf("~ step %s: %s", id, c))
		}
		if !reflect.DeepEqual(holdsDoc(o.Holds), holdsDoc(n.Holds)) {
			out = append(out, fmt.Sprintf("~ step %s: holds check %s → %s", id, holdsText(o.Holds), holdsText(n.Holds)))
		}
	}
	if len(out) == 0 && !sameOrder(oldOrder, newOrder) {
		out = append(out, fmt.Sprintf("~ order: %s → %s", strings.Join(oldOrder, ", "), strings.Join(newOrder, ", ")))
	}
	return out
}

func sameOrder(a, b []string) bool { return reflect.DeepEqual(a, b) }

func decode(raw json.RawMessage) map[string]any {
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	return m
}

func argsText(raw json.RawMessage) string {
	m := decode(raw)
	if len(m) == 0 {
		return ""
	}
	keys := sortedKeys(m)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + value(m[k])
	}
	return ": " + strings.Join(parts, " ")
}

func argChanges(a, b json.RawMessage) []string {
	am, bm := decode(a), decode(b)
	keys := map[string]bool{}
	for k := range am {
		keys[k] = true
	}
	for k := range bm {
		keys[k] = true
	}
	var out []string
	for _, k := range sortedKeys(keys) {
		av, inA := am[k]
		bv, inB := bm[k]
		switch {
		case !inA:
			out = append(out, fmt.Sprintf("%s added: %s", k, value(bv)))
		case !inB:
			out = append(out, fmt.Sprintf("%s removed (was %s)", k, value(av)))
		case !reflect.DeepEqual(av, bv):
			out = append(out, fmt.Sprintf("%s: %s → %s", k, value(av), value(bv)))
		}
	}
	return out
}

func holdsDoc(h *plan.Holds) any {
	if h == nil {
		return nil
	}
	b, _ := json.Marshal(h)
	var v any
	_ = json.Unmarshal(b, &v)
	return v
}

func holdsText(h *plan.Holds) string {
	if h == nil {
		return "(none)"
	}
	b, _ := json.Marshal(h.Args)
	s := h.Tool + " " + string(b)
	if len(h.Expect) > 0 {
		e, _ := json.Marshal(h.Expect)
		s += " expect " + string(e)
	}
	return s
}

func value(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
