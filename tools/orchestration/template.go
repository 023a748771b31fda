package orchestration

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/gophercloud/gophercloud/v2/openstack/orchestration/v1/stacks"
	"gopkg.in/yaml.v3"
)

// MaxFileSize bounds a template or environment file read from disk: Heat
// itself refuses templates over 512 KiB (max_template_size).
const MaxFileSize = 512 << 10

// Param is one parameter a template declares.
type Param struct {
	Name       string
	Type       string // string, number, json, comma_delimited_list, boolean
	HasDefault bool
	Hidden     bool
	Line       int
}

// Resource is one resource a template declares, with what the
// protection rule reads.
type Resource struct {
	Name           string
	Type           string
	DeletionPolicy string
	Protected      bool
	Line           int
}

// Template is a parsed Heat template.
type Template struct {
	Path       string
	Version    string
	Params     map[string]Param
	Resources  map[string]Resource
	OutputKeys []string
}

// ProtectedKey is the metadata key (or tag) that marks a resource ostui
// must never replace or delete in an update: `metadata: {ostui:protected:
// true}` on the resource in the template. A resource whose
// deletion_policy is Retain is protected too: Heat keeps its old copy on
// replacement, so replacing it would leave an orphan behind the stack's
// back.
const ProtectedKey = "ostui:protected"

// SyntaxError is a template or environment file that does not parse, with
// where.
type SyntaxError struct {
	Path   string
	Line   int
	Column int
	Msg    string
}

func (e *SyntaxError) Error() string {
	where := filepath.Base(e.Path)
	if e.Line > 0 {
		where += fmt.Sprintf(" line %d", e.Line)
		if e.Column > 0 {
			where += fmt.Sprintf(", column %d", e.Column)
		}
	}
	return where + ": " + e.Msg
}

