package planner

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/kriscelmer/os-tui/agent/llm"
	"github.com/kriscelmer/os-tui/schemas"
	"github.com/kriscelmer/os-tui/tools"
)

// Names of the two functions that are not tools.
const (
	// ProposePlanFunction is the only way the model proposes a change:
	// its argument is a plan, which goes through the gate and the person.
	ProposePlanFunction = "propose_plan"
	// DescribeToolFunction returns a change tool's argument schema, so the
	// schemas of all change tools need not ride along in every request.
	DescribeToolFunction = "describe_tool"
	// ReadToolFunction runs, for the model, a read of a service whose reads
	// are not offered one function each (DeferredServices): called with a
	// name alone it describes the read's arguments, with args it runs it.
	ReadToolFunction = "read_tool"
)

// DeferredServices are the catalog services whose reads the model reaches
// through read_tool rather than one function each. Every function rides
// along in every request of a turn; these services' reads (load
// balancers, stacks, the key manager) are many and asked for less often
// than servers, networks and volumes, so they cost one function until the
// model needs them. An MCP client is offered every read as its own tool.
var DeferredServices = map[string]bool{
	"load-balancer": true, "orchestration": true, "key-manager": true, "alarming": true,
	"metric": true, "metering": true, "monitoring": true,
}

// Deferred reports whether the model reaches a read through read_tool:
// a tool whose service (or any of its alternatives) is deferred.
func Deferred(t *tools.Tool) bool {
	for svc := range strings.SplitSeq(t.Service, "|") {
		if DeferredServices[svc] {
			return true
		}
	}
	return false
}

// FunctionName turns a tool name into a function name the OpenAI API
// accepts (^[a-zA-Z0-9_-]{1,64}$): "server.add.floating-ip" becomes
// "server__add__floating-ip". Tool names never hold '_', so the double
// underscore is unambiguous and ToolName reverses it.
func FunctionName(tool string) string {
	return strings.ReplaceAll(tool, ".", "__")
}

