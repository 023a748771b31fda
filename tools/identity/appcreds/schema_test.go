package appcreds

import (
	"encoding/json"
	"testing"

	"github.com/kriscelmer/os-tui/tools/toolstest"
)

// TestSchemas proves this package's schemas compile and accept what the
// tools expect.
func TestSchemas(t *testing.T) {
	reg := toolstest.Registry(t, Tools())
	tests := []struct {
		tool string
		args any
		ok   bool
	}{
		{"application-credential.list", map[string]any{}, true},
		{"application-credential.show", map[string]any{"application_credential": "ci"}, true},
		{"application-credential.show", map[string]any{}, false},
		{"application-credential.create", map[string]any{"name": "ci"}, true},
		{"application-credential.create", map[string]any{"name": "ci", "roles": []string{"reader"}, "expires_at": "2027-01-01T00:00:00",
			"access_rules": []string{`[{"service":"compute","method":"GET","path":"/v2.1/servers"}]`}, "unrestricted": true, "description": "d", "show_secret": true}, true},
		{"application-credential.create", map[string]any{"name": "a/b"}, false},
		{"application-credential.create", map[string]any{"name": ""}, false},
		{"application-credential.create", map[string]any{"name": "ci", "secret": "mine"}, false},
		{"application-credential.create", map[string]any{"name": "ci", "roles": []string{"reader", "reader"}}, false},
		{"application-credential.delete", map[string]any{"application_credential": "ci"}, true},
		{"application-credential.delete", map[string]any{"name": "ci"}, false},
	}
	for _, tt := range tests {
		b, _ := json.Marshal(tt.args)
		if err := reg.Validate(tt.tool, b); (err == nil) != tt.ok {
			t.Errorf("%s %s: err = %v, want ok=%t", tt.tool, b, err, tt.ok)
		}
	}
}
