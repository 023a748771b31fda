package export

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"testing"
	"time"

	"github.com/kriscelmer/os-tui/tools"
)

// The 100,000-row export: 100 pages of 1,000 server-like rows, each page
// made when it is asked for (as a cloud's pages arrive) and dropped once
// written.
const (
	bigPages   = 100
	bigPerPage = 1000
)

var bigColumns = []tools.Column{
	{Name: "ID"}, {Name: "Name"}, {Name: "Status"}, {Name: "Networks"}, {Name: "Image"},
	{Name: "Flavor"}, {Name: "Availability Zone"}, {Name: "Host"}, {Name: "Properties"}, {Name: "Key Name"},
}

func bigPage(p int) [][]any {
	rows := make([][]any, bigPerPage)
	for i := range rows {
		n := p*bigPerPage + i
		rows[i] = []any{
			fmt.Sprintf("%08x-0000-4000-8000-%012x", n, n), fmt.Sprintf("web-%06d", n), "ACTIVE",
			[]string{fmt.Sprintf("10.%d.%d.%d", n>>16&255, n>>8&255, n&255)}, "cirros-0.6.2", "m1.small", "nova",
			nil, map[string]string{"role": "web", "team": "blue"}, "deploy",
		}
	}
	return rows
}

// bigPager serves the pages and samples the heap after each one is
// written: peak is the most the export held on top of base.
type bigPager struct {
	sample bool
	peak   uint64
	ms     runtime.MemStats
}

func (b *bigPager) pager(_ context.Context, _ string, _ map[string]any, page PageFunc) error {
	for p := range bigPages {
		if err := page(bigColumns, bigPage(p)); err != nil {
			return err
		}
		if b.sample {
			runtime.ReadMemStats(&b.ms)
			b.peak = max(b.peak, b.ms.HeapAlloc)
		}
	}
	return nil
}

// heapNow is the live heap after a collection.
func heapNow() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// exportBig writes the 100,000 rows in the format to io.Discard and
// returns the peak heap above what was live before it started.
func exportBig(t testing.TB, format string) (peak uint64, took time.Duration) {
	t.Helper()
	var w Writer = nopWriter{}
	if format != "none" {
		var err error
		if w, err = New(format, io.Discard, "", false); err != nil {
			t.Fatal(err)
		}
	}
	b := &bigPager{sample: true}
	base := heapNow()
	start := time.Now()
	out, err := Run(context.Background(), b.pager, w, Options{Types: []Type{{Name: "server", Tool: "server.list"}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	took = time.Since(start)
	if len(out) != 1 || out[0].Rows != bigPages*bigPerPage {
		t.Fatalf("exported %+v", out)
	}
	if b.peak < base {
		return 0, took
	}
	return b.peak - base, took
}

// heldWhole is what the same 100,000 rows take when gathered in one
// list, as a non-streaming export would hold them.
func heldWhole() uint64 {
	base := heapNow()
	all := make([][]any, 0, bigPages*bigPerPage)
	for p := range bigPages {
		all = append(all, bigPage(p)...)
	}
	held := heapNow() - base
	runtime.KeepAlive(all)
	return held
}

// TestStreamingHoldsAPageNotTheExport is the streaming claim as a test:
// exporting 100,000 rows holds a small fraction of what the rows take
// gathered, in every format.
func TestStreamingHoldsAPageNotTheExport(t *testing.T) {
	if testing.Short() {
		t.Skip("exports 100,000 rows three times")
	}
	whole := heldWhole()
	for _, format := range Formats {
		t.Run(format, func(t *testing.T) {
			peak, took := exportBig(t, format)
			t.Logf("%s: 100,000 rows in %s (%.0f rows/s), peak heap %.1f MiB; gathered, the rows take %.1f MiB",
				format, took.Round(time.Millisecond), float64(bigPages*bigPerPage)/took.Seconds(), mib(peak), mib(whole))
			// A page is 1 % of the rows; allow garbage not yet
			// collected, but far below the whole.
			if peak > whole/4 {
				t.Errorf("peak heap %.1f MiB is more than a quarter of the 100,000 rows gathered (%.1f MiB): rows are being kept", mib(peak), mib(whole))
			}
		})
	}
}

func mib(n uint64) float64 { return float64(n) / (1 << 20) }

// nopWriter writes nothing: the "none" benchmark is the cost of making
// the fake rows and walking them, to subtract from the formats'.
type nopWriter struct{}

func (nopWriter) Begin(Type, []string) error { return nil }
func (nopWriter) Row([]any) error            { return nil }
func (nopWriter) End() error                 { return nil }
func (nopWriter) Close() error               { return nil }

// BenchmarkExport100k measures throughput and memory of a 100,000-row
// export per format: rows/s, the peak heap above the start (MiB) and
// allocations. "none" writes nothing: what the fake pages cost.
func BenchmarkExport100k(b *testing.B) {
	for _, format := range append([]string{"none"}, Formats...) {
		b.Run(format, func(b *testing.B) {
			b.ReportAllocs()
			var peak uint64
			var took time.Duration
			for b.Loop() {
				p, d := exportBig(b, format)
				peak, took = max(peak, p), took+d
			}
			rows := float64(bigPages * bigPerPage * b.N)
			b.ReportMetric(rows/took.Seconds(), "rows/s")
			b.ReportMetric(mib(peak), "peak-MiB")
		})
	}
}
