// Package router turns one line of input into a typed intent: a tool call
// parsed by the tool's own schema, a built-in shell command, a request for
// help, or plain language for the planner. It does no I/O.
package router

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/kriscelmer/os-tui/tools"
)

// Intent is what a line asks for. It is one of Empty, Prose, Builtin,
// Help or Call.
type Intent interface{ intent() }

// Empty is a blank line.
type Empty struct{}

// Prose is plain language for the planner.
type Prose struct{ Text string }

// Builtin is a shell command that is not a tool: /help, /cloud, /quit, ...
type Builtin struct {
	Name string
	Args []string
}

// Help asks for help on a tool or a noun ("server", "server list").
type Help struct{ Topic string }

// Call is a tool invocation whose arguments passed the tool's schema.
type Call struct {
	Tool   *tools.Tool
	Args   tools.Args
	Output Output
}

func (Empty) intent()   {}
func (Prose) intent()   {}
func (Builtin) intent() {}
func (Help) intent()    {}
func (Call) intent()    {}

// Output holds the output flags every read command takes. They belong to
// the renderer, not to the tool, so they never appear in a schema.
type Output struct {
	Format  string   // -f, --format
	Columns []string // -c, --column (repeatable)
	Sort    []string // --sort (repeatable) "Name" or "Name:desc"
	Long    bool     // --long
}

// Router parses lines against a registry and a set of built-in commands.
type Router struct {
	reg      *tools.Registry
	builtins map[string]bool
}

// New returns a router. builtins are names without the slash ("help").
func New(reg *tools.Registry, builtins []string) *Router {
	b := map[string]bool{}
	for _, name := range builtins {
		b[name] = true
	}
	return &Router{reg: reg, builtins: b}
}

// UnknownCommandError is returned for a slash command that names no tool
// or built-in.
type UnknownCommandError struct {
	Input       string   // what was typed, e.g. "/sever list"
	Suggestions []string // "did you mean" slash forms
	Verbs       []string // when the noun exists: its verbs
	Noun        string
}

func (e *UnknownCommandError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "unknown command %s", e.Input)
	if len(e.Verbs) > 0 {
		fmt.Fprintf(&b, "\n/%s takes: %s", e.Noun, strings.Join(e.Verbs, ", "))
	}
	if len(e.Suggestions) > 0 {
		fmt.Fprintf(&b, "\ndid you mean: %s", strings.Join(e.Suggestions, ", "))
	}
	if len(e.Verbs) == 0 && len(e.Suggestions) == 0 {
		b.WriteString("\ntype /help for the list of commands")
	}
	return b.String()
}

// UsageError says why arguments did not fit a tool, with its usage line.
type UsageError struct {
	Tool     *tools.Tool
	Problems []string
	// unknownFlags maps an index in Problems to a --flag the tool does
	// not know, so that Route can look for a sibling command taking it.
	unknownFlags map[int]string
}

func (e *UsageError) Error() string {
	return strings.Join(e.Problems, "\n") + "\nusage: " + e.Tool.Spec.Usage(e.Tool.Slash()) +
		"\n(see /help " + strings.TrimPrefix(e.Tool.Slash(), "/") + ")"
}

