package monitors

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
		{"loadbalancer.healthmonitor.create", map[string]any{"pool": "p", "type": "HTTP", "delay": 5, "timeout": 3, "max_retries": 3, "url_path": "/health"}, true},
		{"loadbalancer.healthmonitor.create", map[string]any{"pool": "p", "type": "HTTP", "delay": 5}, false},
		{"loadbalancer.healthmonitor.create", map[string]any{"pool": "p", "type": "HTTP", "delay": 5, "timeout": 3, "max_retries": 3, "url_path": "health"}, false},
		{"loadbalancer.healthmonitor.set", map[string]any{"healthmonitor": "m", "delay": 10}, true},
	}
	for _, tt := range tests {
		b, _ := json.Marshal(tt.args)
		if err := reg.Validate(tt.tool, b); (err == nil) != tt.ok {
			t.Errorf("%s %s: err = %v, want ok=%t", tt.tool, b, err, tt.ok)
		}
	}
}
