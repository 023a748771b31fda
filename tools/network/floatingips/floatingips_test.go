package floatingips

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/tools/toolstest"
)

func TestList(t *testing.T) {
	body := `{"floatingips": [
	 {"id": "fip-2", "floating_ip_address": "172.24.4.20", "fixed_ip_address": null, "port_id": null, "floating_network_id": "pub", "project_id": "demo", "status": "DOWN"},
	 {"id": "fip-1", "floating_ip_address": "172.24.4.10", "fixed_ip_address": "10.0.0.5", "port_id": "port-1", "floating_network_id": "pub", "router_id": "r-1", "project_id": "demo", "status": "ACTIVE", "tags": ["x"]}
	]}`
	tests := []struct {
		name      string
		args      ListArgs
		network   bool
		wantQuery string
	}{
		{name: "all"},
		{name: "network by name", args: ListArgs{Network: "public", Status: "ACTIVE"}, network: true, wantQuery: "floating_network_id=pub&status=ACTIVE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := toolstest.New(t)
			if tt.network {
				fc.Handle("GET", toolstest.NetworkPrefix+"/networks", http.StatusOK, `{"networks": [{"id": "pub", "name": "public"}]}`)
			}
			fc.HandleFunc("GET", toolstest.NetworkPrefix+"/floatingips", func(w http.ResponseWriter, r *http.Request) {
				if got := r.URL.Query().Encode(); got != tt.wantQuery {
					t.Errorf("query = %q, want %q", got, tt.wantQuery)
				}
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(body))
			})
			raw, _ := json.Marshal(tt.args)
			env := fc.Env()
			res, err := toolstest.Tool(t, Tools(), "floating-ip.list").Run(t.Context(), env, raw)
			if err != nil {
				t.Fatal(err)
			}
			want := [][]any{
				{"fip-1", "172.24.4.10", "10.0.0.5", "port-1", "pub", "demo", "r-1", "ACTIVE", "", []string{"x"}},
				{"fip-2", "172.24.4.20", nil, nil, "pub", "demo", nil, "DOWN", "", []string{}},
			}
			if diff := cmp.Diff(want, res.List.Rows); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{"172.24.4.10", "172.24.4.20"}, env.Names.Of("floating-ip")); diff != "" {
				t.Errorf("names (-want +got):\n%s", diff)
			}
		})
	}
}
