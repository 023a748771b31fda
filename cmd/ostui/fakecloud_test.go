package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// setupScript isolates each transcript from the developer's environment
// and starts a small fake cloud for it: Keystone issuing a token whose
// catalog points back at the same server, Nova and Glance with a few
// resources. $FAKECLOUD_YAML is a clouds.yaml for it (cloud "fake");
// $WORK/fakecloud.log records every request as "METHOD PATH", so a script
// can assert which calls a command made.
func setupScript(env *testscript.Env) error {
	isolate(env)
	fc := &fakeCloud{log: filepath.Join(env.WorkDir, "fakecloud.log")}
	srv := httptest.NewServer(fc)
	fc.url = srv.URL
	env.Defer(srv.Close)
	yaml := filepath.Join(env.WorkDir, "fake", "clouds.yaml")
	if err := os.MkdirAll(filepath.Dir(yaml), 0o700); err != nil {
		return err
	}
	conf := fmt.Sprintf(`clouds:
  fake:
    auth:
      auth_url: %s/identity/v3
      username: alice
      password: canary-password-7f3a
      project_name: demo
      user_domain_name: Default
      project_domain_name: Default
    region_name: RegionOne
`, srv.URL)
	if err := os.WriteFile(yaml, []byte(conf), 0o600); err != nil {
		return err
	}
	env.Setenv("FAKECLOUD_YAML", yaml)
	env.Setenv("FAKECLOUD_URL", srv.URL)
	return nil
}

type fakeCloud struct {
	url string
	log string
	mu  sync.Mutex
}

const fakeToken = "fake-token-0123456789abcdef"

func (f *fakeCloud) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	if lf, err := os.OpenFile(f.log, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600); err == nil {
		fmt.Fprintf(lf, "%s %s\n", r.Method, r.URL.Path)
		_ = lf.Close() // best-effort request log; tests that read it fail on a missing line
	}
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Openstack-Request-Id", "req-fake-"+strings.Trim(strings.ReplaceAll(r.URL.Path, "/", "-"), "-"))
	path := strings.TrimSuffix(r.URL.Path, "/")
	if r.Method == http.MethodPost && path == "/identity/v3/auth/tokens" {
		w.Header().Set("X-Subject-Token", fakeToken)
		w.WriteHeader(http.StatusCreated)
		fmt.Fprint(w, f.tokenBody())
		return
	}
	if r.Header.Get("X-Auth-Token") != fakeToken {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"error": {"code": 401, "message": "The request you have made requires authentication."}}`)
		return
	}
	switch path {
	case "/identity/v3/auth/tokens":
		fmt.Fprint(w, f.tokenBody())
	case "/identity/v3":
		fmt.Fprint(w, `{"version": {"id": "v3.14", "status": "stable"}}`)
	case "/compute/v2.1":
		fmt.Fprint(w, `{"version": {"id": "v2.1", "status": "CURRENT", "version": "2.93", "min_version": "2.1"}}`)
	case "/image":
		fmt.Fprint(w, `{"versions": [{"id": "v2.16", "status": "CURRENT"}]}`)
	case "/compute/v2.1/flavors/detail":
		fmt.Fprint(w, `{"flavors": [
			{"id": "1", "name": "m1.tiny", "ram": 512, "disk": 1, "vcpus": 1, "swap": 0, "os-flavor-access:is_public": true, "OS-FLV-EXT-DATA:ephemeral": 0, "rxtx_factor": 1.0},
			{"id": "2", "name": "m1.small", "ram": 2048, "disk": 20, "vcpus": 1, "swap": 0, "os-flavor-access:is_public": true, "OS-FLV-EXT-DATA:ephemeral": 0, "rxtx_factor": 1.0}]}`)
	case "/compute/v2.1/flavors/m1.tiny", "/compute/v2.1/flavors/nope":
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"itemNotFound": {"code": 404, "message": "Flavor could not be found."}}`)
	case "/compute/v2.1/flavors/forbidden":
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `{"forbidden": {"code": 403, "message": "Policy doesn't allow os_compute_api:os-flavor-manage to be performed."}}`)
	default:
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprintf(w, `{"itemNotFound": {"code": 404, "message": "fake cloud has no %s"}}`, r.URL.Path)
	}
}

func (f *fakeCloud) tokenBody() string {
	expires := time.Now().Add(2 * time.Hour).UTC().Format("2006-01-02T15:04:05.000000Z")
	issued := time.Now().UTC().Format("2006-01-02T15:04:05.000000Z")
	ep := func(typ, name, url string) string {
		return fmt.Sprintf(`{"type": %q, "name": %q, "id": "%s-id", "endpoints": [{"id": "%s-pub", "interface": "public", "region": "RegionOne", "region_id": "RegionOne", "url": %q}]}`, typ, name, name, name, url)
	}
	return fmt.Sprintf(`{"token": {
		"methods": ["password"], "expires_at": %q, "issued_at": %q,
		"user": {"id": "u-alice", "name": "alice", "domain": {"id": "default", "name": "Default"}},
		"project": {"id": "p-demo", "name": "demo", "domain": {"id": "default", "name": "Default"}},
		"roles": [{"id": "r1", "name": "member"}, {"id": "r2", "name": "reader"}],
		"catalog": [%s, %s, %s]}}`, expires, issued,
		ep("identity", "keystone", f.url+"/identity/v3"),
		ep("compute", "nova", f.url+"/compute/v2.1"),
		ep("image", "glance", f.url+"/image"))
}
