package render

import (
	"os/exec"
	"strings"
	"testing"
)

// Package init of everything render links runs at every ostui start-up,
// including `ostui --version` (budget: 50 ms). These packages do heavy
// work in init (chroma builds lexer and style registries, go-runewidth
// before v0.0.30 builds a 2 MB table), so render must not link them;
// Markdown lives in render/markdown for that reason.
func TestNoHeavyDependencies(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	heavy := []string{
		"charm.land/glamour",
		"charm.land/lipgloss",
		"github.com/alecthomas/chroma",
		"github.com/mattn/go-runewidth",
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, h := range heavy {
			if strings.HasPrefix(dep, h) {
				t.Errorf("render links %s, which slows every start-up", dep)
			}
		}
	}
}
