package recipes

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/agent/plan"
	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/toolset"
)

var registry = sync.OnceValues(toolset.Registry)

func reg(t *testing.T) *tools.Registry {
	t.Helper()
	r, err := registry()
	if err != nil {
		t.Fatalf("registry: %v", err)
	}
	return r
}

func step(id, tool string, args map[string]any) plan.Step {
	b, _ := json.Marshal(args)
	return plan.Step{ID: id, Tool: tool, Args: b}
}

func strp(s string) *string { return &s }

func TestLift(t *testing.T) {
	tests := []struct {
		name    string
		plan    *plan.Plan
		outputs map[string]map[string]string
		params  map[string]plan.Param
		args    map[string]map[string]any // by step
		holds   map[string]*plan.Holds
	}{
		{
			name: "one step: the name becomes a parameter, enums and switches stay",
			plan: &plan.Plan{Goal: "g", Steps: []plan.Step{step("create", "network.create", map[string]any{"name": "web", "admin_state_up": false, "mtu": 1400.0})}},
			params: map[string]plan.Param{
				"name": {Description: "Name of the new network (/network create)", Default: strp("web")},
				"mtu":  {Description: "Maximum transmission unit in bytes (IPv6 needs 1280 or more) (/network create)", Type: "integer", Default: strp("1400")},
			},
			args:  map[string]map[string]any{"create": {"name": "${param.name}", "admin_state_up": false, "mtu": "${param.mtu}"}},
			holds: map[string]*plan.Holds{"create": {Tool: "network.show", Args: map[string]any{"network": "${param.name}"}}},
		},
		{
			name: "an ID an earlier step made becomes a reference; names shared by steps get the step's prefix",
			plan: &plan.Plan{Goal: "g", Steps: []plan.Step{
				step("net", "network.create", map[string]any{"name": "n1"}),
				step("sub", "subnet.create", map[string]any{"name": "s1", "network": "11111111-2222-4333-8444-555555555555", "subnet_range": "10.0.0.0/24", "ip_version": 4.0}),
			}},
			outputs: map[string]map[string]string{"net": {"id": "11111111-2222-4333-8444-555555555555", "name": "n1"}},
			params: map[string]plan.Param{
				"net_name":     {Description: "Name of the new network (/network create)", Default: strp("n1")},
				"sub_name":     {Description: "Name of the new subnet (/subnet create)", Default: strp("s1")},
				"subnet_range": {Description: "Address range in CIDR form: 10.0.0.0/24, fd00:1::/64 (/subnet create)", Default: strp("10.0.0.0/24")},
			},
			args: map[string]map[string]any{
				"net": {"name": "${param.net_name}"},
				"sub": {"name": "${param.sub_name}", "network": "${net.id}", "subnet_range": "${param.subnet_range}", "ip_version": 4.0},
			},
			holds: map[string]*plan.Holds{
				"net": {Tool: "network.show", Args: map[string]any{"network": "${param.net_name}"}},
				"sub": {Tool: "subnet.show", Args: map[string]any{"subnet": "${param.sub_name}"}},
			},
		},
		{
			name: "one value in two steps is one parameter; references stay",
			plan: &plan.Plan{Goal: "g", Steps: []plan.Step{
				step("stop", "server.stop", map[string]any{"server": "web-1"}),
				step("start", "server.start", map[string]any{"server": "web-1"}),
			}},
			params: map[string]plan.Param{"server": {Description: "Server name or ID (/server stop)", Default: strp("web-1")}},
			args: map[string]map[string]any{
				"stop":  {"server": "${param.server}"},
				"start": {"server": "${param.server}"},
			},
			holds: map[string]*plan.Holds{
				"stop":  {Tool: "server.show", Args: map[string]any{"server": "${param.server}"}, Expect: map[string]any{"status": "SHUTOFF"}},
				"start": {Tool: "server.show", Args: map[string]any{"server": "${param.server}"}, Expect: map[string]any{"status": "ACTIVE"}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Lift(reg(t), tt.plan, tt.outputs)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.params, r.Params); diff != "" {
				t.Errorf("params (-want +got):\n%s", diff)
			}
			for _, s := range r.Steps {
				if diff := cmp.Diff(tt.args[s.ID], s.Args); diff != "" {
					t.Errorf("step %s args (-want +got):\n%s", s.ID, diff)
				}
				if diff := cmp.Diff(tt.holds[s.ID], s.Holds); diff != "" {
					t.Errorf("step %s holds (-want +got):\n%s", s.ID, diff)
				}
			}
			// What is lifted plans again, with its defaults, to the plan
			// it came from (references aside).
			p, err := r.Plan(nil)
			if err != nil {
				t.Fatalf("plan of the recipe: %v", err)
			}
			for i, s := range p.Steps {
				var got, want map[string]any
				_ = json.Unmarshal(s.Args, &got)
				_ = json.Unmarshal(tt.plan.Steps[i].Args, &want)
				for k, v := range want {
					if g, ok := got[k].(string); ok && strings.HasPrefix(g, "${") {
						continue
					}
					if !cmp.Equal(got[k], v) {
						t.Errorf("step %s: %s replays as %v, was %v", s.ID, k, got[k], v)
					}
				}
			}
		})
	}
}

