// Package markdown renders the assistant's Markdown answers for a terminal.
//
// It lives apart from package render on purpose: glamour pulls in chroma,
// whose lexer and style registries are built in package init (about 10 ms
// here). Go runs a package's init whenever the package is linked, so no
// amount of laziness inside render could avoid that cost; keeping glamour
// in its own package lets binaries and commands that only print tables
// skip it entirely.
package markdown

import (
	"fmt"
	"io"
	"strings"
	"sync"

	"charm.land/glamour/v2"
	"charm.land/glamour/v2/styles"

	"github.com/kriscelmer/os-tui/internal/iostreams"
)

// Render writes md to ios.Out. On a terminal it is rendered with glamour,
// word-wrapped to the terminal width, in the dark style when colour is
// enabled and the plain "notty" style otherwise. When stdout is not a
// terminal the Markdown is written as it is: it is already readable text,
// and a script or file gets the source rather than terminal decoration.
func Render(ios *iostreams.IOStreams, md string) error {
	if !ios.IsStdoutTTY() {
		return write(ios.Out, md)
	}
	style := styles.NoTTYStyle
	if ios.ColorEnabled() {
		style = styles.DarkStyle
	}
	r, err := renderers.get(style, ios.TerminalWidth())
	if err != nil {
		return fmt.Errorf("markdown renderer: %w", err)
	}
	out, err := r.render(md)
	if err != nil {
		return fmt.Errorf("render markdown: %w", err)
	}
	return write(ios.Out, out)
}

func write(w io.Writer, s string) error {
	if s == "" {
		return nil
	}
	if !strings.HasSuffix(s, "\n") {
		s += "\n"
	}
	if _, err := io.WriteString(w, s); err != nil {
		return fmt.Errorf("write markdown: %w", err)
	}
	return nil
}

// renderer is a glamour renderer for one style and width. Building one
// parses a style sheet, so it is made on first use and kept while the
// style and width stay the same, which in a chat session is most turns.
type renderer struct {
	mu sync.Mutex
	tr *glamour.TermRenderer
}

func (r *renderer) render(md string) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.tr.Render(md)
}

type cacheKey struct {
	style string
	width int
}

type cache struct {
	mu   sync.Mutex
	key  cacheKey
	last *renderer
}

var renderers cache

// get returns the renderer for style and width, building it if the last
// one was made for something else. Only one is kept: the width changes
// only when the window is resized.
func (c *cache) get(style string, width int) (*renderer, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	k := cacheKey{style, width}
	if c.last != nil && c.key == k {
		return c.last, nil
	}
	tr, err := glamour.NewTermRenderer(
		glamour.WithStandardStyle(style),
		glamour.WithWordWrap(wrapWidth(width)),
	)
	if err != nil {
		return nil, err
	}
	c.key, c.last = k, &renderer{tr: tr}
	return c.last, nil
}

// wrapWidth leaves room for the style's left margin so wrapped lines do
// not spill over the terminal's edge.
func wrapWidth(width int) int {
	const margin = 4
	return max(width-margin, 20)
}
