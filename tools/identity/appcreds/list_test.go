package appcreds

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/tools/toolstest"
)

const tokenBody = `{"token": {"expires_at": "2030-01-01T12:00:00Z", "user": {"id": "u1", "name": "demo", "domain": {"name": "Default"}},
 "project": {"id": "p1", "name": "demo", "domain": {"name": "Default"}}, "roles": []}}`

func TestList(t *testing.T) {
	fc := toolstest.New(t)
	fc.Handle("GET", toolstest.IdentityPrefix+"/auth/tokens", http.StatusOK, tokenBody)
	fc.Handle("GET", toolstest.IdentityPrefix+"/users/u1/application_credentials", http.StatusOK, `{"application_credentials": [
	 {"id": "a2", "name": "ci", "project_id": "p1", "expires_at": "2027-01-01T00:00:00.000000", "unrestricted": false, "description": ""},
	 {"id": "a1", "name": "backup", "project_id": "p1", "expires_at": null, "unrestricted": false, "description": "nightly"}]}`)
	env := fc.Env()
	res, err := toolstest.Tool(t, Tools(), "application-credential.list").Run(t.Context(), env, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]any{{"a1", "backup", "p1", nil, false, "nightly"}, {"a2", "ci", "p1", "2027-01-01T00:00:00Z", false, ""}}
	if diff := cmp.Diff(want, res.List.Rows); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"backup", "ci"}, env.Names.Of(Kind)); diff != "" {
		t.Errorf("names for completion (-want +got):\n%s", diff)
	}
}
