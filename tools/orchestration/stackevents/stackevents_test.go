package stackevents

import (
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/kriscelmer/os-tui/internal/cloud"
	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/toolstest"
)

const heat = "/orchestration/v1/p-1"

func TestListLatestOldestFirst(t *testing.T) {
	fc := toolstest.New(t)
	fc.Caps.Services["orchestration"] = cloud.Service{Type: "orchestration", Endpoint: fc.Server.URL + heat + "/"}
	fc.Handle("GET", heat+"/stacks/web", 200, `{"stack": {"id": "s-1", "stack_name": "web", "stack_status": "CREATE_COMPLETE"}}`)
	fc.HandleFunc("GET", heat+"/stacks/web/s-1/events", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("limit") != "2" || q.Get("sort_dir") != "desc" || q.Get("resource_name") != "vm" {
			t.Errorf("query = %s", r.URL.RawQuery)
		}
		_, _ = io.WriteString(w, `{"events": [{"id": "e-2", "resource_name": "vm", "resource_status": "CREATE_COMPLETE"}, {"id": "e-1", "resource_name": "vm", "resource_status": "CREATE_IN_PROGRESS"}]}`)
	})
	res, err := toolstest.Tool(t, Tools(), "stack.event.list").Run(context.Background(), fc.Env(), tools.JSON(ListArgs{Stack: "web", Resource: "vm", Limit: 2}))
	if err != nil {
		t.Fatal(err)
	}
	if res.List.Rows[0][1] != "e-1" || res.List.Rows[1][1] != "e-2" {
		t.Errorf("rows = %v, want oldest first", res.List.Rows)
	}
}
