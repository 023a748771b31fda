package telemetry

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/tools/toolstest"
)

var update = flag.Bool("update", false, "rewrite the golden files")

const server = "8d1f8c2e-3c33-4b4e-9a1b-2f7d6f1a9e10"

func TestDetect(t *testing.T) {
	tests := []struct {
		name     string
		services map[string]string
		want     string
		err      string
	}{
		{"gnocchi", map[string]string{MetricService: gnocchiPrefix}, "Gnocchi", ""},
		{"gnocchi wins over ceilometer", map[string]string{MetricService: gnocchiPrefix, MeteringService: ceilometerPrefix}, "Gnocchi", ""},
		{"ceilometer only", map[string]string{MeteringService: ceilometerPrefix}, "Ceilometer", ""},
		{"ceilometer wins over monasca", map[string]string{MeteringService: ceilometerPrefix, MonitoringService: monascaPrefix}, "Ceilometer", ""},
		{"monasca", map[string]string{MonitoringService: monascaPrefix}, "Monasca", ""},
		{"none", nil, "", "this cloud has no metrics service (Gnocchi, Ceilometer or Monasca) in its catalog"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := toolstest.New(t)
			for typ, prefix := range tt.services {
				withService(c, typ, prefix)
			}
			b, err := Detect(context.Background(), c.Env())
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || !errors.Is(err, ErrNoMetrics) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if b.Name() != tt.want {
				t.Errorf("backend = %s, want %s", b.Name(), tt.want)
			}
		})
	}
}

func TestAlarmClientWithoutAodh(t *testing.T) {
	c := toolstest.New(t)
	_, err := AlarmClient(context.Background(), c.Env())
	if err == nil || !strings.Contains(err.Error(), "no alarming service (Aodh)") {
		t.Errorf("err = %v", err)
	}
}

// The versioned root is added once whether the catalog lists the bare
// endpoint or the versioned one (Monasca's usually is).
func TestClientVersionedBase(t *testing.T) {
	c := toolstest.New(t)
	withService(c, MonitoringService, monascaPrefix)
	withService(c, MetricService, gnocchiPrefix)
	b, err := Detect(context.Background(), c.Env())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := b.(*Gnocchi).Client.ServiceURL("metric"), c.Server.URL+"/metric/v1/metric"; got != want {
		t.Errorf("gnocchi URL = %s, want %s", got, want)
	}
	delete(c.Caps.Services, MetricService)
	b, err = Detect(context.Background(), c.Env())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := b.(*Monasca).Client.ServiceURL("metrics"), c.Server.URL+"/monitoring/v2.0/metrics"; got != want {
		t.Errorf("monasca URL = %s, want %s", got, want)
	}
}

func gnocchi(t *testing.T) (*toolstest.Cloud, *Gnocchi) {
	t.Helper()
	c := toolstest.New(t)
	withService(c, MetricService, gnocchiPrefix)
	b, err := Detect(context.Background(), c.Env())
	if err != nil {
		t.Fatal(err)
	}
	return c, b.(*Gnocchi)
}

func TestGnocchiMetrics(t *testing.T) {
	c, g := gnocchi(t)
	c.Handle("GET", gnocchiPrefix+"/v1/resource/generic/"+server+"/metric", 200, gnocchiMetrics)
	c.Handle("GET", gnocchiPrefix+"/v1/resource/generic/nosuch/metric", 404, `{"code": 404, "description": "Resource nosuch does not exist", "title": "Not Found"}`)
	ms, err := g.Metrics(context.Background(), server)
	if err != nil {
		t.Fatal(err)
	}
	want := Metric{ID: "0d1c4fd2-6b5b-4a6f-9b3e-1f0c3c0b1a01", Name: "cpu", Unit: "ns", ResourceID: server, ArchivePolicy: "ceilometer-low",
		Granularities: []float64{60, 300}, Aggregations: []string{"max", "mean", "min"}, Creator: "c1"}
	if diff := cmp.Diff(want, ms[0]); diff != "" {
		t.Errorf("cpu (-want +got):\n%s", diff)
	}
	_, err = g.Metrics(context.Background(), "nosuch")
	var nr *NoResourceError
	if !errors.As(err, &nr) || !strings.Contains(err.Error(), "Gnocchi has no metrics for nosuch: nothing has been measured for it yet") {
		t.Errorf("err = %v", err)
	}
	_, err = g.Metric(context.Background(), server, "cpux")
	if err == nil || err.Error() != server+` has no metric "cpux"; it has: cpu, memory.usage` {
		t.Errorf("unknown metric: %v", err)
	}
}

