package cloud

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/kriscelmer/os-tui/internal/cloud/keystonetest"
	"github.com/kriscelmer/os-tui/internal/config"
)

func mfaCloud(ks *keystonetest.Server) *config.Cloud {
	return &config.Cloud{Name: "mfa", AuthType: config.AuthPassword, AuthURL: ks.AuthURL(),
		Username: "bob", Password: "pw", UserDomainName: "Default", ProjectName: "demo", ProjectDomainName: "Default",
		Region: "RegionOne", Interface: "public"}
}

// A password answered with an auth receipt is completed with the
// passcode the person types, sent with the receipt.
func TestLoginCompletesAuthReceipt(t *testing.T) {
	tests := []struct {
		name      string
		edit      func(*config.Cloud)
		answer    string
		noPrompt  bool
		wantErr   string
		wantIs    error
		wantPosts int
		wantAsked int
	}{
		{name: "receipt then passcode", answer: "123456", wantPosts: 2, wantAsked: 1},
		{name: "v3totp sends both at once", edit: func(c *config.Cloud) { c.AuthType = config.AuthTOTP }, answer: "123456", wantPosts: 1, wantAsked: 1},
		{name: "configured passcode is not asked for", edit: func(c *config.Cloud) { c.AuthType, c.Passcode = config.AuthTOTP, "123456" }, wantPosts: 1},
		{name: "wrong passcode", answer: "000000", wantErr: "TOTP passcode was not accepted", wantIs: ErrPasscodeRejected, wantPosts: 2, wantAsked: 1},
		{name: "nobody to ask", noPrompt: true, wantErr: "ostui login cloud --cloud mfa", wantIs: ErrPasscodeNeeded, wantPosts: 1},
		{name: "empty answer", answer: " ", wantErr: "no passcode given", wantIs: ErrPasscodeNeeded, wantPosts: 1, wantAsked: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ks := keystonetest.New(t, keystonetest.User{Name: "bob", Password: "pw", Passcode: "123456", MFA: true})
			cfg := mfaCloud(ks)
			if tt.edit != nil {
				tt.edit(cfg)
			}
			asked := 0
			opts := Options{}
			if !tt.noPrompt {
				opts.Passcode = func(_ context.Context, prompt string) (string, error) {
					asked++
					if !strings.Contains(prompt, "bob") {
						t.Errorf("prompt %q does not name the user", prompt)
					}
					return tt.answer, nil
				}
			}
			c := New(cfg, opts)
			_, err := c.ServiceClient(t.Context(), "compute")
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("login: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("login: %v, want an error containing %q", err, tt.wantErr)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("error %v is not %v", err, tt.wantIs)
			}
			if got := ks.Count("POST /v3/auth/tokens"); got != tt.wantPosts {
				t.Errorf("%d token requests, want %d", got, tt.wantPosts)
			}
			if asked != tt.wantAsked {
				t.Errorf("asked %d times, want %d", asked, tt.wantAsked)
			}
			if err == nil {
				info, err := c.TokenInfo(t.Context())
				if err != nil || info.UserName != "bob" || info.ProjectID != "p1" {
					t.Errorf("token info %+v, %v", info, err)
				}
			}
		})
	}
}
