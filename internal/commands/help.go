package commands

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/kriscelmer/os-tui/tools"
)

// OutputFlagsHelp describes the output flags every read command takes.
const OutputFlagsHelp = `Output flags (every read command):
  -f, --format FORMAT   table, json, yaml, csv or value
  -c, --column NAME     show only this column (repeatable)
  --sort NAME[:desc]    sort rows by a column (repeatable; also --sort-column,
                        and --sort-descending as the openstack CLI spells it)
  --long                show the extra columns
  (the openstack CLI's --noindent, --max-width N, --fit-width and
  --print-empty are accepted and change nothing)`

// Available reports whether a tool's service is in the catalog; nil means
// the catalog is not known yet and every tool is shown.
type Available func(service string) bool

// WriteOverview writes /help: every command with its summary, the tools the
// cloud cannot serve listed apart with the reason.
func WriteOverview(w io.Writer, reg *tools.Registry, builtins []Builtin, avail Available) {
	fmt.Fprintln(w, "Type a slash command, or ask in plain language (needs a model).")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Cloud commands:")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	var missing []*tools.Tool
	for _, t := range reg.Tools() {
		if avail != nil && !avail(t.Service) {
			missing = append(missing, t)
			continue
		}
		fmt.Fprintf(tw, "  %s\t%s\n", shortUsage(t), t.Summary)
	}
	_ = tw.Flush()
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Shell commands:")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, b := range builtins {
		if b.Summary == "" {
			continue
		}
		fmt.Fprintf(tw, "  %s\t%s\n", b.Usage, b.Summary)
	}
	_ = tw.Flush()
	if len(missing) > 0 {
		fmt.Fprintln(w)
		fmt.Fprintln(w, "Not offered on this cloud (its catalog lacks the service):")
		for _, t := range missing {
			fmt.Fprintf(w, "  %s (needs %s)\n", t.Slash(), tools.ServiceLabel(t.Service))
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, OutputFlagsHelp)
	fmt.Fprintln(w)
	fmt.Fprintln(w, "/help COMMAND shows a command's arguments, e.g. /help server list.")
	fmt.Fprintln(w, "Commands and flags may also be typed as the openstack CLI spells them:")
	fmt.Fprintln(w, "/floating ip list, /server image create web-1 --name snap --property k=v.")
}

// shortUsage is the slash form followed by its required positionals.
func shortUsage(t *tools.Tool) string {
	s := t.Slash()
	for _, name := range t.Spec.Positional {
		if p, _ := t.Spec.Prop(name); p.Required {
			s += " " + strings.ToUpper(name)
		}
	}
	return s
}

// WriteTopic writes help for a topic: a tool ("server list"), a noun
// ("server") or a built-in ("cloud"). It returns false when nothing
// matches.
func WriteTopic(w io.Writer, reg *tools.Registry, builtins []Builtin, topic string, avail Available) bool {
	topic = strings.TrimSpace(strings.TrimPrefix(topic, "/"))
	name := strings.Join(strings.Fields(topic), ".")
	if t, ok := reg.Lookup(name); ok {
		WriteTool(w, t, avail)
		return true
	}
	// An openstack spelling of a whole command: "/help floating ip list".
	words := strings.Fields(topic)
	if t, n := reg.Resolve(words); t != nil && n == len(words) {
		WriteTool(w, t, avail)
		return true
	}
	for _, b := range builtins {
		if b.Name == topic && b.Summary != "" {
			fmt.Fprintf(w, "%s\n  %s\n", b.Usage, b.Summary)
			return true
		}
	}
	// The start of commands, ostui's ("server") or openstack's ("security
	// group"): list them by ostui's names, with the openstack spelling
	// that brought the person here.
	var under []*tools.Tool
	also := map[*tools.Tool]string{}
	for _, c := range reg.CommandsUnder(words) {
		if _, listed := also[c.Tool]; !listed {
			under = append(under, c.Tool)
			also[c.Tool] = ""
		}
		if c.Alias {
			also[c.Tool] = "/" + c.String()
		}
	}
	if len(under) == 0 {
		return false
	}
	sort.SliceStable(under, func(i, j int) bool { return under[i].Name < under[j].Name })
	fmt.Fprintf(w, "/%s commands:\n", topic)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, t := range under {
		summary := t.Summary
		if a := also[t]; a != "" {
			summary += " (openstack: " + a + ")"
		}
		fmt.Fprintf(tw, "  %s\t%s\n", shortUsage(t), summary)
	}
	_ = tw.Flush()
	return true
}

// WriteTool writes the full help of one tool, generated from its schema.
func WriteTool(w io.Writer, t *tools.Tool, avail Available) {
	fmt.Fprintf(w, "%s — %s\n\n", t.Slash(), t.Summary)
	fmt.Fprintf(w, "usage: %s\n", t.Spec.Usage(t.Slash()))
	if len(t.Spec.CLI) > 0 {
		fmt.Fprintf(w, "also typed the openstack way: /%s\n", strings.Join(t.Spec.CLI, ", /"))
	}
	if len(t.Spec.Props) > 0 {
		fmt.Fprintln(w, "\nArguments:")
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, p := range t.Spec.Props {
			left := p.Flag()
			if p.Type != "boolean" {
				left += " " + p.Metavar()
			}
			desc := p.Description
			if p.Required {
				desc += " (required)"
			}
			if isPositional(t, p.Name) {
				desc += fmt.Sprintf(" — may be given as %s without the flag", strings.ToUpper(p.Name))
			}
			if p.Type == "array" {
				desc += " (repeatable)"
			}
			if p.Type == "object" {
				desc += " (repeatable)"
			}
			// A description that already names the negation says it better,
			// and a flag that is itself a negation (--no-fixed-ip) has none.
			if neg := "--no-" + strings.TrimPrefix(p.Flag(), "--"); p.Type == "boolean" && !strings.Contains(desc, neg) && !strings.HasPrefix(p.Flag(), "--no-") {
				desc += fmt.Sprintf(" (%s to turn off)", neg)
			}
			if len(p.Enum) > 6 {
				desc += "; one of " + strings.Join(p.Enum, ", ")
			}
			if a := openstackFlags(p); a != "" {
				desc += " (openstack: " + a + ")"
			}
			fmt.Fprintf(tw, "  %s\t%s\n", left, desc)
		}
		_ = tw.Flush()
	}
	if len(t.Spec.Noop) > 0 {
		fmt.Fprintf(w, "\nAccepted as the openstack CLI wants them, and ignored: %s\n", strings.Join(t.Spec.Noop, ", "))
	}
	if t.Effect == tools.Read {
		fmt.Fprintln(w)
		fmt.Fprintln(w, OutputFlagsHelp)
	}
	fmt.Fprintf(w, "\nEffect: %s. Service: %s.", t.Effect, tools.ServiceLabel(t.Service))
	if avail != nil && !avail(t.Service) {
		fmt.Fprintf(w, " Not offered here: this cloud's catalog has no %s service.", tools.ServiceLabel(t.Service))
	}
	fmt.Fprintln(w)
}

// openstackFlags lists a property's openstack CLI spellings for help:
// "--network", or "--public (= public), --private (= private)".
func openstackFlags(p tools.Prop) string {
	out := append([]string(nil), p.Aliases...)
	for _, sw := range p.Switches {
		out = append(out, fmt.Sprintf("%s (= %v)", sw.Flag, sw.Value))
	}
	return strings.Join(out, ", ")
}

func isPositional(t *tools.Tool, name string) bool {
	for _, p := range t.Spec.Positional {
		if p == name {
			return true
		}
	}
	return false
}
