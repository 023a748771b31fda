// Package plan holds the plan: the one shape in which any change reaches
// the gate, whoever asked for it (a slash command, the model, a recipe, an
// MCP client). A plan is a goal and ordered steps; a step names a tool and
// its arguments, which may refer to outputs of earlier steps as
// ${step.field}.
package plan

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// Origins of a plan.
const (
	OriginSlash  = "slash"
	OriginModel  = "model"
	OriginRecipe = "recipe"
	OriginMCP    = "mcp"
)

// Plan is a goal and the steps that reach it.
type Plan struct {
	ID     string `json:"id,omitempty" yaml:"id,omitempty"`
	Goal   string `json:"goal" yaml:"goal"`
	Origin string `json:"origin" yaml:"origin"`
	Steps  []Step `json:"steps" yaml:"steps"`
}

// Step is one tool call.
type Step struct {
	ID   string          `json:"id" yaml:"id"`
	Tool string          `json:"tool" yaml:"tool"`
	Args json.RawMessage `json:"args" yaml:"-"`
	Why  string          `json:"why,omitempty" yaml:"why,omitempty"`
	// Holds, when set, says how to recognise that the step's goal already
	// holds (a recipe's replay): the gate reads it at preflight, and a
	// step whose goal holds is skipped — nothing runs for it.
	Holds *Holds `json:"holds,omitempty" yaml:"holds,omitempty"`
}

// Holds is a read that tells whether a step's goal already holds: the read
// tool, its arguments (which may hold ${step.field} references), and the
// fields its answer must show. An empty Expect means "the read finds it".
// It is declarative: nothing in it is executed but the read tool.
type Holds struct {
	Tool   string         `json:"tool" yaml:"tool"`
	Args   map[string]any `json:"args" yaml:"args"`
	Expect map[string]any `json:"expect,omitempty" yaml:"expect,omitempty"`
}

// NewID returns a short random plan ID for the audit log.
func NewID() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// FromCall makes the one-step plan of a slash command.
func FromCall(tool string, args json.RawMessage, line string) *Plan {
	if len(args) == 0 {
		args = json.RawMessage("{}")
	}
	return &Plan{
		ID:     NewID(),
		Goal:   line,
		Origin: OriginSlash,
		Steps:  []Step{{ID: StepID(tool), Tool: tool, Args: args}},
	}
}

// StepID derives a readable step ID from a tool name: "server.stop" →
// "stop", "server.add.volume" → "add-volume".
func StepID(tool string) string {
	parts := strings.Split(tool, ".")
	if len(parts) == 1 {
		return parts[0]
	}
	return strings.Join(parts[1:], "-")
}

// yamlStep is a Step as people read and edit it: arguments as a mapping.
type yamlStep struct {
	ID   string         `yaml:"id"`
	Tool string         `yaml:"tool"`
	Why  string         `yaml:"why,omitempty"`
	Args map[string]any `yaml:"args"`
	// Holds is kept when a plan is edited or saved as a recipe.
	Holds *Holds `yaml:"holds,omitempty"`
}

type yamlPlan struct {
	ID     string     `yaml:"id,omitempty"`
	Goal   string     `yaml:"goal"`
	Origin string     `yaml:"origin"`
	Steps  []yamlStep `yaml:"steps"`
}

// MarshalYAML writes the plan for a person to read or edit.
func (p *Plan) MarshalYAML() ([]byte, error) {
	yp := yamlPlan{ID: p.ID, Goal: p.Goal, Origin: p.Origin}
	for _, s := range p.Steps {
		var args map[string]any
		if len(s.Args) > 0 {
			if err := json.Unmarshal(s.Args, &args); err != nil {
				return nil, fmt.Errorf("step %s: arguments are not an object: %w", s.ID, err)
			}
		}
		yp.Steps = append(yp.Steps, yamlStep{ID: s.ID, Tool: s.Tool, Why: s.Why, Args: args, Holds: s.Holds})
	}
	return yaml.Marshal(yp)
}

// ParseYAML reads a plan written by MarshalYAML (or by hand).
func ParseYAML(b []byte) (*Plan, error) {
	var yp yamlPlan
	dec := yaml.NewDecoder(strings.NewReader(string(b)))
	dec.KnownFields(true)
	if err := dec.Decode(&yp); err != nil {
		return nil, fmt.Errorf("read plan: %w", err)
	}
	p := &Plan{ID: yp.ID, Goal: yp.Goal, Origin: yp.Origin}
	for _, s := range yp.Steps {
		args := s.Args
		if args == nil {
			args = map[string]any{}
		}
		raw, err := json.Marshal(args)
		if err != nil {
			return nil, fmt.Errorf("step %s: %w", s.ID, err)
		}
		p.Steps = append(p.Steps, Step{ID: s.ID, Tool: s.Tool, Why: s.Why, Args: raw, Holds: s.Holds})
	}
	return p, nil
}

// Document returns the plan as a generic JSON value, for validation
// against plan.schema.json.
func (p *Plan) Document() (any, error) {
	b, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, err
	}
	return v, nil
}
