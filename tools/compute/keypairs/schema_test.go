package keypairs

import (
	"encoding/json"
	"io/fs"
	"testing"
	"testing/fstest"

	"github.com/kriscelmer/os-tui/schemas"
	"github.com/kriscelmer/os-tui/tools"
)

// TestSchemas proves this package's schemas compile and accept what the
// tools expect, whatever else is in the schemas folder.
func TestSchemas(t *testing.T) {
	files := fstest.MapFS{}
	names := []string{"defs"}
	for _, tl := range Tools() {
		names = append(names, tl.Name)
	}
	for _, n := range names {
		b, err := fs.ReadFile(schemas.FS, n+".schema.json")
		if err != nil {
			t.Fatal(err)
		}
		files[n+".schema.json"] = &fstest.MapFile{Data: b}
	}
	reg, err := tools.NewRegistry(files, schemas.BaseURL, Tools())
	if err != nil {
		t.Fatal(err)
	}
	if err := reg.CompileAll(); err != nil {
		t.Fatal(err)
	}
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
