// Package metrics holds the metric tools: a server's (or any resource's)
// metrics, one metric, its measures, and /metrics, which draws each
// metric as a sparkline with its minimum, maximum and last value. They
// read whichever metrics service the catalog has (Gnocchi, Ceilometer's
// v2 API or Monasca) through the telemetry kernel.
package metrics

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/telemetry"
)

// now is the clock --since counts back from; tests set it.
var now = time.Now

// SparkWidth is how many characters a sparkline takes at most.
const SparkWidth = 40

// Tools returns the metric tools.
func Tools() []tools.Tool {
	return []tools.Tool{
		tools.ReadTool("metric.list", telemetry.ReadService, list),
		tools.ReadTool("metric.show", telemetry.ReadService, show),
		tools.ReadTool("metric.measures", telemetry.ReadService, measures),
		// The openstack CLI's form: the metric first, the resource with
		// --resource-id.
		{Name: "metric.measures.show", As: "metric.measures"},
		tools.ReadTool("metrics", telemetry.ReadService, sparklines),
	}
}

// ListArgs are the arguments of metric.list.
type ListArgs struct {
	Resource string `json:"resource,omitempty"`
}

// ShowArgs are the arguments of metric.show.
type ShowArgs struct {
	Metric   string `json:"metric"`
	Resource string `json:"resource,omitempty"`
}

// MeasuresArgs are the arguments of metric.measures (and of /metrics,
// which has no start, stop or refresh).
type MeasuresArgs struct {
	Resource    string  `json:"resource,omitempty"`
	Metric      string  `json:"metric,omitempty"`
	Since       string  `json:"since,omitempty"`
	Start       string  `json:"start,omitempty"`
	Stop        string  `json:"stop,omitempty"`
	Granularity float64 `json:"granularity,omitempty"`
	Aggregation string  `json:"aggregation,omitempty"`
	Refresh     bool    `json:"refresh,omitempty"`
}

// SparkArgs are the arguments of /metrics.
type SparkArgs struct {
	Resource    string  `json:"resource"`
	Metric      string  `json:"metric,omitempty"`
	Since       string  `json:"since,omitempty"`
	Granularity float64 `json:"granularity,omitempty"`
	Aggregation string  `json:"aggregation,omitempty"`
}

// subject finds the backend and the resource a command names.
func subject(ctx context.Context, env *tools.Env, resource string) (telemetry.Backend, telemetry.Resource, error) {
	b, err := telemetry.Detect(ctx, env)
	if err != nil {
		return nil, telemetry.Resource{}, err
	}
	if resource == "" {
		return b, telemetry.Resource{}, nil
	}
	r, err := telemetry.ResolveResource(ctx, env, resource)
	return b, r, err
}

// metricsOf lists a resource's metrics, naming the resource as the person
// knows it in the errors.
func metricsOf(ctx context.Context, b telemetry.Backend, r telemetry.Resource) ([]telemetry.Metric, error) {
	ms, err := b.Metrics(ctx, r.ID)
	var nr *telemetry.NoResourceError
	if errors.As(err, &nr) && r.Label != "" {
		nr.Resource = r.Label
	}
	return ms, err
}

// pick keeps the named metric (all when name is ""), or says which the
// resource has.
func pick(ms []telemetry.Metric, r telemetry.Resource, name string) ([]telemetry.Metric, error) {
	if name == "" {
		return ms, nil
	}
	for _, m := range ms {
		if m.Name == name || m.ID == name {
			return []telemetry.Metric{m}, nil
		}
	}
	return nil, &telemetry.UnknownMetricError{Resource: r.Label, Metric: name, Known: telemetry.Names(ms)}
}

func list(ctx context.Context, env *tools.Env, args ListArgs) (*tools.Result, error) {
	b, r, err := subject(ctx, env, args.Resource)
	if err != nil {
		return nil, err
	}
	ms, err := metricsOf(ctx, b, r)
	if err != nil {
		return nil, err
	}
	// The openstack CLI's columns (metric list -f json).
	out := &tools.List{Columns: []tools.Column{
		{Name: "id"}, {Name: "name"}, {Name: "unit"}, {Name: "archive_policy/name"}, {Name: "resource_id"},
	}}
	names := make([]string, 0, len(ms))
	for _, m := range ms {
		out.Rows = append(out.Rows, []any{m.ID, m.Name, m.Unit, m.ArchivePolicy, m.ResourceID})
		names = append(names, m.Name)
	}
	env.Names.Remember("metric", names...)
	res := &tools.Result{List: out}
	if len(ms) == 0 {
		res.Message = b.Name() + " has no metrics here yet"
	}
	return res, nil
}

