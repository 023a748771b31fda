package orchestration

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const goodTemplate = `heat_template_version: 2018-08-31
parameters:
  size:
    type: number
  name:
    type: string
    default: web
  enabled:
    type: boolean
    default: true
  spec:
    type: json
    default: {}
resources:
  net:
    type: OS::Neutron::Net
    metadata:
      ostui:protected: true
  vol:
    type: OS::Cinder::Volume
    deletion_policy: Retain
    properties: {size: {get_param: size}}
  tagged:
    type: OS::Heat::None
    metadata:
      tags: [ostui:protected]
  plain:
    type: OS::Heat::None
outputs:
  id:
    value: {get_resource: net}
`

func TestParseTemplate(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		{"not YAML", "heat_template_version: 2018-08-31\nresources:\n  net: {type: OS::Neutron::Net\n", "t.yaml line 3: a { opened here is never closed (did not find expected ',' or '}') (it is not valid YAML)"},
		{"not a mapping", "- a\n- b\n", "t.yaml line 1, column 1: the top level must be a mapping"},
		{"no version", "resources:\n  net:\n    type: OS::Neutron::Net\n", "t.yaml line 1, column 1: heat_template_version is missing"},
		{"no resources", "heat_template_version: 2018-08-31\n", "resources is missing"},
		{"resource without type", "heat_template_version: 2018-08-31\nresources:\n  net:\n    properties: {}\n", "t.yaml line 3, column 3: resource net has no type"},
		{"resource not a mapping", "heat_template_version: 2018-08-31\nresources:\n  net: OS::Neutron::Net\n", "t.yaml line 3, column 8: resource net must be a mapping"},
		{"unknown parameter type", "heat_template_version: 2018-08-31\nparameters:\n  n:\n    type: integer\nresources:\n  a: {type: OS::Heat::None}\n", `t.yaml line 4, column 11: parameter n has type "integer"`},
		{"empty", "", "t.yaml: the file is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseTemplate("/x/t.yaml", []byte(tt.text))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
	tpl, err := ParseTemplate("t.yaml", []byte(goodTemplate))
	if err != nil {
		t.Fatal(err)
	}
	var protected []string
	for _, n := range SortedKeys(tpl.Resources) {
		if tpl.Resources[n].Protected {
			protected = append(protected, n)
		}
	}
	if diff := cmp.Diff([]string{"net", "tagged", "vol"}, protected); diff != "" {
		t.Errorf("protected (-want +got):\n%s", diff)
	}
	if p := tpl.Params["size"]; p.Type != "number" || p.HasDefault || p.Line != 3 {
		t.Errorf("size = %+v", p)
	}
}

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestCheckParams(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"t.yaml":     goodTemplate,
		"size.yaml":  "parameters:\n  size: 3\n",
		"other.yaml": "parameters:\n  colour: red\n",
		"defs.yaml":  "parameter_defaults:\n  size: 2\n  colour: red\n",
		"bad.yaml":   "params:\n  size: 3\n",
	})
	tests := []struct {
		name  string
		envs  []string
		given map[string]string
		want  []string
		err   string
	}{
		{name: "all given", given: map[string]string{"size": "10", "enabled": "yes", "spec": `{"a": 1}`}},
		{name: "missing required", want: []string{"t.yaml needs a value for size (no default in the template); give --parameter size=VALUE or set it in an environment file"}},
		{name: "environment gives it", envs: []string{"size.yaml"}},
		{name: "parameter_defaults give it, and may name others", envs: []string{"defs.yaml"}},
		{name: "undeclared", given: map[string]string{"size": "1", "colour": "red"}, want: []string{`t.yaml declares no parameter "colour"; it declares enabled, name, size, spec`}},
		{name: "environment sets an undeclared one", envs: []string{"size.yaml", "other.yaml"}, want: []string{`an environment file sets parameter "colour", which t.yaml does not declare`}},
		{name: "wrong types", given: map[string]string{"size": "big", "enabled": "maybe", "spec": "{"}, want: []string{
			`parameter enabled is a boolean (t.yaml line 8) but "maybe" is not a boolean (true or false)`,
			`parameter size is a number (t.yaml line 3) but "big" is not a number`,
			`parameter spec is a json (t.yaml line 11) but "{" is not JSON`,
		}},
		{name: "not an environment", envs: []string{"bad.yaml"}, err: `bad.yaml line 1, column 1: "params" is not an environment section`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var envs []string
			for _, e := range tt.envs {
				envs = append(envs, filepath.Join(dir, e))
			}
			f, err := Load(filepath.Join(dir, "t.yaml"), envs)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := f.CheckParams(tt.given)
			if len(got) != len(tt.want) {
				t.Fatalf("problems = %q, want %q", got, tt.want)
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tt.want[i]) {
					t.Errorf("problem %d = %q, want it to start %q", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestLoadDigestFollowsTheFiles(t *testing.T) {
	dir := writeFiles(t, map[string]string{"t.yaml": goodTemplate, "e.yaml": "parameters:\n  size: 3\n"})
	a, err := Load(filepath.Join(dir, "t.yaml"), []string{filepath.Join(dir, "e.yaml")})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "e.yaml"), []byte("parameters:\n  size: 4\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	b, err := Load(filepath.Join(dir, "t.yaml"), []string{filepath.Join(dir, "e.yaml")})
	if err != nil {
		t.Fatal(err)
	}
	if a.Digest == b.Digest {
		t.Error("an edited environment file kept the digest: the gate would not see the change")
	}
	if _, err := Load(filepath.Join(dir, "nosuch.yaml"), nil); err == nil || !strings.Contains(err.Error(), "nosuch.yaml does not exist") {
		t.Errorf("missing file: err = %v", err)
	}
	if _, err := Load(dir, nil); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("directory: err = %v", err)
	}
}

func TestClassifyPreviewAndProtect(t *testing.T) {
	changes := map[string][]PreviewResource{
		"added":     {{Name: "net2", Type: "OS::Neutron::Net", StackName: "web"}},
		"replaced":  {{Name: "vol", Type: "OS::Cinder::Volume", StackName: "web"}, {Name: "token", Type: "OS::Heat::RandomString", StackName: "web"}},
		"updated":   {{Name: "server", Type: "OS::Nova::Server", StackName: "web"}, {Name: "port", Type: "OS::Neutron::Port", StackName: "web-db-x7"}},
		"deleted":   {{Name: "net", Type: "OS::Neutron::Net", StackName: "web", PhysicalID: "n-1"}},
		"unchanged": {{Name: "keep", Type: "OS::Heat::None", StackName: "web"}},
	}
	d := ClassifyPreview("web", changes)
	want := []string{
		"+ net2 (OS::Neutron::Net) added",
		"± token (OS::Heat::RandomString) replaced: a new one is made and the old one deleted",
		"± vol (OS::Cinder::Volume) replaced: a new one is made and the old one deleted",
		"~ server (OS::Nova::Server) updated in place",
		"~ web-db-x7/port (OS::Neutron::Port) updated in place",
		"- net (OS::Neutron::Net) deleted, now n-1",
	}
	if diff := cmp.Diff(want, d.Lines()); diff != "" {
		t.Errorf("lines (-want +got):\n%s", diff)
	}
	if got := d.Summary(); got != "1 added, 2 replaced, 2 updated in place, 1 deleted, 1 unchanged" {
		t.Errorf("summary = %q", got)
	}
	tpl := map[string]any{"resources": map[string]any{
		"vol":    map[string]any{"type": "OS::Cinder::Volume", "deletion_policy": "Retain"},
		"net":    map[string]any{"type": "OS::Neutron::Net", "metadata": map[string]any{"ostui:protected": true}},
		"server": map[string]any{"type": "OS::Nova::Server", "metadata": map[string]any{"tags": []any{"ostui:protected"}}},
		"token":  map[string]any{"type": "OS::Heat::RandomString"},
	}}
	prot := ProtectedIn(tpl)
	if diff := cmp.Diff(map[string]string{"vol": "its deletion_policy is Retain", "net": "its metadata carries ostui:protected", "server": "its metadata tags carry ostui:protected"}, prot); diff != "" {
		t.Errorf("protected (-want +got):\n%s", diff)
	}
	got := d.Protect(prot)
	// server is protected but only updated in place: allowed.
	wantRefused := []string{
		"the update would replace resource vol (OS::Cinder::Volume), which is protected: its deletion_policy is Retain; change the template so the resource is updated in place, or remove the mark in an update of its own first",
		"the update would delete resource net (OS::Neutron::Net), which is protected: its metadata carries ostui:protected; keep the resource in the template, or remove the mark in an update of its own first",
	}
	if diff := cmp.Diff(wantRefused, got); diff != "" {
		t.Errorf("refusals (-want +got):\n%s", diff)
	}
}

func TestTree(t *testing.T) {
	all := []StackResource{
		{Name: "web", StackName: "top"},
		{Name: "volume", StackName: "top-db-1", Parent: "db"},
		{Name: "db", StackName: "top"},
		{Name: "app", StackName: "top"},
		{Name: "inner", StackName: "top-db-1-volume-2", Parent: "volume"},
	}
	var got []string
	byName := map[string]StackResource{}
	for _, r := range all {
		byName[r.Name] = r
	}
	for _, r := range Tree("top", all) {
		got = append(got, strings.Repeat(".", Depth("top", r, byName))+r.Name)
	}
	if diff := cmp.Diff([]string{"app", "db", ".volume", "..inner", "web"}, got); diff != "" {
		t.Errorf("tree (-want +got):\n%s", diff)
	}
}
