package config

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func init() {
	// Keep the machine's /etc/openstack out of every test.
	systemDir = filepath.Join(os.TempDir(), "ostui-config-test-no-such-dir")
}

// env is an injected environment.
type env map[string]string

func (e env) get(k string) string { return e[k] }

// home writes files into $HOME/.config/openstack with the given modes and
// returns an environment pointing HOME at it.
func home(t *testing.T, files map[string]string, modes map[string]os.FileMode) env {
	t.Helper()
	h := t.TempDir()
	dir := filepath.Join(h, ".config", "openstack")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	for name, body := range files {
		mode := os.FileMode(0o600)
		if m, ok := modes[name]; ok {
			mode = m
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
	}
	return env{"HOME": h}
}

func sample(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "clouds", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func boolp(b bool) *bool { return &b }

// picked is the part of a Cloud the precedence tests compare.
type picked struct {
	Name, AuthType, AuthURL, Username, Password, ProjectName, ProjectID string
	UserDomainName, UserDomainID, ProjectDomainName, ProjectDomainID    string
	DomainName, DomainID, Region, Interface, CACert                     string
	Insecure                                                            bool
}

func pick(c *Cloud) picked {
	return picked{
		Name: c.Name, AuthType: c.AuthType, AuthURL: c.AuthURL, Username: c.Username, Password: c.Password,
		ProjectName: c.ProjectName, ProjectID: c.ProjectID,
		UserDomainName: c.UserDomainName, UserDomainID: c.UserDomainID,
		ProjectDomainName: c.ProjectDomainName, ProjectDomainID: c.ProjectDomainID,
		DomainName: c.DomainName, DomainID: c.DomainID,
		Region: c.Region, Interface: c.Interface, CACert: c.CACert, Insecure: c.Insecure,
	}
}

func TestLoadPrecedence(t *testing.T) {
	files := map[string]string{"clouds.yaml": sample(t, "clouds.yaml"), "secure.yaml": sample(t, "secure.yaml")}
	devcloud := picked{
		Name: "devcloud", AuthType: "password", AuthURL: "http://127.0.0.1:5000/v3",
		Username: "demo", Password: "demo-password", ProjectName: "demo",
		UserDomainName: "Default", ProjectDomainName: "Default", Region: "RegionOne", Interface: "public",
	}
	tests := []struct {
		name  string
		flags Flags
		env   env
		want  func(p picked) picked
	}{
		{"clouds.yaml and secure.yaml merged", Flags{Cloud: "devcloud"}, nil, func(p picked) picked { return p }},
		{"OS_CLOUD chooses", Flags{}, env{"OS_CLOUD": "devcloud"}, func(p picked) picked { return p }},
		{"flag beats OS_CLOUD", Flags{Cloud: "devcloud"}, env{"OS_CLOUD": "devcloud-admin"}, func(p picked) picked { return p }},
		{"env beats file", Flags{Cloud: "devcloud"}, env{"OS_REGION_NAME": "RegionTwo", "OS_PASSWORD": "from-env"},
			func(p picked) picked { p.Region, p.Password = "RegionTwo", "from-env"; return p }},
		{"flag beats env", Flags{Cloud: "devcloud", Region: "RegionThree"}, env{"OS_REGION_NAME": "RegionTwo"},
			func(p picked) picked { p.Region = "RegionThree"; return p }},
		{"project ID flag replaces project name", Flags{Cloud: "devcloud", ProjectID: "p-123"}, nil,
			func(p picked) picked {
				p.ProjectName, p.ProjectID, p.ProjectDomainName = "", "p-123", "Default"
				return p
			}},
		{"legacy tenant variable", Flags{Cloud: "devcloud"}, env{"OS_TENANT_NAME": "legacy"},
			func(p picked) picked { p.ProjectName = "legacy"; return p }},
		{"interface alias", Flags{Cloud: "devcloud"}, env{"OS_ENDPOINT_TYPE": "internalURL"},
			func(p picked) picked { p.Interface = "internal"; return p }},
		{"insecure flag false beats OS_INSECURE", Flags{Cloud: "devcloud", Insecure: boolp(false)}, env{"OS_INSECURE": "true"},
			func(p picked) picked { return p }},
		{"OS_INSECURE", Flags{Cloud: "devcloud"}, env{"OS_INSECURE": "true"},
			func(p picked) picked { p.Insecure = true; return p }},
		{"cacert flag", Flags{Cloud: "devcloud", CACert: "/ca.pem"}, env{"OS_CACERT": "/env.pem"},
			func(p picked) picked { p.CACert = "/ca.pem"; return p }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := home(t, files, nil)
			for k, v := range tt.env {
				e[k] = v
			}
			c, _, err := Load(tt.flags, e.get)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want(devcloud), pick(c)); diff != "" {
				t.Errorf("cloud (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLoadOtherClouds(t *testing.T) {
	files := map[string]string{"clouds.yaml": sample(t, "clouds.yaml"), "secure.yaml": sample(t, "secure.yaml")}
	tests := []struct {
		cloud string
		want  picked
	}{
		{"appcred", picked{Name: "appcred", AuthType: "v3applicationcredential", AuthURL: "https://keystone.example.com:5000/v3",
			Region: "RegionTwo", Interface: "public"}},
		{"crossdomain", picked{Name: "crossdomain", AuthType: "password", AuthURL: "https://keystone.example.com/identity/v3",
			Username: "svc-backup", ProjectName: "backups", UserDomainName: "services", ProjectDomainID: "0f7e3c9a1b2d4e5f",
			Interface: "public", CACert: "/etc/ssl/certs/example-ca.pem"}},
		{"lab", picked{Name: "lab", AuthType: "password", AuthURL: "https://lab.example.com:5000/v3", Username: "bob",
			Password: "lab-only-password", ProjectID: "4a1f", UserDomainName: "Default", Interface: "public", Insecure: true}},
	}
	for _, tt := range tests {
		t.Run(tt.cloud, func(t *testing.T) {
			c, _, err := Load(Flags{Cloud: tt.cloud}, home(t, files, nil).get)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, pick(c)); diff != "" {
				t.Errorf("cloud (-want +got):\n%s", diff)
			}
			if tt.cloud == "appcred" && c.ApplicationCredentialSecret != "appcred-secret" {
				t.Errorf("secret from secure.yaml not merged")
			}
		})
	}
}

func TestLoadDomains(t *testing.T) {
	base := env{"OS_AUTH_URL": "http://k/v3", "OS_USERNAME": "u", "OS_PASSWORD": "p", "OS_PROJECT_NAME": "proj"}
	type doms struct{ UserName, UserID, ProjName, ProjID, DomName, DomID string }
	tests := []struct {
		name string
		env  env
		want doms
	}{
		{"nothing set: Default for both", nil, doms{UserName: "Default", ProjName: "Default"}},
		{"kept separate", env{"OS_USER_DOMAIN_NAME": "users", "OS_PROJECT_DOMAIN_NAME": "projects"},
			doms{UserName: "users", ProjName: "projects"}},
		{"IDs", env{"OS_USER_DOMAIN_ID": "u1", "OS_PROJECT_DOMAIN_ID": "p1"}, doms{UserID: "u1", ProjID: "p1"}},
		{"only user domain set: project gets Default", env{"OS_USER_DOMAIN_NAME": "users"},
			doms{UserName: "users", ProjName: "Default"}},
		{"default domain fills both", env{"OS_DEFAULT_DOMAIN": "dd"}, doms{UserID: "dd", ProjID: "dd"}},
		{"default domain fills only the unset one", env{"OS_DEFAULT_DOMAIN": "dd", "OS_USER_DOMAIN_NAME": "users"},
			doms{UserName: "users", ProjID: "dd"}},
		{"OS_DOMAIN_NAME with a project fills both", env{"OS_DOMAIN_NAME": "d"}, doms{UserName: "d", ProjName: "d"}},
		{"OS_DOMAIN_NAME without a project scopes to the domain", env{"OS_DOMAIN_NAME": "d", "OS_PROJECT_NAME": "", "OS_USER_DOMAIN_NAME": "users"},
			doms{UserName: "users", DomName: "d"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := env{}
			for k, v := range base {
				e[k] = v
			}
			for k, v := range tt.env {
				e[k] = v
			}
			c, _, err := Load(Flags{}, e.get)
			if err != nil {
				t.Fatal(err)
			}
			got := doms{c.UserDomainName, c.UserDomainID, c.ProjectDomainName, c.ProjectDomainID, c.DomainName, c.DomainID}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("domains (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLoadSources(t *testing.T) {
	e := home(t, map[string]string{"clouds.yaml": sample(t, "clouds.yaml"), "secure.yaml": sample(t, "secure.yaml")}, nil)
	e["OS_REGION_NAME"] = "R2"
	c, _, err := Load(Flags{Cloud: "devcloud", Interface: "admin"}, e.get)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(e["HOME"], ".config", "openstack")
	want := map[string]string{
		"auth_type":           "default",
		"auth_url":            "clouds.yaml " + filepath.Join(dir, "clouds.yaml"),
		"interface":           "flag --os-interface",
		"password":            "secure.yaml " + filepath.Join(dir, "secure.yaml"),
		"project_domain_name": "clouds.yaml " + filepath.Join(dir, "clouds.yaml"),
		"project_name":        "clouds.yaml " + filepath.Join(dir, "clouds.yaml"),
		"region_name":         "env OS_REGION_NAME",
		"user_domain_name":    "clouds.yaml " + filepath.Join(dir, "clouds.yaml"),
		"username":            "clouds.yaml " + filepath.Join(dir, "clouds.yaml"),
	}
	if diff := cmp.Diff(want, c.Sources); diff != "" {
		t.Errorf("sources (-want +got):\n%s", diff)
	}
	if c.ConfigFile != filepath.Join(dir, "clouds.yaml") || c.SecureFile != filepath.Join(dir, "secure.yaml") {
		t.Errorf("files: %q %q", c.ConfigFile, c.SecureFile)
	}
}

func TestLoadErrors(t *testing.T) {
	clouds := sample(t, "clouds.yaml")
	one := "clouds:\n  only:\n    auth:\n      auth_url: http://k/v3\n      username: u\n      password: p\n"
	tests := []struct {
		name     string
		files    map[string]string
		env      env
		flags    Flags
		wantType any
		contains []string
	}{
		{"no config at all", nil, nil, Flags{}, &NoConfigError{},
			[]string{"clouds.yaml", "auth_url:", "OS_AUTH_URL", "--os-cloud", "secure.yaml", "openrc"}},
		{"unknown cloud", map[string]string{"clouds.yaml": clouds}, nil, Flags{Cloud: "nope"}, &UnknownCloudError{},
			[]string{`"nope"`, "appcred, crossdomain, devcloud, devcloud-admin, lab"}},
		{"unknown cloud without clouds.yaml", nil, env{"OS_CLOUD": "nope"}, Flags{}, &UnknownCloudError{},
			[]string{`"nope"`, "no clouds.yaml"}},
		{"several clouds, none chosen", map[string]string{"clouds.yaml": clouds}, nil, Flags{}, &NoCloudChosenError{},
			[]string{"--os-cloud", "OS_CLOUD", "devcloud, devcloud-admin"}},
		{"malformed YAML names file and line", map[string]string{"clouds.yaml": sample(t, "malformed.yaml")}, nil, Flags{},
			&ParseError{}, []string{"clouds.yaml:2: did not find expected key"}},
		{"list where a value belongs", map[string]string{"clouds.yaml": "clouds:\n  a:\n    auth:\n      username: [x, y]\n"},
			nil, Flags{}, &ParseError{}, []string{"clouds.yaml:4:", "single value"}},
		{"bad verify", map[string]string{"clouds.yaml": "clouds:\n  a:\n    verify: maybe\n    auth: {auth_url: http://k}\n"},
			nil, Flags{}, nil, []string{"verify", "maybe"}},
		{"no auth_url", map[string]string{"clouds.yaml": "clouds:\n  a:\n    auth: {username: u}\n"}, nil, Flags{}, nil,
			[]string{`cloud "a" has no auth_url`, "OS_AUTH_URL"}},
		{"unsupported auth type", map[string]string{"clouds.yaml": one}, env{"OS_AUTH_TYPE": "v3oidc"}, Flags{}, nil,
			[]string{"v3oidc", "not supported"}},
		{"bad interface", map[string]string{"clouds.yaml": one}, env{"OS_INTERFACE": "private"}, Flags{}, nil,
			[]string{"interface", "private"}},
		{"OS_CLIENT_CONFIG_FILE missing", nil, env{"OS_CLIENT_CONFIG_FILE": "/no/such/clouds.yaml"}, Flags{}, nil,
			[]string{"OS_CLIENT_CONFIG_FILE=/no/such/clouds.yaml"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := home(t, tt.files, nil)
			for k, v := range tt.env {
				e[k] = v
			}
			_, _, err := Load(tt.flags, e.get)
			if err == nil {
				t.Fatal("Load succeeded, want an error")
			}
			switch want := tt.wantType.(type) {
			case *NoConfigError:
				if !errors.As(err, &want) {
					t.Errorf("error %T, want %T", err, want)
				}
			case *UnknownCloudError:
				if !errors.As(err, &want) {
					t.Errorf("error %T, want %T", err, want)
				}
			case *NoCloudChosenError:
				if !errors.As(err, &want) {
					t.Errorf("error %T, want %T", err, want)
				}
			case *ParseError:
				if !errors.As(err, &want) {
					t.Errorf("error %T, want %T", err, want)
				}
			}
			for _, s := range tt.contains {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q\ndoes not contain %q", err, s)
				}
			}
		})
	}
}

func TestLoadWarnings(t *testing.T) {
	clouds := sample(t, "clouds.yaml")
	secure := sample(t, "secure.yaml")
	tests := []struct {
		name  string
		files map[string]string
		modes map[string]os.FileMode
		cloud string
		env   env
		match []string // a regexp per expected warning, in order
	}{
		{"private files", map[string]string{"clouds.yaml": clouds, "secure.yaml": secure}, nil, "devcloud", nil, nil},
		{"secure.yaml readable by others", map[string]string{"clouds.yaml": clouds, "secure.yaml": secure},
			map[string]os.FileMode{"secure.yaml": 0o644}, "devcloud", nil, []string{`secure\.yaml: holds secrets .*\(mode 0644\); run: chmod 600 .*/secure\.yaml$`}},
		{"clouds.yaml with a password readable by group", map[string]string{"clouds.yaml": clouds},
			map[string]os.FileMode{"clouds.yaml": 0o640}, "lab", nil, []string{`clouds\.yaml: holds secrets .*chmod 600 .*/clouds\.yaml$`}},
		{"clouds.yaml without secrets may be readable", map[string]string{"clouds.yaml": clouds},
			map[string]os.FileMode{"clouds.yaml": 0o644}, "devcloud", nil, nil},
		{"env overrides a file value", map[string]string{"clouds.yaml": clouds, "secure.yaml": secure}, nil, "devcloud",
			env{"OS_PROJECT_NAME": "other", "OS_PASSWORD": "pw-from-env"},
			[]string{`^OS_PASSWORD overrides password from secure\.yaml [^ ]+$`, `^OS_PROJECT_NAME overrides project_name from clouds\.yaml .* \("other" instead of "demo"\)$`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := home(t, tt.files, tt.modes)
			for k, v := range tt.env {
				e[k] = v
			}
			_, warns, err := Load(Flags{Cloud: tt.cloud}, e.get)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, w := range warns {
				got = append(got, w.String())
				if strings.Contains(w.String(), "pw-from-env") {
					t.Errorf("warning shows a secret: %s", w)
				}
			}
			if len(got) != len(tt.match) {
				t.Fatalf("warnings %q, want %d", got, len(tt.match))
			}
			for i, re := range tt.match {
				if !regexp.MustCompile(re).MatchString(got[i]) {
					t.Errorf("warning %q does not match %s", got[i], re)
				}
			}
		})
	}
}

func TestLoadUnreadableSecureYAML(t *testing.T) {
	e := home(t, map[string]string{"clouds.yaml": sample(t, "clouds.yaml")}, nil)
	// A directory where secure.yaml should be cannot be read, even by
	// root, which ignores file modes.
	if err := os.Mkdir(filepath.Join(e["HOME"], ".config", "openstack", "secure.yaml"), 0o700); err != nil {
		t.Fatal(err)
	}
	c, warns, err := Load(Flags{Cloud: "devcloud"}, e.get)
	if err != nil {
		t.Fatal(err)
	}
	if len(warns) != 1 || !strings.Contains(warns[0].String(), "cannot read secure.yaml") {
		t.Errorf("warnings %v, want one about secure.yaml", warns)
	}
	if c.Password != "" || c.SecureFile != "" {
		t.Errorf("password %q from %q, want none", c.Password, c.SecureFile)
	}
}

func TestLoadSearchOrder(t *testing.T) {
	mk := func(dir, region string) string {
		t.Helper()
		if err := os.MkdirAll(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, "clouds.yaml")
		body := "clouds:\n  c:\n    auth: {auth_url: http://k/v3, username: u}\n    region_name: " + region + "\n"
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	root := t.TempDir()
	explicit := mk(filepath.Join(root, "explicit"), "explicit")
	mk(filepath.Join(root, "xdg", "openstack"), "xdg")
	mk(filepath.Join(root, "home", ".config", "openstack"), "home")
	tests := []struct {
		name string
		env  env
		want string
	}{
		{"OS_CLIENT_CONFIG_FILE first", env{"OS_CLIENT_CONFIG_FILE": explicit, "XDG_CONFIG_HOME": filepath.Join(root, "xdg")}, "explicit"},
		{"XDG_CONFIG_HOME before HOME", env{"XDG_CONFIG_HOME": filepath.Join(root, "xdg"), "HOME": filepath.Join(root, "home")}, "xdg"},
		{"HOME", env{"HOME": filepath.Join(root, "home")}, "home"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _, err := Load(Flags{}, tt.env.get)
			if err != nil {
				t.Fatal(err)
			}
			if c.Region != tt.want {
				t.Errorf("region %q, want %q", c.Region, tt.want)
			}
		})
	}
}

func TestLoadEnvOnly(t *testing.T) {
	// An openrc sourced while clouds.yaml holds several clouds: the
	// variables describe the cloud.
	e := home(t, map[string]string{"clouds.yaml": sample(t, "clouds.yaml")}, nil)
	e["OS_AUTH_URL"] = "http://k/v3"
	e["OS_USERNAME"] = "u"
	e["OS_PASSWORD"] = "p"
	c, _, err := Load(Flags{}, e.get)
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != "envvars" || c.ConfigFile != "" || c.Username != "u" {
		t.Errorf("got %s", c)
	}
}

func TestRedacted(t *testing.T) {
	c := &Cloud{Name: "x", AuthURL: "http://k/v3", Username: "alice", Password: "hunter2-secret",
		Token: "gAAAAtoken", ApplicationCredentialSecret: "appsecret-value",
		Sources: map[string]string{"password": "env OS_PASSWORD"}}
	for _, s := range []string{c.String(), c.Redacted(), c.GoString()} {
		for _, secret := range []string{"hunter2-secret", "gAAAAtoken", "appsecret-value"} {
			if strings.Contains(s, secret) {
				t.Errorf("output shows %q:\n%s", secret, s)
			}
		}
		if !strings.Contains(s, "password: <redacted>  (env OS_PASSWORD)") || !strings.Contains(s, "username: alice") {
			t.Errorf("output lacks fields:\n%s", s)
		}
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		c    Cloud
		want string // substring; "" means valid
	}{
		{"password ok", Cloud{AuthType: AuthPassword, Username: "u", Password: "p"}, ""},
		{"no password", Cloud{Name: "x", AuthType: AuthPassword, Username: "u"}, "OS_PASSWORD"},
		{"no username", Cloud{AuthType: AuthPassword, Password: "p"}, "OS_USERNAME"},
		{"appcred ok", Cloud{AuthType: AuthApplicationCredential, ApplicationCredentialID: "i", ApplicationCredentialSecret: "s"}, ""},
		{"appcred no secret", Cloud{AuthType: AuthApplicationCredential, ApplicationCredentialID: "i"}, "application_credential_secret"},
		{"appcred by name needs user", Cloud{AuthType: AuthApplicationCredential, ApplicationCredentialName: "n", ApplicationCredentialSecret: "s"}, "username"},
		{"token", Cloud{AuthType: AuthToken}, "OS_TOKEN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.c.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("Validate: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("Validate: %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestNames(t *testing.T) {
	e := home(t, map[string]string{"clouds.yaml": sample(t, "clouds.yaml")}, nil)
	got, err := Names(e.get)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"appcred", "crossdomain", "devcloud", "devcloud-admin", "lab"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("names (-want +got):\n%s", diff)
	}
	none, err := Names(env{"HOME": t.TempDir()}.get)
	if err != nil || len(none) != 0 {
		t.Errorf("Names without clouds.yaml = %v, %v", none, err)
	}
}
