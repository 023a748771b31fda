package session

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kriscelmer/os-tui/internal/cloud"
	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/toolset"
	"github.com/kriscelmer/os-tui/tools/toolstest"
)

// TestSaveComposedHeatAsksHeat: a composed template goes to Heat's
// template validate; one Heat refuses returns to the model and leaves no
// file behind, one it accepts is kept with its preview and create named.
func TestSaveComposedHeatAsksHeat(t *testing.T) {
	reg, err := toolset.Registry()
	if err != nil {
		t.Fatal(err)
	}
	fc := toolstest.New(t)
	fc.Caps.Services["orchestration"] = cloud.Service{Type: "orchestration", Endpoint: fc.Server.URL + "/heat/v1/p-1/"}
	fc.HandleFunc("POST", "/heat/v1/p-1/validate", func(w http.ResponseWriter, r *http.Request) {
		var body map[string]any
		_ = json.NewDecoder(r.Body).Decode(&body)
		if strings.Contains(body["template"].(string), "get_resource: nosuch") {
			w.WriteHeader(400)
			_, _ = io.WriteString(w, `{"error": {"type": "InvalidTemplateReference", "message": "The specified reference \"nosuch\" (in vm) is incorrect."}}`)
			return
		}
		_, _ = io.WriteString(w, `{"Description": "No description", "Parameters": {}}`)
	})
	dir := t.TempDir()
	var notices []string
	e := &Engine{Registry: reg, ComposeDir: dir, Env: func() (*tools.Env, error) { return fc.Env(), nil },
		Events: func(ev Event) {
			if n, ok := ev.(Notice); ok {
				notices = append(notices, n.Text)
			}
		}}
	bad := "heat_template_version: 2021-04-16\nresources:\n  vm:\n    type: OS::Nova::Server\n    properties: {networks: [{network: {get_resource: nosuch}}]}\n"
	out := e.saveComposed(t.Context(), "heat", "bad.yaml", bad)
	if out.Status != "invalid" || !strings.Contains(strings.Join(out.Errors, ";"), `Heat's template validate refuses it: InvalidTemplateReference: The specified reference "nosuch" (in vm) is incorrect.`) {
		t.Errorf("refused draft: %s %v", out.Status, out.Errors)
	}
	if _, err := os.Stat(filepath.Join(dir, "bad.yaml")); !os.IsNotExist(err) {
		t.Errorf("a template Heat refuses was left on disk: %v", err)
	}
	good := "heat_template_version: 2021-04-16\nresources:\n  net: {type: OS::Neutron::Net}\n"
	if out := e.saveComposed(t.Context(), "heat", "good.yaml", good); out.Status != "ok" {
		t.Fatalf("accepted draft: %s %v", out.Status, out.Errors)
	}
	last := notices[len(notices)-1]
	if !strings.Contains(last, "next: /stack create -t "+filepath.Join(dir, "good.yaml")+" NAME --dry-run, then /stack create -t") {
		t.Errorf("notice = %q", last)
	}
}
