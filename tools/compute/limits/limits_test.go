package limits

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/toolstest"
)

func TestLimits(t *testing.T) {
	tests := []struct {
		name      string
		args      string
		wantQuery string
	}{
		{name: "own project", args: `{}`},
		{name: "other project", args: `{"project_id": "9f8e7d6c5b4a39281706f5e4d3c2b1a0"}`, wantQuery: "tenant_id=9f8e7d6c5b4a39281706f5e4d3c2b1a0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := toolstest.New(t)
			fc.HandleFunc("GET", toolstest.ComputePrefix+"/limits", func(w http.ResponseWriter, r *http.Request) {
				if got := r.Header.Get("X-OpenStack-Nova-API-Version"); got != Microversion {
					t.Errorf("microversion = %q, want %s", got, Microversion)
				}
				if r.URL.RawQuery != tt.wantQuery {
					t.Errorf("query = %q, want %q", r.URL.RawQuery, tt.wantQuery)
				}
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(`{"limits": {"rate": [], "absolute": {
				  "totalServerGroupsUsed": 0, "maxServerMeta": 128, "totalInstancesUsed": 3,
				  "maxTotalRAMSize": 51200, "maxTotalKeypairs": 100, "totalRAMUsed": 1536,
				  "maxServerGroups": 10, "maxTotalInstances": 10, "maxTotalCores": -1,
				  "totalCoresUsed": 3, "maxServerGroupMembers": 10, "maxFutureThing": 5}}}`))
			})
			res, err := toolstest.Tool(t, Tools(), "limits").Run(t.Context(), fc.Env(), []byte(tt.args))
			if err != nil {
				t.Fatal(err)
			}
			want := &tools.List{
				Columns: []tools.Column{{Name: "Name"}, {Name: "Value"}},
				Rows: [][]any{
					{"maxTotalInstances", 10}, {"maxTotalCores", -1}, {"maxTotalRAMSize", 51200},
					{"maxServerMeta", 128}, {"maxTotalKeypairs", 100}, {"maxServerGroups", 10},
					{"maxServerGroupMembers", 10}, {"totalRAMUsed", 1536}, {"totalCoresUsed", 3},
					{"totalInstancesUsed", 3}, {"totalServerGroupsUsed", 0},
					// Names this version does not know follow, sorted.
					{"maxFutureThing", 5},
				},
			}
			if diff := cmp.Diff(want, res.List); diff != "" {
				t.Errorf("list (-want +got):\n%s", diff)
			}
		})
	}
}
