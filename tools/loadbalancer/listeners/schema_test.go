package listeners

import (
	"encoding/json"
	"testing"

	"github.com/kriscelmer/os-tui/tools/toolstest"
)

func TestSchemas(t *testing.T) {
	reg := toolstest.Registry(t, Tools())
	tests := []struct {
		tool string
		args any
		ok   bool
	}{
		{"loadbalancer.listener.create", map[string]any{"loadbalancer": "web", "protocol": "HTTP", "protocol_port": 80}, true},
		{"loadbalancer.listener.create", map[string]any{"loadbalancer": "web", "protocol": "TERMINATED_HTTPS", "protocol_port": 443, "cert": "c.pem", "key": "k.pem"}, true},
		{"loadbalancer.listener.create", map[string]any{"loadbalancer": "web", "protocol": "HTTP"}, false},
		{"loadbalancer.listener.create", map[string]any{"loadbalancer": "web", "protocol": "HTTP", "protocol_port": 70000}, false},
		{"loadbalancer.listener.set", map[string]any{"listener": "l"}, false},
		{"loadbalancer.listener.set", map[string]any{"listener": "l", "connection_limit": 10}, true},
		{"loadbalancer.listener.delete", map[string]any{"listener": "l", "certificate": "http://x/v1/containers/1"}, true},
	}
	for _, tt := range tests {
		b, _ := json.Marshal(tt.args)
		if err := reg.Validate(tt.tool, b); (err == nil) != tt.ok {
			t.Errorf("%s %s: err = %v, want ok=%t", tt.tool, b, err, tt.ok)
		}
	}
}
