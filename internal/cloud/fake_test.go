package cloud

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kriscelmer/os-tui/internal/config"
)

// fakeCloud is a Keystone and a few service version documents on one
// httptest server; the catalog it hands out points back at itself.
type fakeCloud struct {
	t   testing.TB
	srv *httptest.Server

	mu         sync.Mutex
	calls      map[string]int
	valid      map[string]bool
	issued     int
	password   string
	computeMax string
	volumeMax  string
	expiresIn  time.Duration
}

func newFakeCloud(t testing.TB) *fakeCloud {
	f := &fakeCloud{
		t: t, calls: map[string]int{}, valid: map[string]bool{},
		password: "s3cret-pw", computeMax: "2.96", volumeMax: "3.70", expiresIn: time.Hour,
	}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// cloud returns a config for the fake with the right password.
func (f *fakeCloud) cloud() *config.Cloud {
	return &config.Cloud{
		Name: "fake", AuthType: config.AuthPassword, AuthURL: f.srv.URL + "/identity/v3",
		Username: "alice", Password: f.password, UserDomainName: "Default",
		ProjectName: "demo", ProjectDomainName: "Default", Region: "RegionOne", Interface: "public",
	}
}

func (f *fakeCloud) count(key string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[key]
}

func (f *fakeCloud) total() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.calls {
		n += c
	}
	return n
}

// revokeAll makes every issued token invalid, as a Keystone restart with
// new fernet keys would.
func (f *fakeCloud) revokeAll() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.valid = map[string]bool{}
}

func (f *fakeCloud) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.calls[r.Method+" "+r.URL.Path]++
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Openstack-Request-Id", "req-"+strings.ReplaceAll(strings.Trim(r.URL.Path, "/"), "/", "-"))
	switch r.Method + " " + r.URL.Path {
	case "POST /identity/v3/auth/tokens":
		f.issue(w, r)
	case "GET /compute/v2.1/":
		fmt.Fprintf(w, `{"version": {"id": "v2.1", "status": "CURRENT", "version": %q, "min_version": "2.1"}}`, f.computeMax)
	case "GET /volume/v3/":
		fmt.Fprintf(w, `{"versions": [{"id": "v3.0", "status": "CURRENT", "version": %q, "min_version": "3.0"}]}`, f.volumeMax)
	case "GET /network/":
		fmt.Fprint(w, `{"versions": [{"id": "v2.0", "status": "CURRENT"}]}`)
	case "GET /identity/v3/":
		fmt.Fprint(w, `{"version": {"id": "v3.14", "status": "stable"}}`)
	case "GET /compute/v2.1/flavors":
		if !f.authorized(r) {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"error": {"code": 401, "message": "The request you have made requires authentication."}}`)
			return
		}
		fmt.Fprintf(w, `{"flavors": [], "microversion": %q}`, r.Header.Get("X-OpenStack-Nova-API-Version"))
	default:
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprintf(w, `{"itemNotFound": {"message": "no route %s %s", "code": 404}}`, r.Method, r.URL.Path)
	}
}

func (f *fakeCloud) authorized(r *http.Request) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.valid[r.Header.Get("X-Auth-Token")]
}

func (f *fakeCloud) issue(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Auth struct {
			Identity struct {
				Password struct {
					User struct {
						Name     string `json:"name"`
						Password string `json:"password"`
					} `json:"user"`
				} `json:"password"`
			} `json:"identity"`
		} `json:"auth"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Auth.Identity.Password.User.Password != f.password {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"error": {"code": 401, "title": "Unauthorized", "message": "The request you have made requires authentication."}}`)
		return
	}
	f.mu.Lock()
	f.issued++
	tok := fmt.Sprintf("gAAAAAtoken-%d-%d", f.issued, time.Now().UnixNano())
	f.valid[tok] = true
	expires := time.Now().Add(f.expiresIn).UTC().Format(time.RFC3339)
	f.mu.Unlock()
	u := f.srv.URL
	ep := func(path string) string {
		return fmt.Sprintf(`{"id": "e", "interface": "public", "region": "RegionOne", "region_id": "RegionOne", "url": %q},
			{"id": "i", "interface": "internal", "region": "RegionOne", "region_id": "RegionOne", "url": "http://internal.invalid"}`, u+path)
	}
	w.Header().Set("X-Subject-Token", tok)
	w.WriteHeader(http.StatusCreated)
	fmt.Fprintf(w, `{"token": {
		"expires_at": %q, "methods": ["password"],
		"user": {"id": "u1", "name": "alice", "domain": {"id": "default", "name": "Default"}},
		"project": {"id": "p1", "name": "demo", "domain": {"id": "default", "name": "Default"}},
		"roles": [{"id": "r1", "name": "member"}, {"id": "r2", "name": "reader"}],
		"catalog": [
			{"type": "identity", "name": "keystone", "id": "s1", "endpoints": [%s]},
			{"type": "compute", "name": "nova", "id": "s2", "endpoints": [%s]},
			{"type": "block-storage", "name": "cinder", "id": "s3", "endpoints": [%s]},
			{"type": "volumev3", "name": "cinderv3", "id": "s4", "endpoints": [%s]},
			{"type": "network", "name": "neutron", "id": "s5", "endpoints": [%s]}
		]}}`, expires, ep("/identity/v3"), ep("/compute/v2.1"), ep("/volume/v3/p1"), ep("/volume/v3/p1"), ep("/network"))
}
