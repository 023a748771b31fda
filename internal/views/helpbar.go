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
	var b strings.Builder
	used := 0
	for _, k := range bindings {
		if !k.Enabled() {
			continue
		}
		h := k.Help()
		if h.Key == "" {
			continue
		}
		w := ansi.StringWidth(h.Key) + 1 + ansi.StringWidth(h.Desc)
		if used > 0 {
			w += 2
		}
		if width > 0 && used+w > width {
			// The rest do not fit; the view's ? lists every key.
			break
		}
		if used > 0 {
			b.WriteString("  ")
		}
		b.WriteString(st.Key.Render(h.Key) + " " + st.Faint.Render(h.Desc))
		used += w
	}
	return b.String()
}

// Binding is a shorthand for key.NewBinding with help text.
func Binding(help, desc string, keys ...string) key.Binding {
	return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
}
