package tags_test

import (
	"testing"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/reports"
	"github.com/kriscelmer/os-tui/tools/reports/tags"
	"github.com/kriscelmer/os-tui/tools/toolset"
)

// TestFixStepsFitTheirSchemas: the steps a fix plans for every type that
// can be fixed are ones their set tools' schemas accept (the gate
// validates them again; this says so before a person meets it).
func TestFixStepsFitTheirSchemas(t *testing.T) {
	reg, err := toolset.Registry()
	if err != nil {
		t.Fatal(err)
	}
	var misses []reports.Miss
	for typ, info := range reports.PolicyTypes {
		m := reports.Miss{Resource: reports.Resource{Type: typ, ID: "9e5476bd-a4ec-4653-93d6-72c93aa682ba", Name: "x"}, SetProperties: map[string]string{}}
		if info.TagArg != "" {
			m.AddTags = []string{"managed", "env=dev"}
		}
		if info.PropArg != "" {
			m.SetProperties["owner"] = "ops"
		}
		misses = append(misses, m)
	}
	steps := tags.Plan(misses)
	if len(steps) != 5 {
		t.Errorf("%d steps, want one for each of server, volume, image, network, subnet: %v", len(steps), steps)
	}
	for _, s := range steps {
		if _, ok := reg.Lookup(s.Tool); !ok {
			t.Errorf("%s: no tool %s", s.ID, s.Tool)
			continue
		}
		if err := reg.Validate(s.Tool, s.Args); err != nil {
			t.Errorf("%s %s: %v", s.Tool, s.Args, err)
		}
		if tl, _ := reg.Lookup(s.Tool); tl.Effect == tools.Read {
			t.Errorf("%s is a read tool", s.Tool)
		}
	}
}