// Route parses one line.
func (r *Router) Route(line string) (Intent, error) {
	trimmed := strings.TrimSpace(line)
	if trimmed == "" {
		return Empty{}, nil
	}
	if !strings.HasPrefix(trimmed, "/") {
		return Prose{Text: trimmed}, nil
	}
	words, err := tokenize(trimmed[1:])
	if err != nil {
		return nil, fmt.Errorf("cannot read that command: %w", err)
	}
	if len(words) == 0 {
		return Help{}, nil
	}
	// "/server.list" is accepted as well as "/server list".
	if strings.Contains(words[0], ".") {
		words = append(strings.Split(words[0], "."), words[1:]...)
	}
	if r.builtins[words[0]] {
		return Builtin{Name: words[0], Args: words[1:]}, nil
	}
	tool, n := r.reg.Resolve(words)
	if tool == nil {
		// "/server", "/security group", "/floating ip -h": the start of
		// commands, so show them.
		k := len(words)
		for i, w := range words {
			if isHelpFlag(w) {
				k = i
				break
			}
		}
		if k > 0 && len(r.reg.CommandsUnder(words[:k])) > 0 {
			return Help{Topic: strings.Join(words[:k], " ")}, nil
		}
		return nil, r.unknown(words)
	}
	rest := words[n:]
	for _, w := range rest {
		if w == "--" {
			break
		}
		if isHelpFlag(w) {
			return Help{Topic: strings.ReplaceAll(tool.Name, ".", " ")}, nil
		}
	}
	args, out, err := ParseArgs(tool, rest)
	if err != nil {
		if ue, ok := err.(*UsageError); ok {
			r.pointToSiblings(ue)
		}
		return nil, err
	}
	if err := r.reg.Validate(tool.Name, args); err != nil {
		if ae, ok := err.(*tools.ArgsError); ok {
			return nil, &UsageError{Tool: tool, Problems: ae.Problems}
		}
		return nil, err
	}
	return Call{Tool: tool, Args: args, Output: out}, nil
}

func isHelpFlag(w string) bool { return w == "--help" || w == "-h" }

// pointToSiblings adds, to an unknown flag, the commands of the same noun
// that take it: the openstack CLI chooses some operations by a flag where
// ostui has a command ("server set --name" is /server rename, "keypair
// create --public-key" is /keypair import).
func (r *Router) pointToSiblings(ue *UsageError) {
	noun, _, _ := strings.Cut(ue.Tool.Name, ".")
	for i, flag := range ue.unknownFlags {
		var takers []string
		for _, t := range r.reg.Tools() {
			if t == ue.Tool || !strings.HasPrefix(t.Name, noun+".") {
				continue
			}
			if _, ok := t.Spec.LookupFlag(flag); ok {
				takers = append(takers, t.Slash())
			}
		}
		// A flag exactly right for another command beats a near miss
		// here; too many takers say nothing.
		if len(takers) > 0 && len(takers) <= 3 {
			ue.Problems[i] = fmt.Sprintf("unknown flag %s (a flag of %s)", flag, strings.Join(takers, ", "))
		}
	}
}

// unknown explains a slash command that names nothing: the commands that
// continue what was typed right, and the nearest spellings (ostui's or the
// openstack CLI's) of what was typed wrong.
func (r *Router) unknown(words []string) error {
	e := &UnknownCommandError{Input: "/" + strings.Join(words, " ")}
	// The longest run of typed words that begins some command is what
	// the person got right: "/server lst" got "server".
	k := 0
	for _, c := range r.reg.Commands() {
		n := 0
		for n < len(c.Words) && n < len(words) && c.Words[n] == words[n] {
			n++
		}
		k = max(k, n)
	}
	if k > 0 {
		e.Noun = strings.Join(words[:k], " ")
		var own, alias, rests []string
		seen := map[string]bool{}
		for _, c := range r.reg.CommandsUnder(words[:k]) {
			rest := strings.Join(c.Words[k:], " ")
			if seen[rest] {
				continue
			}
			seen[rest] = true
			rests = append(rests, rest)
			if c.Alias {
				alias = append(alias, rest)
			} else {
				own = append(own, rest)
			}
		}
		// ostui's own verbs are listed; the openstack ones only when the
		// noun is an openstack spelling ("/floating ip").
		e.Verbs = own
		if len(own) == 0 {
			e.Verbs = alias
		}
		if len(words) > k {
			for _, s := range closestWords(words[k:], rests, 3) {
				e.Suggestions = append(e.Suggestions, "/"+e.Noun+" "+s)
			}
		}
		return e
	}
	var forms []string
	for _, c := range r.reg.Commands() {
		forms = append(forms, c.String())
	}
	var firsts []string
	for name := range r.builtins {
		firsts = append(firsts, name)
	}
	seen := map[string]bool{}
	for _, c := range r.reg.Commands() {
		if !seen[c.Words[0]] {
			seen[c.Words[0]] = true
			firsts = append(firsts, c.Words[0])
		}
	}
	if len(words) == 1 {
		forms = append(forms, firsts...)
	}
	sugg := closestWords(words, forms, 3)
	if len(sugg) == 0 {
		sugg = closest(words[0], firsts, 3)
	}
	for _, s := range sugg {
		e.Suggestions = append(e.Suggestions, "/"+s)
	}
	return e
}

