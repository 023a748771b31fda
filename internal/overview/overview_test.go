package overview

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/gophercloud/gophercloud/v2"

	"github.com/kriscelmer/os-tui/agent/gate"
	"github.com/kriscelmer/os-tui/tools"
)

var now = time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)

func list(cols []string, rows ...[]any) *tools.List {
	l := &tools.List{}
	for _, c := range cols {
		l.Columns = append(l.Columns, tools.Column{Name: c})
	}
	l.Rows = rows
	return l
}

const (
	srvA = "11111111-1111-1111-1111-111111111111"
	srvB = "22222222-2222-2222-2222-222222222222"
)

// fakeCloud answers reads by "tool args-json" with a result or an error,
// and counts the reads.
type fakeCloud struct {
	mu      sync.Mutex
	results map[string]*tools.Result
	errs    map[string]error
	calls   map[string]int
}

func (f *fakeCloud) read(_ context.Context, tool string, args map[string]any) (*tools.Result, error) {
	key := tool
	if args != nil {
		b, _ := json.Marshal(args)
		key += " " + string(b)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[key]++
	if err, ok := f.errs[key]; ok {
		return nil, err
	}
	if res, ok := f.results[key]; ok {
		return res, nil
	}
	return nil, fmt.Errorf("unknown tool %q", tool)
}

func forbidden() error {
	return gophercloud.ErrUnexpectedResponseCode{Actual: http.StatusForbidden, Method: "GET", URL: "http://x"}
}

// project is a small project: two servers (one in ERROR), quotas near
// their limits, and one of each orphan.
func project() *fakeCloud {
	l := func(cols []string, rows ...[]any) *tools.Result { return &tools.Result{List: list(cols, rows...)} }
	quota := []string{"Resource", "Service", "In Use", "Reserved", "Limit"}
	return &fakeCloud{calls: map[string]int{}, errs: map[string]error{}, results: map[string]*tools.Result{
		"catalog": l([]string{"Name", "Type"}, []any{"nova", "compute"}, []any{"neutron", "network"}, []any{"cinder", "volumev3"}, []any{"keystone", "identity"}),
		`quota.show {"service":"compute"}`: l(quota,
			[]any{"instances", "compute", 8, 0, 10}, []any{"cores", "compute", 19, 0, 20}, []any{"ram", "compute", 512, 0, -1}),
		`quota.show {"service":"network"}`: l(quota, []any{"floatingip", "network", 2, 0, 50}),
		`quota.show {"service":"volume"}`: l(quota,
			[]any{"volumes", "volume", 1, 0, 10}, []any{"gigabytes_lvm", "volume", 5, 0, -1}, []any{"volumes_lvm", "volume", 1, 0, 2}),
		"server.list": l([]string{"ID", "Name", "Status", "Key Name"},
			[]any{srvA, "web", "ACTIVE", "used-key"}, []any{srvB, "broken", "ERROR", ""}),
		"volume.list": l([]string{"ID", "Name", "Status", "Size", "Attached to"},
			[]any{"v1", "data", "available", 1, ""}, []any{"v2", "root", "in-use", 1, "web"}),
		"floating-ip.list": l([]string{"ID", "Floating IP Address", "Port", "Status"},
			[]any{"f1", "203.0.113.5", "", "DOWN"}, []any{"f2", "203.0.113.6", "p1", "ACTIVE"}),
		"port.list": l([]string{"ID", "Name", "Status", "Security Groups", "Device Owner"},
			[]any{"p1", "", "ACTIVE", []string{"sg-default", "sg-web"}, "compute:nova"},
			[]any{"p2", "spare", "DOWN", []string{}, ""}),
		// Without a Device ID column, each router's ports are read.
		"security-group.list": l([]string{"ID", "Name"}, []any{"sg-default", "default"}, []any{"sg-web", "web"}, []any{"sg-old", "old"}),
		"keypair.list":        l([]string{"Name", "Fingerprint"}, []any{"used-key", "x"}, []any{"stale-key", "y"}),
		"router.list": l([]string{"ID", "Name", "Status", "External gateway info"},
			[]any{"r1", "edge", "ACTIVE", `{"network_id":"pub"}`}, []any{"r2", "lonely", "ACTIVE", `{"network_id":"pub"}`}, []any{"r3", "inner", "ACTIVE", nil}),
		`port.list {"router":"r1"}`: l([]string{"ID", "Device Owner"}, []any{"i1", "network:router_interface"}, []any{"g1", "network:router_gateway"}),
		`port.list {"router":"r2"}`: l([]string{"ID", "Device Owner"}, []any{"g2", "network:router_gateway"}),
		"network.list":              l([]string{"ID", "Name", "Status"}, []any{"n1", "private", "ACTIVE"}),
		"volume.snapshot.list": l([]string{"ID", "Name", "Status", "Created At"},
			[]any{"s1", "ancient", "available", "2026-01-01T00:00:00.000000"}, []any{"s2", "fresh", "available", "2026-12-01T00:00:00.000000"}),
		`server.events {"server":"` + srvA + `"}`: l([]string{"Request ID", "Server ID", "Action", "Start Time", "Message"},
			[]any{"req-1", srvA, "create", "2026-12-01T10:00:00.000000", nil}, []any{"req-2", srvA, "stop", "2026-12-02T10:00:00.000000", nil}),
		`server.events {"server":"` + srvB + `"}`: l([]string{"Request ID", "Server ID", "Action", "Start Time", "Message"},
			[]any{"req-3", srvB, "create", "2026-11-30T10:00:00.000000", "Error"}),
		`server.show {"server":"` + srvB + `"}`: {Record: &tools.Record{Fields: []tools.Field{
			{Name: "fault", Value: map[string]any{"code": float64(500), "message": "No valid host was found.", "created": "2026-11-30T10:00:05Z"}}}}},
		"whoami": {Record: &tools.Record{Fields: []tools.Field{{Name: "user", Value: "demo"}, {Name: "project", Value: "demo"},
			{Name: "expires_at", Value: "2026-12-03T20:00:00Z"}}}},
	}}
}

func load(t *testing.T, f *fakeCloud) map[ID]Panel {
	t.Helper()
	o := New(f.read, Options{Now: func() time.Time { return now }})
	var mu sync.Mutex
	seen := 0
	panels := o.LoadAll(t.Context(), func(Panel) { mu.Lock(); seen++; mu.Unlock() })
	if seen != len(Specs()) {
		t.Errorf("done called %d times, want %d", seen, len(Specs()))
	}
	out := map[ID]Panel{}
	for _, p := range panels {
		out[p.ID] = p
	}
	return out
}

func TestQuota(t *testing.T) {
	p := load(t, project())
	got := p[QuotaCompute].Quota
	want := []Bar{{Resource: "instances", InUse: 8, Limit: 10}, {Resource: "cores", InUse: 19, Limit: 20}, {Resource: "ram", InUse: 512, Limit: -1}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("compute bars (-want +got):\n%s", diff)
	}
	levels := []Level{Warn, Critical, OK}
	for i, b := range got {
		if b.Level() != levels[i] {
			t.Errorf("%s: level %d, want %d", b.Resource, b.Level(), levels[i])
		}
	}
	vol := p[QuotaVolume].Quota
	wantVol := []Bar{{Resource: "volumes", InUse: 1, Limit: 10}, {Resource: "gigabytes", Type: "lvm", InUse: 5, Limit: -1}, {Resource: "volumes", Type: "lvm", InUse: 1, Limit: 2}}
	if diff := cmp.Diff(wantVol, vol); diff != "" {
		t.Errorf("volume bars (-want +got):\n%s", diff)
	}
}

func TestBarLevels(t *testing.T) {
	tests := []struct {
		in, limit int
		want      Level
		bar       string
	}{
		{0, 10, OK, "[..........]"},
		{1, 100, OK, "[#.........]"},
		{75, 100, OK, "[########..]"},
		{76, 100, Warn, "[########..]"},
		{90, 100, Warn, "[#########.]"},
		{91, 100, Critical, "[#########.]"},
		{12, 10, Critical, "[##########]"},
		{1, 0, Critical, "[##########]"},
		{5, -1, OK, "            "},
	}
	for _, tt := range tests {
		b := Bar{InUse: tt.in, Limit: tt.limit}
		if b.Level() != tt.want || BarText(b, 12) != tt.bar {
			t.Errorf("%d of %d: level %d bar %q, want %d %q", tt.in, tt.limit, b.Level(), BarText(b, 12), tt.want, tt.bar)
		}
	}
}

func TestOrphans(t *testing.T) {
	p := load(t, project())[Orphans]
	if p.State != Ready {
		t.Fatalf("state %s: %s", p.State, p.Err)
	}
	var got []string
	for _, o := range p.Orphans {
		got = append(got, o.Kind+" "+o.Label())
	}
	want := []string{"volume data", "floating-ip 203.0.113.5", "port spare", "security-group old", "keypair stale-key", "router lonely", "volume.snapshot ancient"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("orphans (-want +got):\n%s", diff)
	}
}

// TestRouterPortsFromDeviceID: with the port list's Device ID, router
// interfaces come from the one port list, no per-router reads.
func TestRouterPortsFromDeviceID(t *testing.T) {
	f := project()
	f.results["port.list"] = &tools.Result{List: list([]string{"ID", "Name", "Status", "Security Groups", "Device Owner", "Device ID"},
		[]any{"p1", "", "ACTIVE", []string{"sg-default", "sg-web", "sg-old"}, "compute:nova", srvA},
		[]any{"i1", "", "ACTIVE", []string{}, "network:router_interface", "r1"},
		[]any{"g2", "", "ACTIVE", []string{}, "network:router_gateway", "r2"})}
	delete(f.results, `port.list {"router":"r1"}`)
	delete(f.results, `port.list {"router":"r2"}`)
	p := load(t, f)[Orphans]
	var got []string
	for _, o := range p.Orphans {
		if o.Kind == "router" {
			got = append(got, o.Label())
		}
	}
	if diff := cmp.Diff([]string{"lonely"}, got); diff != "" {
		t.Errorf("routers (-want +got):\n%s", diff)
	}
	for key := range f.calls {
		if strings.HasPrefix(key, "port.list {") {
			t.Errorf("read %s; the Device ID column should have answered", key)
		}
	}
}

func TestActions(t *testing.T) {
	p := load(t, project())[Actions]
	var got []string
	for _, a := range p.Actions {
		got = append(got, a.RequestID)
	}
	// The failure first, then newest first.
	if diff := cmp.Diff([]string{"req-3", "req-2", "req-1"}, got); diff != "" {
		t.Errorf("actions (-want +got):\n%s", diff)
	}
	wantFault := []Fault{{Server: "broken", ServerID: srvB, Code: 500, Message: "No valid host was found.", Created: "2026-11-30T10:00:05Z"}}
	if diff := cmp.Diff(wantFault, p.Faults); diff != "" {
		t.Errorf("faults (-want +got):\n%s", diff)
	}
}

// TestPanelsStandAlone: a 403, a missing service and a missing tool each
// stay in their panel; the rest fill in.
func TestPanelsStandAlone(t *testing.T) {
	tests := []struct {
		name   string
		change func(f *fakeCloud)
		want   map[ID]State
		text   map[ID]string
	}{
		{
			name:   "all there",
			change: func(*fakeCloud) {},
			want:   map[ID]State{QuotaCompute: Ready, QuotaNetwork: Ready, QuotaVolume: Ready, Status: Ready, Orphans: Ready, Actions: Ready, Auth: Ready},
			text:   map[ID]string{Auth: "application credentials not read: unknown tool"},
		},
		{
			name: "volume quota answers 403",
			change: func(f *fakeCloud) {
				f.errs[`quota.show {"service":"volume"}`] = forbidden()
			},
			want: map[ID]State{QuotaCompute: Ready, QuotaVolume: Forbidden, Status: Ready},
			text: map[ID]string{QuotaVolume: "not allowed: the cloud's policy refuses this user (403)"},
		},
		{
			name: "no block storage in the catalog",
			change: func(f *fakeCloud) {
				f.results["catalog"].List.Rows = f.results["catalog"].List.Rows[:2]
				f.errs["volume.list"] = &gate.ServiceMissingError{Service: "volumev3"}
				f.errs["volume.snapshot.list"] = &gate.ServiceMissingError{Service: "volumev3"}
			},
			want: map[ID]State{QuotaVolume: Missing, QuotaCompute: Ready, Status: Ready, Orphans: Ready},
			text: map[ID]string{
				QuotaVolume: "this cloud has no volumev3 service in this region",
				Status:      "volumes       this cloud has no volumev3 service in this region",
				Orphans:     "note: unattached volumes not checked (volume.list: this cloud has no volumev3 service in this region)",
			},
		},
		{
			name: "compute refuses everything",
			change: func(f *fakeCloud) {
				f.errs["server.list"] = forbidden()
				f.errs[`quota.show {"service":"compute"}`] = forbidden()
			},
			want: map[ID]State{QuotaCompute: Forbidden, Actions: Forbidden, Orphans: Ready, QuotaNetwork: Ready},
			text: map[ID]string{Status: "servers       not allowed"},
		},
		{
			name: "no cloud at all",
			change: func(f *fakeCloud) {
				f.errs["catalog"] = fmt.Errorf("no cloud is configured")
			},
			want: map[ID]State{QuotaCompute: Failed, Orphans: Failed, Auth: Failed},
			text: map[ID]string{Orphans: "no cloud is configured"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := project()
			tt.change(f)
			panels := load(t, f)
			for id, st := range tt.want {
				if panels[id].State != st {
					t.Errorf("%s: state %s (%s), want %s", id, panels[id].State, panels[id].Err, st)
				}
			}
			for id, want := range tt.text {
				text := strings.Join(Lines(panels[id], now), "\n")
				if !strings.Contains(text, want) {
					t.Errorf("%s lacks %q:\n%s", id, want, text)
				}
			}
		})
	}
}

// TestSharedReads: the server list serves three panels with one read.
func TestSharedReads(t *testing.T) {
	f := project()
	load(t, f)
	for key, n := range f.calls {
		if n != 1 {
			t.Errorf("%s read %d times, want once", key, n)
		}
	}
}

func TestText(t *testing.T) {
	panels := load(t, project())
	got := Text([]Panel{panels[QuotaCompute], panels[Auth]}, now)
	want := `Compute quota
  instances [################....] 8 of 10 (80%)  above 75%
  cores     [###################.] 19 of 20 (95%)  above 90%
  ram                              512 (no limit)

Login
  token expires 2026-12-03T20:00:00Z (in 8h00m)
  application credentials not read: unknown tool "application-credential.list"
`
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("text (-want +got):\n%s", diff)
	}
}
