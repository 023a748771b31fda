package topology

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/kriscelmer/os-tui/internal/termtext"
)

// Formats are the formats Write knows, the first the default.
var Formats = []string{"text", "mermaid", "dot"}

// Write writes g in format (text, mermaid or dot); width bounds the text
// format's lines (0: no bound).
func Write(w io.Writer, g *Graph, format string, width int) error {
	var out string
	switch format {
	case "", "text":
		out = Text(g, width)
	case "mermaid":
		out = Mermaid(g)
	case "dot":
		out = DOT(g)
	default:
		return fmt.Errorf("unknown format %q: want %s", format, strings.Join(Formats, ", "))
	}
	_, err := io.WriteString(w, out)
	return err
}

func ipList(l Link) string {
	parts := make([]string, 0, len(l.IPs))
	for _, ip := range l.IPs {
		parts = append(parts, termtext.Safe(ip))
	}
	s := strings.Join(parts, ", ")
	if len(l.Floating) > 0 {
		var fl []string
		for _, f := range l.Floating {
			fl = append(fl, termtext.Safe(f))
		}
		s += " (floating " + strings.Join(fl, ", ") + ")"
	}
	return s
}

func subnetText(s Subnet) string {
	name := s.Name
	if name == "" {
		name = s.ID
	}
	line := "subnet " + termtext.Safe(name)
	if s.CIDR != "" {
		line += " " + termtext.Safe(s.CIDR)
	}
	return line
}

// Text writes one tree per network: its subnets, the routers on it (the
// gateway of a router marked), the servers with their addresses and
// floating IPs, and unbound floating IPs. Lines longer than width are
// cut with "…"; cloud text is escaped for the terminal.
func Text(g *Graph, width int) string {
	var b strings.Builder
	line := func(s string) {
		if width > 0 && utf8.RuneCountInString(s) > width {
			r := []rune(s)
			s = string(r[:max(width-1, 0)]) + "…"
		}
		b.WriteString(s)
		b.WriteByte('\n')
	}
	if len(g.Networks) == 0 && len(g.Unplaced) == 0 {
		return "no networks\n"
	}
	for _, n := range g.Networks {
		head := "network " + termtext.Safe(n.Label())
		if n.External {
			head += " (external)"
		}
		line(head)
		items := Items(g, n)
		for i, it := range items {
			mark, more := "├─ ", "│  "
			if i == len(items)-1 {
				mark, more = "└─ ", "   "
			}
			for j, part := range wrap(it, width-3) {
				if j == 0 {
					line(mark + part)
				} else {
					line(more + "  " + part)
				}
			}
		}
	}
	if len(g.Unplaced) > 0 {
		line("servers on no network")
		for i, s := range g.Unplaced {
			mark := "├─ "
			if i == len(g.Unplaced)-1 {
				mark = "└─ "
			}
			line(mark + "server " + termtext.Safe(s.Label()))
		}
	}
	return b.String()
}

// Items are the lines under a network in the text form: its subnets, the
// routers on it (a gateway marked), the servers with their addresses and
// floating IPs, and its floating IPs; cloud text escaped.
func Items(g *Graph, n *Network) []string {
	var items []string
	for _, s := range n.Subnets {
		items = append(items, subnetText(s))
	}
	for _, r := range g.Routers {
		if r.Gateway != nil && r.Gateway.Network == n {
			items = append(items, "router "+termtext.Safe(r.Label())+" gateway "+ipList(*r.Gateway))
		}
		for _, l := range r.Interfaces {
			if l.Network == n {
				items = append(items, "router "+termtext.Safe(r.Label())+" "+ipList(l))
			}
		}
	}
	for _, s := range g.Servers {
		for _, l := range s.Links {
			if l.Network == n {
				items = append(items, "server "+termtext.Safe(s.Label())+" "+ipList(l))
			}
		}
	}
	for _, f := range n.Bound {
		items = append(items, "floating IP "+termtext.Safe(f))
	}
	if len(n.Unbound) > 0 {
		var fl []string
		for _, f := range n.Unbound {
			fl = append(fl, termtext.Safe(f))
		}
		items = append(items, "floating IPs not bound: "+strings.Join(fl, ", "))
	}
	return items
}

// ids gives every node a sanitised identifier made by Build's order, so
// no cloud text reaches a Mermaid or DOT identifier.
type ids struct {
	net    map[*Network]string
	router map[*Router]string
	server map[*Server]string
}

func nodeIDs(g *Graph) ids {
	x := ids{net: map[*Network]string{}, router: map[*Router]string{}, server: map[*Server]string{}}
	for i, n := range g.Networks {
		x.net[n] = fmt.Sprintf("net%d", i+1)
	}
	for i, r := range g.Routers {
		x.router[r] = fmt.Sprintf("router%d", i+1)
	}
	for i, s := range append(append([]*Server(nil), g.Servers...), g.Unplaced...) {
		x.server[s] = fmt.Sprintf("server%d", i+1)
	}
	return x
}

// networkLines are the lines of a network's node label.
func networkLines(n *Network) []string {
	lines := []string{n.Label()}
	if n.External {
		lines[0] += " (external)"
	}
	for _, s := range n.Subnets {
		name := s.Name
		if name == "" {
			name = s.ID
		}
		lines = append(lines, strings.TrimSpace(name+" "+s.CIDR))
	}
	for _, f := range n.Bound {
		lines = append(lines, "floating IP "+f)
	}
	if k := len(n.Unbound); k > 0 {
		noun := "floating IPs"
		if k == 1 {
			noun = "floating IP"
		}
		lines = append(lines, fmt.Sprintf("%d %s not bound", k, noun))
	}
	return lines
}

