package tools

import (
	"encoding/json"
	"fmt"
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
	spec := ArgSpec{Positional: rs.Positional, Ask: rs.Ask}
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
		rp := rs.Properties[name].resolve(d)
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
		spec.Props = append(spec.Props, p)
	}
	return spec, rs.Description, nil
}
