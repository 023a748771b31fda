// Package export writes an inventory of a project: every resource type
// the tool registry can list, one row per resource, as CSV, JSON Lines or
// a YAML stream.
//
// The types are not a list kept here: they are the registry's list tools
// (every read tool named "<noun>.list" or "<noun>.<sub>.list"), so a new
// resource is exported the day its list tool exists. Only list tools that
// cannot run without a parent (a pool's members, a stack's events, a
// container's objects) are left out, and Types says which and why.
//
// Every read goes through a Pager, which in the shell is the session
// engine's read path (validated by the gate, read-only, its service in the
// catalog): nothing here holds a cloud client. Rows are handed to the
// writer a page at a time and never gathered: a list tool that streams
// (tools.PageSink) is read a cloud page at a time, any other one a list
// at a time, and the export keeps neither once written. One type that fails (403, a service the cloud lacks,
// a timeout) is reported and the others go on.
package export

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kriscelmer/os-tui/internal/overview"
	"github.com/kriscelmer/os-tui/internal/secrets"
	"github.com/kriscelmer/os-tui/tools"
)

// Type is one exported resource type, backed by one list tool.
type Type struct {
	// Name is the tool's name without ".list": "server",
	// "volume.backup", "loadbalancer.listener". Output files and the
	// "type" field of JSON and YAML rows use it.
	Name string
	// Tool is the list tool: "server.list".
	Tool string
	// AllProjects reports a list tool that takes all_projects (Nova's
	// and Cinder's lists): --all-projects passes it.
	AllProjects bool
}

// Left is a list tool the export leaves out, and why.
type Left struct {
	Tool string
	Why  string
}

// Types derives the exported types from the registry's list tools, in
// the registry's order. A list tool with a required argument lists the
// children of one parent (loadbalancer.member.list needs a pool,
// object.list a container, stack.event.list a stack): exporting them
// would mean one read per parent, an unbounded fan-out over data the
// parent's own row already names, so they are left out and returned in
// left with the argument they need.
func Types(reg *tools.Registry) (types []Type, left []Left) {
	for _, t := range reg.Tools() {
		name, ok := strings.CutSuffix(t.Name, ".list")
		if !ok || t.Effect != tools.Read || t.As != "" {
			continue
		}
		var required []string
		for _, p := range t.Spec.Props {
			if p.Required {
				required = append(required, p.Flag())
			}
		}
		if len(required) > 0 {
			left = append(left, Left{Tool: t.Name, Why: "lists the children of one parent (needs " + strings.Join(required, ", ") + ")"})
			continue
		}
		_, all := t.Spec.Prop("all_projects")
		types = append(types, Type{Name: name, Tool: t.Name, AllProjects: all})
	}
	return types, left
}

// Select picks the named types from all, in the order of all. A name is
// a type's name ("server", "volume.backup"), its plural ("servers"), or
// with dashes or spaces for the dots ("volume-backup", "volume backup"),
// as people type them. An unknown name is an error that lists the known
// ones.
func Select(all []Type, names []string) ([]Type, error) {
	if len(names) == 0 {
		return all, nil
	}
	want := map[string]bool{}
	for _, n := range names {
		key := typeKey(n)
		if key == "" {
			continue
		}
		found := false
		for _, t := range all {
			if typeKey(t.Name) == key || typeKey(t.Name)+"s" == key {
				want[t.Name], found = true, true
			}
		}
		if !found {
			return nil, fmt.Errorf("no resource type %q; the types are %s", n, strings.Join(Names(all), ", "))
		}
	}
	if len(want) == 0 {
		return nil, fmt.Errorf("--resources names no type; the types are %s", strings.Join(Names(all), ", "))
	}
	var out []Type
	for _, t := range all {
		if want[t.Name] {
			out = append(out, t)
		}
	}
	return out, nil
}

// typeKey folds the spellings of a type name together: case, and '.',
// '-', '_' or ' ' between words.
func typeKey(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	return strings.Map(func(r rune) rune {
		if r == '.' || r == '-' || r == '_' || r == ' ' {
			return -1
		}
		return r
	}, s)
}

// Names are the types' names.
func Names(types []Type) []string {
	out := make([]string, len(types))
	for i, t := range types {
		out[i] = t.Name
	}
	return out
}

// PageFunc receives one page of a list: its columns (the same for every
// page of a type) and rows in column order. The export may hold a page
// until it is written (a type read ahead), so a pager must not change
// or reuse a page's rows once it has handed them over.
type PageFunc func(cols []tools.Column, rows [][]any) error

// Pager reads a list tool with arguments and hands its rows over a page
// at a time.
type Pager func(ctx context.Context, tool string, args map[string]any, page PageFunc) error

// Reader runs one read tool and returns its result: the engine's read
// path (overview.Reader is the same shape).
type Reader func(ctx context.Context, tool string, args map[string]any) (*tools.Result, error)

