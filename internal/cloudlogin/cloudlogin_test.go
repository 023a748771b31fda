package cloudlogin

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/applicationcredentials"

	"github.com/kriscelmer/os-tui/internal/cloud"
	"github.com/kriscelmer/os-tui/internal/cloud/keystonetest"
	"github.com/kriscelmer/os-tui/internal/config"
)

// script is a Prompter that answers from a list and records the prompts.
type script struct {
	answers []string
	prompts []string
	hidden  []bool
}

func (s *script) next(prompt string, hidden bool) (string, error) {
	s.prompts = append(s.prompts, prompt)
	s.hidden = append(s.hidden, hidden)
	if len(s.answers) == 0 {
		return "", errors.New("no input (standard input ended)")
	}
	a := s.answers[0]
	s.answers = s.answers[1:]
	return a, nil
}

func (s *script) Secret(p string) (string, error) { return s.next(p, true) }
func (s *script) Line(p string) (string, error)   { return s.next(p, false) }

type memStore map[string]string

func (m memStore) Set(_ context.Context, k, v string) (string, error) {
	m[k] = v
	return "the test store", nil
}

func (m memStore) Get(_ context.Context, k string) (string, error) {
	if v, ok := m[k]; ok {
		return v, nil
	}
	return "", errors.New("not found")
}

func (m memStore) Delete(_ context.Context, k string) error { delete(m, k); return nil }

const cloudsYAML = `# my clouds
clouds:
  other:
    auth: {auth_url: http://elsewhere/v3, username: x}
  mfa:
    auth:
      auth_url: AUTH
      username: bob
      project_name: demo
      user_domain_name: Default
      project_domain_name: Default
    region_name: RegionOne
`

func setup(t *testing.T, users ...keystonetest.User) (*keystonetest.Server, string, func(string) string) {
	t.Helper()
	ks := keystonetest.New(t, users...)
	dir := t.TempDir()
	path := filepath.Join(dir, "clouds.yaml")
	if err := os.WriteFile(path, []byte(strings.Replace(cloudsYAML, "AUTH", ks.AuthURL(), 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"OS_CLIENT_CONFIG_FILE": path, "HOME": dir}
	return ks, path, func(k string) string { return env[k] }
}

func load(t *testing.T, getenv func(string) string) *config.Cloud {
	t.Helper()
	c, _, err := config.Load(config.Flags{Cloud: "mfa"}, getenv)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var bob = keystonetest.User{Name: "bob", Password: "pw-Secret-1", Passcode: "123456", MFA: true}

// The whole flow: password (hidden), passcode on the auth receipt, a
// read-only application credential, its secret in the store, clouds.yaml
// pointing at it, and the next session logging in with it.
func TestLoginReaderAppCredential(t *testing.T) {
	ks, path, getenv := setup(t, bob)
	rule, err := ParseAccessRule("compute:GET:/v2.1/servers/**")
	if err != nil {
		t.Fatal(err)
	}
	p := &script{answers: []string{"pw-Secret-1", "123456"}}
	// A password an earlier login stored goes once the credential replaces it.
	store := memStore{"cloud/mfa/password": "pw-Secret-1"}
	var out bytes.Buffer
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	res, err := Login(t.Context(), Options{
		Cloud: load(t, getenv), Prompt: p, Out: &out, Store: store, SaveSecret: true,
		Reader: true, AccessRules: []applicationcredentials.AccessRule{rule}, Name: "run1-reader",
		Now: func() time.Time { return now },
	})
	if err != nil {
		t.Fatalf("Login: %v\n%s", err, out.String())
	}
	if len(p.prompts) != 2 || !p.hidden[0] || !p.hidden[1] || !strings.Contains(p.prompts[0], "Password for bob") || !strings.Contains(p.prompts[1], "TOTP passcode") {
		t.Errorf("prompts %q hidden %v", p.prompts, p.hidden)
	}
	acs := ks.AppCreds()
	if len(acs) != 1 {
		t.Fatalf("%d application credentials, want 1", len(acs))
	}
	ac := acs[0]
	if ac.Name != "run1-reader" || strings.Join(ac.Roles, ",") != "reader" || ac.Unrestricted ||
		len(ac.AccessRules) != 1 || ac.AccessRules[0]["service"] != "compute" || !strings.HasPrefix(ac.ExpiresAt, "2027-03-03T10:00:00") {
		t.Errorf("credential %+v", ac)
	}
	if res.AppCredentialID != ac.ID || store["cloud/mfa/application_credential_secret"] != ac.Secret {
		t.Errorf("result %+v, store %v", res, store)
	}
	if _, ok := store["cloud/mfa/password"]; ok {
		t.Error("the password was stored although an application credential replaced it")
	}

	// clouds.yaml: the ID, no secret, the other cloud and the comment kept,
	// 0600, with a 0600 backup of the old file.
	b, _ := os.ReadFile(path)
	for _, want := range []string{"# my clouds", "other:", "auth_type: v3applicationcredential", "application_credential_id: " + ac.ID, "username: bob"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("clouds.yaml lacks %q:\n%s", want, b)
		}
	}
	for _, f := range []string{path, res.Backup} {
		fi, err := os.Stat(f)
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v, mode %v; want 0600", f, err, fi)
		}
	}
	for _, secret := range []string{ac.Secret, "pw-Secret-1"} {
		if strings.Contains(string(b), secret) || strings.Contains(out.String(), secret) {
			t.Errorf("secret %q written to clouds.yaml or the output", secret)
		}
	}

	// The next session: clouds.yaml + the store, no prompt.
	next := load(t, getenv)
	if err := next.FillStoredSecrets(func(k string) (string, error) {
		if v, ok := store[k]; ok {
			return v, nil
		}
		return "", config.ErrNoStoredSecret
	}); err != nil {
		t.Fatal(err)
	}
	if next.AuthType != config.AuthApplicationCredential {
		t.Fatalf("next session auth type %s", next.AuthType)
	}
	info, err := cloud.New(next, cloud.Options{}).TokenInfo(t.Context())
	if err != nil || strings.Join(info.Roles, ",") != "reader" {
		t.Errorf("next session: %+v, %v", info, err)
	}

	// Logging in again from the application-credential entry asks for the
	// password again (the stored secret is not a password).
	p2 := &script{answers: []string{"pw-Secret-1", "123456", "n"}}
	if _, err := Login(t.Context(), Options{Cloud: next, Prompt: p2, Out: &out, Store: store, SaveSecret: true}); err != nil {
		t.Fatalf("second login: %v", err)
	}
	if len(p2.prompts) != 3 || !strings.Contains(p2.prompts[2], "application credential") {
		t.Errorf("second login prompts %q", p2.prompts)
	}
}

func TestLoginRefusals(t *testing.T) {
	tests := []struct {
		name    string
		opts    func(*Options)
		answers []string
		want    string
		creds   int
	}{
		{"wrong password", func(o *Options) { o.AppCredential = No }, []string{"nope"}, "rejected the credentials", 0},
		{"no password", nil, []string{""}, "no password given", 0},
		{"input ends before the passcode", nil, []string{"pw-Secret-1"}, "passcode", 0},
		{"reader with --no-save-secret", func(o *Options) { o.Reader, o.SaveSecret = true, false }, nil, "--no-save-secret", 0},
		{"bad answer", nil, []string{"pw-Secret-1", "123456", "maybe"}, "answer y or n", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ks, _, getenv := setup(t, bob)
			o := Options{Cloud: load(t, getenv), Prompt: &script{answers: tt.answers}, Store: memStore{}, SaveSecret: true}
			if tt.opts != nil {
				tt.opts(&o)
			}
			_, err := Login(t.Context(), o)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Login: %v, want an error containing %q", err, tt.want)
			}
			if got := len(ks.AppCreds()); got != tt.creds {
				t.Errorf("%d credentials left behind", got)
			}
		})
	}
}