// ParseArgs turns the words after a command into JSON arguments, using the
// tool's spec for positional order, flag names and value types. Problems a
// person can fix come back as a *UsageError.
func ParseArgs(tool *tools.Tool, words []string) (tools.Args, Output, error) {
	var (
		out      Output
		problems []string
		pos      []string
		vals     = map[string]any{}
		spec     = tool.Spec
	)
	set := func(p tools.Prop, raw string, viaFlag string) {
		v, err := convert(p, raw)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s %s", viaFlag, err))
			return
		}
		switch p.Type {
		case "array":
			cur, _ := vals[p.Name].([]any)
			vals[p.Name] = append(cur, v)
		case "object":
			cur, _ := vals[p.Name].(map[string]any)
			if cur == nil {
				cur = map[string]any{}
			}
			kv := v.([2]string)
			cur[kv[0]] = kv[1]
			vals[p.Name] = cur
		default:
			if _, dup := vals[p.Name]; dup {
				problems = append(problems, fmt.Sprintf("%s is given more than once", viaFlag))
				return
			}
			vals[p.Name] = v
		}
	}
	// setValue gives a switch's fixed value: --public is visibility public.
	setValue := func(p tools.Prop, v any, viaFlag string) {
		if _, dup := vals[p.Name]; dup {
			problems = append(problems, fmt.Sprintf("%s is given more than once (%s sets it too)", p.Flag(), viaFlag))
			return
		}
		vals[p.Name] = v
	}
	descending := false
	var unknownFlags map[int]string
	flagsDone := false
	for i := 0; i < len(words); i++ {
		w := words[i]
		next := func(flag string) (string, bool) {
			if i+1 >= len(words) {
				problems = append(problems, flag+" needs a value")
				return "", false
			}
			i++
			return words[i], true
		}
		if flagsDone || !strings.HasPrefix(w, "-") || w == "-" || isNumber(w) {
			if k, v, ok := strings.Cut(w, "="); ok && !flagsDone {
				if p, found := spec.Prop(propName(k)); found {
					set(p, v, p.Flag())
					continue
				}
			}
			pos = append(pos, w)
			continue
		}
		if w == "--" {
			flagsDone = true
			continue
		}
		name, inline, hasInline := strings.Cut(w, "=")
		value := func(flag string) (string, bool) {
			if hasInline {
				return inline, true
			}
			return next(flag)
		}
		switch name {
		case "-f", "--format":
			if v, ok := value(name); ok {
				out.Format = v
			}
			continue
		case "-c", "--column":
			if v, ok := value(name); ok {
				out.Columns = append(out.Columns, v)
			}
			continue
		case "--sort", "--sort-column":
			if v, ok := value(name); ok {
				out.Sort = append(out.Sort, v)
			}
			continue
		case "--sort-ascending":
			descending = false
			continue
		case "--sort-descending":
			descending = true
			continue
		case "--long":
			out.Long = true
			continue
		case "--noindent", "--fit-width", "--print-empty":
			// The openstack CLI's layout flags: ostui lays tables out
			// to the terminal and prints empty cells anyway.
			continue
		case "--max-width":
			value(name)
			continue
		}
		if !strings.HasPrefix(name, "--") {
			// A one-letter openstack alias (-t FILE) is the only
			// single-dash flag a schema may declare.
			if ref, found := spec.LookupFlag(name); found && tools.IsShortFlag(name) && ref.Switch == nil && ref.Prop.Type != "boolean" {
				if v, ok := value(name); ok {
					set(ref.Prop, v, name)
				}
				continue
			}
			problems = append(problems, fmt.Sprintf("unknown flag %s", name))
			continue
		}
		if spec.IsNoop(name) {
			continue
		}
		ref, found := spec.LookupFlag(name)
		if !found {
			msg := fmt.Sprintf("unknown flag %s", name)
			own, aliases := spec.Flags()
			flags := append(own, "--format", "--column", "--sort", "--long")
			s := closest(name, flags, 1)
			if len(s) == 0 {
				// An openstack spelling is suggested only when no ostui
				// flag is near: help and errors teach ostui's names.
				s = closest(name, aliases, 1)
			}
			if len(s) > 0 {
				msg += fmt.Sprintf(" (did you mean %s?)", s[0])
			}
			if unknownFlags == nil {
				unknownFlags = map[int]string{}
			}
			unknownFlags[len(problems)] = name
			problems = append(problems, msg)
			continue
		}
		p, negated := ref.Prop, ref.Negated
		if ref.Switch != nil {
			if hasInline {
				problems = append(problems, fmt.Sprintf("%s takes no value (it means %s %v)", name, p.Flag(), ref.Switch.Value))
				continue
			}
			setValue(p, ref.Switch.Value, name)
			continue
		}
		if p.Type == "boolean" {
			switch {
			case negated:
				set(p, "false", name)
			case hasInline:
				set(p, inline, name)
			default:
				set(p, "true", name)
			}
			continue
		}
		if v, ok := value(name); ok {
			set(p, v, name)
		}
	}
	// Positional words fill x-positional properties in order; an array as
	// the last positional takes the rest.
	pi := 0
	for _, name := range spec.Positional {
		if pi >= len(pos) {
			break
		}
		p, _ := spec.Prop(name)
		if _, given := vals[name]; given && p.Type != "array" {
			continue
		}
		if p.Type == "array" {
			for ; pi < len(pos); pi++ {
				set(p, pos[pi], strings.ToUpper(name))
			}
			break
		}
		set(p, pos[pi], strings.ToUpper(name))
		pi++
	}
	for ; pi < len(pos); pi++ {
		problems = append(problems, fmt.Sprintf("unexpected argument %q", pos[pi]))
	}
	// The openstack CLI's --sort-descending turns every sort column around.
	if descending {
		for i, col := range out.Sort {
			if !strings.Contains(col, ":") {
				out.Sort[i] = col + ":desc"
			}
		}
	}
	if len(problems) > 0 {
		return nil, out, &UsageError{Tool: tool, Problems: problems, unknownFlags: unknownFlags}
	}
	b, err := json.Marshal(vals)
	if err != nil {
		return nil, out, fmt.Errorf("encode arguments: %w", err)
	}
	return b, out, nil
}

