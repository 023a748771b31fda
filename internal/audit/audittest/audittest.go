// Package audittest is an audit log in memory, for the tests of every
// package that records to one (the executor, the engine, front ends).
package audittest

import (
	"strings"
	"sync"

	"github.com/kriscelmer/os-tui/internal/audit"
)

// Memory keeps the records appended to it; safe for concurrent use.
type Memory struct {
	mu      sync.Mutex
	records []audit.Record
}

// Append keeps r.
func (m *Memory) Append(r audit.Record) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.records = append(m.records, r)
	return nil
}

// Records returns a copy of what was appended, in order.
func (m *Memory) Records() []audit.Record {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]audit.Record(nil), m.records...)
}

// Events lists each record as its fields joined by sep, for short
// comparisons: Events(" ", "Event", "Origin") → "approval mcp".
func (m *Memory) Events(sep string, fields ...string) []string {
	var out []string
	for _, r := range m.Records() {
		var parts []string
		for _, f := range fields {
			switch f {
			case "Event":
				parts = append(parts, r.Event)
			case "Origin":
				parts = append(parts, r.Origin)
			case "Result":
				parts = append(parts, r.Result)
			case "Tool":
				parts = append(parts, r.Tool)
			case "Approval":
				parts = append(parts, r.Approval)
			}
		}
		out = append(out, strings.Join(parts, sep))
	}
	return out
}