func show(ctx context.Context, env *tools.Env, args ShowArgs) (*tools.Result, error) {
	b, r, err := subject(ctx, env, args.Resource)
	if err != nil {
		return nil, err
	}
	if r.ID == "" && b.Name() != "Gnocchi" {
		return nil, fmt.Errorf("%s finds a metric by its resource: give --resource-id SERVER", b.Name())
	}
	m, err := b.Metric(ctx, r.ID, args.Metric)
	var nr *telemetry.NoResourceError
	if errors.As(err, &nr) && r.Label != "" {
		nr.Resource = r.Label
	}
	var um *telemetry.UnknownMetricError
	if errors.As(err, &um) && r.Label != "" {
		um.Resource = r.Label
	}
	if err != nil {
		return nil, err
	}
	grans := make([]string, len(m.Granularities))
	for i, g := range m.Granularities {
		grans[i] = strconv.FormatFloat(g, 'f', -1, 64)
	}
	rec := &tools.Record{Fields: []tools.Field{
		{Name: "id", Value: m.ID},
		{Name: "name", Value: m.Name},
		{Name: "unit", Value: m.Unit},
		{Name: "archive_policy/name", Value: m.ArchivePolicy},
		{Name: "archive_policy/granularities", Value: grans},
		{Name: "archive_policy/aggregation_methods", Value: m.Aggregations},
		{Name: "resource/id", Value: m.ResourceID},
		{Name: "creator", Value: m.Creator},
		{Name: "backend", Value: b.Name()},
	}}
	if m.Type != "" {
		rec.Fields = append(rec.Fields, tools.Field{Name: "type", Value: m.Type})
	}
	if len(m.Dimensions) > 0 {
		rec.Fields = append(rec.Fields, tools.Field{Name: "dimensions", Value: m.Dimensions})
	}
	return &tools.Result{Record: rec}, nil
}

// window turns --since, --start and --stop into a query's times.
func window(since, start, stop string) (time.Time, time.Time, error) {
	var from, to time.Time
	if since != "" && start != "" {
		return from, to, errors.New("give --since or --start, not both")
	}
	if since != "" {
		d, err := telemetry.ParseSince(since)
		if err != nil {
			return from, to, err
		}
		from = now().Add(-d)
	}
	if start != "" {
		t, err := telemetry.ParseStart(start)
		if err != nil {
			return from, to, err
		}
		from = t
	}
	if stop != "" {
		t, err := telemetry.ParseStart(stop)
		if err != nil {
			return from, to, err
		}
		to = t
		if !from.IsZero() && !to.After(from) {
			return from, to, fmt.Errorf("--stop %s is not after the start", stop)
		}
	}
	return from, to, nil
}

func measures(ctx context.Context, env *tools.Env, args MeasuresArgs) (*tools.Result, error) {
	if args.Resource == "" && args.Metric == "" {
		return nil, errors.New("give a server (or --resource-id) and --metric, or a metric ID")
	}
	from, to, err := window(args.Since, args.Start, args.Stop)
	if err != nil {
		return nil, err
	}
	b, r, err := subject(ctx, env, args.Resource)
	if err != nil {
		return nil, err
	}
	var ms []telemetry.Metric
	if r.ID == "" {
		if b.Name() != "Gnocchi" {
			return nil, fmt.Errorf("%s reads measures by resource: give a server (or --resource-id)", b.Name())
		}
		m, err := b.Metric(ctx, "", args.Metric)
		if err != nil {
			return nil, err
		}
		ms = []telemetry.Metric{*m}
	} else {
		all, err := metricsOf(ctx, b, r)
		if err != nil {
			return nil, err
		}
		if ms, err = pick(all, r, args.Metric); err != nil {
			return nil, err
		}
	}
	q := telemetry.Query{ResourceID: r.ID, Start: from, Stop: to, Granularity: args.Granularity, Aggregation: args.Aggregation}
	if args.Refresh {
		g, ok := b.(*telemetry.Gnocchi)
		if !ok {
			return nil, fmt.Errorf("--refresh is Gnocchi's; %s has nothing to refresh", b.Name())
		}
		b = &telemetry.Gnocchi{Client: g.Client, Refresh: true}
	}
	// The openstack CLI's columns, with the metric first when there are
	// several.
	out := &tools.List{Columns: []tools.Column{{Name: "metric"}, {Name: "timestamp", Kind: tools.Time}, {Name: "granularity"}, {Name: "value"}}}
	for i := range ms {
		pts, err := b.Measures(ctx, &ms[i], q)
		if err != nil {
			return nil, err
		}
		for _, p := range pts {
			out.Rows = append(out.Rows, []any{ms[i].Name, p.Time.Format(time.RFC3339), p.Granularity, p.Value})
		}
	}
	res := &tools.Result{List: out}
	if len(out.Rows) == 0 {
		res.Message = fmt.Sprintf("%s has no measures for %s in that window", b.Name(), strings.Join(telemetry.Names(ms), ", "))
	}
	return res, nil
}

