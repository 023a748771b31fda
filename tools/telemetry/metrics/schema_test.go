package metrics

import (
	"encoding/json"
	"testing"

	"github.com/kriscelmer/os-tui/tools/toolstest"
)

// TestSchemas proves the metric schemas compile, match the tools, and
// accept and refuse what the tools expect.
func TestSchemas(t *testing.T) {
	reg := toolstest.Registry(t, Tools())
	tests := []struct {
		tool string
		args any
		ok   bool
	}{
		{"metric.list", map[string]any{}, true},
		{"metric.list", map[string]any{"resource": "web-1"}, true},
		{"metric.list", map[string]any{"server": "web-1"}, false},
		{"metric.show", map[string]any{"metric": "cpu", "resource": "web-1"}, true},
		{"metric.show", map[string]any{}, false},
		{"metric.measures", map[string]any{"resource": "web-1", "metric": "cpu", "since": "1h", "granularity": 60, "aggregation": "max"}, true},
		{"metric.measures", map[string]any{"resource": "web-1", "aggregation": "average"}, false},
		{"metric.measures", map[string]any{"resource": "web-1", "granularity": 0}, false},
		{"metric.measures.show", map[string]any{"metric": "cpu", "resource": "web-1", "refresh": true}, true},
		{"metric.measures.show", map[string]any{"resource": "web-1"}, false},
		{"metrics", map[string]any{"resource": "web-1", "since": "2d"}, true},
		{"metrics", map[string]any{"resource": "web-1", "since": "1 hour"}, false},
		{"metrics", map[string]any{}, false},
	}
	for _, tt := range tests {
		b, _ := json.Marshal(tt.args)
		if err := reg.Validate(tt.tool, b); (err == nil) != tt.ok {
			t.Errorf("%s %s: err = %v, want ok=%t", tt.tool, b, err, tt.ok)
		}
	}
}
