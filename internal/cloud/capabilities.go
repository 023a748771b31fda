package cloud

import (
	"sort"
	"strings"
)

// Service is one entry of the service catalog with what version discovery
// found at its endpoint.
type Service struct {
	Type     string // catalog type: "compute", "network", "volumev3", ...
	Name     string // catalog name: "nova", "neutron", ...
	Endpoint string // the endpoint ostui uses (interface and region applied)
	Region   string
	// Version is the API version in use ("v2.1", "v2.0", "v3").
	Version string
	// MinMicroversion and MaxMicroversion are empty when the service has
	// no microversions.
	MinMicroversion string
	MaxMicroversion string
}

// Capabilities is what the current cloud offers: its catalog, with
// microversion ranges where the service has them.
type Capabilities struct {
	Services map[string]Service // by type
	// Regions are every region named in the catalog, sorted, so that a
	// service missing only because of the chosen region can be explained.
	Regions []string
	// Region is the region ostui uses ("" when none is configured).
	Region string
}

// Has reports whether the catalog has a service of the given type.
// Types joined by "|" ("metric|metering|monitoring") ask for any one of
// them: a tool that works with several backends finds which one itself.
func (c *Capabilities) Has(serviceType string) bool {
	if c == nil {
		return false
	}
	for t := range strings.SplitSeq(serviceType, "|") {
		if _, ok := c.Services[t]; ok {
			return true
		}
	}
	return false
}

// Supports reports whether the catalog has a service of the given type
// whose microversion range holds microversion ("2.73"): the one question
// a tool asks before sending a field an older API refuses. A service
// without microversions supports none, and an empty microversion asks
// only whether the service is there.
func (c *Capabilities) Supports(serviceType, microversion string) bool {
	if c == nil {
		return false
	}
	svc, ok := c.Services[serviceType]
	if !ok {
		return false
	}
	return svc.Supports(microversion)
}

// Supports reports whether microversion lies in the service's range; see
// Capabilities.Supports. A range without a lower end starts at any version.
func (s Service) Supports(microversion string) bool {
	if microversion == "" {
		return true
	}
	if _, _, err := parseMicroversion(microversion); err != nil || s.MaxMicroversion == "" {
		return false
	}
	if s.MinMicroversion != "" && MicroversionLess(microversion, s.MinMicroversion) {
		return false
	}
	return !MicroversionLess(s.MaxMicroversion, microversion)
}

// Sorted returns the services ordered by type.
func (c *Capabilities) Sorted() []Service {
	if c == nil {
		return nil
	}
	out := make([]Service, 0, len(c.Services))
	for _, s := range c.Services {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Type < out[j].Type })
	return out
}