func TestGnocchiMetricByID(t *testing.T) {
	c, g := gnocchi(t)
	id := "0d1c4fd2-6b5b-4a6f-9b3e-1f0c3c0b1a01"
	one := strings.TrimSuffix(strings.TrimPrefix(strings.SplitN(gnocchiMetrics, "},\n {", 2)[0], "[\n"), "\n") + "}"
	// An older Gnocchi names the policy and embeds the resource.
	one = strings.Replace(one, `"resource_id": "`+server+`"`, `"resource": {"id": "`+server+`"}`, 1)
	c.Handle("GET", gnocchiPrefix+"/v1/metric/"+id, 200, one)
	c.Handle("GET", gnocchiPrefix+"/v1/metric/nosuch", 404, `{"code": 404}`)
	m, err := g.Metric(context.Background(), "", id)
	if err != nil {
		t.Fatal(err)
	}
	if m.Name != "cpu" || m.ResourceID != server || len(m.Granularities) != 2 {
		t.Errorf("metric = %+v", m)
	}
	if _, err := g.Metric(context.Background(), "", "nosuch"); err == nil || err.Error() != `no metric named or with ID "nosuch"` {
		t.Errorf("err = %v", err)
	}
}

func TestGnocchiMeasures(t *testing.T) {
	c, g := gnocchi(t)
	m := &Metric{ID: "m1", Name: "cpu", ArchivePolicy: "low", Granularities: []float64{60, 300}, Aggregations: []string{"max", "mean"}}
	var query string
	c.HandleFunc("GET", gnocchiPrefix+"/v1/metric/m1/measures", func(w http.ResponseWriter, r *http.Request) {
		query = r.URL.RawQuery
		w.Header().Set("Content-Type", "application/json")
		_, _ = fmt.Fprint(w, gnocchiMeasures)
	})
	g.Refresh = true
	start := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	pts, err := g.Measures(context.Background(), m, Query{Start: start, Aggregation: "max"})
	if err != nil {
		t.Fatal(err)
	}
	if want := "aggregation=max&refresh=true&start=2026-12-03T12%3A00%3A00"; query != want {
		t.Errorf("query = %s, want %s", query, want)
	}
	fine := Finest(pts)
	if got := Values(fine); !cmp.Equal(got, []float64{1, 4, 9.5}) || fine[0].Granularity != 60 {
		t.Errorf("finest = %v", fine)
	}
	tests := []struct {
		q   Query
		err string
	}{
		{Query{Granularity: 10}, "metric cpu keeps measures every 60, 300 seconds (archive policy low), not every 10"},
		{Query{Aggregation: "sum"}, "metric cpu keeps the aggregations max, mean (archive policy low), not sum"},
	}
	for _, tt := range tests {
		if _, err := g.Measures(context.Background(), m, tt.q); err == nil || err.Error() != tt.err {
			t.Errorf("%+v: err = %v, want %s", tt.q, err, tt.err)
		}
	}
}

