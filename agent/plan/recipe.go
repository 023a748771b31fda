package plan

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
)

// Recipe is a saved plan with parameters: `ostui run recipe.yaml
// --param name=web-2` fills ${param.name} in step arguments and runs the
// result through the gate like any plan.
type Recipe struct {
	Goal   string           `yaml:"goal"`
	Params map[string]Param `yaml:"params,omitempty"`
	Steps  []RecipeStep     `yaml:"steps"`
}

// RecipeStep is a step as a recipe file holds it: arguments as a mapping,
// and how to recognise that its goal already holds (so a replay skips it).
type RecipeStep = yamlStep

// Param describes one recipe parameter.
type Param struct {
	Description string `yaml:"description,omitempty"`
	// Type is the JSON type the value takes where it is the whole
	// argument ("integer", "number", "boolean"; "" or "string": text).
	Type string `yaml:"type,omitempty"`
	// Default is used when --param does not give a value; without one the
	// parameter is required.
	Default *string `yaml:"default,omitempty"`
}

var paramRef = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\$\{param\.([a-zA-Z][a-zA-Z0-9_]*)\}`) })

// ParseRecipe reads a recipe (YAML).
func ParseRecipe(b []byte) (*Recipe, error) {
	var r Recipe
	dec := yaml.NewDecoder(strings.NewReader(string(b)))
	dec.KnownFields(true)
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("read recipe: %w", err)
	}
	if len(r.Steps) == 0 {
		return nil, fmt.Errorf("read recipe: it has no steps")
	}
	return &r, nil
}

// Plan fills the recipe's parameters and returns its plan. Unknown
// parameters given, and required ones missing, are errors that name them.
func (r *Recipe) Plan(values map[string]string) (*Plan, error) {
	for name := range values {
		if _, ok := r.Params[name]; !ok {
			return nil, fmt.Errorf("the recipe has no parameter %q; its parameters are: %s", name, strings.Join(r.paramNames(), ", "))
		}
	}
	resolved := map[string]string{}
	var missing []string
	for name, p := range r.Params {
		switch v, ok := values[name]; {
		case ok:
			resolved[name] = v
		case p.Default != nil:
			resolved[name] = *p.Default
		default:
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return nil, fmt.Errorf("the recipe needs --param for: %s", strings.Join(missing, ", "))
	}
	types := map[string]string{}
	for name, p := range r.Params {
		types[name] = p.Type
	}
	p := &Plan{ID: NewID(), Goal: fill(r.Goal, resolved), Origin: OriginRecipe}
	for _, s := range r.Steps {
		args := s.Args
		if args == nil {
			args = map[string]any{}
		}
		raw, err := json.Marshal(args)
		if err != nil {
			return nil, fmt.Errorf("step %s: %w", s.ID, err)
		}
		filled, err := fillJSON(raw, resolved, types)
		if err != nil {
			return nil, fmt.Errorf("step %s: %w", s.ID, err)
		}
		step := Step{ID: s.ID, Tool: s.Tool, Why: fill(s.Why, resolved), Args: filled}
		if s.Holds != nil {
			h, err := fillHolds(s.Holds, resolved, types)
			if err != nil {
				return nil, fmt.Errorf("step %s: holds: %w", s.ID, err)
			}
			step.Holds = h
		}
		p.Steps = append(p.Steps, step)
	}
	return p, nil
}

// fillHolds fills parameters in a holds check's arguments and expected
// fields.
func fillHolds(h *Holds, values, types map[string]string) (*Holds, error) {
	out := &Holds{Tool: h.Tool}
	for _, part := range []struct {
		in  map[string]any
		out *map[string]any
	}{{h.Args, &out.Args}, {h.Expect, &out.Expect}} {
		if part.in == nil {
			continue
		}
		raw, err := json.Marshal(part.in)
		if err != nil {
			return nil, err
		}
		filled, err := fillJSON(raw, values, types)
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal(filled, part.out); err != nil {
			return nil, err
		}
	}
	if out.Args == nil {
		out.Args = map[string]any{}
	}
	return out, nil
}

// Marshal writes the recipe as YAML.
func (r *Recipe) Marshal() ([]byte, error) { return yaml.Marshal(r) }

// typedValue converts a parameter's text to its declared type; ok is
// false for text (or a value that does not parse, which the tool's schema
// then refuses with its own words).
func typedValue(v, typ string) (any, bool) {
	switch typ {
	case "integer":
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		return n, err == nil
	case "number":
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		return f, err == nil
	case "boolean":
		b, err := strconv.ParseBool(strings.TrimSpace(v))
		return b, err == nil
	}
	return nil, false
}

func (r *Recipe) paramNames() []string {
	var out []string
	for name := range r.Params {
		out = append(out, name)
	}
	sort.Strings(out)
	if len(out) == 0 {
		return []string{"(none)"}
	}
	return out
}

func fill(s string, values map[string]string) string {
	return paramRef().ReplaceAllStringFunc(s, func(m string) string {
		name := paramRef().FindStringSubmatch(m)[1]
		if v, ok := values[name]; ok {
			return v
		}
		return m
	})
}

// fillJSON replaces ${param.x} inside every string of a JSON document. A
// string that is one reference to a parameter of a declared type
// (integer, number, boolean) becomes a value of that type, so "mtu:
// ${param.mtu}" is a number as the tool's schema wants.
func fillJSON(raw []byte, values, types map[string]string) (json.RawMessage, error) {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, err
	}
	var undefined []string
	var walk func(x any) any
	walk = func(x any) any {
		switch t := x.(type) {
		case string:
			for _, m := range paramRef().FindAllStringSubmatch(t, -1) {
				if _, ok := values[m[1]]; !ok {
					undefined = append(undefined, m[1])
				}
			}
			if m := paramRef().FindStringSubmatch(t); m != nil && m[0] == t {
				if typed, ok := typedValue(values[m[1]], types[m[1]]); ok {
					return typed
				}
			}
			return fill(t, values)
		case []any:
			for i := range t {
				t[i] = walk(t[i])
			}
		case map[string]any:
			for k := range t {
				t[k] = walk(t[k])
			}
		}
		return x
	}
	v = walk(v)
	if len(undefined) > 0 {
		return nil, fmt.Errorf("${param.%s} is not a parameter of the recipe (declare it under params)", undefined[0])
	}
	return json.Marshal(v)
}
