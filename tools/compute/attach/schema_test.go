package attach

import (
	"encoding/json"
	"io/fs"
	"testing"
	"testing/fstest"

	"github.com/kriscelmer/os-tui/schemas"
	"github.com/kriscelmer/os-tui/tools"
)

// registry builds a registry of this package's tools alone, so their
// schemas are proven here whatever else is in the schemas folder.
func registry(t *testing.T) *tools.Registry {
	t.Helper()
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
	return reg
}

func TestSchemas(t *testing.T) {
	reg := registry(t)
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
