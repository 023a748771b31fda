package gate

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/kriscelmer/os-tui/agent/plan"
	"github.com/kriscelmer/os-tui/schemas"
	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/toolstest"
)

// wizardGate has net.create, vm.create and net.wizard, a wizard tool
// that expands into a network and a server on it (or stands as it is
// when told to).
func wizardGate(t *testing.T) *Gate {
	t.Helper()
	planSchema, err := schemas.FS.ReadFile("plan.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	obj := func(name, props string) *fstest.MapFile {
		return &fstest.MapFile{Data: []byte(`{"$id": "https://ostui.dev/schemas/` + name + `.schema.json", "type": "object", "additionalProperties": false, "properties": {` + props + `}}`)}
	}
	fs := fstest.MapFS{
		"plan.schema.json":       {Data: planSchema},
		"net.create.schema.json": obj("net.create", `"name": {"type": "string"}`),
		"vm.create.schema.json":  obj("vm.create", `"name": {"type": "string"}, "network": {"type": "string"}`),
		"net.wizard.schema.json": obj("net.wizard", `"name": {"type": "string"}, "alone": {"type": "boolean"}, "fail": {"type": "boolean"}`),
	}
	chk := func(context.Context, *tools.Env, tools.Args) (*tools.Check, error) { return &tools.Check{}, nil }
	pre := func(context.Context, *tools.Env, tools.Args, *tools.Check) (*tools.Preview, error) {
		return &tools.Preview{}, nil
	}
	run := func(context.Context, *tools.Env, tools.Args) (*tools.Result, error) {
		return &tools.Result{Outputs: map[string]string{"id": "x"}}, nil
	}
	wizard := tools.Tool{Name: "net.wizard", Summary: "s", Service: "network", Effect: tools.Change, Check: chk, Preview: pre, Run: run,
		Expand: func(_ context.Context, _ *tools.Env, args tools.Args) ([]tools.Step, error) {
			var a struct {
				Name  string
				Alone bool
				Fail  bool
			}
			_ = json.Unmarshal(args, &a)
			switch {
			case a.Fail:
				return nil, errors.New("no such subnet")
			case a.Alone:
				return nil, nil
			}
			return []tools.Step{
				{ID: "net", Tool: "net.create", Args: tools.JSON(map[string]string{"name": a.Name})},
				{ID: "vm", Tool: "vm.create", Args: tools.JSON(map[string]string{"name": a.Name, "network": "${net.id}"}), Why: "a server on it"},
			}, nil
		}}
	reg, err := tools.NewRegistry(fs, schemas.BaseURL, []tools.Tool{
		{Name: "net.create", Summary: "s", Service: "network", Effect: tools.Change, Check: chk, Preview: pre, Run: run, Produces: []string{"id"}},
		{Name: "vm.create", Summary: "s", Service: "compute", Effect: tools.Change, Check: chk, Preview: pre, Run: run, Produces: []string{"id"}},
		wizard,
	})
	if err != nil {
		t.Fatal(err)
	}
	return &Gate{Registry: reg}
}

func TestPreflightExpandsWizards(t *testing.T) {
	g := wizardGate(t)
	env := toolstest.New(t).Env()
	ids := func(p *plan.Plan) string {
		var out []string
		for _, s := range p.Steps {
			out = append(out, s.ID+"="+s.Tool+string(s.Args))
		}
		return strings.Join(out, " ")
	}
	tests := []struct {
		name string
		plan *plan.Plan
		want string
		err  string
	}{
		{"one wizard step becomes its steps", mkPlan("slash", step("wizard", "net.wizard", `{"name": "a"}`)),
			`net=net.create{"name":"a"} vm=vm.create{"name":"a","network":"${net.id}"}`, ""},
		{"within a bigger plan the steps are prefixed", mkPlan("model", step("n0", "net.create", `{"name": "z"}`), step("w", "net.wizard", `{"name": "a"}`)),
			`n0=net.create{"name": "z"} w-net=net.create{"name":"a"} w-vm=vm.create{"name":"a","network":"${w-net.id}"}`, ""},
		{"a wizard that declines stands as it is", mkPlan("slash", step("wizard", "net.wizard", `{"alone": true}`)),
			`wizard=net.wizard{"alone": true}`, ""},
		{"a wizard's error stops the preflight", mkPlan("slash", step("wizard", "net.wizard", `{"fail": true}`)), "", "no such subnet"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := g.Preflight(t.Context(), env, tt.plan)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(r.Plan); got != tt.want {
				t.Errorf("plan = %s\nwant   %s", got, tt.want)
			}
			if len(r.Steps) != len(r.Plan.Steps) || r.Plan.Goal != "test" {
				t.Errorf("review steps %d for %d plan steps, goal %q", len(r.Steps), len(r.Plan.Steps), r.Plan.Goal)
			}
		})
	}
}
