package browse

import (
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/kriscelmer/os-tui/internal/views"
	"github.com/kriscelmer/os-tui/internal/views/viewstest"
)

// The budgets of docs/performance.md (Views): a 10,000-server list.
const (
	benchRows        = 10000
	firstFrameBudget = 200 * time.Millisecond
	keyFrameBudget   = 16 * time.Millisecond
	rssBudgetMB      = 150
)

// firstFrame is the work between the list's answer and the first frame:
// the answer taken in (cells escaped, widths measured) and the screen
// drawn.
func firstFrame(b testing.TB, fb *viewstest.Backend) Model {
	m := newModel(b, fb, true, "servers")
	m = step(b, m, tea.WindowSizeMsg{Width: 160, Height: 50})
	m = loaded(b, m, fb)
	_ = m.Content()
	return m
}

func BenchmarkFirstFrame(b *testing.B) {
	fb := fake(b, benchRows)
	for b.Loop() {
		firstFrame(b, fb)
	}
}

// BenchmarkScroll is one key (down, or page down every tenth) and the
// frame it causes.
func BenchmarkScroll(b *testing.B) {
	m := firstFrame(b, fake(b, benchRows))
	down, pgdn := press("down"), tea.KeyPressMsg{Code: tea.KeyPgDown}
	i := 0
	for b.Loop() {
		k := down
		if i%10 == 0 {
			k = pgdn
		}
		if m.top().cursor >= benchRows-60 {
			m.top().cursor = 0
		}
		nm, _ := m.Update(k)
		m = nm.(Model)
		_ = m.Content()
		i++
	}
}

// BenchmarkFilter is one key typed into the filter over 10,000 rows
// (alternately a character and a backspace) and the frame it causes.
func BenchmarkFilter(b *testing.B) {
	m := firstFrame(b, fake(b, benchRows))
	m = step(b, m, press("/"))
	for _, k := range typed("web-1") {
		m = step(b, m, k)
	}
	add, del := press("2"), press("backspace")
	i := 0
	for b.Loop() {
		k := add
		if i%2 == 1 {
			k = del
		}
		nm, _ := m.Update(k)
		m = nm.(Model)
		_ = m.Content()
		i++
	}
}

// BenchmarkSort is s (sort by the next column) over 10,000 rows and the
// frame it causes.
func BenchmarkSort(b *testing.B) {
	m := firstFrame(b, fake(b, benchRows))
	for b.Loop() {
		nm, _ := m.Update(press("s"))
		m = nm.(Model)
		_ = m.Content()
	}
}

// TestBudgets fails when a figure of docs/performance.md is missed.
func TestBudgets(t *testing.T) {
	if testing.Short() {
		t.Skip("timing budgets are not checked with -short")
	}
	for _, c := range []struct {
		name   string
		bench  func(*testing.B)
		budget time.Duration
	}{
		{"first frame", BenchmarkFirstFrame, firstFrameBudget},
		{"key to frame, scrolling", BenchmarkScroll, keyFrameBudget},
		{"key to frame, filtering", BenchmarkFilter, keyFrameBudget},
		{"key to frame, sorting", BenchmarkSort, keyFrameBudget},
	} {
		r := testing.Benchmark(c.bench)
		per := time.Duration(r.NsPerOp())
		t.Logf("%s: %v per op (%d ops), budget %v", c.name, per, r.N, c.budget)
		if per > c.budget {
			t.Errorf("%s takes %v, over its budget of %v", c.name, per, c.budget)
		}
	}
	m := firstFrame(t, fake(t, benchRows))
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	rss := vmRSS(t)
	t.Logf("10,000 servers loaded: heap in use %d MB, process RSS %d MB (budget %d MB)", ms.HeapInuse>>20, rss>>20, rssBudgetMB)
	if rss>>20 > rssBudgetMB {
		t.Errorf("RSS %d MB over the budget of %d MB", rss>>20, rssBudgetMB)
	}
	runtime.KeepAlive(m)
}

// vmRSS is the process's resident set (Linux); 0 elsewhere.
func vmRSS(t *testing.T) uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			f := strings.Fields(rest)
			n, err := strconv.ParseUint(f[0], 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return n << 10
		}
	}
	return 0
}

var _ = views.ReadMsg{}
