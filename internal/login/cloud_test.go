package login

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/internal/cloud/keystonetest"
)

var updateCloudHelp = flag.Bool("update-cloud-help", false, "rewrite testdata/login_cloud_help.golden")

// cloudStore is an in-memory secret store.
type cloudStore map[string]string

func (s cloudStore) Get(_ context.Context, k string) (string, error) {
	if v, ok := s[k]; ok {
		return v, nil
	}
	return "", errors.New("not found")
}

func (s cloudStore) Set(_ context.Context, k, v string) (string, error) {
	s[k] = v
	return "the test store", nil
}

func (s cloudStore) Delete(_ context.Context, k string) error { delete(s, k); return nil }

func (s cloudStore) Where(context.Context) (string, error) { return "the test store", nil }

func TestLoginCloudHelpGolden(t *testing.T) {
	var out bytes.Buffer
	env := Env{IO: &IO{In: strings.NewReader(""), Out: &out, ErrOut: &out}}
	if err := Run(t.Context(), env, []string{"cloud", "--help"}); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "login_cloud_help.golden")
	if *updateCloudHelp {
		if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -run TestLoginCloudHelpGolden -update-cloud-help)", err)
	}
	if diff := cmp.Diff(string(want), out.String()); diff != "" {
		t.Errorf("ostui login cloud --help (-want +got):\n%s", diff)
	}
}

// The router hands the cloud flow its flags; answers come from a pipe.
func TestLoginCloudRun(t *testing.T) {
	ks := keystonetest.New(t, keystonetest.User{Name: "bob", Password: "pw-9", Passcode: "654321", MFA: true})
	dir := t.TempDir()
	clouds := filepath.Join(dir, "clouds.yaml")
	body := "clouds:\n  lab:\n    auth:\n      auth_url: " + ks.AuthURL() + "\n      username: bob\n      project_name: demo\n"
	if err := os.WriteFile(clouds, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	envv := map[string]string{"OS_CLIENT_CONFIG_FILE": clouds, "HOME": dir, "OSTUI_CACHE_DIR": filepath.Join(dir, "cache")}
	tests := []struct {
		name    string
		args    []string
		in      string
		wantErr string
		usage   bool
		creds   int
		stored  string
	}{
		{name: "contradiction", args: []string{"--reader", "--no-app-credential"}, wantErr: "drop --no-app-credential", usage: true},
		{name: "bad rule", args: []string{"--access-rule", "compute"}, wantErr: "SERVICE:METHOD:PATH", usage: true},
		{name: "bad expiry", args: []string{"--expires", "later"}, wantErr: "--expires", usage: true},
		{name: "unknown cloud", args: []string{"--cloud", "nope"}, wantErr: `cloud "nope" not found`},
		{name: "password only", args: []string{"--no-app-credential"}, in: "pw-9\n654321\n", stored: "cloud/lab/password"},
		{name: "reader", args: []string{"--reader", "--expires", "never", "--name", "t-reader"}, in: "pw-9\n654321\n", creds: 1, stored: "cloud/lab/application_credential_secret"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := cloudStore{}
			var out bytes.Buffer
			env := Env{
				IO:        &IO{In: strings.NewReader(tt.in), Out: &out, ErrOut: &out},
				Getenv:    func(k string) string { return envv[k] },
				OpenStore: func() (SecretStore, error) { return store, nil },
			}
			before := len(ks.AppCreds())
			err := Run(t.Context(), env, append([]string{"cloud", "--cloud", "lab"}, tt.args...))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err %v, want %q", err, tt.wantErr)
				}
				var ue *UsageError
				if errors.As(err, &ue) != tt.usage {
					t.Errorf("usage error: %v, want %v", errors.As(err, &ue), tt.usage)
				}
				return
			}
			if err != nil {
				t.Fatalf("%v\n%s", err, out.String())
			}
			if got := len(ks.AppCreds()) - before; got != tt.creds {
				t.Errorf("%d credentials made, want %d", got, tt.creds)
			}
			if _, ok := store[tt.stored]; !ok {
				t.Errorf("store %v lacks %s", store, tt.stored)
			}
			if strings.Contains(out.String(), "pw-9") {
				t.Errorf("the password was echoed:\n%s", out.String())
			}
		})
	}
	for _, ac := range ks.AppCreds() {
		if ac.Name == "t-reader" && ac.ExpiresAt != "" {
			t.Errorf("--expires never gave expiry %s", ac.ExpiresAt)
		}
	}
}
