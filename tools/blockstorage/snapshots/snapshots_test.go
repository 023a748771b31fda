package snapshots

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/tools/toolstest"
)

func TestList(t *testing.T) {
	body := `{"snapshots": [
	 {"id": "snap-1", "name": "nightly", "description": "before upgrade", "status": "available", "size": 10, "volume_id": "v1", "created_at": "2026-01-02T03:04:05.000000"},
	 {"id": "snap-2", "name": "orphan", "description": "", "status": "error", "size": 1, "volume_id": "v-deleted", "metadata": {"k": "v"}}
	]}`
	tests := []struct {
		name        string
		args        ListArgs
		wantQuery   string
		volumeQuery string // the name lookup, when the filter needs one
	}{
		{name: "all"},
		{name: "volume by name", args: ListArgs{Volume: "data", Status: "available"}, wantQuery: "status=available&volume_id=v1", volumeQuery: "name=data"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := toolstest.New(t)
			var volumeQueries []string
			fc.HandleFunc("GET", toolstest.VolumePrefix+"/volumes/detail", func(w http.ResponseWriter, r *http.Request) {
				volumeQueries = append(volumeQueries, r.URL.Query().Encode())
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(`{"volumes": [{"id": "v1", "name": "data"}]}`))
			})
			fc.HandleFunc("GET", toolstest.VolumePrefix+"/snapshots/detail", func(w http.ResponseWriter, r *http.Request) {
				if got := r.URL.Query().Encode(); got != tt.wantQuery {
					t.Errorf("query = %q, want %q", got, tt.wantQuery)
				}
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(body))
			})
			raw, _ := json.Marshal(tt.args)
			res, err := toolstest.Tool(t, Tools(), "volume.snapshot.list").Run(t.Context(), fc.Env(), raw)
			if err != nil {
				t.Fatal(err)
			}
			want := [][]any{
				{"snap-1", "nightly", "before upgrade", "available", 10, "2026-01-02T03:04:05.000000", "data", map[string]string{}},
				{"snap-2", "orphan", "", "error", 1, "", "v-deleted", map[string]string{"k": "v"}},
			}
			if diff := cmp.Diff(want, res.List.Rows); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
			// The deleted volume's miss costs one refresh, no more.
			wantQueries := []string{"", ""}
			if tt.volumeQuery != "" {
				wantQueries = append([]string{tt.volumeQuery}, wantQueries...)
			}
			if diff := cmp.Diff(wantQueries, volumeQueries); diff != "" {
				t.Errorf("volume lists (-want +got):\n%s", diff)
			}
		})
	}
}
