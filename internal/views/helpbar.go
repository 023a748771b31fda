package views

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"github.com/charmbracelet/x/ansi"
)

// HelpBar is the line at the bottom of a view listing the keys that work
// here and now: a view passes only its enabled bindings (bubbles'
// key.Binding), so a key that does nothing is never advertised.
func HelpBar(st Styles, width int, bindings ...key.Binding) string {
	var parts []string
	for _, b := range bindings {
		if !b.Enabled() {
			continue
		}
		h := b.Help()
		if h.Key == "" {
			continue
		}
		parts = append(parts, st.Key.Render(h.Key)+" "+st.Faint.Render(h.Desc))
	}
	line := strings.Join(parts, "  ")
	if width > 0 && ansi.StringWidth(line) > width {
		line = ansi.Truncate(line, width, "…")
	}
	return line
}

// Binding is a shorthand for key.NewBinding with help text.
func Binding(help, desc string, keys ...string) key.Binding {
	return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
}
