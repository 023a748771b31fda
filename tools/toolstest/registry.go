package toolstest

import (
	"io/fs"
	"testing"
	"testing/fstest"

	"github.com/kriscelmer/os-tui/schemas"
	"github.com/kriscelmer/os-tui/tools"
)

// Registry builds a registry of toolList alone, from the real schemas:
// only those tools' schema files and the shared definitions are read, so
// a package's test proves its own schemas compile and accept what its
// tools expect, whatever else is in the schemas folder. Every schema is
// compiled before Registry returns; any failure fails the test.
func Registry(t testing.TB, toolList []tools.Tool) *tools.Registry {
	t.Helper()
	files := fstest.MapFS{}
	names := []string{"defs"}
	for _, tl := range toolList {
		names = append(names, tl.Name)
	}
	for _, n := range names {
		b, err := fs.ReadFile(schemas.FS, n+".schema.json")
		if err != nil {
			t.Fatal(err)
		}
		files[n+".schema.json"] = &fstest.MapFile{Data: b}
	}
	reg, err := tools.NewRegistry(files, schemas.BaseURL, toolList)
	if err != nil {
		t.Fatal(err)
	}
	if err := reg.CompileAll(); err != nil {
		t.Fatal(err)
	}
	return reg
}
