package cloud

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/internal/config"
)

func TestNewIsLazy(t *testing.T) {
	cfg := &config.Cloud{Name: "x", AuthURL: "http://127.0.0.1:1/v3", ProjectName: "demo", Username: "alice", Region: "R1"}
	c := New(cfg, Options{CacheDir: t.TempDir()})
	want := Scope{Cloud: "x", Project: "demo", User: "alice", Region: "R1"}
	if diff := cmp.Diff(want, c.Scope()); diff != "" {
		t.Errorf("Scope (-want +got):\n%s", diff)
	}
	if c.pc != nil || c.http != nil {
		t.Error("New did I/O setup; it must be lazy")
	}
}

func TestColdThenWarm(t *testing.T) {
	f := newFakeCloud(t)
	cache := t.TempDir()
	ctx := t.Context()

	cold := New(f.cloud(), Options{CacheDir: cache})
	sc, err := cold.ServiceClient(ctx, "compute")
	if err != nil {
		t.Fatal(err)
	}
	if got := f.count("POST /identity/v3/auth/tokens"); got != 1 {
		t.Fatalf("cold: %d logins, want 1", got)
	}
	if sc.Microversion != ComputeMicroversion || sc.Endpoint != f.srv.URL+"/compute/v2.1/" {
		t.Errorf("compute client: microversion %q endpoint %q", sc.Microversion, sc.Endpoint)
	}

	// The cache file: private, no password.
	files, _ := filepath.Glob(filepath.Join(cache, "tokens", "*.json"))
	if len(files) != 1 {
		t.Fatalf("cache files %v, want one", files)
	}
	fi, err := os.Stat(files[0])
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("cache file mode %04o, want 0600", fi.Mode().Perm())
	}
	di, _ := os.Stat(filepath.Join(cache, "tokens"))
	if di.Mode().Perm() != 0o700 {
		t.Errorf("cache dir mode %04o, want 0700", di.Mode().Perm())
	}
	data, _ := os.ReadFile(files[0])
	if bytes.Contains(data, []byte(f.password)) {
		t.Error("cache file holds the password")
	}

	before := f.total()
	warm := New(f.cloud(), Options{CacheDir: cache})
	for _, typ := range []string{"compute", "volume", "block-storage", "volumev3", "network", "identity"} {
		if _, err := warm.ServiceClient(ctx, typ); err != nil {
			t.Fatalf("warm ServiceClient(%s): %v", typ, err)
		}
	}
	if _, err := warm.Capabilities(ctx); err != nil {
		t.Fatal(err)
	}
	info, err := warm.TokenInfo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if after := f.total(); after != before {
		t.Errorf("warm connection made %d requests, want 0 (calls %v)", after-before, f.calls)
	}
	if info.UserName != "alice" || info.ProjectName != "demo" || !cmp.Equal(info.Roles, []string{"member", "reader"}) {
		t.Errorf("TokenInfo %+v", info)
	}

	// And the warm client works.
	sc, _ = warm.ServiceClient(ctx, "compute")
	var out struct {
		Microversion string `json:"microversion"`
	}
	if _, err := sc.Get(ctx, sc.ServiceURL("flavors"), &out, nil); err != nil { //nolint:bodyclose // closed by gophercloud
		t.Fatal(err)
	}
	if out.Microversion != "2.79" {
		t.Errorf("request microversion %q, want 2.79", out.Microversion)
	}
}

