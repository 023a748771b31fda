// Package toolstest is a fake, pre-authenticated cloud for unit tests of
// tools: an httptest server whose routes are stubbed per test, and a
// tools.Clients whose service clients point at it exactly as gophercloud
// would point them at a real cloud. Every stub must be called: Verify runs
// at cleanup and fails the test for any stub nobody used.
package toolstest

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/gophercloud/gophercloud/v2"

	"github.com/kriscelmer/os-tui/internal/cloud"
	"github.com/kriscelmer/os-tui/tools"
)

// TokenID is the fake token every client carries.
const TokenID = "cbc36478b0bd8e67e89469c7749d4127"

// Path prefixes under which each service is served by the fake cloud.
const (
	ComputePrefix  = "/compute/v2.1"
	NetworkPrefix  = "/network/v2.0"
	ImagePrefix    = "/image/v2"
	VolumePrefix   = "/volume/v3/project-id"
	IdentityPrefix = "/identity/v3"
)

// Cloud is a fake cloud for one test.
type Cloud struct {
	t      testing.TB
	Server *httptest.Server
	Caps   *cloud.Capabilities

	mu    sync.Mutex
	stubs []*stub
	// Requests counts every request by "METHOD /path".
	requests map[string]int
}

type stub struct {
	method, path string
	handler      http.HandlerFunc
	calls        int
	optional     bool
}

// New starts a fake cloud and registers its Verify and shutdown as cleanup.
func New(t testing.TB) *Cloud {
	t.Helper()
	c := &Cloud{t: t, requests: map[string]int{}}
	c.Server = httptest.NewServer(http.HandlerFunc(c.serve))
	c.Caps = &cloud.Capabilities{Services: map[string]cloud.Service{}}
	for _, s := range []cloud.Service{
		{Type: "compute", Name: "nova", Endpoint: c.Server.URL + ComputePrefix + "/", Version: "v2.1", MinMicroversion: "2.1", MaxMicroversion: "2.93"},
		{Type: "network", Name: "neutron", Endpoint: c.Server.URL + "/network/", Version: "v2.0"},
		{Type: "image", Name: "glance", Endpoint: c.Server.URL + "/image/", Version: "v2"},
		{Type: "volumev3", Name: "cinderv3", Endpoint: c.Server.URL + VolumePrefix + "/", Version: "v3", MinMicroversion: "3.0", MaxMicroversion: "3.70"},
		{Type: "identity", Name: "keystone", Endpoint: c.Server.URL + IdentityPrefix + "/", Version: "v3"},
	} {
		s.Region = "RegionOne"
		c.Caps.Services[s.Type] = s
	}
	t.Cleanup(func() {
		c.Server.Close()
		c.Verify()
	})
	return c
}

// Handle stubs METHOD path with a fixed status and JSON body. path is the
// full path including the service prefix, e.g. ComputePrefix+"/servers/detail".
func (c *Cloud) Handle(method, path string, status int, body string) {
	c.HandleFunc(method, path, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Openstack-Request-Id", "req-"+strings.ReplaceAll(strings.Trim(path, "/"), "/", "-"))
		w.WriteHeader(status)
		fmt.Fprint(w, body)
	})
}

// HandleFunc stubs METHOD path with a handler (to assert on the query or
// body, or to vary the answer).
func (c *Cloud) HandleFunc(method, path string, h http.HandlerFunc) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stubs = append(c.stubs, &stub{method: method, path: path, handler: h})
}

// Optional stubs a route that a test allows but does not require.
func (c *Cloud) Optional(method, path string, status int, body string) {
	c.Handle(method, path, status, body)
	c.mu.Lock()
	c.stubs[len(c.stubs)-1].optional = true
	c.mu.Unlock()
}

// OptionalFunc is Optional with a handler: a route a test allows (and
// answers by the query, say) but does not require.
func (c *Cloud) OptionalFunc(method, path string, h http.HandlerFunc) {
	c.HandleFunc(method, path, h)
	c.mu.Lock()
	c.stubs[len(c.stubs)-1].optional = true
	c.mu.Unlock()
}

// Calls returns how many times METHOD path was requested.
func (c *Cloud) Calls(method, path string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.requests[method+" "+path]
}

// Verify fails the test for every required stub that was never called.
func (c *Cloud) Verify() {
	c.t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range c.stubs {
		if s.calls == 0 && !s.optional {
			c.t.Errorf("toolstest: stub %s %s was never called", s.method, s.path)
		}
	}
}

func (c *Cloud) serve(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	c.requests[r.Method+" "+r.URL.Path]++
	var found *stub
	for _, s := range c.stubs {
		if s.method == r.Method && s.path == r.URL.Path {
			found = s
			break
		}
	}
	if found != nil {
		found.calls++
	}
	c.mu.Unlock()
	if r.Header.Get("X-Auth-Token") != TokenID {
		c.t.Errorf("toolstest: %s %s without the token", r.Method, r.URL.Path)
	}
	if found == nil {
		c.t.Errorf("toolstest: unexpected request %s %s", r.Method, r.URL.String())
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprintf(w, `{"itemNotFound": {"message": "no stub for %s %s", "code": 404}}`, r.Method, r.URL.Path)
		return
	}
	found.handler(w, r)
}

// Env returns a tools.Env wired to this fake cloud, with fresh caches.
func (c *Cloud) Env() *tools.Env { return tools.NewEnv(c) }

// ServiceClient implements tools.Clients: it returns a client laid out
// the way gophercloud's openstack.New*V* constructors lay them out.
func (c *Cloud) ServiceClient(_ context.Context, serviceType string) (*gophercloud.ServiceClient, error) {
	if serviceType == "block-storage" || serviceType == "volume" {
		serviceType = "volumev3"
	}
	svc, ok := c.Caps.Services[serviceType]
	if !ok {
		return nil, fmt.Errorf("the cloud has no %s service in its catalog", serviceType)
	}
	sc := &gophercloud.ServiceClient{
		// The same read-only guard as the real cloud: a Check or Preview
		// run under cloud.WithReadOnly cannot write here either.
		ProviderClient: &gophercloud.ProviderClient{TokenID: TokenID, HTTPClient: http.Client{Transport: cloud.ReadOnlyTransport(http.DefaultTransport)}},
		Endpoint:       svc.Endpoint,
		Type:           serviceType,
	}
	switch serviceType {
	case "network":
		sc.ResourceBase = svc.Endpoint + "v2.0/"
	case "image":
		sc.ResourceBase = svc.Endpoint + "v2/"
	}
	return sc, nil
}

// Capabilities implements tools.Clients.
func (c *Cloud) Capabilities(context.Context) (*cloud.Capabilities, error) { return c.Caps, nil }

// Token implements tools.Clients.
func (c *Cloud) Token(context.Context) (string, error) { return TokenID, nil }
