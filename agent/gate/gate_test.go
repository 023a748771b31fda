package gate

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/kriscelmer/os-tui/agent/plan"
	"github.com/kriscelmer/os-tui/internal/cloud"
	"github.com/kriscelmer/os-tui/schemas"
	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/toolstest"
)

// fakeCloudState is what the fake tools' Check sees; tests change it to
// simulate the cloud moving under an approved plan.
type fakeCloudState struct {
	status  string
	missing bool
	writes  int
	// targetID is the ID the name resolves to ("id-1" when empty).
	targetID string
}

func testGate(t *testing.T, st *fakeCloudState) *Gate {
	t.Helper()
	planSchema, err := schemas.FS.ReadFile("plan.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	obj := func(name, props string, required ...string) *fstest.MapFile {
		req, _ := json.Marshal(required)
		return &fstest.MapFile{Data: []byte(`{"$id": "https://ostui.dev/schemas/` + name + `.schema.json", "type": "object", "additionalProperties": false, "required": ` + string(req) + `, "properties": {` + props + `}}`)}
	}
	fs := fstest.MapFS{
		"plan.schema.json":         {Data: planSchema},
		"net.create.schema.json":   obj("net.create", `"name": {"type": "string"}`, "name"),
		"vm.create.schema.json":    obj("vm.create", `"name": {"type": "string"}, "network": {"type": "string"}, "count": {"type": "integer", "minimum": 1}`, "name"),
		"vm.stop.schema.json":      obj("vm.stop", `"vm": {"type": "string"}`, "vm"),
		"vm.delete.schema.json":    obj("vm.delete", `"vm": {"type": "string"}`, "vm"),
		"vm.list.schema.json":      obj("vm.list", ``),
		"orbit.launch.schema.json": obj("orbit.launch", ``),
		"key.import.schema.json":   obj("key.import", `"file": {"type": "string"}`, "file"),
	}
	check := func(_ context.Context, _ *tools.Env, args tools.Args) (*tools.Check, error) {
		if st.missing {
			return nil, &tools.NotFoundError{Kind: "vm", Name: "x"}
		}
		id := st.targetID
		if id == "" {
			id = "id-1"
		}
		chk := &tools.Check{State: st.status, Targets: []tools.Target{{Kind: "vm", ID: id, Name: "x"}}}
		if st.status == "SHUTOFF" {
			chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block, Text: "vm x is SHUTOFF"})
		}
		return chk, nil
	}
	quotaCheck := func(_ context.Context, _ *tools.Env, args tools.Args) (*tools.Check, error) {
		var a struct{ Count int }
		_ = json.Unmarshal(args, &a)
		if a.Count == 0 {
			a.Count = 1
		}
		return &tools.Check{State: "ok", Quota: []tools.QuotaUse{{Service: "compute", Resource: "instances", InUse: 8, Limit: 10, Delta: a.Count}}}, nil
	}
	preview := func(context.Context, *tools.Env, tools.Args, *tools.Check) (*tools.Preview, error) {
		return &tools.Preview{Requests: []tools.Request{{Method: "POST", URL: "/x"}}}, nil
	}
	run := func(context.Context, *tools.Env, tools.Args) (*tools.Result, error) {
		st.writes++
		return &tools.Result{Outputs: map[string]string{"id": "new-id"}}, nil
	}
	change := func(name, service string, effect tools.Effect, chk tools.CheckFunc, produces ...string) tools.Tool {
		return tools.Tool{Name: name, Summary: name, Service: service, Effect: effect, Check: chk, Preview: preview, Run: run, Produces: produces}
	}
	reg, err := tools.NewRegistry(fs, schemas.BaseURL, []tools.Tool{
		change("net.create", "network", tools.Change, quotaCheck, "id", "name"),
		change("vm.create", "compute", tools.Change, quotaCheck, "id"),
		change("vm.stop", "compute", tools.Change, check, "id"),
		change("vm.delete", "compute", tools.Destroy, check),
		{Name: "vm.list", Summary: "s", Service: "compute", Effect: tools.Read, Run: run},
		change("orbit.launch", "orbit", tools.Change, check),
		// A step whose preflight blocks and whose dry run fails for the
		// same reason (a file that cannot be read).
		{Name: "key.import", Summary: "s", Service: "compute", Effect: tools.Change, Run: run,
			Check: func(context.Context, *tools.Env, tools.Args) (*tools.Check, error) {
				return &tools.Check{Findings: []tools.Finding{{Level: tools.Block, Text: "cannot read f"}}}, nil
			},
			Preview: func(context.Context, *tools.Env, tools.Args, *tools.Check) (*tools.Preview, error) {
				return nil, errors.New("cannot read f")
			}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return &Gate{Registry: reg}
}

func mkPlan(origin string, steps ...plan.Step) *plan.Plan {
	return &plan.Plan{ID: "p1", Goal: "test", Origin: origin, Steps: steps}
}

func step(id, tool, args string) plan.Step {
	return plan.Step{ID: id, Tool: tool, Args: json.RawMessage(args)}
}

func TestValidate(t *testing.T) {
	g := testGate(t, &fakeCloudState{status: "ACTIVE"})
	caps := &cloud.Capabilities{Services: map[string]cloud.Service{"compute": {}, "network": {}}}
	tests := []struct {
		name string
		plan *plan.Plan
		want []string
	}{
		{"valid with a reference", mkPlan("model", step("net", "net.create", `{"name": "n"}`), step("vm", "vm.create", `{"name": "v", "network": "${net.id}"}`)), nil},
		{"unknown tool", mkPlan("model", step("a", "vm.frobnicate", `{}`)), []string{`step a: unknown tool "vm.frobnicate"`}},
		{"missing service", mkPlan("model", step("a", "orbit.launch", `{}`)), []string{"needs the orbit service"}},
		{"schema error", mkPlan("model", step("a", "vm.create", `{"name": "v", "count": 0}`)), []string{"step a: --count must be at least 1"}},
		{"missing argument", mkPlan("model", step("a", "vm.stop", `{}`)), []string{"step a: --vm is required"}},
		{"forward reference", mkPlan("model", step("vm", "vm.create", `{"name": "v", "network": "${net.id}"}`), step("net", "net.create", `{"name": "n"}`)), []string{"refers to step net, which comes later"}},
		{"reference to nothing", mkPlan("model", step("vm", "vm.create", `{"name": "v", "network": "${ghost.id}"}`)), []string{"${ghost.id} refers to no step"}},
		{"field not produced", mkPlan("model", step("net", "net.create", `{"name": "n"}`), step("vm", "vm.create", `{"name": "v", "network": "${net.cidr}"}`)), []string{`step net produces id, name, not "cidr"`}},
		{"duplicate step", mkPlan("model", step("a", "vm.stop", `{"vm": "x"}`), step("a", "vm.stop", `{"vm": "y"}`)), []string{"step ID is used twice"}},
		{"bad step id", mkPlan("model", step("1bad", "vm.stop", `{"vm": "x"}`)), []string{"steps[0].id"}},
		{"no steps", mkPlan("model"), []string{"steps"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := g.Validate(tt.plan, caps)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestPreflightAndApprove(t *testing.T) {
	st := &fakeCloudState{status: "ACTIVE"}
	g := testGate(t, st)
	fc := toolstest.New(t)
	fc.Caps.Services["orbit"] = cloud.Service{Type: "orbit"}
	env := fc.Env()

	r, err := g.Preflight(t.Context(), env, mkPlan("slash", step("stop", "vm.stop", `{"vm": "x"}`)))
	if err != nil {
		t.Fatal(err)
	}
	if r.Blocked() || r.Steps[0].Preview == nil {
		t.Fatalf("review = %+v", r)
	}
	if st.writes != 0 {
		t.Fatal("preflight ran a tool")
	}
	a, err := g.Approve(r, ByFlag, nil)
	if err != nil || !a.Valid() || !a.Runs(0) || a.How() != ByFlag {
		t.Fatalf("approve: %v %+v", err, a)
	}

	// --yes never approves a model's plan.
	rm, err := g.Preflight(t.Context(), env, mkPlan("model", step("stop", "vm.stop", `{"vm": "x"}`)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.Approve(rm, ByFlag, nil); err == nil || !strings.Contains(err.Error(), "--yes approves slash commands and recipes only") {
		t.Errorf("--yes on a model plan: %v", err)
	}

	// A blocked step cannot be approved at all.
	st.status = "SHUTOFF"
	rb, err := g.Preflight(t.Context(), env, mkPlan("slash", step("stop", "vm.stop", `{"vm": "x"}`)))
	if err != nil {
		t.Fatal(err)
	}
	if !rb.Blocked() {
		t.Fatal("a block finding did not block")
	}
	if _, err := g.Approve(rb, ByKeyboard, nil); err == nil || !strings.Contains(err.Error(), "vm x is SHUTOFF") {
		t.Errorf("approve blocked: %v", err)
	}

	// Quota across steps adds up: 8 in use + 1 + 2 > 10.
	rq, err := g.Preflight(t.Context(), env, mkPlan("slash", step("a", "vm.create", `{"name": "a", "count": 1}`), step("b", "vm.create", `{"name": "b", "count": 2}`)))
	if err != nil {
		t.Fatal(err)
	}
	if !rq.Blocked() || !strings.Contains(strings.Join(rq.Problems(), "\n"), "compute quota instances: 8 in use + 3 > limit 10") {
		t.Errorf("quota problems = %v", rq.Problems())
	}
}

func TestApproveStepByStep(t *testing.T) {
	g := testGate(t, &fakeCloudState{status: "ACTIVE"})
	env := toolstest.New(t).Env()
	r, err := g.Preflight(t.Context(), env, mkPlan("model",
		step("net", "net.create", `{"name": "n"}`),
		step("vm", "vm.create", `{"name": "v", "network": "${net.id}"}`),
		step("stop", "vm.stop", `{"vm": "x"}`)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.Approve(r, StepByStep, []bool{false, true, true}); err == nil || !strings.Contains(err.Error(), "needs the output of step net, which you declined") {
		t.Errorf("declined dependency: %v", err)
	}
	a, err := g.Approve(r, StepByStep, []bool{true, true, false})
	if err != nil || a.Runs(2) || !a.Runs(1) {
		t.Errorf("step approval: %v", err)
	}
	if _, err := g.Approve(r, StepByStep, []bool{true}); err == nil {
		t.Error("approval of the wrong length accepted")
	}
}

func TestGrants(t *testing.T) {
	g := testGate(t, &fakeCloudState{status: "ACTIVE"})
	env := toolstest.New(t).Env()
	stop, _ := g.Registry.Lookup("vm.stop")
	del, _ := g.Registry.Lookup("vm.delete")
	grants := &Grants{}
	if err := grants.Grant(del); err == nil {
		t.Error("a destroy tool was granted")
	}
	r, err := g.Preflight(t.Context(), env, mkPlan("slash", step("stop", "vm.stop", `{"vm": "x"}`)))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := g.ApproveByGrant(r, grants); ok {
		t.Error("approved without a grant")
	}
	if err := grants.Grant(stop); err != nil {
		t.Fatal(err)
	}
	if a, ok := g.ApproveByGrant(r, grants); !ok || a.How() != BySessionGrant {
		t.Error("grant did not approve")
	}
	rm, err := g.Preflight(t.Context(), env, mkPlan("model", step("stop", "vm.stop", `{"vm": "x"}`)))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := g.ApproveByGrant(rm, grants); ok {
		t.Error("a grant approved a model's plan without asking")
	}
}

func TestRecheck(t *testing.T) {
	st := &fakeCloudState{status: "ACTIVE"}
	g := testGate(t, st)
	env := toolstest.New(t).Env()
	r, err := g.Preflight(t.Context(), env, mkPlan("slash", step("stop", "vm.stop", `{"vm": "x"}`)))
	if err != nil {
		t.Fatal(err)
	}
	a, err := g.Approve(r, ByKeyboard, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.Recheck(t.Context(), env, a, 0, r.Plan.Steps[0].Args); err != nil {
		t.Fatalf("unchanged state: %v", err)
	}
	st.status = "PAUSED"
	_, err = g.Recheck(t.Context(), env, a, 0, r.Plan.Steps[0].Args)
	var ce *ChangedError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), `was "ACTIVE", now "PAUSED"`) {
		t.Errorf("changed state: %v", err)
	}
	// Same state, but the name now means another resource: not what was approved.
	st.status, st.targetID = "ACTIVE", "id-2"
	if _, err := g.Recheck(t.Context(), env, a, 0, r.Plan.Steps[0].Args); !errors.As(err, &ce) || !strings.Contains(err.Error(), "now acts on vm x (id-2), not vm x (id-1)") {
		t.Errorf("retargeted name: %v", err)
	}
	st.missing = true
	if _, err := g.Recheck(t.Context(), env, a, 0, r.Plan.Steps[0].Args); !errors.As(err, &ce) {
		t.Errorf("vanished resource: %v", err)
	}
	if _, err := g.Recheck(t.Context(), env, &Approved{}, 0, nil); err == nil {
		t.Error("a zero Approved passed recheck")
	}
}

func TestMode(t *testing.T) {
	g := testGate(t, &fakeCloudState{status: "ACTIVE"})
	r, err := g.Preflight(t.Context(), toolstest.New(t).Env(), mkPlan("slash", step("stop", "vm.stop", `{"vm": "x"}`)))
	if err != nil {
		t.Fatal(err)
	}
	if err := ModeAsk.Allow(r); err == nil {
		t.Error("ask mode allowed a change")
	}
	if err := ModePlan.Allow(r); err != nil {
		t.Error(err)
	}
	if _, err := ParseMode("yolo"); err == nil {
		t.Error("unknown mode parsed")
	}
}

func TestABlockedStepIsNotAlsoAFailedDryRun(t *testing.T) {
	g := testGate(t, &fakeCloudState{status: "ACTIVE"})
	r, err := g.Preflight(t.Context(), toolstest.New(t).Env(), mkPlan("slash", step("k", "key.import", `{"file": "f"}`)))
	if err != nil {
		t.Fatal(err)
	}
	if !r.Blocked() {
		t.Fatal("the blocked step did not block the plan")
	}
	if got := strings.Count(strings.Join(r.Problems(), "\n"), "cannot read f"); got != 1 {
		t.Errorf("the reason is given %d times, want once: %q", got, r.Problems())
	}
}
