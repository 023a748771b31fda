package secgroups

import (
	"encoding/json"
	"testing"

	"github.com/kriscelmer/os-tui/tools/toolstest"
)

// TestSchemas proves this package's change schemas accept what plans
// built by other tools (templates, the VPC wizard, diagnose) send, and
// refuse what no caller should.
func TestSchemas(t *testing.T) {
	reg := toolstest.Registry(t, Tools())
	tests := []struct {
		tool string
		args any
		ok   bool
	}{
		{"security-group.create", map[string]any{"name": "web"}, true},
		{"security-group.create", map[string]any{"name": "web", "description": "web tier", "stateful": false}, true},
		{"security-group.create", map[string]any{}, false},
		{"security-group.create", map[string]any{"name": ""}, false},
		{"security-group.set", map[string]any{"group": "web", "name": "frontend"}, true},
		{"security-group.set", map[string]any{"group": "web", "description": ""}, true},
		{"security-group.set", map[string]any{"group": "web"}, false},
		{"security-group.delete", map[string]any{"group": "${sg.id}"}, true},
		{"security-group.rule.create", map[string]any{"group": "web", "protocol": "tcp", "dst_port": "22", "remote_ip": "10.0.0.0/8"}, true},
		{"security-group.rule.create", map[string]any{"group": "${sg.id}", "direction": "egress", "ethertype": "IPv6", "protocol": "any"}, true},
		{"security-group.rule.create", map[string]any{"group": "web", "protocol": "17", "dst_port": "8000:8080", "force": true}, true},
		{"security-group.rule.create", map[string]any{"group": "web", "dst_port": "8000-8080"}, true},
		{"security-group.rule.create", map[string]any{"group": "web", "protocol": "icmp", "icmp_type": 8, "icmp_code": 0}, true},
		{"security-group.rule.create", map[string]any{"group": "web", "remote_group": "db"}, true},
		{"security-group.rule.create", map[string]any{"group": "web", "dst_port": "ssh"}, false},
		{"security-group.rule.create", map[string]any{"group": "web", "dst_port": "22,80"}, false},
		{"security-group.rule.create", map[string]any{"group": "web", "protocol": "tcp udp"}, false},
		{"security-group.rule.create", map[string]any{"group": "web", "direction": "in"}, false},
		{"security-group.rule.create", map[string]any{"group": "web", "ethertype": "ipv4"}, false},
		{"security-group.rule.create", map[string]any{"group": "web", "icmp_type": 256}, false},
		{"security-group.rule.create", map[string]any{"protocol": "tcp"}, false},
		{"security-group.rule.delete", map[string]any{"rule": "7a000000-0000-4000-8000-000000000022"}, true},
		{"security-group.rule.delete", map[string]any{"rule": "ssh"}, false},
	}
	for _, tt := range tests {
		b, _ := json.Marshal(tt.args)
		if err := reg.Validate(tt.tool, b); (err == nil) != tt.ok {
			t.Errorf("%s %s: err = %v, want ok=%t", tt.tool, b, err, tt.ok)
		}
	}
}
