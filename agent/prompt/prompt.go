// Package prompt holds the system prompts of the model's modes (ask,
// plan, compose, advise) as embedded templates. They are short on
// purpose: the system prompt is sent with every request of a turn.
package prompt

import (
	"bytes"
	"embed"
	"fmt"
	"sort"
	"strings"
	"sync"
	"text/template"
)

//go:embed *.tmpl
var files embed.FS

// templates parse once, on the first prompt rather than at every start;
// a broken template still fails every test, not a user.
var templates = sync.OnceValue(func() *template.Template {
	return template.Must(template.ParseFS(files, "*.tmpl"))
})

// modes are the modes that have a system prompt.
var modes = map[string]bool{"ask": true, "plan": true, "compose": true, "advise": true}

// Data fills a system prompt's context line.
type Data struct {
	Cloud, Project, Region, User, Date string
}

// Modes returns the modes System knows, sorted.
func Modes() []string {
	out := make([]string, 0, len(modes))
	for m := range modes {
		out = append(out, m)
	}
	sort.Strings(out)
	return out
}

// System renders the system prompt of a mode.
func System(mode string, data Data) (string, error) {
	if !modes[mode] {
		return "", fmt.Errorf("no system prompt for mode %q (known: %s)", mode, strings.Join(Modes(), ", "))
	}
	// Project and user names come from the cloud, where someone else may
	// have chosen them: each value is kept to one short line so it cannot
	// smuggle paragraphs of instructions into the system prompt.
	data = Data{
		Cloud:   field(data.Cloud),
		Project: field(data.Project),
		Region:  field(data.Region),
		User:    field(data.User),
		Date:    field(data.Date),
	}
	var b bytes.Buffer
	if err := templates().ExecuteTemplate(&b, mode+".tmpl", data); err != nil {
		return "", fmt.Errorf("render %s prompt: %w", mode, err)
	}
	return strings.TrimSpace(b.String()) + "\n", nil
}

// maxField bounds one context value, in runes.
const maxField = 64

// field makes a context value one short line; empty becomes "unknown".
func field(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s)
	if r := []rune(s); len(r) > maxField {
		s = string(r[:maxField]) + "…"
	}
	if s == "" {
		return "unknown"
	}
	return s
}
