package ports

import (
	"encoding/json"
	"testing"

	"github.com/kriscelmer/os-tui/tools/toolstest"
)

// TestSchemas proves this package's schemas compile and take what the
// tools expect: the openstack CLI's spec strings and plain objects.
func TestSchemas(t *testing.T) {
	reg := toolstest.Registry(t, Tools())
	tests := []struct {
		tool string
		args string
		ok   bool
	}{
		{"port.create", `{"network": "private"}`, true},
		{"port.create", `{"name": "vip", "network": "private", "fixed_ips": ["subnet=s,ip-address=10.0.0.5", {"ip_address": "10.0.0.6"}], "allowed_address_pairs": ["ip-address=10.0.0.0/24", {"ip_address": "10.0.0.7", "mac_address": "fa:16:3e:00:00:01"}], "port_security_enabled": false, "no_security_group": true}`, true},
		{"port.create", `{"name": "vip"}`, false},
		{"port.create", `{"network": "private", "fixed_ips": [{"ip": "10.0.0.5"}]}`, false},
		{"port.create", `{"network": "private", "fixed_ips": [{}]}`, false},
		{"port.create", `{"network": "private", "allowed_address_pairs": [{"mac_address": "fa:16:3e:00:00:01"}]}`, false},
		{"port.set", `{"port": "vip", "no_security_group": true}`, true},
		{"port.set", `{"port": "vip"}`, false},
		{"port.unset", `{"port": "vip", "security_groups": ["web"]}`, true},
		{"port.unset", `{"port": "vip", "name": "x"}`, false},
		{"port.delete", `{"port": "vip"}`, true},
		{"port.delete", `{}`, false},
	}
	for _, tt := range tests {
		if err := reg.Validate(tt.tool, json.RawMessage(tt.args)); (err == nil) != tt.ok {
			t.Errorf("%s %s: err = %v, want ok=%t", tt.tool, tt.args, err, tt.ok)
		}
	}
}
