package plan

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRecipePlan(t *testing.T) {
	const doc = `goal: network ${param.name}
params:
  name: {description: the name}
  mtu: {type: integer, default: "1400"}
  up: {type: boolean, default: "true"}
steps:
  - id: net
    tool: network.create
    args: {name: "${param.name}", mtu: "${param.mtu}", admin_state_up: "${param.up}", description: "mtu ${param.mtu}"}
    holds:
      tool: network.show
      args: {network: "${param.name}"}
      expect: {mtu: "${param.mtu}"}
  - id: sub
    tool: subnet.create
    args: {name: s, network: "${net.id}"}
`
	r, err := ParseRecipe([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		values  map[string]string
		args    string
		holds   *Holds
		wantErr string
	}{
		{name: "typed parameters become numbers and booleans; text stays text",
			values: map[string]string{"name": "web"},
			args:   `{"admin_state_up":true,"description":"mtu 1400","mtu":1400,"name":"web"}`,
			holds:  &Holds{Tool: "network.show", Args: map[string]any{"network": "web"}, Expect: map[string]any{"mtu": float64(1400)}}},
		{name: "a value given wins over the default",
			values: map[string]string{"name": "web", "mtu": "9000", "up": "false"},
			args:   `{"admin_state_up":false,"description":"mtu 9000","mtu":9000,"name":"web"}`,
			holds:  &Holds{Tool: "network.show", Args: map[string]any{"network": "web"}, Expect: map[string]any{"mtu": float64(9000)}}},
		{name: "a value that is not of its type stays text, for the schema to refuse",
			values: map[string]string{"name": "web", "mtu": "big"},
			args:   `{"admin_state_up":true,"description":"mtu big","mtu":"big","name":"web"}`,
			holds:  &Holds{Tool: "network.show", Args: map[string]any{"network": "web"}, Expect: map[string]any{"mtu": "big"}}},
		{name: "a required parameter missing", values: nil, wantErr: "needs --param for: name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := r.Plan(tt.values)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(p.Steps[0].Args) != tt.args {
				t.Errorf("args %s, want %s", p.Steps[0].Args, tt.args)
			}
			if diff := cmp.Diff(tt.holds, p.Steps[0].Holds); diff != "" {
				t.Errorf("holds (-want +got):\n%s", diff)
			}
			if p.Steps[1].Holds != nil || string(p.Steps[1].Args) != `{"name":"s","network":"${net.id}"}` {
				t.Errorf("step sub: %s %+v", p.Steps[1].Args, p.Steps[1].Holds)
			}
		})
	}
	// A parameter used in a holds check must be declared.
	bad, err := ParseRecipe([]byte("goal: g\nsteps:\n  - id: a\n    tool: network.create\n    args: {name: x}\n    holds: {tool: network.show, args: {network: \"${param.ghost}\"}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bad.Plan(nil); err == nil || !strings.Contains(err.Error(), "holds: ${param.ghost} is not a parameter") {
		t.Errorf("got %v", err)
	}
	// A plan with holds survives a round trip through YAML (editing it).
	p, _ := r.Plan(map[string]string{"name": "web"})
	b, err := p.MarshalYAML()
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseYAML(b)
	if err != nil {
		t.Fatal(err)
	}
	// (YAML reads 1400 back as an int, JSON as a float: compare as JSON.)
	want, _ := json.Marshal(p.Steps[0].Holds)
	got, _ := json.Marshal(back.Steps[0].Holds)
	if string(want) != string(got) {
		t.Errorf("holds after editing: %s, want %s", got, want)
	}
}
