// Package profile reads and writes ostui's own config file
// ($XDG_CONFIG_HOME/ostui/config.yaml, or $OSTUI_CONFIG) and the named
// profiles in it.
//
// A profile binds a cloud (a clouds.yaml entry, or an auth block of its
// own) to a model provider (openai, azure, github, local) with its
// endpoint, deployment, model, api_version and scopes. A profile never
// holds a secret: API keys and OAuth tokens live in the secret store
// (internal/secretstore), under the key prefix the profile names in
// model.credential ("provider/openai" → provider/openai/api_key).
//
// A config file written before profiles existed (a top-level model:
// section only) loads unchanged: its model section becomes the implicit
// profile "default" when no profile is named, and writing the file back
// keeps it.
package profile

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/kriscelmer/os-tui/internal/secrets"
)

// Model providers a profile can name.
const (
	ProviderOpenAI = "openai" // api.openai.com (or an OpenAI-compatible URL)
	ProviderAzure  = "azure"  // Azure OpenAI
	ProviderGitHub = "github" // GitHub Models
	ProviderLocal  = "local"  // an OpenAI-compatible server that needs no key (Ollama, llama.cpp)
)

// Providers are the provider names, in the order help lists them.
var Providers = []string{ProviderOpenAI, ProviderAzure, ProviderGitHub, ProviderLocal}

// Secret fields stored under a model credential: Key(cred, FieldAPIKey).
const (
	FieldAPIKey       = "api_key"
	FieldAccessToken  = "access_token"
	FieldRefreshToken = "refresh_token"
	// FieldExpiry is when the access token expires (RFC 3339). It is no
	// secret but lives beside the token so the two never disagree.
	FieldExpiry = "expiry"
)

// Model is a profile's model provider.
type Model struct {
	// Provider is openai, azure, github or local.
	Provider string `yaml:"provider" json:"provider"`
	// Endpoint is the API base URL: an OpenAI-compatible server's
	// http://HOST/v1, Azure's https://NAME.openai.azure.com, GitHub
	// Models' inference URL. Empty means the provider's default.
	Endpoint string `yaml:"endpoint,omitempty" json:"endpoint,omitempty"`
	// Deployment is Azure's deployment name.
	Deployment string `yaml:"deployment,omitempty" json:"deployment,omitempty"`
	// Model is the model name sent with each request.
	Model string `yaml:"model,omitempty" json:"model,omitempty"`
	// APIVersion is Azure's api-version.
	APIVersion string `yaml:"api_version,omitempty" json:"api_version,omitempty"`
	// Scopes are OAuth scopes the provider's login asked for.
	Scopes []string `yaml:"scopes,omitempty" json:"scopes,omitempty"`
	// Credential is the secret-store key prefix of this model's secrets:
	// "provider/openai" holds provider/openai/api_key. Empty means
	// DefaultCredential(profile, provider).
	Credential string `yaml:"credential,omitempty" json:"credential,omitempty"`
	// Tenant is the Microsoft Entra tenant (azure --device-code).
	Tenant string `yaml:"tenant,omitempty" json:"tenant,omitempty"`
	// ClientID is the OAuth client a device or web flow used.
	ClientID string `yaml:"client_id,omitempty" json:"client_id,omitempty"`
	// AuthURL is the OAuth server (GitHub Enterprise, a test server);
	// empty means the provider's public one.
	AuthURL string `yaml:"auth_url,omitempty" json:"auth_url,omitempty"`
	// Auth says how the model authenticates: "api_key" (default),
	// "oauth" (access and refresh tokens), "none" (a local server).
	Auth string `yaml:"auth,omitempty" json:"auth,omitempty"`
}

// Auth kinds of Model.Auth.
const (
	AuthAPIKey = "api_key"
	AuthOAuth  = "oauth"
	AuthNone   = "none"
)

