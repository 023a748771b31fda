package config

import (
	"errors"
	"strings"
	"testing"
)

func TestFillStoredSecrets(t *testing.T) {
	store := map[string]string{
		"cloud/demo/password":                    "from-store",
		"cloud/ci/application_credential_secret": "ac-from-store",
	}
	get := func(k string) (string, error) {
		if k == "cloud/broken/password" {
			return "", errors.New("keyring locked")
		}
		v, ok := store[k]
		if !ok {
			return "", ErrNoStoredSecret
		}
		return v, nil
	}
	tests := []struct {
		name    string
		cloud   Cloud
		wantPW  string
		wantAC  string
		wantErr string
	}{
		{name: "password missing → store", cloud: Cloud{Name: "demo", AuthType: AuthPassword}, wantPW: "from-store"},
		{name: "password set wins", cloud: Cloud{Name: "demo", AuthType: AuthPassword, Password: "from-yaml"}, wantPW: "from-yaml"},
		{name: "app credential secret → store", cloud: Cloud{Name: "ci", AuthType: AuthApplicationCredential}, wantAC: "ac-from-store"},
		{name: "not in the store", cloud: Cloud{Name: "other", AuthType: AuthPassword}},
		{name: "env-only cloud is not looked up", cloud: Cloud{Name: "envvars", AuthType: AuthPassword}},
		{name: "token auth needs nothing", cloud: Cloud{Name: "demo", AuthType: AuthToken}},
		{name: "a failing store is reported", cloud: Cloud{Name: "broken", AuthType: AuthPassword}, wantErr: "keyring locked"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.cloud
			err := c.FillStoredSecrets(get)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.Password != tt.wantPW || c.ApplicationCredentialSecret != tt.wantAC {
				t.Errorf("password %q, ac secret %q; want %q, %q", c.Password, c.ApplicationCredentialSecret, tt.wantPW, tt.wantAC)
			}
			if (tt.wantPW == "from-store" || tt.wantAC != "") && !strings.Contains(c.String(), "secret store") {
				t.Errorf("source not recorded: %s", c.String())
			}
			if strings.Contains(c.String(), "from-store") {
				t.Errorf("String leaks the secret: %s", c.String())
			}
		})
	}
}