func linkLabel(l Link) string {
	s := strings.Join(l.IPs, ", ")
	if len(l.Floating) > 0 {
		s += " (floating " + strings.Join(l.Floating, ", ") + ")"
	}
	return s
}

// mermaidText escapes cloud text for a quoted Mermaid label: controls are
// shown as escapes (termtext.Safe), and every character that could end
// the label, start markup or an entity becomes an entity code.
func mermaidText(s string) string {
	s = termtext.Safe(s)
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString("#quot;")
		case '#', '&', '<', '>', '|', '`', ';':
			fmt.Fprintf(&b, "#%d;", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func mermaidLabel(lines []string) string {
	parts := make([]string, len(lines))
	for i, l := range lines {
		parts[i] = mermaidText(l)
	}
	return `"` + strings.Join(parts, "<br/>") + `"`
}

// Mermaid writes the graph as a Mermaid flowchart (graph LR): networks as
// boxes listing their subnets, routers as circles, servers as
// subroutine boxes; edges carry the addresses.
func Mermaid(g *Graph) string {
	x := nodeIDs(g)
	var b strings.Builder
	b.WriteString("graph LR\n")
	for _, n := range g.Networks {
		fmt.Fprintf(&b, "  %s[%s]\n", x.net[n], mermaidLabel(networkLines(n)))
	}
	for _, r := range g.Routers {
		fmt.Fprintf(&b, "  %s((%s))\n", x.router[r], mermaidLabel([]string{r.Label()}))
	}
	for _, s := range append(append([]*Server(nil), g.Servers...), g.Unplaced...) {
		fmt.Fprintf(&b, "  %s[[%s]]\n", x.server[s], mermaidLabel([]string{s.Label()}))
	}
	edge := func(from, arrow, label, to string) {
		if label == "" {
			fmt.Fprintf(&b, "  %s %s %s\n", from, arrow, to)
			return
		}
		fmt.Fprintf(&b, "  %s %s|%s| %s\n", from, arrow, mermaidLabel([]string{label}), to)
	}
	for _, r := range g.Routers {
		if r.Gateway != nil {
			edge(x.router[r], "==>", "gateway "+linkLabel(*r.Gateway), x.net[r.Gateway.Network])
		}
		for _, l := range r.Interfaces {
			edge(x.router[r], "---", linkLabel(l), x.net[l.Network])
		}
	}
	for _, s := range g.Servers {
		for _, l := range s.Links {
			edge(x.server[s], "---", linkLabel(l), x.net[l.Network])
		}
	}
	return b.String()
}

// dotText escapes text for a DOT quoted string: controls shown as
// escapes (termtext.Safe), then backslash and quote escaped so the text
// can neither end the string nor use a label escape (\N, \l).
func dotText(s string) string {
	s = termtext.Safe(s)
	s = strings.ReplaceAll(s, `\`, `\\`)
	return strings.ReplaceAll(s, `"`, `\"`)
}

func dotLabel(lines []string) string {
	parts := make([]string, len(lines))
	for i, l := range lines {
		parts[i] = dotText(l)
	}
	return `"` + strings.Join(parts, `\n`) + `"`
}

// DOT writes the graph for Graphviz (an undirected graph, left to right).
func DOT(g *Graph) string {
	x := nodeIDs(g)
	var b strings.Builder
	b.WriteString("graph topology {\n  rankdir=LR;\n")
	for _, n := range g.Networks {
		fmt.Fprintf(&b, "  %s [shape=box, label=%s];\n", x.net[n], dotLabel(networkLines(n)))
	}
	for _, r := range g.Routers {
		fmt.Fprintf(&b, "  %s [shape=ellipse, label=%s];\n", x.router[r], dotLabel([]string{r.Label()}))
	}
	for _, s := range append(append([]*Server(nil), g.Servers...), g.Unplaced...) {
		fmt.Fprintf(&b, "  %s [shape=component, label=%s];\n", x.server[s], dotLabel([]string{s.Label()}))
	}
	edge := func(from, label, to, style string) {
		fmt.Fprintf(&b, "  %s -- %s [label=%s%s];\n", from, to, dotLabel([]string{label}), style)
	}
	for _, r := range g.Routers {
		if r.Gateway != nil {
			edge(x.router[r], "gateway "+linkLabel(*r.Gateway), x.net[r.Gateway.Network], ", style=bold")
		}
		for _, l := range r.Interfaces {
			edge(x.router[r], linkLabel(l), x.net[l.Network], "")
		}
	}
	for _, s := range g.Servers {
		for _, l := range s.Links {
			edge(x.server[s], linkLabel(l), x.net[l.Network], "")
		}
	}
	b.WriteString("}\n")
	return b.String()
}

// wrap breaks a list ("…: a, b, c") after its colon and commas, and
// before "(floating", so each line fits
// width cells (the first line width, the others width-2); a piece that
// does not fit alone is left for the caller to cut. width <= 0: no wrap.
func wrap(s string, width int) []string {
	if width <= 0 || utf8.RuneCountInString(s) <= width {
		return []string{s}
	}
	var out []string
	cur := ""
	limit := width
	var pieces []string
	for _, p := range strings.SplitAfter(s, ", ") {
		if i := strings.Index(p, " (floating "); i >= 0 {
			pieces = append(pieces, p[:i+1], p[i+1:])
			continue
		}
		if head, rest, ok := strings.Cut(p, ": "); ok {
			pieces = append(pieces, head+": ", rest)
			continue
		}
		pieces = append(pieces, p)
	}
	for _, piece := range pieces {
		if cur != "" && utf8.RuneCountInString(strings.TrimRight(cur+piece, " ")) > limit {
			out = append(out, strings.TrimRight(cur, " "))
			cur = ""
			limit = width - 2
		}
		cur += piece
	}
	return append(out, cur)
}
