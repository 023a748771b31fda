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
	// The registry fills it from the top-level "description" of the
	// tool's schema, its one source.
	Summary string
	// Effect is fixed per tool.
	Effect Effect
	// Service is the catalog type the tool needs ("compute", "network",
	// "image", "volumev3", "identity"). Tools whose service is missing from
	// the catalog are not offered. Types joined by "|" mean any one of
	// them will do (the metric reads: "metric|metering|monitoring").
	Service string
	// Run does the work. For change and destroy tools it receives the
	// arguments as resolved by Check (IDs, not names) and is called only
	// by the executor, with an approval from the gate.
	Run RunFunc

	// The fields below are for change and destroy tools; the registry
	// refuses such a tool without Check and Preview.

	// Check is the preflight: read-only (its Env's clients refuse anything
	// but GET and HEAD). It resolves names to IDs, checks that the
	// resource's state allows the action, and reports the quota the step
	// uses. A Block finding stops the plan.
	Check CheckFunc
	// Preview is the dry-run: the exact requests Run would send, from
	// gophercloud's own request builders, plus what is created, deleted
	// (with dependents) or modified. Read-only, like Check.
	Preview PreviewFunc
	// Undo returns the call that reverses a completed step (server.stop →
	// server.start), or nil when there is none. The undo is itself a plan
	// that goes through the gate.
	Undo UndoFunc
	// Interruptible tools stream data (uploads) for as long as it takes:
	// the executor gives them no call timeout and lets Ctrl-C stop them,
	// since a half-uploaded image is cleaned up by the tool itself rather
	// than left half-changed.
	Interruptible bool
	// Produces names the outputs a later step may reference as
	// ${step.field}: "id", "name", ... Run puts them in Result.Outputs.
	Produces []string

	// PersonOnly marks a tool only the person may run: a read whose answer
	// is itself a credential (a temp URL lets anyone who holds it fetch the
	// object, without a token), one that reads files on the person's
	// machine (a stack preview of a local template), a create whose secret
	// the agent could never see. It answers the person at the prompt, but
	// is never offered to the model or an MCP client, and the engine
	// refuses it from them: a read needs no approval, and its result would
	// leave in their context.
	PersonOnly bool

	// As makes this tool a second name for another ("server.add.volume"
	// for volume.attach, so that attaching is reachable from the volume
	// side): the registry gives it that tool's effect, service, functions
	// and outputs, so the two cannot drift and neither package imports the
	// other. Its own schema may order and word the same arguments
	// differently; it must not accept what the other's refuses.
	As string

	// Expand, when set, makes the tool a wizard: the gate replaces its
	// step with the steps Expand returns before anything is checked (the
	// load balancer wizard becomes the load balancer, its listener, pool,
	// members and monitor), so the person approves, and the audit log
	// records, each real change. nil steps mean the step stands as it is.
	// Expand reads the cloud read-only, like Check; the steps it returns
	// are not expanded again.
	Expand ExpandFunc

	// Spec is filled by the registry from the tool's schema.
	Spec ArgSpec
}

// Step is one step of the plan a wizard tool expands into. Its ID is
// unique within the expansion; Args may refer to earlier steps of the
// same expansion as ${id.field}.
type Step struct {
	ID   string
	Tool string
	Args Args
	Why  string
}

// ExpandFunc turns a wizard step into the steps that do its work.
type ExpandFunc func(ctx context.Context, env *Env, args Args) ([]Step, error)

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

// ReadTool builds a read-only tool whose arguments decode into T. Its
// summary comes from its schema.
func ReadTool[T any](name, service string, run func(ctx context.Context, env *Env, args T) (*Result, error)) Tool {
	return Tool{
		Name:    name,
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

// ChangeSpec describes a change or destroy tool whose arguments decode
// into T. ChangeTool builds the Tool.
type ChangeSpec[T any] struct {
	Name     string
	Effect   Effect // Change or Destroy
	Service  string
	Produces []string
	// Subject, when set, returns the argument naming the one resource
	// the step acts on, and its kind ("server", args.Server). When that
	// argument refers to an earlier step's output (${web.id}) nothing can
	// be looked up yet: the preflight is a note saying so, Check is not
	// called, and the gate checks again once the reference has a value.
	Subject func(args T) (kind, nameOrID string)
	// Check resolves names to IDs (setting Check.Resolved) and applies
	// the tool's rules to the arguments as given.
	Check func(ctx context.Context, env *Env, args T) (*Check, error)
	// Preview gets the arguments as Check resolved them (IDs, defaults
	// filled), so the dry run shows the requests Run will send, and
	// chk for what Check found.
	Preview func(ctx context.Context, env *Env, args T, chk *Check) (*Preview, error)
	Run     func(ctx context.Context, env *Env, args T) (*Result, error)
	// Undo is optional.
	Undo func(args T, res *Result) *Call
	// Interruptible: see Tool.Interruptible.
	Interruptible bool
	// Expand: see Tool.Expand.
	Expand func(ctx context.Context, env *Env, args T) ([]Step, error)
}

// ChangeTool builds a change or destroy tool from typed functions.
func ChangeTool[T any](s ChangeSpec[T]) Tool {
	t := Tool{
		Name:          s.Name,
		Effect:        s.Effect,
		Service:       s.Service,
		Produces:      s.Produces,
		Interruptible: s.Interruptible,
		Check: func(ctx context.Context, env *Env, raw Args) (*Check, error) {
			args, err := Decode[T](raw)
			if err != nil {
				return nil, err
			}
			if s.Subject != nil {
				if kind, ref := s.Subject(args); IsRef(ref) {
					return Referenced(kind, ref), nil
				}
			}
			return s.Check(ctx, env, args)
		},
		Preview: func(ctx context.Context, env *Env, raw Args, chk *Check) (*Preview, error) {
			args, err := Decode[T](raw)
			if err != nil {
				return nil, err
			}
			if args, err = resolvedArgs(chk, args); err != nil {
				return nil, err
			}
			return s.Preview(ctx, env, args, chk)
		},
		Run: func(ctx context.Context, env *Env, raw Args) (*Result, error) {
			args, err := Decode[T](raw)
			if err != nil {
				return nil, err
			}
			return s.Run(ctx, env, args)
		},
	}
	if s.Expand != nil {
		t.Expand = func(ctx context.Context, env *Env, raw Args) ([]Step, error) {
			args, err := Decode[T](raw)
			if err != nil {
				return nil, err
			}
			return s.Expand(ctx, env, args)
		}
	}
	if s.Undo != nil {
		t.Undo = func(raw Args, res *Result) *Call {
			args, err := Decode[T](raw)
			if err != nil {
				return nil
			}
			return s.Undo(args, res)
		}
	}
	return t
}

// Referenced is the preflight of a step whose subject, a resource of the
// given kind, comes from an earlier step (ref is "${web.id}"): nothing
// can be looked up before that step runs.
func Referenced(kind, ref string) *Check {
	return &Check{
		Targets:  []Target{{Kind: kind, ID: ref, Name: ref}},
		Findings: []Finding{{Level: Info, Text: fmt.Sprintf("%s %s comes from an earlier step", kind, ref)}},
	}
}

// ServiceLabel is a tool's Service as a sentence reads it: "network", or
// "metric, metering or monitoring" for alternatives.
func ServiceLabel(service string) string {
	alts := strings.Split(service, "|")
	if len(alts) == 1 {
		return service
	}
	return strings.Join(alts[:len(alts)-1], ", ") + " or " + alts[len(alts)-1]
}
