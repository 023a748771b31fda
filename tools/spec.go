package tools

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Prop describes one argument, read from the tool's schema.
type Prop struct {
	Name        string
	Type        string // "string", "integer", "number", "boolean", "array", "object"
	ItemType    string // element type of an array
	Enum        []string
	Description string
	// Resource names the kind whose names complete this argument
	// ("server", "network", ...), from the schema's "x-resource" keyword.
	Resource string
	Required bool
	Default  any
	// Aliases are other spellings of Flag that take a value the same
	// way: the openstack CLI's name for this argument ("--network" for
	// networks), from the schema's "x-aliases". They exist so that
	// muscle memory works; help lists them beside Flag, and the model
	// never sees them.
	Aliases []string
	// Switches are flags that take no value and give this argument a
	// fixed one: the openstack CLI's --public for visibility=public, or
	// --soft for hard=false. From the schema's "x-switches".
	Switches []Switch
}

// Switch is a value-less flag that sets its property to Value.
type Switch struct {
	Flag  string
	Value any
}

// FlagRef is what a typed flag means for a tool: which property it sets
// and how.
type FlagRef struct {
	Prop Prop
	// Negated is --no-X of a boolean property (or of a boolean alias).
	Negated bool
	// Switch is set when the flag is one of Prop's switches: it takes no
	// value and sets Prop to Switch.Value.
	Switch *Switch
	// Alias reports an openstack CLI spelling rather than ostui's own.
	Alias bool
}

// Flag is the --flag form of the argument: underscores become dashes.
func (p Prop) Flag() string { return "--" + strings.ReplaceAll(p.Name, "_", "-") }

// ArgSpec is what the slash parser, help and completion need to know of a
// tool's arguments. It is derived from the schema, never written by hand.
type ArgSpec struct {
	// Positional lists property names that may be given without a flag,
	// in order (schema keyword "x-positional").
	Positional []string
	// Props are every property, positional ones first, then by name.
	Props []Prop
	// Ask lists the properties an interactive shell asks for, in order,
	// when a person leaves required ones out (schema keyword "x-ask"):
	// the launch flow of server.create is this list.
	Ask []string
	// CLI lists the openstack CLI's words for this command ("floating ip
	// list"), from the schema's "x-cli"; the registry indexes them beside
	// the tool's own name.
	CLI []string
	// Noop lists flags the openstack CLI wants that change nothing here
	// ("--absolute" on limits show), from "x-cli-noop": accepted and
	// ignored, so a command line copied from a runbook still works.
	Noop []string
}

// RendererFlags are the output flags the slash parser takes for every
// read command before it looks at the schema. No alias may take one of
// them: it could never be reached.
var RendererFlags = []string{
	"-f", "--format", "-c", "--column", "--sort", "--sort-column",
	"--sort-ascending", "--sort-descending", "--long", "--help", "-h",
	"--noindent", "--fit-width", "--print-empty", "--max-width",
}

// LookupFlag finds what a typed flag ("--key-name", "--no-share",
// "--public") sets. ostui's own flags win over the openstack spellings:
// they are looked at first, and the registry refuses an alias that
// repeats one.
func (s ArgSpec) LookupFlag(flag string) (FlagRef, bool) {
	own := func(f string) (Prop, bool) {
		name, ok := strings.CutPrefix(f, "--")
		if !ok {
			return Prop{}, false
		}
		return s.Prop(strings.ReplaceAll(name, "-", "_"))
	}
	if p, ok := own(flag); ok {
		return FlagRef{Prop: p}, true
	}
	if base, ok := strings.CutPrefix(flag, "--no-"); ok {
		if p, ok := own("--" + base); ok && p.Type == "boolean" {
			return FlagRef{Prop: p, Negated: true}, true
		}
	}
	for _, p := range s.Props {
		for _, a := range p.Aliases {
			if a == flag {
				return FlagRef{Prop: p, Alias: true}, true
			}
			if p.Type == "boolean" && "--no-"+strings.TrimPrefix(a, "--") == flag {
				return FlagRef{Prop: p, Alias: true, Negated: true}, true
			}
		}
		for i := range p.Switches {
			if p.Switches[i].Flag == flag {
				return FlagRef{Prop: p, Alias: true, Switch: &p.Switches[i]}, true
			}
		}
	}
	return FlagRef{}, false
}

