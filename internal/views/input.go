package views

import (
	"strings"
	"unicode"

	tea "charm.land/bubbletea/v2"
)

// LineInput is a one-line text field (a filter, a reason, the `:`
// palette). It draws a steady cursor: a blinking one would wake the
// program twice a second, and an open view must cost no CPU when idle.
type LineInput struct {
	Prompt string
	Value  string
}

// Update handles a key: printable text, backspace, ctrl+u (clear),
// ctrl+w (delete a word). It reports whether the key was used.
func (in *LineInput) Update(msg tea.KeyPressMsg) bool {
	switch msg.String() {
	case "backspace", "ctrl+h":
		if r := []rune(in.Value); len(r) > 0 {
			in.Value = string(r[:len(r)-1])
		}
		return true
	case "ctrl+u":
		in.Value = ""
		return true
	case "ctrl+w":
		v := strings.TrimRightFunc(in.Value, unicode.IsSpace)
		i := strings.LastIndexFunc(v, unicode.IsSpace)
		in.Value = v[:i+1]
		return true
	case "space":
		in.Value += " "
		return true
	}
	if t := msg.Text; t != "" {
		for _, r := range t {
			if !unicode.IsPrint(r) {
				return false
			}
		}
		in.Value += t
		return true
	}
	return false
}

// View is the prompt, the text and a block cursor.
func (in LineInput) View(st Styles) string {
	return in.Prompt + in.Value + st.Cursor.Render(" ")
}
