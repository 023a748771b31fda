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
	vs := newRows(in.Volumes)
	vs.each(func(r []any) {
		if strings.EqualFold(vs.str(r, "Status"), "available") && strings.TrimSpace(vs.str(r, "Attached to")) == "" {
			out = append(out, Orphan{Kind: "volume", ID: vs.str(r, "ID"), Name: vs.str(r, "Name"),
				Why: fmt.Sprintf("unattached volume (%s GiB)", vs.str(r, "Size"))})
		}
	})
	// Floating IPs bound to no port.
	fs := newRows(in.FloatingIPs)
	fs.each(func(r []any) {
		if fs.str(r, "Port") == "" {
			out = append(out, Orphan{Kind: "floating-ip", ID: fs.str(r, "ID"), Name: fs.str(r, "Floating IP Address"),
				Why: "floating IP bound to no port"})
		}
	})
	// Ports with no device owner: made by hand and never attached. Ports
	// Neutron owns (DHCP, router interfaces) always have an owner.
	ps := newRows(in.Ports)
	ps.each(func(r []any) {
		if strings.TrimSpace(ps.str(r, "Device Owner")) == "" {
			out = append(out, Orphan{Kind: "port", ID: ps.str(r, "ID"), Name: ps.str(r, "Name"),
				Why: "port attached to no device"})
		}
	})
	// Security groups no port uses; "default" is Neutron's and comes back
	// when deleted, so it is never reported.
	if in.SecurityGroups != nil && in.Ports != nil {
		used := map[string]bool{}
		ps.each(func(r []any) {
			for _, id := range ps.strs(r, "Security Groups") {
				used[strings.TrimSpace(id)] = true
			}
		})
		sg := newRows(in.SecurityGroups)
		sg.each(func(r []any) {
			id, name := sg.str(r, "ID"), sg.str(r, "Name")
			if name != "default" && !used[id] {
				out = append(out, Orphan{Kind: "security-group", ID: id, Name: name, Why: "security group no port uses"})
			}
		})
	}
	// Key pairs no server was booted with (Key Name of the server list).
	if in.Keypairs != nil && in.Servers != nil && newRows(in.Servers).has("Key Name") {
		ss := newRows(in.Servers)
		used := map[string]bool{}
		ss.each(func(r []any) { used[ss.str(r, "Key Name")] = true })
		kp := newRows(in.Keypairs)
		kp.each(func(r []any) {
			if name := kp.str(r, "Name"); !used[name] {
				out = append(out, Orphan{Kind: "keypair", ID: name, Name: name, Why: "key pair no server uses"})
			}
		})
	}
	// Routers with an external gateway and no interface: they hold an
	// external address and route nothing.
	rs := newRows(in.Routers)
	rs.each(func(r []any) {
		id := rs.str(r, "ID")
		if !HasGateway(rs.value(r, "External gateway info")) {
			return
		}
		ports, ok := in.RouterPorts[id]
		if !ok || ports == nil {
			return
		}
		pr := newRows(ports)
		ifaces := 0
		pr.each(func(p []any) {
			if strings.HasPrefix(pr.str(p, "Device Owner"), "network:router_interface") {
				ifaces++
			}
		})
		if ifaces == 0 {
			out = append(out, Orphan{Kind: "router", ID: id, Name: rs.str(r, "Name"), Why: "router with a gateway and no interface"})
		}
	})
	// Snapshots older than the threshold.
	sn := newRows(in.Snapshots)
	sn.each(func(r []any) {
		created, ok := parseTime(sn.str(r, "Created At"))
		if !ok {
			return
		}
		if age := opts.Now.Sub(created); age > opts.SnapshotAge {
			out = append(out, Orphan{Kind: "volume.snapshot", ID: sn.str(r, "ID"), Name: sn.str(r, "Name"), Age: age,
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
