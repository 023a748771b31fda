package quota

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/tools/toolstest"
)

const (
	tokenBody = `{"token": {"expires_at": "2030-01-01T12:00:00Z", "user": {"id": "u1", "name": "demo", "domain": {"name": "Default"}},
	 "project": {"id": "p1", "name": "demo", "domain": {"name": "Default"}}, "roles": []}}`
	novaBody = `{"quota_set": {"id": "p1",
	 "cores": {"in_use": 2, "limit": 20, "reserved": 0},
	 "instances": {"in_use": 1, "limit": 10, "reserved": 0},
	 "ram": {"in_use": 1024, "limit": 51200, "reserved": 0},
	 "key_pairs": {"in_use": 0, "limit": 100, "reserved": 0}}}`
	neutronBody = `{"quota": {
	 "network": {"used": 1, "limit": 100, "reserved": 0},
	 "floatingip": {"used": 0, "limit": 50, "reserved": 0},
	 "rbac_policy": {"used": 0, "limit": -1, "reserved": 0}}}`
	cinderBody = `{"quota_set": {"id": "p1",
	 "volumes": {"in_use": 3, "limit": 10, "reserved": 1, "allocated": 0},
	 "gigabytes": {"in_use": 35, "limit": 1000, "reserved": 0, "allocated": 0},
	 "volumes_lvmdriver-1": {"in_use": 3, "limit": -1, "reserved": 0, "allocated": 0}}}`
)

func TestShow(t *testing.T) {
	compute := [][]any{
		{"instances", "compute", 1, 0, 10},
		{"cores", "compute", 2, 0, 20},
		{"ram", "compute", 1024, 0, 51200},
		{"key_pairs", "compute", 0, 0, 100},
	}
	net := [][]any{
		{"network", "network", 1, 0, 100},
		{"floatingip", "network", 0, 0, 50},
		{"rbac_policy", "network", 0, 0, -1},
	}
	volume := [][]any{
		{"volumes", "volume", 3, 1, 10},
		{"gigabytes", "volume", 35, 0, 1000},
		{"volumes_lvmdriver-1", "volume", 3, 0, -1},
	}
	tests := []struct {
		name     string
		args     ShowArgs
		drop     string // a service missing from the catalog
		project  string
		wantRows [][]any
	}{
		{name: "current project", project: "p1", wantRows: append(append(append([][]any{}, compute...), net...), volume...)},
		{name: "named project", args: ShowArgs{Project: "p9"}, project: "p9", wantRows: append(append(append([][]any{}, compute...), net...), volume...)},
		{name: "no network service", drop: "network", project: "p1", wantRows: append(append([][]any{}, compute...), volume...)},
		{name: "one service", args: ShowArgs{Project: "p1", Service: "network"}, project: "p1", wantRows: net},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := toolstest.New(t)
			if tt.drop != "" {
				delete(fc.Caps.Services, tt.drop)
			}
			if tt.args.Project == "" {
				fc.Handle("GET", toolstest.IdentityPrefix+"/auth/tokens", http.StatusOK, tokenBody)
			}
			if tt.args.Service != "" && tt.args.Service != "network" {
				t.Fatal("the test serves one service: network")
			}
			if tt.args.Service == "" {
				fc.Handle("GET", toolstest.ComputePrefix+"/os-quota-sets/"+tt.project+"/detail", http.StatusOK, novaBody)
			}
			if tt.drop != "network" {
				fc.Handle("GET", toolstest.NetworkPrefix+"/quotas/"+tt.project+"/details.json", http.StatusOK, neutronBody)
			}
			if tt.args.Service == "" {
				fc.HandleFunc("GET", toolstest.VolumePrefix+"/os-quota-sets/"+tt.project, func(w http.ResponseWriter, r *http.Request) {
					if got := r.URL.Query().Get("usage"); got != "true" {
						t.Errorf("usage = %q, want true", got)
					}
					w.Header().Set("Content-Type", "application/json")
					_, _ = w.Write([]byte(cinderBody))
				})
			}
			raw, _ := json.Marshal(tt.args)
			res, err := toolstest.Tool(t, Tools(), "quota.show").Run(t.Context(), fc.Env(), raw)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.wantRows, res.List.Rows); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
		})
	}
}

func TestShowMissingService(t *testing.T) {
	fc := toolstest.New(t)
	delete(fc.Caps.Services, "volumev3")
	_, err := toolstest.Tool(t, Tools(), "quota.show").Run(t.Context(), fc.Env(), json.RawMessage(`{"project": "p1", "service": "volume"}`))
	if err == nil || !strings.Contains(err.Error(), "no volume service") {
		t.Fatalf("error = %v, want one naming the missing volume service", err)
	}
}

func TestShowError(t *testing.T) {
	fc := toolstest.New(t)
	fc.Handle("GET", toolstest.ComputePrefix+"/os-quota-sets/p1/detail", http.StatusForbidden, `{"forbidden": {"code": 403, "message": "Policy doesn't allow it."}}`)
	_, err := toolstest.Tool(t, Tools(), "quota.show").Run(t.Context(), fc.Env(), json.RawMessage(`{"project": "p1"}`))
	if err == nil {
		t.Fatal("no error")
	}
	if want := "get compute quotas of project p1: "; !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error = %q, want prefix %q", err, want)
	}
}
