package whoami

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/tools/toolstest"
)

const tokenBody = `{"token": {
 "expires_at": "2030-01-01T12:00:00.000000Z",
 "user": {"id": "u1", "name": "demo", "domain": {"id": "default", "name": "Default"}},
 "project": {"id": "p1", "name": "demo", "domain": {"id": "default", "name": "Default"}},
 "roles": [{"id": "r2", "name": "reader"}, {"id": "r1", "name": "member"}]
}}`

func TestWhoami(t *testing.T) {
	now = func() time.Time { return time.Date(2030, 1, 1, 10, 30, 0, 0, time.UTC) }
	t.Cleanup(func() { now = time.Now })
	tests := []struct {
		name string
		body string
		want map[string]any
	}{
		{
			name: "project scoped",
			body: tokenBody,
			want: map[string]any{
				"user": "demo", "user_id": "u1", "user_domain": "Default",
				"project": "demo", "project_id": "p1", "project_domain": "Default",
				"roles": []string{"member", "reader"}, "expires_at": "2030-01-01T12:00:00Z", "expires_in": "1h30m",
				"region": "RegionOne",
			},
		},
		{
			name: "domain scoped",
			body: `{"token": {"expires_at": "2030-01-01T10:00:00Z", "user": {"id": "u1", "name": "admin", "domain": {"name": "Default"}}, "domain": {"id": "default", "name": "Default"}, "roles": []}}`,
			want: map[string]any{
				"user": "admin", "user_id": "u1", "user_domain": "Default",
				"project": "", "project_id": "", "project_domain": "",
				"roles": []string{}, "expires_at": "2030-01-01T10:00:00Z", "expires_in": "expired",
				"region": "RegionOne",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := toolstest.New(t)
			fc.HandleFunc("GET", toolstest.IdentityPrefix+"/auth/tokens", func(w http.ResponseWriter, r *http.Request) {
				if got := r.Header.Get("X-Subject-Token"); got != toolstest.TokenID {
					t.Errorf("X-Subject-Token = %q, want the session's own token", got)
				}
				w.Header().Set("Content-Type", "application/json")
				// Keystone echoes the token in this header; it must not leak.
				w.Header().Set("X-Subject-Token", toolstest.TokenID)
				_, _ = w.Write([]byte(tt.body))
			})
			res, err := toolstest.Tool(t, Tools(), "whoami").Run(t.Context(), fc.Env(), nil)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]any{}
			for _, f := range res.Record.Fields {
				if f.Name == "auth_url" {
					if !strings.HasSuffix(fmt.Sprint(f.Value), toolstest.IdentityPrefix+"/") {
						t.Errorf("auth_url = %v", f.Value)
					}
					continue
				}
				got[f.Name] = f.Value
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
			out, err := json.Marshal(res)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(out), toolstest.TokenID) {
				t.Errorf("output contains the token: %s", out)
			}
		})
	}
}
