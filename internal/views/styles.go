package views

import (
	"charm.land/lipgloss/v2"

	"github.com/kriscelmer/os-tui/internal/render"
)

// Styles are the look every view shares. Status colours are the table
// output's (internal/render): green for ACTIVE and available, red for
// ERROR, yellow for what is on its way; so a server is the same colour in
// /server list and in the browser. Colours are the terminal's own 16, so
// a theme the person chose applies.
type Styles struct {
	// Color is false under NO_COLOR (or on a terminal without colour):
	// every style is then plain or reverse video only.
	Color bool

	Title    lipgloss.Style // the view's title line
	Header   lipgloss.Style // table headers
	Cursor   lipgloss.Style // the selected row
	Marked   lipgloss.Style // rows marked for a bulk action
	Faint    lipgloss.Style // secondary text: refresh time, counts
	Key      lipgloss.Style // a key in the help bar
	Error    lipgloss.Style
	Warn     lipgloss.Style
	Good     lipgloss.Style
	Badge    lipgloss.Style // the read-only marker and effect badges
	Border   lipgloss.Style // pane borders
	Selected lipgloss.Style // the focused item of a list (palette, steps)
}

// NewStyles returns the shared styles; color false is NO_COLOR.
func NewStyles(color bool) Styles {
	s := lipgloss.NewStyle()
	st := Styles{
		Color:    color,
		Title:    s.Bold(true),
		Header:   s.Bold(true),
		Cursor:   s.Reverse(true),
		Marked:   s.Bold(true),
		Faint:    s.Faint(true),
		Key:      s.Bold(true),
		Error:    s.Bold(true),
		Warn:     s,
		Good:     s,
		Badge:    s.Reverse(true),
		Border:   s.Border(lipgloss.NormalBorder()),
		Selected: s.Reverse(true),
	}
	if !color {
		return st
	}
	st.Header = st.Header.Foreground(lipgloss.Cyan)
	st.Marked = st.Marked.Foreground(lipgloss.Magenta)
	st.Key = st.Key.Foreground(lipgloss.Cyan)
	st.Error = st.Error.Foreground(lipgloss.Red)
	st.Warn = st.Warn.Foreground(lipgloss.Yellow)
	st.Good = st.Good.Foreground(lipgloss.Green)
	st.Badge = s.Bold(true).Foreground(lipgloss.Black).Background(lipgloss.Yellow)
	return st
}

// Status colours a status value the way table output does.
func (st Styles) Status(status string) string {
	if !st.Color {
		return status
	}
	switch render.Tone(status) {
	case "good":
		return st.Good.Render(status)
	case "bad":
		return lipgloss.NewStyle().Foreground(lipgloss.Red).Render(status)
	case "busy":
		return st.Warn.Render(status)
	}
	return status
}

// Effect is a plan step's effect badge: read, change or destroy.
func (st Styles) Effect(effect string) string {
	badge := "[" + effect + "]"
	if !st.Color {
		return badge
	}
	switch effect {
	case "destroy":
		return st.Error.Render(badge)
	case "change":
		return st.Warn.Render(badge)
	}
	return st.Good.Render(badge)
}