// Cloud is a profile's cloud: the name of a clouds.yaml entry, or an auth
// block of its own (clouds.yaml's keys, never a password or secret: those
// are stored under cloud/PROFILE/FIELD).
type Cloud struct {
	// Name is a clouds.yaml entry.
	Name string `yaml:"name,omitempty" json:"name,omitempty"`
	// AuthType is clouds.yaml's auth_type (password, v3totp, …).
	AuthType string `yaml:"auth_type,omitempty" json:"auth_type,omitempty"`
	// Auth holds clouds.yaml's auth keys (auth_url, username,
	// project_name, user_domain_name, …) without secrets.
	Auth map[string]string `yaml:"auth,omitempty" json:"auth,omitempty"`
	// Region is region_name.
	Region string `yaml:"region_name,omitempty" json:"region_name,omitempty"`
	// Interface is public, internal or admin.
	Interface string `yaml:"interface,omitempty" json:"interface,omitempty"`
}

// UnmarshalYAML takes `cloud: NAME` as well as a block.
func (c *Cloud) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		c.Name = n.Value
		return nil
	}
	type plain Cloud
	return n.Decode((*plain)(c))
}

// MarshalYAML writes a cloud that is only a name as `cloud: NAME`.
func (c Cloud) MarshalYAML() (any, error) {
	if c.AuthType == "" && len(c.Auth) == 0 && c.Region == "" && c.Interface == "" {
		return c.Name, nil
	}
	type plain Cloud
	return plain(c), nil
}

// Profile binds a cloud and a model.
type Profile struct {
	// Name is the profile's key in profiles:.
	Name  string `yaml:"-" json:"-"`
	Cloud *Cloud `yaml:"cloud,omitempty" json:"cloud,omitempty"`
	Model *Model `yaml:"model,omitempty" json:"model,omitempty"`
}

// CloudName is the clouds.yaml entry the profile names, or "".
func (p *Profile) CloudName() string {
	if p == nil || p.Cloud == nil {
		return ""
	}
	return p.Cloud.Name
}

// LegacyModel is the model: section of a config written before profiles.
// It is kept as it was read and written back unchanged.
type LegacyModel struct {
	Provider        string `yaml:"provider,omitempty"`
	BaseURL         string `yaml:"base_url,omitempty"`
	Name            string `yaml:"name,omitempty"`
	AzureEndpoint   string `yaml:"azure_endpoint,omitempty"`
	AzureDeployment string `yaml:"azure_deployment,omitempty"`
	APIVersion      string `yaml:"api_version,omitempty"`
}

// IsZero reports an absent model: section.
func (m LegacyModel) IsZero() bool { return m == LegacyModel{} }

// File is ostui's config file.
type File struct {
	// Path is where it was read from and is written to.
	Path string `yaml:"-"`
	// DefaultProfile names the profile used without --profile.
	DefaultProfile string `yaml:"default_profile,omitempty"`
	// Profiles by name.
	Profiles map[string]*Profile `yaml:"profiles,omitempty"`
	// Model is the pre-profile model: section.
	Model LegacyModel `yaml:"model,omitempty"`
	// SecretBackend is the secret store's mode (auto, keyring, file, plain).
	SecretBackend string `yaml:"secret_backend,omitempty"`

	// rest keeps top-level keys this version does not know, so writing
	// the file back loses nothing a newer (or older) ostui put there.
	rest map[string]yaml.Node
}

// Path is the config file's location: $OSTUI_CONFIG, else
// $XDG_CONFIG_HOME/ostui/config.yaml, else ~/.config/ostui/config.yaml.
func Path(getenv func(string) string) string {
	if p := getenv("OSTUI_CONFIG"); p != "" {
		return p
	}
	dir := getenv("XDG_CONFIG_HOME")
	if dir == "" {
		home, _ := os.UserHomeDir()
		dir = filepath.Join(home, ".config")
	}
	return filepath.Join(dir, "ostui", "config.yaml")
}

// Dir is the folder of the config file, where the secret files live too.
func Dir(getenv func(string) string) string { return filepath.Dir(Path(getenv)) }

