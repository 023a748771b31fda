package tools

import (
	"context"
	"encoding/json"
	"regexp"
	"sync"
	"time"
)

// Level is how much a preflight finding matters.
type Level int

const (
	// Info is worth showing ("server web-1 is ACTIVE").
	Info Level = iota
	// Warn asks the person to look twice but does not stop the plan.
	Warn
	// Block stops the plan: the step cannot succeed as it stands.
	Block
	// Danger is a guardrail the person overrode on purpose (--force): a
	// rule that opens SSH to the whole internet. It does not stop the
	// plan, yet it is the most serious finding a review shows, so it
	// sorts above Block and is printed in red. Test Check.Blocked, never
	// Level >= Block, to decide whether a step may run.
	Danger
)

// String returns "info", "warn", "block" or "danger".
func (l Level) String() string {
	switch l {
	case Warn:
		return "warn"
	case Block:
		return "block"
	case Danger:
		return "danger"
	}
	return "info"
}

// Finding is one sentence of a preflight.
type Finding struct {
	Level Level
	Text  string
}

// Target is a resource a step acts on, with its name resolved to an ID.
type Target struct {
	Kind string // "server", "image", ...
	ID   string
	Name string
}

// QuotaUse is what a step adds to (or frees from) one quota.
type QuotaUse struct {
	Service  string // "compute", "network", "volume"
	Resource string // "instances", "cores", "ram", "ports", ...
	InUse    int
	Limit    int // -1 means unlimited
	Delta    int // positive: the step uses more; negative: it frees
}

// Check is a step's preflight.
type Check struct {
	Targets  []Target
	Findings []Finding
	Quota    []QuotaUse
	// Resolved are the arguments Run will get: names replaced by IDs,
	// defaults filled. nil means the arguments as given.
	Resolved Args
	// State sums up the state the step depends on ("ACTIVE,task=,locked=false").
	// The gate checks it again right before running; if it changed since
	// approval, the plan is shown again.
	State string
	// Fetched is the resource Check read (the tool's own type), for its
	// Preview: the dry run follows the preflight at once, so reading the
	// resource again would cost a request and could show a different
	// one. Only the tool's Preview reads it; the gate compares State.
	Fetched any `json:"-"`
}

// FetchedAs returns the resource chk fetched as a T, and whether it
// holds one (a dry run without a preflight has none).
func FetchedAs[T any](chk *Check) (T, bool) {
	var v T
	if chk == nil {
		return v, false
	}
	v, ok := chk.Fetched.(T)
	return v, ok
}

// Blocked reports whether any finding blocks the step.
func (c *Check) Blocked() bool {
	if c == nil {
		return false
	}
	for _, f := range c.Findings {
		if f.Level == Block {
			return true
		}
	}
	return false
}

// Request is one HTTP request a step would send.
type Request struct {
	Method string
	URL    string
	// Body is the JSON body exactly as gophercloud's builder makes it;
	// nil for requests without one.
	Body any
}

// Dependent is a resource affected by a delete, and what happens to it.
type Dependent struct {
	Kind string
	ID   string
	Name string
	Fate string // "detached, kept", "deleted with the server", "released"
}

// FieldChange is one field an update modifies.
type FieldChange struct {
	Field string
	From  any
	To    any
}

// Preview is a step's dry-run.
type Preview struct {
	Requests []Request
	Creates  []string // one line per resource created
	Deletes  []Dependent
	Changes  []FieldChange
}

// Call names a tool and its arguments; an undo is a Call.
type Call struct {
	Tool string
	Args Args
	Why  string
}

// CheckFunc is a tool's preflight.
type CheckFunc func(ctx context.Context, env *Env, args Args) (*Check, error)

// PreviewFunc is a tool's dry-run. chk is the step's preflight.
type PreviewFunc func(ctx context.Context, env *Env, args Args, chk *Check) (*Preview, error)

// UndoFunc returns the call that reverses a completed step, or nil.
type UndoFunc func(args Args, res *Result) *Call

// Await tells the executor what to wait for after Run returns: a
// resource reaching a state, or disappearing.
type Await struct {
	Kind string // "server"
	ID   string
	Name string
	// Until are the statuses that end the wait successfully ("ACTIVE").
	Until []string
	// Fail are statuses that end it with an error ("ERROR").
	Fail []string
	// Gone waits until Poll reports the resource no longer exists.
	Gone bool
	// Poll returns the current status; a *NotFoundError means gone.
	Poll func(ctx context.Context, env *Env) (status string, err error)
	// Timeout bounds the wait; 0 means the executor's default.
	Timeout time.Duration
}

// Progress receives progress from a running step (uploads, waits).
type Progress interface {
	// Status replaces the one-line status ("uploading", "BUILD, spawning").
	Status(msg string)
	// Bytes reports transfer progress; total may be -1 when unknown.
	Bytes(done, total int64)
}

// refPattern matches a reference to an earlier step's output: ${net.id}.
var refPattern = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`\$\{([a-zA-Z][a-zA-Z0-9_-]*)\.([a-zA-Z][a-zA-Z0-9_]*)\}`)
})

// IsRef reports whether a string argument is (or contains) a reference to
// an earlier step's output, whose value is unknown until that step runs.
// Check functions use it to skip lookups they cannot do yet.
func IsRef(s string) bool { return refPattern().MatchString(s) }

// Refs returns every (step, field) reference in args.
func Refs(args Args) [][2]string {
	var out [][2]string
	for _, m := range refPattern().FindAllStringSubmatch(string(args), -1) {
		out = append(out, [2]string{m[1], m[2]})
	}
	return out
}

// ResolveRefs replaces every ${step.field} inside string values of args
// with the value looked up; an unknown reference is an error.
func ResolveRefs(args Args, lookup func(step, field string) (string, bool)) (Args, error) {
	var v any
	if err := json.Unmarshal(args, &v); err != nil {
		return nil, err
	}
	var missing error
	var walk func(x any) any
	walk = func(x any) any {
		switch t := x.(type) {
		case string:
			return refPattern().ReplaceAllStringFunc(t, func(m string) string {
				sm := refPattern().FindStringSubmatch(m)
				val, ok := lookup(sm[1], sm[2])
				if !ok && missing == nil {
					missing = &UnresolvedRefError{Ref: m}
				}
				return val
			})
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
	if missing != nil {
		return nil, missing
	}
	return json.Marshal(v)
}

// UnresolvedRefError is a reference to an output no earlier step produced.
type UnresolvedRefError struct{ Ref string }

func (e *UnresolvedRefError) Error() string {
	return "reference " + e.Ref + " has no value: no earlier step produced it"
}