// IsShortFlag reports a one-letter flag ("-t"): the openstack CLI's short
// forms (stack create -t FILE -e ENV) may be declared as x-aliases of a
// property that takes a value. The renderer's -f and -c are taken first
// and cannot be claimed (checkAliases refuses them as output flags).
func IsShortFlag(flag string) bool {
	return len(flag) == 2 && flag[0] == '-' && flag[1] >= 'a' && flag[1] <= 'z'
}

// IsNoop reports a flag listed in x-cli-noop.
func (s ArgSpec) IsNoop(flag string) bool {
	for _, f := range s.Noop {
		if f == flag {
			return true
		}
	}
	return false
}

// Flags returns every flag a person may type for this tool: ostui's own
// names first, then the openstack spellings (for suggestions and
// completion).
func (s ArgSpec) Flags() (own, aliases []string) {
	for _, p := range s.Props {
		own = append(own, p.Flag())
		aliases = append(aliases, p.Aliases...)
		for _, sw := range p.Switches {
			aliases = append(aliases, sw.Flag)
		}
	}
	aliases = append(aliases, s.Noop...)
	return own, aliases
}

// Prop returns the property with the given name.
func (s ArgSpec) Prop(name string) (Prop, bool) {
	for _, p := range s.Props {
		if p.Name == name {
			return p, true
		}
	}
	return Prop{}, false
}

// Usage returns the one-line usage of a tool: "/server show SERVER [--flag X]".
func (s ArgSpec) Usage(slash string) string {
	var b strings.Builder
	b.WriteString(slash)
	pos := map[string]bool{}
	for _, name := range s.Positional {
		pos[name] = true
		p, _ := s.Prop(name)
		meta := strings.ToUpper(name)
		if p.Type == "array" {
			meta += "..."
		}
		if p.Required {
			fmt.Fprintf(&b, " %s", meta)
		} else {
			fmt.Fprintf(&b, " [%s]", meta)
		}
	}
	for _, p := range s.Props {
		if pos[p.Name] {
			continue
		}
		b.WriteString(" ")
		if !p.Required {
			b.WriteString("[")
		}
		b.WriteString(p.Flag())
		if p.Type != "boolean" {
			b.WriteString(" " + p.Metavar())
		}
		if !p.Required {
			b.WriteString("]")
		}
	}
	return b.String()
}

// Metavar is the placeholder shown in usage for a flag's value.
func (p Prop) Metavar() string {
	if len(p.Enum) > 0 && len(p.Enum) <= 6 {
		return strings.Join(p.Enum, "|")
	}
	switch p.Type {
	case "integer", "number":
		return "N"
	case "array":
		return strings.ToUpper(strings.TrimSuffix(p.Name, "s"))
	case "object":
		return "KEY=VALUE"
	}
	return strings.ToUpper(p.Name)
}

// rawSchema is the subset of a tool schema the spec is read from.
type rawSchema struct {
	Title       string             `json:"title"`
	Description string             `json:"description"`
	Type        string             `json:"type"`
	Properties  map[string]rawProp `json:"properties"`
	Required    []string           `json:"required"`
	Positional  []string           `json:"x-positional"`
	Ask         []string           `json:"x-ask"`
	CLI         []string           `json:"x-cli"`
	Noop        []string           `json:"x-cli-noop"`
}

