package overview

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/kriscelmer/os-tui/tools"
)

// Orphan is one resource nothing uses: it costs quota (and often money)
// and is usually left over from something deleted.
type Orphan struct {
	// Kind is the resource kind as the registry names it: "volume",
	// "floating-ip", "port", "security-group", "keypair", "router",
	// "volume.snapshot".
	Kind string
	ID   string
	Name string
	// Why says what makes it an orphan, for a person.
	Why string
	// Age is how old it is, when the list says (snapshots); 0 otherwise.
	Age time.Duration
}

// Label names the orphan: its name, else its ID.
func (o Orphan) Label() string {
	if strings.TrimSpace(o.Name) != "" {
		return o.Name
	}
	return o.ID
}

// OrphanInput holds the lists orphans are found in, as the list tools
// return them. A nil list leaves its kind out (it could not be read), and
// a kind whose judgement needs a list that is nil is left out too (key
// pairs without the server list).
type OrphanInput struct {
	Volumes        *tools.List // volume.list
	FloatingIPs    *tools.List // floating-ip.list
	Ports          *tools.List // port.list
	SecurityGroups *tools.List // security-group.list
	Keypairs       *tools.List // keypair.list
	Servers        *tools.List // server.list (its long Key Name column)
	Routers        *tools.List // router.list (External gateway info)
	// RouterPorts are the ports of each router with a gateway (port.list
	// --router ID), by router ID; a router missing here is not judged.
	RouterPorts map[string]*tools.List
	Snapshots   *tools.List // volume.snapshot.list
}

// OrphanOptions tune what counts as an orphan.
type OrphanOptions struct {
	// SnapshotAge is the age above which a snapshot is reported (default
	// 30 days).
	SnapshotAge time.Duration
	// Now is the clock (default time.Now).
	Now time.Time
}

// DefaultSnapshotAge is how old a snapshot must be to be reported.
const DefaultSnapshotAge = 30 * 24 * time.Hour