// FromReader makes a Pager of a Reader. It puts a page sink in the
// read's context (tools.WithPageSink): a list tool that streams (the
// server list) hands each page over as the cloud sends it and keeps
// nothing; one that does not returns its rows at the end, and they go to
// the writer as one page before the next type is read.
func FromReader(read Reader) Pager {
	return func(ctx context.Context, tool string, args map[string]any, page PageFunc) error {
		streamed := false
		ctx = tools.WithPageSink(ctx, func(cols []tools.Column, rows [][]any) error {
			streamed = true
			return page(cols, rows)
		})
		res, err := read(ctx, tool, args)
		if err != nil {
			return err
		}
		if res == nil || res.List == nil {
			return fmt.Errorf("%s returned no list", tool)
		}
		if streamed {
			// A streaming tool's rows all went through the sink.
			return nil
		}
		return page(res.List.Columns, res.List.Rows)
	}
}

// State is how one type's export ended.
type State int

// The states of a type.
const (
	// Done: every row was written.
	Done State = iota
	// Missing: the cloud has no such service in this region, or does
	// not offer the API extension (tools.NotOfferedError).
	Missing
	// Forbidden: the service answered 403.
	Forbidden
	// Failed: any other error; rows written before it stay written.
	Failed
)

func (s State) String() string {
	return [...]string{"done", "missing", "forbidden", "failed"}[s]
}

// Outcome is one type's result.
type Outcome struct {
	Type Type
	Rows int
	// State and Why (a sentence, "" when Done).
	State State
	Why   string
	// Asked reports a type named in --resources (not just every type):
	// a service the cloud lacks is then a failure, not a skip.
	Asked bool
	Took  time.Duration
}

// Failed reports an outcome that makes the export fail: any error, but a
// missing service only for a type the person asked for by name (a cloud
// without Octavia has no load balancers to export, and saying so is
// enough).
func (o Outcome) Failed() bool {
	switch o.State {
	case Done:
		return false
	case Missing:
		return o.Asked
	}
	return true
}

// Progress is where an export is, for a counter on a terminal.
type Progress struct {
	// Index is the type being read, from 1, of Total.
	Index, Total int
	Type         Type
	// Rows written so far, over every type.
	Rows int
}

// Options say what to export.
type Options struct {
	Types []Type
	// Asked marks Types as named by the person (--resources).
	Asked bool
	// AllProjects passes all_projects to the list tools that take it.
	AllProjects bool
	// Progress, when set, is called before each type and after each page.
	Progress func(Progress)
	// Ahead is how many types are read at once (0: DefaultAhead; 1: one
	// after another).
	Ahead int
}

// DefaultAhead is how many types are read at once when Options.Ahead is
// 0: the type being written and the next three. Each list is one or a
// few API calls, so an export of thirty types waits on the cloud about a
// quarter as long as one read after another, and four readers are what
// the overview's panels already ask of a cloud at once.
const DefaultAhead = 4

// aheadPages is how many pages a type read ahead may hold before its
// reader waits for the writer: the bound on what reading ahead keeps.
const aheadPages = 4

// Run reads the types through pager and hands their rows to w, page by
// page, one type after another in the order given. The next types are
// read while one is written (Options.Ahead at once); a type read ahead
// holds at most a few pages before its reader waits, so memory stays a
// few pages per reader, never a whole inventory. A type that fails is
// recorded and the others go on; Run returns an error only when w fails
// (the output is broken: a full disk, a closed pipe) or ctx ends, with
// the outcomes so far, after every reader has stopped.
func Run(ctx context.Context, pager Pager, w Writer, opts Options) ([]Outcome, error) {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() {
		// Readers blocked on a page nobody will take stop at the cancel.
		cancel()
		wg.Wait()
	}()
	ahead := opts.Ahead
	if ahead <= 0 {
		ahead = DefaultAhead
	}
	reads := make([]*typeRead, len(opts.Types))
	start := func(i int) {
		if i >= len(reads) || reads[i] != nil {
			return
		}
		t := opts.Types[i]
		var args map[string]any
		if opts.AllProjects && t.AllProjects {
			args = map[string]any{"all_projects": true}
		}
		r := &typeRead{pages: make(chan page, aheadPages), began: time.Now()}
		reads[i] = r
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(r.pages)
			r.err = pager(ctx, t.Tool, args, func(cols []tools.Column, rows [][]any) error {
				select {
				case r.pages <- page{cols, rows}:
					return nil
				case <-ctx.Done():
					return ctx.Err()
				}
			})
			r.took = time.Since(r.began)
		}()
	}
	var out []Outcome
	total := 0
	for i, t := range opts.Types {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		for j := i; j < i+ahead; j++ {
			start(j)
		}
		if opts.Progress != nil {
			opts.Progress(Progress{Index: i + 1, Total: len(opts.Types), Type: t, Rows: total})
		}
		o := Outcome{Type: t, Asked: opts.Asked}
		var cols *columns
		for p := range reads[i].pages {
			if cols == nil {
				cols = newColumns(p.cols)
				if err := w.Begin(t, cols.names); err != nil {
					return out, err
				}
			}
			for _, row := range p.rows {
				if err := w.Row(cols.clean(row)); err != nil {
					return out, err
				}
			}
			o.Rows += len(p.rows)
			total += len(p.rows)
			if opts.Progress != nil {
				opts.Progress(Progress{Index: i + 1, Total: len(opts.Types), Type: t, Rows: total})
			}
		}
		if cols != nil {
			if err := w.End(); err != nil {
				return out, err
			}
		}
		// The channel is closed: the reader has set err and took.
		o.Took = reads[i].took
		if err := reads[i].err; err != nil {
			if ctx.Err() != nil {
				return out, ctx.Err()
			}
			o.State, o.Why = classify(err)
		}
		reads[i] = nil
		out = append(out, o)
	}
	return out, nil
}

