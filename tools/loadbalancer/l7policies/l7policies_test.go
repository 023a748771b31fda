package l7policies

import (
	"context"
	"strings"
	"testing"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/loadbalancer/lbtest"
	"github.com/kriscelmer/os-tui/tools/toolstest"
)

func TestPoliciesAndRules(t *testing.T) {
	tests := []struct {
		tool    string
		args    map[string]any
		blocked bool
		want    string
	}{
		{"loadbalancer.policy.create", map[string]any{"listener": "http", "action": "REJECT"}, false, ""},
		{"loadbalancer.policy.create", map[string]any{"listener": "http", "action": "REDIRECT_TO_POOL"}, true, "action REDIRECT_TO_POOL needs --redirect-pool"},
		{"loadbalancer.policy.create", map[string]any{"listener": "http", "action": "REJECT", "redirect_url": "http://x"}, true, "--redirect-url does not go with action REJECT"},
		{"loadbalancer.policy.create", map[string]any{"listener": "tcp", "action": "REJECT"}, true, "L7 policies read HTTP requests"},
		{"loadbalancer.policy.create", map[string]any{"listener": "http", "action": "REDIRECT_TO_POOL", "redirect_pool": "api"}, false, ""},
		{"loadbalancer.rule.create", map[string]any{"l7policy": "deny", "type": "PATH", "compare_type": "STARTS_WITH", "value": "/admin"}, false, ""},
		{"loadbalancer.rule.create", map[string]any{"l7policy": "deny", "type": "HEADER", "compare_type": "EQUAL_TO", "value": "x"}, true, "a HEADER rule needs --key"},
		{"loadbalancer.rule.create", map[string]any{"l7policy": "deny", "type": "PATH", "compare_type": "REGEX", "value": "(["}, true, "is not a regular expression"},
	}
	for _, tt := range tests {
		t.Run(tt.tool+" "+tt.want, func(t *testing.T) {
			f := lbtest.New(t)
			id := f.LB("web", "s", "n")
			h := f.Listener(id, "http", "HTTP", 80)
			f.Listener(id, "tcp", "TCP", 22)
			f.Pool(id, "", "api")
			f.Put("l7policies", lbtest.Obj{"name": "deny", "listener_id": h, "action": "REJECT", "rules": []any{}})
			tl := toolstest.Tool(t, Tools(), tt.tool)
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
			if _, err := tl.Preview(context.Background(), f.Cloud.Env(), chk.Resolved, chk); err != nil {
				t.Fatal(err)
			}
			res, err := tl.Run(context.Background(), f.Cloud.Env(), chk.Resolved)
			if err != nil {
				t.Fatal(err)
			}
			undo := tl.Undo(chk.Resolved, res)
			if undo == nil || !strings.HasSuffix(undo.Tool, ".delete") {
				t.Fatalf("undo %+v", undo)
			}
			del := toolstest.Tool(t, Tools(), undo.Tool)
			dchk, err := del.Check(context.Background(), f.Cloud.Env(), undo.Args)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := del.Run(context.Background(), f.Cloud.Env(), dchk.Resolved); err != nil {
				t.Fatal(err)
			}
		})
	}
}
