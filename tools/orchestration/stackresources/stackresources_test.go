package stackresources

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/internal/cloud"
	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/toolstest"
)

const heat = "/orchestration/v1/p-1"

func TestSchemas(t *testing.T) {
	reg := toolstest.Registry(t, Tools())
	for _, tt := range []struct {
		tool string
		args string
		ok   bool
	}{
		{"stack.resource.list", `{"stack": "web", "nested_depth": 2}`, true},
		{"stack.resource.list", `{"stack": "web", "nested_depth": 9}`, false},
		{"stack.resource.show", `{"stack": "web"}`, false},
	} {
		if err := reg.Validate(tt.tool, json.RawMessage(tt.args)); (err == nil) != tt.ok {
			t.Errorf("%s %s: err = %v", tt.tool, tt.args, err)
		}
	}
}

func TestListTree(t *testing.T) {
	fc := toolstest.New(t)
	fc.Caps.Services["orchestration"] = cloud.Service{Type: "orchestration", Endpoint: fc.Server.URL + heat + "/"}
	fc.Handle("GET", heat+"/stacks/web", 200, `{"stack": {"id": "s-1", "stack_name": "web", "stack_status": "UPDATE_FAILED"}}`)
	fc.HandleFunc("GET", heat+"/stacks/web/s-1/resources", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("nested_depth") != "2" {
			t.Errorf("query = %s", r.URL.RawQuery)
		}
		_, _ = io.WriteString(w, `{"resources": [
			{"resource_name": "vol", "resource_type": "OS::Cinder::Volume", "resource_status": "CREATE_FAILED", "parent_resource": "db", "stack_name": "web-db-1"},
			{"resource_name": "db", "resource_type": "db.yaml", "resource_status": "UPDATE_FAILED", "stack_name": "web"},
			{"resource_name": "app", "resource_type": "OS::Nova::Server", "resource_status": "CREATE_COMPLETE", "stack_name": "web"}]}`)
	})
	res, err := toolstest.Tool(t, Tools(), "stack.resource.list").Run(context.Background(), fc.Env(), tools.JSON(ListArgs{Stack: "web", NestedDepth: 2}))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, row := range res.List.Rows {
		got = append(got, row[0].(string)+" "+row[3].(string))
	}
	if diff := cmp.Diff([]string{"app CREATE_COMPLETE", "db UPDATE_FAILED", "  vol CREATE_FAILED"}, got); diff != "" {
		t.Errorf("tree (-want +got):\n%s", diff)
	}
	if res.Message != "2 resource(s) failed; /stack triage web shows why" {
		t.Errorf("message = %q", res.Message)
	}
}
