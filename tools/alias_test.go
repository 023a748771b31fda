package tools

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

const aliasBase = "https://ostui.dev/schemas/"

// aliasRegistry builds a registry of read tools from schemas given as
// "tool name" → JSON document (without $id, which is added).
func aliasRegistry(t *testing.T, schemas map[string]string) (*Registry, error) {
	t.Helper()
	fsys := fstest.MapFS{
		"defs.schema.json": {Data: []byte(`{"$id": "` + aliasBase + `defs.schema.json", "$defs": {"nameOrId": {"type": "string", "minLength": 1}}}`)},
	}
	run := func(context.Context, *Env, Args) (*Result, error) { return nil, nil }
	var list []Tool
	for name, doc := range schemas {
		file := name + ".schema.json"
		doc = strings.Replace(doc, "{", fmt.Sprintf(`{"$id": %q, "type": "object", `, aliasBase+file), 1)
		fsys[file] = &fstest.MapFile{Data: []byte(doc)}
		list = append(list, Tool{Name: name, Summary: name, Service: "compute", Run: run})
	}
	return NewRegistry(fsys, aliasBase, list)
}

func TestAliasRegistryErrors(t *testing.T) {
	show := `{"x-positional": ["server"], "properties": {"server": {"type": "string"}}}`
	tests := []struct {
		name    string
		schemas map[string]string
		want    string // substring of the error
	}{
		{"x-cli is another tool's name", map[string]string{
			"server.list":    `{"x-cli": ["server show"], "properties": {}}`,
			"server.show":    show,
			"floating-ip.ls": `{"properties": {}}`,
		}, `x-cli form "server show" is already the name of tool server.show`},
		{"x-cli repeats its own name", map[string]string{
			"server.list": `{"x-cli": ["server  list"], "properties": {}}`,
		}, `x-cli form "server list" is the tool's own name`},
		{"x-cli claimed twice", map[string]string{
			"floating-ip.list": `{"x-cli": ["floating ip list"], "properties": {}}`,
			"floating-ip.all":  `{"x-cli": ["floating ip list"], "properties": {}}`,
		}, `x-cli form "floating ip list" is claimed by both floating-ip.all and floating-ip.list`},
		{"x-cli would take a positional away", map[string]string{
			"server.show":   show,
			"server.events": `{"x-cli": ["server show events"], "properties": {}}`,
		}, `would read "events" both as a command word and as the server argument`},
		{"an own name would take an alias's positional", map[string]string{
			"server.snapshot":     `{"x-cli": ["server image"], "x-positional": ["server"], "properties": {"server": {"type": "string"}}}`,
			"server.image.create": `{"properties": {}}`,
		}, `would read "create" both as a command word and as the server argument`},
		{"x-cli word is not typeable", map[string]string{
			"server.list": `{"x-cli": ["Server List"], "properties": {}}`,
		}, `"Server" is not a command word`},
		{"alias repeats an ostui flag", map[string]string{
			"server.create": `{"properties": {"networks": {"type": "array", "items": {"type": "string"}, "x-aliases": ["--ports"]}, "ports": {"type": "array", "items": {"type": "string"}}}}`,
		}, "x-aliases of networks --ports is already the flag of ports"},
		{"alias claimed by two properties", map[string]string{
			"server.create": `{"properties": {"a": {"type": "string", "x-aliases": ["--x"]}, "b": {"type": "string", "x-aliases": ["--x"]}}}`,
		}, "x-aliases of b --x is already x-aliases of a"},
		{"alias is an output flag", map[string]string{
			"server.list": `{"properties": {"columns": {"type": "string", "x-aliases": ["--column"]}}}`,
		}, "x-aliases of columns --column is already an output flag"},
		{"alias is the renderer's", map[string]string{
			"server.list": `{"properties": {"sort_key": {"type": "string", "x-aliases": ["--sort-column"]}}}`,
		}, "x-aliases of sort_key --sort-column is already an output flag"},
		{"alias of a boolean takes its negation too", map[string]string{
			"network.list": `{"properties": {"shared": {"type": "boolean", "x-aliases": ["--share"]}, "x": {"type": "string", "x-aliases": ["--no-share"]}}}`,
		}, "--no-share is already x-aliases of shared (negated)"},
		{"alias without dashes", map[string]string{
			"server.list": `{"properties": {"name": {"type": "string", "x-aliases": ["n"]}}}`,
		}, `x-aliases of name "n" is not a --flag`},
		{"short alias on a boolean", map[string]string{
			"server.list": `{"properties": {"all": {"type": "boolean", "x-aliases": ["-a"]}}}`,
		}, "a one-letter alias takes a value"},
		{"short alias is the renderer's", map[string]string{
			"server.list": `{"properties": {"fmt": {"type": "string", "x-aliases": ["-f"]}}}`,
		}, "x-aliases of fmt -f is already an output flag"},
		{"two letters after one dash", map[string]string{
			"server.list": `{"properties": {"name": {"type": "string", "x-aliases": ["-nm"]}}}`,
		}, `"-nm" is not a --flag`},
		{"switch outside the enum", map[string]string{
			"image.list": `{"properties": {"visibility": {"type": "string", "enum": ["public", "private"], "x-switches": {"--shared": "shared"}}}}`,
		}, `x-switches of visibility: --shared sets "shared", want one of public, private`},
		{"switch of the wrong type", map[string]string{
			"server.reboot": `{"properties": {"hard": {"type": "boolean", "x-switches": {"--soft": "no"}}}}`,
		}, "x-switches of hard: --soft sets no, want true or false"},
		{"switch on an array", map[string]string{
			"server.create": `{"properties": {"tags": {"type": "array", "items": {"type": "string"}, "x-switches": {"--x": "a"}}}}`,
		}, "is on a array property"},
		{"noop shadows a flag", map[string]string{
			"limits": `{"x-cli-noop": ["--project"], "properties": {"project": {"type": "string"}}}`,
		}, "x-cli-noop --project is already the flag of project"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := aliasRegistry(t, tt.schemas)
			if err == nil {
				t.Fatal("the registry was built")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
		})
	}
}