// Load reads the config file at path; a missing file is an empty config.
// The file is validated against the config schema: an unknown key inside
// a profile, or a secret written inline, is an error naming it.
func Load(path string) (*File, error) {
	f := &File{Path: path}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return f, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if err := Validate(b); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := yaml.Unmarshal(b, f); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	var all map[string]yaml.Node
	if err := yaml.Unmarshal(b, &all); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	for _, known := range []string{"default_profile", "profiles", "model", "secret_backend"} {
		delete(all, known)
	}
	f.rest = all
	for name, p := range f.Profiles {
		if p == nil {
			p = &Profile{}
			f.Profiles[name] = p
		}
		p.Name = name
	}
	return f, nil
}

// Save writes the file 0600 (in a 0700 folder), atomically. It holds no
// secret, but profiles say which accounts a person uses.
func (f *File) Save() error {
	if f.Path == "" {
		return errors.New("the config file has no path")
	}
	node := &yaml.Node{Kind: yaml.MappingNode}
	add := func(key string, v any) error {
		var n yaml.Node
		if err := n.Encode(v); err != nil {
			return err
		}
		node.Content = append(node.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: key}, &n)
		return nil
	}
	if f.DefaultProfile != "" {
		if err := add("default_profile", f.DefaultProfile); err != nil {
			return err
		}
	}
	if len(f.Profiles) > 0 {
		profiles := &yaml.Node{Kind: yaml.MappingNode}
		for _, name := range f.Names() {
			var n yaml.Node
			if err := n.Encode(f.Profiles[name]); err != nil {
				return err
			}
			profiles.Content = append(profiles.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: name}, &n)
		}
		node.Content = append(node.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: "profiles"}, profiles)
	}
	if !f.Model.IsZero() {
		if err := add("model", f.Model); err != nil {
			return err
		}
	}
	if f.SecretBackend != "" {
		if err := add("secret_backend", f.SecretBackend); err != nil {
			return err
		}
	}
	keys := make([]string, 0, len(f.rest))
	for k := range f.rest {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := f.rest[k]
		node.Content = append(node.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: k}, &v)
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(node); err != nil {
		return err
	}
	if err := enc.Close(); err != nil {
		return err
	}
	b := buf.Bytes()
	if err := os.MkdirAll(filepath.Dir(f.Path), 0o700); err != nil {
		return err
	}
	return secrets.WriteFile0600(f.Path, b)
}

// Names are the profile names, sorted.
func (f *File) Names() []string {
	names := make([]string, 0, len(f.Profiles))
	for n := range f.Profiles {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Get returns the named profile.
func (f *File) Get(name string) (*Profile, bool) {
	p, ok := f.Profiles[name]
	return p, ok
}

// Upsert returns the named profile, adding an empty one when missing.
func (f *File) Upsert(name string) *Profile {
	if f.Profiles == nil {
		f.Profiles = map[string]*Profile{}
	}
	p, ok := f.Profiles[name]
	if !ok || p == nil {
		p = &Profile{Name: name}
		f.Profiles[name] = p
	}
	return p
}

// DefaultCredential is the secret-store prefix of a profile's model
// secrets when the profile names none: provider/PROVIDER for the
// profile named after its provider (what `ostui login openai` makes),
// provider/PROVIDER/PROFILE for any other, so two accounts of one
// provider never overwrite each other's key.
func DefaultCredential(profileName, provider string) string {
	if profileName == "" || profileName == provider {
		return "provider/" + provider
	}
	return "provider/" + provider + "/" + profileName
}

// CredentialOf is m's credential prefix in profile p.
func (p *Profile) CredentialOf() string {
	if p == nil || p.Model == nil {
		return ""
	}
	if p.Model.Credential != "" {
		return p.Model.Credential
	}
	return DefaultCredential(p.Name, p.Model.Provider)
}

// SecretKey is the secret-store key of one field under a credential.
func SecretKey(credential, field string) string {
	return strings.TrimSuffix(credential, "/") + "/" + field
}
