package routers

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/tools/toolstest"
)

const routerID = "5a6b7c8d-1f4d-4c6e-9a7b-2d3e4f5a6b7c"

const routersBody = `{"routers": [
 {"id": "` + routerID + `", "name": "router1", "status": "ACTIVE", "admin_state_up": true, "project_id": "demo",
  "external_gateway_info": {"network_id": "pub", "enable_snat": true, "external_fixed_ips": [{"subnet_id": "ps", "ip_address": "172.24.4.10"}]},
  "routes": [], "availability_zones": ["nova"], "tags": []},
 {"id": "r2", "name": "isolated", "status": "ACTIVE", "admin_state_up": false, "project_id": "demo", "external_gateway_info": null}
]}`

func TestList(t *testing.T) {
	tests := []struct {
		name      string
		args      ListArgs
		wantQuery string
	}{
		{name: "all"},
		{name: "filters", args: ListArgs{Name: "router1", Project: "demo", Status: "ACTIVE"}, wantQuery: "name=router1&project_id=demo&status=ACTIVE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := toolstest.New(t)
			fc.HandleFunc("GET", toolstest.NetworkPrefix+"/routers", func(w http.ResponseWriter, r *http.Request) {
				if got := r.URL.Query().Encode(); got != tt.wantQuery {
					t.Errorf("query = %q, want %q", got, tt.wantQuery)
				}
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(routersBody))
			})
			env := fc.Env()
			res, err := toolstest.Run(t, env, Tools(), "router.list", tt.args)
			if err != nil {
				t.Fatal(err)
			}
			want := [][]any{
				{"r2", "isolated", "ACTIVE", false, "demo", nil, nil, []string{}, nil, []string{}, []string{}},
				{routerID, "router1", "ACTIVE", true, "demo", nil, nil, []string{},
					`{"enable_snat":true,"external_fixed_ips":[{"ip_address":"172.24.4.10","subnet_id":"ps"}],"network_id":"pub"}`,
					[]string{"nova"}, []string{}},
			}
			if diff := cmp.Diff(want, res.List.Rows); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{"isolated", "router1"}, env.Names.Of("router")); diff != "" {
				t.Errorf("names (-want +got):\n%s", diff)
			}
		})
	}
}

func TestShow(t *testing.T) {
	fc := toolstest.New(t)
	fc.Handle("GET", toolstest.NetworkPrefix+"/routers", http.StatusOK, `{"routers": [{"id": "`+routerID+`", "name": "router1", "status": "ACTIVE"}]}`)
	fc.HandleFunc("GET", toolstest.NetworkPrefix+"/ports", func(w http.ResponseWriter, r *http.Request) {
		if got := r.URL.Query().Get("device_id"); got != routerID {
			t.Errorf("device_id = %q, want %s", got, routerID)
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"ports": [
		 {"id": "p-gw", "device_owner": "network:router_gateway", "fixed_ips": [{"subnet_id": "ps", "ip_address": "172.24.4.10"}]},
		 {"id": "p-in", "device_owner": "network:router_interface", "fixed_ips": [{"subnet_id": "s1", "ip_address": "10.0.0.1"}]}
		]}`))
	})
	res, err := toolstest.Run(t, fc.Env(), Tools(), "router.show", ShowArgs{Router: "router1"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"port_id='p-in', ip_address='10.0.0.1', subnet_id='s1'"}
	if diff := cmp.Diff(want, res.Record.Get("interfaces_info")); diff != "" {
		t.Errorf("interfaces_info (-want +got):\n%s", diff)
	}
	if got := res.Record.Get("external_gateway_info"); got != nil {
		t.Errorf("external_gateway_info = %v, want nil", got)
	}
}