func TestResolve(t *testing.T) {
	reg, err := aliasRegistry(t, map[string]string{
		"limits":                `{"x-cli": ["limits show"], "properties": {}}`,
		"server.resize":         `{"x-positional": ["server"], "properties": {"server": {"type": "string"}}}`,
		"server.resize.confirm": `{"x-positional": ["server"], "properties": {"server": {"type": "string"}}}`,
		"server.add.floating-ip": `{"x-cli": ["server add floating ip"], "x-positional": ["server"],
			"properties": {"server": {"type": "string"}}}`,
		"floating-ip.list": `{"x-cli": ["floating ip list", "fip list"], "properties": {}}`,
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		line  string
		tool  string
		words int
	}{
		{"limits", "limits", 1},
		{"limits show", "limits", 2},
		{"server resize web-1", "server.resize", 2},
		{"server resize confirm web-1", "server.resize.confirm", 3},
		{"server add floating ip web-1", "server.add.floating-ip", 4},
		{"server add floating-ip web-1", "server.add.floating-ip", 3},
		{"floating ip list -f json", "floating-ip.list", 3},
		{"fip list", "floating-ip.list", 2},
		{"floating-ip list", "floating-ip.list", 2},
		{"floating ip", "", 0},
		{"server add", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			tool, n := reg.Resolve(strings.Fields(tt.line))
			name := ""
			if tool != nil {
				name = tool.Name
			}
			if name != tt.tool || n != tt.words {
				t.Errorf("Resolve = %q, %d; want %q, %d", name, n, tt.tool, tt.words)
			}
		})
	}
	var under []string
	for _, c := range reg.CommandsUnder([]string{"floating"}) {
		under = append(under, fmt.Sprintf("%s alias=%v", c, c.Alias))
	}
	if diff := cmp.Diff([]string{"floating ip list alias=true"}, under); diff != "" {
		t.Errorf("CommandsUnder(floating) (-want +got):\n%s", diff)
	}
}

func TestLookupFlag(t *testing.T) {
	reg, err := aliasRegistry(t, map[string]string{
		"network.list": `{"x-cli-noop": ["--long-ago"], "properties": {
			"external": {"type": "boolean", "x-switches": {"--internal": false}},
			"shared": {"type": "boolean", "x-aliases": ["--share"]},
			"networks": {"type": "array", "items": {"type": "string"}, "x-aliases": ["--network"]}}}`,
	})
	if err != nil {
		t.Fatal(err)
	}
	tool, _ := reg.Lookup("network.list")
	type got struct {
		Prop    string
		Negated bool
		Alias   bool
		Switch  any
	}
	tests := []struct {
		flag string
		want *got
	}{
		{"--external", &got{Prop: "external"}},
		{"--no-external", &got{Prop: "external", Negated: true}},
		{"--internal", &got{Prop: "external", Alias: true, Switch: false}},
		{"--share", &got{Prop: "shared", Alias: true}},
		{"--no-share", &got{Prop: "shared", Alias: true, Negated: true}},
		{"--shared", &got{Prop: "shared"}},
		{"--network", &got{Prop: "networks", Alias: true}},
		{"--no-network", nil},
		{"--no-internal", nil},
		{"--long-ago", nil},
		{"network", nil},
	}
	for _, tt := range tests {
		t.Run(tt.flag, func(t *testing.T) {
			ref, ok := tool.Spec.LookupFlag(tt.flag)
			var g *got
			if ok {
				g = &got{Prop: ref.Prop.Name, Negated: ref.Negated, Alias: ref.Alias}
				if ref.Switch != nil {
					g.Switch = ref.Switch.Value
				}
			}
			if diff := cmp.Diff(tt.want, g); diff != "" {
				t.Errorf("LookupFlag (-want +got):\n%s", diff)
			}
		})
	}
	if !tool.Spec.IsNoop("--long-ago") || tool.Spec.IsNoop("--share") {
		t.Error("IsNoop disagrees with x-cli-noop")
	}
	own, aliases := tool.Spec.Flags()
	if diff := cmp.Diff([]string{"--external", "--networks", "--shared"}, own); diff != "" {
		t.Errorf("own flags (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"--internal", "--network", "--share", "--long-ago"}, aliases); diff != "" {
		t.Errorf("alias flags (-want +got):\n%s", diff)
	}
}