func TestCeilometer(t *testing.T) {
	c := toolstest.New(t)
	withService(c, MeteringService, ceilometerPrefix)
	b, err := Detect(context.Background(), c.Env())
	if err != nil {
		t.Fatal(err)
	}
	c.HandleFunc("GET", ceilometerPrefix+"/v2/meters", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Query().Get("q.value") == server {
			_, _ = fmt.Fprint(w, ceilometerMeters)
			return
		}
		_, _ = fmt.Fprint(w, `[]`)
	})
	var query string
	c.HandleFunc("GET", ceilometerPrefix+"/v2/meters/cpu_util/statistics", func(w http.ResponseWriter, r *http.Request) {
		query = r.URL.RawQuery
		w.Header().Set("Content-Type", "application/json")
		_, _ = fmt.Fprint(w, ceilometerStats)
	})
	ctx := context.Background()
	m, err := b.Metric(ctx, server, "cpu_util")
	if err != nil {
		t.Fatal(err)
	}
	if m.Unit != "%" || m.Type != "gauge" {
		t.Errorf("meter = %+v", m)
	}
	if _, err := b.Metrics(ctx, "9b5e4a4e-0000-4000-8000-000000000000"); err == nil || !strings.Contains(err.Error(), "Ceilometer has no metrics for") {
		t.Errorf("err = %v", err)
	}
	pts, err := b.Measures(ctx, m, Query{ResourceID: server, Start: time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC), Aggregation: "max", Granularity: 300})
	if err != nil {
		t.Fatal(err)
	}
	if got := Values(pts); !cmp.Equal(got, []float64{9, 8}) {
		t.Errorf("max = %v", got)
	}
	if want := "period=300&q.field=resource_id&q.field=timestamp&q.op=eq&q.op=ge&q.value=" + server + "&q.value=2026-12-03T12%3A00%3A00"; query != want {
		t.Errorf("query = %s\nwant    %s", query, want)
	}
	if _, err := b.Measures(ctx, m, Query{Aggregation: "rate:mean"}); err == nil || err.Error() != "Ceilometer computes mean, min, max, sum and count, not rate:mean" {
		t.Errorf("err = %v", err)
	}
}

