package l7policies

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
		{"loadbalancer.policy.create", map[string]any{"listener": "l", "action": "REJECT"}, true},
		{"loadbalancer.policy.create", map[string]any{"listener": "l", "action": "DROP"}, false},
		{"loadbalancer.rule.create", map[string]any{"l7policy": "p", "type": "PATH", "compare_type": "STARTS_WITH", "value": "/api"}, true},
		{"loadbalancer.rule.create", map[string]any{"l7policy": "p", "type": "PATH", "value": "/api"}, false},
		{"loadbalancer.rule.delete", map[string]any{"l7policy": "p", "l7rule": "r"}, true},
	}
	for _, tt := range tests {
		b, _ := json.Marshal(tt.args)
		if err := reg.Validate(tt.tool, b); (err == nil) != tt.ok {
			t.Errorf("%s %s: err = %v, want ok=%t", tt.tool, b, err, tt.ok)
		}
	}
}
