package login

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/internal/profile"
)

func TestSplitScopes(t *testing.T) {
	tests := []struct {
		in   []string
		want []string
	}{
		{[]string{"read:user,models:read"}, []string{"read:user", "models:read"}},
		{[]string{"a b", "c,a"}, []string{"a", "b", "c"}},
		{[]string{" , "}, nil},
		{[]string{"openid, profile  offline_access"}, []string{"openid", "profile", "offline_access"}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, splitScopes(tt.in)); diff != "" {
			t.Errorf("splitScopes(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

// TestRouterParsesCommonFlags: the router, not the flow, reads the flags
// every login shares; a provider's own flags reach it by name.
func TestRouterParsesCommonFlags(t *testing.T) {
	var got *Request
	p := Provider{Name: "probe-common", Summary: "test", Flags: []Flag{{Name: "web"}, {Name: "client-id", Arg: "ID"}},
		Run: func(_ context.Context, r *Request) error { got = r; return nil }}
	Register(p)
	t.Cleanup(func() { regMu.Lock(); delete(providers, p.Name); regMu.Unlock() })

	tests := []struct {
		args                  []string
		save, setDefault, web bool
		scopes                []string
		profileName, clientID string
	}{
		{args: nil, save: true, setDefault: true, profileName: "probe-common"},
		{args: []string{"--no-save-secret", "--no-set-default"}, profileName: "probe-common"},
		{args: []string{"--no-save-secret", "--save-secret"}, save: true, setDefault: true, profileName: "probe-common"},
		{args: []string{"--scopes", "a,b c", "--profile", "work", "--web", "--client-id", "X1"}, save: true, setDefault: true, web: true, scopes: []string{"a", "b", "c"}, profileName: "work", clientID: "X1"},
	}
	for _, tt := range tests {
		te := newTestEnv(t, "")
		if err := Run(t.Context(), te.Env, append([]string{p.Name}, tt.args...)); err != nil {
			t.Fatalf("%q: %v", tt.args, err)
		}
		if got.SaveSecret != tt.save || got.SetDefault != tt.setDefault || got.Switch("web") != tt.web ||
			got.ProfileName != tt.profileName || got.Value("client-id") != tt.clientID || !cmp.Equal(got.Scopes, tt.scopes) {
			t.Errorf("%q: save %v default %v web %v profile %q client %q scopes %q", tt.args,
				got.SaveSecret, got.SetDefault, got.Switch("web"), got.ProfileName, got.Value("client-id"), got.Scopes)
		}
	}
}

func TestRouterUsage(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		out     []string // substrings of stdout
		errWant string   // substring of a UsageError
	}{
		{name: "no provider lists them", args: nil, out: []string{"openai", "azure", "Run 'ostui login PROVIDER --help'"}},
		{name: "help", args: []string{"--help"}, out: []string{"usage: ostui login PROVIDER [flags]", "--no-save-secret", "--scopes LIST"}},
		{name: "provider help", args: []string{"openai", "--help"}, out: []string{"usage: ostui login openai [--endpoint URL]", "--no-verify", "--set-default"}},
		{name: "provider help after flags", args: []string{"azure", "--endpoint", "x", "-h"}, out: []string{"--device-code"}},
		{name: "unknown provider names the closest", args: []string{"opnai"}, errWant: `unknown provider "opnai" (did you mean openai?)`},
		{name: "unknown flag names the closest", args: []string{"openai", "--scope", "x"}, errWant: "unknown flag --scope (did you mean --scopes?)"},
		{name: "flags before the provider", args: []string{"--profile", "x"}, errWant: "name a provider before the flags"},
		{name: "a stray argument", args: []string{"openai", "sk-123"}, errWant: "unexpected argument"},
		{name: "bad profile name", args: []string{"openai", "--profile", "a/b"}, errWant: "profile name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			te := newTestEnv(t, "")
			err := Run(t.Context(), te.Env, tt.args)
			if tt.errWant != "" {
				var ue *UsageError
				if !errors.As(err, &ue) || !strings.Contains(err.Error(), tt.errWant) {
					t.Fatalf("err = %v, want a usage error with %q", err, tt.errWant)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.out {
				if !strings.Contains(te.out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, te.out)
				}
			}
		})
	}
}

func TestRegisterRefusesMistakes(t *testing.T) {
	for name, p := range map[string]Provider{
		"no name":   {Run: func(context.Context, *Request) error { return nil }},
		"no run":    {Name: "x-norun"},
		"duplicate": {Name: "openai", Run: func(context.Context, *Request) error { return nil }},
		"common":    {Name: "x-common", Flags: []Flag{{Name: "scopes"}}, Run: func(context.Context, *Request) error { return nil }},
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("Register did not panic")
				}
			}()
			Register(p)
		})
	}
}

func TestSaveProfileKeepsOtherProfiles(t *testing.T) {
	te := newTestEnv(t, "")
	f := &profile.File{Path: te.ConfigPath, DefaultProfile: "lab", Profiles: map[string]*profile.Profile{
		"lab": {Cloud: &profile.Cloud{Name: "devcloud"}, Model: &profile.Model{Provider: "local", Endpoint: "http://127.0.0.1:8080/v1"}},
	}}
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
	req := &Request{IO: te.IO, ConfigPath: te.ConfigPath, ProfileName: "work", SetDefault: false}
	if err := req.SaveProfile(func(p *profile.Profile) error {
		p.Model = &profile.Model{Provider: "openai"}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	got, err := profile.Load(te.ConfigPath)
	if err != nil {
		t.Fatal(err)
	}
	if got.DefaultProfile != "lab" || got.Profiles["lab"].CloudName() != "devcloud" || got.Profiles["work"].Model.Provider != "openai" {
		t.Errorf("after saving work: default %q, profiles %v", got.DefaultProfile, got.Names())
	}
}
