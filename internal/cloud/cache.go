package cloud

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/tokens"

	"github.com/kriscelmer/os-tui/internal/config"
)

// cacheVersion changes whenever cacheEntry changes shape; older files are
// ignored rather than misread.
const cacheVersion = 1

// refreshBefore is how long before expiry a cached token stops being
// used, so that a command never starts with a token about to lapse.
const refreshBefore = 5 * time.Minute

// cacheEntry is what the token cache keeps per cloud and scope: enough to
// call services without asking Keystone (token, catalog) and to answer
// whoami. It never holds a password or a secret from the config.
type cacheEntry struct {
	Version   int                   `json:"version"`
	Cloud     string                `json:"cloud"` // for people reading the file
	AuthURL   string                `json:"auth_url"`
	TokenID   string                `json:"token"`
	ExpiresAt time.Time             `json:"expires_at"`
	Catalog   []tokens.CatalogEntry `json:"catalog"`
	User      tokens.User           `json:"user"`
	Project   *tokens.Project       `json:"project,omitempty"`
	Roles     []string              `json:"roles,omitempty"`
	Caps      map[string]Service    `json:"capabilities,omitempty"`
}

// fresh reports whether the token is good for at least refreshBefore.
func (e *cacheEntry) fresh(now time.Time) bool {
	return e != nil && e.TokenID != "" && e.ExpiresAt.After(now.Add(refreshBefore))
}

// cacheKey identifies a cloud and scope: the same user in another project
// or region gets another file. Secrets are not part of it, except that a
// token used to log in is hashed in, since it is the identity.
func cacheKey(cfg *config.Cloud) string {
	parts := []string{
		cfg.AuthURL, cfg.AuthType,
		cfg.Username, cfg.UserID, cfg.UserDomainName, cfg.UserDomainID,
		cfg.ProjectName, cfg.ProjectID, cfg.ProjectDomainName, cfg.ProjectDomainID,
		cfg.DomainName, cfg.DomainID,
		cfg.ApplicationCredentialID, cfg.ApplicationCredentialName,
		cfg.Region, cfg.Interface,
	}
	if cfg.AuthType == config.AuthToken {
		parts = append(parts, cfg.Token)
	}
	if cfg.Federated() {
		// Who logs in is the identity provider's business: another
		// provider, protocol or client is another person's token.
		parts = append(parts, cfg.IdentityProvider, cfg.Protocol, cfg.ClientID, cfg.AccessToken)
	}
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(sum[:16])
}

// tokenCache reads and writes cache entries under dir/tokens.
type tokenCache struct {
	dir string // "" disables the cache
}

func (tc tokenCache) path(key string) string {
	return filepath.Join(tc.dir, "tokens", key+".json")
}

// load returns the entry for key, or nil when there is none or it cannot
// be used; a broken cache file only costs a login.
func (tc tokenCache) load(key string) *cacheEntry {
	if tc.dir == "" {
		return nil
	}
	data, err := os.ReadFile(tc.path(key))
	if err != nil {
		return nil
	}
	var e cacheEntry
	if json.Unmarshal(data, &e) != nil || e.Version != cacheVersion {
		return nil
	}
	return &e
}

// store writes the entry atomically with mode 0600 in a 0700 directory.
func (tc tokenCache) store(key string, e *cacheEntry) error {
	if tc.dir == "" || e == nil {
		return nil
	}
	dir := filepath.Join(tc.dir, "tokens")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create token cache %s: %w", dir, err)
	}
	// MkdirAll leaves an existing directory's mode alone; tighten it.
	if err := os.Chmod(dir, 0o700); err != nil {
		return fmt.Errorf("protect token cache %s: %w", dir, err)
	}
	data, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("encode token cache: %w", err)
	}
	f, err := os.CreateTemp(dir, key+".*.tmp") // created 0600
	if err != nil {
		return fmt.Errorf("write token cache: %w", err)
	}
	defer func() { _ = os.Remove(f.Name()) }() // no-op once renamed
	if _, err := f.Write(data); err != nil {
		_ = f.Close() // the write error is the one to report
		return fmt.Errorf("write token cache %s: %w", f.Name(), err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write token cache %s: %w", f.Name(), err)
	}
	if err := os.Rename(f.Name(), tc.path(key)); err != nil {
		return fmt.Errorf("write token cache: %w", err)
	}
	return nil
}

// remove deletes the entry (after Keystone rejected its token).
func (tc tokenCache) remove(key string) {
	if tc.dir != "" {
		_ = os.Remove(tc.path(key))
	}
}