type rawProp struct {
	Type        any       `json:"type"`
	Description string    `json:"description"`
	Enum        []any     `json:"enum"`
	Items       *rawProp  `json:"items"`
	Ref         string    `json:"$ref"`
	Resource    string    `json:"x-resource"`
	Default     any       `json:"default"`
	AnyOf       []rawProp `json:"anyOf"`
	// Aliases and Switches belong to the property that names them, never
	// to a shared definition it refers to (see parseSpec).
	Aliases  []string       `json:"x-aliases"`
	Switches map[string]any `json:"x-switches"`
}

// defs are shared definitions a property may $ref.
type defs map[string]rawProp

func (p rawProp) resolve(d defs) rawProp {
	if p.Ref == "" {
		return p
	}
	i := strings.LastIndex(p.Ref, "/")
	target, ok := d[p.Ref[i+1:]]
	if !ok {
		return p
	}
	// The referring property's own annotations win over the definition's.
	if p.Description != "" {
		target.Description = p.Description
	}
	if p.Resource != "" {
		target.Resource = p.Resource
	}
	if p.Default != nil {
		target.Default = p.Default
	}
	return target
}

func typeName(t any) string {
	switch v := t.(type) {
	case string:
		return v
	case []any:
		for _, x := range v {
			if s, ok := x.(string); ok && s != "null" {
				return s
			}
		}
	}
	return ""
}

// parseSpec derives an ArgSpec from a tool schema document.
func parseSpec(doc []byte, d defs) (ArgSpec, string, error) {
	var rs rawSchema
	if err := json.Unmarshal(doc, &rs); err != nil {
		return ArgSpec{}, "", fmt.Errorf("parse schema: %w", err)
	}
	if rs.Type != "object" {
		return ArgSpec{}, "", fmt.Errorf("schema type is %q, want object", rs.Type)
	}
	required := map[string]bool{}
	for _, r := range rs.Required {
		required[r] = true
	}
	spec := ArgSpec{Positional: rs.Positional, Ask: rs.Ask, Noop: rs.Noop}
	for _, form := range rs.CLI {
		words, err := cliWords(form)
		if err != nil {
			return ArgSpec{}, "", err
		}
		spec.CLI = append(spec.CLI, strings.Join(words, " "))
	}
	for _, name := range rs.Ask {
		if _, ok := rs.Properties[name]; !ok {
			return ArgSpec{}, "", fmt.Errorf("x-ask names %q, which is not a property", name)
		}
	}
	for _, name := range rs.Positional {
		if _, ok := rs.Properties[name]; !ok {
			return ArgSpec{}, "", fmt.Errorf("x-positional names %q, which is not a property", name)
		}
	}
	names := make([]string, 0, len(rs.Properties))
	for name := range rs.Properties {
		names = append(names, name)
	}
	order := map[string]int{}
	for i, name := range rs.Positional {
		order[name] = i + 1
	}
	sort.Slice(names, func(i, j int) bool {
		oi, oj := order[names[i]], order[names[j]]
		if (oi > 0) != (oj > 0) {
			return oi > 0
		}
		if oi != oj {
			return oi < oj
		}
		return names[i] < names[j]
	})
	for _, name := range names {
		raw := rs.Properties[name]
		rp := raw.resolve(d)
		p := Prop{
			Name:        name,
			Type:        typeName(rp.Type),
			Description: rp.Description,
			Resource:    rp.Resource,
			Required:    required[name],
			Default:     rp.Default,
		}
		if p.Type == "" && len(rp.AnyOf) > 0 {
			p.Type = typeName(rp.AnyOf[0].resolve(d).Type)
		}
		for _, e := range rp.Enum {
			p.Enum = append(p.Enum, fmt.Sprint(e))
		}
		if rp.Items != nil {
			it := rp.Items.resolve(d)
			p.ItemType = typeName(it.Type)
			if p.Resource == "" {
				p.Resource = it.Resource
			}
			if len(p.Enum) == 0 {
				for _, e := range it.Enum {
					p.Enum = append(p.Enum, fmt.Sprint(e))
				}
			}
		}
		if p.Type == "" {
			return ArgSpec{}, "", fmt.Errorf("property %q has no type", name)
		}
		p.Aliases = raw.Aliases
		sws := make([]string, 0, len(raw.Switches))
		for f := range raw.Switches {
			sws = append(sws, f)
		}
		sort.Strings(sws)
		for _, f := range sws {
			p.Switches = append(p.Switches, Switch{Flag: f, Value: raw.Switches[f]})
		}
		spec.Props = append(spec.Props, p)
	}
	if err := checkAliases(spec); err != nil {
		return ArgSpec{}, "", err
	}
	return spec, rs.Description, nil
}

