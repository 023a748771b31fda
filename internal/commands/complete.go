package commands

import (
	"sort"
	"strings"

	"github.com/kriscelmer/os-tui/internal/views/browse"
	"github.com/kriscelmer/os-tui/tools"
)

// Formats are the values -f completes to.
var Formats = []string{"table", "json", "yaml", "csv", "value"}

var outputFlags = []string{"--format", "--column", "--sort", "--long", "--help"}

// Completer completes slash commands, their flags and values from the
// registry, and resource names from those seen in recent output.
type Completer struct {
	Registry *tools.Registry
	// Builtins are the shell's own commands.
	Builtins []Builtin
	// Names returns remembered names of a kind ("server"); may be nil.
	Names func(kind string) []string
	// Clouds returns the cloud names for /cloud; may be nil.
	Clouds func() []string
}

// Complete implements the REPL's completer: candidates for the word ending
// at pos, and how many runes before pos they replace.
func (c *Completer) Complete(line string, pos int) ([]string, int) {
	runes := []rune(line)
	if pos > len(runes) {
		pos = len(runes)
	}
	before := string(runes[:pos])
	if !strings.HasPrefix(strings.TrimLeft(before, " "), "/") {
		return nil, 0
	}
	words := strings.Fields(strings.TrimLeft(before, " ")[1:])
	current := ""
	if !strings.HasSuffix(before, " ") && len(words) > 0 {
		current = words[len(words)-1]
		words = words[:len(words)-1]
	}
	cands := c.candidates(words, current)
	return filterPrefix(cands, current), len([]rune(current))
}

// Words completes a command given as separate words (the shell's
// `ostui __complete` entry point): all but the last are complete.
func (c *Completer) Words(words []string) []string {
	if len(words) == 0 {
		words = []string{""}
	}
	current := words[len(words)-1]
	return filterPrefix(c.candidates(words[:len(words)-1], current), current)
}

func (c *Completer) candidates(words []string, current string) []string {
	reg := c.Registry
	if len(words) == 0 {
		// The first word, typed after the slash (the slash itself is not
		// part of the word): nouns, the first words of the openstack
		// spellings ("floating", "security"), and built-ins.
		seen := map[string]bool{}
		var out []string
		for _, cmd := range reg.Commands() {
			if w := cmd.Words[0] + " "; !seen[w] {
				seen[w] = true
				out = append(out, w)
			}
		}
		for _, b := range c.Builtins {
			out = append(out, b.Name+" ")
		}
		sort.Strings(out)
		return out
	}
	switch words[0] {
	case "help":
		return c.candidates(words[1:], current)
	case "cloud":
		if c.Clouds != nil && len(words) == 1 {
			return c.Clouds()
		}
		return nil
	case "browse":
		// What the browser can open: every list of the registry.
		if len(words) == 1 {
			return browse.Complete(browse.Resources(reg), "")
		}
		return nil
	}
	tool, n := reg.Resolve(words)
	if tool == nil {
		// The start of commands typed ("server", "floating ip"): offer
		// the next words, with a space after those that end a command.
		seen := map[string]bool{}
		var out []string
		for _, cmd := range reg.CommandsUnder(words) {
			cand := cmd.Words[len(words)]
			if len(cmd.Words) == len(words)+1 {
				cand += " "
			}
			if !seen[cand] {
				seen[cand] = true
				out = append(out, cand)
			}
		}
		sort.Strings(out)
		return out
	}
	args := words[n:]
	// A flag waiting for its value?
	if len(args) > 0 && strings.HasPrefix(args[len(args)-1], "-") {
		flag := args[len(args)-1]
		switch flag {
		case "-f", "--format":
			return Formats
		case "-c", "--column", "--sort", "--sort-column":
			return nil
		}
		if p, ok := takesValue(tool, flag); ok {
			return c.values(p)
		}
	}
	if strings.HasPrefix(current, "-") {
		// ostui's own flags; the openstack spellings only when none of
		// ostui's fits what was typed ("--pub" → --public), so that
		// completion teaches ostui's names.
		own, aliases := tool.Spec.Flags()
		out := filterPrefix(own, current)
		if tool.Effect == tools.Read {
			out = append(out, filterPrefix(outputFlags, current)...)
		} else if strings.HasPrefix("--help", current) {
			out = append(out, "--help")
		}
		if len(out) == 0 {
			out = filterPrefix(aliases, current)
		}
		sort.Strings(out)
		return out
	}
	// The next positional argument.
	filled := 0
	for i := 0; i < len(args); i++ {
		a := args[i]
		if strings.HasPrefix(a, "-") {
			if _, ok := takesValue(tool, a); ok && !strings.Contains(a, "=") {
				i++
			} else if a == "-f" || a == "--format" || a == "-c" || a == "--column" || a == "--sort" || a == "--sort-column" {
				i++
			}
			continue
		}
		filled++
	}
	if filled < len(tool.Spec.Positional) {
		p, _ := tool.Spec.Prop(tool.Spec.Positional[filled])
		return c.values(p)
	}
	if last := len(tool.Spec.Positional) - 1; last >= 0 {
		if p, _ := tool.Spec.Prop(tool.Spec.Positional[last]); p.Type == "array" {
			return c.values(p)
		}
	}
	return nil
}

func (c *Completer) values(p tools.Prop) []string {
	if len(p.Enum) > 0 {
		return p.Enum
	}
	if p.Resource != "" && c.Names != nil {
		return quoteAll(c.Names(p.Resource))
	}
	return nil
}

// quoteAll quotes names that the router would otherwise split.
func quoteAll(names []string) []string {
	out := make([]string, 0, len(names))
	for _, n := range names {
		if strings.ContainsAny(n, " \t'\"\\") {
			n = "'" + strings.ReplaceAll(n, "'", `'\''`) + "'"
		}
		out = append(out, n)
	}
	return out
}

// takesValue reports the property a flag (own or openstack spelling)
// gives the next word to; booleans and switches take none.
func takesValue(tool *tools.Tool, flag string) (tools.Prop, bool) {
	ref, ok := tool.Spec.LookupFlag(flag)
	if !ok || ref.Switch != nil || ref.Prop.Type == "boolean" {
		return tools.Prop{}, false
	}
	return ref.Prop, true
}

func filterPrefix(cands []string, prefix string) []string {
	var out []string
	for _, c := range cands {
		if strings.HasPrefix(c, prefix) {
			out = append(out, c)
		}
	}
	return out
}
