package tools

import (
	"fmt"
	"sort"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// describe turns a schema validation error into plain sentences, one per
// leaf problem, naming arguments the way a person types them (--flag).
func describe(ve *jsonschema.ValidationError) []string {
	return describeWith(ve, argName)
}

// describeWith is describe with a chosen way of naming locations.
func describeWith(ve *jsonschema.ValidationError, name func([]string) string) []string {
	var out []string
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if alts := alternatives(e, name); alts != "" {
			out = append(out, alts)
			return
		}
		if len(e.Causes) > 0 {
			for _, c := range e.Causes {
				walk(c)
			}
			return
		}
		if s := sentence(e, name); s != "" {
			out = append(out, s)
		}
	}
	walk(ve)
	sort.Strings(out)
	// Keep each sentence once: anyOf branches repeat themselves.
	uniq := out[:0]
	for i, s := range out {
		if i == 0 || s != out[i-1] {
			uniq = append(uniq, s)
		}
	}
	if len(uniq) == 0 {
		uniq = append(uniq, ve.Error())
	}
	return uniq
}

// alternatives reads a oneOf or anyOf whose every branch failed only for
// want of one argument ("an image, or a boot volume") as one sentence:
// "one of --image or --boot-volume is required" — not as each branch's
// "is required", which reads as if all were needed.
func alternatives(e *jsonschema.ValidationError, name func([]string) string) string {
	switch k := e.ErrorKind.(type) {
	case *kind.AnyOf:
	case *kind.OneOf:
		if k.Subschemas != nil {
			return "" // too many matched: said by the leaf sentence
		}
	default:
		return ""
	}
	if len(e.Causes) < 2 {
		return ""
	}
	var names []string
	for _, c := range e.Causes {
		req, ok := c.ErrorKind.(*kind.Required)
		if !ok || len(c.Causes) > 0 || len(req.Missing) != 1 {
			return ""
		}
		names = append(names, name(append(append([]string(nil), c.InstanceLocation...), req.Missing[0])))
	}
	return "one of " + strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1] + " is required"
}

func argName(loc []string) string {
	if len(loc) == 0 {
		return "the arguments"
	}
	return "--" + strings.ReplaceAll(strings.Join(loc, "."), "_", "-")
}

// pathName names a location in a document: steps[0].tool.
func pathName(loc []string) string {
	if len(loc) == 0 {
		return "the document"
	}
	var b strings.Builder
	for i, p := range loc {
		if _, err := fmt.Sscanf(p, "%d", new(int)); err == nil && i > 0 {
			fmt.Fprintf(&b, "[%s]", p)
			continue
		}
		if i > 0 {
			b.WriteString(".")
		}
		b.WriteString(p)
	}
	return b.String()
}

func sentence(e *jsonschema.ValidationError, argName func([]string) string) string {
	name := argName(e.InstanceLocation)
	switch k := e.ErrorKind.(type) {
	case *kind.Required:
		var names []string
		for _, m := range k.Missing {
			names = append(names, argName(append(append([]string{}, e.InstanceLocation...), m)))
		}
		if len(names) == 1 {
			return names[0] + " is required"
		}
		return strings.Join(names, ", ") + " are required"
	case *kind.AdditionalProperties:
		var names []string
		for _, p := range k.Properties {
			names = append(names, argName(append(append([]string{}, e.InstanceLocation...), p)))
		}
		if len(names) == 1 {
			return "unknown argument " + names[0]
		}
		return "unknown arguments " + strings.Join(names, ", ")
	case *kind.Type:
		return fmt.Sprintf("%s must be %s, not %s", name, article(strings.Join(k.Want, " or ")), article(k.Got))
	case *kind.Enum:
		var want []string
		for _, w := range k.Want {
			want = append(want, fmt.Sprint(w))
		}
		return fmt.Sprintf("%s must be one of %s (got %v)", name, strings.Join(want, ", "), k.Got)
	case *kind.MinLength:
		if k.Want == 1 {
			return name + " must not be empty"
		}
		return fmt.Sprintf("%s must be at least %d characters", name, k.Want)
	case *kind.MaxLength:
		return fmt.Sprintf("%s must be at most %d characters", name, k.Want)
	case *kind.Minimum:
		return fmt.Sprintf("%s must be at least %s (got %s)", name, k.Want.RatString(), k.Got.RatString())
	case *kind.Maximum:
		return fmt.Sprintf("%s must be at most %s (got %s)", name, k.Want.RatString(), k.Got.RatString())
	case *kind.Pattern:
		return fmt.Sprintf("%s has an invalid value %q", name, k.Got)
	case *kind.MinItems:
		return fmt.Sprintf("%s needs at least %d value(s)", name, k.Want)
	case *kind.MaxItems:
		return fmt.Sprintf("%s takes at most %d value(s)", name, k.Want)
	case *kind.Format:
		return fmt.Sprintf("%s is not a valid %s", name, k.Want)
	case *kind.FalseSchema:
		return "unknown argument " + name
	}
	return fmt.Sprintf("%s: %s", name, e.ErrorKind.LocalizedString(printer))
}

var printer = message.NewPrinter(language.English)

func article(t string) string {
	switch t {
	case "integer", "array", "object":
		return "an " + t
	case "boolean", "string", "number":
		return "a " + t
	}
	return t
}
