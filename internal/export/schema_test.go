package export

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	rows "github.com/kriscelmer/os-tui/schemas/export"
	"github.com/kriscelmer/os-tui/tools/toolset"
)

// -schemas-from DIR regenerates schemas/export from a real export:
// DIR/*.csv (from `ostui export -f csv -o DIR`: their headers are the
// columns, in order, even for a type with no rows) and DIR/export.jsonl
// (from `ostui export`: the values say each column's JSON types). A type
// with no CSV keeps its schema as it is.
var schemasFrom = flag.String("schemas-from", "", "regenerate schemas/export from the export in this directory")

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

// TestGenerateRowSchemas writes schemas/export from a real export when
// run with -schemas-from DIR; otherwise it is not a test and says so.
func TestGenerateRowSchemas(t *testing.T) {
	if *schemasFrom == "" {
		t.Skip("regenerates schemas/export with -schemas-from DIR")
	}
	dir := *schemasFrom
	kinds := map[string]map[string]map[string]bool{} // type → column → JSON kinds
	b, err := os.ReadFile(filepath.Join(dir, "export.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range bytes.Split(bytes.TrimSpace(b), []byte("\n")) {
		var l struct {
			Type string         `json:"type"`
			Row  map[string]any `json:"row"`
		}
		if err := json.Unmarshal(line, &l); err != nil {
			t.Fatal(err)
		}
		if kinds[l.Type] == nil {
			kinds[l.Type] = map[string]map[string]bool{}
		}
		for col, v := range l.Row {
			if kinds[l.Type][col] == nil {
				kinds[l.Type][col] = map[string]bool{}
			}
			for _, k := range jsonKinds(v) {
				kinds[l.Type][col][k] = true
			}
		}
	}
	csvs, _ := filepath.Glob(filepath.Join(dir, "*.csv"))
	for _, path := range csvs {
		typ := strings.TrimSuffix(filepath.Base(path), ".csv")
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		header, err := csv.NewReader(f).Read()
		_ = f.Close()
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out := filepath.Join("..", "..", "schemas", "export", typ+".row.schema.json")
		if err := os.WriteFile(out, rowSchema(typ, header, kinds[typ]), 0o644); err != nil { //nolint:gosec // a source file
			t.Fatal(err)
		}
	}
}

// jsonKinds names a decoded value's JSON type ("array:string" for a list
// of strings, "object:array" for a map of lists).
func jsonKinds(v any) []string {
	switch x := v.(type) {
	case nil:
		return []string{"null"}
	case string:
		return []string{"string"}
	case bool:
		return []string{"boolean"}
	case float64:
		if x == float64(int64(x)) {
			return []string{"integer"}
		}
		return []string{"number"}
	case []any:
		out := []string{"array"}
		for _, e := range x {
			for _, k := range jsonKinds(e) {
				out = append(out, "array:"+k)
			}
		}
		return out
	case map[string]any:
		out := []string{"object"}
		for _, e := range x {
			for _, k := range jsonKinds(e) {
				out = append(out, "object:"+k)
			}
		}
		return out
	}
	return nil
}

// rowSchema writes one type's schema: every column required (the export
// writes each, null when the cloud gave nothing), no other, each with
// the JSON types seen. A column only ever seen null is taken as text.
func rowSchema(typ string, cols []string, seen map[string]map[string]bool) []byte {
	var b strings.Builder
	q := func(s string) string { j, _ := json.Marshal(s); return string(j) }
	tool := typ + ".list"
	fmt.Fprintf(&b, "{\n  \"$schema\": \"https://json-schema.org/draft/2020-12/schema\",\n")
	fmt.Fprintf(&b, "  \"$id\": %s,\n", q(rows.BaseURL+typ+".row.schema.json"))
	fmt.Fprintf(&b, "  \"title\": %s,\n", q(typ+" row"))
	fmt.Fprintf(&b, "  \"description\": %s,\n", q(fmt.Sprintf("One %s of `ostui export`: the columns of `/%s --long`, keyed by column name, in CSV order. In JSON Lines and YAML it is the row of {\"type\": %q, \"row\": ...}.", typ, strings.ReplaceAll(tool, ".", " "), typ)))
	fmt.Fprintf(&b, "  \"x-tool\": %s,\n", q(tool))
	fmt.Fprintf(&b, "  \"type\": \"object\",\n  \"additionalProperties\": false,\n")
	req := make([]string, len(cols))
	for i, c := range cols {
		req[i] = q(c)
	}
	fmt.Fprintf(&b, "  \"required\": [%s],\n", strings.Join(req, ", "))
	b.WriteString("  \"properties\": {\n")
	for i, c := range cols {
		prop := propSchema(seen[c])
		if c == "ID" {
			// Every resource has one; a row without it is a bug.
			prop = `{"type": "string", "minLength": 1}`
		}
		fmt.Fprintf(&b, "    %s: %s", q(c), prop)
		if i < len(cols)-1 {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	b.WriteString("  }\n}\n")
	return []byte(b.String())
}

func propSchema(kinds map[string]bool) string {
	top := func(prefix string) []string {
		var out []string
		for k := range kinds {
			rest, ok := strings.CutPrefix(k, prefix)
			if ok && !strings.Contains(rest, ":") {
				out = append(out, rest)
			}
		}
		if slices.Contains(out, "number") {
			out = slices.DeleteFunc(out, func(s string) bool { return s == "integer" })
		}
		sort.Strings(out)
		return out
	}
	types := top("")
	types = slices.DeleteFunc(types, func(s string) bool { return s == "null" })
	if len(types) == 0 {
		types = []string{"string"}
	}
	types = append(types, "null")
	parts := []string{fmt.Sprintf("\"type\": [\"%s\"]", strings.Join(types, "\", \""))}
	if items := top("array:"); len(items) > 0 {
		parts = append(parts, fmt.Sprintf("\"items\": {\"type\": [\"%s\"]}", strings.Join(items, "\", \"")))
	}
	if vals := top("object:"); len(vals) > 0 {
		inner := fmt.Sprintf("{\"type\": [\"%s\"]}", strings.Join(vals, "\", \""))
		if arr := top("object:array:"); len(arr) > 0 {
			inner = fmt.Sprintf("{\"type\": [\"%s\"], \"items\": {\"type\": [\"%s\"]}}", strings.Join(vals, "\", \""), strings.Join(arr, "\", \""))
		}
		parts = append(parts, "\"additionalProperties\": "+inner)
	}
	return "{" + strings.Join(parts, ", ") + "}"
}
