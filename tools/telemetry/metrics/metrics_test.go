package metrics

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kriscelmer/os-tui/internal/cloud"
	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/telemetry"
	"github.com/kriscelmer/os-tui/tools/toolstest"
)

const (
	serverID = "8d1f8c2e-3c33-4b4e-9a1b-2f7d6f1a9e10"
	cpuID    = "0d1c4fd2-6b5b-4a6f-9b3e-1f0c3c0b1a01"
	policy   = `{"name": "ceilometer-low", "aggregation_methods": ["mean", "max", "min"], "definition": [{"granularity": "0:01:00", "points": 60, "timespan": "1:00:00"}]}`
	metrics  = `[{"id": "` + cpuID + `", "name": "cpu", "unit": "ns", "resource_id": "` + serverID + `", "archive_policy": ` + policy + `},
	             {"id": "m2", "name": "memory.usage", "unit": "MB", "resource_id": "` + serverID + `", "archive_policy": ` + policy + `}]`
	cpuMeasures = `[["2026-12-03T13:00:00+00:00", 60.0, 10.0], ["2026-12-03T13:01:00+00:00", 60.0, 30.0], ["2026-12-03T13:02:00+00:00", 60.0, 20.0]]`
)

func init() {
	now = func() time.Time { return time.Date(2026, 12, 3, 14, 0, 0, 0, time.UTC) }
}

// fakeCloud is a cloud with Nova and Gnocchi, where server web-1 has
// two metrics.
func fakeCloud(t *testing.T) *toolstest.Cloud {
	t.Helper()
	fc := toolstest.New(t)
	fc.Caps.Services["metric"] = cloud.Service{Type: "metric", Endpoint: fc.Server.URL + "/metric/"}
	fc.OptionalFunc("GET", toolstest.ComputePrefix+"/servers", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Query().Get("name") == "^web-1$" {
			_, _ = fmt.Fprintf(w, `{"servers": [{"id": %q, "name": "web-1"}]}`, serverID)
			return
		}
		_, _ = fmt.Fprint(w, `{"servers": []}`)
	})
	fc.Optional("GET", "/metric/v1/resource/generic/"+serverID+"/metric", 200, metrics)
	return fc
}

func TestList(t *testing.T) {
	fc := fakeCloud(t)
	res, err := toolstest.Run(t, fc.Env(), Tools(), "metric.list", map[string]any{"resource": "web-1"})
	if err != nil {
		t.Fatal(err)
	}
	rows := tools.RowsOf(res.List)
	if len(res.List.Rows) != 2 || rows.Str(res.List.Rows[0], "name") != "cpu" || rows.Str(res.List.Rows[0], "archive_policy/name") != "ceilometer-low" {
		t.Errorf("rows = %v", res.List.Rows)
	}
}

func TestSparklines(t *testing.T) {
	fc := fakeCloud(t)
	var query string
	fc.HandleFunc("GET", "/metric/v1/metric/"+cpuID+"/measures", func(w http.ResponseWriter, r *http.Request) {
		query = r.URL.RawQuery
		w.Header().Set("Content-Type", "application/json")
		_, _ = fmt.Fprint(w, cpuMeasures)
	})
	res, err := toolstest.Run(t, fc.Env(), Tools(), "metrics", map[string]any{"resource": "web-1", "metric": "cpu"})
	if err != nil {
		t.Fatal(err)
	}
	if want := "aggregation=mean&start=2026-12-03T13%3A00%3A00"; query != want {
		t.Errorf("query = %s, want %s (the last hour by default)", query, want)
	}
	want := []any{"cpu", "▁█▅", "10", "30", "20", "ns", 3, 60.0, "mean"}
	if got := res.List.Rows[0]; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("row = %v, want %v", got, want)
	}
	if res.Message != "server web-1, Gnocchi: the last 1h, mean" {
		t.Errorf("message = %q", res.Message)
	}
}

