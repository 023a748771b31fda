package subnets

import (
	"encoding/json"
	"testing"

	"github.com/kriscelmer/os-tui/tools/toolstest"
)

// TestSchemas proves this package's schemas compile and accept what the
// tools expect, whatever else is in the schemas folder.
func TestSchemas(t *testing.T) {
	reg := toolstest.Registry(t, Tools())
	tests := []struct {
		tool string
		args any
		ok   bool
	}{
		{"subnet.create", map[string]any{"name": "s", "network": "web", "subnet_range": "10.0.0.0/24"}, true},
		{"subnet.create", map[string]any{"name": "s", "network": "web", "subnet_range": "fd00::/64", "ip_version": 6, "gateway": "none",
			"dhcp": false, "dns_nameservers": []string{"8.8.8.8"}, "allocation_pools": []string{"start=fd00::10,end=fd00::20"},
			"host_routes": []string{"destination=fd01::/64,gateway=fd00::1"}, "ipv6_address_mode": "slaac", "ipv6_ra_mode": "slaac", "tag": []string{"t"}}, true},
		{"subnet.create", map[string]any{"name": "s", "subnet_range": "10.0.0.0/24"}, false},
		{"subnet.create", map[string]any{"name": "s", "network": "web", "subnet_range": "10.0.0.0/24", "ip_version": 5}, false},
		{"subnet.set", map[string]any{"subnet": "s"}, false},
		{"subnet.set", map[string]any{"subnet": "s", "gateway": "none", "clear_dns_nameservers": true}, true},
		{"subnet.unset", map[string]any{"subnet": "s", "gateway": true}, true},
		{"subnet.unset", map[string]any{"subnet": "s", "gateway": false}, false},
		{"subnet.delete", map[string]any{"subnet": "s"}, true},
	}
	for _, tt := range tests {
		b, _ := json.Marshal(tt.args)
		if err := reg.Validate(tt.tool, b); (err == nil) != tt.ok {
			t.Errorf("%s %s: err = %v, want ok=%t", tt.tool, b, err, tt.ok)
		}
	}
}