// sparklines is /metrics: one line per metric, drawn.
func sparklines(ctx context.Context, env *tools.Env, args SparkArgs) (*tools.Result, error) {
	since := args.Since
	if since == "" {
		since = "1h"
	}
	from, _, err := window(since, "", "")
	if err != nil {
		return nil, err
	}
	b, r, err := subject(ctx, env, args.Resource)
	if err != nil {
		return nil, err
	}
	all, err := metricsOf(ctx, b, r)
	if err != nil {
		return nil, err
	}
	ms, err := pick(all, r, args.Metric)
	if err != nil {
		return nil, err
	}
	out := &tools.List{Columns: []tools.Column{
		{Name: "metric"}, {Name: "sparkline"}, {Name: "min"}, {Name: "max"}, {Name: "last"}, {Name: "unit"},
		{Name: "points", Long: true}, {Name: "granularity", Long: true}, {Name: "aggregation", Long: true},
	}}
	empty := 0
	var aggs []string
	for i := range ms {
		m := &ms[i]
		agg, err := aggregationFor(m, args.Aggregation)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(aggs, agg) {
			aggs = append(aggs, agg)
		}
		q := telemetry.Query{ResourceID: r.ID, Start: from, Granularity: args.Granularity, Aggregation: agg}
		pts, err := b.Measures(ctx, m, q)
		if err != nil {
			return nil, err
		}
		pts = telemetry.Finest(pts)
		s, ok := telemetry.Summarize(pts)
		if !ok {
			empty++
			out.Rows = append(out.Rows, []any{m.Name, "(no measures)", nil, nil, nil, m.Unit, 0, nil, agg})
			continue
		}
		out.Rows = append(out.Rows, []any{
			m.Name, telemetry.Sparkline(telemetry.Values(pts), SparkWidth),
			telemetry.FormatValue(s.Min), telemetry.FormatValue(s.Max), telemetry.FormatValue(s.Last),
			m.Unit, s.Count, pts[0].Granularity, agg,
		})
	}
	agg := strings.Join(aggs, " and ")
	if agg == "" {
		agg = "mean"
	}
	msg := fmt.Sprintf("%s, %s: the last %s, %s", r.Label, b.Name(), since, agg)
	if empty == len(ms) && len(ms) > 0 {
		msg += fmt.Sprintf("; no measures in that window (try --since %s)", longer(since))
	}
	return &tools.Result{List: out, Message: msg}, nil
}

// aggregationFor is the aggregation /metrics draws a metric with: the
// one asked for, which the metric's archive policy must keep; else
// rate:mean where the policy keeps it (Ceilometer gives counters such as
// cpu time a rate policy, and a counter's mean only ever rises), else
// mean, else the policy's first.
func aggregationFor(m *telemetry.Metric, asked string) (string, error) {
	kept := m.Aggregations
	switch {
	case asked != "" && len(kept) > 0 && !slices.Contains(kept, asked):
		return "", fmt.Errorf("metric %s keeps the aggregations %s, not %s", m.Name, strings.Join(kept, ", "), asked)
	case asked != "":
		return asked, nil
	case slices.Contains(kept, "rate:mean"):
		return "rate:mean", nil
	case len(kept) == 0 || slices.Contains(kept, "mean"):
		return "mean", nil
	}
	return kept[0], nil
}

// longer suggests a wider window than since.
func longer(since string) string {
	d, err := telemetry.ParseSince(since)
	if err != nil || d < 24*time.Hour {
		return "1d"
	}
	return "1w"
}
