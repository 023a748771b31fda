package cloud

import (
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"sync"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/tokens"

	"github.com/kriscelmer/os-tui/internal/config"
	"github.com/kriscelmer/os-tui/internal/oauth"
)

// Options tune a connection.
type Options struct {
	// CacheDir is ostui's cache directory (for example ~/.cache/ostui,
	// see DefaultCacheDir); tokens go in its tokens/ subdirectory. Empty
	// disables the on-disk token cache.
	CacheDir string
	// Debug, when set, receives one line per HTTP request (see --debug).
	Debug io.Writer
	// Timeout bounds connecting, the TLS handshake and the wait for
	// response headers; zero means DefaultTimeout.
	Timeout time.Duration
	// UserAgent is prepended to gophercloud's User-Agent ("ostui/1.2.3").
	UserAgent string
	// Passcode asks the person for a TOTP passcode when a login needs one
	// (auth_type v3totp without a passcode, or Keystone answering a
	// password with an auth receipt for a multi-factor rule). Nil where
	// nobody can answer: the login then fails with advice.
	Passcode func(ctx context.Context, prompt string) (string, error)
	// Notice receives what the person must do during a login: the URL
	// and code of a v3oidcdeviceauthz login. Nil means standard error.
	Notice io.Writer
	// Fresh always logs in, ignoring a cached token (the new token is
	// still cached): `ostui login cloud` must check the password it was
	// given, not reuse an earlier session.
	Fresh bool
}

// Conn is a lazy connection to one cloud. New does no I/O; the first
// method that needs the cloud reads the token cache and, on a miss,
// authenticates. It is safe for concurrent use, and implements
// tools.Clients.
type Conn struct {
	cfg   *config.Cloud
	opts  Options
	cache tokenCache
	key   string
	now   func() time.Time

	initMu sync.Mutex
	http   *http.Client
	pc     *gophercloud.ProviderClient

	mu    sync.RWMutex // guards entry
	entry *cacheEntry

	capsMu sync.Mutex // one discovery at a time; guards partial
	// partial holds a discovery in which a microversioned service did not
	// answer: kept for this Conn (so other services are not asked again)
	// but not written to the cache.
	partial map[string]Service
	// rediscovered is when each partially discovered service was last asked.
	rediscovered map[string]time.Time
	// clock replaces time.Now in tests.
	clock func() time.Time
	// oauthClock paces a device login; nil is the real clock (tests
	// pass one that does not wait).
	oauthClock oauth.Clock

	// cachedLogin: this Conn's token (and catalog) came from the disk
	// cache, so the catalog may predate a service added since.
	// catalogRefreshed: RefreshCatalog has logged in again (once is
	// enough). Both guarded by capsMu.
	cachedLogin, catalogRefreshed bool
}

// New returns a connection to the cloud. It does no network or disk I/O.
func New(cfg *config.Cloud, opts Options) *Conn {
	return &Conn{
		cfg:   cfg,
		opts:  opts,
		cache: tokenCache{dir: opts.CacheDir},
		key:   cacheKey(cfg),
		now:   time.Now,
	}
}

// Cloud returns the configuration the connection was made from.
func (c *Conn) Cloud() *config.Cloud { return c.cfg }

// ensure builds the provider client once: from the token cache when it
// holds a fresh token (no Keystone call), else by logging in.
func (c *Conn) ensure(ctx context.Context) error {
	c.initMu.Lock()
	defer c.initMu.Unlock()
	if c.pc != nil {
		return nil
	}
	if c.http == nil {
		hc, err := newHTTPClient(c.cfg, c.opts)
		if err != nil {
			return fmt.Errorf("cloud %q: %w", c.cfg.Name, err)
		}
		c.http = hc
	}
	pc, err := openstack.NewClient(c.cfg.AuthURL)
	if err != nil {
		return fmt.Errorf("auth_url %q of cloud %q: %w", c.cfg.AuthURL, c.cfg.Name, err)
	}
	pc.HTTPClient = *c.http
	pc.UserAgent = c.userAgent()
	pc.EndpointLocator = locator(c.catalog, c.cfg.Interface, c.cfg.Region)

	var e *cacheEntry
	if !c.opts.Fresh {
		e = c.cache.load(c.key)
	}
	if e.fresh(c.now()) {
		pc.SetToken(e.TokenID)
		c.capsMu.Lock()
		c.cachedLogin = true
		c.capsMu.Unlock()
	} else {
		var res gophercloud.AuthResult
		e, res, err = c.login(ctx)
		if err != nil {
			return err
		}
		if err := pc.SetTokenAndAuthResult(res); err != nil {
			return fmt.Errorf("authenticate to %s: %w", c.cfg.AuthURL, err)
		}
		c.save(e)
	}
	c.mu.Lock()
	c.entry = e
	c.mu.Unlock()
	// A 401 (token revoked, or expired early) logs in again once per
	// request and rewrites the cache.
	pc.ReauthFunc = func(ctx context.Context) error { return c.reauth(ctx, pc) }
	c.pc = pc
	return nil
}

