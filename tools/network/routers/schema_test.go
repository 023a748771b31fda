package routers

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
		{"router.create", map[string]any{"name": "edge"}, true},
		{"router.create", map[string]any{"name": "edge", "external_gateway": "public", "enable_snat": false, "admin_state_up": true, "distributed": false, "ha": true, "description": "d"}, true},
		{"router.create", map[string]any{}, false},
		{"router.create", map[string]any{"name": ""}, false},
		{"router.create", map[string]any{"name": "edge", "gateway": "public"}, false},
		{"router.set", map[string]any{"router": "edge", "name": "edge2"}, true},
		{"router.set", map[string]any{"router": "edge", "description": ""}, true},
		{"router.set", map[string]any{"router": "edge", "external_gateway": "public", "enable_snat": true}, true},
		{"router.set", map[string]any{"router": "edge"}, false},
		{"router.set", map[string]any{"router": "edge", "name": ""}, false},
		{"router.unset", map[string]any{"router": "edge", "external_gateway": true}, true},
		{"router.unset", map[string]any{"router": "edge"}, false},
		{"router.delete", map[string]any{"router": "edge"}, true},
		{"router.delete", map[string]any{"router": "edge", "cascade": true}, true},
		{"router.delete", map[string]any{}, false},
		{"router.add.subnet", map[string]any{"router": "edge", "subnet": "app"}, true},
		{"router.add.subnet", map[string]any{"router": "edge"}, false},
		{"router.remove.subnet", map[string]any{"router": "edge", "subnet": "app"}, true},
		{"router.add.port", map[string]any{"router": "edge", "port": "p"}, true},
		{"router.add.port", map[string]any{"router": "edge", "subnet": "app"}, false},
		{"router.remove.port", map[string]any{"router": "edge", "port": "p"}, true},
	}
	for _, tt := range tests {
		b, _ := json.Marshal(tt.args)
		if err := reg.Validate(tt.tool, b); (err == nil) != tt.ok {
			t.Errorf("%s %s: err = %v, want ok=%t", tt.tool, b, err, tt.ok)
		}
	}
}
