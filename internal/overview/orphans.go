package overview

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/reports"
)

// Orphan is one resource nothing uses. The rules that find them are the
// reports kernel's (reports.FindOrphans), shared with /orphans.
type Orphan = reports.Orphan

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
const DefaultSnapshotAge = reports.DefaultOlderThan

// FindOrphans turns the lists into the kernel's facts and judges them
// with reports.FindOrphans: the same rules, the same order as /orphans.
// The overview reads no images (its panel leaves them to /orphans) and
// keeps servers' stop times to the Status panel, so those two kinds are
// not judged here.
func FindOrphans(in OrphanInput, opts OrphanOptions) []Orphan {
	return reports.FindOrphans(Facts(in), reports.OrphanOptions{OlderThan: opts.SnapshotAge, Now: opts.Now})
}

// Facts reads the lists into the reports kernel's facts.
func Facts(in OrphanInput) reports.Facts {
	f := reports.Facts{Read: map[reports.Source]bool{}}
	read := func(l *tools.List, src reports.Source) (tools.Rows, bool) {
		if l == nil {
			return tools.Rows{}, false
		}
		f.Read[src] = true
		return tools.RowsOf(l), true
	}
	if vs, ok := read(in.Volumes, reports.SrcVolumes); ok {
		vs.Each(func(r []any) {
			size, _ := vs.Int(r, "Size")
			f.Volumes = append(f.Volumes, reports.Volume{ID: vs.Str(r, "ID"), Name: vs.Str(r, "Name"), Status: vs.Str(r, "Status"),
				Size: size, Attached: strings.TrimSpace(vs.Str(r, "Attached to")) != ""})
		})
	}
	if fs, ok := read(in.FloatingIPs, reports.SrcFloatingIPs); ok {
		fs.Each(func(r []any) {
			f.FloatingIPs = append(f.FloatingIPs, reports.FloatingIP{ID: fs.Str(r, "ID"), Address: fs.Str(r, "Floating IP Address"), PortID: fs.Str(r, "Port")})
		})
	}
	if ps, ok := read(in.Ports, reports.SrcPorts); ok {
		ps.Each(func(r []any) {
			f.Ports = append(f.Ports, reports.Port{ID: ps.Str(r, "ID"), Name: ps.Str(r, "Name"), DeviceOwner: ps.Str(r, "Device Owner"),
				SecurityGroups: ps.Strs(r, "Security Groups")})
		})
	}
	if sg, ok := read(in.SecurityGroups, reports.SrcGroups); ok {
		sg.Each(func(r []any) {
			f.Groups = append(f.Groups, reports.Group{ID: sg.Str(r, "ID"), Name: sg.Str(r, "Name")})
		})
	}
	if kp, ok := read(in.Keypairs, reports.SrcKeypairs); ok {
		kp.Each(func(r []any) { f.Keypairs = append(f.Keypairs, reports.Keypair{Name: kp.Str(r, "Name")}) })
	}
	// Key pairs are judged by the server list's Key Name column; a list
	// without it cannot say which key pairs are used.
	if ss := tools.RowsOf(in.Servers); in.Servers != nil && ss.Has("Key Name") {
		f.Read[reports.SrcServers] = true
		ss.Each(func(r []any) {
			f.Servers = append(f.Servers, reports.Server{ID: ss.Str(r, "ID"), Name: ss.Str(r, "Name"), KeyName: ss.Str(r, "Key Name")})
		})
	}
	if rs, ok := read(in.Routers, reports.SrcRouters); ok {
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
			n := 0
			pr.Each(func(p []any) {
				if strings.HasPrefix(pr.Str(p, "Device Owner"), "network:router_interface") {
					n++
				}
			})
			f.Routers = append(f.Routers, reports.Router{ID: id, Name: rs.Str(r, "Name"), Gateway: true, Interfaces: &n})
		})
	}
	if sn, ok := read(in.Snapshots, reports.SrcSnapshots); ok {
		sn.Each(func(r []any) {
			created, _ := reports.ParseTime(sn.Str(r, "Created At"))
			f.Snapshots = append(f.Snapshots, reports.Snapshot{ID: sn.Str(r, "ID"), Name: sn.Str(r, "Name"), Created: created})
		})
	}
	return f
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
func Days(d time.Duration) string { return reports.Days(d) }

// parseTime reads the time formats OpenStack lists use (reports.ParseTime).
func parseTime(s string) (time.Time, bool) { return reports.ParseTime(s) }
