package views

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// Fit cuts s (which may hold styles) to at most width cells, ending a cut
// one with "…".
func Fit(s string, width int) string {
	if width <= 0 {
		return ""
	}
	if ansi.StringWidth(s) > width {
		return ansi.Truncate(s, width, "…")
	}
	return s
}

// Pad makes s exactly width cells: cut as Fit cuts, then filled with
// spaces.
func Pad(s string, width int) string {
	s = Fit(s, width)
	if w := ansi.StringWidth(s); w < width {
		s += strings.Repeat(" ", width-w)
	}
	return s
}
