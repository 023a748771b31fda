package secretstore

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zalando/go-keyring"
)

// mapKeyring is a keyring that works.
type mapKeyring struct {
	mu sync.Mutex
	m  map[string]string
}

func (k *mapKeyring) Get(service, user string) (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	v, ok := k.m[service+"|"+user]
	if !ok {
		return "", keyring.ErrNotFound
	}
	return v, nil
}

func (k *mapKeyring) Set(service, user, password string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.m == nil {
		k.m = map[string]string{}
	}
	k.m[service+"|"+user] = password
	return nil
}

func (k *mapKeyring) Delete(service, user string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if _, ok := k.m[service+"|"+user]; !ok {
		return keyring.ErrNotFound
	}
	delete(k.m, service+"|"+user)
	return nil
}

// absentKeyring is a session with no Secret Service: every call fails.
type absentKeyring struct{}

func (absentKeyring) Get(string, string) (string, error) {
	return "", errors.New("The name org.freedesktop.secrets was not provided by any .service files")
}
func (absentKeyring) Set(string, string, string) error { return errors.New("no secret service") }
func (absentKeyring) Delete(string, string) error      { return errors.New("no secret service") }

// hangingKeyring never answers, as D-Bus activation can on a headless box.
type hangingKeyring struct{ release chan struct{} }

func (h hangingKeyring) Get(string, string) (string, error) { <-h.release; return "", nil }
func (h hangingKeyring) Set(string, string, string) error   { <-h.release; return nil }
func (h hangingKeyring) Delete(string, string) error        { <-h.release; return nil }

func env(vars map[string]string) func(string) string { return func(k string) string { return vars[k] } }

func open(t *testing.T, mode Mode, kr KeyringAPI, vars map[string]string) (*Store, *[]string) {
	t.Helper()
	var warnings []string
	s, err := Open(Options{Mode: mode, Dir: t.TempDir(), Getenv: env(vars), Keyring: kr,
		Warn: func(w string) { warnings = append(warnings, w) }})
	if err != nil {
		t.Fatal(err)
	}
	return s, &warnings
}

var pass = map[string]string{PassphraseEnv: "correct horse battery staple"}

func TestStoreChoosesTheBackend(t *testing.T) {
	tests := []struct {
		name      string
		mode      Mode
		keyring   KeyringAPI
		vars      map[string]string
		wantWhere string // substring of the backend's name; "" means Set fails
		wantErr   string
	}{
		{"auto with a keyring uses it", Auto, &mapKeyring{}, nil, "OS keyring", ""},
		{"auto without a keyring uses the encrypted file", Auto, absentKeyring{}, pass, "secrets.age", ""},
		{"auto without keyring or passphrase says what to do", Auto, absentKeyring{}, nil, "", PassphraseEnv},
		{"keyring mode without a keyring refuses", Keyring, absentKeyring{}, pass, "", "does not answer"},
		{"file mode skips a working keyring", Encrypted, &mapKeyring{}, pass, "secrets.age", ""},
		{"plain mode writes plain text", Plain, absentKeyring{}, nil, "secrets.yaml", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := open(t, tt.mode, tt.keyring, tt.vars)
			where, err := s.Set(t.Context(), "provider/openai/api_key", "sk-test-123")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Set err = %v, want it to mention %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(where, tt.wantWhere) {
				t.Errorf("stored in %q, want %q", where, tt.wantWhere)
			}
			got, err := s.Get(t.Context(), "provider/openai/api_key")
			if err != nil || got != "sk-test-123" {
				t.Errorf("Get = %q, %v", got, err)
			}
		})
	}
}

func TestEncryptedFileIsEncryptedAndPrivate(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(Options{Mode: Encrypted, Dir: dir, Getenv: env(pass)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Set(t.Context(), "cloud/devcloud/password", "hunter2-secret"); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "secrets.age")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "hunter2-secret") || !strings.Contains(string(b), "BEGIN AGE ENCRYPTED FILE") {
		t.Fatalf("the file is not an armored age file without the secret:\n%s", b)
	}
	fi, _ := os.Stat(path)
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}

	// A new session with the passphrase reads it back; a wrong one is told.
	s2, _ := Open(Options{Mode: Encrypted, Dir: dir, Getenv: env(pass)})
	if v, err := s2.Get(t.Context(), "cloud/devcloud/password"); err != nil || v != "hunter2-secret" {
		t.Fatalf("Get = %q, %v", v, err)
	}
	s3, _ := Open(Options{Mode: Encrypted, Dir: dir, Getenv: env(map[string]string{PassphraseEnv: "wrong"})})
	if _, err := s3.Get(t.Context(), "cloud/devcloud/password"); err == nil || !strings.Contains(err.Error(), "passphrase does not open") {
		t.Errorf("wrong passphrase: %v", err)
	}

	// The terminal prompt is used when the environment has none.
	asked := 0
	s4, _ := Open(Options{Mode: Encrypted, Dir: dir, Passphrase: func(bool) (string, error) { asked++; return pass[PassphraseEnv], nil }})
	for range 2 {
		if v, err := s4.Get(t.Context(), "cloud/devcloud/password"); err != nil || v != "hunter2-secret" {
			t.Fatalf("Get = %q, %v", v, err)
		}
	}
	if asked != 1 {
		t.Errorf("the passphrase was asked %d times, want once per session", asked)
	}
}

