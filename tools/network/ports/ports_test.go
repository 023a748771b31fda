package ports

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/tools/toolstest"
)

const webID = "0f1e2d3c-4b5a-4968-8776-655443322110"

const portsBody = `{"ports": [
 {"id": "port-1", "name": "", "mac_address": "fa:16:3e:00:00:01", "status": "ACTIVE", "device_owner": "compute:nova", "device_id": "srv-1",
  "fixed_ips": [{"subnet_id": "sub-1", "ip_address": "10.0.0.5"}], "security_groups": ["sg-1"], "tags": []}
]}`

func TestList(t *testing.T) {
	tests := []struct {
		name      string
		args      ListArgs
		stub      func(t *testing.T, fc *toolstest.Cloud)
		wantQuery string
		wantErr   string
	}{
		{name: "all"},
		{name: "owner and status", args: ListArgs{DeviceOwner: "compute:nova", Status: "DOWN"}, wantQuery: "device_owner=compute%3Anova&status=DOWN"},
		{name: "server by ID needs no lookup", args: ListArgs{Server: webID}, wantQuery: "device_id=" + webID},
		{
			name: "server by name",
			args: ListArgs{Server: "web-1"},
			stub: func(t *testing.T, fc *toolstest.Cloud) {
				fc.HandleFunc("GET", toolstest.ComputePrefix+"/servers", func(w http.ResponseWriter, r *http.Request) {
					if got := r.URL.Query().Get("name"); got != `^web-1$` {
						t.Errorf("server name filter = %q", got)
					}
					w.Header().Set("Content-Type", "application/json")
					_, _ = w.Write([]byte(`{"servers": [{"id": "` + webID + `", "name": "web-1"}]}`))
				})
			},
			wantQuery: "device_id=" + webID,
		},
		{
			name: "ambiguous server",
			args: ListArgs{Server: "web"},
			stub: func(t *testing.T, fc *toolstest.Cloud) {
				fc.Handle("GET", toolstest.ComputePrefix+"/servers", http.StatusOK, `{"servers": [{"id": "a", "name": "web"}, {"id": "b", "name": "web"}]}`)
			},
			wantErr: "2 servers are named \"web\"; use an ID:\n  a  web\n  b  web",
		},
		{
			name: "network and router by name",
			args: ListArgs{Network: "private", Router: "router1"},
			stub: func(t *testing.T, fc *toolstest.Cloud) {
				fc.Handle("GET", toolstest.NetworkPrefix+"/networks", http.StatusOK, `{"networks": [{"id": "net-1", "name": "private"}]}`)
				fc.Handle("GET", toolstest.NetworkPrefix+"/routers", http.StatusOK, `{"routers": [{"id": "r-1", "name": "router1"}]}`)
			},
			wantQuery: "device_id=r-1&network_id=net-1",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := toolstest.New(t)
			if tt.stub != nil {
				tt.stub(t, fc)
			}
			if tt.wantErr == "" {
				fc.HandleFunc("GET", toolstest.NetworkPrefix+"/ports", func(w http.ResponseWriter, r *http.Request) {
					if got := r.URL.Query().Encode(); got != tt.wantQuery {
						t.Errorf("query = %q, want %q", got, tt.wantQuery)
					}
					w.Header().Set("Content-Type", "application/json")
					_, _ = w.Write([]byte(portsBody))
				})
			}
			res, err := toolstest.Run(t, fc.Env(), Tools(), "port.list", tt.args)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := [][]any{{"port-1", "", "fa:16:3e:00:00:01", []string{"ip_address='10.0.0.5', subnet_id='sub-1'"}, "ACTIVE", []string{"sg-1"}, "compute:nova", []string{}, "srv-1"}}
			if diff := cmp.Diff(want, res.List.Rows); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
		})
	}
}

func TestShow(t *testing.T) {
	fc := toolstest.New(t)
	fc.Handle("GET", toolstest.NetworkPrefix+"/ports/"+webID, http.StatusOK, `{"port": {"id": "`+webID+`", "name": "p", "binding:host_id": "compute1", "fixed_ips": []}}`)
	res, err := toolstest.Run(t, fc.Env(), Tools(), "port.show", ShowArgs{Port: webID})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Record.Get("binding_host_id"); got != "compute1" {
		t.Errorf("binding_host_id = %v", got)
	}
}
