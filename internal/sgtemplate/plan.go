package sgtemplate

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/kriscelmer/os-tui/agent/plan"
)

// The tools an apply plan calls.
const (
	ToolGroupCreate = "security-group.create"
	ToolRuleCreate  = "security-group.rule.create"
	ToolRuleDelete  = "security-group.rule.delete"
)

// createStep is the ID of the step that creates a missing group; later
// steps refer to its ID as ${group.id}.
const createStep = "group"

// NewGroupRef is what a template's "self" and every rule's group stand
// for when the plan creates the group.
const NewGroupRef = "${" + createStep + ".id}"

// Target is the group a template is applied to.
type Target struct {
	// ID is the group's ID; "" when the group does not exist yet and the
	// plan creates it.
	ID   string
	Name string
	// Names maps the IDs of groups the rules admit to their names, for
	// the reason each step gives; may be nil.
	Names map[string]string
}

// Plan is the one plan that makes target match template t, given d (the
// Compare of the template's rules with the group's, or with DefaultRules
// for a group to create): the group's creation when it is missing, the
// rules to add, then the rules to remove, so no moment is left with less
// allowed than both before and after. It returns nil when the group
// exists and d is empty: there is nothing to do. notes say what the plan
// cannot do (rules that only exist once the group does).
func Plan(t *Template, target Target, d Diff, goal string) (p *plan.Plan, notes []string) {
	if target.ID != "" && d.Empty() {
		return nil, nil
	}
	p = &plan.Plan{ID: plan.NewID(), Goal: goal, Origin: plan.OriginSlash}
	names := map[string]string{NewGroupRef: target.Name}
	for id, n := range target.Names {
		names[id] = n
	}
	group := target.ID
	if group == "" {
		group = NewGroupRef
		p.Steps = append(p.Steps, step(createStep, ToolGroupCreate, map[string]any{
			"name":        target.Name,
			"description": "from template " + t.Name,
		}, fmt.Sprintf("group %s does not exist yet", target.Name)))
	}
	for i, r := range d.Add {
		p.Steps = append(p.Steps, step(fmt.Sprintf("add-%d", i+1), ToolRuleCreate, createArgs(group, r),
			fmt.Sprintf("template %s allows %s", t.Name, r.Describe(names))))
	}
	n := 0
	for _, r := range d.Remove {
		if r.ID == "" {
			notes = append(notes, fmt.Sprintf("neutron gives a new group the rule %s, which template %s does not list; apply again once the group exists to remove it", r.Describe(names), t.Name))
			continue
		}
		n++
		p.Steps = append(p.Steps, step(fmt.Sprintf("remove-%d", n), ToolRuleDelete, map[string]any{"rule": r.ID},
			fmt.Sprintf("template %s does not list %s", t.Name, r.Describe(names))))
	}
	if len(p.Steps) == 0 {
		return nil, notes
	}
	return p, notes
}

// createArgs are security-group.rule.create's arguments for r.
func createArgs(group string, r Rule) map[string]any {
	args := map[string]any{
		"group":     group,
		"direction": r.Direction,
		"ethertype": r.EtherType,
	}
	if r.Protocol != "any" {
		args["protocol"] = r.Protocol
	}
	if r.Ports != "" {
		lo, hi, _ := strings.Cut(r.Ports, ":")
		if lo == hi {
			args["dst_port"] = lo
		} else {
			args["dst_port"] = lo + ":" + hi
		}
	}
	if id := r.RemoteGroup(); id != "" {
		args["remote_group"] = id
	} else {
		args["remote_ip"] = r.Remote
	}
	if r.Description != "" {
		args["description"] = r.Description
	}
	return args
}

func step(id, tool string, args map[string]any, why string) plan.Step {
	// A map of strings always encodes.
	b, _ := json.Marshal(args)
	return plan.Step{ID: id, Tool: tool, Args: b, Why: why}
}
