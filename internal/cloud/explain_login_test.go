package cloud

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/gophercloud/gophercloud/v2"

	"github.com/kriscelmer/os-tui/internal/config"
)

// A 401 from a cloud says how to log in to that cloud; no other error
// (a 403, a 404, a model's 401 that never went through the cloud) does.
func TestExplainLoginRemedy(t *testing.T) {
	login401 := func(cloud, authType string) error {
		return &AuthError{Cloud: cloud, AuthURL: "http://k/v3", AuthType: authType, Err: httpErr(401, "POST", "http://k/v3/auth/tokens", "")}
	}
	tests := []struct {
		name string
		err  error
		want string // "" means: no login advice at all
	}{
		{"password cloud", login401("prod", config.AuthPassword), "run `ostui login cloud --cloud prod`"},
		{"totp cloud", login401("mfa", config.AuthTOTP), "run `ostui login cloud --cloud mfa`"},
		{"application credential expired", login401("prod", config.AuthApplicationCredential), "expired or was deleted, run `ostui login cloud --cloud prod` to make a new one"},
		{"openrc cloud", login401("envvars", config.AuthPassword), "set OS_PASSWORD"},
		{"federated", login401("sso", config.AuthOIDCPassword), "identity provider"},
		{"token", login401("t", config.AuthToken), "OS_TOKEN"},
		{"re-auth failed", &gophercloud.ErrUnableToReauthenticate{ErrOriginal: httpErr(401, "GET", "http://nova/v2.1/servers", ""), ErrReauth: login401("prod", config.AuthPassword)},
			"ostui login cloud --cloud prod"},
		{"passcode", &AuthError{Cloud: "mfa", AuthURL: "http://k/v3", AuthType: config.AuthPassword,
			Err: fmt.Errorf("%w: %w", ErrPasscodeRejected, httpErr(401, "POST", "http://k/v3/auth/tokens", ""))}, "not the TOTP passcode"},
		{"403", httpErr(403, "POST", "http://nova/v2.1/servers", ""), ""},
		{"404", httpErr(404, "GET", "http://nova/v2.1/servers/x", ""), ""},
		{"a model's 401", errors.New("model: 401 Unauthorized: run ostui login github"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Explain(tt.err).Error()
			if tt.want == "" {
				if strings.Contains(got, "ostui login cloud") || strings.Contains(got, "OS_PASSWORD") {
					t.Errorf("advice to log in to a cloud in %q", got)
				}
				return
			}
			if !strings.Contains(got, tt.want) {
				t.Errorf("Explain: %q, want %q", got, tt.want)
			}
		})
	}

	// A connection names its own cloud when the token is refused.
	c := New(&config.Cloud{Name: "lab", AuthType: config.AuthApplicationCredential, AuthURL: "http://k/v3"}, Options{})
	err := c.Explain(&gophercloud.ErrErrorAfterReauthentication{ErrOriginal: httpErr(401, "GET", "http://nova/v2.1/servers", "")})
	if !strings.Contains(err.Error(), "ostui login cloud --cloud lab") {
		t.Errorf("Conn.Explain: %v", err)
	}
}
