package markdown

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clipperhouse/displaywidth"
	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/internal/iostreams"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from current output")

const answer = `# Servers in error

Two servers are in **ERROR**:

- ` + "`web-1`" + ` — no valid host was found
- ` + "`db-1`" + ` — volume attachment failed

Run ` + "`server show web-1`" + ` for the fault details, then rebuild it onto a host with enough memory for the m1.large flavor.
`

func TestRender(t *testing.T) {
	tests := []struct {
		name  string
		tty   bool
		color bool
		width int
	}{
		{"pipe", false, false, 80},
		{"tty_plain_80", true, false, 80},
		{"tty_plain_40", true, false, 40},
		{"tty_color_80", true, true, 80},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, out, _ := iostreams.Test()
			ios.SetStdoutTTY(tt.tty)
			ios.SetColorEnabled(tt.color)
			ios.SetWidth(tt.width)
			if err := Render(ios, answer); err != nil {
				t.Fatalf("Render: %v", err)
			}
			got := out.String()
			if !tt.tty && got != answer {
				t.Errorf("piped markdown must be written raw, got:\n%s", got)
			}
			if !tt.color && strings.Contains(got, "\x1b") {
				t.Errorf("colour is off but output has escape codes:\n%q", got)
			}
			if tt.tty && !tt.color {
				for _, line := range strings.Split(got, "\n") {
					if w := displaywidth.String(line); w > tt.width {
						t.Errorf("line is %d cells, terminal is %d: %q", w, tt.width, line)
					}
				}
			}
			checkGolden(t, tt.name, strings.ReplaceAll(got, "\x1b", `\e`))
		})
	}
}

func TestRenderAddsNewline(t *testing.T) {
	ios, _, out, _ := iostreams.Test()
	if err := Render(ios, "no newline"); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff("no newline\n", out.String()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestRendererIsReusedUntilWidthChanges(t *testing.T) {
	a, err := renderers.get("notty", 80)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := renderers.get("notty", 80)
	c, _ := renderers.get("notty", 100)
	if a != b {
		t.Error("same style and width should reuse the renderer")
	}
	if a == c {
		t.Error("a new width needs a new renderer")
	}
}

func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatalf("update golden: %v", err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run with -update to create it): %v", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}
