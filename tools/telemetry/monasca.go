package telemetry

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strconv"

	"github.com/gophercloud/gophercloud/v2"
)

// Monasca reads metrics from Monasca's v2.0 API (catalog type
// "monitoring"). Its metrics are a name plus dimensions; a server's are
// those whose resource_id dimension is the server's ID (what Ceilometer's
// Monasca publisher and the libvirt plugin write).
type Monasca struct {
	Client *gophercloud.ServiceClient
}

// Name implements Backend.
func (*Monasca) Name() string { return "Monasca" }

type monascaMetric struct {
	ID         string            `json:"id"`
	Name       string            `json:"name"`
	Dimensions map[string]string `json:"dimensions"`
}

// monascaStatistics is an element of GET /v2.0/metrics/statistics:
// columns name what each row holds ("timestamp", "avg").
type monascaStatistics struct {
	Name       string              `json:"name"`
	Columns    []string            `json:"columns"`
	Statistics [][]json.RawMessage `json:"statistics"`
}

// monascaStats maps Gnocchi's aggregation names onto Monasca's.
var monascaStats = map[string]string{"": "avg", "mean": "avg", "min": "min", "max": "max", "sum": "sum", "count": "count"}

// Metrics implements Backend. Monasca lists one entry per set of
// dimensions; they are folded into one per name.
func (m *Monasca) Metrics(ctx context.Context, resourceID string) ([]Metric, error) {
	u := m.Client.ServiceURL("metrics")
	if resourceID != "" {
		u += "?" + url.Values{"dimensions": {"resource_id:" + resourceID}}.Encode()
	}
	var page struct {
		Elements []monascaMetric `json:"elements"`
	}
	if err := get(ctx, m.Client, u, &page); err != nil {
		return nil, fmt.Errorf("list Monasca metrics: %w", err)
	}
	if resourceID != "" && len(page.Elements) == 0 {
		return nil, &NoResourceError{Backend: m.Name(), Resource: resourceID}
	}
	seen := map[string]bool{}
	var out []Metric
	for _, e := range page.Elements {
		if seen[e.Name] {
			continue
		}
		seen[e.Name] = true
		out = append(out, Metric{ID: e.ID, Name: e.Name, ResourceID: e.Dimensions["resource_id"], Dimensions: e.Dimensions})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Metric implements Backend: Monasca has no metric by ID, so a metric is
// found by name (or the listed ID) among the resource's.
func (m *Monasca) Metric(ctx context.Context, resourceID, nameOrID string) (*Metric, error) {
	ms, err := m.Metrics(ctx, resourceID)
	if err != nil {
		return nil, err
	}
	return find(ms, resourceID, nameOrID)
}

// StatisticsURL is the request Measures sends.
func (m *Monasca) StatisticsURL(mt *Metric, q Query) string {
	v := url.Values{}
	v.Set("name", mt.Name)
	resource := q.ResourceID
	if resource == "" {
		resource = mt.ResourceID
	}
	if resource != "" {
		v.Set("dimensions", "resource_id:"+resource)
	}
	start := q.Start
	if !start.IsZero() {
		v.Set("start_time", start.UTC().Format("2006-01-02T15:04:05Z"))
	}
	if !q.Stop.IsZero() {
		v.Set("end_time", q.Stop.UTC().Format("2006-01-02T15:04:05Z"))
	}
	v.Set("statistics", monascaStats[q.Aggregation])
	period := q.Granularity
	if period <= 0 {
		period = 300
	}
	v.Set("period", strconv.FormatFloat(period, 'f', 0, 64))
	v.Set("merge_metrics", "true")
	return m.Client.ServiceURL("metrics", "statistics") + "?" + v.Encode()
}

// Measures implements Backend with Monasca's statistics per period.
func (m *Monasca) Measures(ctx context.Context, mt *Metric, q Query) ([]Point, error) {
	stat, ok := monascaStats[q.Aggregation]
	if !ok {
		return nil, fmt.Errorf("Monasca computes mean (avg), min, max, sum and count, not %s", q.Aggregation)
	}
	if q.Start.IsZero() {
		return nil, fmt.Errorf("Monasca needs a start time for statistics; give --since")
	}
	var page struct {
		Elements []monascaStatistics `json:"elements"`
	}
	if err := get(ctx, m.Client, m.StatisticsURL(mt, q), &page); err != nil {
		return nil, fmt.Errorf("read statistics of %s: %w", mt.Name, err)
	}
	period := q.Granularity
	if period <= 0 {
		period = 300
	}
	var out []Point
	for _, e := range page.Elements {
		ti, vi := -1, -1
		for i, c := range e.Columns {
			switch c {
			case "timestamp":
				ti = i
			case stat:
				vi = i
			}
		}
		if ti < 0 || vi < 0 {
			return nil, fmt.Errorf("read statistics of %s: Monasca's answer has no %s column (columns %v)", mt.Name, stat, e.Columns)
		}
		for _, row := range e.Statistics {
			if len(row) <= ti || len(row) <= vi {
				continue
			}
			var ts string
			var val *float64
			if err := json.Unmarshal(row[ti], &ts); err != nil {
				return nil, fmt.Errorf("read statistics of %s: %w", mt.Name, err)
			}
			if err := json.Unmarshal(row[vi], &val); err != nil {
				return nil, fmt.Errorf("read statistics of %s: %w", mt.Name, err)
			}
			if val == nil {
				continue // a null statistic: the period had no data
			}
			t, err := ParseTime(ts)
			if err != nil {
				return nil, err
			}
			out = append(out, Point{Time: t, Granularity: period, Value: *val})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time.Before(out[j].Time) })
	return out, nil
}
