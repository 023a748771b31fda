// Package tags holds /tags check, which lists the resources that miss
// what a tag policy requires, and /tags fix, the wizard that adds it as
// one plan of the set tools (server, volume, image, network, subnet set):
// each step previewed, approved, run and audited like any other. The
// policy format is schemas/tag-policy.schema.json; its rules are the
// reports kernel's (reports.ParsePolicy, reports.CheckPolicy).
package tags

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/reports"
)

// Service: as /orphans, the report spans services and says which it
// could not read; identity is in every catalog.
const Service = "identity"

// maxPolicy bounds a policy file: a policy is a page, not a data set.
const maxPolicy = 1 << 20

// Args name the policy: a file, or the policy itself (the model and MCP
// clients give it inline: a file path is the person's to name).
type Args struct {
	File   string          `json:"file,omitempty"`
	Policy json.RawMessage `json:"policy,omitempty"`
}

// Tools returns /tags check and /tags fix.
func Tools() []tools.Tool {
	return []tools.Tool{
		tools.ReadTool("tags.check", Service, check),
		fixTool(),
	}
}

// load reads and parses the policy.
func load(a Args) (*reports.Policy, error) {
	if len(a.Policy) > 0 {
		return reports.ParsePolicy("the policy", a.Policy)
	}
	f, err := os.Open(a.File)
	if err != nil {
		return nil, fmt.Errorf("read policy: %w", err)
	}
	defer func() { _ = f.Close() }() // read only: nothing to flush
	b, err := io.ReadAll(io.LimitReader(f, maxPolicy+1))
	if err != nil {
		return nil, fmt.Errorf("read policy %s: %w", a.File, err)
	}
	if len(b) > maxPolicy {
		return nil, fmt.Errorf("policy %s is over %d KiB: a policy names rules, not resources", a.File, maxPolicy>>10)
	}
	return reports.ParsePolicy(a.File, b)
}

// judge loads the policy and checks the project against it.
func judge(ctx context.Context, env *tools.Env, a Args) (*reports.Policy, []reports.Miss, []string, int, error) {
	p, err := load(a)
	if err != nil {
		return nil, nil, nil, 0, err
	}
	facts, notes, err := reports.ReadFacts(ctx, env, p.Sources())
	if err != nil {
		return nil, nil, notes, 0, err
	}
	checked := 0
	for _, t := range p.Types {
		if facts.Has(reports.PolicyTypes[t].Source) {
			checked += len(p.ResourcesOf(&facts, t))
		}
	}
	return p, reports.CheckPolicy(facts, p), notes, checked, nil
}

func check(ctx context.Context, env *tools.Env, a Args) (*tools.Result, error) {
	_, misses, notes, checked, err := judge(ctx, env, a)
	if err != nil {
		return nil, err
	}
	l := &tools.List{Columns: []tools.Column{
		{Name: "Type"}, {Name: "ID"}, {Name: "Name"}, {Name: "Missing"}, {Name: "Fix"},
		{Name: "Cannot fix", Long: true},
	}}
	fixable := 0
	for _, m := range misses {
		fix := "-"
		if tool, args := m.FixArgs(); tool != "" {
			fix = slash(tool, reports.PolicyTypes[m.Type].Arg, args)
			fixable++
		}
		l.Rows = append(l.Rows, []any{m.Type, m.ID, m.Name, m.Missing, fix, m.Unfixable})
	}
	msg := fmt.Sprintf("%d of %d resource(s) miss what the policy requires", len(misses), checked)
	if len(misses) == 0 {
		msg = fmt.Sprintf("all %d resource(s) meet the policy", checked)
	}
	if fixable > 0 {
		what := "the policy"
		if a.File != "" {
			what = a.File
		}
		msg += fmt.Sprintf("; /tags fix %s makes a plan for %d of them", what, fixable)
	}
	if n := len(misses) - fixable; n > 0 {
		msg += fmt.Sprintf("; %d cannot be fixed by a set tool (--long says why)", n)
	}
	if len(notes) > 0 {
		msg += "\nnote: " + strings.Join(notes, "\nnote: ")
	}
	return &tools.Result{List: l, Message: msg}, nil
}

// slash writes a fix as the command a person would type.
func slash(tool, subject string, args map[string]any) string {
	var b strings.Builder
	b.WriteString(strings.ReplaceAll(tool, ".", " "))
	fmt.Fprintf(&b, " %v", args[subject])
	keys := make([]string, 0, len(args))
	for k := range args {
		if k != subject {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		// volume set's properties is --property on its command line, as
		// the others' property is.
		flag := map[string]string{"tag": "--tag", "property": "--property", "properties": "--property"}[k]
		switch v := args[k].(type) {
		case []string:
			for _, x := range v {
				fmt.Fprintf(&b, " %s %s", flag, x)
			}
		case map[string]string:
			ks := make([]string, 0, len(v))
			for x := range v {
				ks = append(ks, x)
			}
			sort.Strings(ks)
			for _, x := range ks {
				fmt.Fprintf(&b, " %s %s=%s", flag, x, v[x])
			}
		}
	}
	return b.String()
}

func fixTool() tools.Tool {
	return tools.ChangeTool(tools.ChangeSpec[Args]{
		Name: "tags.fix", Effect: tools.Change, Service: Service,
		Expand: expandFix,
		// The gate always expands the fix into its set steps; these
		// answer only a step that refers to an earlier one.
		Check: func(context.Context, *tools.Env, Args) (*tools.Check, error) {
			return &tools.Check{Findings: []tools.Finding{{Level: tools.Block,
				Text: "the fix is planned from the policy and the resources found when it is reviewed: give the policy directly, not through another step"}}}, nil
		},
		Preview: func(context.Context, *tools.Env, Args, *tools.Check) (*tools.Preview, error) {
			return &tools.Preview{}, nil
		},
		Run: func(context.Context, *tools.Env, Args) (*tools.Result, error) {
			return nil, fmt.Errorf("a fix runs as the plan of its set steps")
		},
	})
}

// expandFix plans one set step per resource that misses something the
// policy can add.
func expandFix(ctx context.Context, env *tools.Env, a Args) ([]tools.Step, error) {
	_, misses, _, _, err := judge(ctx, env, a)
	if err != nil {
		return nil, err
	}
	steps := Plan(misses)
	if len(steps) == 0 {
		if len(misses) == 0 {
			return nil, fmt.Errorf("every resource meets the policy: nothing to fix")
		}
		return nil, fmt.Errorf("%d resource(s) miss what the policy requires, and no set tool can add it (no default in the policy, or a type whose set tool takes no tags yet): /tags check --long says which", len(misses))
	}
	return steps, nil
}

// Plan turns the misses into set steps, one per resource, in the
// report's order.
func Plan(misses []reports.Miss) []tools.Step {
	var steps []tools.Step
	n := map[string]int{}
	for _, m := range misses {
		tool, args := m.FixArgs()
		if tool == "" {
			continue
		}
		n[m.Type]++
		var what []string
		for _, t := range m.AddTags {
			what = append(what, "tag "+t)
		}
		keys := make([]string, 0, len(m.SetProperties))
		for k := range m.SetProperties {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			what = append(what, "property "+k+"="+m.SetProperties[k])
		}
		steps = append(steps, tools.Step{
			ID:   fmt.Sprintf("%s-%d", m.Type, n[m.Type]),
			Tool: tool,
			Args: tools.JSON(args),
			Why:  fmt.Sprintf("tag policy: %s %s misses %s", m.Type, m.Label(), strings.Join(what, ", ")),
		})
	}
	return steps
}
