package pools

import (
	"context"
	"strings"
	"testing"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/loadbalancer/lbtest"
	"github.com/kriscelmer/os-tui/tools/toolstest"
)

func TestPools(t *testing.T) {
	tests := []struct {
		name    string
		args    map[string]any
		blocked bool
		want    string
	}{
		{"default pool of a free listener", map[string]any{"listener": "free", "protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN"}, false, ""},
		{"listener has one", map[string]any{"listener": "busy", "protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN"}, true, "listener busy already has default pool"},
		{"protocol mismatch", map[string]any{"listener": "free", "protocol": "UDP", "lb_algorithm": "ROUND_ROBIN"}, true, "a UDP pool cannot serve listener free, which is HTTP; use --protocol HTTP"},
		{"both parents", map[string]any{"listener": "free", "loadbalancer": "web", "protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN"}, true, "not both"},
		{"on the load balancer", map[string]any{"loadbalancer": "web", "protocol": "TCP", "lb_algorithm": "SOURCE_IP"}, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := lbtest.New(t)
			id := f.LB("web", "s", "n")
			f.Listener(id, "free", "HTTP", 80)
			busy := f.Listener(id, "busy", "HTTP", 81)
			f.Pool(id, busy, "busy-pool")
			tl := toolstest.Tool(t, Tools(), "loadbalancer.pool.create")
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
			p, err := tl.Preview(context.Background(), f.Cloud.Env(), chk.Resolved, chk)
			if err != nil || len(p.Requests) != 1 || p.Requests[0].Method != "POST" {
				t.Fatalf("preview %+v %v", p, err)
			}
			res, err := tl.Run(context.Background(), f.Cloud.Env(), chk.Resolved)
			if err != nil {
				t.Fatal(err)
			}
			undo := tl.Undo(chk.Resolved, res)
			if undo == nil || undo.Tool != "loadbalancer.pool.delete" {
				t.Fatalf("undo %+v", undo)
			}
		})
	}
}

func TestDeletePreviewsMembers(t *testing.T) {
	f := lbtest.New(t)
	id := f.LB("web", "s", "n")
	p := f.Pool(id, f.Listener(id, "l", "HTTP", 80), "web-pool")
	f.Member(p, "web-1", "10.0.0.5", 80, "ONLINE")
	tl := toolstest.Tool(t, Tools(), "loadbalancer.pool.delete")
	chk, err := tl.Check(context.Background(), f.Cloud.Env(), tools.JSON(map[string]any{"pool": "web-pool"}))
	if err != nil {
		t.Fatal(err)
	}
	pv, err := tl.Preview(context.Background(), f.Cloud.Env(), chk.Resolved, chk)
	if err != nil || len(pv.Deletes) != 2 || pv.Deletes[1].Name != "10.0.0.5:80" {
		t.Fatalf("deletes %+v %v", pv, err)
	}
	if !strings.Contains(chk.Findings[len(chk.Findings)-1].Text, "default pool of 1 listener") {
		t.Errorf("findings %v", chk.Findings)
	}
	if _, err := tl.Run(context.Background(), f.Cloud.Env(), chk.Resolved); err != nil || len(f.All("pools")) != 0 {
		t.Fatalf("run %v, %d pools", err, len(f.All("pools")))
	}
}