func TestCapabilities(t *testing.T) {
	f := newFakeCloud(t)
	f.computeMax, f.volumeMax = "2.60", "3.70"
	c := New(f.cloud(), Options{})
	caps, err := c.Capabilities(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	u := f.srv.URL
	want := map[string]Service{
		"compute":  {Type: "compute", Name: "nova", Endpoint: u + "/compute/v2.1/", Region: "RegionOne", Version: "v2.1", MinMicroversion: "2.1", MaxMicroversion: "2.60"},
		"volumev3": {Type: "volumev3", Name: "cinderv3", Endpoint: u + "/volume/v3/p1/", Region: "RegionOne", Version: "v3.0", MinMicroversion: "3.0", MaxMicroversion: "3.70"},
		"network":  {Type: "network", Name: "neutron", Endpoint: u + "/network/", Region: "RegionOne", Version: "v2.0"},
		"identity": {Type: "identity", Name: "keystone", Endpoint: u + "/identity/v3/", Region: "RegionOne", Version: "v3.14"},
	}
	if diff := cmp.Diff(want, caps.Services); diff != "" {
		t.Errorf("capabilities (-want +got):\n%s", diff)
	}
	sc, err := c.ServiceClient(t.Context(), "compute")
	if err != nil {
		t.Fatal(err)
	}
	if sc.Microversion != "2.60" {
		t.Errorf("compute microversion %q, want the server's max 2.60 (below ostui's cap)", sc.Microversion)
	}
	vc, _ := c.ServiceClient(t.Context(), "block-storage")
	if vc.Microversion != "3.59" || vc.Type != "volumev3" {
		t.Errorf("volume client %q %q, want 3.59 volumev3", vc.Microversion, vc.Type)
	}
	nc, _ := c.ServiceClient(t.Context(), "network")
	if nc.ResourceBase != u+"/network/v2.0/" || nc.Microversion != "" {
		t.Errorf("network client base %q microversion %q", nc.ResourceBase, nc.Microversion)
	}
	// Discovery happened once.
	if n := f.count("GET /compute/v2.1/"); n != 1 {
		t.Errorf("compute discovered %d times, want 1", n)
	}
}

func TestServiceClientIsACopy(t *testing.T) {
	f := newFakeCloud(t)
	c := New(f.cloud(), Options{})
	a, err := c.ServiceClient(t.Context(), "compute")
	if err != nil {
		t.Fatal(err)
	}
	a.Microversion = "2.1"
	b, _ := c.ServiceClient(t.Context(), "compute")
	if b.Microversion != ComputeMicroversion {
		t.Errorf("second client microversion %q: the first client's change leaked", b.Microversion)
	}
}

func TestNoSuchService(t *testing.T) {
	f := newFakeCloud(t)
	c := New(f.cloud(), Options{})
	_, err := c.ServiceClient(t.Context(), "object-store")
	if err == nil || !strings.Contains(err.Error(), "no object-store service") || !strings.Contains(err.Error(), "compute") {
		t.Errorf("err %v", err)
	}
}

func TestReauthOn401(t *testing.T) {
	f := newFakeCloud(t)
	cache := t.TempDir()
	ctx := t.Context()
	first := New(f.cloud(), Options{CacheDir: cache})
	oldTok, err := first.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	f.revokeAll()

	c := New(f.cloud(), Options{CacheDir: cache})
	sc, err := c.ServiceClient(ctx, "compute")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sc.Get(ctx, sc.ServiceURL("flavors"), nil, nil); err != nil { //nolint:bodyclose // closed by gophercloud
		t.Fatalf("request after revocation: %v", err)
	}
	if n := f.count("POST /identity/v3/auth/tokens"); n != 2 {
		t.Errorf("%d logins, want 2 (cold + one re-auth)", n)
	}
	newTok, _ := c.Token(ctx)
	if newTok == oldTok {
		t.Error("token not replaced")
	}
	// The cache now holds the new token: a third connection is warm.
	third := New(f.cloud(), Options{CacheDir: cache})
	if tok, _ := third.Token(ctx); tok != newTok {
		t.Error("cache not rewritten with the new token")
	}
	if n := f.count("POST /identity/v3/auth/tokens"); n != 2 {
		t.Errorf("%d logins after the rewrite, want 2", n)
	}
}

func TestExpiringCacheLogsIn(t *testing.T) {
	f := newFakeCloud(t)
	f.expiresIn = 4 * time.Minute // inside the 5-minute margin
	cache := t.TempDir()
	if _, err := New(f.cloud(), Options{CacheDir: cache}).Token(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, err := New(f.cloud(), Options{CacheDir: cache}).Token(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n := f.count("POST /identity/v3/auth/tokens"); n != 2 {
		t.Errorf("%d logins, want 2: a token about to expire must not be reused", n)
	}
}

func TestCacheKeyedByScope(t *testing.T) {
	f := newFakeCloud(t)
	cache := t.TempDir()
	if _, err := New(f.cloud(), Options{CacheDir: cache}).Token(t.Context()); err != nil {
		t.Fatal(err)
	}
	other := f.cloud()
	other.Region = "RegionTwo"
	if _, err := New(other, Options{CacheDir: cache}).Token(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n := f.count("POST /identity/v3/auth/tokens"); n != 2 {
		t.Errorf("%d logins, want 2: another region is another cache entry", n)
	}
}

func TestBadPassword(t *testing.T) {
	f := newFakeCloud(t)
	cfg := f.cloud()
	cfg.Password = "wrong"
	c := New(cfg, Options{})
	_, err := c.ServiceClient(t.Context(), "compute")
	if err == nil {
		t.Fatal("want an error")
	}
	ex := c.Explain(err)
	var e *Error
	if !asError(ex, &e) || e.Kind != KindAuth {
		t.Fatalf("Explain: %v", ex)
	}
	for _, s := range []string{`cloud "fake"`, "rejected the credentials", "secure.yaml", "req-identity-v3-auth-tokens"} {
		if !strings.Contains(ex.Error(), s) {
			t.Errorf("%q lacks %q", ex, s)
		}
	}
}

func TestMissingPasswordSaysWhatToSet(t *testing.T) {
	cfg := &config.Cloud{Name: "x", AuthType: config.AuthPassword, AuthURL: "http://127.0.0.1:1/v3", Username: "u"}
	_, err := New(cfg, Options{}).Token(t.Context())
	if err == nil || !strings.Contains(err.Error(), "OS_PASSWORD") {
		t.Errorf("err %v", err)
	}
}

func TestDebugNeverShowsToken(t *testing.T) {
	f := newFakeCloud(t)
	var log bytes.Buffer
	c := New(f.cloud(), Options{Debug: &log, CacheDir: t.TempDir()})
	sc, err := c.ServiceClient(t.Context(), "compute")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sc.Get(t.Context(), sc.ServiceURL("flavors"), nil, nil); err != nil { //nolint:bodyclose // closed by gophercloud
		t.Fatal(err)
	}
	tok, _ := c.Token(t.Context())
	out := log.String()
	if strings.Contains(out, tok) || strings.Contains(out, "gAAAA") || strings.Contains(out, f.password) {
		t.Errorf("debug output shows a secret:\n%s", out)
	}
	for _, want := range []string{
		"http: POST " + f.srv.URL + "/identity/v3/auth/tokens -> 201 in ",
		"req-identity-v3-auth-tokens",
		"http: GET " + f.srv.URL + "/compute/v2.1/flavors -> 200 in ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("debug output lacks %q:\n%s", want, out)
		}
	}
}

func TestRedactURL(t *testing.T) {
	u, _ := parseURL("https://swift/v1/AUTH_x/c/o?temp_url_sig=abc123&temp_url_expires=99")
	got := redactURL(u)
	if strings.Contains(got, "abc123") || !strings.Contains(got, "temp_url_expires=99") {
		t.Errorf("redactURL = %s", got)
	}
}

func TestContextCancel(t *testing.T) {
	f := newFakeCloud(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := New(f.cloud(), Options{}).Token(ctx); err == nil {
		t.Error("want an error with a cancelled context")
	}
}

func TestDiscoveryRetriesAServiceThatWasDown(t *testing.T) {
	f := newFakeCloud(t)
	var down atomic.Bool
	down.Store(true)
	inner := f.srv.Config.Handler
	f.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/compute/v2.1/" && down.Load() {
			f.mu.Lock()
			f.calls["GET /compute/v2.1/ (down)"]++
			f.mu.Unlock()
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		inner.ServeHTTP(w, r)
	})
	cache := t.TempDir()
	c := New(f.cloud(), Options{CacheDir: cache})
	sc, err := c.ServiceClient(t.Context(), "compute")
	if err != nil {
		t.Fatal(err)
	}
	if sc.Microversion != "" {
		t.Errorf("microversion %q while compute is down, want none", sc.Microversion)
	}
	if _, err := c.ServiceClient(t.Context(), "volume"); err != nil {
		t.Fatal(err)
	}
	if n := f.count("GET /volume/v3/"); n != 1 {
		t.Errorf("volume discovered %d times, want 1: a partial discovery is kept for the Conn", n)
	}
	down.Store(false)
	// Within a minute a failing service is not asked again...
	sc, _ = c.ServiceClient(t.Context(), "compute")
	if sc.Microversion != "" {
		t.Errorf("rediscovered at once; want at most once a minute")
	}
	// ...after it, it is.
	later := time.Now().Add(2 * time.Minute)
	c.clock = func() time.Time { return later }
	sc, _ = c.ServiceClient(t.Context(), "compute")
	if sc.Microversion != ComputeMicroversion {
		t.Errorf("microversion %q once compute is back, want %s", sc.Microversion, ComputeMicroversion)
	}
	// Now complete, the discovery is cached: a warm Conn asks nothing.
	before := f.total()
	if _, err := New(f.cloud(), Options{CacheDir: cache}).ServiceClient(t.Context(), "compute"); err != nil {
		t.Fatal(err)
	}
	if f.total() != before {
		t.Errorf("warm Conn made %d requests", f.total()-before)
	}
}

// A connection that took its token from the cache logs in again once when
// asked to refresh its catalog (a service may have been added since the
// cached login); one that logged in itself has nothing older to refresh.
func TestRefreshCatalogOnlyAfterACachedLogin(t *testing.T) {
	f := newFakeCloud(t)
	cache := t.TempDir()
	ctx := t.Context()
	logins := func() int { return f.count("POST /identity/v3/auth/tokens") }

	cold := New(f.cloud(), Options{CacheDir: cache})
	if refreshed, err := cold.RefreshCatalog(ctx); err != nil || refreshed {
		t.Fatalf("fresh login: RefreshCatalog = %v, %v; want false, nil", refreshed, err)
	}
	if got := logins(); got != 1 {
		t.Fatalf("%d logins after a cold start, want 1", got)
	}

	warm := New(f.cloud(), Options{CacheDir: cache})
	refreshed, err := warm.RefreshCatalog(ctx)
	if err != nil || !refreshed {
		t.Fatalf("cached login: RefreshCatalog = %v, %v; want true, nil", refreshed, err)
	}
	if got := logins(); got != 2 {
		t.Fatalf("%d logins after the refresh, want 2", got)
	}
	if refreshed, _ := warm.RefreshCatalog(ctx); refreshed {
		t.Error("a second refresh logged in again")
	}
	if caps, err := warm.Capabilities(ctx); err != nil || !caps.Has("compute") {
		t.Fatalf("capabilities after the refresh: %v, %v", caps, err)
	}
	if got := logins(); got != 2 {
		t.Errorf("%d logins in all, want 2", got)
	}
}
