package tools_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/toolset"
)

// TestAlternativesReadAsOne: arguments a schema makes alternatives are
// named together, whether neither or both are given.
func TestAlternativesReadAsOne(t *testing.T) {
	reg, err := toolset.Registry()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args string
		want []string
	}{
		{`{"name": "vm", "flavor": "m1.nano"}`, []string{"one of --image or --boot-volume is required"}},
		{`{"name": "vm", "flavor": "m1.nano", "image": "cirros", "boot_volume": "v1"}`, []string{"give only one of --image or --boot-volume"}},
		{`{"name": "vm"}`, []string{"--flavor is required", "one of --image or --boot-volume is required"}},
	}
	for _, tt := range tests {
		err := reg.Validate("server.create", tools.Args(tt.args))
		var ae *tools.ArgsError
		if !errors.As(err, &ae) {
			t.Fatalf("%s: err = %v", tt.args, err)
		}
		if diff := cmp.Diff(tt.want, ae.Problems); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.args, diff)
		}
	}
}
