// Package login is `ostui login` and the shell's `/login`: one router that
// parses the flags every login shares, then hands a Request to the flow of
// the provider named (openai, azure, github, cloud, …). Flows never parse
// the common flags, print the provider list or write the config file on
// their own: the router and the Request do that once.
//
// # Adding a provider
//
// A provider is a file in this package (github.go, cloud.go, …) that
// registers itself from init:
//
//	func init() {
//		login.Register(login.Provider{
//			Name:    "github",
//			Summary: "GitHub Models: OAuth device flow (or --web)",
//			Usage:   "ostui login github [--web] [--client-id ID] ...",
//			Help:    "Longer text printed by ostui login github --help.",
//			Flags: []login.Flag{
//				{Name: "web", Help: "use the browser (authorization code) flow"},
//				{Name: "client-id", Arg: "ID", Help: "the OAuth app's client ID"},
//			},
//			Run: runGitHub,
//		})
//	}
//
// Run receives a *Request: req.Switch("web") and req.Value("client-id")
// read the provider's own flags; req.SaveSecret, req.SetDefault,
// req.Scopes and req.ProfileName are the common ones, already parsed;
// req.IO.Secret asks for hidden input; req.StoreSecret stores (or, with
// --no-save-secret, keeps for the session only) and req.SaveProfile
// writes the profile. A flow returns an error that says what to do next.
//
// A provider may also extend another's flow: azure's --device-code is
// declared here with the azure provider and runs the function set with
// SetAzureDeviceCode (the Entra device-code flow lives in its own file).
package login

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"

	"github.com/kriscelmer/os-tui/internal/profile"
)

// Flag is one of a provider's own flags.
type Flag struct {
	// Name is without dashes: "client-id" is typed --client-id.
	Name string
	// Arg is the value's placeholder (ID, URL); "" makes a switch.
	Arg string
	// Help is one line for --help.
	Help string
}

// Provider is one login flow.
type Provider struct {
	// Name is the word after `ostui login`.
	Name string
	// Summary is one line for the provider list.
	Summary string
	// Usage is the synopsis line without the common flags, e.g.
	// "ostui login github [--web]"; empty means "ostui login NAME".
	Usage string
	// Help is the paragraph `ostui login NAME --help` prints under the
	// synopsis.
	Help string
	// Flags are the provider's own flags (the common ones are added by
	// the router).
	Flags []Flag
	// Run performs the login.
	Run func(ctx context.Context, req *Request) error
	// Refresh, when set, renews an expired OAuth access token from the
	// stored refresh token: it stores the new tokens (and expiry) under
	// the profile's credential and returns the access token. The model
	// secret resolver calls it before telling the person to log in
	// again; an error from it ends in "run ostui login NAME".
	Refresh func(ctx context.Context, r *Refresh) (accessToken string, err error)
}

// Refresh is what a provider's Refresh gets.
type Refresh struct {
	// Profile is the profile whose token expired (Model is set).
	Profile *profile.Profile
	// Credential is the secret-store prefix of its secrets:
	// profile.SecretKey(Credential, profile.FieldRefreshToken).
	Credential string
	Store      SecretStore
	HTTPClient *http.Client
	Getenv     func(string) string
}

var (
	regMu     sync.RWMutex
	providers = map[string]Provider{}
)

// Register adds a provider. It panics on an empty or duplicate name or a
// missing Run: both are programming errors found at start-up.
func Register(p Provider) {
	regMu.Lock()
	defer regMu.Unlock()
	if p.Name == "" || p.Run == nil {
		panic("login.Register: a provider needs a Name and a Run")
	}
	if _, dup := providers[p.Name]; dup {
		panic("login.Register: provider " + p.Name + " registered twice")
	}
	for _, f := range p.Flags {
		if isCommonFlag(f.Name) {
			panic("login.Register: provider " + p.Name + " redeclares the common flag --" + f.Name)
		}
	}
	providers[p.Name] = p
}

