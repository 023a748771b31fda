package networks

import (
	"encoding/json"
	"testing"

	"github.com/kriscelmer/os-tui/tools/toolstest"
)

// TestSchemas proves this package's schemas compile and accept what the
// tools expect, whatever else is in the schemas folder.
func TestSchemas(t *testing.T) {
	reg := toolstest.Registry(t, Tools())
	const id = "9e5476bd-a4ec-4653-93d6-72c93aa682ba"
	tests := []struct {
		tool string
		args any
		ok   bool
	}{
		{"network.create", map[string]any{"name": "web"}, true},
		{"network.create", map[string]any{"name": "web", "mtu": 1450, "shared": false, "external": false, "admin_state_up": true,
			"port_security_enabled": true, "dns_domain": "example.org.", "description": "d", "tag": []string{"blue"}}, true},
		{"network.create", map[string]any{"name": "web", "mtu": 40}, false},
		{"network.create", map[string]any{}, false},
		{"network.set", map[string]any{"network": "web"}, false},
		{"network.set", map[string]any{"network": "web", "name": "web2"}, true},
		{"network.set", map[string]any{"network": "web", "clear_tags": true, "tag": []string{"a"}}, true},
		{"network.set", map[string]any{"network": "web", "clear_tags": false}, false},
		{"network.unset", map[string]any{"network": "web", "tag": []string{"a"}}, true},
		{"network.unset", map[string]any{"network": "web"}, false},
		{"network.delete", map[string]any{"network": "web"}, true},
		{"network.share", map[string]any{"network": "web", "project": "*", "action": "access_as_external", "type": "network"}, true},
		{"network.share", map[string]any{"network": "web"}, false},
		{"network.share", map[string]any{"network": "web", "project": "p", "action": "access_as_readonly"}, false},
		{"network.unshare", map[string]any{"network": "web", "project": "p"}, true},
		{"network.rbac.delete", map[string]any{"policy": id}, true},
		{"network.rbac.delete", map[string]any{"policy": "web"}, false},
		{"network.rbac.list", map[string]any{"network": "web", "type": "network"}, true},
	}
	for _, tt := range tests {
		b, _ := json.Marshal(tt.args)
		if err := reg.Validate(tt.tool, b); (err == nil) != tt.ok {
			t.Errorf("%s %s: err = %v, want ok=%t", tt.tool, b, err, tt.ok)
		}
	}
}
