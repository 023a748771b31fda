package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// fakeAppCredSecret is the secret the fake Keystone gives every new
// application credential: the canary looks for it in every output and file.
const fakeAppCredSecret = "canary-appcred-secret-4b7d"

// serveAppCreds answers alice's application credentials: list (by name),
// create (its secret once, in the answer), get and delete.
func (f *fakeCloud) serveAppCreds(w http.ResponseWriter, r *http.Request, path string) bool {
	rest, ok := strings.CutPrefix(path, "/identity/v3/users/u-alice/application_credentials")
	if !ok {
		return false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.appCreds == nil {
		f.appCreds = map[string]string{}
	}
	one := func(id, name string) string {
		return fmt.Sprintf(`{"id": %q, "name": %q, "description": "", "project_id": "p-demo", "roles": [{"id": "r2", "name": "reader"}],
			"unrestricted": false, "expires_at": null, "access_rules": []}`, id, name)
	}
	id := strings.TrimPrefix(rest, "/")
	switch {
	case rest == "" && r.Method == http.MethodGet:
		var parts []string
		for id, name := range f.appCreds {
			if q := r.URL.Query().Get("name"); q == "" || q == name {
				parts = append(parts, one(id, name))
			}
		}
		fmt.Fprintf(w, `{"application_credentials": [%s], "links": {"next": null}}`, strings.Join(parts, ","))
	case rest == "" && r.Method == http.MethodPost:
		var body struct {
			AppCred struct {
				Name string `json:"name"`
			} `json:"application_credential"`
		}
		b, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(b, &body)
		id := fmt.Sprintf("ac-%d", len(f.appCreds)+1)
		f.appCreds[id] = body.AppCred.Name
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"application_credential": %s}`, strings.Replace(one(id, body.AppCred.Name), `"description"`, `"secret": "`+fakeAppCredSecret+`", "description"`, 1))
	case f.appCreds[id] == "":
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"error": {"code": 404, "message": "Could not find application credential"}}`)
	case r.Method == http.MethodGet:
		fmt.Fprintf(w, `{"application_credential": %s}`, one(id, f.appCreds[id]))
	case r.Method == http.MethodDelete:
		delete(f.appCreds, id)
		w.WriteHeader(http.StatusNoContent)
	default:
		w.WriteHeader(http.StatusMethodNotAllowed)
	}
	return true
}
