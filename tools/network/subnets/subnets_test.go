package subnets

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/tools/toolstest"
)

const subnetsBody = `{"subnets": [
 {"id": "sub-1", "name": "private-subnet", "network_id": "net-1", "cidr": "10.0.0.0/24", "ip_version": 4,
  "gateway_ip": "10.0.0.1", "enable_dhcp": true, "allocation_pools": [{"start": "10.0.0.2", "end": "10.0.0.254"}],
  "dns_nameservers": [], "host_routes": [{"destination": "192.168.0.0/16", "nexthop": "10.0.0.9"}],
  "project_id": "demo", "service_types": [], "tags": []}
]}`

func TestList(t *testing.T) {
	tests := []struct {
		name      string
		args      ListArgs
		stub      func(fc *toolstest.Cloud)
		wantQuery string
		wantErr   string
	}{
		{name: "all", wantQuery: ""},
		{name: "ip version", args: ListArgs{IPVersion: 6}, wantQuery: "ip_version=6"},
		{
			name: "network by name",
			args: ListArgs{Network: "private"},
			stub: func(fc *toolstest.Cloud) {
				fc.Handle("GET", toolstest.NetworkPrefix+"/networks", http.StatusOK, `{"networks": [{"id": "net-1", "name": "private"}]}`)
			},
			wantQuery: "network_id=net-1",
		},
		{
			name: "network missing",
			args: ListArgs{Network: "nope"},
			stub: func(fc *toolstest.Cloud) {
				fc.Handle("GET", toolstest.NetworkPrefix+"/networks", http.StatusOK, `{"networks": []}`)
			},
			wantErr: `no network named or with ID "nope"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := toolstest.New(t)
			if tt.stub != nil {
				tt.stub(fc)
			}
			if tt.wantErr == "" {
				fc.HandleFunc("GET", toolstest.NetworkPrefix+"/subnets", func(w http.ResponseWriter, r *http.Request) {
					if got := r.URL.Query().Encode(); got != tt.wantQuery {
						t.Errorf("query = %q, want %q", got, tt.wantQuery)
					}
					w.Header().Set("Content-Type", "application/json")
					_, _ = w.Write([]byte(subnetsBody))
				})
			}
			env := fc.Env()
			res, err := toolstest.Run(t, env, Tools(), "subnet.list", tt.args)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := [][]any{{
				"sub-1", "private-subnet", "net-1", "10.0.0.0/24", "demo", true, []string{},
				[]string{"10.0.0.2-10.0.0.254"}, []string{"destination='192.168.0.0/16', gateway='10.0.0.9'"},
				4, "10.0.0.1", []string{}, []string{},
			}}
			if diff := cmp.Diff(want, res.List.Rows); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
			if len(res.List.Columns) != len(want[0]) {
				t.Errorf("%d columns for %d values", len(res.List.Columns), len(want[0]))
			}
			if diff := cmp.Diff([]string{"private-subnet"}, env.Names.Of("subnet")); diff != "" {
				t.Errorf("names (-want +got):\n%s", diff)
			}
		})
	}
}

func TestShow(t *testing.T) {
	tests := []struct {
		name    string
		arg     string
		body    string
		wantErr string
	}{
		{name: "by name", arg: "private-subnet", body: subnetsBody},
		{name: "missing", arg: "nope", body: `{"subnets": []}`, wantErr: `no subnet named or with ID "nope"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := toolstest.New(t)
			fc.Handle("GET", toolstest.NetworkPrefix+"/subnets", http.StatusOK, tt.body)
			res, err := toolstest.Run(t, fc.Env(), Tools(), "subnet.show", ShowArgs{Subnet: tt.arg})
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]string{"10.0.0.2-10.0.0.254"}, res.Record.Get("allocation_pools")); diff != "" {
				t.Errorf("allocation_pools (-want +got):\n%s", diff)
			}
			if got := res.Record.Get("ipv6_ra_mode"); got != nil {
				t.Errorf("ipv6_ra_mode = %v, want nil", got)
			}
		})
	}
}