// typeRead is one type being read: its pages as they come, then (once
// pages is closed) the read's error and how long it took.
type typeRead struct {
	pages chan page
	began time.Time
	err   error
	took  time.Duration
}

type page struct {
	cols []tools.Column
	rows [][]any
}

// classify turns a read's error into a state and a sentence, as the
// overview's panels do.
func classify(err error) (State, string) {
	var no *tools.NotOfferedError
	if errors.As(err, &no) {
		return Missing, no.Msg
	}
	st, why := overview.Classify(err)
	switch st {
	case overview.Missing:
		return Missing, why
	case overview.Forbidden:
		return Forbidden, why
	}
	return Failed, why
}

// columns are a type's exported columns: the list's own, less any whose
// name says it holds a secret. No list tool prints one today; this is the
// second lock on the door, so a column added later ("Secret") never
// reaches a file.
type columns struct {
	names []string
	keep  []int
	buf   []any
}

func newColumns(cs []tools.Column) *columns {
	c := &columns{}
	for i, col := range cs {
		// Column names are words ("Private Key"); the secret key
		// names are identifiers (private_key).
		if secrets.IsSecretKey(strings.ReplaceAll(col.Name, " ", "_")) {
			continue
		}
		c.names = append(c.names, col.Name)
		c.keep = append(c.keep, i)
	}
	c.buf = make([]any, len(c.keep))
	return c
}

// clean is the row's kept values with any private key or credential in
// text replaced; the slice is reused for the next row.
func (c *columns) clean(row []any) []any {
	for j, i := range c.keep {
		var v any
		if i < len(row) {
			v = row[i]
		}
		c.buf[j], _ = cleanValue(v)
	}
	return c.buf
}

// cleanValue hides secrets inside a value: in text, in a list's items,
// and in a map (metadata, properties) under a key that names a secret
// ("admin_password") or in a value that holds one. A value with nothing
// to hide is returned as it is, without a copy; changed says whether
// anything was hidden.
func cleanValue(v any) (out any, changed bool) {
	switch x := v.(type) {
	case string:
		c := cleanText(x)
		return c, c != x
	case []string:
		var cp []string
		for i, s := range x {
			if c := cleanText(s); c != s {
				if cp == nil {
					cp = slices.Clone(x)
				}
				cp[i] = c
			}
		}
		if cp != nil {
			return cp, true
		}
	case []any:
		var cp []any
		for i, e := range x {
			if c, ok := cleanValue(e); ok {
				if cp == nil {
					cp = slices.Clone(x)
				}
				cp[i] = c
			}
		}
		if cp != nil {
			return cp, true
		}
	case map[string]string:
		var cp map[string]string
		for k, s := range x {
			c := cleanText(s)
			if secrets.IsSecretKey(k) {
				c = secrets.Placeholder
			}
			if c != s {
				if cp == nil {
					cp = maps.Clone(x)
				}
				cp[k] = c
			}
		}
		if cp != nil {
			return cp, true
		}
	case map[string]any:
		var cp map[string]any
		for k, e := range x {
			c, ok := cleanValue(e)
			if secrets.IsSecretKey(k) {
				c, ok = secrets.Placeholder, true
			}
			if ok {
				if cp == nil {
					cp = maps.Clone(x)
				}
				cp[k] = c
			}
		}
		if cp != nil {
			return cp, true
		}
	}
	return v, false
}

// cleanText hides a private key or a credential header in a text value
// (a description someone pasted a key into). The markers are looked for
// first: nearly every value has none, and the redaction's regular
// expressions are the slow part of a large export.
func cleanText(s string) string {
	if len(s) < 8 || !mayHoldSecret(s) {
		return s
	}
	return secrets.RedactString(s)
}

// secretMarkers are what secrets.RedactString looks for, lower-cased:
// a PEM block, a credential header, a temp-URL key.
var secretMarkers = []string{"-----begin", "token", "authorization", "auth-key", "temp"}

func mayHoldSecret(s string) bool {
	lower := strings.ToLower(s)
	return slices.ContainsFunc(secretMarkers, func(m string) bool { return strings.Contains(lower, m) })
}
