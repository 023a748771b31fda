package toolset

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"testing"

	"github.com/kriscelmer/os-tui/schemas"
	"github.com/kriscelmer/os-tui/tools"
)

// TestContract holds every registered tool to the contract the gate and
// the executor rely on, so a new tool that breaks it fails here rather
// than in front of a person.
func TestContract(t *testing.T) {
	reg, err := Registry()
	if err != nil {
		t.Fatal(err)
	}
	for _, tl := range reg.Tools() {
		t.Run(tl.Name, func(t *testing.T) {
			doc, ok := reg.Schema(tl.Name)
			if !ok {
				t.Fatalf("%s has no schema", tl.Name)
			}
			var top struct {
				Description string `json:"description"`
			}
			if err := json.Unmarshal(doc, &top); err != nil {
				t.Fatal(err)
			}
			if top.Description == "" {
				t.Errorf("schema %s.schema.json has no top-level description; it is the tool's summary", tl.Name)
			}
			if tl.Summary != top.Description {
				t.Errorf("summary %q is not the schema's description %q: the schema is its one source", tl.Summary, top.Description)
			}
			if tl.Effect != tools.Read && (tl.Check == nil || tl.Preview == nil) {
				t.Errorf("%s tool without Check and Preview", tl.Effect)
			}
			if tl.Effect == tools.Read && tl.Undo != nil {
				t.Error("a read tool has an Undo: there is nothing to undo")
			}
			if tl.Undo == nil {
				return
			}
			args := sampleArgs(t, reg, tl.Name)
			// Under review (no run yet) an undo only names its tool: the
			// review shows "undo: /server rename" and the values it would
			// restore are unknown until Run has read them.
			if call := tl.Undo(args, &tools.Result{}); call != nil {
				if _, ok := reg.Lookup(call.Tool); !ok {
					t.Errorf("undo under review of %s names %s, which is not a tool", args, call.Tool)
				}
			}
			// After a run the undo is a plan of its own that goes through
			// the gate: its arguments must fit its tool's schema.
			for _, wasLocked := range []string{"false", "true"} {
				call := tl.Undo(args, sampleResult(wasLocked))
				if call == nil {
					continue
				}
				if _, ok := reg.Lookup(call.Tool); !ok {
					t.Errorf("undo of %s names %s, which is not a tool", args, call.Tool)
					continue
				}
				if err := reg.Validate(call.Tool, call.Args); err != nil {
					t.Errorf("undo of %s is %s %s, which its schema refuses: %v", args, call.Tool, call.Args, err)
				}
				if call.Why == "" {
					t.Errorf("undo of %s gives no reason", args)
				}
			}
		})
	}
}

// sampleResult is a completed step with every output an undo reads, in
// the shape Run leaves them; wasLocked covers both ways of a lock.
func sampleResult(wasLocked string) *tools.Result {
	const id = "9e5476bd-a4ec-4653-93d6-72c93aa682ba"
	return &tools.Result{Outputs: map[string]string{
		"id": id, "name": "web-1", "server": id, "volume": id, "address": "203.0.113.7",
		"device": "/dev/vdb", "fixed_address": "10.0.0.5", "old_name": "web-0",
		"was_locked": wasLocked, "locked_reason": "maintenance",
		"old_properties": `{"owner":"ops"}`, "new_properties": `["team"]`, "new_tags": `["blue"]`,
		"removed_properties": `{"owner":"ops"}`, "removed_tags": `["blue"]`,
		"previous": `{"image":"` + id + `","name":"old"}`,
	}}
}

// sampleArgs makes arguments the tool's schema accepts: its required
// properties, then one optional property more at a time, then all of
// them, whichever validates first.
func sampleArgs(t *testing.T, reg *tools.Registry, name string) tools.Args {
	t.Helper()
	doc, _ := reg.Schema(name)
	var s schema
	if err := json.Unmarshal(doc, &s); err != nil {
		t.Fatal(err)
	}
	defs := sharedDefs(t)
	required := map[string]any{}
	for _, p := range s.Required {
		required[p] = defs.sample(s.Properties[p])
	}
	var optional []string
	for p := range s.Properties {
		if _, ok := required[p]; !ok {
			optional = append(optional, p)
		}
	}
	sort.Strings(optional)
	candidates := []map[string]any{required}
	for _, p := range optional {
		c := copyMap(required)
		c[p] = defs.sample(s.Properties[p])
		candidates = append(candidates, c)
	}
	all := copyMap(required)
	for _, p := range optional {
		all[p] = defs.sample(s.Properties[p])
	}
	candidates = append(candidates, all)
	var problems []string
	for _, c := range candidates {
		args := tools.JSON(c)
		err := reg.Validate(name, args)
		if err == nil {
			return args
		}
		problems = append(problems, fmt.Sprintf("%s: %v", args, err))
	}
	t.Fatalf("no sample arguments of %s fit its schema; teach sample the schema's shape:\n%s", name, strings.Join(problems, "\n"))
	return nil
}

type schema struct {
	Ref        string            `json:"$ref"`
	Type       string            `json:"type"`
	Enum       []any             `json:"enum"`
	Minimum    *int              `json:"minimum"`
	Items      *schema           `json:"items"`
	Required   []string          `json:"required"`
	Properties map[string]schema `json:"properties"`
}

type defs map[string]schema

func sharedDefs(t *testing.T) defs {
	t.Helper()
	b, err := fs.ReadFile(schemas.FS, "defs.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Defs defs `json:"$defs"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Defs
}

// sample is one value a property's schema accepts.
func (d defs) sample(s schema) any {
	if s.Ref != "" {
		name := s.Ref[strings.LastIndex(s.Ref, "/")+1:]
		if name == "uuid" {
			return "9e5476bd-a4ec-4653-93d6-72c93aa682ba"
		}
		return d.sample(d[name])
	}
	if len(s.Enum) > 0 {
		return s.Enum[0]
	}
	switch s.Type {
	case "integer", "number":
		if s.Minimum != nil && *s.Minimum > 1 {
			return *s.Minimum
		}
		return 1
	case "boolean":
		return true
	case "array":
		if s.Items == nil {
			return []any{"x"}
		}
		return []any{d.sample(*s.Items)}
	case "object":
		return map[string]any{"key": "value"}
	}
	return "web-1"
}

func copyMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
