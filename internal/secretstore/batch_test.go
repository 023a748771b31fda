package secretstore

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSetMany(t *testing.T) {
	pairs := []Pair{
		{"provider/github/refresh_token", "ghr_x"},
		{"provider/github/access_token", "ghu_x"},
		{"provider/github/expiry", "2026-12-03T18:00:00Z"},
	}
	tests := []struct {
		name      string
		mode      Mode
		keyring   KeyringAPI
		wantWhere string
		wantWarn  bool
	}{
		{"the keyring, one by one", Auto, &mapKeyring{}, "OS keyring", false},
		{"the encrypted file, in one write", Auto, absentKeyring{}, "secrets.age", false},
		{"plain text, with a warning", Plain, absentKeyring{}, "secrets.yaml", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, warnings := open(t, tt.mode, tt.keyring, pass)
			where, err := s.SetMany(t.Context(), pairs)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(where, tt.wantWhere) {
				t.Errorf("stored in %q, want %q", where, tt.wantWhere)
			}
			// A new store (a new session) reads each of them.
			again, _ := Open(Options{Mode: tt.mode, Dir: s.opts.Dir, Getenv: env(pass), Keyring: tt.keyring})
			for _, p := range pairs {
				if v, err := again.Get(t.Context(), p.Key); err != nil || v != p.Value {
					t.Errorf("Get(%s) = %q, %v", p.Key, v, err)
				}
			}
			if (len(*warnings) > 0) != tt.wantWarn {
				t.Errorf("warnings %q", *warnings)
			}
			if tt.wantWhere == "secrets.age" {
				fi, err := os.Stat(filepath.Join(s.opts.Dir, "secrets.age"))
				if err != nil || fi.Mode().Perm() != 0o600 {
					t.Errorf("secrets.age: %v, %v", fi, err)
				}
			}
		})
	}
	s, _ := open(t, Auto, absentKeyring{}, pass)
	if _, err := s.SetMany(t.Context(), []Pair{{"a/b/c", "x"}, {"a/b/d", ""}}); err == nil {
		t.Error("an empty value was stored")
	}
	if _, err := s.Get(t.Context(), "a/b/c"); err == nil {
		t.Error("a refused set stored part of it")
	}
}