// FindOrphans judges each kind of resource by the rule people use when
// they clean up by hand. It is deterministic: the same lists give the same
// orphans in the same order (by kind, then label, then ID). /overview and
// /orphans share it.
func FindOrphans(in OrphanInput, opts OrphanOptions) []Orphan {
	if opts.SnapshotAge <= 0 {
		opts.SnapshotAge = DefaultSnapshotAge
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	var out []Orphan
	// Volumes: available (not in-use, not in a transition) and attached to nothing.
	vs := tools.RowsOf(in.Volumes)
	vs.Each(func(r []any) {
		if strings.EqualFold(vs.Str(r, "Status"), "available") && strings.TrimSpace(vs.Str(r, "Attached to")) == "" {
			out = append(out, Orphan{Kind: "volume", ID: vs.Str(r, "ID"), Name: vs.Str(r, "Name"),
				Why: fmt.Sprintf("unattached volume (%s GiB)", vs.Str(r, "Size"))})
		}
	})
	// Floating IPs bound to no port.
	fs := tools.RowsOf(in.FloatingIPs)
	fs.Each(func(r []any) {
		if fs.Str(r, "Port") == "" {
			out = append(out, Orphan{Kind: "floating-ip", ID: fs.Str(r, "ID"), Name: fs.Str(r, "Floating IP Address"),
				Why: "floating IP bound to no port"})
		}
	})
	// Ports with no device owner: made by hand and never attached. Ports
	// Neutron owns (DHCP, router interfaces) always have an owner.
	ps := tools.RowsOf(in.Ports)
	ps.Each(func(r []any) {
		if strings.TrimSpace(ps.Str(r, "Device Owner")) == "" {
			out = append(out, Orphan{Kind: "port", ID: ps.Str(r, "ID"), Name: ps.Str(r, "Name"),
				Why: "port attached to no device"})
		}
	})
	// Security groups no port uses; "default" is Neutron's and comes back
	// when deleted, so it is never reported.
	if in.SecurityGroups != nil && in.Ports != nil {
		used := map[string]bool{}
		ps.Each(func(r []any) {
			for _, id := range ps.Strs(r, "Security Groups") {
				used[strings.TrimSpace(id)] = true
			}
		})
		sg := tools.RowsOf(in.SecurityGroups)
		sg.Each(func(r []any) {
			id, name := sg.Str(r, "ID"), sg.Str(r, "Name")
			if name != "default" && !used[id] {
				out = append(out, Orphan{Kind: "security-group", ID: id, Name: name, Why: "security group no port uses"})
			}
		})
	}
	// Key pairs no server was booted with (Key Name of the server list).
	if in.Keypairs != nil && in.Servers != nil && tools.RowsOf(in.Servers).Has("Key Name") {
		ss := tools.RowsOf(in.Servers)
		used := map[string]bool{}
		ss.Each(func(r []any) { used[ss.Str(r, "Key Name")] = true })
		kp := tools.RowsOf(in.Keypairs)
		kp.Each(func(r []any) {
			if name := kp.Str(r, "Name"); !used[name] {
				out = append(out, Orphan{Kind: "keypair", ID: name, Name: name, Why: "key pair no server uses"})
			}
		})
	}
	// Routers with an external gateway and no interface: they hold an
	// external address and route nothing.
	rs := tools.RowsOf(in.Routers)
	rs.Each(func(r []any) {
		id := rs.Str(r, "ID")
		if !HasGateway(rs.Value(r, "External gateway info")) {
			return
		}
		ports, ok := in.RouterPorts[id]
		if !ok || ports == nil {
			return
		}
		pr := tools.RowsOf(ports)
		ifaces := 0
		pr.Each(func(p []any) {
			if strings.HasPrefix(pr.Str(p, "Device Owner"), "network:router_interface") {
				ifaces++
			}
		})
		if ifaces == 0 {
			out = append(out, Orphan{Kind: "router", ID: id, Name: rs.Str(r, "Name"), Why: "router with a gateway and no interface"})
		}
	})
	// Snapshots older than the threshold.
	sn := tools.RowsOf(in.Snapshots)
	sn.Each(func(r []any) {
		created, ok := parseTime(sn.Str(r, "Created At"))
		if !ok {
			return
		}
		if age := opts.Now.Sub(created); age > opts.SnapshotAge {
			out = append(out, Orphan{Kind: "volume.snapshot", ID: sn.Str(r, "ID"), Name: sn.Str(r, "Name"), Age: age,
				Why: fmt.Sprintf("snapshot %s old", Days(age))})
		}
	})
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Kind != b.Kind {
			return kindOrder(a.Kind) < kindOrder(b.Kind)
		}
		if a.Label() != b.Label() {
			return a.Label() < b.Label()
		}
		return a.ID < b.ID
	})
	return out
}

var orphanKinds = []string{"volume", "floating-ip", "port", "security-group", "keypair", "router", "volume.snapshot"}

func kindOrder(k string) int {
	for i, x := range orphanKinds {
		if x == k {
			return i
		}
	}
	return len(orphanKinds)
}

// HasGateway reports whether a router's "External gateway info" (JSON
// text or a decoded map) names an external network.
func HasGateway(v any) bool {
	var data []byte
	switch x := v.(type) {
	case nil:
		return false
	case string:
		data = []byte(x)
	default:
		var err error
		if data, err = json.Marshal(x); err != nil {
			return false
		}
	}
	var info struct {
		NetworkID string `json:"network_id"`
	}
	return json.Unmarshal(data, &info) == nil && info.NetworkID != ""
}

// Days writes an age in whole days ("45 days"), or hours under two days.
func Days(d time.Duration) string {
	if d < 48*time.Hour {
		return fmt.Sprintf("%d hours", int(d.Hours()))
	}
	return fmt.Sprintf("%d days", int(d.Hours()/24))
}

// parseTime reads the time formats OpenStack lists use: RFC 3339, and
// Nova's and Cinder's zone-less "2026-12-03T09:32:08.000000" (UTC).
func parseTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999", "2006-01-02T15:04:05", "2006-01-02 15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
