package planner

import (
	"strings"
	"testing"
)

// TestTelemetryReadsAreDeferred: the metric and alarm reads reach the
// model through read_tool, not a function each (they would cost about
// 1,250 tokens in every request).
func TestTelemetryReadsAreDeferred(t *testing.T) {
	reg := realRegistry(t)
	var readTool string
	for _, f := range ModelFunctions(reg, nil) {
		if strings.HasPrefix(f.Name, "metric") || strings.HasPrefix(f.Name, "alarm__") {
			t.Errorf("%s is offered as a function of its own", f.Name)
		}
		if f.Name == ReadToolFunction {
			readTool = string(f.Parameters)
		}
	}
	for _, name := range []string{"metrics", "metric.list", "metric.measures", "alarm.list", "alarm.history"} {
		if !strings.Contains(readTool, `"`+name+`"`) {
			t.Errorf("read_tool does not list %s", name)
		}
		tool, ok := reg.Lookup(name)
		if !ok || !Deferred(tool) {
			t.Errorf("%s is not deferred", name)
		}
	}
	if tool, _ := reg.Lookup("server.list"); Deferred(tool) {
		t.Error("server.list is deferred")
	}
}