// cliWords splits an x-cli form into its words and checks they can be
// typed: lower-case words of letters, digits and dashes.
func cliWords(form string) ([]string, error) {
	words := strings.Fields(form)
	if len(words) == 0 {
		return nil, fmt.Errorf("x-cli has an empty form")
	}
	for _, w := range words {
		for _, r := range w {
			if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' {
				return nil, fmt.Errorf("x-cli form %q: %q is not a command word (lower-case letters, digits, dashes)", form, w)
			}
		}
	}
	return words, nil
}

// checkAliases refuses openstack spellings that could never be reached
// or would mean two things: one that repeats an ostui flag (ostui's own
// names are looked at first), one claimed twice, one that the renderer
// takes first, and a switch whose value does not fit its property.
func checkAliases(spec ArgSpec) error {
	owner := map[string]string{}
	for _, p := range spec.Props {
		owner[p.Flag()] = "the flag of " + p.Name
		if p.Type == "boolean" {
			owner["--no-"+strings.TrimPrefix(p.Flag(), "--")] = "the negation of " + p.Name
		}
	}
	for _, f := range RendererFlags {
		owner[f] = "an output flag"
	}
	claim := func(flag, what string) error {
		if !strings.HasPrefix(flag, "--") || len(flag) < 3 {
			if !IsShortFlag(flag) {
				return fmt.Errorf("%s %q is not a --flag (nor a one-letter -x)", what, flag)
			}
		}
		if prev, taken := owner[flag]; taken {
			return fmt.Errorf("%s %s is already %s", what, flag, prev)
		}
		owner[flag] = what
		return nil
	}
	for _, p := range spec.Props {
		for _, a := range p.Aliases {
			if err := claim(a, "x-aliases of "+p.Name); err != nil {
				return err
			}
			if p.Type == "boolean" && IsShortFlag(a) {
				return fmt.Errorf("x-aliases of %s: %s: a one-letter alias takes a value, and %s is a boolean", p.Name, a, p.Name)
			}
			if p.Type == "boolean" {
				if err := claim("--no-"+strings.TrimPrefix(a, "--"), "x-aliases of "+p.Name+" (negated)"); err != nil {
					return err
				}
			}
		}
		for _, sw := range p.Switches {
			if err := claim(sw.Flag, "x-switches of "+p.Name); err != nil {
				return err
			}
			if err := switchFits(p, sw.Value); err != nil {
				return fmt.Errorf("x-switches of %s: %s %w", p.Name, sw.Flag, err)
			}
		}
	}
	for _, f := range spec.Noop {
		if err := claim(f, "x-cli-noop"); err != nil {
			return err
		}
	}
	return nil
}

// switchFits checks a switch's fixed value against its property's type
// and enum, so a typo in a schema fails the build, not a person's command.
func switchFits(p Prop, v any) error {
	switch p.Type {
	case "boolean":
		if _, ok := v.(bool); !ok {
			return fmt.Errorf("sets %v, want true or false", v)
		}
	case "string":
		s, ok := v.(string)
		if !ok {
			return fmt.Errorf("sets %v, want a string", v)
		}
		if len(p.Enum) > 0 && !slices.Contains(p.Enum, s) {
			return fmt.Errorf("sets %q, want one of %s", s, strings.Join(p.Enum, ", "))
		}
	default:
		return fmt.Errorf("is on a %s property; switches set booleans and strings", p.Type)
	}
	return nil
}
