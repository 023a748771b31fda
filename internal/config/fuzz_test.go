package config

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoad feeds arbitrary clouds.yaml content to Load: it must never
// panic, must return a usable cloud or an error, and must never print a
// secret. Seeds live in testdata/fuzz/FuzzLoad.
func FuzzLoad(f *testing.F) {
	f.Add([]byte("clouds:\n  a:\n    auth:\n      auth_url: http://k/v3\n      username: u\n      password: secret-pw\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		p := filepath.Join(dir, "clouds.yaml")
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		getenv := env{"OS_CLIENT_CONFIG_FILE": p, "HOME": dir}.get
		if _, err := Names(getenv); err != nil {
			return
		}
		c, _, err := Load(Flags{}, getenv)
		if err != nil {
			if c != nil {
				t.Fatalf("Load returned a cloud and an error: %v", err)
			}
			return
		}
		if c == nil || c.Name == "" || c.AuthURL == "" {
			t.Fatalf("Load returned an incomplete cloud: %v", c)
		}
		switch c.Interface {
		case "public", "internal", "admin":
		default:
			t.Fatalf("interface %q", c.Interface)
		}
		switch c.AuthType {
		case AuthPassword, AuthToken, AuthApplicationCredential:
		default:
			t.Fatalf("auth type %q", c.AuthType)
		}
		// Changing a secret must not change the printed form.
		shown := c.Redacted()
		other := *c
		for _, s := range []*string{&other.Password, &other.Token, &other.ApplicationCredentialSecret} {
			if *s != "" {
				*s = "changed"
			}
		}
		if other.Redacted() != shown {
			t.Fatalf("Redacted depends on a secret:\n%s", shown)
		}
	})
}
