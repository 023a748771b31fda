package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zalando/go-keyring"
	"gopkg.in/yaml.v3"

	"github.com/kriscelmer/os-tui/internal/iostreams"
	"github.com/kriscelmer/os-tui/internal/secretstore"
)

// fakeKeyring is a keyring that works (the pattern of secretstore's tests).
type fakeKeyring struct {
	mu sync.Mutex
	m  map[string]string
}

func (k *fakeKeyring) Get(service, user string) (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	v, ok := k.m[service+"|"+user]
	if !ok {
		return "", keyring.ErrNotFound
	}
	return v, nil
}

func (k *fakeKeyring) Set(service, user, password string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.m == nil {
		k.m = map[string]string{}
	}
	k.m[service+"|"+user] = password
	return nil
}

func (k *fakeKeyring) Delete(service, user string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	delete(k.m, service+"|"+user)
	return nil
}

const horizonClouds = `# Horizon's clouds.yaml
clouds:
  openstack:
    auth:
      auth_url: https://keystone.example:5000
      username: "alice"
      password: CANARY-PW-clouds
      project_id: 0123abcd
      project_name: "demo"
      user_domain_name: "Default"
    region_name: "RegionOne"
    interface: "public"
    identity_api_version: 3
`

const horizonOpenrc = `#!/usr/bin/env bash
export OS_AUTH_URL=https://keystone.example:5000
export OS_PROJECT_ID=4567
export OS_PROJECT_NAME="demo"
export OS_USER_DOMAIN_NAME="Default"
export OS_PROJECT_DOMAIN_ID="default"
unset OS_TENANT_ID
export OS_USERNAME="alice"
echo "Please enter your OpenStack Password for project $OS_PROJECT_NAME as user $OS_USERNAME: "
read -sr OS_PASSWORD_INPUT
export OS_PASSWORD=$OS_PASSWORD_INPUT
export OS_REGION_NAME="RegionOne"
export OS_INTERFACE=public
export OS_IDENTITY_API_VERSION=3
`

const appcredOpenrc = `export OS_AUTH_TYPE=v3applicationcredential
export OS_AUTH_URL=https://keystone.example:5000
export OS_APPLICATION_CREDENTIAL_ID=ac-id
export OS_APPLICATION_CREDENTIAL_SECRET='CANARY-AC-secret'
export OS_APPLICATION_CREDENTIAL_NAME=ci
`

const existingClouds = `# my own clouds; keep this comment
clouds:
  demo:
    auth:
      auth_url: https://other.example:5000
      project_name: demo
`

