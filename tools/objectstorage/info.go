package objectstorage

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/gophercloud/gophercloud/v2"

	"github.com/kriscelmer/os-tui/tools"
)

// Info is what a Swift cluster says of itself at /info: its limits and
// the middleware its proxy runs. Features such as container quotas,
// versioning, temp URLs and SLO are middleware an operator may leave out,
// so a tool that needs one asks Info first.
type Info struct {
	// Published is false when the cluster does not answer /info (an
	// operator may turn it off): nothing is known, and tools say so
	// rather than guess.
	Published bool
	Swift     SwiftInfo
	// Middleware lists the top-level sections of /info ("slo",
	// "tempurl", "container_quotas", ...).
	Middleware map[string]map[string]json.RawMessage
}

// SwiftInfo is the "swift" section of /info.
type SwiftInfo struct {
	Version                string
	MaxFileSize            int64
	MaxObjectNameLength    int
	MaxContainerNameLength int
	Policies               []Policy
}

// Policy is a storage policy.
type Policy struct {
	Name    string `json:"name"`
	Aliases string `json:"aliases"`
	Default bool   `json:"default"`
}

// Feature names in /info, and what each gives.
const (
	FeatureSLO              = "slo"
	FeatureTempURL          = "tempurl"
	FeatureBulkDelete       = "bulk_delete"
	FeatureContainerQuotas  = "container_quotas"
	FeatureAccountQuotas    = "account_quotas"
	FeatureVersionedWrites  = "versioned_writes"
	FeatureObjectVersioning = "object_versioning"
)

// featureWhat says, for a missing feature, what the person cannot do.
var featureWhat = map[string]string{
	FeatureSLO:              "static large objects (segmented uploads)",
	FeatureTempURL:          "temporary URLs",
	FeatureBulkDelete:       "bulk delete",
	FeatureContainerQuotas:  "container quotas",
	FeatureAccountQuotas:    "account quotas",
	FeatureVersionedWrites:  "versions and history locations (X-Versions-Location, X-History-Location)",
	FeatureObjectVersioning: "object versioning (X-Versions-Enabled)",
}

// infoURL is the /info of the cluster whose account endpoint is given:
// Swift serves it beside /v1, at the root of the proxy.
func infoURL(endpoint string) string {
	if i := strings.Index(endpoint, "/v1/"); i >= 0 {
		return endpoint[:i] + "/info"
	}
	if i := strings.Index(endpoint, "/v1"); i >= 0 && strings.HasSuffix(endpoint, "/v1") {
		return endpoint[:i] + "/info"
	}
	return strings.TrimSuffix(endpoint, "/") + "/info"
}

// GetInfo reads /info. A cluster that does not publish it yields an Info
// with Published false, not an error: tools then say what they cannot
// check.
func GetInfo(ctx context.Context, c *gophercloud.ServiceClient) (*Info, error) {
	var raw map[string]json.RawMessage
	resp, err := c.Get(ctx, infoURL(c.Endpoint), &raw, &gophercloud.RequestOpts{ //nolint:bodyclose // closed by gophercloud
		OkCodes: []int{http.StatusOK},
	})
	if err != nil {
		if resp != nil || gophercloud.ResponseCodeIs(err, http.StatusNotFound) || gophercloud.ResponseCodeIs(err, http.StatusUnauthorized) {
			return &Info{}, nil
		}
		return nil, fmt.Errorf("read the cluster's capabilities (/info): %w", err)
	}
	info := &Info{Published: true, Middleware: map[string]map[string]json.RawMessage{}}
	for k, v := range raw {
		var section map[string]json.RawMessage
		if err := json.Unmarshal(v, &section); err != nil {
			section = map[string]json.RawMessage{}
		}
		info.Middleware[k] = section
	}
	if sw := info.Middleware["swift"]; sw != nil {
		info.Swift = SwiftInfo{
			MaxFileSize:            jsonInt(sw, "max_file_size"),
			MaxObjectNameLength:    int(jsonInt(sw, "max_object_name_length")),
			MaxContainerNameLength: int(jsonInt(sw, "max_container_name_length")),
		}
		_ = json.Unmarshal(sw["version"], &info.Swift.Version)
		_ = json.Unmarshal(sw["policies"], &info.Swift.Policies)
	}
	return info, nil
}

// Has reports whether the cluster runs a feature. Without /info it
// answers true: the cloud will refuse what it lacks, and a Warn from
// Require says so beforehand.
func (i *Info) Has(feature string) bool {
	if i == nil || !i.Published {
		return true
	}
	_, ok := i.Middleware[feature]
	return ok
}

// Require adds a finding when the cluster lacks a feature the step needs:
// a Block when /info says it is missing, a Warn when /info is not
// published and nobody can tell.
func (i *Info) Require(chk *tools.Check, feature, consequence string) {
	what := featureWhat[feature]
	if what == "" {
		what = feature
	}
	switch {
	case i == nil || !i.Published:
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Warn,
			Text: fmt.Sprintf("this cluster does not publish /info, so ostui cannot tell whether it supports %s; %s", what, consequence)})
	case !i.Has(feature):
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block,
			Text: fmt.Sprintf("this cluster's Swift does not run the %s middleware (no %q in /info), so it has no %s; %s", feature, feature, what, consequence)})
	}
}

// Int returns an integer setting of a feature, or def.
func (i *Info) Int(feature, key string, def int64) int64 {
	if i == nil || i.Middleware[feature] == nil {
		return def
	}
	if v := jsonInt(i.Middleware[feature], key); v > 0 {
		return v
	}
	return def
}

// Strings returns a list setting of a feature (tempurl methods, digests).
func (i *Info) Strings(feature, key string) []string {
	if i == nil || i.Middleware[feature] == nil {
		return nil
	}
	var out []string
	_ = json.Unmarshal(i.Middleware[feature][key], &out)
	return out
}

// Policy finds a storage policy by name or alias; ok is false when the
// cluster has none of that name. Without /info every name passes.
func (i *Info) Policy(name string) (Policy, bool) {
	if i == nil || !i.Published || len(i.Swift.Policies) == 0 {
		return Policy{Name: name}, true
	}
	for _, p := range i.Swift.Policies {
		if strings.EqualFold(p.Name, name) {
			return p, true
		}
		for _, a := range strings.Split(p.Aliases, ",") {
			if strings.EqualFold(strings.TrimSpace(a), name) {
				return p, true
			}
		}
	}
	return Policy{}, false
}

// PolicyNames lists the cluster's policies, for a finding.
func (i *Info) PolicyNames() string {
	var names []string
	for _, p := range i.Swift.Policies {
		n := p.Name
		if p.Default {
			n += " (default)"
		}
		names = append(names, n)
	}
	return strings.Join(names, ", ")
}

// AllowsFlag reports whether versioned_writes allows a header
// ("x-versions-location", "x-history-location").
func (i *Info) AllowsFlag(flag string) bool {
	if i == nil || !i.Published {
		return true
	}
	flags := i.Strings(FeatureVersionedWrites, "allowed_flags")
	if flags == nil {
		return i.Has(FeatureVersionedWrites)
	}
	return slices.ContainsFunc(flags, func(f string) bool { return strings.EqualFold(f, flag) })
}
