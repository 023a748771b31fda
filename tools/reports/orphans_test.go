package reports

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var now = time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)

func daysAgo(n int) time.Time { return now.Add(-time.Duration(n) * 24 * time.Hour) }

// every reads every source.
func every() map[Source]bool {
	m := map[Source]bool{}
	for _, s := range OrphanSources {
		m[s] = true
	}
	return m
}

// project has one orphan of each kind and one resource of each kind that
// is in use (or too young), so each rule is seen to pick and to spare.
func project() Facts {
	zero := 0
	one := 1
	return Facts{
		Read:      every(),
		ProjectID: "p1",
		Servers: []Server{
			{ID: "s1", Name: "web", Status: "ACTIVE", KeyName: "used-key", ImageID: "img-used", Updated: daysAgo(100)},
			{ID: "s2", Name: "old-vm", Status: "SHUTOFF", Updated: daysAgo(45), Created: daysAgo(200)},
			{ID: "s3", Name: "new-vm", Status: "SHUTOFF", Updated: daysAgo(2)},
		},
		Volumes: []Volume{
			{ID: "v1", Name: "data", Status: "available", Size: 10, Created: daysAgo(3)},
			{ID: "v2", Name: "root", Status: "in-use", Attached: true},
			{ID: "v3", Name: "busy", Status: "downloading"},
		},
		Snapshots: []Snapshot{
			{ID: "sn1", Name: "ancient", VolumeID: "v1", Created: daysAgo(60)},
			{ID: "sn2", Name: "fresh", VolumeID: "v2", Created: daysAgo(1)},
		},
		FloatingIPs: []FloatingIP{
			{ID: "f1", Address: "203.0.113.5", Created: daysAgo(7)},
			{ID: "f2", Address: "203.0.113.6", PortID: "p-vip"},
		},
		Ports: []Port{
			{ID: "p-spare", Name: "spare", Created: now.Add(-90 * time.Minute)},
			{ID: "p-vip", Name: "vip"},
			{ID: "p-web", Name: "web-port", DeviceOwner: "compute:nova", DeviceID: "s1", SecurityGroups: []string{"g-web"}},
			{ID: "p-if", DeviceOwner: "network:router_interface", DeviceID: "r-busy"},
		},
		Routers: []Router{
			{ID: "r-lonely", Name: "lonely", Gateway: true, Created: daysAgo(10)},
			{ID: "r-busy", Name: "busy", Gateway: true},
			{ID: "r-none", Name: "internal"},
			{ID: "r-told", Name: "told", Gateway: true, Interfaces: &one},
			{ID: "r-told0", Name: "told-zero", Gateway: true, Interfaces: &zero},
		},
		Groups: []Group{
			{ID: "g-default", Name: "default"},
			{ID: "g-web", Name: "web", RemoteGroups: []string{"g-old"}},
			{ID: "g-old", Name: "old"},
		},
		Keypairs: []Keypair{{Name: "used-key"}, {Name: "stale-key"}},
		Images: []Image{
			{ID: "img-old", Name: "golden-2024", Owner: "p1", Created: daysAgo(400)},
			{ID: "img-used", Name: "in-use", Owner: "p1", Created: daysAgo(400)},
			{ID: "img-pub", Name: "cirros", Owner: "admin", Created: daysAgo(400)},
			{ID: "img-prot", Name: "keep", Owner: "p1", Protected: true, Created: daysAgo(400)},
			{ID: "img-new", Name: "new", Owner: "p1", Created: daysAgo(3)},
		},
	}
}

func labels(os []Orphan) []string {
	var out []string
	for _, o := range os {
		out = append(out, fmt.Sprintf("%s %s %s", o.Kind, o.Label(), Age(o)))
	}
	return out
}

func TestFindOrphans(t *testing.T) {
	tests := []struct {
		name  string
		facts func() Facts
		opts  OrphanOptions
		want  []string
	}{
		{
			name:  "defaults: one of each kind, in report order, with ages",
			facts: project,
			want: []string{
				"volume data 3d",
				"floating-ip 203.0.113.5 7d",
				"port spare 1h",
				"security-group old -",
				"keypair stale-key -",
				"router lonely 10d",
				"router told-zero -",
				"volume.snapshot ancient 60d",
				"image golden-2024 400d",
				"server old-vm 45d",
			},
		},
		{
			name:  "thresholds: older-than 90d spares the snapshot, stopped-for 1d takes the new server",
			facts: project,
			opts:  OrphanOptions{OlderThan: 90 * 24 * time.Hour, StoppedFor: 24 * time.Hour},
			want: []string{
				"volume data 3d",
				"floating-ip 203.0.113.5 7d",
				"port spare 1h",
				"security-group old -",
				"keypair stale-key -",
				"router lonely 10d",
				"router told-zero -",
				"image golden-2024 400d",
				"server new-vm 2d",
				"server old-vm 45d",
			},
		},
		{
			name:  "min-age hides the young, and those whose age is unknown",
			facts: project,
			opts:  OrphanOptions{MinAge: 5 * 24 * time.Hour},
			want: []string{
				"floating-ip 203.0.113.5 7d",
				"router lonely 10d",
				"volume.snapshot ancient 60d",
				"image golden-2024 400d",
				"server old-vm 45d",
			},
		},
		{
			name: "a source not read leaves out the kinds judged on it",
			facts: func() Facts {
				f := project()
				delete(f.Read, SrcPorts)
				delete(f.Read, SrcServers)
				delete(f.Read, SrcVolumes)
				return f
			},
			want: []string{
				"floating-ip 203.0.113.5 7d",
				"router told-zero -",
				"volume.snapshot ancient 60d",
			},
		},
		{
			name: "without the project's ID no image is judged",
			facts: func() Facts {
				f := project()
				f.ProjectID = ""
				f.Read = map[Source]bool{SrcImages: true, SrcServers: true}
				return f
			},
			want: []string{"server old-vm 45d"},
		},
		{
			name:  "nothing read, nothing found",
			facts: func() Facts { return Facts{} },
			want:  nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := tt.opts
			opts.Now = now
			got := FindOrphans(tt.facts(), opts)
			if diff := cmp.Diff(tt.want, labels(got)); diff != "" {
				t.Errorf("orphans (-want +got):\n%s", diff)
			}
			// Deterministic: the same facts give the same answer.
			if again := FindOrphans(tt.facts(), opts); !cmp.Equal(labels(got), labels(again)) {
				t.Errorf("a second run differs: %v", labels(again))
			}
		})
	}
}