// reauth replaces a rejected token with a new one.
func (c *Conn) reauth(ctx context.Context, pc *gophercloud.ProviderClient) error {
	c.cache.remove(c.key)
	e, res, err := c.login(ctx)
	if err != nil {
		return err
	}
	if err := pc.SetTokenAndAuthResult(res); err != nil {
		return err
	}
	c.mu.Lock()
	// Capabilities belong to the cloud, not the token: keep them.
	if c.entry != nil && e.Caps == nil {
		e.Caps = c.entry.Caps
	}
	c.entry = e
	c.mu.Unlock()
	c.save(e)
	return nil
}

// save writes the entry to the cache; failing to cache is not fatal, only
// slower next time.
func (c *Conn) save(e *cacheEntry) {
	if err := c.cache.store(c.key, e); err != nil {
		c.debugf("%v", err)
	}
}

func (c *Conn) current() *cacheEntry {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.entry
}

func (c *Conn) catalog() []tokens.CatalogEntry {
	if e := c.current(); e != nil {
		return e.Catalog
	}
	return nil
}

func (c *Conn) userAgent() gophercloud.UserAgent {
	var ua gophercloud.UserAgent
	if c.opts.UserAgent != "" {
		ua.Prepend(c.opts.UserAgent)
	}
	return ua
}

func (c *Conn) debugf(format string, args ...any) {
	if c.opts.Debug != nil {
		fmt.Fprintf(c.opts.Debug, "cloud: "+format+"\n", args...)
	}
}

// Token returns the current token's ID, authenticating if needed.
func (c *Conn) Token(ctx context.Context) (string, error) {
	if err := c.ensure(ctx); err != nil {
		return "", err
	}
	return c.pc.Token(), nil
}

// ServiceClient returns a new client for a catalog service type (aliases
// such as "block-storage" and "volume" accepted) with ostui's default
// microversion for it. Each call returns a fresh copy, so a tool may set
// Microversion or MoreHeaders without affecting others; the token is
// shared.
func (c *Conn) ServiceClient(ctx context.Context, serviceType string) (*gophercloud.ServiceClient, error) {
	if err := c.ensure(ctx); err != nil {
		return nil, err
	}
	canonical := CanonicalType(serviceType)
	_, url, err := findEndpoint(c.catalog(), canonical, c.cfg.Interface, c.cfg.Region)
	if err != nil {
		return nil, err
	}
	sc := &gophercloud.ServiceClient{
		ProviderClient: c.pc,
		Endpoint:       url,
		ResourceBase:   resourceBase(canonical, url),
		Type:           canonical,
	}
	if _, versioned := defaultMicroversions[canonical]; versioned {
		caps, err := c.Capabilities(ctx)
		if err != nil {
			return nil, err
		}
		svc := caps.Services[canonical]
		if svc.MaxMicroversion == "" {
			svc = c.rediscover(ctx, svc)
		}
		sc.Microversion = defaultMicroversion(svc)
	}
	return sc, nil
}

// Capabilities returns the catalog with each service's version and
// microversion range. Discovery runs once per token, concurrently across
// services, and is cached with the token.
func (c *Conn) Capabilities(ctx context.Context) (*Capabilities, error) {
	if err := c.ensure(ctx); err != nil {
		return nil, err
	}
	c.capsMu.Lock()
	defer c.capsMu.Unlock()
	e := c.current()
	regions := catalogRegions(e.Catalog)
	if e.Caps != nil {
		return &Capabilities{Services: maps.Clone(e.Caps), Regions: regions, Region: c.cfg.Region}, nil
	}
	if c.partial != nil {
		return &Capabilities{Services: maps.Clone(c.partial), Regions: regions, Region: c.cfg.Region}, nil
	}
	services, complete := c.discover(ctx, e.Catalog)
	c.keep(e, services, complete)
	return &Capabilities{Services: maps.Clone(services), Regions: regions, Region: c.cfg.Region}, nil
}

