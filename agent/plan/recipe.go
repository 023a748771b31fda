package plan

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
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
	Steps  []yamlStep       `yaml:"steps"`
}

// Param describes one recipe parameter.
type Param struct {
	Description string `yaml:"description,omitempty"`
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
		filled, err := fillJSON(raw, resolved)
		if err != nil {
			return nil, fmt.Errorf("step %s: %w", s.ID, err)
		}
		p.Steps = append(p.Steps, Step{ID: s.ID, Tool: s.Tool, Why: fill(s.Why, resolved), Args: filled})
	}
	return p, nil
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

// fillJSON replaces ${param.x} inside every string of a JSON document.
func fillJSON(raw []byte, values map[string]string) (json.RawMessage, error) {
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
