package archtest

import (
	"fmt"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// A rule forbids imports from the packages from matches to the packages
// to matches. Paths are relative to the module ("agent/gate", "tools").
type rule struct {
	name     string // the promise the rule keeps, as a person would say it
	from, to func(pkg string) bool
}

// under reports whether pkg is one of roots or inside one.
func under(roots ...string) func(string) bool {
	return func(pkg string) bool {
		for _, r := range roots {
			if pkg == r || strings.HasPrefix(pkg, r+"/") {
				return true
			}
		}
		return false
	}
}

func is(pkgs ...string) func(string) bool {
	return func(pkg string) bool { return slices.Contains(pkgs, pkg) }
}

func either(fs ...func(string) bool) func(string) bool {
	return func(pkg string) bool {
		for _, f := range fs {
			if f(pkg) {
				return true
			}
		}
		return false
	}
}

func not(f func(string) bool) func(string) bool {
	return func(pkg string) bool { return !f(pkg) }
}

var (
	frontEnds = under("cmd", "internal/cli", "internal/repl", "internal/commands", "internal/views", "internal/mcpserver")
	// infrastructure any layer may use; it uses no layer above it.
	infrastructure = under("internal/cloud", "internal/config", "internal/secrets", "internal/secretstore", "internal/oauth", "internal/audit", "internal/termtext", "schemas")
	presentation   = under("internal/render", "internal/repl", "internal/iostreams")
	agent          = under("agent")
	tools          = under("tools")
	toolSubpackage = func(pkg string) bool { return strings.HasPrefix(pkg, "tools/") }
	model          = under("agent/planner", "agent/llm", "agent/prompt", "agent/router")
)

// cloudClient matches the OpenStack client library. The graph holds
// other modules' packages by their full path (see importGraph).
func cloudClient(pkg string) bool {
	return strings.HasPrefix(pkg, "github.com/gophercloud/")
}

// toolService is the service a tool package belongs to: "network" for
// tools/network/ports, "" for the tools root.
func toolService(pkg string) string {
	parts := strings.Split(pkg, "/")
	if len(parts) < 2 || parts[0] != "tools" {
		return ""
	}
	return parts[1]
}

// toolKernel reports the tool packages every service may share: the
// tools root, a service's own root package (tools/network holds the
// lookups and rules of the network service) and the quota preflight.
func toolKernel(pkg string) bool {
	return pkg == "tools" || tools(pkg) && strings.Count(pkg, "/") == 1 && !toolWiring(pkg)
}

// toolWiring are the tool packages that are no service: the list of every
// tool package and the fake cloud for tests.
var toolWiring = is("tools/toolset", "tools/toolstest")

var rules = []rule{
	{
		name: "nothing below the front ends imports a front end",
		from: not(frontEnds),
		to:   frontEnds,
	},
	{
		name: "agent, tools and infrastructure never import the terminal or the renderer",
		from: either(agent, tools, infrastructure),
		to:   presentation,
	},
	{
		name: "only front ends drive the engine (agent/session)",
		from: either(agent, tools, infrastructure),
		to:   is("agent/session"),
	},
	{
		name: "front ends run plans and talk to the model through the engine, not the executor or planner",
		from: frontEnds,
		to:   is("agent/executor", "agent/planner"),
	},
	{
		name: "tools never import the agent",
		from: tools,
		to:   agent,
	},
	{
		name: "the agent (gate, executor, engine) sees only the tools root: service packages come in as a registry",
		from: agent,
		to:   toolSubpackage,
	},
	{
		name: "the model never holds a cloud client",
		from: model,
		to:   under("internal/cloud"),
	},
	{
		name: "a view never holds a cloud client: it reads and changes through the engine",
		from: under("internal/views"),
		to:   either(under("internal/cloud"), cloudClient),
	},
	{
		name: "infrastructure imports no tool and no agent",
		from: infrastructure,
		to:   either(tools, agent),
	},
	{
		name: "the tools root and the service kernels import no tool package but the root",
		from: toolKernel,
		to:   toolSubpackage,
	},
	{
		name: "a tool uses another service only through that service's kernel",
		from: func(p string) bool { return toolSubpackage(p) && !toolWiring(p) },
		to:   func(p string) bool { return toolSubpackage(p) && !toolKernel(p) && !toolWiring(p) },
	},
}

// crossService narrows the last rule to imports between two services:
// within one service resource packages share lookups freely.
func crossService(r rule, e edge) bool {
	if r.name != "a tool uses another service only through that service's kernel" {
		return true
	}
	return toolService(e.from) != toolService(e.to)
}

// testKits must never be linked into the shipped binary.
var testKits = []string{"tools/toolstest", "internal/llm/llmtest", "internal/osbench", "internal/audit/audittest", "internal/views/viewstest", "internal/oauth/oauthtest"}

// shipped is the binary a person installs.
const shipped = "cmd/ostui"

type edge struct{ from, to string }

// allowed lists edges that break a rule today only because a refactor is
// in flight, each with who removes it. An entry whose edge is gone, or
// that breaks no rule, fails the test: the list can only shrink.
var allowed = map[edge]string{
	// tools owner: servers resolve volumes, images, networks, ports,
	// floating IPs and security groups through the resource packages;
	// the lookups belong in each service's kernel (tools/network, …).
	{"tools/compute/servers", "tools/blockstorage/volumes"}: "tools owner: lookup to move into tools/blockstorage",
	{"tools/compute/servers", "tools/image/images"}:         "tools owner: lookup to move into a tools/image kernel",
	{"tools/compute/servers", "tools/network/floatingips"}:  "tools owner: lookup to move into tools/network",
	{"tools/compute/servers", "tools/network/networks"}:     "tools owner: lookup to move into tools/network",
	{"tools/compute/servers", "tools/network/ports"}:        "tools owner: lookup to move into tools/network",
	{"tools/compute/servers", "tools/network/secgroups"}:    "tools owner: lookup to move into tools/network",
}

// check returns every problem with graph: rule violations not allowed,
// allowed edges that are gone or break no rule, and test kits linked
// into the shipped binary.
func check(graph map[string][]string, rules []rule, allowed map[edge]string) []string {
	var problems []string
	used := map[edge]bool{}
	for _, from := range sortedKeys(graph) {
		for _, to := range graph[from] {
			e := edge{from, to}
			for _, r := range rules {
				if !r.from(from) || !r.to(to) || from == to || !crossService(r, e) {
					continue
				}
				if _, ok := allowed[e]; ok {
					used[e] = true
					continue
				}
				problems = append(problems, fmt.Sprintf("%s imports %s: %s", from, to, r.name))
			}
		}
	}
	for e, why := range allowed {
		switch {
		case !slices.Contains(graph[e.from], e.to):
			problems = append(problems, fmt.Sprintf("allowed edge %s → %s (%s) no longer exists: delete it from allowed", e.from, e.to, why))
		case !used[e]:
			problems = append(problems, fmt.Sprintf("allowed edge %s → %s (%s) breaks no rule: delete it from allowed", e.from, e.to, why))
		}
	}
	if _, ok := graph[shipped]; ok {
		deps := closure(graph, shipped)
		for _, kit := range testKits {
			if deps[kit] {
				problems = append(problems, fmt.Sprintf("%s links the test kit %s", shipped, kit))
			}
		}
	}
	slices.Sort(problems)
	return problems
}

func closure(graph map[string][]string, root string) map[string]bool {
	seen := map[string]bool{}
	var visit func(string)
	visit = func(p string) {
		for _, d := range graph[p] {
			if !seen[d] {
				seen[d] = true
				visit(d)
			}
		}
	}
	visit(root)
	return seen
}

func sortedKeys(m map[string][]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// TestLayering checks the module's real import graph.
func TestLayering(t *testing.T) {
	root := moduleRoot(t)
	graph := importGraph(t, root)
	for _, pkg := range []string{"agent/session", "agent/gate", "tools", "internal/cloud", shipped} {
		if _, ok := graph[pkg]; !ok {
			// A reader that found nothing would pass every rule.
			t.Fatalf("import graph has no %s; the reader is broken", pkg)
		}
	}
	for _, p := range check(graph, rules, allowed) {
		t.Error(p)
	}
}

// TestCheck proves the checker catches each kind of problem on a graph
// made up for it.
func TestCheck(t *testing.T) {
	tests := []struct {
		name    string
		graph   map[string][]string
		allowed map[edge]string
		want    []string
	}{
		{
			name: "a layered graph passes",
			graph: map[string][]string{
				"cmd/ostui":             {"internal/cli"},
				"internal/cli":          {"agent/session", "internal/render", "tools/toolset", "internal/cloud"},
				"internal/render":       {"tools", "internal/iostreams", "internal/termtext"},
				"agent/session":         {"agent/gate", "agent/planner", "agent/executor", "tools"},
				"agent/gate":            {"tools", "internal/cloud"},
				"agent/planner":         {"agent/llm", "tools"},
				"tools/toolset":         {"tools/network/ports", "tools/compute/servers"},
				"tools/network/ports":   {"tools/network/networks", "tools/network", "tools"},
				"tools/compute/servers": {"tools/network", "tools/quota", "tools"},
				"tools":                 {"internal/cloud"},
				"internal/cloud":        {"internal/config"},
			},
		},
		{
			name: "each rule broken once",
			graph: map[string][]string{
				"tools/compute/servers": {"agent/gate", "tools/network/ports", "internal/iostreams"},
				"agent/gate":            {"tools/compute/servers", "internal/cli"},
				"agent/planner":         {"internal/cloud"},
				"agent/executor":        {"agent/session"},
				"internal/cloud":        {"tools"},
				"internal/mcpserver":    {"agent/executor"},
				"internal/views/browse": {"internal/cloud", "github.com/gophercloud/gophercloud/v2/openstack/compute/v2/servers", "agent/session"},
				"tools/network":         {"tools/network/ports"},
			},
			want: []string{
				"agent/executor imports agent/session: only front ends drive the engine (agent/session)",
				"agent/gate imports internal/cli: nothing below the front ends imports a front end",
				"agent/gate imports tools/compute/servers: the agent (gate, executor, engine) sees only the tools root: service packages come in as a registry",
				"agent/planner imports internal/cloud: the model never holds a cloud client",
				"internal/cloud imports tools: infrastructure imports no tool and no agent",
				"internal/mcpserver imports agent/executor: front ends run plans and talk to the model through the engine, not the executor or planner",
				"internal/views/browse imports github.com/gophercloud/gophercloud/v2/openstack/compute/v2/servers: a view never holds a cloud client: it reads and changes through the engine",
				"internal/views/browse imports internal/cloud: a view never holds a cloud client: it reads and changes through the engine",
				"tools/compute/servers imports agent/gate: tools never import the agent",
				"tools/compute/servers imports internal/iostreams: agent, tools and infrastructure never import the terminal or the renderer",
				"tools/compute/servers imports tools/network/ports: a tool uses another service only through that service's kernel",
				"tools/network imports tools/network/ports: the tools root and the service kernels import no tool package but the root",
			},
		},
		{
			name: "an allowed edge is not reported",
			graph: map[string][]string{
				"internal/cli": {"agent/executor"},
			},
			allowed: map[edge]string{{"internal/cli", "agent/executor"}: "in flight"},
		},
		{
			name:    "an allowed edge that is gone is stale",
			graph:   map[string][]string{"internal/cli": {"agent/session"}},
			allowed: map[edge]string{{"internal/cli", "agent/executor"}: "in flight"},
			want:    []string{"allowed edge internal/cli → agent/executor (in flight) no longer exists: delete it from allowed"},
		},
		{
			name:    "an allowed edge that breaks no rule is stale",
			graph:   map[string][]string{"internal/cli": {"agent/session"}},
			allowed: map[edge]string{{"internal/cli", "agent/session"}: "never needed"},
			want:    []string{"allowed edge internal/cli → agent/session (never needed) breaks no rule: delete it from allowed"},
		},
		{
			name: "a test kit linked into the binary through another package",
			graph: map[string][]string{
				"cmd/ostui":    {"internal/cli"},
				"internal/cli": {"tools/toolstest"},
			},
			want: []string{"cmd/ostui links the test kit tools/toolstest"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := check(tt.graph, rules, tt.allowed)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

// importGraph reads the imports of every package's non-test files under
// root, keeping only this module's packages, by relative path. Test files
// may import across layers (a gate test uses real tools).
func importGraph(t *testing.T, root string) map[string][]string {
	t.Helper()
	mod := modulePath(t, root)
	graph := map[string][]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path == root {
				return nil
			}
			if name := d.Name(); strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "vendor" {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
				return filepath.SkipDir // another module (internal/devtools)
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return fmt.Errorf("parse %s: %w", path, err)
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		pkg := filepath.ToSlash(rel)
		if _, ok := graph[pkg]; !ok {
			graph[pkg] = nil
		}
		for _, imp := range f.Imports {
			p, err := strconv.Unquote(imp.Path.Value)
			if err != nil {
				return fmt.Errorf("%s: import %s: %w", path, imp.Path.Value, err)
			}
			dep, ok := strings.CutPrefix(p, mod+"/")
			if !ok {
				// Another module's package keeps its full path (a view
				// must not import the cloud client); the standard
				// library, whose first element has no dot, is left out.
				first, _, _ := strings.Cut(p, "/")
				if !strings.Contains(first, ".") {
					continue
				}
				dep = p
			}
			if !slices.Contains(graph[pkg], dep) {
				graph[pkg] = append(graph[pkg], dep)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("read imports: %v", err)
	}
	return graph
}

func modulePath(t *testing.T, root string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(string(data)) {
		if p, ok := strings.CutPrefix(strings.TrimSpace(line), "module "); ok {
			return strings.TrimSpace(p)
		}
	}
	t.Fatal("go.mod names no module")
	return ""
}

func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
}
