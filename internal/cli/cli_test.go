package cli

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kriscelmer/os-tui/agent/gate"
	"github.com/kriscelmer/os-tui/agent/plan"
	"github.com/kriscelmer/os-tui/agent/router"
	"github.com/kriscelmer/os-tui/agent/session"
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
		{&session.DeclinedError{}, ExitError},
		{&session.NeedsApprovalError{Slash: "/server stop"}, ExitError},
		{context.Canceled, ExitError},
	}
	for _, tt := range tests {
		if got := ExitCode(tt.err); got != tt.want {
			t.Errorf("ExitCode(%v) = %d, want %d", tt.err, got, tt.want)
		}
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

// TestBuiltinsAreSelfContained: each built-in carries its help and its
// code; the router, help and completion all read the same list.
func TestBuiltinsAreSelfContained(t *testing.T) {
	reg, err := toolset.Registry()
	if err != nil {
		t.Fatal(err)
	}
	r := router.New(reg, BuiltinNames())
	seen := map[string]bool{}
	for _, b := range builtins() {
		if seen[b.Name] {
			t.Errorf("/%s is listed twice", b.Name)
		}
		seen[b.Name] = true
		if b.run == nil || !strings.HasPrefix(b.Usage, "/"+b.Name) {
			t.Errorf("/%s: run %v, usage %q", b.Name, b.run != nil, b.Usage)
		}
		in, err := r.Route("/" + b.Name)
		if got, ok := in.(router.Builtin); err != nil || !ok || got.Name != b.Name {
			t.Errorf("/%s routes to %#v, %v", b.Name, in, err)
		}
	}
	if !strings.Contains(builtins()[4].Usage, "paranoid") {
		t.Errorf("/mode usage %q does not come from the gate's modes", builtins()[4].Usage)
	}
}

// TestUploadProgressOffATerminal: a log gets a line per tenth of an
// upload, however often the upload reports.
func TestUploadProgressOffATerminal(t *testing.T) {
	ios, _, _, errOut := iostreams.Test()
	p := newProgress(ios)
	p.StepStarted(0, &gate.StepReview{Tool: &tools.Tool{Name: "image.create"}, Step: plan.Step{Args: tools.Args(`{}`)}})
	const total = 1 << 30
	for done := int64(0); done <= total; done += 32 << 10 {
		p.Bytes(0, done, total)
	}
	lines := strings.Count(errOut.String(), "uploading")
	if lines < 10 || lines > 11 {
		t.Errorf("a 1 GiB upload wrote %d progress lines, want 10 or 11:\n%s", lines, errOut.String())
	}
}
