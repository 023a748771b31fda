// Package telemetry is the kernel of OpenStack's telemetry services: the
// metrics service a cloud offers (Gnocchi, or the older Ceilometer v2 API,
// or Monasca), found through the service catalog and read through one
// Backend interface, and Aodh's alarms. gophercloud has no package for any
// of them, so each adapter is a small client over gophercloud's
// ServiceClient (client.Get/Post/Put/Delete with JSON): the token, the
// catalog, retries, the read-only preflight transport and the debug log
// stay the ones every other tool uses.
package telemetry

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/gophercloud/gophercloud/v2"

	"github.com/kriscelmer/os-tui/tools"
)

// Catalog types of the telemetry services.
const (
	// MetricService is Gnocchi's catalog type.
	MetricService = "metric"
	// MeteringService is Ceilometer's own API (v2, removed upstream in
	// Queens but still found on older clouds).
	MeteringService = "metering"
	// MonitoringService is Monasca's catalog type.
	MonitoringService = "monitoring"
	// AlarmingService is Aodh's catalog type.
	AlarmingService = "alarming"
	// ReadService is the service the metric tools declare to the gate:
	// any one of the three backends will do (the gate and the planner
	// read "|" as "or"); the tool finds which one the catalog has
	// (Detect).
	ReadService = MetricService + "|" + MeteringService + "|" + MonitoringService
)

// ErrNoMetrics is the answer on a cloud without a metrics service.
var ErrNoMetrics error = &tools.NotOfferedError{Msg: "this cloud has no metrics service (Gnocchi, Ceilometer or Monasca) in its catalog; see /catalog"}

// Metric is one time series, as any backend describes it.
type Metric struct {
	ID         string
	Name       string
	Unit       string
	ResourceID string
	// ArchivePolicy is Gnocchi's archive policy name; empty elsewhere.
	ArchivePolicy string
	// Granularities are the policy's granularities in seconds, finest
	// first (Gnocchi only).
	Granularities []float64
	// Aggregations are the aggregation methods the policy keeps.
	Aggregations []string
	Creator      string
	// Dimensions are Monasca's; Type is Ceilometer's meter type.
	Dimensions map[string]string
	Type       string
}

// Point is one aggregated measure.
type Point struct {
	Time time.Time
	// Granularity is the aggregation period in seconds.
	Granularity float64
	Value       float64
}

// Query asks for the measures of one metric.
type Query struct {
	ResourceID string
	Start      time.Time
	Stop       time.Time // zero: now
	// Granularity in seconds; 0 lets the backend choose (the finest the
	// answer holds is kept).
	Granularity float64
	// Aggregation is Gnocchi's method name: mean, min, max, sum, count,
	// last, ... Adapters map it to their own (Ceilometer's avg).
	Aggregation string
}

// Backend is a metrics service's read path.
type Backend interface {
	// Name is the service's product name, for sentences: "Gnocchi".
	Name() string
	// Metrics lists the metrics of a resource, or every metric the
	// project can see when resourceID is "". A resource the service has
	// never heard of is a *NoResourceError.
	Metrics(ctx context.Context, resourceID string) ([]Metric, error)
	// Metric finds one metric: by ID, or by name within a resource.
	Metric(ctx context.Context, resourceID, nameOrID string) (*Metric, error)
	// Measures reads a metric's aggregated measures, oldest first.
	Measures(ctx context.Context, m *Metric, q Query) ([]Point, error)
}

// NoResourceError says the metrics service has no record of a resource.
type NoResourceError struct {
	Backend  string
	Resource string // what the person typed, or the ID
}

func (e *NoResourceError) Error() string {
	return fmt.Sprintf("%s has no metrics for %s: nothing has been measured for it yet (Ceilometer's agents create a server's metrics when they first poll it)", e.Backend, e.Resource)
}

// UnknownMetricError says a resource has no metric of that name.
type UnknownMetricError struct {
	Resource string
	Metric   string
	Known    []string
}

func (e *UnknownMetricError) Error() string {
	if e.Resource == "" {
		return fmt.Sprintf("no metric named or with ID %q", e.Metric)
	}
	if len(e.Known) == 0 {
		return fmt.Sprintf("%s has no metric %q, and no metrics at all yet", e.Resource, e.Metric)
	}
	return fmt.Sprintf("%s has no metric %q; it has: %s", e.Resource, e.Metric, strings.Join(e.Known, ", "))
}

