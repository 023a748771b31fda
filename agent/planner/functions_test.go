package planner

import (
	"bytes"
	"encoding/json"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/kriscelmer/os-tui/agent/llm"
	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/toolset"
)

func realRegistry(t *testing.T) *tools.Registry {
	t.Helper()
	reg, err := toolset.Registry()
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

// openAIName is what the OpenAI API accepts as a function name.
var openAIName = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)

func TestFunctionNameRoundTripsEveryTool(t *testing.T) {
	for _, tl := range realRegistry(t).Tools() {
		fn := FunctionName(tl.Name)
		if !openAIName.MatchString(fn) {
			t.Errorf("%s: function name %q is not allowed by the API", tl.Name, fn)
		}
		got, ok := ToolName(fn)
		if !ok || got != tl.Name {
			t.Errorf("ToolName(%q) = %q, %v; want %q, true", fn, got, ok, tl.Name)
		}
	}
}

func TestToolName(t *testing.T) {
	tests := []struct {
		fn     string
		want   string
		wantOK bool
	}{
		{"server__add__floating-ip", "server.add.floating-ip", true},
		{"server__list", "server.list", true},
		{"whoami", "whoami", true},
		{ProposePlanFunction, "", false},
		{DescribeToolFunction, "", false},
		{"server.list", "", false},
		{"server___list", "", false},
		{"Server__list", "", false},
		{"", "", false},
		{"__list", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.fn, func(t *testing.T) {
			got, ok := ToolName(tt.fn)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("ToolName(%q) = %q, %v; want %q, %v", tt.fn, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestFunctionsOfferReadToolsAndPlanFunctions(t *testing.T) {
	reg := realRegistry(t)
	fns := Functions(reg, nil)

	var names, want []string
	for _, f := range fns {
		names = append(names, f.Name)
	}
	for _, tl := range reg.Tools() {
		if tl.Effect == tools.Read && !tl.PersonOnly {
			want = append(want, FunctionName(tl.Name))
		}
	}
	want = append(want, ProposePlanFunction, DescribeToolFunction)
	sort.Strings(want)
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("function names (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(fns, Functions(reg, nil)); diff != "" {
		t.Errorf("Functions is not deterministic (-first +second):\n%s", diff)
	}
	for _, f := range fns {
		if f.Description == "" {
			t.Errorf("%s has no description", f.Name)
		}
		var buf bytes.Buffer
		if err := json.Compact(&buf, f.Parameters); err != nil {
			t.Fatalf("%s: parameters are not JSON: %v", f.Name, err)
		}
		if buf.String() != string(f.Parameters) {
			t.Errorf("%s: parameters are not compact", f.Name)
		}
		var doc any
		if err := json.Unmarshal(f.Parameters, &doc); err != nil {
			t.Fatal(err)
		}
		if m, _ := doc.(map[string]any); m["type"] != "object" {
			t.Errorf("%s: parameters are not an object schema", f.Name)
		}
		walkKeywords(doc, func(k string) {
			if k == "$ref" || k == "$schema" || k == "$id" || k == "title" || strings.HasPrefix(k, "x-") {
				t.Errorf("%s: parameters keep keyword %q", f.Name, k)
			}
		})
	}
}

// walkKeywords calls fn with every schema keyword in doc, skipping the
// names of properties (a property may well be called "title").
func walkKeywords(doc any, fn func(string)) {
	switch x := doc.(type) {
	case map[string]any:
		for k, v := range x {
			fn(k)
			if k == "properties" {
				if props, ok := v.(map[string]any); ok {
					for _, p := range props {
						walkKeywords(p, fn)
					}
				}
				continue
			}
			if k == "enum" || k == "required" || k == "default" {
				continue
			}
			walkKeywords(v, fn)
		}
	case []any:
		for _, v := range x {
			walkKeywords(v, fn)
		}
	}
}

// propertyNames returns every property name declared anywhere in doc.
func propertyNames(doc any) []string {
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, val := range x {
				if k == "properties" {
					if props, ok := val.(map[string]any); ok {
						for name, p := range props {
							out = append(out, name)
							walk(p)
						}
					}
					continue
				}
				walk(val)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(doc)
	return out
}

func TestNoOfferedFunctionRedirectsCredentials(t *testing.T) {
	reg := realRegistry(t)
	for _, f := range Functions(reg, nil) {
		var doc any
		if err := json.Unmarshal(f.Parameters, &doc); err != nil {
			t.Fatal(err)
		}
		for _, p := range propertyNames(doc) {
			if forbiddenProp(p) {
				t.Errorf("%s offers the model property %q", f.Name, p)
			}
		}
	}
	for _, tl := range reg.Tools() {
		if tl.Effect == tools.Read {
			continue
		}
		desc, err := DescribeTool(reg, tl.Name)
		if err != nil {
			t.Fatal(err)
		}
		var doc any
		if err := json.Unmarshal([]byte(desc), &doc); err != nil {
			t.Fatal(err)
		}
		for _, p := range propertyNames(doc) {
			if forbiddenProp(p) {
				t.Errorf("describe_tool %s shows the model property %q", tl.Name, p)
			}
		}
	}
}

// TestToolsWithForbiddenProperties lists the tools whose own schema has a
// property the model's copy drops. A person may use these flags; the
// model may not. Update the list when a schema gains or loses one.
func TestToolsWithForbiddenProperties(t *testing.T) {
	reg := realRegistry(t)
	got := map[string][]string{}
	for _, tl := range reg.Tools() {
		raw, _ := reg.Schema(tl.Name)
		var doc any
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatal(err)
		}
		for _, p := range propertyNames(doc) {
			if forbiddenProp(p) {
				got[tl.Name] = append(got[tl.Name], p)
			}
		}
	}
	want := map[string][]string{
		"floating-ip.list":    {"project"},
		"image.create":        {"file"},
		"keypair.create":      {"private_key_file"},
		"keypair.import":      {"public_key_file"},
		"limits":              {"project_id"},
		"network.list":        {"project"},
		"network.rbac.list":   {"project"},
		"network.share":       {"project"},
		"network.unshare":     {"project"},
		"object.create":       {"file"},
		"object.save":         {"file"},
		"port.list":           {"project"},
		"quota.show":          {"project"},
		"router.list":         {"project"},
		"security-group.list": {"project"},
		"server.create":       {"user_data_file"},
		// A stack's template and environment files, and abandon data,
		// are the person's to name.
		"stack.abandon":           {"output_file"},
		"stack.adopt":             {"adopt_file"},
		"stack.create":            {"environment_file", "template_file"},
		"stack.preview":           {"environment_file", "template_file"},
		"stack.template.validate": {"environment_file", "template_file"},
		"stack.update":            {"environment_file", "template_file"},
		"subnet.list":             {"project"},
		// A tag policy file is the person's to name; the model gives
		// the policy inline.
		"tags.check": {"file"},
		"tags.fix":   {"file"},
	}
	for _, props := range got {
		sort.Strings(props) // a schema's properties come in map order
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("tools with credential-redirecting properties (-want +got):\n%s", diff)
	}
}

func TestForbiddenArgs(t *testing.T) {
	tests := []struct {
		args string
		want []string
	}{
		{`{"status":"ERROR"}`, nil},
		{`{"project":"x","name":"a"}`, []string{"project"}},
		{`{"os_auth_url":"http://evil","region":"r","cloud":"c","all_projects":true}`, []string{"cloud", "os_auth_url", "region"}},
		{`{"Auth-URL":"x","endpoint":"y"}`, []string{"Auth-URL", "endpoint"}},
		{`not json`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.args, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, ForbiddenArgs(json.RawMessage(tt.args))); diff != "" {
				t.Errorf("ForbiddenArgs (-want +got):\n%s", diff)
			}
		})
	}
}

func findFunction(t *testing.T, fns []llm.Function, name string) llm.Function {
	t.Helper()
	for _, f := range fns {
		if f.Name == name {
			return f
		}
	}
	t.Fatalf("no function %s", name)
	return llm.Function{}
}

func TestProposePlan(t *testing.T) {
	reg := realRegistry(t)
	f := findFunction(t, Functions(reg, nil), ProposePlanFunction)
	var doc struct {
		Required   []string `json:"required"`
		Properties map[string]struct {
			Items struct {
				Required   []string `json:"required"`
				Properties map[string]struct {
					Enum        []string `json:"enum"`
					Description string   `json:"description"`
				} `json:"properties"`
			} `json:"items"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(f.Parameters, &doc); err != nil {
		t.Fatal(err)
	}
	var top []string
	for k := range doc.Properties {
		top = append(top, k)
	}
	sort.Strings(top)
	if diff := cmp.Diff([]string{"goal", "steps"}, top); diff != "" {
		t.Errorf("plan properties (-want +got):\n%s", diff)
	}
	step := doc.Properties["steps"].Items
	var stepProps []string
	for k := range step.Properties {
		stepProps = append(stepProps, k)
	}
	sort.Strings(stepProps)
	if diff := cmp.Diff([]string{"args", "id", "tool", "why"}, stepProps); diff != "" {
		t.Errorf("step properties (-want +got):\n%s", diff)
	}
	var changes []string
	for _, tl := range reg.Tools() {
		// A person-only change (application-credential.create, whose
		// answer is a credential) is never offered to the model.
		if tl.Effect != tools.Read && !tl.PersonOnly {
			changes = append(changes, tl.Name)
		}
	}
	if diff := cmp.Diff(changes, step.Properties["tool"].Enum); diff != "" {
		t.Errorf("tool enum (-want +got):\n%s", diff)
	}
	args := step.Properties["args"].Description
	for _, want := range []string{"describe_tool", "${stepid.field}"} {
		if !strings.Contains(args, want) {
			t.Errorf("args description %q does not mention %s", args, want)
		}
	}

	d := findFunction(t, Functions(reg, nil), DescribeToolFunction)
	if !strings.Contains(string(d.Parameters), `"enum":["`+changes[0]+`"`) {
		t.Errorf("describe_tool parameters %s do not list the change tools", d.Parameters)
	}
}

func TestPersonOnlyToolsAreNeverOffered(t *testing.T) {
	reg := realRegistry(t)
	var personOnly []string
	for _, tl := range reg.Tools() {
		if tl.PersonOnly {
			personOnly = append(personOnly, tl.Name)
		}
	}
	if !slices.Contains(personOnly, "object.temp-url") {
		t.Fatalf("object.temp-url is not person-only (person-only: %v)", personOnly)
	}
	for _, f := range Functions(reg, nil) {
		for _, name := range personOnly {
			if f.Name == FunctionName(name) || strings.Contains(string(f.Parameters), `"`+name+`"`) {
				t.Errorf("%s is offered to the model through %s", name, f.Name)
			}
		}
	}
}

func TestFunctionsFollowOfferedServices(t *testing.T) {
	reg := realRegistry(t)
	if fns := Functions(reg, func(string) bool { return false }); len(fns) != 0 {
		t.Errorf("nothing offered, got %d functions", len(fns))
	}
	fns := Functions(reg, func(s string) bool { return s == "network" })
	for _, f := range fns {
		if f.Name == ProposePlanFunction || f.Name == DescribeToolFunction {
			for _, name := range regexp.MustCompile(`"enum":\[([^]]*)\]`).FindAllStringSubmatch(string(f.Parameters), -1) {
				for _, q := range strings.Split(name[1], ",") {
					tl, ok := reg.Lookup(strings.Trim(q, `"`))
					if !ok || tl.Service != "network" {
						t.Errorf("%s offers %s with only network in the catalog", f.Name, q)
					}
				}
			}
			continue
		}
		name, _ := ToolName(f.Name)
		tl, _ := reg.Lookup(name)
		if tl.Service != "network" {
			t.Errorf("%s (service %s) offered with only network in the catalog", f.Name, tl.Service)
		}
	}
}

func TestDescribeTool(t *testing.T) {
	reg := realRegistry(t)
	got, err := DescribeTool(reg, "server.create")
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Tool     string          `json:"tool"`
		Effect   string          `json:"effect"`
		Summary  string          `json:"summary"`
		Args     json.RawMessage `json:"args"`
		Produces []string        `json:"produces"`
	}
	if err := json.Unmarshal([]byte(got), &d); err != nil {
		t.Fatalf("%s: %v", got, err)
	}
	tl, _ := reg.Lookup("server.create")
	if d.Tool != "server.create" || d.Effect != "change" || d.Summary != tl.Summary {
		t.Errorf("got %s", got)
	}
	if diff := cmp.Diff(tl.Produces, d.Produces); diff != "" {
		t.Errorf("produces (-want +got):\n%s", diff)
	}
	if strings.Contains(got, "$ref") || strings.Contains(got, "x-") {
		t.Errorf("schema is not compact: %s", got)
	}
	if _, err := DescribeTool(reg, "server.explode"); err == nil {
		t.Error("DescribeTool of an unknown tool: no error")
	}
}

