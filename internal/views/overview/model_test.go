package overview

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/gophercloud/gophercloud/v2"

	"github.com/kriscelmer/os-tui/agent/gate"
	"github.com/kriscelmer/os-tui/agent/plan"
	"github.com/kriscelmer/os-tui/agent/session"
	"github.com/kriscelmer/os-tui/internal/overview"
	"github.com/kriscelmer/os-tui/internal/privacy"
	"github.com/kriscelmer/os-tui/internal/views"
	"github.com/kriscelmer/os-tui/tools"
)

var update = flag.Bool("update", false, "rewrite golden files")

var at = time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)

func TestMain(m *testing.M) {
	tick = func() tea.Cmd { return nil } // no spinner timers in tests
	os.Exit(m.Run())
}

// backend answers reads from canned results; a view never reaches
// further.
type backend struct {
	results map[string]*tools.Result
	errs    map[string]error
}

func (b *backend) Registry() *tools.Registry { return nil }
func (b *backend) Read(_ context.Context, tool string, args tools.Args) (*tools.Result, error) {
	key := tool
	if s := string(args); s != "{}" && s != "" {
		key += " " + s
	}
	if err, ok := b.errs[key]; ok {
		return nil, err
	}
	if r, ok := b.results[key]; ok {
		return r, nil
	}
	return nil, fmt.Errorf("unknown tool %q", tool)
}
func (b *backend) Check(context.Context, *plan.Plan) (*gate.Review, error) { return nil, nil }
func (b *backend) Submit(context.Context, *plan.Plan, session.Approver) (*session.Outcome, error) {
	return nil, nil
}
func (b *backend) ReadOnly() bool { return false }

func list(cols []string, rows ...[]any) *tools.Result {
	l := &tools.List{}
	for _, c := range cols {
		l.Columns = append(l.Columns, tools.Column{Name: c})
	}
	l.Rows = rows
	return &tools.Result{List: l}
}

func project() *backend {
	q := []string{"Resource", "Service", "In Use", "Reserved", "Limit"}
	return &backend{errs: map[string]error{
		`quota.show {"service":"volume"}`: gophercloud.ErrUnexpectedResponseCode{Actual: http.StatusForbidden},
	}, results: map[string]*tools.Result{
		"catalog":                          list([]string{"Name", "Type"}, []any{"nova", "compute"}, []any{"neutron", "network"}, []any{"cinder", "volumev3"}, []any{"keystone", "identity"}),
		`quota.show {"service":"compute"}`: list(q, []any{"instances", "compute", 5, 0, 10}, []any{"cores", "compute", 16, 0, 20}, []any{"ram", "compute", 1900, 0, 2000}),
		`quota.show {"service":"network"}`: list(q, []any{"floatingip", "network", 3, 0, 50}, []any{"subnetpool", "network", 0, 0, -1}),
		"server.list": list([]string{"ID", "Name", "Status", "Key Name"},
			[]any{"11111111-1111-1111-1111-111111111111", "web", "ACTIVE", "k"}, []any{"22222222-2222-2222-2222-222222222222", "broken", "ERROR", ""}),
		"volume.list":          list([]string{"ID", "Name", "Status", "Size", "Attached to"}, []any{"v1", "data", "available", 1, ""}),
		"floating-ip.list":     list([]string{"ID", "Floating IP Address", "Port", "Status"}, []any{"f1", "203.0.113.5", "", "DOWN"}),
		"port.list":            list([]string{"ID", "Name", "Status", "Security Groups", "Device Owner", "Device ID"}),
		"security-group.list":  list([]string{"ID", "Name"}, []any{"sg1", "default"}),
		"keypair.list":         list([]string{"Name"}, []any{"k"}),
		"router.list":          list([]string{"ID", "Name", "Status", "External gateway info"}),
		"network.list":         list([]string{"ID", "Name", "Status"}, []any{"n1", "private", "ACTIVE"}),
		"volume.snapshot.list": list([]string{"ID", "Name", "Status", "Created At"}),
		`server.events {"server":"11111111-1111-1111-1111-111111111111"}`: list([]string{"Request ID", "Action", "Start Time", "Message"},
			[]any{"req-1", "create", "2026-12-01T10:00:00.000000", nil}),
		`server.events {"server":"22222222-2222-2222-2222-222222222222"}`: list([]string{"Request ID", "Action", "Start Time", "Message"},
			[]any{"req-2", "create", "2026-12-02T10:00:00.000000", "Error"}),
		`server.show {"server":"22222222-2222-2222-2222-222222222222"}`: {Record: &tools.Record{Fields: []tools.Field{
			{Name: "fault", Value: map[string]any{"code": float64(500), "message": "No valid host was found."}}}}},
		"whoami": {Record: &tools.Record{Fields: []tools.Field{{Name: "expires_at", Value: "2026-12-03T20:00:00Z"}}}},
	}}
}

func deps(b views.Backend, color bool) views.Deps {
	return views.Deps{Backend: b, Ctx: context.Background(), Styles: views.NewStyles(color), Now: func() time.Time { return at }}
}

// run feeds m the answers of cmd and of every command they start, as
// the program would (ticks are off in tests).
func run(t *testing.T, m tea.Model, cmd tea.Cmd) tea.Model {
	t.Helper()
	queue := []tea.Cmd{cmd}
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		msg := c()
		if batch, ok := msg.(tea.BatchMsg); ok {
			queue = append(queue, batch...)
			continue
		}
		if msg == nil {
			continue
		}
		var next tea.Cmd
		m, next = m.Update(msg)
		queue = append(queue, next)
	}
	return m
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
		t.Fatalf("%v (run go test -update)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the golden file (go test -update to accept):\n%s", name, got)
	}
}

