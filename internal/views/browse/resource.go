package browse

import (
	"slices"
	"sort"
	"strings"
	"unicode"

	"github.com/kriscelmer/os-tui/tools"
)

// Resource is one kind the browser lists: a list tool of the registry,
// with the show tool and the actions of the same noun. Every list tool
// is one, so the browser grows with each new resource.
type Resource struct {
	// Noun is the tool name without ".list": "server", "floating-ip",
	// "volume.snapshot".
	Noun string
	List *tools.Tool
	// Show reads one resource for the detail pane (nil: the row is the
	// detail).
	Show *tools.Tool
	// ShowArg is the show tool's argument naming the resource.
	ShowArg string
	// Needs is a required argument of the list tool (object.list needs a
	// container): such a resource is reached through a relation only.
	Needs string
	// Actions are the change tools that take this resource alone.
	Actions []Action
	// Names are what the palette accepts: "servers", "server", the
	// openstack CLI's words ("floating ip"), short aliases.
	Names []string
}

// Action is a change tool offered on a key.
type Action struct {
	Tool *tools.Tool
	Arg  string // the argument that names the resource
	Key  string // the key that starts it ("S", "D")
	Verb string // "stop", "add volume"…
}

// aliases are the short names people type for the commonest kinds (a
// switch, not a map: nothing is built at start-up).
func aliases(noun string) []string {
	switch noun {
	case "server":
		return []string{"vm", "vms", "instances"}
	case "floating-ip":
		return []string{"fip", "fips", "floating ips"}
	case "security-group":
		return []string{"sg", "sgs", "secgroups"}
	case "security-group.rule":
		return []string{"rules", "sgr"}
	case "volume":
		return []string{"vol", "vols"}
	case "network":
		return []string{"net", "nets"}
	case "keypair":
		return []string{"keys", "kp"}
	case "volume.snapshot":
		return []string{"snapshots", "snaps"}
	case "volume.backup":
		return []string{"backups"}
	case "loadbalancer":
		return []string{"lb", "lbs"}
	case "container":
		return []string{"buckets"}
	}
	return nil
}

// reservedKey reports the browser's own capital keys, which no action
// may take (G: the last row).
func reservedKey(k string) bool { return k == "G" }

// Resources lists every browsable kind in the registry, by noun.
func Resources(reg *tools.Registry) []*Resource {
	var out []*Resource
	for _, t := range reg.Tools() {
		noun, ok := strings.CutSuffix(t.Name, ".list")
		if !ok || t.Effect != tools.Read || t.As != "" {
			continue
		}
		r := &Resource{Noun: noun, List: t}
		for _, p := range t.Spec.Props {
			if p.Required {
				r.Needs = p.Name
			}
		}
		if show, ok := reg.Lookup(noun + ".show"); ok {
			if arg := resourceArg(show, noun); arg != "" {
				r.Show, r.ShowArg = show, arg
			}
		}
		r.Actions = actionsOf(reg, noun)
		r.Names = namesOf(r)
		out = append(out, r)
	}
	return out
}

// resourceArg is the argument of t that names one noun and the only one
// it requires: "server" for server.stop. "" when t needs more (a name
// for server.rename), which a key alone cannot give.
func resourceArg(t *tools.Tool, noun string) string {
	if len(t.Spec.Positional) == 0 {
		return ""
	}
	first, ok := t.Spec.Prop(t.Spec.Positional[0])
	if !ok || first.Resource != noun {
		return ""
	}
	for _, p := range t.Spec.Props {
		if p.Required && p.Name != first.Name {
			return ""
		}
	}
	return first.Name
}

// actionsOf lists the change tools of noun that need nothing but the
// resource, each on a key derived from its verb: the first free capital
// letter of the verb (stop → S, start → T, suspend → U…). Set and unset
// are left out: they change nothing without fields.
func actionsOf(reg *tools.Registry, noun string) []Action {
	var out []Action
	used := map[string]bool{}
	for _, t := range reg.Tools() {
		verb, ok := strings.CutPrefix(t.Name, noun+".")
		if !ok || t.Effect == tools.Read || verb == "set" || verb == "unset" || strings.HasSuffix(verb, ".list") {
			continue
		}
		arg := resourceArg(t, noun)
		if arg == "" {
			continue
		}
		out = append(out, Action{Tool: t, Arg: arg, Verb: strings.ReplaceAll(verb, ".", " ")})
	}
	// The common verbs choose first, so stop is S and start T wherever
	// they are offered; each action then takes the first letter of its
	// verb that is free, first letters before later ones.
	sort.SliceStable(out, func(i, j int) bool { return verbRank(out[i]) < verbRank(out[j]) })
	for pass := 0; pass < 2; pass++ {
		for i := range out {
			if out[i].Key != "" {
				continue
			}
			for n, r := range out[i].Verb {
				if pass == 0 && n > 0 {
					break
				}
				if !unicode.IsLetter(r) {
					continue
				}
				k := string(unicode.ToUpper(r))
				if !used[k] && !reservedKey(k) {
					used[k] = true
					out[i].Key = k
					break
				}
			}
		}
	}
	return out
}

// verbRank orders actions for their keys: the verbs people reach for
// most first, then one-word verbs, then the rest.
func verbRank(a Action) int {
	if i := slices.Index([]string{"delete", "stop", "start", "reboot"}, a.Verb); i >= 0 {
		return i
	}
	return 10 + strings.Count(a.Verb, " ")
}

func namesOf(r *Resource) []string {
	words := strings.ReplaceAll(r.Noun, ".", " ")
	names := []string{plural(words), words, plural(r.Noun), r.Noun}
	for _, cli := range r.List.Spec.CLI {
		if w, ok := strings.CutSuffix(cli, " list"); ok {
			names = append(names, w, plural(w))
		}
	}
	names = append(names, aliases(r.Noun)...)
	var out []string
	for _, n := range names {
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// plural is the palette's name for a list: servers, floating-ips,
// security-group.rules, policies.
func plural(noun string) string {
	switch {
	case strings.HasSuffix(noun, "s"):
		return noun
	case strings.HasSuffix(noun, "y"):
		return noun[:len(noun)-1] + "ies"
	}
	return noun + "s"
}

// Find returns the resource a palette name means: a name it has, or the
// one resource whose names start with it.
func Find(rs []*Resource, name string) *Resource {
	name = strings.ToLower(strings.TrimSpace(name))
	for _, r := range rs {
		if slices.Contains(r.Names, name) {
			return r
		}
	}
	var found *Resource
	for _, r := range rs {
		for _, n := range r.Names {
			if strings.HasPrefix(n, name) {
				if found != nil && found != r {
					return nil
				}
				found = r
			}
		}
	}
	return found
}

// Complete returns, for each resource with a name that starts with
// prefix, its first such name (the plural first: "volume snapshots"),
// sorted.
func Complete(rs []*Resource, prefix string) []string {
	prefix = strings.ToLower(prefix)
	var out []string
	for _, r := range rs {
		if r.Needs != "" {
			continue
		}
		for _, n := range r.Names {
			if strings.HasPrefix(n, prefix) {
				if !slices.Contains(out, n) {
					out = append(out, n)
				}
				break
			}
		}
	}
	sort.Strings(out)
	return out
}
