// Package tools defines the Tool type, its effect classes and the registry
// that every caller (slash commands, the model, recipes, MCP) goes through.
//
// A tool is a stable name ("server.list"), a JSON Schema for its arguments
// (embedded from the schemas package), an effect class fixed by the tool
// itself and never reported by a caller, the catalog service it needs, and
// the functions that do its work.
package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
)

// Effect classifies what a tool does to the cloud. It is fixed per tool.
type Effect int

const (
	// Read tools never change anything; they answer at once.
	Read Effect = iota
	// Change tools create or modify resources; they need approval.
	Change
	// Destroy tools delete resources or data; they always ask.
	Destroy
)

// String returns the lower-case badge used in plans and help.
func (e Effect) String() string {
	switch e {
	case Read:
		return "read"
	case Change:
		return "change"
	case Destroy:
		return "destroy"
	}
	return fmt.Sprintf("effect(%d)", int(e))
}

// Args are a tool's arguments as JSON. They are validated against the
// tool's schema before any tool function sees them.
type Args = json.RawMessage

// RunFunc does a tool's work. For read tools it is called straight after
// validation; for change tools only by the executor with an approval.
type RunFunc func(ctx context.Context, env *Env, args Args) (*Result, error)

// Tool is one capability of ostui.
type Tool struct {
	// Name is "noun.verb" (or "noun.sub.verb"); the slash form is
	// "/noun verb".
	Name string
	// Summary is one line; it is also the model's function description.
	Summary string
	// Effect is fixed per tool.
	Effect Effect
	// Service is the catalog type the tool needs ("compute", "network",
	// "image", "volumev3", "identity"). Tools whose service is missing from
	// the catalog are not offered.
	Service string
	// Run does the work.
	Run RunFunc

	// Spec is filled by the registry from the tool's schema.
	Spec ArgSpec
}

// Slash returns the slash-command form of the tool's name: "server.list"
// becomes "/server list".
func (t *Tool) Slash() string {
	return "/" + strings.ReplaceAll(t.Name, ".", " ")
}

// Decode validates nothing; it turns already-validated arguments into a
// typed struct. Unknown fields are refused so a schema and its struct
// cannot drift apart silently.
func Decode[T any](args Args) (T, error) {
	var v T
	if len(args) == 0 {
		args = Args("{}")
	}
	dec := json.NewDecoder(strings.NewReader(string(args)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		return v, fmt.Errorf("decode arguments: %w", err)
	}
	return v, nil
}

// ReadTool builds a read-only tool whose arguments decode into T.
func ReadTool[T any](name, summary, service string, run func(ctx context.Context, env *Env, args T) (*Result, error)) Tool {
	return Tool{
		Name:    name,
		Summary: summary,
		Effect:  Read,
		Service: service,
		Run: func(ctx context.Context, env *Env, raw Args) (*Result, error) {
			args, err := Decode[T](raw)
			if err != nil {
				return nil, err
			}
			return run(ctx, env, args)
		},
	}
}
