// Package sgtemplate holds security group templates: named sets of rules
// ("web": 80 and 443 from anywhere) as YAML files checked against a JSON
// Schema, the ones ostui ships and the person's own, which override a
// shipped one of the same name. A template is compared with a group as
// normalized rules (Diff), and the difference becomes one plan of rule
// creates and deletes (Steps) that goes through the gate like any other;
// applying it again finds nothing to do.
package sgtemplate

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"gopkg.in/yaml.v3"
)

// printer, paramRef and portsShape are built on first use: the shell
// starts without paying for templates it may never read.
var printer = sync.OnceValue(func() *message.Printer { return message.NewPrinter(language.English) })

//go:embed templates/*.yaml
var shipped embed.FS

//go:embed sgtemplate.schema.json
var schemaDoc []byte

// Shipped is the Source of the templates built into ostui.
const Shipped = "shipped"

// Template is one parsed, valid template.
type Template struct {
	Name        string           `json:"name"`
	Description string           `json:"description,omitempty"`
	Manages     []string         `json:"manages,omitempty"`
	Params      map[string]Param `json:"params,omitempty"`
	Rules       []RuleSpec       `json:"rules"`
	// Source is Shipped or the file the template was read from.
	Source string `json:"-"`
}

// Param is a value the template takes from --param NAME=VALUE.
type Param struct {
	Description string  `json:"description,omitempty"`
	Default     *string `json:"default,omitempty"`
}

// RuleSpec is one rule as the template writes it; ${NAME} in its strings
// stands for a parameter.
type RuleSpec struct {
	Direction   string `json:"direction,omitempty"`
	EtherType   string `json:"ethertype,omitempty"`
	Protocol    string `json:"protocol"`
	Ports       any    `json:"ports,omitempty"` // int or string
	Remote      string `json:"remote,omitempty"`
	Description string `json:"description,omitempty"`
}

// Directions the template owns: manages, or by default ingress and the
// direction of every rule it lists.
func (t *Template) Directions() []string {
	if len(t.Manages) > 0 {
		return t.Manages
	}
	out := []string{"ingress"}
	for _, r := range t.Rules {
		if r.Direction == "egress" {
			return append(out, "egress")
		}
	}
	return out
}

// ParamNames lists the template's parameters, sorted.
func (t *Template) ParamNames() []string {
	out := make([]string, 0, len(t.Params))
	for k := range t.Params {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

var compiled = sync.OnceValues(func() (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemaDoc))
	if err != nil {
		return nil, fmt.Errorf("parse the template schema: %w", err)
	}
	c := jsonschema.NewCompiler()
	const url = "https://ostui.dev/schemas/sgtemplate.schema.json"
	if err := c.AddResource(url, doc); err != nil {
		return nil, err
	}
	return c.Compile(url)
})

// paramRef is ${name} inside a template string.
var paramRef = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\$\{([^}]*)\}`) })

// Parse reads one template document (YAML) and checks it against the
// schema and for parameters used but not declared. source names it in
// errors.
func Parse(b []byte, source string) (*Template, error) {
	var doc any
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("%s: not YAML: %w", source, err)
	}
	if doc == nil {
		return nil, fmt.Errorf("%s: empty template", source)
	}
	// Through JSON, so the validator sees the types it knows.
	j, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	sch, err := compiled()
	if err != nil {
		return nil, err
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(j))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	if err := sch.Validate(inst); err != nil {
		var ve *jsonschema.ValidationError
		if errors.As(err, &ve) {
			return nil, fmt.Errorf("%s does not fit the template schema:\n%s", source, schemaProblems(ve))
		}
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	var t Template
	dec := json.NewDecoder(bytes.NewReader(j))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&t); err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	t.Source = source
	for i, r := range t.Rules {
		for _, s := range []string{r.Remote, r.Description, fmt.Sprint(r.Ports)} {
			for _, m := range paramRef().FindAllStringSubmatch(s, -1) {
				if _, ok := t.Params[m[1]]; !ok {
					return nil, fmt.Errorf("%s: rule %d uses ${%s}, which is not under params", source, i+1, m[1])
				}
			}
		}
	}
	return &t, nil
}

// schemaProblems lists the validator's leaf errors, one per line, each at
// its place in the document ("/rules/0/ports").
func schemaProblems(ve *jsonschema.ValidationError) string {
	var lines []string
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			where := "/" + strings.Join(e.InstanceLocation, "/")
			lines = append(lines, fmt.Sprintf("  %s: %s", where, e.ErrorKind.LocalizedString(printer())))
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	sort.Strings(lines)
	return strings.Join(slicesCompact(lines), "\n")
}

func slicesCompact(s []string) []string {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// Set is the templates a person can use, by name.
type Set struct {
	byName map[string]*Template
	// Problems are user template files that could not be used; the rest
	// still are.
	Problems []error
}

// Load reads the shipped templates and then every *.yaml and *.yml file
// of dir (the person's own; a missing dir is none), which replace shipped
// templates of the same name. A broken user file is reported in
// Problems, not fatal: the other templates still work.
func Load(dir string) (*Set, error) {
	s := &Set{byName: map[string]*Template{}}
	files, err := fs.Glob(shipped, "templates/*.yaml")
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		b, err := shipped.ReadFile(f)
		if err != nil {
			return nil, err
		}
		t, err := Parse(b, "shipped "+f)
		if err != nil {
			return nil, err
		}
		t.Source = Shipped
		s.byName[t.Name] = t
	}
	if dir == "" {
		return s, nil
	}
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		s.Problems = append(s.Problems, fmt.Errorf("read templates in %s: %w", dir, err))
		return s, nil
	}
	own := map[string]string{}
	for _, e := range entries {
		name := e.Name()
		yamlFile := strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml")
		if e.IsDir() || !yamlFile {
			continue
		}
		path := filepath.Join(dir, name)
		b, err := os.ReadFile(path) //nolint:gosec // the person's own template directory
		if err != nil {
			s.Problems = append(s.Problems, err)
			continue
		}
		t, err := Parse(b, path)
		if err != nil {
			s.Problems = append(s.Problems, err)
			continue
		}
		if prev, dup := own[t.Name]; dup {
			s.Problems = append(s.Problems, fmt.Errorf("%s and %s both define template %s; %s is used", prev, path, t.Name, prev))
			continue
		}
		own[t.Name] = path
		s.byName[t.Name] = t
	}
	return s, nil
}

// All returns the templates sorted by name.
func (s *Set) All() []*Template {
	out := make([]*Template, 0, len(s.byName))
	for _, t := range s.byName {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Get finds a template by name, or says which exist.
func (s *Set) Get(name string) (*Template, error) {
	if t, ok := s.byName[name]; ok {
		return t, nil
	}
	var names []string
	for _, t := range s.All() {
		names = append(names, t.Name)
	}
	return nil, fmt.Errorf("no security group template %q; templates: %s (see /security group templates)", name, strings.Join(names, ", "))
}

// Dir is where a person keeps their own templates: security-group-
// templates next to ostui's config file.
func Dir(configFile string) string {
	return filepath.Join(filepath.Dir(configFile), "security-group-templates")
}
