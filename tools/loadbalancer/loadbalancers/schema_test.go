package loadbalancers

import (
	"encoding/json"
	"testing"

	"github.com/kriscelmer/os-tui/tools/toolstest"
)

// TestSchemas proves this package's schemas compile and accept what the
// tools expect.
func TestSchemas(t *testing.T) {
	reg := toolstest.Registry(t, Tools())
	tests := []struct {
		tool string
		args any
		ok   bool
	}{
		{"loadbalancer.create", map[string]any{"name": "web", "subnet": "private-subnet"}, true},
		{"loadbalancer.create", map[string]any{"name": "web", "subnet": "s", "protocol": "HTTP", "port": 80, "members": []string{"web-1,web-2"}, "monitor": "HTTP:/health"}, true},
		{"loadbalancer.create", map[string]any{"name": "web"}, false},
		{"loadbalancer.create", map[string]any{"name": "web", "subnet": "s", "protocol": "FTP"}, false},
		{"loadbalancer.create", map[string]any{"name": "web", "subnet": "s", "monitor": "HTTP health"}, false},
		{"loadbalancer.create", map[string]any{"name": "${x.id}", "subnet": "s"}, false},
		{"loadbalancer.delete", map[string]any{"loadbalancer": "web", "cascade": true}, true},
		{"loadbalancer.set", map[string]any{"loadbalancer": "web"}, false},
		{"loadbalancer.set", map[string]any{"loadbalancer": "web", "admin_state_up": false}, true},
		{"loadbalancer.status", map[string]any{"loadbalancer": "web"}, true},
		{"loadbalancer.status.show", map[string]any{"loadbalancer": "web"}, true},
		{"loadbalancer.list", map[string]any{"provisioning_status": "ACTIVE"}, true},
	}
	for _, tt := range tests {
		b, _ := json.Marshal(tt.args)
		if err := reg.Validate(tt.tool, b); (err == nil) != tt.ok {
			t.Errorf("%s %s: err = %v, want ok=%t", tt.tool, b, err, tt.ok)
		}
	}
}
