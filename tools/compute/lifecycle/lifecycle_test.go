package lifecycle

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/internal/cloud"
	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/toolstest"
)

const id = "9e5476bd-a4ec-4653-93d6-72c93aa682ba"

func serverJSON(status, task string, locked bool, reason string) string {
	taskJSON := "null"
	if task != "" {
		taskJSON = fmt.Sprintf("%q", task)
	}
	return fmt.Sprintf(`{"server": {"id": %q, "name": "web-1", "status": %q, "OS-EXT-STS:task_state": %s, "locked": %t, "locked_reason": %q}}`,
		id, status, taskJSON, locked, reason)
}

func tool(t *testing.T, name string) tools.Tool {
	t.Helper()
	for _, tl := range Tools() {
		if tl.Name == name {
			return tl
		}
	}
	t.Fatalf("no tool %s", name)
	return tools.Tool{}
}

func TestCheck(t *testing.T) {
	tests := []struct {
		tool, status, task string
		locked             bool
		reason             string
		wantBlock          string
	}{
		{tool: "server.stop", status: "ACTIVE"},
		{tool: "server.stop", status: "SHUTOFF", wantBlock: "server web-1 is SHUTOFF; stop needs it to be ACTIVE or ERROR or RESCUE"},
		{tool: "server.start", status: "SHUTOFF"},
		{tool: "server.start", status: "ACTIVE", wantBlock: "start needs it to be SHUTOFF"},
		{tool: "server.stop", status: "ACTIVE", task: "rebooting", wantBlock: "busy (rebooting)"},
		{tool: "server.stop", status: "ACTIVE", locked: true, reason: "audit", wantBlock: `locked ("audit"); unlock it first`},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s from %s %s %v", tt.tool, tt.status, tt.task, tt.locked), func(t *testing.T) {
			fc := toolstest.New(t)
			fc.Handle("GET", toolstest.ComputePrefix+"/servers/"+id, http.StatusOK, serverJSON(tt.status, tt.task, tt.locked, tt.reason))
			ctx := cloud.WithReadOnly(t.Context())
			chk, err := tool(t, tt.tool).Check(ctx, fc.Env(), json.RawMessage(`{"server": "`+id+`"}`))
			if err != nil {
				t.Fatal(err)
			}
			var blocks []string
			for _, f := range chk.Findings {
				if f.Level == tools.Block {
					blocks = append(blocks, f.Text)
				}
			}
			switch {
			case tt.wantBlock == "" && len(blocks) > 0:
				t.Errorf("blocked: %v", blocks)
			case tt.wantBlock != "" && (len(blocks) == 0 || !strings.Contains(strings.Join(blocks, "\n"), tt.wantBlock)):
				t.Errorf("blocks %v, want one containing %q", blocks, tt.wantBlock)
			}
			if diff := cmp.Diff([]tools.Target{{Kind: "server", ID: id, Name: "web-1"}}, chk.Targets); diff != "" {
				t.Errorf("targets (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPreviewRunUndo(t *testing.T) {
	fc := toolstest.New(t)
	fc.HandleFunc("POST", toolstest.ComputePrefix+"/servers/"+id+"/action", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if string(b) != `{"os-stop":null}` {
			t.Errorf("body = %s", b)
		}
		w.Header().Set("X-Openstack-Request-Id", "req-stop")
		w.WriteHeader(http.StatusAccepted)
	})
	fc.Handle("GET", toolstest.ComputePrefix+"/servers/"+id, http.StatusOK, serverJSON("SHUTOFF", "", false, ""))
	env := fc.Env()
	stop := tool(t, "server.stop")
	args := json.RawMessage(`{"server": "` + id + `"}`)
	chk := &tools.Check{Targets: []tools.Target{{Kind: "server", ID: id, Name: "web-1"}}}
	pv, err := stop.Preview(cloud.WithReadOnly(t.Context()), env, args, chk)
	if err != nil {
		t.Fatal(err)
	}
	want := []tools.Request{{Method: "POST", URL: fc.Server.URL + toolstest.ComputePrefix + "/servers/" + id + "/action", Body: map[string]any{"os-stop": nil}}}
	if diff := cmp.Diff(want, pv.Requests); diff != "" {
		t.Errorf("preview (-want +got):\n%s", diff)
	}
	// The dry-run's request is refused by the read-only guard if sent.
	if _, err := stop.Run(cloud.WithReadOnly(t.Context()), env, args); err == nil || !strings.Contains(err.Error(), "may only read") {
		t.Errorf("run under read-only: err = %v", err)
	}
	res, err := stop.Run(t.Context(), env, args)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"req-stop"}, res.RequestIDs); diff != "" {
		t.Errorf("request IDs (-want +got):\n%s", diff)
	}
	if res.Await == nil || res.Await.Until[0] != "SHUTOFF" {
		t.Fatalf("await = %+v", res.Await)
	}
	status, err := res.Await.Poll(context.Background(), env)
	if err != nil || status != "SHUTOFF" {
		t.Errorf("poll = %q, %v", status, err)
	}
	undo := stop.Undo(args, res)
	if undo == nil || undo.Tool != "server.start" || string(undo.Args) != `{"server":"`+id+`"}` {
		t.Errorf("undo = %+v", undo)
	}
}
