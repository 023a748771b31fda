package reports

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const goodPolicy = `# every server and volume says who pays
version: 1
description: cost allocation
resources:
  server:
    tags:
      - managed
      - pattern: "^env=(prod|dev)$"
        default: env=dev
    properties:
      owner: {pattern: "^[a-z]+$", default: ops}
      cost-center:
  volume:
    properties:
      owner: {}
  network:
    name: "^mi"
    tags: [managed]
  port:
    tags: [managed]
`

func TestParsePolicyGood(t *testing.T) {
	for _, name := range []string{"yaml", "json"} {
		t.Run(name, func(t *testing.T) {
			src := goodPolicy
			if name == "json" {
				src = `{"resources": {"server": {"tags": ["managed", {"pattern": "^env=(prod|dev)$", "default": "env=dev"}], "properties": {"owner": {"pattern": "^[a-z]+$", "default": "ops"}, "cost-center": null}}, "volume": {"properties": {"owner": {}}}, "network": {"name": "^mi", "tags": ["managed"]}, "port": {"tags": ["managed"]}}}`
			}
			p, err := ParsePolicy("p.yaml", []byte(src))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]string{"network", "port", "server", "volume"}, p.Types); diff != "" {
				t.Errorf("types (-want +got):\n%s", diff)
			}
			s := p.Rules["server"]
			if len(s.Tags) != 2 || s.Tags[0].Tag != "managed" || s.Tags[1].Pattern.String() != "^env=(prod|dev)$" || s.Tags[1].Default != "env=dev" {
				t.Errorf("server tags: %+v", s.Tags)
			}
			if diff := cmp.Diff([]string{"cost-center", "owner"}, s.Keys); diff != "" {
				t.Errorf("server keys (-want +got):\n%s", diff)
			}
			if o := s.Properties["owner"]; !o.HasDefault || o.Default != "ops" || o.Pattern == nil {
				t.Errorf("owner rule: %+v", o)
			}
			if c := s.Properties["cost-center"]; c.HasDefault || c.Pattern != nil {
				t.Errorf("cost-center rule: %+v", c)
			}
		})
	}
}

func TestParsePolicyBad(t *testing.T) {
	tests := []struct {
		name, src string
		want      []string
	}{
		{"empty", ``, []string{"line 1: the file is empty"}},
		{"not yaml", "resources: [\n", []string{"line 1: did not find expected node content"}},
		{"no resources", "version: 1\n", []string{"line 1: resources is required"}},
		{"unknown type suggests the closest", "resources:\n  servr:\n    tags: [a]\n", []string{`line 2: resources.servr: unknown resource type "servr" (did you mean "server"?)`}},
		{"unknown type and a known type's mistake, both at once", "resources:\n  servr:\n    tags: [a]\n  volume:\n    tags: [a]\n",
			[]string{`line 2: resources.servr: unknown resource type "servr"`, "line 5: resources.volume.tags: volumes have no tags"}},
		{"unknown type far from all", "resources:\n  loadbalancer:\n    tags: [a]\n", []string{`unknown resource type "loadbalancer"; the types are floating-ip, image, network`}},
		{"unknown field", "resources:\n  server:\n    tag: [a]\n", []string{"line 3: unknown field resources.server.tag"}},
		{"wrong version", "version: 2\nresources:\n  server:\n    tags: [a]\n", []string{"line 1: version:"}},
		{"bad tag", "resources:\n  server:\n    tags:\n      - a\n      - 'x,y'\n", []string{"line 5: resources.server.tags[1]: write a tag"}},
		{"bad regex", "resources:\n  server:\n    tags:\n      - pattern: '(['\n", []string{"line 4: resources.server.tags[0].pattern: not a regular expression (RE2)"}},
		{"default not matching", "resources:\n  server:\n    properties:\n      owner: {pattern: '^[a-z]+$', default: 'Bob'}\n", []string{`line 4: resources.server.properties.owner.default: "Bob" does not match its pattern ^[a-z]+$`}},
		{"volumes have no tags", "resources:\n  volume:\n    tags: [a]\n", []string{"line 3: resources.volume.tags: volumes have no tags in OpenStack; require properties instead"}},
		{"networks have no properties", "resources:\n  network:\n    properties: {owner: }\n", []string{"line 3: resources.network.properties: networks have no properties"}},
		{"empty rules", "resources:\n  server: {}\n", []string{"line 2: resources.server: minProperties"}},
		{"a name pattern alone", "resources:\n  server:\n    name: '^web'\n", []string{"line 2: resources.server: no tags and no properties: say what a server must carry"}},
		{"bad name pattern", "resources:\n  server:\n    name: '(['\n    tags: [a]\n", []string{"line 3: resources.server.name: not a regular expression"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParsePolicy("p.yaml", []byte(tt.src))
			var pe *PolicyError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want a PolicyError", err)
			}
			all := strings.Join(pe.Problems, "\n")
			if strings.Contains(all, "must be one of") {
				t.Errorf("the schema's list of types repeats the hand check:\n%s", all)
			}
			for _, w := range tt.want {
				if !strings.Contains(all, w) {
					t.Errorf("problems lack %q:\n%s", w, all)
				}
			}
			if !strings.HasPrefix(err.Error(), "p.yaml is not a valid tag policy (tag-policy.schema.json):") {
				t.Errorf("error %q", err)
			}
		})
	}
}

