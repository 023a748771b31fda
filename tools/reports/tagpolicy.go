package reports

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"gopkg.in/yaml.v3"

	"github.com/kriscelmer/os-tui/schemas"
	"github.com/kriscelmer/os-tui/tools"
)

// PolicySchema is the file the policy format is defined in (schemas/).
const PolicySchema = "tag-policy.schema.json"

// TypeInfo is what a policy can ask of one resource type, and which tool
// adds what is missing.
type TypeInfo struct {
	// Source is the list the resources come from.
	Source Source
	// Tags and Properties say whether the type carries them at all.
	Tags, Properties bool
	// FixTool is the set tool that adds what is missing, and the
	// arguments it names them with ("" when none can).
	FixTool, Arg, TagArg, PropArg string
}

// PolicyTypes are the resource types a policy may name. Tags come from
// Nova (servers, 2.26 and later), Glance and Neutron's standard
// attributes; properties from Nova's metadata, Cinder's metadata and
// Glance's properties. Cinder volumes have no tags and Neutron resources
// no properties. A type whose set tool does not take tags (yet) is
// checked, and /tags fix says it cannot add them.
var PolicyTypes = map[string]TypeInfo{
	"server":         {Source: SrcServers, Tags: true, Properties: true, FixTool: "server.set", Arg: "server", TagArg: "tag", PropArg: "property"},
	"volume":         {Source: SrcVolumes, Properties: true, FixTool: "volume.set", Arg: "volume", PropArg: "properties"},
	"image":          {Source: SrcImages, Tags: true, Properties: true, FixTool: "image.set", Arg: "image", PropArg: "property"},
	"network":        {Source: SrcNetworks, Tags: true, FixTool: "network.set", Arg: "network", TagArg: "tag"},
	"subnet":         {Source: SrcSubnets, Tags: true, FixTool: "subnet.set", Arg: "subnet", TagArg: "tag"},
	"port":           {Source: SrcPorts, Tags: true},
	"router":         {Source: SrcRouters, Tags: true},
	"security-group": {Source: SrcGroups, Tags: true},
	"floating-ip":    {Source: SrcFloatingIPs, Tags: true},
}

// Policy is a parsed tag policy.
type Policy struct {
	Description string
	// Types are the resource types the policy names, sorted.
	Types []string
	Rules map[string]Rules
}

// Rules are what one resource type must carry.
type Rules struct {
	// Name, when set, limits the rules to resources whose name matches.
	Name *regexp.Regexp
	Tags []TagRule
	// Properties by key; Keys lists them sorted.
	Properties map[string]ValueRule
	Keys       []string
}

// TagRule is one required tag: Tag itself, or some tag matching Pattern.
type TagRule struct {
	Tag     string
	Pattern *regexp.Regexp
	Default string
}

// Text writes the rule as a person reads it.
func (r TagRule) Text() string {
	if r.Pattern == nil {
		return r.Tag
	}
	return "a tag matching " + r.Pattern.String()
}

// ValueRule is one required property: any value, or one matching Pattern.
type ValueRule struct {
	Pattern *regexp.Regexp
	Default string
	// HasDefault: a default of "" is a value too.
	HasDefault bool
}

// PolicyError lists what is wrong in a policy file, each problem with its
// line and field.
type PolicyError struct {
	File     string
	Problems []string
}

func (e *PolicyError) Error() string {
	name := e.File
	if name == "" {
		name = "the policy"
	}
	return fmt.Sprintf("%s is not a valid tag policy (%s):\n  %s", name, PolicySchema, strings.Join(e.Problems, "\n  "))
}

var policySchema = sync.OnceValues(func() (*jsonschema.Schema, error) {
	raw, err := schemas.FS.ReadFile(PolicySchema)
	if err != nil {
		return nil, err
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", PolicySchema, err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(schemas.BaseURL+PolicySchema, doc); err != nil {
		return nil, err
	}
	return c.Compile(schemas.BaseURL + PolicySchema)
})