// toolNameShape is the shape of every tool name (see plan.schema.json).
var toolNameShape = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z][a-z-]*(\.[a-z][a-z-]*)*$`) })

// ToolName reverses FunctionName. It reports false for a name that no
// tool could have produced, such as propose_plan or "server.list" (the
// model must use the names it was given, not guess at dotted ones).
func ToolName(fn string) (string, bool) {
	if strings.Contains(fn, ".") {
		return "", false
	}
	name := strings.ReplaceAll(fn, "__", ".")
	if !toolNameShape().MatchString(name) || FunctionName(name) != fn {
		return "", false
	}
	return name, true
}

// Functions returns what the model may call: one function per read tool
// whose service is offered (offered nil: every service), plus
// propose_plan and describe_tool when at least one change or destroy tool
// is offered. Parameters are self-contained compact schemas without
// ostui's own keywords, and never include properties that would redirect
// credentials (see ForbiddenArgs). The output is sorted by name and
// byte-for-byte stable, so that a provider's prompt cache keeps hitting.
func Functions(reg *tools.Registry, offered func(service string) bool) []llm.Function {
	return functions(reg, offered, false)
}

// ModelFunctions is what the model is offered in a turn: Functions, except
// that the reads of DeferredServices are reached through read_tool, and
// describe_tool names no tools of its own (propose_plan's and read_tool's
// lists say which exist), so neither list rides along twice.
func ModelFunctions(reg *tools.Registry, offered func(service string) bool) []llm.Function {
	return functions(reg, offered, true)
}

func functions(reg *tools.Registry, offered func(service string) bool, deferring bool) []llm.Function {
	var fns []llm.Function
	var changes, deferred []string
	for _, t := range reg.Tools() {
		if offered != nil && !offered(t.Service) {
			continue
		}
		if t.PersonOnly {
			continue
		}
		if t.Effect != tools.Read {
			changes = append(changes, t.Name)
			continue
		}
		if deferring && Deferred(t) {
			deferred = append(deferred, t.Name)
			continue
		}
		params, err := ModelSchema(reg, t.Name)
		if err != nil {
			// Every shipped schema compacts (a test proves it); a broken
			// one is left out rather than offered in a half-made form.
			continue
		}
		fns = append(fns, llm.Function{Name: FunctionName(t.Name), Description: t.Summary, Parameters: params})
	}
	if len(changes) > 0 {
		if pp, err := proposePlan(changes); err == nil {
			fns = append(fns, pp)
		}
		if deferring {
			fns = append(fns, describeTool(nil))
		} else {
			fns = append(fns, describeTool(changes))
		}
	}
	if len(deferred) > 0 {
		fns = append(fns, readTool(deferred))
	}
	sort.Slice(fns, func(i, j int) bool { return fns[i].Name < fns[j].Name })
	return fns
}

// readTool is read_tool: one function for the deferred reads.
func readTool(reads []string) llm.Function {
	enum := make([]any, len(reads))
	for i, r := range reads {
		enum[i] = r
	}
	params, _ := encodeJSON(map[string]any{
		"type":                 "object",
		"additionalProperties": false,
		"required":             []any{"name"},
		"properties": map[string]any{
			"name": map[string]any{"type": "string", "enum": enum},
			"args": map[string]any{"type": "object", "description": "The read's arguments; leave out to get its argument schema first"},
		},
	})
	return llm.Function{
		Name:        ReadToolFunction,
		Description: "Run a read of load balancers, stacks or the key manager. Call it with the name alone first: the answer is the read's argument schema.",
		Parameters:  params,
	}
}

// ModelSchema returns the schema of a tool's arguments as the model sees
// it: self-contained ($ref inlined), compact JSON with sorted keys,
// without x-* keywords, $schema, $id and title, and without properties
// the model may not set (ForbiddenArgs). The root description is left out
// when it repeats the tool's summary, which is already the function's
// description.
func ModelSchema(reg *tools.Registry, name string) (json.RawMessage, error) {
	t, ok := reg.Lookup(name)
	if !ok {
		return nil, fmt.Errorf("no tool %q", name)
	}
	raw, ok := reg.Schema(name)
	if !ok {
		return nil, fmt.Errorf("tool %s has no schema", name)
	}
	doc, err := decodeJSON(raw)
	if err != nil {
		return nil, fmt.Errorf("parse schema of %s: %w", name, err)
	}
	out, err := compact(doc, doc, 0)
	if err != nil {
		return nil, fmt.Errorf("compact schema of %s: %w", name, err)
	}
	root, ok := out.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("schema of %s is not an object", name)
	}
	if d, _ := root["description"].(string); d == t.Summary {
		delete(root, "description")
	}
	dropForbidden(root)
	return encodeJSON(root)
}

// DescribeTool answers describe_tool: a tool's summary, effect, argument
// schema (as ModelSchema gives it) and the outputs a later step may
// reference as ${step.field}, as compact JSON.
func DescribeTool(reg *tools.Registry, name string) (string, error) {
	t, ok := reg.Lookup(name)
	if !ok {
		return "", fmt.Errorf("no tool %q: use a name from propose_plan's list", name)
	}
	params, err := ModelSchema(reg, name)
	if err != nil {
		return "", err
	}
	produces := t.Produces
	if produces == nil {
		produces = []string{}
	}
	b, err := encodeJSON(map[string]any{
		"tool":     t.Name,
		"summary":  t.Summary,
		"effect":   t.Effect.String(),
		"args":     params,
		"produces": produces,
	})
	if err != nil {
		return "", fmt.Errorf("describe %s: %w", name, err)
	}
	return string(b), nil
}

// proposePlan builds propose_plan from plan.schema.json: the model gives
// the goal and the steps only (a plan's ID and origin are facts the shell
// records, not the model's to claim), and a step's tool is one of the
// offered change tools.
func proposePlan(changes []string) (llm.Function, error) {
	raw, err := fs.ReadFile(schemas.FS, "plan.schema.json")
	if err != nil {
		return llm.Function{}, fmt.Errorf("read plan schema: %w", err)
	}
	doc, err := decodeJSON(raw)
	if err != nil {
		return llm.Function{}, fmt.Errorf("parse plan schema: %w", err)
	}
	out, err := compact(doc, doc, 0)
	if err != nil {
		return llm.Function{}, fmt.Errorf("compact plan schema: %w", err)
	}
	root, _ := out.(map[string]any)
	props, _ := root["properties"].(map[string]any)
	steps, _ := props["steps"].(map[string]any)
	items, _ := steps["items"].(map[string]any)
	stepProps, _ := items["properties"].(map[string]any)
	if stepProps == nil {
		return llm.Function{}, fmt.Errorf("plan schema has no steps[].properties")
	}
	delete(root, "description")
	delete(props, "id")
	delete(props, "origin")
	// holds belongs to recipes (a saved plan's replay), not to a proposal.
	delete(stepProps, "holds")
	enum := make([]any, len(changes))
	for i, c := range changes {
		enum[i] = c
	}
	stepProps["tool"] = map[string]any{
		"type":        "string",
		"enum":        enum,
		"description": "The change tool this step runs",
	}
	stepProps["args"] = map[string]any{
		"type": "object",
		"description": "The tool's arguments, exactly as its schema says (get it with describe_tool first). " +
			"A value may be ${stepid.field}: an output of an earlier step",
	}
	params, err := encodeJSON(root)
	if err != nil {
		return llm.Function{}, fmt.Errorf("encode propose_plan: %w", err)
	}
	return llm.Function{
		Name: ProposePlanFunction,
		Description: "Propose a change to the cloud as a plan of steps. Nothing runs until the person approves it; " +
			"the result says whether it ran and what happened.",
		Parameters: params,
	}, nil
}

// describeTool builds describe_tool over the offered change tools.
func describeTool(changes []string) llm.Function {
	name := map[string]any{"type": "string", "description": "A change tool from propose_plan's list"}
	if changes != nil {
		enum := make([]any, len(changes))
		for i, c := range changes {
			enum[i] = c
		}
		name = map[string]any{"type": "string", "enum": enum}
	}
	params, _ := encodeJSON(map[string]any{
		"type":                 "object",
		"additionalProperties": false,
		"required":             []any{"name"},
		"properties":           map[string]any{"name": name},
	})
	return llm.Function{
		Name:        DescribeToolFunction,
		Description: "Get a change tool's argument schema and the outputs later steps can reference, before proposing a plan that uses it.",
		Parameters:  params,
	}
}

// PersonOnlyRefusal is the sentence an agent gets for a person-only tool
// (tools.Tool.PersonOnly).
func PersonOnlyRefusal(t *tools.Tool) string {
	return t.Slash() + " answers the person only (its result is a credential, or it reads files on the person's machine), so it is never run for an agent; ask the person to run " + t.Slash() + " themselves"
}

// ForbiddenArgs returns the top-level keys of args that redirect
// credentials or scope (cloud, auth_url, endpoint, region, project,
// project_id, os_*, ...), sorted. The model's copies of the schemas never
// offer them; the planner refuses a model's call that sets them anyway,
// since the real schema of a tool may accept them from a person.
func ForbiddenArgs(args json.RawMessage) []string {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(args, &m); err != nil {
		return nil
	}
	var out []string
	for k := range m {
		if forbiddenProp(k) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// forbiddenNames are properties that point a call at other credentials,
// another endpoint or another scope. A person may set them; the model,
// which can be steered by text from the cloud, may not.
var forbiddenNames = map[string]bool{
	"cloud": true, "auth": true, "auth_url": true, "auth_type": true,
	"endpoint": true, "endpoint_override": true, "interface": true,
	"region": true, "region_name": true,
	"project": true, "project_id": true, "project_name": true,
	"project_domain_id": true, "project_domain_name": true,
	"domain": true, "domain_id": true, "domain_name": true,
	"user_domain_id": true, "user_domain_name": true,
	"token": true,
}

// forbiddenProp reports whether a property name may not be model-set.
// "all_projects" is allowed: it widens an admin's read, with the same
// credentials, and is not a redirect.
func forbiddenProp(name string) bool {
	n := strings.ToLower(strings.ReplaceAll(name, "-", "_"))
	// Local file paths are the person's to give: a model that could name
	// one could upload ~/.config/openstack/clouds.yaml as an image or as
	// user data.
	if n == "file" || strings.HasSuffix(n, "_file") {
		return true
	}
	return forbiddenNames[n] || strings.HasPrefix(n, "os_") || strings.HasPrefix(n, "auth_")
}

// dropForbidden removes forbidden properties, and their mentions in
// required lists, from an object schema, at any depth.
func dropForbidden(s map[string]any) {
	if props, ok := s["properties"].(map[string]any); ok {
		for k := range props {
			if forbiddenProp(k) {
				delete(props, k)
			}
		}
	}
	if req, ok := s["required"].([]any); ok {
		kept := req[:0:0]
		for _, r := range req {
			if n, ok := r.(string); ok && forbiddenProp(n) {
				continue
			}
			kept = append(kept, r)
		}
		s["required"] = kept
	}
	for k, v := range s {
		if k == "enum" || k == "const" || k == "default" || k == "required" {
			continue
		}
		switch x := v.(type) {
		case map[string]any:
			dropForbidden(x)
		case []any:
			for _, e := range x {
				if m, ok := e.(map[string]any); ok {
					dropForbidden(m)
				}
			}
		}
	}
}

// maxRefDepth bounds $ref inlining: the shipped schemas nest one level,
// and a cycle must end in an error, not a hang.
const maxRefDepth = 8

// droppedKeywords are schema keywords the model has no use for: ostui's
// own x-* keywords are dropped by prefix, these by name.
var droppedKeywords = map[string]bool{
	"$schema": true, "$id": true, "$defs": true, "definitions": true,
	"$comment": true, "title": true,
}

// Keywords whose value is one schema, a list of schemas, or a map from
// names to schemas. Every other keyword's value is data (enum, required,
// default, ...) and is copied as it is.
var (
	schemaKeywords = map[string]bool{
		"items": true, "additionalProperties": true, "propertyNames": true,
		"not": true, "contains": true, "if": true, "then": true, "else": true,
		"unevaluatedProperties": true, "unevaluatedItems": true,
	}
	schemaListKeywords = map[string]bool{"allOf": true, "anyOf": true, "oneOf": true, "prefixItems": true}
	schemaMapKeywords  = map[string]bool{"properties": true, "patternProperties": true, "dependentSchemas": true}
)

// compact returns a copy of the schema s with every $ref inlined and the
// dropped keywords removed. root is the document s belongs to, for local
// references ("#/$defs/x").
func compact(s, root any, depth int) (any, error) {
	m, ok := s.(map[string]any)
	if !ok {
		return s, nil // true/false schemas
	}
	out := map[string]any{}
	if ref, ok := m["$ref"].(string); ok {
		if depth >= maxRefDepth {
			return nil, fmt.Errorf("$ref %q nests too deep (a cycle?)", ref)
		}
		target, targetRoot, err := resolveRef(ref, root)
		if err != nil {
			return nil, err
		}
		inlined, err := compact(target, targetRoot, depth+1)
		if err != nil {
			return nil, err
		}
		if im, ok := inlined.(map[string]any); ok {
			for k, v := range im {
				out[k] = v
			}
		}
	}
	// Keywords next to $ref refine it (a property's own description
	// beats the shared definition's), so they are applied after it.
	for k, v := range m {
		if k == "$ref" || droppedKeywords[k] || strings.HasPrefix(k, "x-") {
			continue
		}
		var err error
		switch {
		case schemaKeywords[k]:
			out[k], err = compact(v, root, depth)
		case schemaListKeywords[k]:
			list, _ := v.([]any)
			l := make([]any, len(list))
			for i, e := range list {
				if l[i], err = compact(e, root, depth); err != nil {
					break
				}
			}
			out[k] = l
		case schemaMapKeywords[k]:
			mm, _ := v.(map[string]any)
			c := make(map[string]any, len(mm))
			for name, e := range mm {
				if c[name], err = compact(e, root, depth); err != nil {
					break
				}
			}
			out[k] = c
		default:
			out[k] = v
		}
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// resolveRef finds the schema a $ref points to: "#/pointer" in root, or
// "file.schema.json#/pointer" among the embedded schemas. It returns the
// target and the document it lives in.
func resolveRef(ref string, root any) (any, any, error) {
	file, pointer, _ := strings.Cut(ref, "#")
	doc := root
	if file != "" {
		raw, err := fs.ReadFile(schemas.FS, file)
		if err != nil {
			return nil, nil, fmt.Errorf("resolve $ref %q: %w", ref, err)
		}
		if doc, err = decodeJSON(raw); err != nil {
			return nil, nil, fmt.Errorf("resolve $ref %q: %w", ref, err)
		}
	}
	target := doc
	for _, tok := range strings.Split(strings.TrimPrefix(pointer, "/"), "/") {
		if tok == "" {
			continue
		}
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		m, ok := target.(map[string]any)
		if !ok {
			return nil, nil, fmt.Errorf("resolve $ref %q: %q is not an object", ref, tok)
		}
		if target, ok = m[tok]; !ok {
			return nil, nil, fmt.Errorf("resolve $ref %q: no %q", ref, tok)
		}
	}
	return target, doc, nil
}

// decodeJSON reads one JSON document, keeping numbers as written.
func decodeJSON(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

// encodeJSON writes v compactly with sorted keys and without HTML
// escaping: '<' and '>' stay one character (and one token) each.
func encodeJSON(v any) (json.RawMessage, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
