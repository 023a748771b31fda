package cloud

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/tokens"
)

// Default microversions ostui asks for. A newer one changes response
// shapes (Nova 2.80+ and Cinder 3.60+ are beyond what ostui's tools were
// written and tested against), so the default is the lower of these and
// what the cloud supports; a tool needing more sets Microversion on its
// own copy of the client.
const (
	ComputeMicroversion = "2.79"
	VolumeMicroversion  = "3.59"
)

// defaultMicroversions caps the microversion per canonical service type.
var defaultMicroversions = map[string]string{
	"compute":  ComputeMicroversion,
	"volumev3": VolumeMicroversion,
}

// versionDoc is a version discovery document: a single version
// ({"version": {...}}), a list ({"versions": [...]}) or Keystone's
// ({"versions": {"values": [...]}}).
type versionDoc struct {
	Version  *versionInfo    `json:"version"`
	Versions json.RawMessage `json:"versions"`
}

type versionInfo struct {
	ID         string `json:"id"`
	Status     string `json:"status"`
	Version    string `json:"version"`     // max microversion (Nova, Cinder)
	MaxVersion string `json:"max_version"` // max microversion (Placement, Ironic)
	MinVersion string `json:"min_version"`
}

func (d versionDoc) all() []versionInfo {
	if d.Version != nil {
		return []versionInfo{*d.Version}
	}
	var list []versionInfo
	if json.Unmarshal(d.Versions, &list) == nil {
		return list
	}
	var wrapped struct {
		Values []versionInfo `json:"values"`
	}
	if json.Unmarshal(d.Versions, &wrapped) == nil {
		return wrapped.Values
	}
	return nil
}

var versionInPath = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`/(v\d+(?:\.\d+)?)(?:/|$)`) })

// discoveryURL is where a service's version document lives: the
// versioned root for endpoints like .../v3/{project_id}, the endpoint
// itself when it carries no version.
func discoveryURL(endpoint string) (url, version string) {
	loc := versionInPath().FindStringSubmatchIndex(endpoint)
	if loc == nil {
		return endpoint, ""
	}
	return endpoint[:loc[3]] + "/", endpoint[loc[2]:loc[3]]
}

// pick chooses the version matching the endpoint's, else the CURRENT one,
// else the last listed.
func pick(versions []versionInfo, want string) (versionInfo, bool) {
	if len(versions) == 0 {
		return versionInfo{}, false
	}
	if want != "" {
		major := strings.SplitN(strings.TrimPrefix(want, "v"), ".", 2)[0]
		for _, v := range versions {
			if strings.SplitN(strings.TrimPrefix(v.ID, "v"), ".", 2)[0] == major {
				return v, true
			}
		}
	}
	for _, v := range versions {
		if strings.EqualFold(v.Status, "CURRENT") {
			return v, true
		}
	}
	return versions[len(versions)-1], true
}

// discover fills version and microversion ranges for every service of
// the catalog, concurrently. A service whose discovery fails keeps its
// catalog entry and the version from its URL; complete reports whether
// every microversioned service answered, so that a partial result is not
// cached for the token's lifetime.
func (c *Conn) discover(ctx context.Context, catalog []tokens.CatalogEntry) (services map[string]Service, complete bool) {
	services = map[string]Service{}
	for _, entry := range catalog {
		canonical := CanonicalType(entry.Type)
		if _, done := services[canonical]; done {
			continue
		}
		e, url, err := findEndpoint(catalog, canonical, c.cfg.Interface, c.cfg.Region)
		if err != nil {
			continue
		}
		services[canonical] = Service{Type: canonical, Name: e.Name, Endpoint: url, Region: c.cfg.Region}
	}
	var (
		mu sync.Mutex
		wg sync.WaitGroup
	)
	complete = true
	// Goroutines write into found, not services, which the loop reads.
	found := map[string]Service{}
	for typ, svc := range services {
		if typ == "object-store" {
			// Swift has no version document at its root; /info is
			// something else.
			_, svc.Version = discoveryURL(svc.Endpoint)
			mu.Lock()
			found[typ] = svc
			mu.Unlock()
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := c.discoverOne(ctx, svc)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if _, needed := defaultMicroversions[typ]; needed {
					complete = false
				}
				c.debugf("discover %s at %s: %v", typ, svc.Endpoint, err)
				_, got.Version = discoveryURL(svc.Endpoint)
			}
			found[typ] = got
		}()
	}
	wg.Wait()
	maps.Copy(services, found)
	return services, complete
}

func (c *Conn) discoverOne(ctx context.Context, svc Service) (Service, error) {
	url, want := discoveryURL(svc.Endpoint)
	var doc versionDoc
	// gophercloud closes the response body unless KeepResponseBody is set.
	_, err := c.pc.Request(ctx, "GET", url, &gophercloud.RequestOpts{ //nolint:bodyclose // closed by gophercloud
		JSONResponse: &doc,
		OkCodes:      []int{200, 300},
	})
	if err != nil {
		return svc, err
	}
	v, ok := pick(doc.all(), want)
	if !ok {
		return svc, fmt.Errorf("no versions in the document at %s", url)
	}
	svc.Version = v.ID
	svc.MinMicroversion = v.MinVersion
	svc.MaxMicroversion = v.Version
	if svc.MaxMicroversion == "" {
		svc.MaxMicroversion = v.MaxVersion
	}
	if svc.MaxMicroversion == "" {
		svc.MinMicroversion = ""
	}
	return svc, nil
}

// defaultMicroversion is the microversion a new client of a service gets:
// the lower of ostui's cap and the cloud's maximum; "" when the service
// has no microversions or ostui sets no default for it.
func defaultMicroversion(svc Service) string {
	capv, ok := defaultMicroversions[svc.Type]
	if !ok || svc.MaxMicroversion == "" {
		return ""
	}
	if MicroversionLess(svc.MaxMicroversion, capv) {
		return svc.MaxMicroversion
	}
	return capv
}

// MicroversionLess compares "X.Y" microversions numerically ("2.9" <
// "2.10"); "latest" (or anything else that is not X.Y) sorts last. It is
// the one comparison of microversions; tools ask Capabilities.Supports.
func MicroversionLess(a, b string) bool {
	am, an, aerr := parseMicroversion(a)
	bm, bn, berr := parseMicroversion(b)
	if aerr != nil || berr != nil {
		return aerr == nil && berr != nil
	}
	return am < bm || (am == bm && an < bn)
}

func parseMicroversion(s string) (int, int, error) {
	major, minor, ok := strings.Cut(s, ".")
	if !ok {
		return 0, 0, fmt.Errorf("microversion %q", s)
	}
	x, err := strconv.Atoi(major)
	if err != nil {
		return 0, 0, err
	}
	y, err := strconv.Atoi(minor)
	return x, y, err
}