var yamlLine = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^yaml: line (\d+): (.*)$`) })

// parseYAML parses a document into a node tree, with line numbers in
// the error.
func parseYAML(path string, b []byte) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		line := 0
		if m := yamlLine().FindStringSubmatch(err.Error()); m != nil {
			line, _ = strconv.Atoi(m[1])
			msg = m[2]
			if strings.HasPrefix(msg, "did not find expected ',' or ") {
				// The YAML library counts this one from zero: it names
				// where the unclosed { or [ opened.
				line++
				msg = "a " + map[bool]string{true: "{", false: "["}[strings.HasSuffix(msg, "'}'")] + " opened here is never closed (" + msg + ")"
			}
		}
		return nil, &SyntaxError{Path: path, Line: line, Msg: msg + " (it is not valid YAML)"}
	}
	if len(doc.Content) == 0 {
		return nil, &SyntaxError{Path: path, Msg: "the file is empty"}
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, &SyntaxError{Path: path, Line: root.Line, Column: root.Column, Msg: "the top level must be a mapping (heat_template_version:, resources:, ...)"}
	}
	return root, nil
}

// mapping returns the key/value pairs of a mapping node.
func mapping(n *yaml.Node) [][2]*yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	var out [][2]*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		out = append(out, [2]*yaml.Node{n.Content[i], n.Content[i+1]})
	}
	return out
}

func get(n *yaml.Node, key string) *yaml.Node {
	for _, kv := range mapping(n) {
		if kv[0].Value == key {
			return kv[1]
		}
	}
	return nil
}

var paramTypes = map[string]string{
	"string": "string", "number": "number", "json": "json", "comma_delimited_list": "comma_delimited_list", "boolean": "boolean",
	// The CloudFormation spellings Heat also reads.
	"String": "string", "Number": "number", "Json": "json", "CommaDelimitedList": "comma_delimited_list", "Boolean": "boolean",
}

// ParseTemplate parses a Heat template and checks what can be checked
// without the cloud: YAML, a version, resources that each name a type,
// parameters of a known type. Its errors carry the line and column.
func ParseTemplate(path string, b []byte) (*Template, error) {
	root, err := parseYAML(path, b)
	if err != nil {
		return nil, err
	}
	t := &Template{Path: path, Params: map[string]Param{}, Resources: map[string]Resource{}}
	bad := func(n *yaml.Node, format string, a ...any) error {
		return &SyntaxError{Path: path, Line: n.Line, Column: n.Column, Msg: fmt.Sprintf(format, a...)}
	}
	for _, key := range []string{"heat_template_version", "HeatTemplateFormatVersion", "AWSTemplateFormatVersion"} {
		if v := get(root, key); v != nil {
			t.Version = v.Value
		}
	}
	if t.Version == "" {
		return nil, bad(root, "heat_template_version is missing: a HOT template starts with e.g. heat_template_version: 2018-08-31")
	}
	resKey := "resources"
	if get(root, "Resources") != nil {
		resKey = "Resources"
	}
	res := get(root, resKey)
	if res == nil {
		return nil, bad(root, "resources is missing: a template needs at least one resource")
	}
	if res.Kind != yaml.MappingNode {
		return nil, bad(res, "resources must be a mapping of resource names to {type: ..., properties: ...}")
	}
	for _, kv := range mapping(res) {
		name, body := kv[0].Value, kv[1]
		if body.Kind != yaml.MappingNode {
			return nil, bad(body, "resource %s must be a mapping with a type (e.g. type: OS::Nova::Server)", name)
		}
		typ := get(body, "type")
		if typ == nil {
			typ = get(body, "Type")
		}
		if typ == nil || typ.Kind != yaml.ScalarNode || typ.Value == "" {
			return nil, bad(kv[0], "resource %s has no type (e.g. type: OS::Nova::Server)", name)
		}
		r := Resource{Name: name, Type: typ.Value, Line: kv[0].Line}
		if dp := get(body, "deletion_policy"); dp != nil {
			r.DeletionPolicy = dp.Value
		} else if dp := get(body, "DeletionPolicy"); dp != nil {
			r.DeletionPolicy = dp.Value
		}
		r.Protected = strings.EqualFold(r.DeletionPolicy, "Retain") || marked(get(body, "metadata"))
		t.Resources[name] = r
	}
	paramKey := "parameters"
	if get(root, "Parameters") != nil {
		paramKey = "Parameters"
	}
	if ps := get(root, paramKey); ps != nil {
		if ps.Kind != yaml.MappingNode {
			return nil, bad(ps, "parameters must be a mapping of parameter names to {type: ..., default: ...}")
		}
		for _, kv := range mapping(ps) {
			name, body := kv[0].Value, kv[1]
			if body.Kind != yaml.MappingNode {
				return nil, bad(body, "parameter %s must be a mapping with a type", name)
			}
			tn := get(body, "type")
			if tn == nil {
				tn = get(body, "Type")
			}
			if tn == nil {
				return nil, bad(kv[0], "parameter %s has no type (string, number, json, comma_delimited_list or boolean)", name)
			}
			typ, ok := paramTypes[tn.Value]
			if !ok {
				return nil, bad(tn, "parameter %s has type %q; Heat knows string, number, json, comma_delimited_list and boolean", name, tn.Value)
			}
			p := Param{Name: name, Type: typ, Line: kv[0].Line, HasDefault: get(body, "default") != nil || get(body, "Default") != nil}
			if h := get(body, "hidden"); h != nil && h.Value == "true" {
				p.Hidden = true
			}
			t.Params[name] = p
		}
	}
	for _, key := range []string{"outputs", "Outputs"} {
		for _, kv := range mapping(get(root, key)) {
			t.OutputKeys = append(t.OutputKeys, kv[0].Value)
		}
	}
	return t, nil
}

// marked reports a metadata mapping that carries ostui:protected: true
// (or a tags list holding ostui:protected).
func marked(md *yaml.Node) bool {
	if md == nil {
		return false
	}
	if v := get(md, ProtectedKey); v != nil && strings.EqualFold(v.Value, "true") {
		return true
	}
	if tags := get(md, "tags"); tags != nil && tags.Kind == yaml.SequenceNode {
		for _, t := range tags.Content {
			if t.Value == ProtectedKey {
				return true
			}
		}
	}
	return false
}

// ProtectedIn returns the protected resources of a template as Heat
// returns it (GET .../template, JSON): the deployed template, whose marks
// an update is held to.
func ProtectedIn(tpl map[string]any) map[string]string {
	out := map[string]string{}
	res, _ := tpl["resources"].(map[string]any)
	if res == nil {
		res, _ = tpl["Resources"].(map[string]any)
	}
	for name, r := range res {
		m, _ := r.(map[string]any)
		if m == nil {
			continue
		}
		dp, _ := m["deletion_policy"].(string)
		if dp == "" {
			dp, _ = m["DeletionPolicy"].(string)
		}
		if strings.EqualFold(dp, "Retain") {
			out[name] = "its deletion_policy is Retain"
			continue
		}
		md, _ := m["metadata"].(map[string]any)
		if v, ok := md[ProtectedKey]; ok && fmt.Sprint(v) == "true" {
			out[name] = "its metadata carries " + ProtectedKey
			continue
		}
		if tags, ok := md["tags"].([]any); ok {
			for _, t := range tags {
				if t == ProtectedKey {
					out[name] = "its metadata tags carry " + ProtectedKey
				}
			}
		}
	}
	return out
}

// Environment is the merged content of a person's environment files.
type Environment struct {
	Parameters        map[string]any `yaml:"parameters,omitempty" json:"parameters,omitempty"`
	ParameterDefaults map[string]any `yaml:"parameter_defaults,omitempty" json:"parameter_defaults,omitempty"`
	ResourceRegistry  map[string]any `yaml:"resource_registry,omitempty" json:"resource_registry,omitempty"`
	EventSinks        []any          `yaml:"event_sinks,omitempty" json:"event_sinks,omitempty"`
}

var envSections = map[string]bool{
	"parameters": true, "parameter_defaults": true, "resource_registry": true, "event_sinks": true,
	"encrypted_param_names": true, "parameter_merge_strategies": true,
}

// ParseEnvironment parses one environment file.
func ParseEnvironment(path string, b []byte) (*Environment, error) {
	root, err := parseYAML(path, b)
	if err != nil {
		return nil, err
	}
	for _, kv := range mapping(root) {
		if !envSections[kv[0].Value] {
			return nil, &SyntaxError{Path: path, Line: kv[0].Line, Column: kv[0].Column,
				Msg: fmt.Sprintf("%q is not an environment section; an environment has parameters, parameter_defaults and resource_registry", kv[0].Value)}
		}
	}
	var env Environment
	if err := root.Decode(&env); err != nil {
		return nil, &SyntaxError{Path: path, Line: root.Line, Msg: err.Error()}
	}
	return &env, nil
}

// merge adds o over e, later files winning, as heatclient merges them.
func (e *Environment) merge(o *Environment) {
	put := func(dst *map[string]any, src map[string]any) {
		if len(src) == 0 {
			return
		}
		if *dst == nil {
			*dst = map[string]any{}
		}
		for k, v := range src {
			(*dst)[k] = v
		}
	}
	put(&e.Parameters, o.Parameters)
	put(&e.ParameterDefaults, o.ParameterDefaults)
	put(&e.ResourceRegistry, o.ResourceRegistry)
	e.EventSinks = append(e.EventSinks, o.EventSinks...)
}

// Files are a template and its environment files as read from disk,
// checked and ready to send.
type Files struct {
	TemplatePath string
	Template     *Template
	templateBin  []byte
	EnvPaths     []string
	Env          *Environment
	// Digest is a hash of every file read: the gate compares it right
	// before the run, so a file edited after approval is shown again.
	Digest string
}

// readFile reads a person's file, bounded; problems are sentences.
func readFile(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil, fmt.Errorf("%s does not exist", path)
	case err != nil:
		return nil, fmt.Errorf("cannot read %s: %v", path, errors.Unwrap(err))
	case fi.IsDir():
		return nil, fmt.Errorf("%s is a directory; give the template file", path)
	case fi.Size() > MaxFileSize:
		return nil, fmt.Errorf("%s is %d bytes; Heat refuses templates over %d", path, fi.Size(), MaxFileSize)
	}
	b, err := os.ReadFile(path) //nolint:gosec // a file the person named
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %v", path, errors.Unwrap(err))
	}
	return b, nil
}

// Load reads and parses a template and its environment files. The paths
// are made absolute so the files named in the approval are the files
// read at run time.
func Load(templatePath string, envPaths []string) (*Files, error) {
	abs, err := filepath.Abs(templatePath)
	if err != nil {
		return nil, err
	}
	b, err := readFile(abs)
	if err != nil {
		return nil, err
	}
	t, err := ParseTemplate(abs, b)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(b)
	f := &Files{TemplatePath: abs, Template: t, templateBin: b, Env: &Environment{}, Digest: hex.EncodeToString(sum[:])[:16]}
	if err := f.AddEnvironments(envPaths); err != nil {
		return nil, err
	}
	return f, nil
}

// LoadBytes is Load for a template already in memory (a /compose
// draft): no environment.
func LoadBytes(name string, b []byte) (*Files, error) {
	t, err := ParseTemplate(name, b)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(b)
	return &Files{TemplatePath: name, Template: t, templateBin: b, Env: &Environment{}, Digest: hex.EncodeToString(sum[:])[:16]}, nil
}

// AddEnvironments reads environment files and merges them over f's.
func (f *Files) AddEnvironments(paths []string) error {
	h := sha256.New()
	h.Write([]byte(f.Digest))
	for _, p := range paths {
		ap, err := filepath.Abs(p)
		if err != nil {
			return err
		}
		eb, err := readFile(ap)
		if err != nil {
			return err
		}
		env, err := ParseEnvironment(ap, eb)
		if err != nil {
			return err
		}
		f.Env.merge(env)
		f.EnvPaths = append(f.EnvPaths, ap)
		h.Write([]byte{0})
		h.Write(eb)
	}
	f.Digest = hex.EncodeToString(h.Sum(nil))[:16]
	return nil
}

// EnvironmentOpts reads and merges environment files alone, for an
// update that keeps the stack's template.
func EnvironmentOpts(paths []string) (*stacks.Environment, error) {
	f := &Files{Env: &Environment{}}
	if err := f.AddEnvironments(paths); err != nil {
		return nil, err
	}
	_, env, err := f.Opts()
	return env, err
}

// CheckParams holds the parameters a person gives (--parameter k=v) to
// the template's declarations: each must be declared, fit its type, and
// every parameter without a default must get a value (from --parameter
// or an environment file). The problems are sentences for Block findings.
func (f *Files) CheckParams(given map[string]string) []string {
	var out []string
	declared := SortedKeys(f.Template.Params)
	base := filepath.Base(f.TemplatePath)
	for _, k := range SortedKeys(given) {
		p, ok := f.Template.Params[k]
		if !ok {
			out = append(out, fmt.Sprintf("%s declares no parameter %q; it declares %s", base, k, orNone(declared)))
			continue
		}
		if why := typeProblem(p.Type, given[k]); why != "" {
			out = append(out, fmt.Sprintf("parameter %s is a %s (%s line %d) but %q %s", k, p.Type, base, p.Line, given[k], why))
		}
	}
	for _, k := range SortedKeys(f.Env.Parameters) {
		if _, ok := f.Template.Params[k]; !ok {
			out = append(out, fmt.Sprintf("an environment file sets parameter %q, which %s does not declare; it declares %s (use parameter_defaults for values meant for other templates)", k, base, orNone(declared)))
		}
	}
	var missing []string
	for _, k := range declared {
		p := f.Template.Params[k]
		_, g := given[k]
		_, e := f.Env.Parameters[k]
		_, d := f.Env.ParameterDefaults[k]
		if !p.HasDefault && !g && !e && !d {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		var flags []string
		for _, k := range missing {
			flags = append(flags, "--parameter "+k+"=VALUE")
		}
		out = append(out, fmt.Sprintf("%s needs a value for %s (no default in the template); give %s or set it in an environment file", base, strings.Join(missing, ", "), strings.Join(flags, " ")))
	}
	return out
}

func orNone(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// typeProblem says why a value does not fit a Heat parameter type, or "".
func typeProblem(typ, v string) string {
	switch typ {
	case "number":
		if _, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err != nil {
			return "is not a number"
		}
	case "boolean":
		switch strings.ToLower(v) {
		case "true", "false", "t", "f", "yes", "no", "y", "n", "on", "off", "1", "0":
		default:
			return "is not a boolean (true or false)"
		}
	case "json":
		if !json.Valid([]byte(v)) {
			return "is not JSON"
		}
	}
	return ""
}

// Opts are the template and environment as gophercloud's builders take
// them; child templates and get_file files next to the template are
// read by gophercloud, as the openstack CLI reads them.
func (f *Files) Opts() (*stacks.Template, *stacks.Environment, error) {
	var tpl *stacks.Template
	if f.templateBin != nil {
		tpl = &stacks.Template{TE: stacks.TE{Bin: f.templateBin}}
	}
	if tpl != nil && filepath.IsAbs(f.TemplatePath) {
		tpl.URL = "file://" + filepath.ToSlash(f.TemplatePath)
	}
	var env *stacks.Environment
	if f.Env != nil && (len(f.Env.Parameters)+len(f.Env.ParameterDefaults)+len(f.Env.ResourceRegistry)+len(f.Env.EventSinks) > 0) {
		b, err := yaml.Marshal(f.Env)
		if err != nil {
			return nil, nil, err
		}
		env = &stacks.Environment{TE: stacks.TE{Bin: b}}
		if len(f.EnvPaths) > 0 {
			env.URL = "file://" + filepath.ToSlash(f.EnvPaths[0])
		}
	}
	return tpl, env, nil
}

// Params converts --parameter values to the map Heat takes.
func Params(given map[string]string) map[string]any {
	if len(given) == 0 {
		return nil
	}
	out := make(map[string]any, len(given))
	for k, v := range given {
		out[k] = v
	}
	return out
}

// CreateBody is the body of a stack create (and of Heat's preview, which
// takes the same fields), from gophercloud's own builder.
func (f *Files) CreateBody(name string, given map[string]string, timeout int, disableRollback *bool, tags []string) (map[string]any, error) {
	tpl, env, err := f.Opts()
	if err != nil {
		return nil, err
	}
	opts := stacks.CreateOpts{Name: name, TemplateOpts: tpl, EnvironmentOpts: env, Parameters: Params(given), Timeout: timeout, DisableRollback: disableRollback, Tags: tags}
	b, err := opts.ToStackCreateMap()
	if err != nil {
		return nil, fmt.Errorf("read the template's files: %w", err)
	}
	return b, nil
}

// ValidateBody is the body of Heat's template validate: the template,
// environment and files, with the parameters Heat checks against the
// template's declarations.
func (f *Files) ValidateBody(given map[string]string) (map[string]any, error) {
	b, err := f.CreateBody("validate", given, 0, nil, nil)
	if err != nil {
		return nil, err
	}
	delete(b, "stack_name")
	return b, nil
}