func TestCheckPolicy(t *testing.T) {
	p, err := ParsePolicy("p.yaml", []byte(goodPolicy))
	if err != nil {
		t.Fatal(err)
	}
	f := Facts{
		Read:      map[Source]bool{SrcServers: true, SrcVolumes: true, SrcNetworks: true, SrcPorts: true},
		ProjectID: "p1",
		Servers: []Server{
			{ID: "s1", Name: "ok", Tags: []string{"managed", "env=prod"}, Properties: map[string]string{"owner": "ann", "cost-center": "42"}},
			{ID: "s2", Name: "bare"},
			{ID: "s3", Name: "wrong", Tags: []string{"managed", "env=qa"}, Properties: map[string]string{"owner": "Bob", "cost-center": ""}},
		},
		Volumes:  []Volume{{ID: "v1", Name: "data"}, {ID: "v2", Name: "tagged", Properties: map[string]string{"owner": "x"}}},
		Networks: []Tagged{{ID: "n1", Name: "mine", ProjectID: "p1"}, {ID: "n2", Name: "public", ProjectID: "admin"}, {ID: "n3", Name: "other", ProjectID: "p1"}},
		Ports: []Port{
			{ID: "p1", Name: "app", ProjectID: "p1"},
			{ID: "p2", DeviceOwner: "network:dhcp", ProjectID: "p1"},
		},
	}
	got := CheckPolicy(f, p)
	var lines []string
	for _, m := range got {
		tool, args := m.FixArgs()
		lines = append(lines, fmt.Sprintf("%s %s | %s | %s %v | %s", m.Type, m.Label(), strings.Join(m.Missing, "; "), tool, args, strings.Join(m.Unfixable, "; ")))
	}
	want := []string{
		"network mine | tag managed | network.set map[network:n1 tag:[managed]] | ",
		"port app | tag managed |  map[] | tag managed: no set tool takes tags of a port yet",
		"server bare | tag managed; a tag matching ^env=(prod|dev)$; property cost-center; property owner | server.set map[property:map[owner:ops] server:s2 tag:[managed env=dev]] | property cost-center: the policy gives no default value",
		"server wrong | a tag matching ^env=(prod|dev)$; property owner=Bob does not match ^[a-z]+$ | server.set map[server:s3 tag:[env=dev]] | property owner: a value that is there is not overwritten; set it by hand",
		"volume data | property owner |  map[] | property owner: the policy gives no default value",
	}
	if diff := cmp.Diff(want, lines); diff != "" {
		t.Errorf("misses (-want +got):\n%s", diff)
	}
	// A type whose list was not read is not judged.
	delete(f.Read, SrcServers)
	for _, m := range CheckPolicy(f, p) {
		if m.Type == "server" {
			t.Errorf("servers judged without their list: %v", m)
		}
	}
}

func TestPolicyTypesHaveFixToolsConsistent(t *testing.T) {
	for typ, info := range PolicyTypes {
		if info.FixTool != "" && info.Arg == "" {
			t.Errorf("%s: fix tool %s without its resource argument", typ, info.FixTool)
		}
		if info.TagArg != "" && !info.Tags || info.PropArg != "" && !info.Properties {
			t.Errorf("%s: fixes what it cannot carry: %+v", typ, info)
		}
	}
}
