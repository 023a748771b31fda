package cloud

import (
	"fmt"
	"sort"
	"strings"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/tokens"
)

// volumeTypes are the names the block storage service goes by; catalogs
// list any of them (often two at once, for the same endpoint).
var volumeTypes = []string{"volumev3", "block-storage", "block-store", "volume"}

// CanonicalType maps a service type or one of its aliases to the key
// ostui uses in Capabilities.Services: the block storage aliases
// ("block-storage", "volume", ...) become "volumev3"; other types are
// returned as given.
func CanonicalType(t string) string {
	for _, v := range volumeTypes {
		if t == v {
			return "volumev3"
		}
	}
	return t
}

// aliasesOf returns the catalog types that may hold a canonical type, in
// order of preference.
func aliasesOf(canonical string) []string {
	if canonical == "volumev3" {
		return volumeTypes
	}
	return []string{canonical}
}

// findEndpoint looks a service up in the catalog by type (aliases
// included), interface and region. It reads no network.
func findEndpoint(catalog []tokens.CatalogEntry, serviceType, iface, region string) (tokens.CatalogEntry, string, error) {
	canonical := CanonicalType(serviceType)
	for _, t := range aliasesOf(canonical) {
		for _, entry := range catalog {
			if entry.Type != t {
				continue
			}
			for _, ep := range entry.Endpoints {
				if ep.Interface != iface {
					continue
				}
				if region != "" && ep.Region != region && ep.RegionID != region {
					continue
				}
				return entry, gophercloud.NormalizeURL(ep.URL), nil
			}
		}
	}
	return tokens.CatalogEntry{}, "", &NoEndpointError{Type: serviceType, Interface: iface, Region: region, Available: catalogTypes(catalog)}
}

func catalogTypes(catalog []tokens.CatalogEntry) []string {
	var out []string
	for _, e := range catalog {
		out = append(out, e.Type)
	}
	return out
}

// catalogRegions lists the distinct regions of every endpoint, sorted.
func catalogRegions(catalog []tokens.CatalogEntry) []string {
	seen := map[string]bool{}
	var out []string
	for _, e := range catalog {
		for _, ep := range e.Endpoints {
			r := ep.Region
			if r == "" {
				r = ep.RegionID
			}
			if r != "" && !seen[r] {
				seen[r] = true
				out = append(out, r)
			}
		}
	}
	sort.Strings(out)
	return out
}

// NoEndpointError means the catalog has no endpoint for a service with
// the interface and region in use.
type NoEndpointError struct {
	Type      string
	Interface string
	Region    string
	Available []string
}

func (e *NoEndpointError) Error() string {
	where := e.Interface + " endpoint"
	if e.Region != "" {
		where += " in region " + e.Region
	}
	return fmt.Sprintf("this cloud offers no %s service (%s); the catalog has: %s",
		e.Type, where, strings.Join(e.Available, ", "))
}

// resourceBase is where a service's resources live relative to its
// catalog endpoint, as gophercloud's openstack.New*V* constructors lay
// them out: network, image and load-balancer endpoints are unversioned.
func resourceBase(canonical, endpoint string) string {
	suffix := map[string]string{
		"network":       "v2.0/",
		"image":         "v2/",
		"load-balancer": "v2.0/",
		"dns":           "v2/",
		"key-manager":   "v1/",
	}[canonical]
	if suffix == "" || strings.HasSuffix(endpoint, suffix) {
		return ""
	}
	return endpoint + suffix
}

// locator is an EndpointLocator over a catalog, for gophercloud helpers
// that look endpoints up themselves.
func locator(catalog func() []tokens.CatalogEntry, iface, region string) gophercloud.EndpointLocator {
	return func(eo gophercloud.EndpointOpts) (string, error) {
		i := string(eo.Availability)
		if i == "" {
			i = iface
		}
		r := eo.Region
		if r == "" {
			r = region
		}
		_, url, err := findEndpoint(catalog(), eo.Type, i, r)
		return url, err
	}
}