func TestMonasca(t *testing.T) {
	c := toolstest.New(t)
	withService(c, MonitoringService, monascaPrefix)
	b, err := Detect(context.Background(), c.Env())
	if err != nil {
		t.Fatal(err)
	}
	c.HandleFunc("GET", monascaPrefix+"/metrics", func(w http.ResponseWriter, r *http.Request) {
		if got := r.URL.Query().Get("dimensions"); got != "resource_id:"+server {
			t.Errorf("dimensions = %s", got)
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = fmt.Fprint(w, monascaMetrics)
	})
	var query string
	c.HandleFunc("GET", monascaPrefix+"/metrics/statistics", func(w http.ResponseWriter, r *http.Request) {
		query = r.URL.RawQuery
		w.Header().Set("Content-Type", "application/json")
		_, _ = fmt.Fprint(w, monascaStatsBody)
	})
	ctx := context.Background()
	ms, err := b.Metrics(ctx, server)
	if err != nil {
		t.Fatal(err)
	}
	if got := Names(ms); !cmp.Equal(got, []string{"cpu.utilization_perc", "mem.used_mb"}) {
		t.Errorf("names = %v", got)
	}
	pts, err := b.Measures(ctx, &ms[0], Query{Start: time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	// The null period is skipped.
	if got := Values(pts); !cmp.Equal(got, []float64{12.5, 30}) {
		t.Errorf("values = %v", got)
	}
	for _, part := range []string{"statistics=avg", "period=300", "start_time=2026-12-03T12%3A00%3A00Z", "name=cpu.utilization_perc", "merge_metrics=true"} {
		if !strings.Contains(query, part) {
			t.Errorf("query %s lacks %s", query, part)
		}
	}
	if _, err := b.Measures(ctx, &ms[0], Query{}); err == nil || !strings.Contains(err.Error(), "Monasca needs a start time") {
		t.Errorf("err = %v", err)
	}
}

// TestSparklineGolden draws series into testdata/sparklines.golden
// (refresh with -update).
func TestSparklineGolden(t *testing.T) {
	series := []struct {
		name   string
		values []float64
		width  int
	}{
		{"rising", []float64{0, 1, 2, 3, 4, 5, 6, 7}, 40},
		{"falling", []float64{7, 6, 5, 4, 3, 2, 1, 0}, 40},
		{"spike", []float64{1, 1, 1, 100, 1, 1, 1}, 40},
		{"flat zero", []float64{0, 0, 0, 0}, 40},
		{"flat forty", []float64{40, 40, 40}, 40},
		{"negative", []float64{-5, 0, 5}, 40},
		{"one point", []float64{3}, 40},
		{"folded to 4", []float64{0, 0, 10, 10, 20, 20, 30, 30}, 4},
		{"skips NaN", []float64{1, nanValue(), 3}, 40},
		{"empty", nil, 40},
	}
	var b strings.Builder
	for _, s := range series {
		fmt.Fprintf(&b, "%-12s %q\n", s.name, Sparkline(s.values, s.width))
	}
	golden := filepath.Join("testdata", "sparklines.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(b.String()), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), b.String()); diff != "" {
		t.Errorf("sparklines (-want +got):\n%s", diff)
	}
}

func nanValue() float64 {
	zero := 0.0
	return zero / zero
}

func TestSummarizeAndFormat(t *testing.T) {
	s, ok := Summarize([]Point{{Value: 3}, {Value: -1}, {Value: 7.25}, {Value: 2}})
	if !ok || s != (Summary{Min: -1, Max: 7.25, Last: 2, Count: 4}) {
		t.Errorf("summary = %+v", s)
	}
	if _, ok := Summarize(nil); ok {
		t.Error("an empty series has a summary")
	}
	for in, want := range map[float64]string{3: "3", 2.5: "2.5", 2.456: "2.46", 123.46: "123.5", 1e9: "1000000000", -0.25: "-0.25"} {
		if got := FormatValue(in); got != want {
			t.Errorf("FormatValue(%v) = %s, want %s", in, got, want)
		}
	}
}

func TestParseSince(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		bad  string
	}{
		{"1h", time.Hour, ""},
		{"90s", 90 * time.Second, ""},
		{"1h30m", 90 * time.Minute, ""},
		{"2d", 48 * time.Hour, ""},
		{"1w", 7 * 24 * time.Hour, ""},
		{"1d12h", 36 * time.Hour, ""},
		{"600", 10 * time.Minute, ""},
		{"", 0, "--since is empty"},
		{"0", 0, "give a positive duration"},
		{"soon", 0, "--since soon is not a duration; give one such as 1h, 30m, 2d or 1w"},
		{"xd", 0, "is not a duration"},
	}
	for _, tt := range tests {
		got, err := ParseSince(tt.in)
		if tt.bad != "" {
			if err == nil || !strings.Contains(err.Error(), tt.bad) {
				t.Errorf("ParseSince(%q) err = %v, want %q", tt.in, err, tt.bad)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseSince(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	if _, err := ParseStart("yesterday"); err == nil || !strings.Contains(err.Error(), "use --since 1h") {
		t.Errorf("ParseStart err = %v", err)
	}
	if got, err := ParseStart("2026-12-03T13:00:00Z"); err != nil || got.Hour() != 13 {
		t.Errorf("ParseStart = %v, %v", got, err)
	}
}

func TestParseGranularity(t *testing.T) {
	for in, want := range map[string]float64{`"0:05:00"`: 300, `"1:00:00"`: 3600, `"1 day, 0:00:00"`: 86400, `"2 days, 1:00:00"`: 176400, `"1 day"`: 86400, `60`: 60, `"60.0"`: 60} {
		got, err := ParseGranularity([]byte(in))
		if err != nil || got != want {
			t.Errorf("ParseGranularity(%s) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := ParseGranularity([]byte(`"soon"`)); err == nil {
		t.Error("soon was read as a granularity")
	}
}

func TestParseTime(t *testing.T) {
	for _, in := range []string{"2026-12-03T13:00:00+00:00", "2026-12-03T13:00:00", "2026-12-03T13:00:00.123456", "2026-12-03T14:00:00+01:00"} {
		got, err := ParseTime(in)
		if err != nil || got.Hour() != 13 || got.Location() != time.UTC {
			t.Errorf("ParseTime(%s) = %v, %v", in, got, err)
		}
	}
	if _, err := ParseTime("noon"); err == nil {
		t.Error("noon was read as a time")
	}
}
