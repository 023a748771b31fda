package audit

import (
	"encoding/json"
	"path/filepath"
	"testing"
)

// BenchmarkAppend measures one typical step record, fsync included: the
// cost every executed step pays.
func BenchmarkAppend(b *testing.B) {
	l, err := Open(filepath.Join(b.TempDir(), FileName))
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = l.Close() }()
	r := Record{
		Event: EventStep, PlanID: "0b6f3c1e", Origin: "slash", Step: "stop", Tool: "server.stop", Effect: "change",
		Args:     json.RawMessage(`{"server":"web-1","wait":true,"adminPass":"hunter22"}`),
		Approval: "keyboard", Result: "ok", RequestIDs: []string{"req-6f1c0a4e-5b7d-4c39-9d1e-2a8b7c3f4e5d"},
		DurationMS: 2150, Cloud: "dev", Project: "demo", User: "alice", Region: "RegionOne",
		Targets: []string{"server web-1 (7d9a1c52-4f0e-4b8e-9a3c-0e5d2f6b1a77)"},
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := l.Append(r); err != nil {
			b.Fatal(err)
		}
	}
}