// propName maps a flag spelling (dashes) to a schema property (underscores).
func propName(flag string) string { return strings.ReplaceAll(flag, "-", "_") }

func isNumber(w string) bool {
	_, err := strconv.ParseFloat(w, 64)
	return err == nil
}

// convert turns a typed word into the JSON value the schema expects.
func convert(p tools.Prop, raw string) (any, error) {
	typ := p.Type
	if typ == "array" {
		typ = p.ItemType
	}
	switch typ {
	case "integer":
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("must be a whole number (got %q)", raw)
		}
		return n, nil
	case "number":
		f, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			return nil, fmt.Errorf("must be a number (got %q)", raw)
		}
		return f, nil
	case "boolean":
		b, err := strconv.ParseBool(raw)
		if err != nil {
			return nil, fmt.Errorf("must be true or false (got %q)", raw)
		}
		return b, nil
	case "object":
		k, v, ok := strings.Cut(raw, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("takes KEY=VALUE (got %q)", raw)
		}
		return [2]string{k, v}, nil
	}
	return raw, nil
}

// Commands returns every slash form, sorted, for help and completion.
func (r *Router) Commands() []string {
	var out []string
	for _, t := range r.reg.Tools() {
		out = append(out, t.Slash())
	}
	for name := range r.builtins {
		out = append(out, "/"+name)
	}
	sort.Strings(out)
	return out
}
