// Package session keeps conversations with the model between runs: each
// session is saved, redacted, as one JSON file (0600) in the state
// directory, and can be resumed by name or as "latest".
package session

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/kriscelmer/os-tui/agent/llm"
	"github.com/kriscelmer/os-tui/agent/planner"
	"github.com/kriscelmer/os-tui/internal/secrets"
)

// Transcript is a saved session.
type Transcript struct {
	ID       string        `json:"id"`
	Title    string        `json:"title"`
	Cloud    string        `json:"cloud,omitempty"`
	Project  string        `json:"project,omitempty"`
	Model    string        `json:"model,omitempty"`
	Created  time.Time     `json:"created"`
	Updated  time.Time     `json:"updated"`
	Usage    llm.Usage     `json:"usage"`
	Messages []llm.Message `json:"messages"`
}

// Dir is where sessions live under the state directory.
func Dir(stateDir string) string { return filepath.Join(stateDir, "sessions") }

// NewID makes a sortable session ID from the time.
func NewID(now time.Time) string { return now.UTC().Format("20060102-150405") }

// FromSession captures a planner session.
func FromSession(id string, s *planner.Session, meta Transcript) *Transcript {
	t := meta
	t.ID = id
	t.Usage = s.Usage
	t.Messages = append([]llm.Message(nil), s.Messages...)
	if t.Title == "" {
		for _, m := range s.Messages {
			if m.Role == llm.RoleUser {
				t.Title = oneLine(m.Content, 60)
				break
			}
		}
	}
	return &t
}

// Session turns a transcript back into a planner session.
func (t *Transcript) Session() *planner.Session {
	return &planner.Session{Messages: append([]llm.Message(nil), t.Messages...), Usage: t.Usage}
}

// Save writes the transcript, redacted, to dir/ID.json with mode 0600.
// extraSecrets (the cloud's password, say) are redacted wherever they
// appear, on top of the usual secret shapes.
func Save(dir string, t *Transcript, extraSecrets ...string) (string, error) {
	red := *t
	red.Title = secrets.RedactString(t.Title, extraSecrets...)
	red.Messages = make([]llm.Message, len(t.Messages))
	for i, m := range t.Messages {
		m.Content = secrets.RedactString(m.Content, extraSecrets...)
		var calls []llm.ToolCall
		for _, c := range m.ToolCalls {
			c.Arguments = string(secrets.Redact(json.RawMessage(orEmpty(c.Arguments))))
			calls = append(calls, c)
		}
		m.ToolCalls = calls
		red.Messages[i] = m
	}
	b, err := json.MarshalIndent(&red, "", "  ")
	if err != nil {
		return "", fmt.Errorf("encode session: %w", err)
	}
	path := filepath.Join(dir, t.ID+".json")
	if err := secrets.WriteFile0600(path, b); err != nil {
		return "", fmt.Errorf("save session: %w", err)
	}
	return path, nil
}

func orEmpty(s string) string {
	if strings.TrimSpace(s) == "" {
		return "{}"
	}
	return s
}

// Load reads a transcript by ID, path or "latest".
func Load(dir, which string) (*Transcript, error) {
	path := which
	switch {
	case which == "" || which == "latest":
		list, err := List(dir)
		if err != nil {
			return nil, err
		}
		if len(list) == 0 {
			return nil, fmt.Errorf("no saved sessions in %s", dir)
		}
		path = filepath.Join(dir, list[0].ID+".json")
	case !strings.ContainsRune(which, os.PathSeparator):
		path = filepath.Join(dir, strings.TrimSuffix(which, ".json")+".json")
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("no saved session %q (see /resume for the list)", which)
	}
	if err != nil {
		return nil, fmt.Errorf("read session: %w", err)
	}
	var t Transcript
	if err := json.Unmarshal(b, &t); err != nil {
		return nil, fmt.Errorf("read session %s: %w", path, err)
	}
	return &t, nil
}

// List returns the saved sessions, newest first (messages not loaded).
func List(dir string) ([]Transcript, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	var out []Transcript
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			continue
		}
		var t Transcript
		if json.Unmarshal(b, &t) != nil {
			continue
		}
		t.Messages = nil
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID > out[j].ID })
	return out, nil
}

func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