func TestFilesOthersCanReadAreRefused(t *testing.T) {
	for _, mode := range []Mode{Encrypted, Plain} {
		t.Run(string(mode), func(t *testing.T) {
			dir := t.TempDir()
			s, _ := Open(Options{Mode: mode, Dir: dir, Getenv: env(pass)})
			where, err := s.Set(t.Context(), "provider/github/access_token", "gho_abc")
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, map[Mode]string{Encrypted: "secrets.age", Plain: "secrets.yaml"}[mode])
			if !strings.Contains(where, path) {
				t.Fatalf("stored in %s, want %s", where, path)
			}
			if err := os.Chmod(path, 0o644); err != nil {
				t.Fatal(err)
			}
			s2, _ := Open(Options{Mode: mode, Dir: dir, Getenv: env(pass)})
			_, err = s2.Get(t.Context(), "provider/github/access_token")
			if err == nil || !strings.Contains(err.Error(), "chmod 600") {
				t.Errorf("Get from a 0644 file: %v", err)
			}
		})
	}
}

func TestAHangingKeyringTimesOut(t *testing.T) {
	old := keyringTimeout
	keyringTimeout = 50 * time.Millisecond
	t.Cleanup(func() { keyringTimeout = old })
	hang := hangingKeyring{release: make(chan struct{})}
	t.Cleanup(func() { close(hang.release) })

	s, _ := open(t, Auto, hang, pass)
	start := time.Now()
	where, err := s.Set(t.Context(), "provider/openai/api_key", "sk-x")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(where, "secrets.age") {
		t.Errorf("a hanging keyring was used: %s", where)
	}
	if v, err := s.Get(t.Context(), "provider/openai/api_key"); err != nil || v != "sk-x" {
		t.Errorf("Get = %q, %v", v, err)
	}
	// The keyring is probed once per store, not once per call.
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %v", d)
	}
}

func TestPlainTextWarnsAndDeleteRemovesEverywhere(t *testing.T) {
	kr := &mapKeyring{}
	dir := t.TempDir()
	var warnings []string
	plain, _ := Open(Options{Mode: Plain, Dir: dir, Warn: func(w string) { warnings = append(warnings, w) }})
	if _, err := plain.Set(t.Context(), "provider/azure/api_key", "az-1"); err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "plain text") {
		t.Fatalf("warnings = %q", warnings)
	}
	// Back in auto mode the keyring takes new secrets, and the old plain
	// one is still found (with a warning) until it is deleted.
	auto, _ := Open(Options{Mode: Auto, Dir: dir, Keyring: kr, Warn: func(w string) { warnings = append(warnings, w) }})
	if v, err := auto.Get(t.Context(), "provider/azure/api_key"); err != nil || v != "az-1" {
		t.Fatalf("Get = %q, %v", v, err)
	}
	if _, err := auto.Set(t.Context(), "provider/azure/api_key", "az-2"); err != nil {
		t.Fatal(err)
	}
	if err := auto.Delete(t.Context(), "provider/azure/api_key"); err != nil {
		t.Fatal(err)
	}
	if _, err := auto.Get(t.Context(), "provider/azure/api_key"); !errors.Is(err, ErrNotFound) {
		t.Errorf("after Delete: %v", err)
	}
	if err := auto.Delete(t.Context(), "provider/azure/api_key"); err != nil {
		t.Errorf("deleting what is gone: %v", err)
	}
}

func TestBadInput(t *testing.T) {
	s, _ := open(t, Auto, &mapKeyring{}, nil)
	for _, key := range []string{"", "/a", "a/", "a//b"} {
		if _, err := s.Set(context.Background(), key, "v"); err == nil {
			t.Errorf("Set(%q) was accepted", key)
		}
	}
	if _, err := s.Set(t.Context(), "a/b", ""); err == nil {
		t.Error("an empty secret was stored")
	}
	if _, err := ParseMode("vault"); err == nil {
		t.Error("ParseMode accepted vault")
	}
	if m, err := ParseMode(" File "); err != nil || m != Encrypted {
		t.Errorf("ParseMode(File) = %v, %v", m, err)
	}
}