func TestImport(t *testing.T) {
	tests := []struct {
		name      string
		existing  string // the user's clouds.yaml; "" for none
		files     map[string]string
		dryRun    bool
		wantNames []string          // clouds in the result, in order
		wantStore map[string]string // secret store keys → values
		wantOut   []string
		wantErr   string
	}{
		{
			name:      "clouds.yaml into a new file",
			files:     map[string]string{"clouds.yaml": horizonClouds},
			wantNames: []string{"demo"},
			wantStore: map[string]string{"cloud/demo/password": "CANARY-PW-clouds"},
			wantOut:   []string{"added cloud demo", "stored the password of demo"},
		},
		{
			name:      "merge next to an existing entry of the same project",
			existing:  existingClouds,
			files:     map[string]string{"clouds.yaml": horizonClouds, "demo-openrc.sh": horizonOpenrc},
			wantNames: []string{"demo", "demo-2", "demo-3"},
			wantStore: map[string]string{"cloud/demo-2/password": "CANARY-PW-clouds"},
			wantOut:   []string{"backed up", "no password in the file"},
		},
		{
			name:      "application credential openrc",
			files:     map[string]string{"ci-openrc.sh": appcredOpenrc},
			wantNames: []string{"ci"},
			wantStore: map[string]string{"cloud/ci/application_credential_secret": "CANARY-AC-secret"},
		},
		{
			name:      "dry run changes nothing",
			existing:  existingClouds,
			files:     map[string]string{"clouds.yaml": horizonClouds},
			dryRun:    true,
			wantNames: []string{"demo"},
			wantOut:   []string{"would add cloud demo-2", "would back up", "dry run"},
		},
		{
			name:    "not a Horizon file",
			files:   map[string]string{"notes.txt": "hello: world\n"},
			wantErr: "API Access",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			target := filepath.Join(dir, "conf", "openstack", "clouds.yaml")
			if tt.existing != "" {
				mustWrite(t, target, tt.existing)
			}
			var args []string
			for _, name := range sortedKeys(tt.files) {
				p := filepath.Join(dir, "dl", name)
				mustWrite(t, p, tt.files[name])
				args = append(args, p)
			}
			if tt.dryRun {
				args = append(args, "--dry-run")
			}
			env := map[string]string{"XDG_CONFIG_HOME": filepath.Join(dir, "conf"), "HOME": dir}
			getenv := func(k string) string { return env[k] }
			kr := &fakeKeyring{}
			ios, _, out, errOut := iostreams.Test()
			err := runImport(context.Background(), ios, args, getenv, importOptions{
				keyring: kr,
				now:     func() time.Time { return time.Date(2026, 12, 3, 7, 0, 0, 0, time.UTC) },
			})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("runImport: %v\n%s", err, errOut)
			}
			for _, w := range tt.wantOut {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			// No secret in the output or in any file under dir.
			for _, leak := range []string{"CANARY-PW-clouds", "CANARY-AC-secret"} {
				if strings.Contains(out.String()+errOut.String(), leak) {
					t.Errorf("output shows %s", leak)
				}
			}
			b, rerr := os.ReadFile(target)
			if tt.dryRun {
				if string(b) != tt.existing {
					t.Errorf("dry run changed %s", target)
				}
				if len(kr.m) != 0 {
					t.Errorf("dry run stored secrets: %v", kr.m)
				}
				return
			}
			if rerr != nil {
				t.Fatal(rerr)
			}
			if strings.Contains(string(b), "CANARY") {
				t.Errorf("clouds.yaml holds a secret:\n%s", b)
			}
			if fi, _ := os.Stat(target); fi.Mode().Perm() != 0o600 {
				t.Errorf("clouds.yaml mode %v, want 0600", fi.Mode().Perm())
			}
			if tt.existing != "" {
				if !strings.Contains(string(b), "keep this comment") {
					t.Errorf("comment lost:\n%s", b)
				}
				bak := target + ".bak-20261203T070000Z"
				old, err := os.ReadFile(bak)
				if err != nil || string(old) != tt.existing {
					t.Errorf("backup %s = %q, %v", bak, old, err)
				}
				if fi, _ := os.Stat(bak); fi.Mode().Perm() != 0o600 {
					t.Errorf("backup mode %v, want 0600", fi.Mode().Perm())
				}
			}
			var doc yaml.Node
			if err := yaml.Unmarshal(b, &doc); err != nil {
				t.Fatal(err)
			}
			if got := cloudNames(&doc); strings.Join(got, ",") != strings.Join(tt.wantNames, ",") {
				t.Errorf("clouds = %v, want %v", got, tt.wantNames)
			}
			store, err := secretstore.Open(secretstore.Options{Dir: filepath.Join(dir, "conf", "ostui"), Keyring: kr})
			if err != nil {
				t.Fatal(err)
			}
			for k, want := range tt.wantStore {
				if got, err := store.Get(context.Background(), k); err != nil || got != want {
					t.Errorf("store %s = %q, %v; want %q", k, got, err, want)
				}
			}
		})
	}
}

func TestParseOpenrcPrompted(t *testing.T) {
	c, err := parseOpenrc(strings.NewReader(horizonOpenrc))
	if err != nil {
		t.Fatal(err)
	}
	if !c.prompted || len(c.secrets) != 0 {
		t.Errorf("prompted %v, secrets %v; want a prompted openrc without secrets", c.prompted, c.secrets)
	}
	auth := c.entry["auth"].(map[string]any)
	if auth["project_name"] != "demo" || auth["project_domain_id"] != "default" || c.entry["region_name"] != "RegionOne" {
		t.Errorf("entry = %v", c.entry)
	}
}

func mustWrite(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
}
