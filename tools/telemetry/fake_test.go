package telemetry

import (
	"github.com/kriscelmer/os-tui/internal/cloud"
	"github.com/kriscelmer/os-tui/tools/toolstest"
)

// Path prefixes of the telemetry services in the fake cloud: the catalog
// lists them bare, as devstack and kolla do.
const (
	gnocchiPrefix    = "/metric"
	ceilometerPrefix = "/metering"
	monascaPrefix    = "/monitoring/v2.0"
	aodhPrefix       = "/alarming"
)

// withService adds a telemetry service to the fake cloud's catalog.
func withService(c *toolstest.Cloud, typ, prefix string) {
	c.Caps.Services[typ] = cloud.Service{Type: typ, Endpoint: c.Server.URL + prefix + "/", Region: "RegionOne"}
}

// Payloads shaped like the services' API references.
const (
	gnocchiMetrics = `[
 {"id": "0d1c4fd2-6b5b-4a6f-9b3e-1f0c3c0b1a01", "name": "cpu", "unit": "ns", "resource_id": "8d1f8c2e-3c33-4b4e-9a1b-2f7d6f1a9e10", "creator": "c1",
  "archive_policy": {"name": "ceilometer-low", "aggregation_methods": ["mean", "max", "min"], "back_window": 0,
   "definition": [{"granularity": "0:05:00", "points": 8640, "timespan": "30 days, 0:00:00"}, {"granularity": "0:01:00", "points": 60, "timespan": "1:00:00"}]}},
 {"id": "0d1c4fd2-6b5b-4a6f-9b3e-1f0c3c0b1a02", "name": "memory.usage", "unit": "MB", "resource_id": "8d1f8c2e-3c33-4b4e-9a1b-2f7d6f1a9e10", "creator": "c1",
  "archive_policy": {"name": "ceilometer-low", "aggregation_methods": ["mean", "max", "min"],
   "definition": [{"granularity": "0:05:00", "points": 8640, "timespan": "30 days, 0:00:00"}, {"granularity": "0:01:00", "points": 60, "timespan": "1:00:00"}]}}
]`
	gnocchiMeasures = `[
 ["2026-12-03T13:00:00+00:00", 300.0, 7.0],
 ["2026-12-03T13:00:00+00:00", 60.0, 1.0],
 ["2026-12-03T13:01:00+00:00", 60.0, 4.0],
 ["2026-12-03T13:02:00+00:00", 60.0, 9.5]
]`
	ceilometerMeters = `[
 {"meter_id": "YmQ5NDMxYzEtOGQ2OS00YWQzLTgwM2EtOGQ0YTZiODlmZDM2K2luc3RhbmNl", "name": "cpu_util", "project_id": "35b17138-b364-4e6a-a131-8f3099c5be68",
  "resource_id": "8d1f8c2e-3c33-4b4e-9a1b-2f7d6f1a9e10", "source": "openstack", "type": "gauge", "unit": "%", "user_id": "efd87807-12d2-4b38-9c70-5f5c2ac427ff"}
]`
	ceilometerStats = `[
 {"avg": 4.5, "count": 10, "duration": 300.0, "duration_end": "2026-12-03T13:05:00", "duration_start": "2026-12-03T13:00:00",
  "groupby": null, "max": 9.0, "min": 1.0, "period": 300, "period_end": "2026-12-03T13:05:00", "period_start": "2026-12-03T13:00:00", "sum": 45.0, "unit": "%"},
 {"avg": 6.0, "count": 10, "duration": 300.0, "duration_end": "2026-12-03T13:10:00", "duration_start": "2026-12-03T13:05:00",
  "groupby": null, "max": 8.0, "min": 2.0, "period": 300, "period_end": "2026-12-03T13:10:00", "period_start": "2026-12-03T13:05:00", "sum": 60.0, "unit": "%"}
]`
	monascaMetrics = `{"links": [{"rel": "self", "href": "http://x/v2.0/metrics"}], "elements": [
 {"id": "0", "name": "cpu.utilization_perc", "dimensions": {"resource_id": "8d1f8c2e-3c33-4b4e-9a1b-2f7d6f1a9e10", "hostname": "web-1"}},
 {"id": "1", "name": "cpu.utilization_perc", "dimensions": {"resource_id": "8d1f8c2e-3c33-4b4e-9a1b-2f7d6f1a9e10", "hostname": "web-1", "device": "x"}},
 {"id": "2", "name": "mem.used_mb", "dimensions": {"resource_id": "8d1f8c2e-3c33-4b4e-9a1b-2f7d6f1a9e10"}}
]}`
	monascaStatsBody = `{"links": [], "elements": [
 {"id": "2014-07-18T03:00:00Z", "name": "cpu.utilization_perc", "dimensions": {"resource_id": "8d1f8c2e-3c33-4b4e-9a1b-2f7d6f1a9e10"},
  "columns": ["timestamp", "avg"],
  "statistics": [["2026-12-03T13:00:00Z", 12.5], ["2026-12-03T13:05:00Z", null], ["2026-12-03T13:10:00Z", 30.0]]}
]}`
)
