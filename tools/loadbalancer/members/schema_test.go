package members

import (
	"encoding/json"
	"testing"

	"github.com/kriscelmer/os-tui/tools/toolstest"
)

// TestSchemas proves this package's schemas compile and accept what its
// tools expect.
func TestSchemas(t *testing.T) {
	reg := toolstest.Registry(t, Tools())
	tests := []struct {
		tool string
		args any
		ok   bool
	}{
		{"loadbalancer.member.create", map[string]any{"pool": "p", "address": "10.0.0.5", "protocol_port": 80, "subnet": "s"}, true},
		{"loadbalancer.member.create", map[string]any{"pool": "p", "address": "10.0.0.5"}, false},
		{"loadbalancer.member.set", map[string]any{"pool": "p", "member": "m", "weight": 0}, true},
		{"loadbalancer.member.set", map[string]any{"pool": "p", "member": "m", "weight": 300}, false},
		{"loadbalancer.member.drain", map[string]any{"pool": "p", "member": "m", "wait": "30s"}, true},
		{"loadbalancer.member.drain", map[string]any{"pool": "p", "member": "m", "wait": "soon"}, false},
		{"loadbalancer.member.undrain", map[string]any{"pool": "p", "member": "m", "weight": 2, "timeout": "2m"}, true},
		{"loadbalancer.rotate", map[string]any{"pool": "p", "batch": 1, "action": "reboot", "drain_wait": "5s"}, true},
		{"loadbalancer.rotate", map[string]any{"pool": "p", "action": "rebuild"}, false},
	}
	for _, tt := range tests {
		b, _ := json.Marshal(tt.args)
		if err := reg.Validate(tt.tool, b); (err == nil) != tt.ok {
			t.Errorf("%s %s: err = %v, want ok=%t", tt.tool, b, err, tt.ok)
		}
	}
}
