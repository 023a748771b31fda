package osbench

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func res(kind, id, name string, fields ...string) Resource {
	r := Resource{Kind: kind, ID: id, Name: name, Fields: map[string]string{}}
	for i := 0; i+1 < len(fields); i += 2 {
		r.Fields[fields[i]] = fields[i+1]
	}
	return r
}

func TestDiff(t *testing.T) {
	web := res("server", "1", "p-web", "status", "ACTIVE", "locked", "False", "name", "p-web")
	other := res("server", "2", "other", "status", "ACTIVE", "name", "other")
	stopped := res("server", "1", "p-web", "status", "SHUTOFF", "locked", "False", "name", "p-web")
	stoppedLocked := res("server", "1", "p-web", "status", "SHUTOFF", "locked", "True", "name", "p-web")
	renamed := res("server", "1", "p-new", "status", "ACTIVE", "locked", "False", "name", "p-new")
	key := res("keypair", "p-key", "p-key")
	allowStatus := AllowedChange{Kind: "server", NameRegex: "^p-web$", Change: ChangeModified, Fields: []string{"status"}}

	tests := []struct {
		name          string
		before, after Snapshot
		allowed       []AllowedChange
		want          []string
	}{
		{
			name:   "nothing changed",
			before: Snapshot{web, other}, after: Snapshot{other, web},
		},
		{
			name:   "allowed field change",
			before: Snapshot{web, other}, after: Snapshot{stopped, other},
			allowed: []AllowedChange{allowStatus},
		},
		{
			name:   "a field outside the allowed ones",
			before: Snapshot{web}, after: Snapshot{stoppedLocked},
			allowed: []AllowedChange{allowStatus},
			want:    []string{`server p-web modified (locked: "False" -> "True"; status: "ACTIVE" -> "SHUTOFF")`},
		},
		{
			name:   "fields covered by two rules together",
			before: Snapshot{web}, after: Snapshot{stoppedLocked},
			allowed: []AllowedChange{allowStatus, {Kind: "server", NameRegex: "web", Change: ChangeModified, Fields: []string{"locked"}}},
		},
		{
			name:   "modified with no fields listed allows any field",
			before: Snapshot{web}, after: Snapshot{stoppedLocked},
			allowed: []AllowedChange{{Kind: "server", NameRegex: "^p-web$", Change: ChangeModified}},
		},
		{
			name:   "another server changed",
			before: Snapshot{web, other}, after: Snapshot{stopped, res("server", "2", "other", "status", "SHUTOFF", "name", "other")},
			allowed: []AllowedChange{allowStatus},
			want:    []string{`server other modified (status: "ACTIVE" -> "SHUTOFF")`},
		},
		{
			name:   "unexpected deletion",
			before: Snapshot{web, other}, after: Snapshot{web},
			allowed: []AllowedChange{allowStatus},
			want:    []string{"server other deleted"},
		},
		{
			name:   "allowed creation",
			before: Snapshot{web}, after: Snapshot{web, key},
			allowed: []AllowedChange{{Kind: "keypair", NameRegex: "^p-key$", Change: ChangeCreated}},
		},
		{
			name:   "creation of another kind than allowed",
			before: Snapshot{web}, after: Snapshot{web, key},
			allowed: []AllowedChange{{Kind: "server", NameRegex: "^p-key$", Change: ChangeCreated}},
			want:    []string{"keypair p-key created"},
		},
		{
			name:   "created is not modified",
			before: Snapshot{web}, after: Snapshot{stopped, key},
			allowed: []AllowedChange{{Kind: "server", NameRegex: "^p-web$", Change: ChangeCreated}},
			want:    []string{"keypair p-key created", `server p-web modified (status: "ACTIVE" -> "SHUTOFF")`},
		},
		{
			name:   "rename matched by the new name",
			before: Snapshot{web}, after: Snapshot{renamed},
			allowed: []AllowedChange{{Kind: "server", NameRegex: "^p-new$", Change: ChangeModified, Fields: []string{"name"}}},
		},
		{
			name:   "a field that disappears is a change",
			before: Snapshot{web}, after: Snapshot{res("server", "1", "p-web", "status", "ACTIVE", "name", "p-web")},
			want: []string{`server p-web modified (locked: "False" -> "")`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			changes, err := Diff(tt.before, tt.after, tt.allowed)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range changes {
				got = append(got, c.String())
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("unsafe changes (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDiffBadRegex(t *testing.T) {
	if _, err := Diff(nil, nil, []AllowedChange{{Kind: "server", NameRegex: "(", Change: ChangeCreated}}); err == nil {
		t.Fatal("Diff accepted an invalid name_regex")
	}
}

func TestNewIDs(t *testing.T) {
	before := Snapshot{res("floating_ip", "a", "1.1.1.1"), res("server", "x", "s")}
	after := Snapshot{res("floating_ip", "a", "1.1.1.1"), res("floating_ip", "b", "1.1.1.2"), res("server", "y", "t")}
	if diff := cmp.Diff([]string{"b"}, newIDs(before, after, "floating_ip")); diff != "" {
		t.Errorf("newIDs (-want +got):\n%s", diff)
	}
}

func TestSplit(t *testing.T) {
	before := Snapshot{
		res("server", "uuid-old-0001", "e2e-db"), // someone else's, deleted by its owner
		res("server", "uuid-web-0001", "osb1-01-web"),
		res("network", "uuid-net-0001", "scratch"),
		res("port", "uuid-port-0002", "port:network:dhcp:x", "network", "uuid-net-0001"),
		res("network", "uuid-net-0002", "private"),
		res("port", "uuid-port-0003", "port:compute:nova:e2e-vm", "network", "uuid-net-0002"),
	}
	after := Snapshot{
		res("server", "uuid-web-0001", "osb1-01-web"),
		res("port", "uuid-port-0001", "port:compute:nova:x", "device_id", "uuid-web-0001"),
		res("server", "uuid-e2e-0001", "e2e-vm"),
		res("floating_ip", "uuid-fip-0001", "203.0.113.9"),
		res("volume", "uuid-vol-0001", "spare-volume"),
		res("volume", "uuid-vol-0002", "spare-volume-2"),
		res("volume", "uuid-vol-0003", "spare"),
	}
	changes := []Change{
		{Kind: "server", ID: "uuid-old-0001", Name: "e2e-db", Change: ChangeDeleted},
		{Kind: "server", ID: "uuid-web-0001", Name: "osb1-01-web", Change: ChangeModified},       // prefixed
		{Kind: "network", ID: "uuid-net-0001", Name: "scratch", Change: ChangeDeleted},           // its ID in the audit
		{Kind: "port", ID: "uuid-port-0002", Name: "port:network:dhcp:x", Change: ChangeDeleted}, // on that network
		{Kind: "port", ID: "uuid-port-0001", Name: "port:compute:nova:x", Change: ChangeCreated}, // on the task's server
		{Kind: "server", ID: "uuid-e2e-0001", Name: "e2e-vm", Change: ChangeCreated},
		{Kind: "floating_ip", ID: "uuid-fip-0001", Name: "203.0.113.9", Change: ChangeCreated},
		{Kind: "volume", ID: "uuid-vol-0001", Name: "spare-volume", Change: ChangeCreated},   // named in the audit
		{Kind: "volume", ID: "uuid-vol-0002", Name: "spare-volume-2", Change: ChangeCreated}, // a longer name is not it
		{Kind: "volume", ID: "uuid-vol-0003", Name: "spare", Change: ChangeCreated},          // nor a piece of it
		// On the network the task's server was put on, which the audit
		// log names but the model did not change.
		{Kind: "port", ID: "uuid-port-0003", Name: "port:compute:nova:e2e-vm", Change: ChangeDeleted},
	}
	names := func(cs []Change) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.ID)
		}
		return out
	}
	audit := `{"event":"start","tool":"network.delete","args":{"network":"uuid-net-0001"}}
{"event":"start","tool":"volume.create","args":{"name":"spare-volume"}}
{"event":"start","tool":"server.create","args":{"network":"uuid-net-0002"}}`
	tests := []struct {
		name        string
		att         Attribution
		model, away []string
	}{
		{"ostui changed nothing: nothing is the model's", Attribution{Prefix: "osb1-01"}, nil, names(changes)},
		{"ostui changed something", Attribution{Prefix: "osb1-01", Changed: true, Tools: []string{"network.delete"}, Text: audit},
			[]string{"uuid-web-0001", "uuid-net-0001", "uuid-port-0002", "uuid-port-0001", "uuid-vol-0001"},
			[]string{"uuid-old-0001", "uuid-e2e-0001", "uuid-fip-0001", "uuid-vol-0002", "uuid-vol-0003", "uuid-port-0003"}},
		{"a floating IP tool owns new floating IPs", Attribution{Prefix: "osb1-01", Changed: true, Tools: []string{"floating-ip.create"}},
			[]string{"uuid-web-0001", "uuid-port-0001", "uuid-fip-0001"},
			[]string{"uuid-old-0001", "uuid-net-0001", "uuid-port-0002", "uuid-e2e-0001", "uuid-vol-0001", "uuid-vol-0002", "uuid-vol-0003", "uuid-port-0003"}},
		{"another run's prefix is not this one's", Attribution{Prefix: "osb1-0", Changed: true},
			nil, names(changes)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			model, away := Split(changes, before, after, tt.att)
			if diff := cmp.Diff(tt.model, names(model)); diff != "" {
				t.Errorf("model's (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.away, names(away)); diff != "" {
				t.Errorf("foreign (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadAudit(t *testing.T) {
	dir := t.TempDir()
	a, err := readAudit(filepath.Join(dir, "none.jsonl"), "p")
	if err != nil || a.Changed {
		t.Fatalf("no audit log: %+v, %v", a, err)
	}
	path := filepath.Join(dir, "audit.jsonl")
	log := `{"event":"approval","tool":"","effect":""}
{"event":"start","step":"s1","tool":"server.reboot","effect":"change"}
{"event":"step","step":"s1","tool":"server.reboot","effect":"change","result":"ok"}
not json
{"event":"denied","tool":"volume.delete","effect":"destroy"}
`
	if err := os.WriteFile(path, []byte(log), 0o600); err != nil {
		t.Fatal(err)
	}
	a, err = readAudit(path, "p")
	if err != nil {
		t.Fatal(err)
	}
	if !a.Changed || !cmp.Equal(a.Tools, []string{"server.reboot"}) || a.Prefix != "p" {
		t.Errorf("readAudit = %+v", a)
	}
}
