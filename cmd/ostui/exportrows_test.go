package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/santhosh-tekuri/jsonschema/v6"

	rows "github.com/kriscelmer/os-tui/schemas/export"
)

// validateRows checks a JSON Lines export against the row schemas:
//
//	validaterows FILE
//
// Each line must fit line.schema.json and its row its type's
// TYPE.row.schema.json. It prints "TYPE COUNT" a line, sorted, for the
// script to match; a file with no rows fails (nothing was checked).
func validateRows(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: validaterows FILE")
	}
	c := jsonschema.NewCompiler()
	files, err := fs.Glob(rows.FS, "*.schema.json")
	ts.Check(err)
	for _, f := range files {
		b, err := rows.FS.ReadFile(f)
		ts.Check(err)
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		ts.Check(err)
		ts.Check(c.AddResource(rows.BaseURL+f, doc))
	}
	line, err := c.Compile(rows.BaseURL + "line.schema.json")
	ts.Check(err)
	schemas := map[string]*jsonschema.Schema{}
	fh, err := os.Open(ts.MkAbs(args[0]))
	ts.Check(err)
	defer func() { _ = fh.Close() }()
	counts := map[string]int{}
	var problems []string
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for n := 1; sc.Scan(); n++ {
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(sc.Bytes()))
		if err != nil {
			problems = append(problems, fmt.Sprintf("line %d: %v", n, err))
			continue
		}
		if err := line.Validate(v); err != nil {
			problems = append(problems, fmt.Sprintf("line %d: %v", n, err))
			continue
		}
		m := v.(map[string]any)
		typ := m["type"].(string)
		sch, ok := schemas[typ]
		if !ok {
			sch, err = c.Compile(rows.BaseURL + typ + ".row.schema.json")
			if err != nil {
				problems = append(problems, fmt.Sprintf("line %d: no schema for %s: %v", n, typ, err))
				continue
			}
			schemas[typ] = sch
		}
		if err := sch.Validate(m["row"]); err != nil {
			problems = append(problems, fmt.Sprintf("line %d (%s): %v", n, typ, err))
		}
		counts[typ]++
	}
	ts.Check(sc.Err())
	if len(counts) == 0 && len(problems) == 0 {
		problems = append(problems, "no rows: nothing was checked")
	}
	types := make([]string, 0, len(counts))
	for t := range counts {
		types = append(types, t)
	}
	sort.Strings(types)
	for _, t := range types {
		fmt.Fprintf(ts.Stdout(), "%s %d\n", t, counts[t])
	}
	switch {
	case len(problems) > 0 && !neg:
		ts.Fatalf("%s", strings.Join(problems, "\n"))
	case len(problems) == 0 && neg:
		ts.Fatalf("every row validated")
	}
}
