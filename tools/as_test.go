package tools

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"
)

// TestAs proves a second name gets the other tool's effect, service and
// functions, and that it must name a tool of its own.
func TestAs(t *testing.T) {
	schema := func(name string) *fstest.MapFile {
		return &fstest.MapFile{Data: []byte(`{"$id": "` + aliasBase + name + `.schema.json", "type": "object", "description": "` + name + `", "properties": {}}`)}
	}
	fsys := fstest.MapFS{
		"defs.schema.json":              {Data: []byte(`{"$id": "` + aliasBase + `defs.schema.json", "$defs": {}}`)},
		"server.add.volume.schema.json": schema("server.add.volume"),
		"volume.attach.schema.json":     schema("volume.attach"),
	}
	ran := ""
	src := Tool{Name: "server.add.volume", Effect: Change, Service: "compute", Produces: []string{"device"},
		Run:     func(context.Context, *Env, Args) (*Result, error) { ran = "add"; return &Result{}, nil },
		Check:   func(context.Context, *Env, Args) (*Check, error) { return &Check{}, nil },
		Preview: func(context.Context, *Env, Args, *Check) (*Preview, error) { return &Preview{}, nil },
		Undo:    func(Args, *Result) *Call { return &Call{Tool: "server.remove.volume"} },
	}
	reg, err := NewRegistry(fsys, aliasBase, []Tool{{Name: "volume.attach", As: "server.add.volume"}, src})
	if err != nil {
		t.Fatal(err)
	}
	got, ok := reg.Lookup("volume.attach")
	if !ok {
		t.Fatal("volume.attach is not registered")
	}
	if got.Effect != Change || got.Service != "compute" || got.Check == nil || got.Preview == nil || got.Undo == nil || len(got.Produces) != 1 {
		t.Errorf("volume.attach = %+v, want server.add.volume's effect, service and functions", got)
	}
	if got.Summary != "volume.attach" {
		t.Errorf("summary %q, want its own schema's description", got.Summary)
	}
	if _, err := got.Run(t.Context(), nil, Args("{}")); err != nil || ran != "add" {
		t.Errorf("Run did not run server.add.volume's: %v", err)
	}

	for _, tt := range []struct {
		name string
		list []Tool
	}{
		{"unknown", []Tool{{Name: "volume.attach", As: "server.nosuch"}, src}},
		{"a chain", []Tool{{Name: "volume.attach", As: "server.add.volume"}, {Name: "server.add.volume", As: "volume.attach"}}},
	} {
		_, err := NewRegistry(fsys, aliasBase, tt.list)
		if err == nil || !strings.Contains(err.Error(), "is not a registered tool of its own") {
			t.Errorf("%s: err = %v", tt.name, err)
		}
	}
}
