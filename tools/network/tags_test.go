package network

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/gophercloud/gophercloud/v2"
)

func TestTagsAfter(t *testing.T) {
	tests := []struct {
		name        string
		current     []string
		clear       bool
		add, remove []string
		want        []string
	}{
		{name: "nothing", want: []string{}},
		{name: "add to current", current: []string{"b"}, add: []string{"a", "b"}, want: []string{"a", "b"}},
		{name: "clear then add", current: []string{"old"}, clear: true, add: []string{"new"}, want: []string{"new"}},
		{name: "remove", current: []string{"a", "b"}, remove: []string{"a", "z"}, want: []string{"b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, TagsAfter(tt.current, tt.clear, tt.add, tt.remove)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	if !SameTags([]string{"b", "a"}, []string{"a", "b"}) || SameTags([]string{"a"}, nil) {
		t.Error("SameTags compares sets")
	}
}

func TestTagNewTakesBackWhatItCouldNotTag(t *testing.T) {
	tests := []struct {
		name       string
		tagStatus  int
		delStatus  int
		wantErr    string
		wantDelete bool
	}{
		{name: "tagged", tagStatus: http.StatusOK},
		{name: "taken back", tagStatus: http.StatusConflict, delStatus: http.StatusNoContent, wantErr: "tag subnet web: ", wantDelete: true},
		{name: "taken back failed", tagStatus: http.StatusConflict, delStatus: http.StatusInternalServerError, wantErr: "remove it with /subnet delete s-1", wantDelete: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			deleted := false
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				switch {
				case r.Method == http.MethodPut && r.URL.Path == "/v2.0/subnets/s-1/tags":
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(tt.tagStatus)
					_, _ = w.Write([]byte(`{"tags": ["a"]}`))
				case r.Method == http.MethodDelete && r.URL.Path == "/v2.0/subnets/s-1":
					deleted = true
					w.WriteHeader(tt.delStatus)
				default:
					t.Errorf("unexpected %s %s", r.Method, r.URL.Path)
				}
			}))
			defer srv.Close()
			c := &gophercloud.ServiceClient{ProviderClient: &gophercloud.ProviderClient{HTTPClient: *srv.Client()}, Endpoint: srv.URL + "/", ResourceBase: srv.URL + "/v2.0/"}
			_, err := TagNew(t.Context(), c, "subnets", "s-1", []string{"a"}, "subnet", "web", "/subnet delete")
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("err = %v, want %q", err, tt.wantErr)
			}
			if deleted != tt.wantDelete {
				t.Errorf("deleted = %v, want %v", deleted, tt.wantDelete)
			}
		})
	}
}
