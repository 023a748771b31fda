package plan

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestYAMLRoundTrip(t *testing.T) {
	p := &Plan{ID: "x", Goal: "stop web", Origin: OriginSlash, Steps: []Step{
		{ID: "stop", Tool: "server.stop", Args: []byte(`{"server":"web-1"}`), Why: "asked"},
	}}
	b, err := p.MarshalYAML()
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseYAML(b)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(p, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if _, err := ParseYAML([]byte("goal: x\nsteps: []\nbogus: 1\n")); err == nil {
		t.Error("an unknown field was accepted")
	}
	if StepID("server.add.volume") != "add-volume" || StepID("whoami") != "whoami" {
		t.Error("StepID")
	}
}

const recipe = `goal: launch ${param.name}
params:
  name: {description: server name}
  flavor: {default: m1.nano}
steps:
  - id: vm
    tool: server.create
    args: {name: "${param.name}", flavor: "${param.flavor}", image: cirros}
  - id: stop
    tool: server.stop
    args: {server: "${vm.id}"}
`

func TestRecipe(t *testing.T) {
	r, err := ParseRecipe([]byte(recipe))
	if err != nil {
		t.Fatal(err)
	}
	p, err := r.Plan(map[string]string{"name": "web-2"})
	if err != nil {
		t.Fatal(err)
	}
	if p.Goal != "launch web-2" || p.Origin != OriginRecipe {
		t.Errorf("plan = %+v", p)
	}
	if got := string(p.Steps[0].Args); got != `{"flavor":"m1.nano","image":"cirros","name":"web-2"}` {
		t.Errorf("args = %s", got)
	}
	if got := string(p.Steps[1].Args); got != `{"server":"${vm.id}"}` {
		t.Errorf("step references must survive: %s", got)
	}
	tests := []struct {
		values map[string]string
		want   string
	}{
		{nil, "needs --param for: name"},
		{map[string]string{"name": "a", "colour": "red"}, `no parameter "colour"`},
	}
	for _, tt := range tests {
		if _, err := r.Plan(tt.values); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Plan(%v) = %v, want %q", tt.values, err, tt.want)
		}
	}
	bad, _ := ParseRecipe([]byte("goal: x\nsteps:\n  - {id: a, tool: server.stop, args: {server: \"${param.ghost}\"}}\n"))
	if _, err := bad.Plan(nil); err == nil || !strings.Contains(err.Error(), "${param.ghost} is not a parameter") {
		t.Errorf("undeclared parameter: %v", err)
	}
}
