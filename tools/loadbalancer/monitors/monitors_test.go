package monitors

import (
	"context"
	"strings"
	"testing"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/loadbalancer/lbtest"
	"github.com/kriscelmer/os-tui/tools/toolstest"
)

func TestMonitors(t *testing.T) {
	tests := []struct {
		name    string
		args    map[string]any
		blocked bool
		want    string
	}{
		{"HTTP with a path", map[string]any{"pool": "free", "type": "HTTP", "delay": 5, "timeout": 3, "max_retries": 3, "url_path": "/health"}, false, ""},
		{"timeout over delay", map[string]any{"pool": "free", "type": "TCP", "delay": 2, "timeout": 5, "max_retries": 3}, true, "--timeout 5 is longer than --delay 2"},
		{"path on TCP", map[string]any{"pool": "free", "type": "TCP", "delay": 5, "timeout": 3, "max_retries": 3, "url_path": "/x"}, true, "are for HTTP and HTTPS monitors, not TCP"},
		{"pool has one", map[string]any{"pool": "watched", "type": "PING", "delay": 5, "timeout": 3, "max_retries": 3}, true, "already has health monitor"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := lbtest.New(t)
			id := f.LB("web", "s", "n")
			f.Pool(id, "", "free")
			w := f.Pool(id, "", "watched")
			f.Get("pools", w)["healthmonitor_id"] = f.Put("healthmonitors", lbtest.Obj{"type": "PING", "pools": []any{lbtest.Obj{"id": w}}})
			tl := toolstest.Tool(t, Tools(), "loadbalancer.healthmonitor.create")
			chk, err := tl.Check(context.Background(), f.Cloud.Env(), tools.JSON(tt.args))
			if err != nil {
				t.Fatal(err)
			}
			var text []string
			for _, x := range chk.Findings {
				text = append(text, x.Text)
			}
			if chk.Blocked() != tt.blocked || !strings.Contains(strings.Join(text, "\n"), tt.want) {
				t.Fatalf("blocked=%t %q, want %q", chk.Blocked(), text, tt.want)
			}
			if tt.blocked {
				return
			}
			res, err := tl.Run(context.Background(), f.Cloud.Env(), chk.Resolved)
			if err != nil {
				t.Fatal(err)
			}
			undo := tl.Undo(chk.Resolved, res)
			if undo == nil || undo.Tool != "loadbalancer.healthmonitor.delete" {
				t.Fatalf("undo %+v", undo)
			}
			del := toolstest.Tool(t, Tools(), "loadbalancer.healthmonitor.delete")
			if _, err := del.Run(context.Background(), f.Cloud.Env(), undo.Args); err != nil {
				t.Fatal(err)
			}
		})
	}
}
