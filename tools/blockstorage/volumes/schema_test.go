package volumes

import (
	"encoding/json"
	"testing"

	"github.com/kriscelmer/os-tui/tools/toolstest"
)

// TestSchemas proves this package's schemas compile, accept what the
// tools expect and refuse what no caller should send.
func TestSchemas(t *testing.T) {
	reg := toolstest.Registry(t, own())
	tests := []struct {
		tool string
		args any
		ok   bool
	}{
		{"volume.create", map[string]any{"name": "v", "size": 1}, true},
		{"volume.create", map[string]any{"name": "v", "size": 0}, false},
		{"volume.create", map[string]any{"name": "v", "image": "cirros", "properties": map[string]string{"k": "v"}}, true},
		{"volume.extend", map[string]any{"volume": "v", "size": 2}, true},
		{"volume.extend", map[string]any{"volume": "v"}, false},
		{"volume.retype", map[string]any{"volume": "v", "type": "fast", "migration_policy": "on-demand"}, true},
		{"volume.retype", map[string]any{"volume": "v", "type": "fast", "migration_policy": "always"}, false},
		{"volume.set", map[string]any{"volume": "v"}, false},
		{"volume.set", map[string]any{"volume": "v", "size": 3}, true},
		{"volume.set", map[string]any{"volume": "v", "migration_policy": "never"}, false},
		{"volume.set", map[string]any{"volume": "v", "description": ""}, true},
		{"volume.unset", map[string]any{"volume": "v", "properties": []string{"k"}}, true},
		{"volume.delete", map[string]any{"volume": "v", "cascade": true}, true},
		{"volume.revert", map[string]any{"snapshot": "s"}, true},
		{"volume.upload-image", map[string]any{"volume": "v", "image_name": "i", "disk_format": "iso"}, false},
	}
	for _, tt := range tests {
		b, _ := json.Marshal(tt.args)
		if err := reg.Validate(tt.tool, b); (err == nil) != tt.ok {
			t.Errorf("%s %s: err = %v, want ok=%t", tt.tool, b, err, tt.ok)
		}
	}
}

// TestOpenstackSpellings proves the openstack CLI's flags reach the
// right arguments.
func TestOpenstackSpellings(t *testing.T) {
	reg := toolstest.Registry(t, own())
	for _, tt := range []struct{ tool, flag, prop string }{
		{"volume.create", "--property", "properties"},
		{"volume.create", "--size", "size"},
		{"volume.set", "--property", "properties"},
		{"volume.set", "--size", "size"},
		{"volume.set", "--retype-policy", "migration_policy"},
		{"volume.set", "--non-bootable", "bootable"},
		{"volume.unset", "--property", "properties"},
		{"volume.delete", "--purge", "cascade"},
		{"volume.retype", "--retype-policy", "migration_policy"},
	} {
		tl, ok := reg.Lookup(tt.tool)
		if !ok {
			t.Fatalf("no tool %s", tt.tool)
		}
		ref, ok := tl.Spec.LookupFlag(tt.flag)
		if !ok || ref.Prop.Name != tt.prop {
			t.Errorf("%s %s → %+v, want %s", tt.tool, tt.flag, ref, tt.prop)
		}
	}
}
