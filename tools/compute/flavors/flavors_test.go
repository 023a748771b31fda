package flavors

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/tools/toolstest"
)

const flavorsBody = `{"flavors": [
 {"id": "2", "name": "m1.small", "ram": 2048, "disk": 20, "vcpus": 1, "swap": "", "os-flavor-access:is_public": true, "OS-FLV-EXT-DATA:ephemeral": 0, "rxtx_factor": 1.0},
 {"id": "1", "name": "m1.tiny", "ram": 512, "disk": 1, "vcpus": 1, "swap": "", "os-flavor-access:is_public": true, "OS-FLV-EXT-DATA:ephemeral": 0, "rxtx_factor": 1.0}
]}`

func TestList(t *testing.T) {
	tests := []struct {
		name      string
		args      string
		wantQuery string
	}{
		{"public", `{}`, "is_public=true"},
		{"all", `{"all": true}`, "is_public=None"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := toolstest.New(t)
			fc.HandleFunc("GET", toolstest.ComputePrefix+"/flavors/detail", func(w http.ResponseWriter, r *http.Request) {
				if r.URL.RawQuery != tt.wantQuery {
					t.Errorf("query = %q, want %q", r.URL.RawQuery, tt.wantQuery)
				}
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(flavorsBody))
			})
			env := fc.Env()
			res, err := toolstest.Tool(t, Tools(), "flavor.list").Run(t.Context(), env, json.RawMessage(tt.args))
			if err != nil {
				t.Fatal(err)
			}
			var names []any
			for _, row := range res.List.Rows {
				names = append(names, row[1])
			}
			if diff := cmp.Diff([]any{"m1.small", "m1.tiny"}, names); diff != "" {
				t.Errorf("names (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{"m1.small", "m1.tiny"}, env.Names.Of("flavor")); diff != "" {
				t.Errorf("remembered names (-want +got):\n%s", diff)
			}
		})
	}
}

func TestShow(t *testing.T) {
	tests := []struct {
		name    string
		arg     string
		wantErr string
		wantID  string
	}{
		{name: "by name", arg: "m1.tiny", wantID: "1"},
		{name: "missing", arg: "m1.huge", wantErr: `no flavor named or with ID "m1.huge"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := toolstest.New(t)
			// Names are found in the list, without a GET by ID first.
			fc.Handle("GET", toolstest.ComputePrefix+"/flavors/detail", http.StatusOK, flavorsBody)
			args, _ := json.Marshal(ShowArgs{Flavor: tt.arg})
			res, err := toolstest.Tool(t, Tools(), "flavor.show").Run(t.Context(), fc.Env(), args)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
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
}
