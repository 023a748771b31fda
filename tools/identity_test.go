package tools_test

import (
	"net/http"
	"sync"
	"testing"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/toolstest"
)

// TestCurrentIdentityOncePerToken: reads made at once ask Keystone once
// for the token's identity, and each gets its own copy.
func TestCurrentIdentityOncePerToken(t *testing.T) {
	fc := toolstest.New(t)
	fc.Handle("GET", toolstest.IdentityPrefix+"/auth/tokens", http.StatusOK, `{"token": {"expires_at": "2030-01-01T12:00:00Z",
	 "user": {"id": "u1", "name": "demo", "domain": {"name": "Default"}},
	 "project": {"id": "p1", "name": "demo", "domain": {"name": "Default"}}, "roles": [{"name": "member"}]}}`)
	env := fc.Env()
	var wg sync.WaitGroup
	ids := make([]*tools.Identity, 5)
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id, err := tools.CurrentIdentity(t.Context(), env)
			if err != nil {
				t.Error(err)
				return
			}
			ids[i] = id
		}()
	}
	wg.Wait()
	if n := fc.Calls("GET", toolstest.IdentityPrefix+"/auth/tokens"); n != 1 {
		t.Errorf("token reads = %d, want 1", n)
	}
	ids[0].Roles[0] = "changed"
	if ids[1].Roles[0] != "member" {
		t.Error("callers share one Identity; each should get a copy")
	}
}
