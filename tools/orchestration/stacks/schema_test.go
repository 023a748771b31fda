package stacks

import (
	"encoding/json"
	"testing"

	"github.com/kriscelmer/os-tui/tools/toolstest"
)

// TestSchemas proves this package's schemas compile and accept what the
// tools expect, whatever else is in the schemas folder.
func TestSchemas(t *testing.T) {
	reg := toolstest.Registry(t, Tools())
	tests := []struct {
		tool string
		args any
		ok   bool
	}{
		{"stack.create", map[string]any{"name": "web", "template_file": "web.yaml", "environment_file": []string{"a.yaml"}, "parameters": map[string]string{"flavor": "m1.nano"}, "dry_run": true}, true},
		{"stack.create", map[string]any{"name": "web"}, false},
		{"stack.create", map[string]any{"name": "1web", "template_file": "web.yaml"}, false},
		{"stack.create", map[string]any{"name": "web", "template_file": "web.yaml", "parameters": map[string]any{"count": 2}}, false},
		{"stack.update", map[string]any{"stack": "web", "existing": true, "parameters": map[string]string{"count": "2"}}, true},
		{"stack.update", map[string]any{"stack": "web", "template_file": "v2.yaml", "timeout": 0}, false},
		{"stack.delete", map[string]any{"stack": "web"}, true},
		{"stack.abandon", map[string]any{"stack": "web"}, false},
		{"stack.abandon", map[string]any{"stack": "web", "output_file": "web.json"}, true},
		{"stack.adopt", map[string]any{"name": "web", "adopt_file": "web.json"}, true},
		{"stack.suspend", map[string]any{"stack": "web"}, true},
		{"stack.output.show", map[string]any{"stack": "web", "all": true}, true},
		{"stack.preview", map[string]any{"name": "web", "template_file": "web.yaml"}, true},
		{"stack.triage", map[string]any{}, false},
	}
	for _, tt := range tests {
		b, _ := json.Marshal(tt.args)
		if err := reg.Validate(tt.tool, b); (err == nil) != tt.ok {
			t.Errorf("%s %s: err = %v, want ok=%t", tt.tool, b, err, tt.ok)
		}
	}
}
