package alarms

import (
	"encoding/json"
	"testing"

	"github.com/kriscelmer/os-tui/tools/toolstest"
)

// TestSchemas proves the alarm schemas compile, match the tools, and
// accept and refuse what the tools expect.
func TestSchemas(t *testing.T) {
	reg := toolstest.Registry(t, Tools())
	ok := map[string]any{"name": "cpu-high", "resource": "web-1", "metric": "cpu", "threshold": 80}
	with := func(k string, v any) map[string]any {
		m := map[string]any{}
		for a, b := range ok {
			m[a] = b
		}
		m[k] = v
		return m
	}
	tests := []struct {
		tool string
		args any
		ok   bool
	}{
		{"alarm.list", map[string]any{}, true},
		{"alarm.list", map[string]any{"state": "alarm"}, true},
		{"alarm.list", map[string]any{"state": "firing"}, false},
		{"alarm.show", map[string]any{"alarm": "cpu-high"}, true},
		{"alarm.show", map[string]any{}, false},
		{"alarm.history", map[string]any{"alarm": "cpu-high"}, true},
		{"alarm.delete", map[string]any{"alarm": "cpu-high"}, true},
		{"alarm.state.show", map[string]any{"alarm": "cpu-high"}, true},
		{"alarm.state.set", map[string]any{"alarm": "cpu-high", "state": "insufficient data"}, true},
		{"alarm.state.set", map[string]any{"alarm": "cpu-high", "state": "fired"}, false},
		{"alarm.create", ok, true},
		{"alarm.create", with("comparison_operator", "gt"), true},
		{"alarm.create", with("comparison_operator", ">"), false},
		{"alarm.create", with("alarm_actions", []string{"log://"}), true},
		{"alarm.create", with("alarm_actions", []string{"ftp://x"}), false},
		{"alarm.create", with("type", "event"), false},
		{"alarm.create", with("granularity", 0), false},
		{"alarm.create", with("severity", "urgent"), false},
		{"alarm.create", with("name", "${x}"), false},
		{"alarm.create", map[string]any{"name": "x"}, false},
		{"alarm.set", map[string]any{"alarm": "cpu-high", "threshold": 90.5, "enabled": false, "ok_actions": []string{"https://hook.example/ok"}}, true},
		{"alarm.set", map[string]any{"alarm": "cpu-high", "evaluation_periods": 0}, false},
		{"alarm.set", map[string]any{"threshold": 90}, false},
	}
	for _, tt := range tests {
		b, _ := json.Marshal(tt.args)
		if err := reg.Validate(tt.tool, b); (err == nil) != tt.ok {
			t.Errorf("%s %s: err = %v, want ok=%t", tt.tool, b, err, tt.ok)
		}
	}
}
