package gate

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/agent/plan"
	"github.com/kriscelmer/os-tui/schemas"
	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/toolstest"
)

// holdsCloud is what the fake read tools answer: networks by name, with a
// status; checks counts the change tools' preflights.
type holdsCloud struct {
	nets   map[string]string // name → status
	checks int
}

func holdsGate(t *testing.T, c *holdsCloud) *Gate {
	t.Helper()
	planSchema, err := schemas.FS.ReadFile("plan.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	obj := func(name, props string, required ...string) *fstest.MapFile {
		if required == nil {
			required = []string{}
		}
		req, _ := json.Marshal(required)
		return &fstest.MapFile{Data: []byte(`{"$id": "https://ostui.dev/schemas/` + name + `.schema.json", "type": "object", "additionalProperties": false, "required": ` + string(req) + `, "properties": {` + props + `}}`)}
	}
	fs := fstest.MapFS{
		"plan.schema.json":       {Data: planSchema},
		"net.create.schema.json": obj("net.create", `"name": {"type": "string"}`, "name"),
		"net.show.schema.json":   obj("net.show", `"net": {"type": "string"}`, "net"),
		"net.list.schema.json":   obj("net.list", ``),
		"vm.create.schema.json":  obj("vm.create", `"name": {"type": "string"}, "network": {"type": "string"}`, "name"),
	}
	check := func(context.Context, *tools.Env, tools.Args) (*tools.Check, error) {
		c.checks++
		return &tools.Check{State: "ok"}, nil
	}
	preview := func(context.Context, *tools.Env, tools.Args, *tools.Check) (*tools.Preview, error) {
		return &tools.Preview{}, nil
	}
	run := func(context.Context, *tools.Env, tools.Args) (*tools.Result, error) {
		t.Error("a change tool ran during preflight")
		return nil, nil
	}
	show := func(_ context.Context, _ *tools.Env, args tools.Args) (*tools.Result, error) {
		var a struct{ Net string }
		_ = json.Unmarshal(args, &a)
		st, ok := c.nets[a.Net]
		if !ok {
			return nil, &tools.NotFoundError{Kind: "net", Name: a.Net}
		}
		return &tools.Result{Record: &tools.Record{Fields: []tools.Field{
			{Name: "id", Value: "id-" + a.Net}, {Name: "name", Value: a.Net}, {Name: "status", Value: st},
		}}}, nil
	}
	list := func(context.Context, *tools.Env, tools.Args) (*tools.Result, error) {
		l := &tools.List{Columns: []tools.Column{{Name: "ID"}, {Name: "Name"}, {Name: "Fixed IP Addresses"}}}
		for n := range c.nets {
			l.Rows = append(l.Rows, []any{"id-" + n, n, []string{"ip_address='10.0.0.1', subnet_id='sub-" + n + "'"}})
		}
		return &tools.Result{List: l}, nil
	}
	reg, err := tools.NewRegistry(fs, schemas.BaseURL, []tools.Tool{
		{Name: "net.create", Summary: "s", Service: "network", Effect: tools.Change, Check: check, Preview: preview, Run: run, Produces: []string{"id", "name"}},
		{Name: "net.show", Summary: "s", Service: "network", Effect: tools.Read, Run: show},
		{Name: "net.list", Summary: "s", Service: "network", Effect: tools.Read, Run: list},
		{Name: "vm.create", Summary: "s", Service: "compute", Effect: tools.Change, Check: check, Preview: preview, Run: run, Produces: []string{"id"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return &Gate{Registry: reg}
}

func withHolds(s plan.Step, h *plan.Holds) plan.Step {
	s.Holds = h
	return s
}

func TestPreflightHolds(t *testing.T) {
	netStep := step("net", "net.create", `{"name": "n1"}`)
	vmStep := step("vm", "vm.create", `{"name": "v", "network": "${net.id}"}`)
	showN1 := &plan.Holds{Tool: "net.show", Args: map[string]any{"net": "n1"}}
	tests := []struct {
		name  string
		nets  map[string]string
		steps []plan.Step
		// held lists each step's held text ("" when the step runs).
		held []string
		// vmArgs are the vm step's arguments as reviewed.
		vmArgs  string
		checks  int
		allHeld bool
		note    string
	}{
		{
			name:   "the network exists: its step is held, and the next step gets its ID",
			nets:   map[string]string{"n1": "ACTIVE"},
			steps:  []plan.Step{withHolds(netStep, showN1), vmStep},
			held:   []string{"net: net n1 already exists — nothing to do", ""},
			vmArgs: `{"name":"v","network":"id-n1"}`,
			checks: 1,
		},
		{
			name:   "it does not exist: both steps run",
			nets:   map[string]string{},
			steps:  []plan.Step{withHolds(netStep, showN1), vmStep},
			held:   []string{"", ""},
			vmArgs: `{"name": "v", "network": "${net.id}"}`,
			checks: 2,
		},
		{
			name:   "it exists in the wrong state: the step runs",
			nets:   map[string]string{"n1": "DOWN"},
			steps:  []plan.Step{withHolds(netStep, &plan.Holds{Tool: "net.show", Args: map[string]any{"net": "n1"}, Expect: map[string]any{"status": "ACTIVE"}}), vmStep},
			held:   []string{"", ""},
			vmArgs: `{"name": "v", "network": "${net.id}"}`,
			checks: 2,
		},
		{
			name:    "every step holds: nothing to do",
			nets:    map[string]string{"n1": "ACTIVE", "v": "ACTIVE"},
			steps:   []plan.Step{withHolds(netStep, &plan.Holds{Tool: "net.show", Args: map[string]any{"net": "n1"}, Expect: map[string]any{"Status": "active"}}), withHolds(vmStep, &plan.Holds{Tool: "net.list", Args: map[string]any{}, Expect: map[string]any{"fixed_ip_addresses": "~sub-v", "name": "v"}})},
			held:    []string{"net: net n1 already exists and is active — nothing to do", "vm: /vm create is done already (net list shows fixed_ip_addresses containing sub-v, name=v) — nothing to do"},
			vmArgs:  `{"name":"v","network":"id-n1"}`,
			checks:  0,
			allHeld: true,
		},
		{
			name:   "a holds check that needs a step that runs cannot answer: the step runs",
			nets:   map[string]string{"id-n1": "ACTIVE"},
			steps:  []plan.Step{netStep, withHolds(vmStep, &plan.Holds{Tool: "net.show", Args: map[string]any{"net": "${net.id}"}})},
			held:   []string{"", ""},
			vmArgs: `{"name": "v", "network": "${net.id}"}`,
			checks: 2,
		},
		{
			name:   "a list with no matching row: the step runs",
			nets:   map[string]string{"n1": "ACTIVE"},
			steps:  []plan.Step{withHolds(netStep, &plan.Holds{Tool: "net.list", Args: map[string]any{}, Expect: map[string]any{"name": "n2"}})},
			held:   []string{""},
			checks: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &holdsCloud{nets: tt.nets}
			g := holdsGate(t, c)
			env := toolstest.New(t).Env()
			r, err := g.Preflight(t.Context(), env, mkPlan("recipe", tt.steps...))
			if err != nil {
				t.Fatal(err)
			}
			var held []string
			for _, s := range r.Steps {
				if s.Held != nil {
					held = append(held, s.Held.Text)
				} else {
					held = append(held, "")
				}
				if s.Step.ID == "vm" && string(s.Step.Args) != tt.vmArgs {
					t.Errorf("vm args %s, want %s", s.Step.Args, tt.vmArgs)
				}
			}
			if diff := cmp.Diff(tt.held, held); diff != "" {
				t.Errorf("held (-want +got):\n%s", diff)
			}
			if c.checks != tt.checks {
				t.Errorf("%d change preflights ran, want %d (a held step runs none)", c.checks, tt.checks)
			}
			if r.AllHeld() != tt.allHeld {
				t.Errorf("AllHeld = %v, want %v", r.AllHeld(), tt.allHeld)
			}
			a, err := g.ApproveHeld(r)
			switch {
			case tt.allHeld && (err != nil || a.How() != ByHolds):
				t.Errorf("ApproveHeld: %v", err)
			case !tt.allHeld && err == nil:
				t.Error("ApproveHeld sealed a plan with steps to run")
			}
		})
	}
}

func TestValidateHolds(t *testing.T) {
	g := holdsGate(t, &holdsCloud{})
	tests := []struct {
		name  string
		holds *plan.Holds
		want  string
	}{
		{"a change tool", &plan.Holds{Tool: "vm.create", Args: map[string]any{"name": "x"}}, "holds: vm.create changes the cloud; a holds check must use a read tool"},
		{"an unknown tool", &plan.Holds{Tool: "net.frob", Args: map[string]any{}}, `holds: unknown tool "net.frob"`},
		{"arguments that do not fit", &plan.Holds{Tool: "net.show", Args: map[string]any{}}, "holds: --net is required"},
		{"a reference to no earlier step", &plan.Holds{Tool: "net.show", Args: map[string]any{"net": "${ghost.id}"}}, "holds: ${ghost.id} refers to no earlier step"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := g.Validate(mkPlan("recipe", withHolds(step("net", "net.create", `{"name": "n"}`), tt.holds)), nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want %q", err, tt.want)
			}
		})
	}
}
