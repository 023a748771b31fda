package telemetry

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/gophercloud/gophercloud/v2"
)

// Gnocchi reads metrics from Gnocchi's v1 API (catalog type "metric").
type Gnocchi struct {
	Client *gophercloud.ServiceClient
	// Refresh asks Gnocchi to aggregate measures not yet processed before
	// answering (the openstack CLI's --refresh): measures pushed a moment
	// ago, which metricd has not reached.
	Refresh bool
}

// Name implements Backend.
func (*Gnocchi) Name() string { return "Gnocchi" }

// gnocchiMetric is a metric as Gnocchi 4 answers it: the archive policy
// embedded (older releases name it only), the resource either as an ID
// or embedded.
type gnocchiMetric struct {
	ID                string          `json:"id"`
	Name              string          `json:"name"`
	Unit              *string         `json:"unit"`
	ResourceID        *string         `json:"resource_id"`
	Creator           string          `json:"creator"`
	ArchivePolicyName string          `json:"archive_policy_name"`
	ArchivePolicy     *archivePolicy  `json:"archive_policy"`
	Resource          json.RawMessage `json:"resource"`
}

type archivePolicy struct {
	Name               string   `json:"name"`
	AggregationMethods []string `json:"aggregation_methods"`
	Definition         []struct {
		Granularity json.RawMessage `json:"granularity"`
	} `json:"definition"`
}

func (g gnocchiMetric) metric() Metric {
	m := Metric{ID: g.ID, Name: g.Name, Creator: g.Creator, ArchivePolicy: g.ArchivePolicyName}
	if g.Unit != nil {
		m.Unit = *g.Unit
	}
	if g.ResourceID != nil {
		m.ResourceID = *g.ResourceID
	}
	if m.ResourceID == "" && len(g.Resource) > 0 {
		var r struct {
			ID string `json:"id"`
		}
		if json.Unmarshal(g.Resource, &r) == nil {
			m.ResourceID = r.ID
		}
	}
	if p := g.ArchivePolicy; p != nil {
		m.ArchivePolicy = p.Name
		m.Aggregations = append([]string(nil), p.AggregationMethods...)
		sort.Strings(m.Aggregations)
		for _, d := range p.Definition {
			if s, err := ParseGranularity(d.Granularity); err == nil {
				m.Granularities = append(m.Granularities, s)
			}
		}
		sort.Float64s(m.Granularities)
	}
	return m
}

// ParseGranularity reads an archive policy's granularity: Gnocchi writes
// it as a timedelta ("0:05:00", "1 day, 0:00:00") or, in requests, as
// seconds.
func ParseGranularity(raw json.RawMessage) (float64, error) {
	var n float64
	if err := json.Unmarshal(raw, &n); err == nil {
		return n, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return 0, fmt.Errorf("granularity %s is neither seconds nor a duration", raw)
	}
	return parseTimedelta(s)
}

func parseTimedelta(s string) (float64, error) {
	days := 0.0
	if d, rest, ok := strings.Cut(s, ","); ok {
		f := strings.Fields(d)
		if len(f) != 2 || !strings.HasPrefix(f[1], "day") {
			return 0, fmt.Errorf("cannot read the granularity %q", s)
		}
		n, err := strconv.ParseFloat(f[0], 64)
		if err != nil {
			return 0, fmt.Errorf("cannot read the granularity %q", s)
		}
		days, s = n, strings.TrimSpace(rest)
	} else if f := strings.Fields(s); len(f) == 2 && strings.HasPrefix(f[1], "day") {
		n, err := strconv.ParseFloat(f[0], 64)
		if err != nil {
			return 0, fmt.Errorf("cannot read the granularity %q", s)
		}
		return n * 86400, nil
	}
	parts := strings.Split(s, ":")
	if len(parts) != 3 {
		if n, err := strconv.ParseFloat(s, 64); err == nil {
			return n, nil
		}
		return 0, fmt.Errorf("cannot read the granularity %q", s)
	}
	total := days * 86400
	for i, mult := range []float64{3600, 60, 1} {
		n, err := strconv.ParseFloat(parts[i], 64)
		if err != nil {
			return 0, fmt.Errorf("cannot read the granularity %q", s)
		}
		total += n * mult
	}
	return total, nil
}

