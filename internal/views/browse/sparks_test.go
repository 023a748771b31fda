package browse

import (
	"errors"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/kriscelmer/os-tui/internal/views"
	"github.com/kriscelmer/os-tui/internal/views/viewstest"
	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/compute/servers"
	"github.com/kriscelmer/os-tui/tools/telemetry/metrics"
	"github.com/kriscelmer/os-tui/tools/toolstest"
)

// run runs a command and every command of a batch it returns, and feeds
// what they answer to the model.
func run(t *testing.T, m Model, cmd tea.Cmd) Model {
	t.Helper()
	if cmd == nil {
		return m
	}
	msg := cmd()
	if batch, ok := msg.(tea.BatchMsg); ok {
		for _, c := range batch {
			m = run(t, m, c)
		}
		return m
	}
	if _, ok := msg.(views.ReadMsg); ok {
		return step(t, m, msg)
	}
	return m
}

// TestServerDetailDrawsMetrics: the detail pane of a server reads its
// /metrics beside its record and draws a sparkline per metric; where the
// read fails (no metrics service) the pane is the record alone.
func TestServerDetailDrawsMetrics(t *testing.T) {
	reg := toolstest.Registry(t, append(servers.Tools(), metrics.Tools()...))
	sparks := &tools.List{Columns: []tools.Column{{Name: "metric"}, {Name: "sparkline"}, {Name: "min"}, {Name: "max"}, {Name: "last"}, {Name: "unit"}},
		Rows: [][]any{{"cpu", "▁▃█", "10", "95", "95", "ns"}, {"mem\x1b[31m", "(no measures)", nil, nil, nil, "MB"}}}
	for _, tt := range []struct {
		name string
		err  error
		want []string
		not  []string
	}{
		{"metrics", nil, []string{"metrics, the last hour", "cpu ▁▃█  last 95 ns", `mem\x1b[31m (no measures)`}, []string{"\x1b[31m"}},
		{"no metrics service", errors.New("this cloud has no metrics service"), nil, []string{"metrics, the last hour", "no metrics service"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b := &viewstest.Backend{Reg: reg, Lists: map[string]*tools.List{"server.list": viewstest.Servers(2), "metrics": sparks},
				Records: map[string]*tools.Record{}, Errs: map[string]error{}}
			if tt.err != nil {
				b.Errs["metrics"] = tt.err
			}
			m := loaded(t, newModel(t, b, false, "servers"), b)
			m = step(t, m, tea.WindowSizeMsg{Width: 110, Height: 30}, press("d"))
			m = run(t, m, m.readDetail())
			var asked bool
			for _, r := range b.Reads() {
				asked = asked || r == `metrics {"resource":"00000000-0000-4000-8000-000000000000"}`
			}
			if !asked {
				t.Errorf("reads = %q, want the server's metrics", b.Reads())
			}
			c := m.Content()
			for _, w := range tt.want {
				if !strings.Contains(c, w) {
					t.Errorf("the pane lacks %q:\n%s", w, c)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(c, n) {
					t.Errorf("the pane shows %q:\n%s", n, c)
				}
			}
		})
	}
}