// RefreshCatalog logs in again when this Conn took its token, and so its
// service catalog, from the cache: a service added to the cloud since
// (metrics, say) is then seen without waiting for the token to expire.
// The gate calls it before saying a service is missing. It logs in at
// most once per Conn and reports whether it did.
func (c *Conn) RefreshCatalog(ctx context.Context) (bool, error) {
	if err := c.ensure(ctx); err != nil {
		return false, err
	}
	c.capsMu.Lock()
	defer c.capsMu.Unlock()
	if !c.cachedLogin || c.catalogRefreshed {
		return false, nil
	}
	c.catalogRefreshed = true
	e, res, err := c.login(ctx)
	if err != nil {
		return false, err
	}
	if err := c.pc.SetTokenAndAuthResult(res); err != nil {
		return false, fmt.Errorf("authenticate to %s: %w", c.cfg.AuthURL, err)
	}
	c.mu.Lock()
	c.entry = e
	c.mu.Unlock()
	c.partial = nil
	c.save(e)
	return true, nil
}

// keep records a discovery: a complete one with the token (and on disk),
// a partial one for this Conn only.
func (c *Conn) keep(e *cacheEntry, services map[string]Service, complete bool) {
	if !complete {
		c.partial = services
		return
	}
	c.partial = nil
	c.mu.Lock()
	if c.entry == e {
		updated := *e
		updated.Caps = services
		c.entry = &updated
		e = &updated
	}
	c.mu.Unlock()
	c.save(e)
}

// rediscover asks one microversioned service again after it failed to
// answer the first discovery, so that a service that was briefly down
// gets its microversion once it is back.
func (c *Conn) rediscover(ctx context.Context, svc Service) Service {
	c.capsMu.Lock()
	defer c.capsMu.Unlock()
	if c.partial == nil {
		return svc
	}
	// A service whose version document keeps failing is asked again at
	// most once a minute, not on every client a command makes.
	now := time.Now
	if c.clock != nil {
		now = c.clock
	}
	if last, ok := c.rediscovered[svc.Type]; ok && now().Sub(last) < time.Minute {
		return svc
	}
	if c.rediscovered == nil {
		c.rediscovered = map[string]time.Time{}
	}
	c.rediscovered[svc.Type] = now()
	got, err := c.discoverOne(ctx, svc)
	if err != nil {
		c.debugf("discover %s at %s: %v", svc.Type, svc.Endpoint, err)
		return svc
	}
	services := maps.Clone(c.partial)
	services[svc.Type] = got
	complete := true
	for typ := range defaultMicroversions {
		if s, ok := services[typ]; ok && s.MaxMicroversion == "" {
			complete = false
		}
	}
	c.keep(c.current(), services, complete)
	return got
}

// TokenInfo is what the token says about who is logged in, for whoami.
type TokenInfo struct {
	UserID        string
	UserName      string
	UserDomain    string
	ProjectID     string
	ProjectName   string
	ProjectDomain string
	Roles         []string
	ExpiresAt     time.Time
}

// TokenInfo returns the identity behind the current token (from the
// cache when warm).
func (c *Conn) TokenInfo(ctx context.Context) (*TokenInfo, error) {
	if err := c.ensure(ctx); err != nil {
		return nil, err
	}
	e := c.current()
	ti := &TokenInfo{
		UserID: e.User.ID, UserName: e.User.Name, UserDomain: e.User.Domain.Name,
		Roles: append([]string(nil), e.Roles...), ExpiresAt: e.ExpiresAt,
	}
	if e.Project != nil {
		ti.ProjectID, ti.ProjectName, ti.ProjectDomain = e.Project.ID, e.Project.Name, e.Project.Domain.Name
	}
	return ti, nil
}

// Scope is who and where the connection acts, from the configuration
// alone, for the prompt.
type Scope struct {
	Cloud   string
	Project string // name, else ID
	User    string // name, else ID
	Region  string
}

// Scope returns the cloud, project, user and region without any I/O.
func (c *Conn) Scope() Scope {
	s := Scope{Cloud: c.cfg.Name, Project: c.cfg.ProjectName, User: c.cfg.Username, Region: c.cfg.Region}
	if s.Project == "" {
		s.Project = c.cfg.ProjectID
	}
	if s.User == "" {
		s.User = c.cfg.UserID
	}
	return s
}
