package tags

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/toolstest"
)

const policy = `resources:
  server:
    tags: [managed]
    properties:
      owner: {default: ops}
  volume:
    properties:
      owner:
  network:
    tags: [managed]
  router:
    tags: [managed]
`

func cloud(t *testing.T) *toolstest.Cloud {
	fc := toolstest.New(t)
	fc.Handle("GET", toolstest.IdentityPrefix+"/auth/tokens", http.StatusOK, `{"token": {"expires_at": "2030-01-01T12:00:00Z",
	 "user": {"id": "u1", "name": "demo", "domain": {"name": "Default"}}, "project": {"id": "p1", "name": "demo", "domain": {"name": "Default"}}}}`)
	fc.Handle("GET", toolstest.ComputePrefix+"/servers/detail", http.StatusOK, `{"servers": [
	 {"id": "s1", "name": "web", "status": "ACTIVE", "tags": ["managed"], "metadata": {"owner": "ann"}},
	 {"id": "s2", "name": "bare", "status": "ACTIVE", "tags": [], "metadata": {}}]}`)
	fc.Handle("GET", toolstest.VolumePrefix+"/volumes/detail", http.StatusOK, `{"volumes": [{"id": "v1", "name": "data", "status": "available", "metadata": {}}]}`)
	fc.Handle("GET", toolstest.NetworkPrefix+"/networks", http.StatusOK, `{"networks": [
	 {"id": "n1", "name": "mine", "tags": [], "project_id": "p1"},
	 {"id": "n2", "name": "public", "tags": [], "project_id": "admin"}]}`)
	fc.Handle("GET", toolstest.NetworkPrefix+"/routers", http.StatusOK, `{"routers": [{"id": "r1", "name": "edge", "tags": [], "project_id": "p1"}]}`)
	return fc
}

func policyFile(t *testing.T, body string) string {
	p := filepath.Join(t.TempDir(), "policy.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCheck(t *testing.T) {
	fc := cloud(t)
	file := policyFile(t, policy)
	res, err := toolstest.Run(t, fc.Env(), Tools(), "tags.check", map[string]any{"file": file})
	if err != nil {
		t.Fatal(err)
	}
	r := tools.RowsOf(res.List)
	var got []string
	r.Each(func(row []any) {
		got = append(got, strings.Join([]string{r.Str(row, "Type"), r.Str(row, "Name"), strings.Join(r.Strs(row, "Missing"), "; "), r.Str(row, "Fix"), strings.Join(r.Strs(row, "Cannot fix"), "; ")}, " | "))
	})
	want := []string{
		"network | mine | tag managed | network set n1 --tag managed | ",
		"router | edge | tag managed | - | tag managed: no set tool takes tags of a router yet",
		"server | bare | tag managed; property owner | server set s2 --property owner=ops --tag managed | ",
		"volume | data | property owner | - | property owner: the policy gives no default value",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	for _, w := range []string{"4 of 5 resource(s) miss what the policy requires", "/tags fix " + file + " makes a plan for 2 of them", "2 cannot be fixed"} {
		if !strings.Contains(res.Message, w) {
			t.Errorf("message lacks %q: %s", w, res.Message)
		}
	}
}

func TestFixPlan(t *testing.T) {
	fc := cloud(t)
	tl := toolstest.Tool(t, Tools(), "tags.fix")
	raw, _ := json.Marshal(map[string]any{"policy": map[string]any{"resources": map[string]any{
		"server":  map[string]any{"tags": []string{"managed"}, "properties": map[string]any{"owner": map[string]any{"default": "ops"}}},
		"volume":  map[string]any{"properties": map[string]any{"owner": map[string]any{"default": "ops"}}},
		"network": map[string]any{"tags": []string{"managed"}},
		"router":  map[string]any{"tags": []string{"managed"}},
	}}})
	steps, err := tl.Expand(t.Context(), fc.Env(), raw)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range steps {
		got = append(got, s.ID+" "+s.Tool+" "+string(s.Args)+" — "+s.Why)
	}
	want := []string{
		`network-1 network.set {"network":"n1","tag":["managed"]} — tag policy: network mine misses tag managed`,
		`server-1 server.set {"property":{"owner":"ops"},"server":"s2","tag":["managed"]} — tag policy: server bare misses tag managed, property owner=ops`,
		`volume-1 volume.set {"properties":{"owner":"ops"},"volume":"v1"} — tag policy: volume data misses property owner=ops`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestFixRefusals(t *testing.T) {
	tl := toolstest.Tool(t, Tools(), "tags.fix")
	// A bad policy is refused before the cloud is read.
	bad := policyFile(t, "resources:\n  servr:\n    tags: [a]\n")
	_, err := tl.Expand(t.Context(), toolstest.New(t).Env(), tools.JSON(map[string]any{"file": bad}))
	if err == nil || !strings.Contains(err.Error(), `line 2: resources.servr: unknown resource type "servr" (did you mean "server"?)`) {
		t.Errorf("bad policy: %v", err)
	}
	_, err = tl.Expand(t.Context(), toolstest.New(t).Env(), tools.JSON(map[string]any{"file": filepath.Join(t.TempDir(), "none.yaml")}))
	if err == nil || !strings.Contains(err.Error(), "read policy:") {
		t.Errorf("missing file: %v", err)
	}
	// Only what no set tool can add: nothing to plan, and why.
	fc := toolstest.New(t)
	fc.Handle("GET", toolstest.IdentityPrefix+"/auth/tokens", http.StatusOK, `{"token": {"expires_at": "2030-01-01T12:00:00Z",
	 "user": {"id": "u1", "name": "demo", "domain": {"name": "Default"}}, "project": {"id": "p1", "name": "demo", "domain": {"name": "Default"}}}}`)
	fc.Handle("GET", toolstest.NetworkPrefix+"/routers", http.StatusOK, `{"routers": [{"id": "r1", "name": "edge", "tags": [], "project_id": "p1"}]}`)
	_, err = tl.Expand(t.Context(), fc.Env(), tools.JSON(map[string]any{"file": policyFile(t, "resources:\n  router:\n    tags: [managed]\n")}))
	if err == nil || !strings.Contains(err.Error(), "1 resource(s) miss what the policy requires, and no set tool can add it") {
		t.Errorf("unfixable: %v", err)
	}
}
