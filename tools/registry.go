package tools

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Registry holds every tool with its compiled schema. It is built once at
// start and read-only afterwards, so it is safe for concurrent use.
type Registry struct {
	byName  map[string]*entry
	ordered []*Tool
	// commands finds tools by their slash words, own or openstack's.
	commands *commandIndex

	// Schemas compile on first use: a one-shot command validates one tool,
	// and compiling all of them would cost every start-up milliseconds.
	// The compiler is not safe for concurrent use, hence the mutex.
	mu       sync.Mutex
	compiler *jsonschema.Compiler
	baseURL  string
}

type entry struct {
	tool   *Tool
	schema *jsonschema.Schema
	doc    []byte
}

// NewRegistry compiles the schema of every tool from schemaFS (files named
// "<tool>.schema.json", $ids under baseURL) and registers the tools. A tool
// without a schema, a schema without a tool, or a duplicate name is an
// error: nothing is written twice and nothing is left undescribed.
func NewRegistry(schemaFS fs.FS, baseURL string, tools []Tool) (*Registry, error) {
	files, err := fs.Glob(schemaFS, "*.schema.json")
	if err != nil {
		return nil, fmt.Errorf("list schemas: %w", err)
	}
	docs := map[string][]byte{}
	// The compiler reads a schema document when a compile first needs it
	// (the tool's own and the ones it refers to), not all of them here:
	// decoding every document into the compiler's form was half the cost
	// of building the registry, paid by every start-up.
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.UseLoader(schemaLoader{base: baseURL, docs: docs})
	var d defs
	for _, f := range files {
		b, err := fs.ReadFile(schemaFS, f)
		if err != nil {
			return nil, fmt.Errorf("read schema %s: %w", f, err)
		}
		docs[f] = b
		if f == "defs.schema.json" {
			var raw struct {
				Defs defs `json:"$defs"`
			}
			if err := json.Unmarshal(b, &raw); err != nil {
				return nil, fmt.Errorf("parse shared definitions: %w", err)
			}
			d = raw.Defs
		}
	}

	r := &Registry{byName: map[string]*entry{}, compiler: c, baseURL: baseURL}
	given := make(map[string]Tool, len(tools))
	for _, t := range tools {
		given[t.Name] = t
	}
	for i := range tools {
		t := tools[i]
		if _, dup := r.byName[t.Name]; dup {
			return nil, fmt.Errorf("tool %s registered twice", t.Name)
		}
		if t.As != "" {
			src, ok := given[t.As]
			if !ok || src.As != "" {
				return nil, fmt.Errorf("tool %s is another name for %s, which is not a registered tool of its own", t.Name, t.As)
			}
			t.Effect, t.Service, t.Produces, t.Interruptible = src.Effect, src.Service, src.Produces, src.Interruptible
			t.Run, t.Check, t.Preview, t.Undo, t.Expand = src.Run, src.Check, src.Preview, src.Undo, src.Expand
		}
		if t.Run == nil {
			return nil, fmt.Errorf("tool %s has no Run function", t.Name)
		}
		if t.Effect != Read && (t.Check == nil || t.Preview == nil) {
			return nil, fmt.Errorf("%s tool %s needs Check (preflight) and Preview (dry-run)", t.Effect, t.Name)
		}
		file := t.Name + ".schema.json"
		doc, ok := docs[file]
		if !ok {
			return nil, fmt.Errorf("tool %s has no schema %s", t.Name, file)
		}
		spec, desc, err := parseSpec(doc, d)
		if err != nil {
			return nil, fmt.Errorf("schema %s: %w", file, err)
		}
		t.Spec = spec
		// The schema's description is the one summary: help, the
		// model's function and MCP all read it. A tool that brings its
		// own (a test's stand-in) keeps it only when the schema has none.
		if desc != "" {
			t.Summary = desc
		}
		r.byName[t.Name] = &entry{tool: &t, doc: doc}
		r.ordered = append(r.ordered, &t)
	}
	for f := range docs {
		if f == "defs.schema.json" || isMetaSchema(f) {
			continue
		}
		if _, ok := r.byName[strings.TrimSuffix(f, ".schema.json")]; !ok {
			return nil, fmt.Errorf("schema %s has no tool", f)
		}
	}
	sort.Slice(r.ordered, func(i, j int) bool { return r.ordered[i].Name < r.ordered[j].Name })
	if r.commands, err = indexCommands(r.ordered); err != nil {
		return nil, err
	}
	return r, nil
}

// schemaLoader hands the compiler the schema documents NewRegistry read,
// by URL. It is used under Registry.mu only after NewRegistry returns, when
// docs no longer changes.
type schemaLoader struct {
	base string
	docs map[string][]byte
}

func (l schemaLoader) Load(url string) (any, error) {
	b, ok := l.docs[strings.TrimPrefix(url, l.base)]
	if !ok || !strings.HasPrefix(url, l.base) {
		return nil, fmt.Errorf("no schema %s", url)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("parse schema %s: %w", url, err)
	}
	return doc, nil
}