func TestSparklinesWithoutMeasures(t *testing.T) {
	fc := fakeCloud(t)
	fc.Handle("GET", "/metric/v1/metric/"+cpuID+"/measures", 200, `[]`)
	fc.Handle("GET", "/metric/v1/metric/m2/measures", 200, `[]`)
	res, err := toolstest.Run(t, fc.Env(), Tools(), "metrics", map[string]any{"resource": "web-1", "since": "2d"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.List.Rows) != 2 || res.List.Rows[0][1] != "(no measures)" {
		t.Errorf("rows = %v", res.List.Rows)
	}
	if !strings.HasSuffix(res.Message, "no measures in that window (try --since 1w)") {
		t.Errorf("message = %q", res.Message)
	}
}

func TestMeasures(t *testing.T) {
	fc := fakeCloud(t)
	fc.Handle("GET", "/metric/v1/metric/"+cpuID+"/measures", 200, cpuMeasures)
	res, err := toolstest.Run(t, fc.Env(), Tools(), "metric.measures", map[string]any{"metric": "cpu", "resource": "web-1", "refresh": true, "granularity": 60})
	if err != nil {
		t.Fatal(err)
	}
	rows := tools.RowsOf(res.List)
	if len(res.List.Rows) != 3 || rows.Str(res.List.Rows[2], "timestamp") != "2026-12-03T13:02:00Z" || res.List.Rows[2][3] != 20.0 {
		t.Errorf("rows = %v", res.List.Rows)
	}
}

// TestBadInput: every refusal is a sentence that says what would work.
func TestBadInput(t *testing.T) {
	tests := []struct {
		name  string
		tool  string
		args  map[string]any
		setup func(fc *toolstest.Cloud)
		err   string
	}{
		{"unknown metric", "metrics", map[string]any{"resource": "web-1", "metric": "cpux"}, nil,
			`server web-1 has no metric "cpux"; it has: cpu, memory.usage`},
		{"unknown server", "metrics", map[string]any{"resource": "nosuch"}, nil,
			`no server named "nosuch"; give a server's name or ID, or the ID of another resource the metrics service knows`},
		{"server without metrics", "metrics", map[string]any{"resource": "db-1"}, func(fc *toolstest.Cloud) {
			fc.Handle("GET", toolstest.ComputePrefix+"/servers/5b1f8c2e-3c33-4b4e-9a1b-2f7d6f1a9e11", 200, `{"server": {"id": "5b1f8c2e-3c33-4b4e-9a1b-2f7d6f1a9e11", "name": "db-1"}}`)
		}, "unused"},
		{"no metrics service", "metric.list", map[string]any{"resource": "web-1"}, func(fc *toolstest.Cloud) { delete(fc.Caps.Services, "metric") },
			"this cloud has no metrics service (Gnocchi, Ceilometer or Monasca) in its catalog; see /catalog"},
		{"bad since", "metrics", map[string]any{"resource": "web-1", "since": "soon"}, nil,
			"--since soon is not a duration; give one such as 1h, 30m, 2d or 1w"},
		{"since and start", "metric.measures", map[string]any{"resource": "web-1", "since": "1h", "start": "2026-12-03T12:00:00Z"}, nil,
			"give --since or --start, not both"},
		{"nothing named", "metric.measures", map[string]any{}, nil,
			"give a server (or --resource-id) and --metric, or a metric ID"},
		{"granularity not kept", "metrics", map[string]any{"resource": "web-1", "metric": "cpu", "granularity": 300}, nil,
			"metric cpu keeps measures every 60 seconds (archive policy ceilometer-low), not every 300"},
		{"aggregation not kept", "metrics", map[string]any{"resource": "web-1", "metric": "cpu", "aggregation": "sum"}, nil,
			"metric cpu keeps the aggregations max, mean, min, not sum"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := fakeCloud(t)
			if tt.name == "server without metrics" {
				id := "5b1f8c2e-3c33-4b4e-9a1b-2f7d6f1a9e11"
				fc.Handle("GET", toolstest.ComputePrefix+"/servers/"+id, 200, `{"server": {"id": "`+id+`", "name": "db-1"}}`)
				fc.Handle("GET", "/metric/v1/resource/generic/"+id+"/metric", 404, `{"code": 404, "description": "Resource `+id+` does not exist"}`)
				tt.args["resource"] = id
				tt.err = "Gnocchi has no metrics for server db-1: nothing has been measured for it yet (Ceilometer's agents create a server's metrics when they first poll it)"
			} else if tt.setup != nil {
				tt.setup(fc)
			}
			_, err := toolstest.Run(t, fc.Env(), Tools(), tt.tool, tt.args)
			if err == nil || err.Error() != tt.err {
				t.Errorf("err = %v\nwant %s", err, tt.err)
			}
		})
	}
}

func TestAggregationFor(t *testing.T) {
	rate := &telemetry.Metric{Name: "cpu", Aggregations: []string{"mean", "rate:mean"}}
	plain := &telemetry.Metric{Name: "memory.usage", Aggregations: []string{"max", "mean", "min"}}
	onlyLast := &telemetry.Metric{Name: "state", Aggregations: []string{"last"}}
	noPolicy := &telemetry.Metric{Name: "cpu_util"}
	tests := []struct {
		m     *telemetry.Metric
		asked string
		want  string
		err   string
	}{
		{rate, "", "rate:mean", ""},
		{rate, "mean", "mean", ""},
		{plain, "", "mean", ""},
		{plain, "max", "max", ""},
		{plain, "rate:mean", "", "metric memory.usage keeps the aggregations max, mean, min, not rate:mean"},
		{onlyLast, "", "last", ""},
		{noPolicy, "", "mean", ""},
		{noPolicy, "max", "max", ""},
	}
	for _, tt := range tests {
		got, err := aggregationFor(tt.m, tt.asked)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("%s %q: err = %v, want %s", tt.m.Name, tt.asked, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%s %q = %s, %v; want %s", tt.m.Name, tt.asked, got, err, tt.want)
		}
	}
}
