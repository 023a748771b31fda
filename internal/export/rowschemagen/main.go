// Command rowschemagen writes schemas/export from a real export, so the
// row schemas start from what the cloud sends rather than from memory:
//
//	ostui export -f csv -o DIR
//	ostui export > DIR/export.jsonl
//	go run ./internal/export/rowschemagen -from DIR
//
// The CSV headers are the columns, in order, even for a type with no
// rows; the JSON values say each column's JSON types. A type with no CSV
// in DIR keeps its schema as it is. It is never linked into ostui.
package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	rows "github.com/kriscelmer/os-tui/schemas/export"
)

func main() {
	from := flag.String("from", "", "the directory holding TYPE.csv files and export.jsonl")
	to := flag.String("to", filepath.Join("schemas", "export"), "where the row schemas go")
	flag.Parse()
	if *from == "" {
		fmt.Fprintln(os.Stderr, "usage: go run ./internal/export/rowschemagen -from DIR [-to schemas/export]")
		os.Exit(2)
	}
	if err := generate(*from, *to); err != nil {
		fmt.Fprintln(os.Stderr, "rowschemagen: "+err.Error())
		os.Exit(1)
	}
}

func generate(dir, to string) error {
	kinds := map[string]map[string]map[string]bool{} // type → column → JSON kinds
	b, err := os.ReadFile(filepath.Join(dir, "export.jsonl"))
	if err != nil {
		return err
	}
	for n, line := range bytes.Split(bytes.TrimSpace(b), []byte("\n")) {
		var l struct {
			Type string         `json:"type"`
			Row  map[string]any `json:"row"`
		}
		if err := json.Unmarshal(line, &l); err != nil {
			return fmt.Errorf("export.jsonl line %d: %w", n+1, err)
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
	csvs, err := filepath.Glob(filepath.Join(dir, "*.csv"))
	if err != nil {
		return err
	}
	if len(csvs) == 0 {
		return fmt.Errorf("no TYPE.csv in %s: run ostui export -f csv -o %s first", dir, dir)
	}
	for _, path := range csvs {
		typ := strings.TrimSuffix(filepath.Base(path), ".csv")
		header, err := readHeader(path)
		if err != nil {
			return err
		}
		out := filepath.Join(to, typ+".row.schema.json")
		if err := os.WriteFile(out, rowSchema(typ, header, kinds[typ]), 0o644); err != nil { //nolint:gosec // a source file
			return err
		}
		fmt.Println(out)
	}
	return nil
}

func readHeader(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	header, err := csv.NewReader(f).Read()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return header, nil
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