// Providers lists the registered providers by name.
func Providers() []Provider {
	regMu.RLock()
	defer regMu.RUnlock()
	out := make([]Provider, 0, len(providers))
	for _, p := range providers {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Lookup returns the provider named name.
func Lookup(name string) (Provider, bool) {
	regMu.RLock()
	defer regMu.RUnlock()
	p, ok := providers[name]
	return p, ok
}

// SecretStore is the secret store as a login uses it
// (*secretstore.Store satisfies it).
type SecretStore interface {
	Get(ctx context.Context, key string) (string, error)
	Set(ctx context.Context, key, value string) (where string, err error)
	Delete(ctx context.Context, key string) error
	Where(ctx context.Context) (string, error)
}

// Request is what a provider's Run gets: the parsed flags, the person's
// terminal, the secret store and the config file.
type Request struct {
	// Provider is the provider's name ("openai").
	Provider string
	// IO is the terminal (or pipe) to talk to.
	IO *IO
	// Store holds secrets; opened by the caller (lazily: a flow that
	// stores nothing never touches the keyring).
	Store SecretStore
	// ConfigPath is ostui's config file (profiles).
	ConfigPath string
	// Getenv reads the environment (os.Getenv, or a map in tests).
	Getenv func(string) string
	// HTTPClient carries the flow's requests; nil means
	// http.DefaultClient. Tests point it at an httptest server.
	HTTPClient *http.Client

	// SaveSecret is --save-secret (default) / --no-save-secret.
	SaveSecret bool
	// SetDefault is --set-default (default) / --no-set-default: make the
	// profile the default one.
	SetDefault bool
	// Scopes is --scopes, split on commas and spaces; nil when not given.
	Scopes []string
	// ProfileName is --profile, else the provider's name.
	ProfileName string

	// values are the provider's own flags by name ("true" for a switch);
	// a repeated flag keeps every value.
	values map[string][]string
	// Args are the words after the flags.
	Args []string

	// Session receives secrets not saved (--no-save-secret), so the
	// shell can use them for the rest of the session; nil outside it.
	Session func(key, value string)
}

// Value is the last value given for the provider flag name, or "".
func (r *Request) Value(name string) string {
	v := r.values[name]
	if len(v) == 0 {
		return ""
	}
	return v[len(v)-1]
}

// Values are every value given for name.
func (r *Request) Values(name string) []string { return r.values[name] }

// Switch is a provider switch: the last one typed wins; absent is false.
func (r *Request) Switch(name string) bool {
	v := r.Value(name)
	return v == "true" || v == "1" || v == "t" || v == "TRUE" || v == "True"
}

// Given reports whether the provider flag name was typed at all.
func (r *Request) Given(name string) bool { return len(r.values[name]) > 0 }

// getenv reads the environment, or "" when the request has none.
func (r *Request) getenv(k string) string {
	if r.Getenv == nil {
		return ""
	}
	return r.Getenv(k)
}

// client is the request's HTTP client.
func (r *Request) client() *http.Client {
	if r.HTTPClient != nil {
		return r.HTTPClient
	}
	return http.DefaultClient
}

// Client is the HTTP client a flow should use.
func (r *Request) Client() *http.Client { return r.client() }

// StoreSecret keeps value under key: in the secret store when SaveSecret,
// otherwise only for this session (Session) — and says which, on
// IO.ErrOut, never echoing the value.
func (r *Request) StoreSecret(ctx context.Context, key, value string) error {
	if !r.SaveSecret {
		if r.Session != nil {
			r.Session(key, value)
			fmt.Fprintf(r.IO.ErrOut, "%s kept for this session only (--no-save-secret)\n", key)
			return nil
		}
		hint := "it is used nowhere else"
		if v := EnvVar(r.Provider); v != "" {
			hint = "a later session needs it in " + v
		}
		fmt.Fprintf(r.IO.ErrOut, "%s not saved (--no-save-secret): %s\n", key, hint)
		return nil
	}
	if r.Store == nil {
		return fmt.Errorf("no secret store to keep %s in", key)
	}
	where, err := r.Store.Set(ctx, key, value)
	if err != nil {
		return err
	}
	fmt.Fprintf(r.IO.ErrOut, "%s stored in %s\n", key, where)
	return nil
}

// SaveProfile loads the config file, lets edit change the request's
// profile (created when missing), makes it the default when SetDefault
// and writes the file back. It says what it did on IO.ErrOut.
func (r *Request) SaveProfile(edit func(*profile.Profile) error) error {
	f, err := profile.Load(r.ConfigPath)
	if err != nil {
		return err
	}
	p := f.Upsert(r.ProfileName)
	if err := edit(p); err != nil {
		return err
	}
	if r.SetDefault {
		f.DefaultProfile = r.ProfileName
	}
	if err := f.Save(); err != nil {
		return fmt.Errorf("write %s: %w", r.ConfigPath, err)
	}
	msg := "profile " + r.ProfileName + " saved in " + r.ConfigPath
	if r.SetDefault {
		msg += " (the default profile)"
	}
	fmt.Fprintln(r.IO.ErrOut, msg)
	return nil
}

// LoadProfile is the request's profile as the config file holds it now,
// or nil when it has none.
func (r *Request) LoadProfile() (*profile.Profile, error) {
	f, err := profile.Load(r.ConfigPath)
	if err != nil {
		return nil, err
	}
	p, _ := f.Get(r.ProfileName)
	return p, nil
}

// commonFlags are the flags every login takes, in --help order.
var commonFlags = []Flag{
	{Name: "profile", Arg: "NAME", Help: "the profile to write (default: the provider's name)"},
	{Name: "scopes", Arg: "LIST", Help: "scopes to ask for, comma or space separated"},
	{Name: "save-secret", Help: "store the secret in the keyring or encrypted file (default)"},
	{Name: "no-save-secret", Help: "use the secret for this session only; store nothing"},
	{Name: "set-default", Help: "make the profile the default one (default)"},
	{Name: "no-set-default", Help: "leave the default profile as it is"},
	{Name: "help", Help: "show this help"},
}

// CommonFlags are the flags every login takes (for help and completion).
func CommonFlags() []Flag { return append([]Flag(nil), commonFlags...) }

func isCommonFlag(name string) bool {
	for _, f := range commonFlags {
		if f.Name == name {
			return true
		}
	}
	return name == "h"
}

// splitScopes reads --scopes: commas and spaces both separate, empty
// items and repeats are dropped, order kept.
func splitScopes(values []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, v := range values {
		for _, s := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
			if !seen[s] {
				seen[s] = true
				out = append(out, s)
			}
		}
	}
	return out
}

var (
	hookMu          sync.RWMutex
	azureDeviceCode func(ctx context.Context, req *Request) error
)

// SetAzureDeviceCode installs the Microsoft Entra ID device-code flow
// that `ostui login azure --device-code` runs (its flags --tenant and
// --client-id are declared by the azure provider). The file with the
// flow calls it from init; without it --device-code says it is not
// available.
func SetAzureDeviceCode(f func(ctx context.Context, req *Request) error) {
	hookMu.Lock()
	defer hookMu.Unlock()
	azureDeviceCode = f
}

func azureDeviceCodeFlow() func(ctx context.Context, req *Request) error {
	hookMu.RLock()
	defer hookMu.RUnlock()
	return azureDeviceCode
}