// TestModelSchemaValidatesLikeTheOriginal compiles the model's copy of a
// schema with $refs inlined and checks it accepts and refuses the same
// arguments as the registry does.
func TestModelSchemaValidatesLikeTheOriginal(t *testing.T) {
	reg := realRegistry(t)
	tests := []struct {
		tool string
		args string
	}{
		{"server.create", `{"name":"web","flavor":"m1.small","image":"cirros"}`},
		{"server.create", `{"name":"web","flavor":"","image":"cirros"}`},
		{"server.create", `{"name":"web","flavor":"m1.small"}`},
		{"server.create", `{"name":"web","flavor":"m1.small","image":"c","networks":["n",""]}`},
		{"server.add.floating-ip", `{"server":"web","network":"public"}`},
		{"server.add.floating-ip", `{"server":"web","network":"public","address":"1.2.3.4"}`},
		{"server.list", `{"limit":0}`},
		{"server.list", `{"limit":5,"status":"ERROR"}`},
	}
	for _, tt := range tests {
		t.Run(tt.tool+" "+tt.args, func(t *testing.T) {
			wantOK := reg.Validate(tt.tool, json.RawMessage(tt.args)) == nil
			params, err := ModelSchema(reg, tt.tool)
			if err != nil {
				t.Fatal(err)
			}
			doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(params))
			if err != nil {
				t.Fatal(err)
			}
			c := jsonschema.NewCompiler()
			if err := c.AddResource("mem://s.json", doc); err != nil {
				t.Fatal(err)
			}
			sch, err := c.Compile("mem://s.json")
			if err != nil {
				t.Fatal(err)
			}
			inst, err := jsonschema.UnmarshalJSON(strings.NewReader(tt.args))
			if err != nil {
				t.Fatal(err)
			}
			if gotOK := sch.Validate(inst) == nil; gotOK != wantOK {
				t.Errorf("model schema valid = %v, registry valid = %v", gotOK, wantOK)
			}
		})
	}
}

func TestModelSchemaOfEveryTool(t *testing.T) {
	reg := realRegistry(t)
	for _, tl := range reg.Tools() {
		if _, err := ModelSchema(reg, tl.Name); err != nil {
			t.Errorf("%s: %v", tl.Name, err)
		}
	}
}
