package servers

import (
	"encoding/json"
	"testing"

	"github.com/kriscelmer/os-tui/tools/toolstest"
)

func TestAttachSchemas(t *testing.T) {
	reg := toolstest.Registry(t, Tools())
	tests := []struct {
		tool string
		args any
		ok   bool
	}{
		{"server.add.volume", map[string]any{"server": "web-1", "volume": "data"}, true},
		{"server.add.volume", map[string]any{"server": "web-1", "volume": "data", "device": "/dev/vdc"}, true},
		{"server.add.volume", map[string]any{"server": "web-1", "volume": "data", "device": "vdc"}, false},
		{"server.add.volume", map[string]any{"server": "web-1"}, false},
		{"server.remove.volume", map[string]any{"server": "web-1", "volume": "data"}, true},
		{"server.add.floating-ip", map[string]any{"server": "web-1", "address": "203.0.113.10"}, true},
		{"server.add.floating-ip", map[string]any{"server": "web-1", "network": "public", "fixed_address": "10.0.0.5"}, true},
		{"server.add.floating-ip", map[string]any{"server": "web-1"}, false},
		{"server.add.floating-ip", map[string]any{"server": "web-1", "address": "203.0.113.10", "network": "public"}, false},
		{"server.remove.floating-ip", map[string]any{"server": "web-1", "address": "203.0.113.10"}, true},
		{"server.add.security-group", map[string]any{"server": "web-1", "group": "web"}, true},
		{"server.remove.security-group", map[string]any{"server": "web-1"}, false},
	}
	for _, tt := range tests {
		b, _ := json.Marshal(tt.args)
		err := reg.Validate(tt.tool, b)
		if (err == nil) != tt.ok {
			t.Errorf("%s %s: err = %v, want ok=%t", tt.tool, b, err, tt.ok)
		}
	}
	tl, _ := reg.Lookup("server.add.volume")
	if got := tl.Spec.Usage(tl.Slash()); got != "/server add volume SERVER VOLUME [--device DEVICE]" {
		t.Errorf("usage = %q", got)
	}
}
