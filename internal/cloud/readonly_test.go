package cloud

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestReadOnlyTransport(t *testing.T) {
	var hits []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits = append(hits, r.Method+" "+r.URL.Path)
	}))
	defer srv.Close()
	client := &http.Client{Transport: ReadOnlyTransport(http.DefaultTransport)}
	tests := []struct {
		method, path string
		readOnly     bool
		wantRefused  bool
		heat         bool // marked WithHeatDryRun
	}{
		{"GET", "/v2.1/servers", true, false, false},
		{"HEAD", "/v2/images/x", true, false, false},
		{"POST", "/v3/auth/tokens", true, false, false},
		{"POST", "/v2.1/servers/x/action", true, true, false},
		{"DELETE", "/v2.1/servers/x", true, true, false},
		{"PUT", "/v2/images/x/file", true, true, false},
		{"PATCH", "/v2/images/x", true, true, false},
		{"DELETE", "/v2.1/servers/x", false, false, false},
		// Heat's validate and previews store nothing: a stack's preflight.
		{"POST", "/v1/p-1/validate", true, false, true},
		{"POST", "/heat-api/v1/p-1/stacks/preview", true, false, true},
		{"PUT", "/v1/p-1/stacks/web/s-1/preview", true, false, true},
		{"PATCH", "/v1/p-1/stacks/web/s-1/preview", true, false, true},
		{"POST", "/v1/p-1/stacks", true, true, true},
		{"PUT", "/v1/p-1/stacks/web/s-1", true, true, true},
		{"DELETE", "/v1/p-1/stacks/web/s-1/preview", true, true, true},
		{"POST", "/v1/p-1/stacks/web/s-1/actions", true, true, true},
		{"POST", "/v1/p-1/stacks/preview/x", true, true, true},
		{"POST", "/v2.1/validate", true, true, true},
		// Without the mark, the same paths are other services' writes:
		// Swift's container "validate" metadata, object "a/b/preview".
		{"POST", "/v1/AUTH_p-1/validate", true, true, false},
		{"POST", "/v1/AUTH_p-1/stacks/preview", true, true, false},
		{"PUT", "/v1/AUTH_p-1/stacks/a/b/preview", true, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.method+tt.path, func(t *testing.T) {
			hits = nil
			ctx := context.Background()
			if tt.readOnly {
				ctx = WithReadOnly(ctx)
			}
			if tt.heat {
				ctx = WithHeatDryRun(ctx)
			}
			req, err := http.NewRequestWithContext(ctx, tt.method, srv.URL+tt.path, strings.NewReader("{}"))
			if err != nil {
				t.Fatal(err)
			}
			resp, err := client.Do(req)
			if err == nil {
				_ = resp.Body.Close()
			}
			var ro *ReadOnlyError
			if refused := errors.As(err, &ro); refused != tt.wantRefused {
				t.Fatalf("refused = %v (err %v), want %v", refused, err, tt.wantRefused)
			}
			if tt.wantRefused && len(hits) != 0 {
				t.Errorf("a refused request reached the server: %v", hits)
			}
		})
	}
}