// Declining the credential stores the password instead (when asked to).
func TestLoginKeepsPassword(t *testing.T) {
	_, path, getenv := setup(t, keystonetest.User{Name: "bob", Password: "pw-Secret-1"})
	store := memStore{}
	before, _ := os.ReadFile(path)
	p := &script{answers: []string{"pw-Secret-1", "no"}}
	res, err := Login(t.Context(), Options{Cloud: load(t, getenv), Prompt: p, Store: store, SaveSecret: true})
	if err != nil {
		t.Fatal(err)
	}
	if store["cloud/mfa/password"] != "pw-Secret-1" || res.AppCredentialID != "" {
		t.Errorf("store %v result %+v", store, res)
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Error("clouds.yaml changed although no credential was made")
	}
}

func TestParseExpiry(t *testing.T) {
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		in, want, err string
	}{
		{"90d", "2027-03-03T10:00:00Z", ""},
		{"36h", "2026-12-04T22:00:00Z", ""},
		{"2027-01-31", "2027-01-31T23:59:59Z", ""},
		{"never", "0001-01-01T00:00:00Z", ""},
		{"2020-01-01", "", "in the past"},
		{"soon", "", "want a duration"},
		{"0d", "", "want a duration"},
	}
	for _, tt := range tests {
		got, err := ParseExpiry(tt.in, now)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s: %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || got.UTC().Format(time.RFC3339) != tt.want {
			t.Errorf("%s: %v %v, want %s", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"compute", "compute:FETCH:/x", "compute:GET:x"} {
		if _, err := ParseAccessRule(bad); err == nil {
			t.Errorf("ParseAccessRule(%q) accepted", bad)
		}
	}
}

// A login checks the password it is given even when an earlier login's
// token is still in the cache.
func TestLoginIgnoresCachedToken(t *testing.T) {
	ks, _, getenv := setup(t, keystonetest.User{Name: "bob", Password: "pw-Secret-1"})
	cache := t.TempDir()
	login := func(pw string) error {
		_, err := Login(t.Context(), Options{Cloud: load(t, getenv), Prompt: &script{answers: []string{pw}},
			AppCredential: No, Conn: cloud.Options{CacheDir: cache}})
		return err
	}
	if err := login("pw-Secret-1"); err != nil {
		t.Fatal(err)
	}
	if err := login("wrong-password"); err == nil {
		t.Fatal("a wrong password was accepted on the strength of a cached token")
	}
	if got := ks.Count("POST /v3/auth/tokens"); got != 2 {
		t.Errorf("%d logins, want 2", got)
	}
}
