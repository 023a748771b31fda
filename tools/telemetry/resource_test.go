package telemetry

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/kriscelmer/os-tui/tools/toolstest"
)

func TestResolveResource(t *testing.T) {
	volume := "6f1e0a52-1c9d-4a8e-b7e2-0c4d5e6f7a8b"
	tests := []struct {
		name, in string
		noNova   bool
		want     Resource
		err      string
	}{
		{"server by name", "web-1", false, Resource{ID: server, Name: "web-1", Label: "server web-1"}, ""},
		{"server by ID", server, false, Resource{ID: server, Name: "web-1", Label: "server web-1"}, ""},
		{"another resource's ID", volume, false, Resource{ID: volume, Label: "resource " + volume}, ""},
		{"no such server", "web-9", false, Resource{}, `no server named "web-9"; give a server's name or ID, or the ID of another resource the metrics service knows`},
		{"two servers of that name", "twin", false, Resource{}, `2 servers are named "twin"; use an ID:`},
		{"a cloud without Nova", "anything", true, Resource{ID: "anything", Label: "anything"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := toolstest.New(t)
			if tt.noNova {
				delete(c.Caps.Services, "compute")
			}
			c.OptionalFunc("GET", toolstest.ComputePrefix+"/servers", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				switch r.URL.Query().Get("name") {
				case "^web-1$":
					_, _ = fmt.Fprintf(w, `{"servers": [{"id": %q, "name": "web-1"}]}`, server)
				case "^twin$":
					_, _ = fmt.Fprint(w, `{"servers": [{"id": "a", "name": "twin"}, {"id": "b", "name": "twin"}]}`)
				default:
					_, _ = fmt.Fprint(w, `{"servers": []}`)
				}
			})
			c.Optional("GET", toolstest.ComputePrefix+"/servers/"+server, 200, `{"server": {"id": "`+server+`", "name": "web-1"}}`)
			c.Optional("GET", toolstest.ComputePrefix+"/servers/"+volume, 404, `{"itemNotFound": {"code": 404, "message": "Instance could not be found."}}`)
			got, err := ResolveResource(context.Background(), c.Env(), tt.in)
			if tt.err != "" {
				if err == nil || len(err.Error()) < len(tt.err) || err.Error()[:len(tt.err)] != tt.err {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("ResolveResource(%s) = %+v, %v; want %+v", tt.in, got, err, tt.want)
			}
		})
	}
}
