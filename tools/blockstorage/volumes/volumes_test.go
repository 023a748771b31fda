package volumes

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/tools/toolstest"
)

const volumesBody = `{"volumes": [
 {"id": "v1", "name": "data", "status": "in-use", "size": 10, "volume_type": "lvmdriver-1", "bootable": "false",
  "attachments": [{"server_id": "s1", "device": "/dev/vdb", "attachment_id": "a1"}], "metadata": {"tier": "gold"}},
 {"id": "v2", "name": "logs", "status": "in-use", "size": 5, "volume_type": "lvmdriver-1", "bootable": "false",
  "attachments": [{"server_id": "s2", "device": "/dev/vdc"}], "metadata": {}},
 {"id": "v3", "name": "root", "status": "in-use", "size": 20, "volume_type": "lvmdriver-1", "bootable": "true",
  "attachments": [{"server_id": "s1", "device": "/dev/vda"}, {"server_id": "s2", "device": "/dev/vdd"}]},
 {"id": "v4", "name": "spare", "status": "available", "size": 1, "volume_type": "lvmdriver-1", "bootable": "false", "attachments": []}
]}`

const serversBody = `{"servers": [{"id": "s1", "name": "web-1"}, {"id": "s2", "name": "web-2"}]}`

func TestList(t *testing.T) {
	tests := []struct {
		name      string
		args      ListArgs
		wantQuery string
	}{
		{name: "mine"},
		{name: "filters", args: ListArgs{Name: "data", Status: "in-use"}, wantQuery: "name=data&status=in-use"},
		{name: "all projects", args: ListArgs{AllProjects: true}, wantQuery: "all_tenants=true"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := toolstest.New(t)
			fc.HandleFunc("GET", toolstest.VolumePrefix+"/volumes/detail", func(w http.ResponseWriter, r *http.Request) {
				if got := r.URL.Query().Encode(); got != tt.wantQuery {
					t.Errorf("volume query = %q, want %q", got, tt.wantQuery)
				}
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(volumesBody))
			})
			fc.HandleFunc("GET", toolstest.ComputePrefix+"/servers", func(w http.ResponseWriter, r *http.Request) {
				want := ""
				if tt.args.AllProjects {
					want = "all_tenants=true"
				}
				if got := r.URL.Query().Encode(); got != want {
					t.Errorf("server query = %q, want %q", got, want)
				}
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(serversBody))
			})
			env := fc.Env()
			res, err := toolstest.Run(t, env, Tools(), "volume.list", tt.args)
			if err != nil {
				t.Fatal(err)
			}
			var got [][]any
			for _, row := range res.List.Rows {
				got = append(got, []any{row[0], row[6], row[7]})
			}
			want := [][]any{
				{"v1", "Attached to web-1 on /dev/vdb", map[string]string{"tier": "gold"}},
				{"v2", "Attached to web-2 on /dev/vdc", map[string]string{}},
				{"v3", "Attached to web-1 on /dev/vda; Attached to web-2 on /dev/vdd", map[string]string{}},
				{"v4", "", map[string]string{}},
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
			// Four attachments on two servers: one server list names them all.
			if n := fc.Calls("GET", toolstest.ComputePrefix+"/servers"); n != 1 {
				t.Errorf("server list called %d times, want 1", n)
			}
			if _, err := toolstest.Run(t, env, Tools(), "volume.list", tt.args); err != nil {
				t.Fatal(err)
			}
			if n := fc.Calls("GET", toolstest.ComputePrefix+"/servers"); n != 1 {
				t.Errorf("after a second list, server list called %d times, want 1 per session", n)
			}
			cols := make([]string, 0, len(res.List.Columns))
			for _, c := range res.List.Columns {
				cols = append(cols, c.Name)
			}
			wantCols := []string{"ID", "Name", "Status", "Size", "Type", "Bootable", "Attached to", "Properties"}
			if tt.args.AllProjects {
				wantCols = append(wantCols, "Project")
			}
			if diff := cmp.Diff(wantCols, cols); diff != "" {
				t.Errorf("columns (-want +got):\n%s", diff)
			}
		})
	}
}

func TestShow(t *testing.T) {
	const id = "3f2e1d0c-4b5a-4968-8776-655443322110"
	tests := []struct {
		name    string
		arg     string
		stub    func(fc *toolstest.Cloud)
		wantErr string
	}{
		{
			name: "by ID",
			arg:  id,
			stub: func(fc *toolstest.Cloud) {
				fc.Handle("GET", toolstest.VolumePrefix+"/volumes/"+id, http.StatusOK, `{"volume": {"id": "`+id+`", "name": "data", "size": 10, "attachments": [{"server_id": "s2", "device": "/dev/vdb"}]}}`)
				fc.Handle("GET", toolstest.ComputePrefix+"/servers", http.StatusOK, serversBody)
			},
		},
		{
			name: "by name",
			arg:  "data",
			stub: func(fc *toolstest.Cloud) {
				fc.Handle("GET", toolstest.VolumePrefix+"/volumes/detail", http.StatusOK, `{"volumes": [{"id": "`+id+`", "name": "data", "size": 10, "attachments": [{"server_id": "s2", "device": "/dev/vdb"}]}]}`)
				fc.Handle("GET", toolstest.ComputePrefix+"/servers", http.StatusOK, serversBody)
			},
		},
		{
			name: "ambiguous",
			arg:  "data",
			stub: func(fc *toolstest.Cloud) {
				fc.Handle("GET", toolstest.VolumePrefix+"/volumes/detail", http.StatusOK, `{"volumes": [{"id": "a", "name": "data"}, {"id": "b", "name": "data"}]}`)
			},
			wantErr: "2 volumes are named \"data\"; use an ID:\n  a  data\n  b  data",
		},
		{
			name: "missing",
			arg:  "nope",
			stub: func(fc *toolstest.Cloud) {
				fc.Handle("GET", toolstest.VolumePrefix+"/volumes/detail", http.StatusOK, `{"volumes": []}`)
			},
			wantErr: `no volume named or with ID "nope"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := toolstest.New(t)
			tt.stub(fc)
			res, err := toolstest.Run(t, fc.Env(), Tools(), "volume.show", ShowArgs{Volume: tt.arg})
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]string{"Attached to web-2 on /dev/vdb"}, res.Record.Get("attachments")); diff != "" {
				t.Errorf("attachments (-want +got):\n%s", diff)
			}
			if got := res.Record.Get("id"); got != id {
				t.Errorf("id = %v", got)
			}
		})
	}
}
