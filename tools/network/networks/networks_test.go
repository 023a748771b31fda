package networks

import (
	"errors"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/toolstest"
)

const (
	privateID = "8a2c5e3b-1f4d-4c6e-9a7b-2d3e4f5a6b7c"
	publicID  = "1b2c3d4e-5f60-4718-8293-a4b5c6d7e8f9"
	otherID   = "99999999-5f60-4718-8293-a4b5c6d7e8f9"
)

const networksBody = `{"networks": [
 {"id": "` + publicID + `", "name": "public", "status": "ACTIVE", "admin_state_up": true, "shared": false,
  "router:external": true, "subnets": ["s2", "s1"], "project_id": "admin-project", "provider:network_type": "flat",
  "availability_zones": ["nova"], "tags": [], "mtu": 1500},
 {"id": "` + privateID + `", "name": "private", "status": "ACTIVE", "admin_state_up": false, "shared": true,
  "router:external": false, "subnets": ["s3"], "project_id": "demo-project", "provider:network_type": null,
  "availability_zones": [], "tags": ["blue"]}
]}`

func TestList(t *testing.T) {
	tests := []struct {
		name      string
		args      ListArgs
		wantQuery string
		wantNames []string // remembered for completion
	}{
		{name: "all", args: ListArgs{}, wantQuery: "", wantNames: []string{"private", "public"}},
		{name: "external", args: ListArgs{External: ptr(true)}, wantQuery: "router%3Aexternal=true", wantNames: []string{"private", "public"}},
		{name: "internal shared by name", args: ListArgs{Name: "private", Shared: ptr(true), External: ptr(false)},
			wantQuery: "name=private&router%3Aexternal=false&shared=true", wantNames: []string{"private", "public"}},
		{name: "project and status", args: ListArgs{Project: "p1", Status: "DOWN"}, wantQuery: "project_id=p1&status=DOWN", wantNames: []string{"private", "public"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := toolstest.New(t)
			fc.HandleFunc("GET", toolstest.NetworkPrefix+"/networks", func(w http.ResponseWriter, r *http.Request) {
				if got := r.URL.Query().Encode(); got != tt.wantQuery {
					t.Errorf("query = %q, want %q", got, tt.wantQuery)
				}
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(networksBody))
			})
			env := fc.Env()
			res, err := toolstest.Run(t, env, Tools(), "network.list", tt.args)
			if err != nil {
				t.Fatal(err)
			}
			want := [][]any{
				{privateID, "private", "ACTIVE", "demo-project", false, true, []string{"s3"}, nil, false, []string{}, []string{"blue"}},
				{publicID, "public", "ACTIVE", "admin-project", true, false, []string{"s1", "s2"}, "flat", true, []string{"nova"}, []string{}},
			}
			if diff := cmp.Diff(want, res.List.Rows); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
			var short []string
			for _, c := range res.List.Columns {
				if !c.Long {
					short = append(short, c.Name)
				}
			}
			if diff := cmp.Diff([]string{"ID", "Name", "Subnets"}, short); diff != "" {
				t.Errorf("default columns (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantNames, env.Names.Of("network")); diff != "" {
				t.Errorf("remembered names (-want +got):\n%s", diff)
			}
		})
	}
}

func TestShow(t *testing.T) {
	one := `{"network": {"id": "` + privateID + `", "name": "private", "status": "ACTIVE", "admin_state_up": true, "router:external": false, "mtu": 1442, "subnets": []}}`
	tests := []struct {
		name    string
		arg     string
		stub    func(fc *toolstest.Cloud)
		wantID  string
		wantErr error
	}{
		{
			name: "by ID",
			arg:  privateID,
			stub: func(fc *toolstest.Cloud) {
				fc.Handle("GET", toolstest.NetworkPrefix+"/networks/"+privateID, http.StatusOK, one)
			},
			wantID: privateID,
		},
		{
			name: "by name",
			arg:  "private",
			stub: func(fc *toolstest.Cloud) {
				fc.HandleFunc("GET", toolstest.NetworkPrefix+"/networks", func(w http.ResponseWriter, r *http.Request) {
					if got := r.URL.Query().Get("name"); got != "private" {
						t.Errorf("name filter = %q", got)
					}
					w.Header().Set("Content-Type", "application/json")
					_, _ = w.Write([]byte(`{"networks": [{"id": "` + privateID + `", "name": "private"}]}`))
				})
			},
			wantID: privateID,
		},
		{
			name: "name that looks like an ID",
			arg:  otherID,
			stub: func(fc *toolstest.Cloud) {
				fc.Handle("GET", toolstest.NetworkPrefix+"/networks/"+otherID, http.StatusNotFound, `{"NeutronError": {"type": "NetworkNotFound", "message": "not found"}}`)
				fc.Handle("GET", toolstest.NetworkPrefix+"/networks", http.StatusOK, `{"networks": [{"id": "`+privateID+`", "name": "`+otherID+`"}]}`)
			},
			wantID: privateID,
		},
		{
			name: "ambiguous",
			arg:  "private",
			stub: func(fc *toolstest.Cloud) {
				fc.Handle("GET", toolstest.NetworkPrefix+"/networks", http.StatusOK, `{"networks": [{"id": "a", "name": "private"}, {"id": "b", "name": "private"}]}`)
			},
			wantErr: &tools.AmbiguousError{Kind: "network", Name: "private", Candidates: []tools.Candidate{{ID: "a", Name: "private"}, {ID: "b", Name: "private"}}},
		},
		{
			name: "missing",
			arg:  "nope",
			stub: func(fc *toolstest.Cloud) {
				fc.Handle("GET", toolstest.NetworkPrefix+"/networks", http.StatusOK, `{"networks": []}`)
			},
			wantErr: &tools.NotFoundError{Kind: "network", Name: "nope"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := toolstest.New(t)
			tt.stub(fc)
			res, err := toolstest.Run(t, fc.Env(), Tools(), "network.show", ShowArgs{Network: tt.arg})
			if tt.wantErr != nil {
				if err == nil {
					t.Fatal("no error")
				}
				if diff := cmp.Diff(tt.wantErr.Error(), err.Error()); diff != "" {
					t.Errorf("error (-want +got):\n%s", diff)
				}
				var nf *tools.NotFoundError
				var amb *tools.AmbiguousError
				if !errors.As(err, &nf) && !errors.As(err, &amb) {
					t.Errorf("error %T is neither NotFoundError nor AmbiguousError", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := res.Record.Get("id"); got != tt.wantID {
				t.Errorf("id = %v, want %s", got, tt.wantID)
			}
		})
	}
	t.Run("fields", func(t *testing.T) {
		fc := toolstest.New(t)
		fc.Handle("GET", toolstest.NetworkPrefix+"/networks/"+privateID, http.StatusOK, one)
		res, err := toolstest.Run(t, fc.Env(), Tools(), "network.show", ShowArgs{Network: privateID})
		if err != nil {
			t.Fatal(err)
		}
		for name, want := range map[string]any{"mtu": 1442, "router:external": false, "admin_state_up": true, "provider:network_type": nil, "subnets": []string{}} {
			if diff := cmp.Diff(want, res.Record.Get(name)); diff != "" {
				t.Errorf("%s (-want +got):\n%s", name, diff)
			}
		}
	})
}