func TestLiftRefusesSecrets(t *testing.T) {
	tests := []struct {
		name string
		args map[string]any
		arg  string
	}{
		{"a password by its name", map[string]any{"name": "n", "password": "hunter2"}, "password"},
		{"a private key by its value", map[string]any{"name": "n", "description": "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----"}, "description"},
		{"user data", map[string]any{"name": "n", "user_data": "#cloud-config"}, "user_data"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Lift(reg(t), &plan.Plan{Goal: "g", Steps: []plan.Step{step("s", "network.create", tt.args)}}, nil)
			var se *SecretError
			if !errors.As(err, &se) || se.Arg != tt.arg {
				t.Fatalf("got %v, want a SecretError for %s", err, tt.arg)
			}
		})
	}
	// A switch whose name sounds secret is no secret.
	if _, err := Lift(reg(t), &plan.Plan{Goal: "g", Steps: []plan.Step{step("s", "application-credential.create", map[string]any{"name": "c", "show_secret": true})}}, nil); err != nil {
		t.Errorf("show_secret: true was refused: %v", err)
	}
}

func TestHoldsFor(t *testing.T) {
	tests := []struct {
		tool string
		args map[string]any
		want *plan.Holds
	}{
		{"network.create", map[string]any{"name": "n"}, &plan.Holds{Tool: "network.show", Args: map[string]any{"network": "n"}}},
		{"server.create", map[string]any{"name": "web"}, &plan.Holds{Tool: "server.show", Args: map[string]any{"server": "web"}, Expect: map[string]any{"status": "ACTIVE"}}},
		{"volume.create", map[string]any{"name": "v", "size": 1.0}, &plan.Holds{Tool: "volume.show", Args: map[string]any{"volume": "v"}, Expect: map[string]any{"status": "available"}}},
		{"server.stop", map[string]any{"server": "web"}, &plan.Holds{Tool: "server.show", Args: map[string]any{"server": "web"}, Expect: map[string]any{"status": "SHUTOFF"}}},
		{"network.set", map[string]any{"network": "n", "mtu": 1400.0, "description": "d"}, &plan.Holds{Tool: "network.show", Args: map[string]any{"network": "n"}, Expect: map[string]any{"mtu": 1400.0, "description": "d"}}},
		{"network.set", map[string]any{"network": "n", "tag": []any{"a"}}, nil},
		{"security-group.rule.create", map[string]any{"group": "${sg.id}", "direction": "ingress", "protocol": "tcp", "dst_port": "22", "remote_ip": "10.0.0.0/8"},
			&plan.Holds{Tool: "security-group.rule.list", Args: map[string]any{"group": "${sg.id}", "direction": "ingress", "protocol": "tcp"}, Expect: map[string]any{"ip_range": "10.0.0.0/8", "port_range": "22:22"}}},
		{"router.add.subnet", map[string]any{"router": "${r.id}", "subnet": "${s.id}"},
			&plan.Holds{Tool: "port.list", Args: map[string]any{"router": "${r.id}"}, Expect: map[string]any{"fixed_ip_addresses": "~${s.id}"}}},
		{"network.delete", map[string]any{"network": "n"}, nil},
		{"network.create", map[string]any{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.tool, func(t *testing.T) {
			tool, ok := reg(t).Lookup(tt.tool)
			if !ok {
				t.Fatalf("no tool %s", tt.tool)
			}
			if diff := cmp.Diff(tt.want, HoldsFor(reg(t), tool, tt.args)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseSchemaErrors(t *testing.T) {
	tests := []struct {
		name, doc string
		want      []string
	}{
		{"valid", "goal: g\nsteps:\n  - id: a\n    tool: network.create\n    args: {name: x}\n", nil},
		{"unknown field, with its line", "goal: g\nsteps:\n  - id: a\n    tool: network.create\n    args: {}\n    colour: red\n",
			[]string{"line 6: unknown field steps[0].colour"}},
		{"missing tool", "goal: g\nsteps:\n  - id: a\n    args: {}\n", []string{"line 3: steps[0].tool is required"}},
		{"bad step id", "goal: g\nsteps:\n  - id: 9a\n    tool: network.create\n    args: {}\n", []string{"line 3: steps[0].id: "}},
		{"no steps", "goal: g\nsteps: []\n", []string{"line 2: steps: "}},
		{"a param with a list as default", "goal: g\nparams:\n  x:\n    default: [1]\nsteps:\n  - {id: a, tool: network.create, args: {}}\n", []string{"line 4: params.x.default: "}},
		{"holds without a tool", "goal: g\nsteps:\n  - id: a\n    tool: network.create\n    args: {}\n    holds: {args: {}}\n", []string{"line 6: steps[0].holds.tool is required"}},
		{"empty file", "", []string{"line 1: the file is empty"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("r.yaml", []byte(tt.doc))
			if tt.want == nil {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			var se *SchemaError
			if !errors.As(err, &se) {
				t.Fatalf("got %v, want a SchemaError", err)
			}
			if len(se.Problems) != len(tt.want) {
				t.Fatalf("problems %q, want %d like %q", se.Problems, len(tt.want), tt.want)
			}
			for i, w := range tt.want {
				if !strings.HasPrefix(se.Problems[i], w) {
					t.Errorf("problem %q, want it to start %q", se.Problems[i], w)
				}
			}
		})
	}
}

func TestPlanDiff(t *testing.T) {
	a := &plan.Plan{Goal: "g", Steps: []plan.Step{
		step("net", "network.create", map[string]any{"name": "a"}),
		step("sg", "security-group.create", map[string]any{"name": "s"}),
	}}
	b := &plan.Plan{Goal: "g2", Steps: []plan.Step{
		step("net", "network.create", map[string]any{"name": "b", "mtu": 1400}),
		step("rule", "security-group.rule.create", map[string]any{"group": "s"}),
	}}
	want := []string{
		"~ goal: g → g2",
		"- step sg (security-group.create): name=s",
		"~ step net: mtu added: 1400",
		"~ step net: name: a → b",
		"+ step rule (security-group.rule.create): group=s",
	}
	if diff := cmp.Diff(want, PlanDiff(a, b)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got := PlanDiff(a, a); len(got) != 0 {
		t.Errorf("the same plan differs: %q", got)
	}
	if got := PlanDiff(nil, a); len(got) != 2 || !strings.HasPrefix(got[0], "+ step net") {
		t.Errorf("a new recipe: %q", got)
	}
}

func TestStoreGit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Fatalf("git is needed for the recipe folder (scripts/test-deps installs it): %v", err)
	}
	ctx := t.Context()
	t.Setenv("GIT_CONFIG_GLOBAL", filepath.Join(t.TempDir(), "gitconfig"))
	st := &Store{Dir: filepath.Join(t.TempDir(), "recipes")}
	r := &plan.Recipe{Goal: "make a", Params: map[string]plan.Param{"name": {Default: strp("a")}},
		Steps: []plan.RecipeStep{{ID: "net", Tool: "network.create", Args: map[string]any{"name": "${param.name}"}}}}
	path, commit, err := st.Save(ctx, "lab", r, "a test")
	if err != nil {
		t.Fatal(err)
	}
	if commit == "" {
		t.Fatal("the save was not committed")
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o644 {
		t.Fatalf("recipe file %s: %v %v, want mode 0644", path, fi.Mode(), err)
	}
	b, _ := os.ReadFile(path)
	if !strings.HasPrefix(string(b), "# a test\n") {
		t.Errorf("the header is missing:\n%s", b)
	}
	// Saving the same again commits nothing.
	if _, again, err := st.Save(ctx, "lab", r, "a test"); err != nil || again != "" {
		t.Errorf("an unchanged save committed %q (%v)", again, err)
	}
	list, err := st.List()
	if err != nil || len(list) != 1 || list[0].Name != "lab" || list[0].Steps != 1 || list[0].Params[0] != "name" {
		t.Fatalf("list: %+v %v", list, err)
	}
	// An edit, committed: two versions in the log, and the plans differ.
	r.Params["name"] = plan.Param{Default: strp("b")}
	if _, _, err := (&Store{Dir: st.Dir, NoCommit: true}).Save(ctx, "lab", r, "a test"); err != nil {
		t.Fatal(err)
	}
	text, err := st.TextDiff(ctx, nil, "lab")
	if err != nil || !strings.Contains(text, "+        default: b") {
		t.Errorf("text diff: %q %v", text, err)
	}
	if _, err := st.Commit(ctx, "b it is"); err != nil {
		t.Fatal(err)
	}
	log, err := st.Log(ctx, "lab")
	if err != nil || strings.Count(log, "\n") != 2 || !strings.Contains(log, "b it is") || !strings.Contains(log, "recipe lab: save") {
		t.Errorf("log: %q %v", log, err)
	}
	old, _, err := st.LoadAt(ctx, "HEAD~1", "lab")
	if err != nil {
		t.Fatal(err)
	}
	now, _, _ := st.Load("lab")
	p1, _ := old.Plan(nil)
	p2, _ := now.Plan(nil)
	if diff := cmp.Diff([]string{"~ step net: name: a → b"}, PlanDiff(p1, p2)); diff != "" {
		t.Errorf("plan diff (-want +got):\n%s", diff)
	}
	changed, err := st.Changed(ctx, []string{"HEAD~1", "HEAD"})
	if err != nil || !cmp.Equal(changed, []string{"lab"}) {
		t.Errorf("changed: %q %v", changed, err)
	}
	if out, err := st.Branch(ctx, "try"); err != nil || !strings.Contains(out, "made branch try") {
		t.Errorf("branch: %q %v", out, err)
	}
	if out, err := st.Branch(ctx, ""); err != nil || !strings.Contains(out, "* try") {
		t.Errorf("branches: %q %v", out, err)
	}
	if out, err := st.Branch(ctx, "main"); err != nil || !strings.Contains(out, "switched to branch main") {
		t.Errorf("switch: %q %v", out, err)
	}
	// Names and revisions that could reach outside, or read as options,
	// are refused before git runs.
	for _, bad := range []string{"../x", "-rf", "a/b", ""} {
		if _, err := st.File(bad); err == nil {
			t.Errorf("name %q accepted", bad)
		}
	}
	for _, bad := range []string{"--output=x", "a..b", "-p"} {
		if _, err := st.TextDiff(ctx, []string{bad}, ""); err == nil {
			t.Errorf("revision %q accepted", bad)
		}
	}
	if _, _, err := st.Load("nope"); !errors.As(err, new(*NotFoundError)) {
		t.Errorf("missing recipe: %v", err)
	}
}

func TestLiftTemplatesGoalAndWhy(t *testing.T) {
	s := step("net", "subnet.create", map[string]any{"name": "lab-subnet", "network": "n", "subnet_range": "10.93.0.0/24"})
	s.Why = "addresses 10.93.0.0/24 for lab-subnet, not lab-subnet-2 or 10.93.0.0/245"
	r, err := Lift(reg(t), &plan.Plan{Goal: "/vpc create lab --cidr 10.93.0.0/24.", Steps: []plan.Step{s}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := "/vpc create lab --cidr ${param.subnet_range}."; r.Goal != want {
		t.Errorf("goal %q, want %q", r.Goal, want)
	}
	if want := "addresses ${param.subnet_range} for ${param.name}, not lab-subnet-2 or 10.93.0.0/245"; r.Steps[0].Why != want {
		t.Errorf("why %q, want %q", r.Steps[0].Why, want)
	}
	p, err := r.Plan(map[string]string{"subnet_range": "10.94.0.0/24"})
	if err != nil || p.Goal != "/vpc create lab --cidr 10.94.0.0/24." {
		t.Errorf("planned goal %q (%v)", p.Goal, err)
	}
}
