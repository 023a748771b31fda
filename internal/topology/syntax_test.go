package topology

import (
	"bytes"
	"context"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/kriscelmer/os-tui/tools"
)

// hostileGraphs are the test cloud with plain and with hostile names:
// quotes, brackets, arrows, pipes, entities, escapes, label escapes.
func hostileGraphs() map[string]*Graph {
	return map[string]*Graph{
		"plain": Build(cloud(nil)),
		"hostile": Build(cloud(map[string]string{
			"public": "pub\"lic]\n-->x", "private": "pri\x1b[31mvate;{}", "web": "we\"b|<b>#1;((x))",
			"router1": "r\\N\"1", "private-subnet": "a]]b[[c",
		})),
	}
}

// TestDOTRendersWithGraphviz: Graphviz itself accepts the DOT output.
// make test installs Graphviz (scripts/test-deps); without it this fails
// rather than passing unchecked.
func TestDOTRendersWithGraphviz(t *testing.T) {
	dot, err := exec.LookPath("dot")
	if err != nil {
		t.Fatal("graphviz (dot) is not installed: run bash scripts/test-deps (make test does) or apt-get install graphviz")
	}
	for name, g := range hostileGraphs() {
		t.Run(name, func(t *testing.T) {
			cmd := exec.CommandContext(t.Context(), dot, "-Tsvg")
			cmd.Stdin = strings.NewReader(DOT(g))
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil || stderr.Len() > 0 {
				t.Fatalf("dot -Tsvg: %v\n%s\ninput:\n%s", err, stderr.String(), DOT(g))
			}
			if !bytes.Contains(out, []byte("<svg")) {
				t.Fatal("dot wrote no SVG")
			}
		})
	}
}

// Mermaid's flowchart grammar as this package writes it: the header,
// node definitions in three shapes and edges with optional labels, every
// label one quoted string with no raw quote inside.
var (
	quotedLabel = `"[^"]*"`
	mermaidNode = regexp.MustCompile(`^  (net|router|server)\d+(\[` + quotedLabel + `\]|\(\(` + quotedLabel + `\)\)|\[\[` + quotedLabel + `\]\])$`)
	mermaidEdge = regexp.MustCompile(`^  (router|server)\d+ (---|==>)(\|` + quotedLabel + `\|)? net\d+$`)
)

var entity = regexp.MustCompile(`#[a-z0-9]+;`)

// TestMermaidStructure: every line parses, every edge joins nodes that
// are defined, and labels hold no character that could end them or start
// markup (the same structural checks the Mermaid parser makes).
func TestMermaidStructure(t *testing.T) {
	for name, g := range hostileGraphs() {
		t.Run(name, func(t *testing.T) {
			out := Mermaid(g)
			lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
			if lines[0] != "graph LR" {
				t.Fatalf("first line %q, want graph LR", lines[0])
			}
			defined := map[string]bool{}
			idRE := regexp.MustCompile(`^  ([a-z]+\d+)`)
			for _, l := range lines[1:] {
				switch {
				case mermaidNode.MatchString(l):
					defined[idRE.FindStringSubmatch(l)[1]] = true
				case mermaidEdge.MatchString(l):
					f := strings.Fields(l)
					from, to := f[0], f[len(f)-1]
					if !defined[from] || !defined[to] {
						t.Errorf("edge %q joins a node not defined before it", l)
					}
				default:
					t.Errorf("line does not parse as a node or an edge: %q", l)
				}
				for _, label := range regexp.MustCompile(quotedLabel).FindAllString(l, -1) {
					// Entity codes (#quot;, #60;) and line breaks are Mermaid's own.
					bare := entity.ReplaceAllString(strings.ReplaceAll(strings.Trim(label, `"`), "<br/>", ""), "")
					if strings.ContainsAny(bare, "<>|`;\x1b\n") {
						t.Errorf("label %s holds a character Mermaid reads as syntax", label)
					}
				}
			}
			if len(defined) == 0 {
				t.Fatal("no nodes")
			}
		})
	}
}

// TestLoad: the six lists are read once each, router interfaces come from
// the port list's Device ID, and a list that fails is named.
func TestLoad(t *testing.T) {
	in := cloud(nil)
	ports := list([]string{"ID", "Fixed IP Addresses", "Device Owner", "Device ID"},
		[]any{"p1", []string{"ip_address='10.0.0.1', subnet_id='sub-priv'"}, "network:router_interface", "r1"},
		[]any{"p9", []string{"ip_address='10.0.0.9', subnet_id='sub-priv'"}, "compute:nova", "s1"})
	results := map[string]*tools.List{
		"network.list": in.Networks, "subnet.list": in.Subnets, "router.list": in.Routers,
		"server.list": in.Servers, "port.list": ports,
	}
	calls := map[string]int{}
	read := func(_ context.Context, tool string, args map[string]any) (*tools.Result, error) {
		if args != nil {
			t.Errorf("%s read with %v: want the one port list", tool, args)
		}
		calls[tool]++
		if l, ok := results[tool]; ok {
			return &tools.Result{List: l}, nil
		}
		return nil, context.DeadlineExceeded
	}
	got, skipped, err := Load(t.Context(), func(ctx context.Context, tool string, args map[string]any) (*tools.Result, error) {
		return read(ctx, tool, args)
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(skipped) != 1 || !strings.HasPrefix(skipped[0], "floating-ip.list: ") {
		t.Errorf("skipped = %q, want the floating IP list", skipped)
	}
	if rp := got.RouterPorts["r1"]; rp == nil || len(rp.Rows) != 1 {
		t.Errorf("router r1's ports = %v, want its one interface", rp)
	}
	g := Build(got)
	if len(g.Routers) != 1 || len(g.Routers[0].Interfaces) != 1 {
		t.Errorf("router1 should have its interface on private: %+v", g.Routers)
	}
}
