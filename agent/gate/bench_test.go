package gate

import (
	"context"
	"testing"

	"github.com/gophercloud/gophercloud/v2"

	"github.com/kriscelmer/os-tui/internal/cloud"
	"github.com/kriscelmer/os-tui/tools"
)

// benchClients answers without a network, so the benchmark measures the
// gate alone (validation, reference checks, read-only wrapping, quota
// sums, approval), not API time.
type benchClients struct{ caps *cloud.Capabilities }

func (n benchClients) ServiceClient(context.Context, string) (*gophercloud.ServiceClient, error) {
	return &gophercloud.ServiceClient{}, nil
}

func (n benchClients) Capabilities(context.Context) (*cloud.Capabilities, error) { return n.caps, nil }

func (n benchClients) Token(context.Context) (string, error) { return "t", nil }

// BenchmarkGatePerStep runs a three-step plan with references through
// Preflight and Approve with tools whose Check and Preview do no I/O;
// divide ns/op by 3 for the per-step overhead.
func BenchmarkGatePerStep(b *testing.B) {
	t := &testing.T{}
	g := testGate(t, &fakeCloudState{status: "ACTIVE"})
	env := tools.NewEnv(benchClients{caps: &cloud.Capabilities{Services: map[string]cloud.Service{"compute": {}, "network": {}}}})
	p := mkPlan("model",
		step("net", "net.create", `{"name": "n"}`),
		step("vm", "vm.create", `{"name": "v", "network": "${net.id}", "count": 1}`),
		step("stop", "vm.stop", `{"vm": "x"}`))
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		r, err := g.Preflight(ctx, env, p)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := g.Approve(r, ByKeyboard, nil); err != nil {
			b.Fatal(err)
		}
	}
}
