package tools

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"gopkg.in/yaml.v3"
)

// SchemaLineOptions adjust SchemaLines to one kind of file.
type SchemaLineOptions struct {
	// Whole names the document in a problem at its root ("the recipe").
	Whole string
	// Skip drops an error and its causes: something the caller reports
	// better itself.
	Skip func(e *jsonschema.ValidationError) bool
	// Leaf reports an error with causes as itself (a oneOf whose every
	// branch failed says more than the failures of branches the person did
	// not mean).
	Leaf func(e *jsonschema.ValidationError) bool
	// Describe words an error itself; ok false keeps the usual wording.
	// field is the error's place, as FieldPath writes it.
	Describe func(e *jsonschema.ValidationError, field string) (text string, ok bool)
}

var schemaPrinter = sync.OnceValue(func() *message.Printer { return message.NewPrinter(language.English) })

// SchemaLines turns a JSON Schema validation error of a YAML document
// (root is its top node) into sentences a person can act on, "line 7:
// steps[0].tool: …", sorted by line, each once. The recipe and tag-policy
// files share it.
func SchemaLines(ve *jsonschema.ValidationError, root *yaml.Node, o SchemaLineOptions) []string {
	type problem struct {
		line int
		text string
	}
	var out []problem
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if o.Skip != nil && o.Skip(e) {
			return
		}
		if len(e.Causes) > 0 && (o.Leaf == nil || !o.Leaf(e)) {
			for _, c := range e.Causes {
				walk(c)
			}
			return
		}
		loc := e.InstanceLocation
		var text string
		switch k := e.ErrorKind.(type) {
		case *kind.Required:
			text = fmt.Sprintf("%s is required", joinFieldNames(loc, k.Missing, o.Whole))
		case *kind.AdditionalProperties:
			text = fmt.Sprintf("unknown field %s", joinFieldNames(loc, k.Properties, o.Whole))
			if len(k.Properties) == 1 {
				loc = append(append([]string{}, loc...), k.Properties[0])
			}
		default:
			field := FieldPath(loc, o.Whole)
			if o.Describe != nil {
				if t, ok := o.Describe(e, field); ok {
					text = t
					break
				}
			}
			text = fmt.Sprintf("%s: %s", field, e.ErrorKind.LocalizedString(schemaPrinter()))
		}
		out = append(out, problem{line: YAMLLine(root, loc), text: text})
	}
	walk(ve)
	sort.SliceStable(out, func(i, j int) bool { return out[i].line < out[j].line })
	var lines []string
	for _, p := range out {
		if s := fmt.Sprintf("line %d: %s", p.line, p.text); !slices.Contains(lines, s) {
			lines = append(lines, s)
		}
	}
	return lines
}

func joinFieldNames(loc, names []string, whole string) string {
	var out []string
	for _, n := range names {
		out = append(out, FieldPath(append(append([]string{}, loc...), n), whole))
	}
	return strings.Join(out, ", ")
}

// FieldPath writes an instance location as a person reads it:
// steps[0].holds.tool; whole at the root.
func FieldPath(loc []string, whole string) string {
	if len(loc) == 0 {
		return whole
	}
	var b strings.Builder
	for _, p := range loc {
		if _, err := strconv.Atoi(p); err == nil {
			fmt.Fprintf(&b, "[%s]", p)
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(p)
	}
	return b.String()
}

// YAMLLine finds the line of the node at loc, or of its nearest parent
// that exists.
func YAMLLine(n *yaml.Node, loc []string) int {
	line := n.Line
	for _, p := range loc {
		var next *yaml.Node
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == p {
					line = n.Content[i].Line
					next = n.Content[i+1]
					break
				}
			}
		case yaml.SequenceNode:
			if i, err := strconv.Atoi(p); err == nil && i < len(n.Content) {
				next = n.Content[i]
				line = next.Line
			}
		}
		if next == nil {
			return line
		}
		n = next
	}
	return line
}