// Metrics implements Backend. A resource's metrics come from its own
// metric list, which also answers 404 for a resource Gnocchi does not know.
func (g *Gnocchi) Metrics(ctx context.Context, resourceID string) ([]Metric, error) {
	u := g.Client.ServiceURL("metric")
	if resourceID != "" {
		u = g.Client.ServiceURL("resource", "generic", escape(resourceID), "metric")
	}
	var raw []gnocchiMetric
	err := get(ctx, g.Client, u, &raw)
	if resourceID != "" && gophercloud.ResponseCodeIs(err, http.StatusNotFound) {
		return nil, &NoResourceError{Backend: g.Name(), Resource: resourceID}
	}
	if err != nil {
		return nil, fmt.Errorf("list Gnocchi metrics: %w", err)
	}
	out := make([]Metric, 0, len(raw))
	for _, r := range raw {
		m := r.metric()
		if m.ResourceID == "" {
			m.ResourceID = resourceID
		}
		out = append(out, m)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Metric implements Backend: a name is looked up in the resource's list
// (so an unknown one is answered with the names there are); an ID alone
// is read directly.
func (g *Gnocchi) Metric(ctx context.Context, resourceID, nameOrID string) (*Metric, error) {
	if resourceID != "" {
		ms, err := g.Metrics(ctx, resourceID)
		if err != nil {
			return nil, err
		}
		return find(ms, resourceID, nameOrID)
	}
	var raw gnocchiMetric
	err := get(ctx, g.Client, g.Client.ServiceURL("metric", escape(nameOrID)), &raw)
	if gophercloud.ResponseCodeIs(err, http.StatusNotFound) {
		return nil, &UnknownMetricError{Metric: nameOrID}
	}
	if err != nil {
		return nil, fmt.Errorf("show Gnocchi metric %s: %w", nameOrID, err)
	}
	m := raw.metric()
	return &m, nil
}

// MeasuresURL is the request Measures sends, for previews and tests.
func (g *Gnocchi) MeasuresURL(m *Metric, q Query) string {
	v := url.Values{}
	if !q.Start.IsZero() {
		v.Set("start", apiTime(q.Start))
	}
	if !q.Stop.IsZero() {
		v.Set("stop", apiTime(q.Stop))
	}
	if q.Granularity > 0 {
		v.Set("granularity", strconv.FormatFloat(q.Granularity, 'f', -1, 64))
	}
	if q.Aggregation != "" {
		v.Set("aggregation", q.Aggregation)
	}
	if g.Refresh {
		v.Set("refresh", "true")
	}
	u := g.Client.ServiceURL("metric", escape(m.ID), "measures")
	if len(v) > 0 {
		u += "?" + v.Encode()
	}
	return u
}

// Measures implements Backend. Gnocchi answers [timestamp, granularity,
// value] triples.
func (g *Gnocchi) Measures(ctx context.Context, m *Metric, q Query) ([]Point, error) {
	if q.Granularity > 0 && len(m.Granularities) > 0 && !slices.Contains(m.Granularities, q.Granularity) {
		return nil, fmt.Errorf("metric %s keeps measures every %s seconds (archive policy %s), not every %s",
			m.Name, joinFloats(m.Granularities), m.ArchivePolicy, strconv.FormatFloat(q.Granularity, 'f', -1, 64))
	}
	if q.Aggregation != "" && len(m.Aggregations) > 0 && !slices.Contains(m.Aggregations, q.Aggregation) {
		return nil, fmt.Errorf("metric %s keeps the aggregations %s (archive policy %s), not %s",
			m.Name, strings.Join(m.Aggregations, ", "), m.ArchivePolicy, q.Aggregation)
	}
	var raw [][]json.RawMessage
	if err := get(ctx, g.Client, g.MeasuresURL(m, q), &raw); err != nil {
		return nil, fmt.Errorf("read measures of %s: %w", m.Name, err)
	}
	out := make([]Point, 0, len(raw))
	for _, r := range raw {
		if len(r) != 3 {
			return nil, fmt.Errorf("read measures of %s: Gnocchi answered a row of %d values, not 3", m.Name, len(r))
		}
		var ts string
		var gran, val float64
		if err := json.Unmarshal(r[0], &ts); err != nil {
			return nil, fmt.Errorf("read measures of %s: %w", m.Name, err)
		}
		t, err := ParseTime(ts)
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal(r[1], &gran); err != nil {
			return nil, fmt.Errorf("read measures of %s: %w", m.Name, err)
		}
		if err := json.Unmarshal(r[2], &val); err != nil {
			return nil, fmt.Errorf("read measures of %s: %w", m.Name, err)
		}
		out = append(out, Point{Time: t, Granularity: gran, Value: val})
	}
	return out, nil
}

func joinFloats(xs []float64) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = strconv.FormatFloat(x, 'f', -1, 64)
	}
	return strings.Join(s, ", ")
}

// ResourceType returns the type Gnocchi gave a resource (instance,
// generic, ...): an alarm on the resource must name it.
func (g *Gnocchi) ResourceType(ctx context.Context, resourceID string) (string, error) {
	var r struct {
		Type string `json:"type"`
	}
	err := get(ctx, g.Client, g.Client.ServiceURL("resource", "generic", escape(resourceID)), &r)
	if gophercloud.ResponseCodeIs(err, http.StatusNotFound) {
		return "", &NoResourceError{Backend: g.Name(), Resource: resourceID}
	}
	if err != nil {
		return "", fmt.Errorf("show Gnocchi resource %s: %w", resourceID, err)
	}
	return r.Type, nil
}