// isMetaSchema reports schema files that describe documents rather than a
// tool's arguments (plans, recipes, tag policies).
func isMetaSchema(file string) bool {
	return file == "plan.schema.json" || file == "recipe.schema.json" || file == "tag-policy.schema.json"
}

// schemaOf compiles (once) and returns a tool's schema.
func (r *Registry) schemaOf(e *entry) (*jsonschema.Schema, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if e.schema == nil {
		sch, err := r.compiler.Compile(r.baseURL + e.tool.Name + ".schema.json")
		if err != nil {
			return nil, fmt.Errorf("compile schema of %s: %w", e.tool.Name, err)
		}
		e.schema = sch
	}
	return e.schema, nil
}

// CompileAll compiles every schema now; tests call it so that a broken
// schema fails the build rather than the first person who uses the tool.
func (r *Registry) CompileAll() error {
	for _, t := range r.ordered {
		if _, err := r.schemaOf(r.byName[t.Name]); err != nil {
			return err
		}
	}
	return nil
}

// Lookup returns the tool with the given name.
func (r *Registry) Lookup(name string) (*Tool, bool) {
	e, ok := r.byName[name]
	if !ok {
		return nil, false
	}
	return e.tool, true
}

// Tools returns every tool, sorted by name.
func (r *Registry) Tools() []*Tool { return r.ordered }

// Schema returns the raw schema document of a tool (for model function
// definitions and MCP).
func (r *Registry) Schema(name string) (json.RawMessage, bool) {
	e, ok := r.byName[name]
	if !ok {
		return nil, false
	}
	return json.RawMessage(e.doc), true
}

// Nouns returns the distinct first words of every tool name, sorted.
func (r *Registry) Nouns() []string {
	seen := map[string]bool{}
	var out []string
	for _, t := range r.ordered {
		noun, _, _ := strings.Cut(t.Name, ".")
		if !seen[noun] {
			seen[noun] = true
			out = append(out, noun)
		}
	}
	return out
}

// Validate checks args against the tool's schema. A failure is an
// *ArgsError whose problems read as plain sentences.
func (r *Registry) Validate(name string, args Args) error {
	e, ok := r.byName[name]
	if !ok {
		return fmt.Errorf("unknown tool %q", name)
	}
	if len(args) == 0 {
		args = Args("{}")
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(args))
	if err != nil {
		return &ArgsError{Tool: e.tool, Problems: []string{"the arguments are not valid JSON: " + err.Error()}}
	}
	sch, err := r.schemaOf(e)
	if err != nil {
		return err
	}
	err = sch.Validate(inst)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return fmt.Errorf("validate %s: %w", name, err)
	}
	problems := describe(ve)
	for i, p := range problems {
		if strings.Contains(p, "'oneOf' failed, subschemas") {
			if alt := exclusive(sch); alt != "" {
				problems[i] = alt
			}
		}
	}
	return &ArgsError{Tool: e.tool, Problems: problems}
}

// exclusive says which arguments a schema's top-level oneOf makes
// alternatives ("give only one of --image or --boot-volume"), when each
// branch requires one argument; "" otherwise.
func exclusive(sch *jsonschema.Schema) string {
	var names []string
	for _, b := range sch.OneOf {
		if b == nil || len(b.Required) != 1 {
			return ""
		}
		names = append(names, argName([]string{b.Required[0]}))
	}
	if len(names) < 2 {
		return ""
	}
	return "give only one of " + strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// ValidateDocument checks a document (a plan, a recipe) against one of the
// non-tool schemas (file "plan.schema.json"). Problems read as sentences
// naming locations like steps[0].tool.
func (r *Registry) ValidateDocument(file string, doc any) error {
	r.mu.Lock()
	sch, err := r.compiler.Compile(r.baseURL + file)
	r.mu.Unlock()
	if err != nil {
		return fmt.Errorf("compile schema %s: %w", file, err)
	}
	// Round-trip through JSON so numbers are what the validator expects.
	b, err := json.Marshal(doc)
	if err != nil {
		return fmt.Errorf("encode document: %w", err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("decode document: %w", err)
	}
	err = sch.Validate(inst)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return fmt.Errorf("validate against %s: %w", file, err)
	}
	return &DocumentError{Schema: file, Problems: describeWith(ve, pathName)}
}

// DocumentError reports a document that does not fit its schema.
type DocumentError struct {
	Schema   string
	Problems []string
}

func (e *DocumentError) Error() string { return strings.Join(e.Problems, "; ") }

// ArgsError reports arguments that do not fit a tool's schema.
type ArgsError struct {
	Tool     *Tool
	Problems []string
}

func (e *ArgsError) Error() string {
	return strings.Join(e.Problems, "; ")
}
