package export

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	rows "github.com/kriscelmer/os-tui/schemas/export"
	"github.com/kriscelmer/os-tui/tools/toolset"
)

// compileRowSchemas compiles every row schema, keyed by type.
func compileRowSchemas(t *testing.T) map[string]*jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	files, err := fs.Glob(rows.FS, "*.schema.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no row schemas embedded (%v)", err)
	}
	out := map[string]*jsonschema.Schema{}
	for _, f := range files {
		b, err := rows.FS.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if err := c.AddResource(rows.BaseURL+f, doc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
	}
	for _, f := range files {
		sch, err := c.Compile(rows.BaseURL + f)
		if err != nil {
			t.Fatalf("compile %s: %v", f, err)
		}
		if typ, ok := strings.CutSuffix(f, ".row.schema.json"); ok {
			out[typ] = sch
		} else {
			out[strings.TrimSuffix(f, ".schema.json")] = sch
		}
	}
	return out
}

// TestEveryTypeHasARowSchema holds the registry and the schemas to each
// other: a new list tool without a row schema fails here, as does a
// schema left behind by a tool that is gone.
func TestEveryTypeHasARowSchema(t *testing.T) {
	reg, err := toolset.Registry()
	if err != nil {
		t.Fatal(err)
	}
	types, _ := Types(reg)
	schemas := compileRowSchemas(t)
	var missing []string
	for _, typ := range types {
		if schemas[typ.Name] == nil {
			missing = append(missing, typ.Name)
		}
		delete(schemas, typ.Name)
	}
	delete(schemas, "line")
	if len(missing) > 0 {
		t.Errorf("no row schema for %s: add schemas/export/TYPE.row.schema.json (see docs/user-manual/reports.md, Row schemas)", strings.Join(missing, ", "))
	}
	for name := range schemas {
		t.Errorf("row schema %s.row.schema.json names no exported type", name)
	}
}

// TestSampleRowsValidate validates real rows (an export of the devcloud,
// testdata/sample.jsonl) against their type's schema and the line
// schema, and makes sure every schema met at least one row: a schema no
// row was checked against proves nothing.
func TestSampleRowsValidate(t *testing.T) {
	schemas := compileRowSchemas(t)
	f, err := os.Open(filepath.Join("testdata", "sample.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	seen := map[string]int{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line, err := jsonschema.UnmarshalJSON(bytes.NewReader(sc.Bytes()))
		if err != nil {
			t.Fatalf("line %d: %v", n, err)
		}
		if err := schemas["line"].Validate(line); err != nil {
			t.Errorf("line %d: %v", n, err)
			continue
		}
		m := line.(map[string]any)
		typ := m["type"].(string)
		sch := schemas[typ]
		if sch == nil {
			t.Errorf("line %d: no schema for type %q", n, typ)
			continue
		}
		if err := sch.Validate(m["row"]); err != nil {
			t.Errorf("line %d (%s): %v", n, typ, err)
		}
		seen[typ]++
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	for typ := range schemas {
		if typ != "line" && seen[typ] == 0 {
			t.Errorf("no sample row of %s in testdata/sample.jsonl", typ)
		}
	}
}

// TestRowSchemasRefuse shows the schemas can fail: a row without a
// column, with one too many, or with a value of the wrong kind.
func TestRowSchemasRefuse(t *testing.T) {
	sch := compileRowSchemas(t)["volume"]
	good := map[string]any{}
	for _, l := range sampleLines(t, "volume")[:1] {
		good = l
	}
	if err := sch.Validate(good); err != nil {
		t.Fatalf("the sample volume does not validate: %v", err)
	}
	tests := []struct {
		name   string
		change func(m map[string]any)
	}{
		{"a column missing", func(m map[string]any) { delete(m, "Status") }},
		{"an unknown column", func(m map[string]any) { m["Secret"] = "x" }},
		{"a number for a name", func(m map[string]any) { m["Name"] = json.Number("3") }},
		{"text for a size", func(m map[string]any) { m["Size"] = "big" }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := map[string]any{}
			for k, v := range good {
				m[k] = v
			}
			tc.change(m)
			if err := sch.Validate(m); err == nil {
				t.Errorf("validated: %v", m)
			}
		})
	}
}

// sampleLines are the rows of one type in testdata/sample.jsonl, decoded
// as the validator wants them (numbers as json.Number).
func sampleLines(t *testing.T, typ string) []map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "sample.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	for _, line := range bytes.Split(bytes.TrimSpace(b), []byte("\n")) {
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(line))
		if err != nil {
			t.Fatal(err)
		}
		m := v.(map[string]any)
		if m["type"] == typ {
			out = append(out, m["row"].(map[string]any))
		}
	}
	if len(out) == 0 {
		t.Fatalf("no %s in testdata/sample.jsonl", typ)
	}
	return out
}
