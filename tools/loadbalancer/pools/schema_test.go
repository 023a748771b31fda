package pools

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
		{"loadbalancer.pool.create", map[string]any{"listener": "l", "protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN"}, true},
		{"loadbalancer.pool.create", map[string]any{"protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN"}, false},
		{"loadbalancer.pool.create", map[string]any{"loadbalancer": "lb", "protocol": "HTTP", "lb_algorithm": "RANDOM"}, false},
		{"loadbalancer.pool.set", map[string]any{"pool": "p", "lb_algorithm": "SOURCE_IP"}, true},
		{"loadbalancer.pool.delete", map[string]any{"pool": "p"}, true},
	}
	for _, tt := range tests {
		b, _ := json.Marshal(tt.args)
		if err := reg.Validate(tt.tool, b); (err == nil) != tt.ok {
			t.Errorf("%s %s: err = %v, want ok=%t", tt.tool, b, err, tt.ok)
		}
	}
}
