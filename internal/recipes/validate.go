// Package recipes keeps saved plans (recipes): lifting a plan the person
// reviewed or ran into a recipe with parameters and holds checks, the
// recipe folder (a git repository) and the comparison of two versions'
// plans. A recipe runs like any plan: through the engine and the gate.
package recipes

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"gopkg.in/yaml.v3"

	"github.com/kriscelmer/os-tui/agent/plan"
	"github.com/kriscelmer/os-tui/schemas"
)

// SchemaError lists what in a recipe file does not fit recipe.schema.json,
// each problem with the field's path and line.
type SchemaError struct {
	File     string
	Problems []string
}

func (e *SchemaError) Error() string {
	name := e.File
	if name == "" {
		name = "the recipe"
	}
	return fmt.Sprintf("%s does not fit recipe.schema.json:\n  %s", name, strings.Join(e.Problems, "\n  "))
}

var recipeSchema = sync.OnceValues(func() (*jsonschema.Schema, error) {
	c := jsonschema.NewCompiler()
	for _, f := range []string{"recipe.schema.json"} {
		raw, err := schemas.FS.ReadFile(f)
		if err != nil {
			return nil, err
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", f, err)
		}
		if err := c.AddResource(schemas.BaseURL+f, doc); err != nil {
			return nil, err
		}
	}
	return c.Compile(schemas.BaseURL + "recipe.schema.json")
})

// Parse reads a recipe file: YAML, checked against recipe.schema.json
// (problems name the field and its line), then decoded.
func Parse(file string, b []byte) (*plan.Recipe, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(b, &root); err != nil {
		return nil, fmt.Errorf("read recipe %s: %w", file, err)
	}
	if len(root.Content) == 0 {
		return nil, &SchemaError{File: file, Problems: []string{"line 1: the file is empty; a recipe has a goal and steps"}}
	}
	var doc any
	if err := root.Decode(&doc); err != nil {
		return nil, fmt.Errorf("read recipe %s: %w", file, err)
	}
	inst, err := toJSON(doc)
	if err != nil {
		return nil, fmt.Errorf("read recipe %s: %w", file, err)
	}
	sch, err := recipeSchema()
	if err != nil {
		return nil, fmt.Errorf("compile recipe.schema.json: %w", err)
	}
	if err := sch.Validate(inst); err != nil {
		var ve *jsonschema.ValidationError
		if !errors.As(err, &ve) {
			return nil, fmt.Errorf("validate recipe %s: %w", file, err)
		}
		return nil, &SchemaError{File: file, Problems: problems(ve, root.Content[0])}
	}
	r, err := plan.ParseRecipe(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return r, nil
}

// toJSON round-trips a YAML document through JSON so the validator sees
// JSON's types (YAML maps with any keys become objects).
func toJSON(doc any) (any, error) {
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	return jsonschema.UnmarshalJSON(bytes.NewReader(b))
}

var printer = sync.OnceValue(func() *message.Printer { return message.NewPrinter(language.English) })

// problems turns a validation error into sentences "line 7: steps[0].tool:
// …", sorted by line.
func problems(ve *jsonschema.ValidationError, root *yaml.Node) []string {
	type problem struct {
		line int
		text string
	}
	var out []problem
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) > 0 {
			for _, c := range e.Causes {
				walk(c)
			}
			return
		}
		loc := e.InstanceLocation
		text := ""
		switch k := e.ErrorKind.(type) {
		case *kind.Required:
			text = fmt.Sprintf("%s is required", joinNames(loc, k.Missing))
		case *kind.AdditionalProperties:
			text = fmt.Sprintf("unknown field %s", joinNames(loc, k.Properties))
			if len(k.Properties) == 1 {
				loc = append(append([]string{}, loc...), k.Properties[0])
			}
		default:
			text = fmt.Sprintf("%s: %s", fieldPath(loc), e.ErrorKind.LocalizedString(printer()))
		}
		out = append(out, problem{line: lineOf(root, loc), text: text})
	}
	walk(ve)
	sort.SliceStable(out, func(i, j int) bool { return out[i].line < out[j].line })
	var lines []string
	seen := map[string]bool{}
	for _, p := range out {
		s := fmt.Sprintf("line %d: %s", p.line, p.text)
		if !seen[s] {
			seen[s] = true
			lines = append(lines, s)
		}
	}
	return lines
}

func joinNames(loc, names []string) string {
	var out []string
	for _, n := range names {
		out = append(out, fieldPath(append(append([]string{}, loc...), n)))
	}
	return strings.Join(out, ", ")
}

// fieldPath writes an instance location as a person reads it:
// steps[0].holds.tool.
func fieldPath(loc []string) string {
	if len(loc) == 0 {
		return "the recipe"
	}
	var b strings.Builder
	for _, p := range loc {
		if _, err := strconv.Atoi(p); err == nil {
			fmt.Fprintf(&b, "[%s]", p)
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(p)
	}
	return b.String()
}

// lineOf finds the line of the node at loc (or of its nearest parent
// that exists).
func lineOf(n *yaml.Node, loc []string) int {
	line := n.Line
	for _, p := range loc {
		var next *yaml.Node
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == p {
					line = n.Content[i].Line
					next = n.Content[i+1]
					break
				}
			}
		case yaml.SequenceNode:
			if i, err := strconv.Atoi(p); err == nil && i < len(n.Content) {
				next = n.Content[i]
				line = next.Line
			}
		}
		if next == nil {
			return line
		}
		n = next
	}
	return line
}