func press(s string) tea.KeyPressMsg {
	switch s {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	}
	r := []rune(s)[0]
	return tea.KeyPressMsg{Code: r, Text: s}
}

// TestFirstFrame: the view paints before any read answers, every panel
// a spinner.
func TestFirstFrame(t *testing.T) {
	m := New(deps(project(), false), Options{Scope: "devcloud:demo@RegionOne"})
	v := m.View().Content
	if !strings.Contains(v, "7 of 7 panels loading") || strings.Count(v, "⠋") < 7 {
		t.Errorf("first frame should show every panel loading:\n%s", v)
	}
}

func TestGolden(t *testing.T) {
	for _, tt := range []struct {
		name          string
		color         bool
		width, height int
	}{
		{"loaded_100x34_nocolor", false, 100, 34},
		{"loaded_100x34_color", true, 100, 34},
		{"loaded_72x40_nocolor", false, 72, 40},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := tea.Model(New(deps(project(), tt.color), Options{Scope: "devcloud:demo@RegionOne"}))
			m, _ = m.Update(tea.WindowSizeMsg{Width: tt.width, Height: tt.height})
			m = run(t, m, m.Init())
			golden(t, tt.name, m.View().Content)
		})
	}
}

// TestPanelsStandAlone: the refused volume quota says so in its panel,
// the rest are ready.
func TestPanelsStandAlone(t *testing.T) {
	m := tea.Model(New(deps(project(), false), Options{}))
	m = run(t, m, m.Init())
	for _, p := range m.(Model).Panels() {
		want := overview.Ready
		if p.ID == overview.QuotaVolume {
			want = overview.Forbidden
		}
		if p.State != want {
			t.Errorf("%s: %s (%s), want %s", p.ID, p.State, p.Err, want)
		}
	}
	if m.(Model).busy() {
		t.Error("still busy after every panel answered: the spinner would keep ticking")
	}
}

func TestPrivacyKey(t *testing.T) {
	mask := privacy.New()
	m := tea.Model(New(deps(project(), false), Options{Mask: mask.Cell}))
	m, _ = m.Update(tea.WindowSizeMsg{Width: 100, Height: 34})
	m = run(t, m, m.Init())
	if !strings.Contains(m.View().Content, "203.0.113.5") {
		t.Fatal("the floating IP should show before privacy is on")
	}
	m, _ = m.Update(press("p"))
	v := m.View().Content
	if strings.Contains(v, "203.0.113.5") || !strings.Contains(v, "ip-1") || !strings.Contains(v, "privacy") {
		t.Errorf("p should mask the floating IP as ip-1:\n%s", v)
	}
}

// TestFleetEnter: the fleet sorts scopes fullest first and Enter picks
// the one under the cursor; search finds by IP and Enter picks its scope.
func TestFleetAndSearch(t *testing.T) {
	busy, quiet := project(), project()
	quiet.results[`quota.show {"service":"compute"}`] = list([]string{"Resource", "Service", "In Use", "Reserved", "Limit"}, []any{"instances", "compute", 1, 0, 10})
	quiet.results["server.list"] = list([]string{"ID", "Name", "Status", "Networks"}, []any{"s9", "db", "ACTIVE", "private=10.0.0.9"})
	read := func(b *backend) overview.Reader {
		return func(ctx context.Context, tool string, args map[string]any) (*tools.Result, error) {
			raw := []byte("{}")
			if args != nil {
				raw, _ = json.Marshal(args)
			}
			return b.Read(ctx, tool, raw)
		}
	}
	targets := func(context.Context) ([]overview.Target, []string) {
		return []overview.Target{
			{Scope: overview.Scope{Cloud: "lab", Project: "quiet", Region: "r1"}, Read: read(quiet)},
			{Scope: overview.Scope{Cloud: "prod", Project: "busy", Region: "r1"}, Read: read(busy)},
		}, nil
	}
	m := tea.Model(New(deps(busy, false), Options{Targets: targets, Start: Fleet}))
	m, _ = m.Update(tea.WindowSizeMsg{Width: 90, Height: 12})
	m = run(t, m, m.Init())
	golden(t, "fleet_90x12_nocolor", m.View().Content)
	m, _ = m.Update(press("down"))
	m, _ = m.Update(press("enter"))
	if c := m.(Model).Chosen; c == nil || c.Project != "quiet" {
		t.Fatalf("Enter on the second row chose %v, want lab:quiet", c)
	}

	m = tea.Model(New(deps(busy, false), Options{Targets: targets}))
	m, _ = m.Update(press("/"))
	for _, r := range "10.0.0.9" {
		m, _ = m.Update(press(string(r)))
	}
	var cmd tea.Cmd
	m, cmd = m.Update(press("enter"))
	m = run(t, m, cmd)
	if v := m.View().Content; !strings.Contains(v, "1 match(es)") || !strings.Contains(v, "IP 10.0.0.9") {
		t.Fatalf("search for the IP:\n%s", v)
	}
	m, _ = m.Update(press("enter"))
	if c := m.(Model).Chosen; c == nil || c.Cloud != "lab" {
		t.Fatalf("Enter on the hit chose %v, want lab:quiet", c)
	}
}
