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
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"

	"github.com/kriscelmer/os-tui/agent/plan"
	"github.com/kriscelmer/os-tui/schemas"
	"github.com/kriscelmer/os-tui/tools"
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

// problems turns a validation error into sentences "line 7: steps[0].tool:
// …", sorted by line.
func problems(ve *jsonschema.ValidationError, root *yaml.Node) []string {
	return tools.SchemaLines(ve, root, tools.SchemaLineOptions{Whole: "the recipe"})
}
