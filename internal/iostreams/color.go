package iostreams

// ANSI SGR sequences. The basic 16 colours are used on purpose: they follow
// the user's terminal theme, so "green" stays readable on light and dark
// backgrounds alike, and every terminal that takes colour supports them.
const (
	sgrReset  = "\x1b[0m"
	sgrBold   = "\x1b[1m"
	sgrFaint  = "\x1b[2m"
	sgrRed    = "\x1b[31m"
	sgrGreen  = "\x1b[32m"
	sgrYellow = "\x1b[33m"
	sgrCyan   = "\x1b[36m"
)

// ColorScheme wraps text in colour codes when colour is enabled and returns
// it untouched otherwise, so callers never branch on colour themselves.
// Plain escape codes are used rather than lipgloss to keep start-up cheap:
// lipgloss pulls in packages with costly init work.
type ColorScheme struct {
	enabled bool
}

// NewColorScheme returns a scheme that colours only when enabled is true.
func NewColorScheme(enabled bool) *ColorScheme { return &ColorScheme{enabled: enabled} }

// Enabled reports whether the scheme emits colour codes.
func (c *ColorScheme) Enabled() bool { return c.enabled }

func (c *ColorScheme) wrap(code, s string) string {
	if !c.enabled || s == "" {
		return s
	}
	return code + s + sgrReset
}

// Green marks success and healthy states.
func (c *ColorScheme) Green(s string) string { return c.wrap(sgrGreen, s) }

// Red marks errors and failed states.
func (c *ColorScheme) Red(s string) string { return c.wrap(sgrRed, s) }

// Yellow marks transitional or stopped states.
func (c *ColorScheme) Yellow(s string) string { return c.wrap(sgrYellow, s) }

// Cyan marks names and highlights.
func (c *ColorScheme) Cyan(s string) string { return c.wrap(sgrCyan, s) }

// Bold emphasises text such as table headers.
func (c *ColorScheme) Bold(s string) string { return c.wrap(sgrBold, s) }

// Faint de-emphasises hints such as "(no items)".
func (c *ColorScheme) Faint(s string) string { return c.wrap(sgrFaint, s) }
