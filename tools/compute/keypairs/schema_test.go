package keypairs

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
		{"keypair.create", map[string]any{"name": "helper"}, true},
		{"keypair.create", map[string]any{"name": "helper", "private_key_file": "~/k.pem", "type": "x509"}, true},
		{"keypair.create", map[string]any{"name": "a/b"}, false},
		{"keypair.create", map[string]any{"name": "helper", "type": "rsa"}, false},
		{"keypair.import", map[string]any{"name": "helper", "public_key_file": "~/.ssh/id_ed25519.pub"}, true},
		{"keypair.import", map[string]any{}, false},
		{"keypair.delete", map[string]any{"keypair": "helper"}, true},
		{"keypair.delete", map[string]any{"name": "helper"}, false},
	}
	for _, tt := range tests {
		b, _ := json.Marshal(tt.args)
		if err := reg.Validate(tt.tool, b); (err == nil) != tt.ok {
			t.Errorf("%s %s: err = %v, want ok=%t", tt.tool, b, err, tt.ok)
		}
	}
}