// ParsePolicy reads a policy: YAML (or JSON) checked against
// tag-policy.schema.json, then against what each type can carry. Every
// problem names its line and field; an unknown resource type names the
// closest known one.
func ParsePolicy(file string, b []byte) (*Policy, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(b, &root); err != nil {
		return nil, &PolicyError{File: file, Problems: []string{yamlProblem(err)}}
	}
	if len(root.Content) == 0 {
		return nil, &PolicyError{File: file, Problems: []string{"line 1: the file is empty; a policy has resources: with rules by resource type"}}
	}
	top := root.Content[0]
	var doc any
	if err := top.Decode(&doc); err != nil {
		return nil, &PolicyError{File: file, Problems: []string{yamlProblem(err)}}
	}
	js, err := json.Marshal(doc)
	if err != nil {
		return nil, &PolicyError{File: file, Problems: []string{fmt.Sprintf("line %d: %v", top.Line, err)}}
	}
	// Unknown types first, by hand: the schema would only say the name is
	// not one of nine.
	var problems []string
	var shape struct {
		Resources map[string]json.RawMessage `json:"resources"`
	}
	_ = json.Unmarshal(js, &shape)
	for _, t := range sortedKeys(shape.Resources) {
		if _, ok := PolicyTypes[t]; !ok {
			problems = append(problems, fmt.Sprintf("line %d: resources.%s: unknown resource type %q%s", tools.YAMLLine(top, []string{"resources", t}), t, t, closest(t)))
		}
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(js))
	if err != nil {
		return nil, err
	}
	sch, err := policySchema()
	if err != nil {
		return nil, fmt.Errorf("compile %s: %w", PolicySchema, err)
	}
	if err := sch.Validate(inst); err != nil {
		var ve *jsonschema.ValidationError
		if !errors.As(err, &ve) {
			return nil, fmt.Errorf("validate %s: %w", file, err)
		}
		shapeWrong := false
		for _, p := range schemaProblems(ve, top) {
			if !slices.Contains(problems, p) && !unknownTypeNoise(p, problems) {
				problems = append(problems, p)
				shapeWrong = true
			}
		}
		// Only unknown types: the known ones are still worth checking,
		// so one run names every problem.
		if shapeWrong {
			return nil, &PolicyError{File: file, Problems: problems}
		}
	}
	var raw struct {
		Description string `json:"description"`
		Resources   map[string]struct {
			Name       string                      `json:"name"`
			Tags       []json.RawMessage           `json:"tags"`
			Properties map[string]*json.RawMessage `json:"properties"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(js, &raw); err != nil {
		return nil, err
	}
	p := &Policy{Description: raw.Description, Rules: map[string]Rules{}}
	for _, t := range sortedKeys(raw.Resources) {
		rr := raw.Resources[t]
		info, known := PolicyTypes[t]
		if !known {
			continue
		}
		at := func(path ...string) string {
			return fmt.Sprintf("line %d: %s", tools.YAMLLine(top, append([]string{"resources", t}, path...)), tools.FieldPath(append([]string{"resources", t}, path...), "the policy"))
		}
		var rules Rules
		if rr.Name != "" {
			re, perr := compilePattern(rr.Name)
			if perr != nil {
				problems = append(problems, fmt.Sprintf("%s: %v", at("name"), perr))
			}
			rules.Name = re
		}
		if len(rr.Tags) == 0 && len(rr.Properties) == 0 {
			problems = append(problems, fmt.Sprintf("%s: no tags and no properties: say what a %s must carry", at(), t))
		}
		if len(rr.Tags) > 0 && !info.Tags {
			problems = append(problems, fmt.Sprintf("%s: %ss have no tags in OpenStack; require properties instead", at("tags"), t))
		}
		if len(rr.Properties) > 0 && !info.Properties {
			problems = append(problems, fmt.Sprintf("%s: %ss have no properties (metadata) in OpenStack; require tags instead", at("properties"), t))
		}
		for i, tr := range rr.Tags {
			var tag string
			if json.Unmarshal(tr, &tag) == nil {
				rules.Tags = append(rules.Tags, TagRule{Tag: tag})
				continue
			}
			var o struct{ Pattern, Default string }
			_ = json.Unmarshal(tr, &o)
			re, perr := compilePattern(o.Pattern)
			if perr != nil {
				problems = append(problems, fmt.Sprintf("%s.pattern: %v", at("tags", strconv.Itoa(i)), perr))
				continue
			}
			if o.Default != "" && !re.MatchString(o.Default) {
				problems = append(problems, fmt.Sprintf("%s.default: %q does not match its pattern %s", at("tags", strconv.Itoa(i)), o.Default, o.Pattern))
			}
			rules.Tags = append(rules.Tags, TagRule{Pattern: re, Default: o.Default})
		}
		rules.Properties = map[string]ValueRule{}
		for _, k := range sortedKeys(rr.Properties) {
			v := rr.Properties[k]
			var vr ValueRule
			if v != nil && string(*v) != "null" {
				var o struct {
					Pattern string  `json:"pattern"`
					Default *string `json:"default"`
				}
				_ = json.Unmarshal(*v, &o)
				if o.Pattern != "" {
					re, perr := compilePattern(o.Pattern)
					if perr != nil {
						problems = append(problems, fmt.Sprintf("%s.pattern: %v", at("properties", k), perr))
						continue
					}
					vr.Pattern = re
				}
				if o.Default != nil {
					vr.Default, vr.HasDefault = *o.Default, true
					if vr.Pattern != nil && !vr.Pattern.MatchString(vr.Default) {
						problems = append(problems, fmt.Sprintf("%s.default: %q does not match its pattern %s", at("properties", k), vr.Default, o.Pattern))
					}
				}
			}
			rules.Properties[k] = vr
			rules.Keys = append(rules.Keys, k)
		}
		p.Types = append(p.Types, t)
		p.Rules[t] = rules
	}
	if len(problems) > 0 {
		return nil, &PolicyError{File: file, Problems: problems}
	}
	return p, nil
}

// unknownTypeNoise reports a schema complaint about a resource type the
// hand check already named.
func unknownTypeNoise(p string, problems []string) bool {
	for _, q := range problems {
		if strings.Contains(q, "unknown resource type") {
			prefix, _, _ := strings.Cut(q, ": unknown")
			if strings.HasPrefix(p, prefix) {
				return true
			}
		}
	}
	return false
}

func compilePattern(p string) (*regexp.Regexp, error) {
	re, err := regexp.Compile(p)
	if err != nil {
		return nil, fmt.Errorf("not a regular expression (RE2): %v", err)
	}
	return re, nil
}

// yamlProblem turns a YAML error into "line N: …".
func yamlProblem(err error) string {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if strings.HasPrefix(msg, "line ") {
		return msg
	}
	return "not YAML: " + msg
}

// closest suggests the known type nearest to t, as ` (did you mean "x"?)`.
func closest(t string) string {
	best, dist := "", 1<<30
	for _, k := range sortedKeys(PolicyTypes) {
		if d := editDistance(strings.ToLower(t), k); d < dist {
			best, dist = k, d
		}
	}
	if dist <= max(2, len(t)/2) {
		return fmt.Sprintf(" (did you mean %q?)", best)
	}
	return "; the types are " + strings.Join(sortedKeys(PolicyTypes), ", ")
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// schemaProblems turns a validation error into "line 7: resources.server.tags[0]: …".
func schemaProblems(ve *jsonschema.ValidationError, root *yaml.Node) []string {
	return tools.SchemaLines(ve, root, tools.SchemaLineOptions{
		Whole: "the policy",
		// Resource types are checked by hand first, with a suggestion.
		Skip: func(e *jsonschema.ValidationError) bool { return strings.Contains(e.SchemaURL, "/propertyNames") },
		Leaf: func(e *jsonschema.ValidationError) bool { _, isOneOf := e.ErrorKind.(*kind.OneOf); return isOneOf },
		Describe: func(e *jsonschema.ValidationError, field string) (string, bool) {
			if _, isOneOf := e.ErrorKind.(*kind.OneOf); isOneOf {
				return fmt.Sprintf("%s: write a tag (text without , or /) or {pattern: REGEX, default: TAG}; for a property, nothing or {pattern: REGEX, default: VALUE}", field), true
			}
			return "", false
		},
	})
}

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}

// Sources are the lists a policy's types are read from.
func (p *Policy) Sources() []Source {
	var out []Source
	for _, t := range p.Types {
		if s := PolicyTypes[t].Source; !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// Resource is one resource as a policy sees it.
type Resource struct {
	Type, ID, Name string
	Tags           []string
	Properties     map[string]string
}

// Label names the resource: its name, else its ID.
func (r Resource) Label() string {
	if r.Name != "" {
		return r.Name
	}
	return r.ID
}

// Resources lists the resources of a type in the facts, those of the
// project only (a shared network or a public image is someone else's to
// tag), sorted by label and ID.
func (f *Facts) Resources(typ string) []Resource {
	var out []Resource
	mine := func(project string) bool { return project == "" || f.ProjectID == "" || project == f.ProjectID }
	switch typ {
	case "server":
		for _, s := range f.Servers {
			out = append(out, Resource{typ, s.ID, s.Name, s.Tags, s.Properties})
		}
	case "volume":
		for _, v := range f.Volumes {
			out = append(out, Resource{Type: typ, ID: v.ID, Name: v.Name, Properties: v.Properties})
		}
	case "image":
		for _, im := range f.Images {
			if im.Owner == f.ProjectID {
				out = append(out, Resource{typ, im.ID, im.Name, im.Tags, im.Properties})
			}
		}
	case "network", "subnet":
		list := f.Networks
		if typ == "subnet" {
			list = f.Subnets
		}
		for _, n := range list {
			if mine(n.ProjectID) {
				out = append(out, Resource{Type: typ, ID: n.ID, Name: n.Name, Tags: n.Tags})
			}
		}
	case "port":
		for _, p := range f.Ports {
			// Neutron's own ports (DHCP, router interfaces, gateways) are
			// made and removed by Neutron: no one tags them.
			if mine(p.ProjectID) && !strings.HasPrefix(p.DeviceOwner, "network:") {
				out = append(out, Resource{Type: typ, ID: p.ID, Name: p.Name, Tags: p.Tags})
			}
		}
	case "router":
		for _, r := range f.Routers {
			if mine(r.ProjectID) {
				out = append(out, Resource{Type: typ, ID: r.ID, Name: r.Name, Tags: r.Tags})
			}
		}
	case "security-group":
		for _, g := range f.Groups {
			if mine(g.ProjectID) {
				out = append(out, Resource{Type: typ, ID: g.ID, Name: g.Name, Tags: g.Tags})
			}
		}
	case "floating-ip":
		for _, ip := range f.FloatingIPs {
			if mine(ip.ProjectID) {
				out = append(out, Resource{Type: typ, ID: ip.ID, Name: ip.Address, Tags: ip.Tags})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Label() != out[j].Label() {
			return out[i].Label() < out[j].Label()
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// ResourcesOf lists the resources of a type the policy judges: the
// project's, and of those the ones its name pattern matches.
func (p *Policy) ResourcesOf(f *Facts, typ string) []Resource {
	rules := p.Rules[typ]
	var out []Resource
	for _, r := range f.Resources(typ) {
		if rules.Name == nil || rules.Name.MatchString(r.Name) {
			out = append(out, r)
		}
	}
	return out
}

// Miss is one resource that does not meet the policy.
type Miss struct {
	Resource
	// Missing says what is missing or wrong, each as a phrase ("tag env",
	// "property owner", "property owner=bob does not match ^[a-z]+@").
	Missing []string
	// AddTags and SetProperties are what the fix adds (defaults and
	// required tags); Unfixable says what it cannot, and why.
	AddTags       []string
	SetProperties map[string]string
	Unfixable     []string
}

// CheckPolicy judges every resource of the policy's types. Types whose
// list could not be read are left out (ReadFacts said why in its notes).
// The order is deterministic: by type, then label, then ID.
func CheckPolicy(f Facts, p *Policy) []Miss {
	var out []Miss
	for _, t := range p.Types {
		info := PolicyTypes[t]
		if !f.Has(info.Source) {
			continue
		}
		rules := p.Rules[t]
		for _, r := range p.ResourcesOf(&f, t) {
			m := Miss{Resource: r, SetProperties: map[string]string{}}
			for _, tr := range rules.Tags {
				if tr.Pattern == nil {
					if !slices.Contains(r.Tags, tr.Tag) {
						m.Missing = append(m.Missing, "tag "+tr.Tag)
						m.addTag(info, t, tr.Tag)
					}
					continue
				}
				if !slices.ContainsFunc(r.Tags, tr.Pattern.MatchString) {
					m.Missing = append(m.Missing, tr.Text())
					if tr.Default == "" {
						m.Unfixable = append(m.Unfixable, tr.Text()+": the policy gives no default")
					} else {
						m.addTag(info, t, tr.Default)
					}
				}
			}
			for _, k := range rules.Keys {
				vr := rules.Properties[k]
				v, ok := r.Properties[k]
				switch {
				case !ok:
					m.Missing = append(m.Missing, "property "+k)
					switch {
					case !vr.HasDefault && vr.Pattern == nil:
						m.Unfixable = append(m.Unfixable, "property "+k+": the policy gives no default value")
					case !vr.HasDefault:
						m.Unfixable = append(m.Unfixable, "property "+k+": the policy gives no default matching "+vr.Pattern.String())
					case info.PropArg == "":
						m.Unfixable = append(m.Unfixable, "property "+k+": no set tool takes properties of a "+t)
					default:
						m.SetProperties[k] = vr.Default
					}
				case vr.Pattern != nil && !vr.Pattern.MatchString(v):
					m.Missing = append(m.Missing, fmt.Sprintf("property %s=%s does not match %s", k, v, vr.Pattern))
					m.Unfixable = append(m.Unfixable, "property "+k+": a value that is there is not overwritten; set it by hand")
				}
			}
			if len(m.Missing) > 0 {
				out = append(out, m)
			}
		}
	}
	return out
}

func (m *Miss) addTag(info TypeInfo, typ, tag string) {
	if info.TagArg == "" {
		m.Unfixable = append(m.Unfixable, "tag "+tag+": no set tool takes tags of a "+typ+" yet")
		return
	}
	if !slices.Contains(m.AddTags, tag) {
		m.AddTags = append(m.AddTags, tag)
	}
}

// FixArgs are the arguments of the set tool that adds what m misses, or
// nil when it can add nothing.
func (m Miss) FixArgs() (tool string, args map[string]any) {
	info := PolicyTypes[m.Type]
	if info.FixTool == "" || len(m.AddTags) == 0 && len(m.SetProperties) == 0 {
		return "", nil
	}
	args = map[string]any{info.Arg: m.ID}
	if len(m.AddTags) > 0 {
		args[info.TagArg] = m.AddTags
	}
	if len(m.SetProperties) > 0 {
		args[info.PropArg] = m.SetProperties
	}
	return info.FixTool, args
}
