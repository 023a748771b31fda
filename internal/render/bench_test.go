package render

import (
	"fmt"
	"io"
	"testing"

	"github.com/kriscelmer/os-tui/internal/iostreams"
	"github.com/kriscelmer/os-tui/tools"
)

// bigList is a 500-server list shaped like `server list --long`.
func bigList() *tools.List {
	l := &tools.List{Columns: serverList().Columns}
	statuses := []string{"ACTIVE", "ERROR", "BUILD", "SHUTOFF"}
	for i := range 500 {
		l.Rows = append(l.Rows, []any{
			fmt.Sprintf("%08x-6e5f-4c55-9d38-1d2c4b7a9f01", i),
			fmt.Sprintf("server-%03d-データ", i),
			statuses[i%len(statuses)],
			[]string{fmt.Sprintf("private=10.0.%d.%d", i/256, i%256), "public=203.0.113.7"},
			"ubuntu-24.04", "m1.small", i%7 == 0,
			map[string]string{"role": "web", "idx": fmt.Sprint(i)},
			"2025-01-02T03:04:05Z",
		})
	}
	return l
}

func BenchmarkRenderTable(b *testing.B) {
	res := &tools.Result{List: bigList()}
	cases := []struct {
		name  string
		tty   bool
		color bool
		width int
		opts  Options
	}{
		{"pipe", false, false, 80, Options{}},
		{"tty80", true, false, 80, Options{}},
		{"tty80_color_long", true, true, 80, Options{Long: true}},
		{"tty200_sorted", true, true, 200, Options{Sort: []string{"Name:desc"}}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			ios, _, _, _ := iostreams.Test()
			ios.Out = io.Discard
			ios.SetStdoutTTY(c.tty)
			ios.SetColorEnabled(c.color)
			ios.SetWidth(c.width)
			b.ReportAllocs()
			for b.Loop() {
				if err := Render(ios, res, c.opts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkRenderJSON(b *testing.B) {
	res := &tools.Result{List: bigList()}
	ios, _, _, _ := iostreams.Test()
	ios.Out = io.Discard
	b.ReportAllocs()
	for b.Loop() {
		if err := Render(ios, res, Options{Format: FormatJSON, Long: true}); err != nil {
			b.Fatal(err)
		}
	}
}
