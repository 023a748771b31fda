package projects

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/tools/toolstest"
)

func TestProjectList(t *testing.T) {
	fc := toolstest.New(t)
	fc.Handle("GET", toolstest.IdentityPrefix+"/auth/projects", http.StatusOK, `{"projects": [
	 {"id": "p2", "name": "prod", "domain_id": "default", "enabled": true, "description": ""},
	 {"id": "p1", "name": "demo", "domain_id": "default", "enabled": true, "description": "the demo"}]}`)
	res, err := toolstest.Tool(t, Tools(), "project.list").Run(t.Context(), fc.Env(), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]any{{"p1", "demo", "default", true, "the demo"}, {"p2", "prod", "default", true, ""}}
	if diff := cmp.Diff(want, res.List.Rows); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
}

func TestRegionList(t *testing.T) {
	fc := toolstest.New(t)
	fc.Caps.Regions, fc.Caps.Region = []string{"RegionOne", "RegionTwo"}, "RegionTwo"
	res, err := toolstest.Tool(t, Tools(), "region.list").Run(t.Context(), fc.Env(), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]any{{"RegionOne", false}, {"RegionTwo", true}}
	if diff := cmp.Diff(want, res.List.Rows); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
}
