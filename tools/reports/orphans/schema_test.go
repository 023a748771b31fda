package orphans_test

import (
	"testing"

	"github.com/kriscelmer/os-tui/tools/reports"
	"github.com/kriscelmer/os-tui/tools/reports/orphans"
	"github.com/kriscelmer/os-tui/tools/toolset"
)

// TestPlanStepsFitTheirSchemas: a clean-up of one orphan of every kind
// is made of registry tools whose schemas accept the arguments (the gate
// validates them again; this says so before a person meets it).
func TestPlanStepsFitTheirSchemas(t *testing.T) {
	reg, err := toolset.Registry()
	if err != nil {
		t.Fatal(err)
	}
	const id = "9e5476bd-a4ec-4653-93d6-72c93aa682ba"
	var picked []reports.Orphan
	for _, k := range reports.OrphanKinds {
		picked = append(picked, reports.Orphan{Kind: k, ID: id, Name: "x", Why: "test"})
	}
	steps := orphans.Plan(picked, nil)
	if len(steps) != len(reports.OrphanKinds)+1 {
		t.Errorf("%d steps for %d kinds (a router takes two): %v", len(steps), len(reports.OrphanKinds), steps)
	}
	for _, s := range steps {
		tl, ok := reg.Lookup(s.Tool)
		if !ok {
			t.Errorf("%s: no tool %s", s.ID, s.Tool)
			continue
		}
		if err := reg.Validate(s.Tool, s.Args); err != nil {
			t.Errorf("%s %s: %v", s.Tool, s.Args, err)
		}
		if tl.Expand != nil {
			t.Errorf("%s expands again: a clean-up is made of real changes", s.Tool)
		}
	}
}