func TestFindOrphansWhyAndDependents(t *testing.T) {
	got := FindOrphans(project(), OrphanOptions{Now: now})
	by := map[string]Orphan{}
	for _, o := range got {
		by[o.Kind+" "+o.Label()] = o
	}
	tests := []struct {
		key, why string
		deps     []string
	}{
		{"volume data", "unattached volume (10 GiB)", []string{"1 snapshot(s) of it must go first (or with it: --cascade)"}},
		{"security-group old", "security group no port uses", []string{"rules of group web admit it as a remote group; Neutron deletes those rules with it"}},
		{"router lonely", "router with a gateway and no interface", []string{"its external gateway is cleared first (router.unset --external-gateway)"}},
		{"server old-vm", "server SHUTOFF, unchanged for 45 days", nil},
		{"keypair stale-key", "key pair no server of this project uses", nil},
		{"image golden-2024", "image 400 days old that no server boots from", nil},
	}
	for _, tt := range tests {
		o, ok := by[tt.key]
		if !ok {
			t.Errorf("%s not found", tt.key)
			continue
		}
		if o.Why != tt.why {
			t.Errorf("%s: why %q, want %q", tt.key, o.Why, tt.why)
		}
		if diff := cmp.Diff(tt.deps, o.Dependents); diff != "" {
			t.Errorf("%s: dependents (-want +got):\n%s", tt.key, diff)
		}
	}
	if o := by["server old-vm"]; !o.Since.Equal(daysAgo(45)) {
		t.Errorf("a stopped server's age counts from its last change, got since %v", o.Since)
	}
}

func TestOrderByLabelThenID(t *testing.T) {
	f := Facts{Read: every(), Volumes: []Volume{
		{ID: "b", Name: "same", Status: "available"},
		{ID: "a", Name: "same", Status: "available"},
		{ID: "c", Name: "", Status: "available"},
		{ID: "d", Name: "alpha", Status: "available"},
	}}
	var got []string
	for _, o := range FindOrphans(f, OrphanOptions{Now: now}) {
		got = append(got, o.ID)
	}
	if diff := cmp.Diff([]string{"d", "c", "a", "b"}, got); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
}

func TestParseAge(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		err  string
	}{
		{"30d", 30 * 24 * time.Hour, ""},
		{"2w", 14 * 24 * time.Hour, ""},
		{"12h", 12 * time.Hour, ""},
		{"90m", 90 * time.Minute, ""},
		{"1d12h", 36 * time.Hour, ""},
		{"45s", 45 * time.Second, ""},
		{"", 0, "an age is a number and a unit"},
		{"30", 0, `age "30": write a number and a unit`},
		{"d", 0, `age "d": write a number and a unit`},
		{"3y", 0, `unknown unit "y"`},
		{"1234567d", 0, "write a number and a unit"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseAge(tt.in)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("ParseAge(%q) = %v, %v; want an error with %q", tt.in, got, err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseAge(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestAgeAndDays(t *testing.T) {
	tests := []struct {
		d          time.Duration
		age, words string
	}{
		{30 * time.Minute, "30m", "30 minutes"},
		{3 * time.Hour, "3h", "3 hours"},
		{47 * time.Hour, "47h", "47 hours"},
		{49 * time.Hour, "2d", "2 days"},
		{400 * 24 * time.Hour, "400d", "400 days"},
	}
	for _, tt := range tests {
		o := Orphan{Age: tt.d, Since: now.Add(-tt.d)}
		if got := Age(o); got != tt.age {
			t.Errorf("Age(%v) = %q, want %q", tt.d, got, tt.age)
		}
		if got := Days(tt.d); got != tt.words {
			t.Errorf("Days(%v) = %q, want %q", tt.d, got, tt.words)
		}
	}
	if got := Age(Orphan{}); got != "-" {
		t.Errorf("unknown age = %q, want -", got)
	}
}

func TestParseTime(t *testing.T) {
	want := time.Date(2026, 12, 3, 9, 32, 8, 0, time.UTC)
	for _, s := range []string{"2026-12-03T09:32:08Z", "2026-12-03T09:32:08.000000", "2026-12-03T09:32:08", "2026-12-03 09:32:08", "2026-12-03T10:32:08+01:00"} {
		got, ok := ParseTime(s)
		if !ok || !got.Equal(want) {
			t.Errorf("ParseTime(%q) = %v, %v", s, got, ok)
		}
	}
	if _, ok := ParseTime("yesterday"); ok {
		t.Error("ParseTime read nonsense")
	}
}
