package topoview

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/kriscelmer/os-tui/agent/gate"
	"github.com/kriscelmer/os-tui/agent/plan"
	"github.com/kriscelmer/os-tui/agent/session"
	"github.com/kriscelmer/os-tui/internal/privacy"
	"github.com/kriscelmer/os-tui/internal/views"
	"github.com/kriscelmer/os-tui/tools"
)

var update = flag.Bool("update", false, "rewrite golden files")

type backend struct{ lists map[string]*tools.List }

func (b *backend) Registry() *tools.Registry { return nil }
func (b *backend) Read(_ context.Context, tool string, _ tools.Args) (*tools.Result, error) {
	if l, ok := b.lists[tool]; ok {
		return &tools.Result{List: l}, nil
	}
	return nil, fmt.Errorf("unknown tool %q", tool)
}
func (b *backend) Check(context.Context, *plan.Plan) (*gate.Review, error) { return nil, nil }
func (b *backend) Submit(context.Context, *plan.Plan, session.Approver) (*session.Outcome, error) {
	return nil, nil
}
func (b *backend) ReadOnly() bool { return false }

func list(cols []string, rows ...[]any) *tools.List {
	l := &tools.List{}
	for _, c := range cols {
		l.Columns = append(l.Columns, tools.Column{Name: c})
	}
	l.Rows = rows
	return l
}

func cloud() *backend {
	return &backend{lists: map[string]*tools.List{
		"network.list": list([]string{"ID", "Name", "Subnets", "Router Type"},
			[]any{"net-pub", "public", []string{"sub-pub"}, true}, []any{"net-priv", "private", []string{"sub-priv"}, false}),
		"subnet.list": list([]string{"ID", "Name", "Network", "Subnet"}, []any{"sub-priv", "private-subnet", "net-priv", "10.0.0.0/24"}),
		"router.list": list([]string{"ID", "Name", "External gateway info"},
			[]any{"r1", "router1", `{"external_fixed_ips":[{"ip_address":"203.0.113.104"}],"network_id":"net-pub"}`}),
		"port.list": list([]string{"ID", "Fixed IP Addresses", "Device Owner", "Device ID"},
			[]any{"p1", []string{"ip_address='10.0.0.1', subnet_id='sub-priv'"}, "network:router_interface", "r1"}),
		"floating-ip.list": list([]string{"ID", "Floating IP Address", "Fixed IP Address", "Port", "Floating Network"},
			[]any{"f1", "203.0.113.7", "10.0.0.5", "port-web", "net-pub"}),
		"server.list": list([]string{"ID", "Name", "Status", "Networks"},
			[]any{"s1", "web", "ACTIVE", map[string]any{"private": []any{"10.0.0.5", "203.0.113.7"}}}),
	}}
}

func deps(color bool, mask func(string, string) string) views.Deps {
	return views.Deps{Backend: cloud(), Ctx: context.Background(), Styles: views.NewStyles(color), Mask: mask}
}

func load(t *testing.T, d views.Deps) tea.Model {
	t.Helper()
	m := tea.Model(New(d))
	m, _ = m.Update(tea.WindowSizeMsg{Width: 70, Height: 14})
	m, _ = m.Update(m.Init()())
	return m
}

func press(s string) tea.KeyPressMsg {
	switch s {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	}
	return tea.KeyPressMsg{Code: []rune(s)[0], Text: s}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -update)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from its golden file:\n%s", name, got)
	}
}

func TestTree(t *testing.T) {
	for _, color := range []bool{false, true} {
		m := load(t, deps(color, nil))
		golden(t, fmt.Sprintf("tree_70x14_color_%v", color), m.View().Content)
	}
}

// TestNavigate: Enter folds the network under the cursor, a unfolds all,
// m and d show the exports.
func TestNavigate(t *testing.T) {
	m := load(t, deps(false, nil))
	m, _ = m.Update(press("enter")) // fold "private", the first network
	v := m.View().Content
	if !strings.Contains(v, "▸ network private  3 item(s)") || strings.Contains(v, "router router1 10.0.0.1") {
		t.Fatalf("Enter should fold private:\n%s", v)
	}
	m, _ = m.Update(press("a"))
	if v := m.View().Content; !strings.Contains(v, "router router1 10.0.0.1") {
		t.Fatalf("a should unfold every network:\n%s", v)
	}
	m, _ = m.Update(press("m"))
	if v := m.View().Content; !strings.Contains(v, "graph LR") {
		t.Fatalf("m should show Mermaid:\n%s", v)
	}
	m, _ = m.Update(press("d"))
	if v := m.View().Content; !strings.Contains(v, "graph topology {") {
		t.Fatalf("d should show DOT:\n%s", v)
	}
}

func TestPrivacy(t *testing.T) {
	mask := privacy.New()
	m := load(t, deps(false, mask.Cell))
	v := m.View().Content
	if strings.Contains(v, "203.0.113.7") || !strings.Contains(v, "(floating ip-") {
		t.Errorf("public addresses should be masked:\n%s", v)
	}
}
