package tools

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Command is one way to type a tool on the slash line: the words of its
// own name ("floating-ip list") or an openstack CLI spelling from its
// schema's "x-cli" ("floating ip list").
type Command struct {
	Words []string
	Tool  *Tool
	// Alias marks an openstack CLI spelling, not the tool's own name.
	Alias bool
}

// String is the command as typed after the slash: "floating ip list".
func (c Command) String() string { return strings.Join(c.Words, " ") }

// commandIndex finds tools by the words that spell them.
type commandIndex struct {
	byWords  map[string]Command
	list     []Command
	maxWords int
}

// indexCommands indexes every tool under its own name and its x-cli
// forms. The rules that keep a command line meaning one thing:
//   - an x-cli form may not be another tool's name, nor claimed by two
//     tools (ostui's own names are never shadowed);
//   - an x-cli form may not extend a command whose tool takes a
//     positional argument, nor be extended by one, since then the extra
//     word would be read as that argument by one spelling and as a
//     command word by the other ("/server show list" must stay a server
//     named list). Two of ostui's own names may (server resize and server
//     resize confirm); that is the existing contract.
func indexCommands(tools []*Tool) (*commandIndex, error) {
	ix := &commandIndex{byWords: map[string]Command{}}
	add := func(c Command) {
		ix.list = append(ix.list, c)
		ix.maxWords = max(ix.maxWords, len(c.Words))
	}
	for _, t := range tools {
		add(Command{Words: strings.Split(t.Name, "."), Tool: t})
	}
	for _, t := range tools {
		for _, form := range t.Spec.CLI {
			add(Command{Words: strings.Fields(form), Tool: t, Alias: true})
		}
	}
	for _, c := range ix.list {
		key := c.String()
		if prev, dup := ix.byWords[key]; dup {
			switch {
			case !prev.Alias && prev.Tool == c.Tool:
				return nil, fmt.Errorf("schema of %s: x-cli form %q is the tool's own name; leave it out", c.Tool.Name, key)
			case !prev.Alias:
				return nil, fmt.Errorf("schema of %s: x-cli form %q is already the name of tool %s", c.Tool.Name, key, prev.Tool.Name)
			default:
				return nil, fmt.Errorf("x-cli form %q is claimed by both %s and %s", key, prev.Tool.Name, c.Tool.Name)
			}
		}
		ix.byWords[key] = c
	}
	for _, a := range ix.list {
		for _, b := range ix.list {
			if !a.Alias && !b.Alias {
				continue
			}
			if len(a.Words) < len(b.Words) && slices.Equal(a.Words, b.Words[:len(a.Words)]) && len(a.Tool.Spec.Positional) > 0 {
				alias := a
				if !alias.Alias {
					alias = b
				}
				return nil, fmt.Errorf("schema of %s: x-cli form %q and /%s (of %s) would read %q both as a command word and as the %s argument",
					alias.Tool.Name, alias.String(), a.String(), a.Tool.Name, b.Words[len(a.Words)], a.Tool.Spec.Positional[0])
			}
		}
	}
	sort.SliceStable(ix.list, func(i, j int) bool { return ix.list[i].String() < ix.list[j].String() })
	return ix, nil
}

// Resolve finds the longest run of leading words that spells a tool, by
// its own name or an openstack CLI form, and how many words it took.
// Longest wins so that "limits show" is the limits tool, not limits with
// a stray "show".
func (r *Registry) Resolve(words []string) (*Tool, int) {
	for n := min(r.commands.maxWords, len(words)); n >= 1; n-- {
		if c, ok := r.commands.byWords[strings.Join(words[:n], " ")]; ok {
			return c.Tool, n
		}
	}
	return nil, 0
}

// Commands returns every spelling of every tool, sorted by its words.
func (r *Registry) Commands() []Command { return r.commands.list }

// CommandsUnder returns the commands that continue the given words by at
// least one more word ("security group" → security group list, ...).
func (r *Registry) CommandsUnder(words []string) []Command {
	var out []Command
	for _, c := range r.commands.list {
		if len(c.Words) > len(words) && slices.Equal(c.Words[:len(words)], words) {
			out = append(out, c)
		}
	}
	return out
}
