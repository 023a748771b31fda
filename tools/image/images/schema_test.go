package images

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
		{"image.create", map[string]any{"name": "c", "file": "c.qcow2"}, true},
		{"image.create", map[string]any{"name": "c", "file": "c.qcow2", "property": map[string]any{"os_distro": "cirros"}, "protected": true, "min_ram": 64}, true},
		{"image.create", map[string]any{"name": "c"}, false},
		{"image.create", map[string]any{"name": "c", "file": "f", "disk_format": "exe"}, false},
		{"image.set", map[string]any{"image": "c", "protected": false}, true},
		{"image.set", map[string]any{"image": "c", "remove_property": []string{"a"}}, true},
		{"image.set", map[string]any{"image": "c"}, false},
		{"image.set", map[string]any{"image": "c", "property": map[string]any{"a": 1}}, false},
		{"image.deactivate", map[string]any{"image": "c"}, true},
		{"image.reactivate", map[string]any{"image": "c"}, true},
		{"image.delete", map[string]any{"image": "c"}, true},
		{"image.delete", map[string]any{}, false},
	}
	for _, tt := range tests {
		b, _ := json.Marshal(tt.args)
		if err := reg.Validate(tt.tool, b); (err == nil) != tt.ok {
			t.Errorf("%s %s: err = %v, want ok=%t", tt.tool, b, err, tt.ok)
		}
	}
}
