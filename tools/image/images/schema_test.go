package images

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
		{"image.create", map[string]any{"name": "c", "file": "c.qcow2"}, true},
		{"image.create", map[string]any{"name": "c", "file": "c.qcow2", "property": map[string]any{"os_distro": "cirros"}, "protected": true, "min_ram": 64}, true},
		{"image.create", map[string]any{"name": "c"}, false},
		{"image.create", map[string]any{"name": "c", "file": "f", "disk_format": "exe"}, false},
		{"image.set", map[string]any{"image": "c", "protected": false}, true},
		{"image.set", map[string]any{"image": "c", "remove_property": []string{"a"}}, true},
		{"image.set", map[string]any{"image": "c"}, false},
		{"image.set", map[string]any{"image": "c", "property": map[string]any{"a": 1}}, false},
		{"image.deactivate", map[string]any{"image": "c"}, true},
		{"image.reactivate", map[string]any{"image": "c"}, true},
		{"image.delete", map[string]any{"image": "c"}, true},
		{"image.delete", map[string]any{}, false},
	}
	for _, tt := range tests {
		b, _ := json.Marshal(tt.args)
		if err := reg.Validate(tt.tool, b); (err == nil) != tt.ok {
			t.Errorf("%s %s: err = %v, want ok=%t", tt.tool, b, err, tt.ok)
		}
	}
}
