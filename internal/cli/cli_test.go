package cli

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kriscelmer/os-tui/agent/executor"
	"github.com/kriscelmer/os-tui/agent/gate"
	"github.com/kriscelmer/os-tui/agent/plan"
	"github.com/kriscelmer/os-tui/agent/router"
	"github.com/kriscelmer/os-tui/internal/config"
	"github.com/kriscelmer/os-tui/internal/iostreams"
	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/toolset"
)

func TestExitCode(t *testing.T) {
	tests := []struct {
		err  error
		want int
	}{
		{nil, ExitOK},
		{errors.New("boom"), ExitError},
		{&usageError{msg: "x"}, ExitUsage},
		{&router.UnknownCommandError{Input: "/x"}, ExitUsage},
		{&silentError{code: 2}, 2},
		{declinedError{}, ExitError},
		{context.Canceled, ExitError},
	}
	for _, tt := range tests {
		if got := ExitCode(tt.err); got != tt.want {
			t.Errorf("ExitCode(%v) = %d, want %d", tt.err, got, tt.want)
		}
	}
}

func tool(name string, effect tools.Effect) *tools.Tool {
	return &tools.Tool{Name: name, Effect: effect}
}

func TestGrantableTool(t *testing.T) {
	review := func(ts ...*tools.Tool) *gate.Review {
		r := &gate.Review{Plan: &plan.Plan{}}
		for _, tl := range ts {
			r.Steps = append(r.Steps, gate.StepReview{Tool: tl})
		}
		return r
	}
	stop, start, del, list := tool("server.stop", tools.Change), tool("server.start", tools.Change), tool("server.delete", tools.Destroy), tool("server.list", tools.Read)
	tests := []struct {
		name string
		r    *gate.Review
		want string
	}{
		{"one change tool", review(stop), "server.stop"},
		{"same tool twice, with a read", review(list, stop, stop), "server.stop"},
		{"two change tools", review(stop, start), ""},
		{"destroy is never granted", review(stop, del), ""},
		{"reads only", review(list), ""},
	}
	for _, tt := range tests {
		got := ""
		if g := grantableTool(tt.r); g != nil {
			got = g.Name
		}
		if got != tt.want {
			t.Errorf("%s: grantable = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestAnyRan(t *testing.T) {
	out := func(statuses ...string) *executor.Outcome {
		o := &executor.Outcome{}
		for _, s := range statuses {
			o.Steps = append(o.Steps, executor.StepOutcome{Status: s})
		}
		return o
	}
	if anyRan(nil) || anyRan(out(executor.StatusChanged, executor.StatusNotRun)) {
		t.Error("nothing ran, but anyRan says so")
	}
	if !anyRan(out(executor.StatusOK, executor.StatusChanged)) {
		t.Error("a completed step was missed: re-reviewing would run it twice")
	}
}

func TestWizardHelpers(t *testing.T) {
	reg, err := toolset.Registry()
	if err != nil {
		t.Fatal(err)
	}
	create, _ := reg.Lookup("server.create")
	line := slashLine(create, map[string]any{"name": "web 2", "flavor": "m1.nano", "networks": []any{"private"}, "count": 2})
	if want := "/server create 'web 2' --count 2 --flavor m1.nano --networks private"; line != want {
		t.Errorf("slashLine = %q, want %q", line, want)
	}
	// What the wizard writes, the router reads back to the same arguments.
	in, err := router.New(reg, nil).Route(line + " --image cirros")
	if err != nil {
		t.Fatal(err)
	}
	var args map[string]any
	_ = json.Unmarshal(in.(router.Call).Args, &args)
	if args["name"] != "web 2" || args["count"] != float64(2) {
		t.Errorf("round trip = %v", args)
	}
	tests := []struct {
		prop   tools.Prop
		answer string
		want   any
		bad    bool
	}{
		{tools.Prop{Type: "integer"}, "3", 3, false},
		{tools.Prop{Type: "integer"}, "three", nil, true},
		{tools.Prop{Type: "array"}, "a, b,,c", []any{"a", "b", "c"}, false},
		{tools.Prop{Type: "object"}, "k=v, x=y", map[string]any{"k": "v", "x": "y"}, false},
		{tools.Prop{Type: "object"}, "novalue", nil, true},
		{tools.Prop{Type: "boolean"}, "maybe", nil, true},
	}
	for _, tt := range tests {
		got, err := convertAnswer(tt.prop, tt.answer)
		if (err != nil) != tt.bad {
			t.Errorf("convertAnswer(%s, %q) err = %v", tt.prop.Type, tt.answer, err)
			continue
		}
		if !tt.bad {
			gb, _ := json.Marshal(got)
			wb, _ := json.Marshal(tt.want)
			if string(gb) != string(wb) {
				t.Errorf("convertAnswer(%s, %q) = %s, want %s", tt.prop.Type, tt.answer, gb, wb)
			}
		}
	}
}

func TestSaveComposed(t *testing.T) {
	reg, err := toolset.Registry()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	t.Chdir(dir)
	ios, _, _, _ := iostreams.Test()
	s := NewShell(ios, reg, config.Flags{}, func(string) string { return "" }, Paths{StateDir: dir})
	recipe := "goal: stop\nsteps:\n  - {id: s, tool: server.stop, args: {server: web-1}}\n"
	heat := "heat_template_version: 2021-04-16\nresources:\n  vm: {type: OS::Nova::Server}\n"
	tests := []struct {
		kind, path, content string
		wantErr             string
	}{
		{"recipe", "../x.yaml", recipe, "plain file name"},
		{"recipe", "/etc/x.yaml", recipe, "plain file name"},
		{"recipe", ".hidden.yaml", recipe, "plain file name"},
		{"recipe", "x.txt", recipe, "must end in .yaml"},
		{"recipe", "bad.yaml", "goal: x\nsteps:\n  - {id: s, tool: server.stop, args: {}}\n", "--server is required"},
		{"heat", "h.yaml", "resources: {}\n", "heat_template_version is missing"},
		{"shell", "s.yaml", "x", `kind must be "recipe" or "heat"`},
		{"recipe", "ok.yaml", recipe, ""},
		{"recipe", "ok.yaml", recipe, "already exists"},
		{"heat", "stack.yaml", heat, ""},
	}
	for _, tt := range tests {
		out := s.saveComposed(tt.kind, tt.path, tt.content)
		got := strings.Join(out.Errors, "; ")
		if tt.wantErr == "" {
			if out.Status != "ok" {
				t.Errorf("%s %s: %s %v", tt.kind, tt.path, out.Status, out.Errors)
			}
			continue
		}
		if !strings.Contains(got, tt.wantErr) {
			t.Errorf("%s %s: errors %q, want %q", tt.kind, tt.path, got, tt.wantErr)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "..", "x.yaml")); err == nil {
		t.Error("a file was written outside the current directory")
	}
}

func TestSettingsLoseToEnvironment(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte("model:\n  name: from-file\n  base_url: http://127.0.0.1:1/v1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"OSTUI_CONFIG": path, "OSTUI_MODEL": "from-env"}
	cfg, ok, err := modelConfig(func(k string) string { return env[k] })
	if err != nil || !ok || cfg.Model != "from-env" || cfg.BaseURL != "http://127.0.0.1:1/v1" {
		t.Errorf("cfg = %v, configured %v, err %v", cfg, ok, err)
	}
	none := map[string]string{"OSTUI_CONFIG": filepath.Join(dir, "missing.yaml")}
	if _, ok, _ := modelConfig(func(k string) string { return none[k] }); ok {
		t.Error("a model was configured from nothing")
	}
}
