package login

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/zalando/go-keyring"

	"github.com/kriscelmer/os-tui/internal/secretstore"
)

// fakeEndpoint is an OpenAI-compatible (and Azure) endpoint that knows
// one good key and answers GET /models.
type fakeEndpoint struct {
	*httptest.Server
	good string

	mu    sync.Mutex
	paths []string
}

func newFakeEndpoint(t *testing.T, good string, models ...string) *fakeEndpoint {
	t.Helper()
	f := &fakeEndpoint{good: good}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.paths = append(f.paths, r.Method+" "+r.URL.Path)
		f.mu.Unlock()
		got := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		if k := r.Header.Get("api-key"); k != "" {
			got = k
		}
		w.Header().Set("Content-Type", "application/json")
		if got != f.good {
			w.WriteHeader(http.StatusUnauthorized)
			// Servers quote the bad key back; ostui must not.
			_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"message": "Incorrect API key provided: " + got}})
			return
		}
		if !strings.HasSuffix(r.URL.Path, "/models") {
			http.NotFound(w, r)
			return
		}
		var data []map[string]any
		for _, m := range models {
			data = append(data, map[string]any{"id": m, "object": "model"})
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"object": "list", "data": data})
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeEndpoint) requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.paths...)
}

// testEnv is a router environment on a temp config dir, with go-keyring's
// mock as the keyring (keyring.MockInit), answers from in.
type testEnv struct {
	Env
	out, errOut *bytes.Buffer
	dir         string
	vars        map[string]string
}

func newTestEnv(t *testing.T, in string) *testEnv {
	t.Helper()
	keyring.MockInit()
	dir := t.TempDir()
	te := &testEnv{out: &bytes.Buffer{}, errOut: &bytes.Buffer{}, dir: dir, vars: map[string]string{}}
	te.Env = Env{
		IO:         &IO{In: strings.NewReader(in), Out: te.out, ErrOut: te.errOut},
		ConfigPath: filepath.Join(dir, "config.yaml"),
		Getenv:     func(k string) string { return te.vars[k] },
	}
	te.OpenStore = func() (SecretStore, error) {
		return secretstore.Open(secretstore.Options{Dir: dir, Getenv: te.Getenv})
	}
	return te
}
