package recipes

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/kriscelmer/os-tui/agent/plan"
	"github.com/kriscelmer/os-tui/internal/secrets"
	"github.com/kriscelmer/os-tui/tools"
)

// SecretError refuses to save a plan whose arguments hold a secret: a
// recipe file is plain text (0644) and goes into git.
type SecretError struct{ Step, Arg string }

func (e *SecretError) Error() string {
	return fmt.Sprintf("step %s: argument %s is a secret; a recipe is a plain file kept in git, so it cannot hold one (leave the argument out and give it when you run the plan)", e.Step, e.Arg)
}

// Compiled on first use: package init stays free (TestInitIsCheap).
var stepRef = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^\$\{([a-zA-Z][a-zA-Z0-9_-]*)\.([a-zA-Z][a-zA-Z0-9_:]*)\}$`)
})

// Lift turns a plan the person reviewed or ran into a recipe. The values
// they chose (names, sizes, ranges, a network or an image) become
// parameters, documented from the tool's schema, each defaulting to the
// value used; a value that an earlier step produced (outputs, when the
// plan ran) becomes a reference ${step.field}; each step gets a holds
// check where its goal can be read back, so a replay skips what is
// already there. It refuses a plan that holds a secret.
func Lift(reg *tools.Registry, p *plan.Plan, outputs map[string]map[string]string) (*plan.Recipe, error) {
	r := &plan.Recipe{Goal: p.Goal, Params: map[string]plan.Param{}}
	// byValue shares one parameter among steps that used the same value
	// for the same argument (a group name in two rules).
	byValue := map[string]string{}
	// An argument that takes different values in different steps (two
	// names) needs a parameter per step; one value everywhere, one.
	values := map[string]map[string]bool{}
	for _, s := range p.Steps {
		for a, v := range argValues(s) {
			if values[a] == nil {
				values[a] = map[string]bool{}
			}
			values[a][v] = true
		}
	}
	for _, s := range p.Steps {
		tool, ok := reg.Lookup(s.Tool)
		if !ok {
			return nil, fmt.Errorf("step %s: unknown tool %q", s.ID, s.Tool)
		}
		var args map[string]any
		if err := json.Unmarshal(s.Args, &args); err != nil {
			return nil, fmt.Errorf("step %s: arguments are not an object: %w", s.ID, err)
		}
		if err := refuseSecrets(reg, s, args); err != nil {
			return nil, err
		}
		keys := make([]string, 0, len(args))
		for k := range args {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			prop, _ := tool.Spec.Prop(k)
			v := args[k]
			if ref := producedBy(v, outputs, s.ID, p); ref != "" {
				args[k] = ref
				continue
			}
			text, typ, ok := liftable(v, prop)
			if !ok {
				continue
			}
			key := k + "\x00" + text
			name, seen := byValue[key]
			if !seen {
				name = paramName(k, s.ID, len(values[k]) > 1, r.Params)
				byValue[key] = name
				def := text
				r.Params[name] = plan.Param{Description: describe(prop, tool), Type: typ, Default: &def}
			}
			args[k] = "${param." + name + "}"
		}
		step := plan.RecipeStep{ID: s.ID, Tool: s.Tool, Why: s.Why, Args: args}
		if s.Holds != nil {
			step.Holds = s.Holds
		} else {
			step.Holds = HoldsFor(reg, tool, args)
		}
		r.Steps = append(r.Steps, step)
	}
	if len(r.Params) == 0 {
		r.Params = nil
	}
	// The goal and each step's why follow the parameters, so a run with
	// other values does not describe the old ones.
	r.Goal = templated(r.Goal, byValue)
	for i := range r.Steps {
		r.Steps[i].Why = templated(r.Steps[i].Why, byValue)
	}
	return r, nil
}

// templated replaces, in a line of text, each whole occurrence of a
// parameter's value (six characters or more, so "4" or "tcp" in a
// sentence stays) with ${param.NAME}.
func templated(text string, byValue map[string]string) string {
	type sub struct{ value, name string }
	var subs []sub
	seen := map[string]bool{}
	for key, name := range byValue {
		_, value, _ := strings.Cut(key, "\x00")
		if len(value) < 6 || seen[value] || strings.ContainsAny(value, "\n$") {
			continue
		}
		seen[value] = true
		subs = append(subs, sub{value, name})
	}
	// Longest first, so "web-10" is not taken for "web-1"; then by name,
	// so the result does not depend on map order.
	sort.Slice(subs, func(i, j int) bool {
		if len(subs[i].value) != len(subs[j].value) {
			return len(subs[i].value) > len(subs[j].value)
		}
		return subs[i].name < subs[j].name
	})
	for _, s := range subs {
		text = replaceWhole(text, s.value, "${param."+s.name+"}")
	}
	return text
}

// replaceWhole replaces old where it stands alone: not inside a longer
// name or number.
func replaceWhole(text, old, repl string) string {
	word := func(c byte) bool {
		return c == '-' || c == '_' || c == '.' || '0' <= c && c <= '9' || asciiLetter(c)
	}
	var b strings.Builder
	for {
		i := strings.Index(text, old)
		if i < 0 {
			b.WriteString(text)
			return b.String()
		}
		end := i + len(old)
		whole := (i == 0 || !word(text[i-1])) && (end == len(text) || !word(text[end]) || text[end] == '.' && (end+1 == len(text) || !word(text[end+1])))
		if whole {
			b.WriteString(text[:i] + repl)
		} else {
			b.WriteString(text[:end])
		}
		text = text[end:]
	}
}

func argValues(s plan.Step) map[string]string {
	var m map[string]any
	_ = json.Unmarshal(s.Args, &m)
	out := make(map[string]string, len(m))
	for k, v := range m {
		b, _ := json.Marshal(v)
		out[k] = string(b)
	}
	return out
}

// refuseSecrets refuses an argument the schema marks secret (writeOnly,
// x-secret) or that redaction would hide (a password, user data, a
// private key).
func refuseSecrets(reg *tools.Registry, s plan.Step, args map[string]any) error {
	marked := secretProps(reg, s.Tool)
	keys := make([]string, 0, len(args))
	for k := range args {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if _, flag := args[k].(bool); flag && !marked[k] {
			// A switch (show_secret: true) holds no secret, whatever
			// its name says.
			continue
		}
		if marked[k] || secrets.IsSecretKey(k) {
			return &SecretError{Step: s.ID, Arg: k}
		}
		one, _ := json.Marshal(map[string]any{k: args[k]})
		if string(secrets.Redact(one)) != string(one) {
			return &SecretError{Step: s.ID, Arg: k}
		}
	}
	return nil
}

// secretProps reads the schema's marks: writeOnly (JSON Schema's word for
// a value that is sent, never shown) and x-secret.
func secretProps(reg *tools.Registry, tool string) map[string]bool {
	raw, ok := reg.Schema(tool)
	if !ok {
		return nil
	}
	var doc struct {
		Properties map[string]struct {
			WriteOnly bool `json:"writeOnly"`
			Secret    bool `json:"x-secret"`
		} `json:"properties"`
	}
	if json.Unmarshal(raw, &doc) != nil {
		return nil
	}
	out := map[string]bool{}
	for k, p := range doc.Properties {
		if p.WriteOnly || p.Secret {
			out[k] = true
		}
	}
	return out
}

// producedBy returns ${step.field} when v is a value an earlier step
// produced (or already such a reference), else "".
func producedBy(v any, outputs map[string]map[string]string, self string, p *plan.Plan) string {
	s, ok := v.(string)
	if !ok || s == "" {
		return ""
	}
	if stepRef().MatchString(s) {
		return s
	}
	for _, earlier := range p.Steps {
		if earlier.ID == self {
			break
		}
		// Only an ID: a name an earlier step produced is the person's
		// own choice, typed again, and stays a parameter.
		if id := outputs[earlier.ID]["id"]; id != "" && id == s {
			return "${" + earlier.ID + ".id}"
		}
	}
	return ""
}

// liftable says whether an argument value becomes a parameter: text and
// whole numbers the person chose. Booleans (switches), lists, objects and
// the values of an enum (a direction, an ethertype: the plan's shape,
// not a choice of resource) stay as they are.
func liftable(v any, prop tools.Prop) (text, typ string, ok bool) {
	if len(prop.Enum) > 0 {
		return "", "", false
	}
	switch t := v.(type) {
	case string:
		if strings.Contains(t, "${") {
			return "", "", false
		}
		return t, "", true
	case float64:
		if t == float64(int64(t)) {
			return strconv.FormatInt(int64(t), 10), "integer", true
		}
		return strconv.FormatFloat(t, 'g', -1, 64), "number", true
	}
	return "", "", false
}

// paramName is the argument's name, or step_argument when several steps
// use the argument with different values.
func paramName(arg, step string, shared bool, taken map[string]plan.Param) string {
	clean := func(s string) string {
		return strings.Map(func(r rune) rune {
			if r == '-' || r == '.' || r == ':' {
				return '_'
			}
			return r
		}, s)
	}
	name := clean(arg)
	if shared {
		name = clean(step) + "_" + name
	}
	if name == "" || !asciiLetter(name[0]) {
		name = "p_" + name
	}
	base := name
	for i := 2; ; i++ {
		if _, ok := taken[name]; !ok {
			return name
		}
		name = fmt.Sprintf("%s_%d", base, i)
	}
}

func describe(prop tools.Prop, tool *tools.Tool) string {
	if prop.Description != "" {
		return prop.Description + " (" + tool.Slash() + ")"
	}
	return prop.Name + " of " + tool.Slash()
}

// asciiLetter: a parameter's name starts with one (recipe.schema.json).
func asciiLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