// Detect finds the metrics service in the catalog, preferring Gnocchi
// (the one Ceilometer has written to since Queens), then Ceilometer's own
// v2 API, then Monasca.
func Detect(ctx context.Context, env *tools.Env) (Backend, error) {
	caps, err := env.Clients.Capabilities(ctx)
	if err != nil {
		return nil, err
	}
	switch {
	case caps.Has(MetricService):
		c, err := client(ctx, env, MetricService, "v1/")
		if err != nil {
			return nil, err
		}
		return &Gnocchi{Client: c}, nil
	case caps.Has(MeteringService):
		c, err := client(ctx, env, MeteringService, "v2/")
		if err != nil {
			return nil, err
		}
		return &Ceilometer{Client: c}, nil
	case caps.Has(MonitoringService):
		c, err := client(ctx, env, MonitoringService, "v2.0/")
		if err != nil {
			return nil, err
		}
		return &Monasca{Client: c}, nil
	}
	return nil, ErrNoMetrics
}

// AlarmClient returns Aodh's client, or a sentence when the cloud has none.
func AlarmClient(ctx context.Context, env *tools.Env) (*Aodh, error) {
	caps, err := env.Clients.Capabilities(ctx)
	if err != nil {
		return nil, err
	}
	if !caps.Has(AlarmingService) {
		return nil, errors.New("this cloud has no alarming service (Aodh) in its catalog; see /catalog")
	}
	c, err := client(ctx, env, AlarmingService, "v2/")
	if err != nil {
		return nil, err
	}
	return &Aodh{Client: c}, nil
}

// client returns a service client whose ResourceBase is the versioned
// root: the catalogs of these services list the bare endpoint
// (http://host:8041) or, for Monasca, often the versioned one.
func client(ctx context.Context, env *tools.Env, serviceType, version string) (*gophercloud.ServiceClient, error) {
	c, err := env.Clients.ServiceClient(ctx, serviceType)
	if err != nil {
		return nil, fmt.Errorf("%s service: %w", serviceType, err)
	}
	base := c.Endpoint
	if !strings.HasSuffix(base, "/") {
		base += "/"
	}
	if !strings.HasSuffix(base, version) {
		base += version
	}
	c.ResourceBase = base
	return c, nil
}

// get reads url into out: every read of this package goes through it.
// gophercloud decodes the JSON answer and closes the body, which the
// bodyclose linter cannot see.
func get(ctx context.Context, c *gophercloud.ServiceClient, url string, out any) error {
	_, err := c.Get(ctx, url, out, nil) //nolint:bodyclose // closed by gophercloud
	return err
}

// escape is a URL path segment: metric names hold dots and slashes
// (disk.device.read.bytes, Monasca's cpu.utilization_perc).
func escape(s string) string { return url.PathEscape(s) }

// timeLayouts are the timestamp forms the services answer with: Gnocchi
// and Monasca in RFC 3339, Ceilometer without a zone (UTC).
var timeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999", "2006-01-02T15:04:05"}

// ParseTime reads a service's timestamp; a zone-less one is UTC.
func ParseTime(s string) (time.Time, error) {
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("cannot read the timestamp %q", s)
}

// apiTime is the form every service accepts in a query.
func apiTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05") }

// Finest keeps the points of the finest granularity in pts: Gnocchi
// answers every granularity of the archive policy at once when none is
// asked for, and a sparkline draws one series.
func Finest(pts []Point) []Point {
	if len(pts) == 0 {
		return pts
	}
	g := math.Inf(1)
	for _, p := range pts {
		if p.Granularity > 0 && p.Granularity < g {
			g = p.Granularity
		}
	}
	var out []Point
	for _, p := range pts {
		if p.Granularity == g || math.IsInf(g, 1) {
			out = append(out, p)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time.Before(out[j].Time) })
	return out
}

// Names returns the metrics' names, sorted and without repeats.
func Names(ms []Metric) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range ms {
		if !seen[m.Name] {
			seen[m.Name] = true
			out = append(out, m.Name)
		}
	}
	sort.Strings(out)
	return out
}

// find picks a metric by ID or name from a resource's list.
func find(ms []Metric, resource, nameOrID string) (*Metric, error) {
	for i := range ms {
		if ms[i].ID == nameOrID {
			return &ms[i], nil
		}
	}
	for i := range ms {
		if ms[i].Name == nameOrID {
			return &ms[i], nil
		}
	}
	return nil, &UnknownMetricError{Resource: resource, Metric: nameOrID, Known: Names(ms)}
}
