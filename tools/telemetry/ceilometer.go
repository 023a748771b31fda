package telemetry

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"

	"github.com/gophercloud/gophercloud/v2"
)

// Ceilometer reads meters from Ceilometer's own v2 API (catalog type
// "metering"), which clouds older than Queens offer instead of Gnocchi.
// It has no archive policies: statistics are computed over periods asked
// for in the query.
type Ceilometer struct {
	Client *gophercloud.ServiceClient
}

// Name implements Backend.
func (*Ceilometer) Name() string { return "Ceilometer" }

// ceilometerMeter is an entry of GET /v2/meters.
type ceilometerMeter struct {
	MeterID    string `json:"meter_id"`
	Name       string `json:"name"`
	Type       string `json:"type"`
	Unit       string `json:"unit"`
	ResourceID string `json:"resource_id"`
	UserID     string `json:"user_id"`
}

// ceilometerStat is an entry of GET /v2/meters/NAME/statistics.
type ceilometerStat struct {
	Avg         *float64 `json:"avg"`
	Min         *float64 `json:"min"`
	Max         *float64 `json:"max"`
	Sum         *float64 `json:"sum"`
	Count       *float64 `json:"count"`
	Period      float64  `json:"period"`
	PeriodStart string   `json:"period_start"`
}

// query writes Ceilometer's filter: parallel q.field, q.op, q.value lists.
type query struct{ v url.Values }

func (q *query) add(field, op, value string) {
	if q.v == nil {
		q.v = url.Values{}
	}
	q.v.Add("q.field", field)
	q.v.Add("q.op", op)
	q.v.Add("q.value", value)
}

// Metrics implements Backend. A resource with no meters is one Ceilometer
// has never sampled.
func (c *Ceilometer) Metrics(ctx context.Context, resourceID string) ([]Metric, error) {
	var q query
	if resourceID != "" {
		q.add("resource_id", "eq", resourceID)
	}
	u := c.Client.ServiceURL("meters")
	if q.v != nil {
		u += "?" + q.v.Encode()
	}
	var raw []ceilometerMeter
	if err := get(ctx, c.Client, u, &raw); err != nil {
		return nil, fmt.Errorf("list Ceilometer meters: %w", err)
	}
	if resourceID != "" && len(raw) == 0 {
		return nil, &NoResourceError{Backend: c.Name(), Resource: resourceID}
	}
	out := make([]Metric, 0, len(raw))
	for _, r := range raw {
		out = append(out, Metric{ID: r.MeterID, Name: r.Name, Unit: r.Unit, ResourceID: r.ResourceID, Type: r.Type, Creator: r.UserID})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Metric implements Backend. Ceilometer's meter IDs are opaque; a meter
// is found in the resource's list by ID or name.
func (c *Ceilometer) Metric(ctx context.Context, resourceID, nameOrID string) (*Metric, error) {
	ms, err := c.Metrics(ctx, resourceID)
	if err != nil {
		return nil, err
	}
	return find(ms, resourceID, nameOrID)
}

// ceilometerAggregates maps Gnocchi's aggregation names onto the
// statistics fields Ceilometer computes.
var ceilometerAggregates = map[string]func(ceilometerStat) *float64{
	"":      func(s ceilometerStat) *float64 { return s.Avg },
	"mean":  func(s ceilometerStat) *float64 { return s.Avg },
	"min":   func(s ceilometerStat) *float64 { return s.Min },
	"max":   func(s ceilometerStat) *float64 { return s.Max },
	"sum":   func(s ceilometerStat) *float64 { return s.Sum },
	"count": func(s ceilometerStat) *float64 { return s.Count },
}

// StatisticsURL is the request Measures sends.
func (c *Ceilometer) StatisticsURL(m *Metric, q Query) string {
	var f query
	resource := q.ResourceID
	if resource == "" {
		resource = m.ResourceID
	}
	if resource != "" {
		f.add("resource_id", "eq", resource)
	}
	if !q.Start.IsZero() {
		f.add("timestamp", "ge", apiTime(q.Start))
	}
	if !q.Stop.IsZero() {
		f.add("timestamp", "le", apiTime(q.Stop))
	}
	if f.v == nil {
		f.v = url.Values{}
	}
	period := q.Granularity
	if period <= 0 {
		period = 300
	}
	f.v.Set("period", strconv.FormatFloat(period, 'f', 0, 64))
	return c.Client.ServiceURL("meters", escape(m.Name), "statistics") + "?" + f.v.Encode()
}

// Measures implements Backend with the meter's statistics per period
// (five minutes unless a granularity is asked for).
func (c *Ceilometer) Measures(ctx context.Context, m *Metric, q Query) ([]Point, error) {
	pick, ok := ceilometerAggregates[q.Aggregation]
	if !ok {
		return nil, fmt.Errorf("Ceilometer computes mean, min, max, sum and count, not %s", q.Aggregation)
	}
	var raw []ceilometerStat
	err := get(ctx, c.Client, c.StatisticsURL(m, q), &raw)
	if gophercloud.ResponseCodeIs(err, http.StatusNotFound) {
		return nil, &UnknownMetricError{Resource: m.ResourceID, Metric: m.Name}
	}
	if err != nil {
		return nil, fmt.Errorf("read statistics of %s: %w", m.Name, err)
	}
	out := make([]Point, 0, len(raw))
	for _, s := range raw {
		v := pick(s)
		if v == nil {
			continue
		}
		t, err := ParseTime(s.PeriodStart)
		if err != nil {
			return nil, err
		}
		out = append(out, Point{Time: t, Granularity: s.Period, Value: *v})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time.Before(out[j].Time) })
	return out, nil
}
