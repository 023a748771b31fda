// Package reports is the kernel of the reports: the rules that find
// orphaned resources and judge resources against a tag policy, over plain
// facts read from the cloud. The facts come from two places — the
// reports' own tools (tools/reports/orphans, tools/reports/tags) read
// them through gophercloud, and /overview builds them from the list
// tools it has read already — and the same rules judge both, so the
// overview panel and /orphans cannot disagree.
package reports

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// The kinds of orphan, as the registry names the resources (the tool that
// deletes one is KIND.delete).
const (
	KindServer        = "server"
	KindVolume        = "volume"
	KindSnapshot      = "volume.snapshot"
	KindFloatingIP    = "floating-ip"
	KindPort          = "port"
	KindSecurityGroup = "security-group"
	KindKeypair       = "keypair"
	KindRouter        = "router"
	KindImage         = "image"
)

// OrphanKinds lists the kinds in report order (the overview's panel has
// shown the first seven in this order since it had them).
var OrphanKinds = []string{KindVolume, KindFloatingIP, KindPort, KindSecurityGroup, KindKeypair, KindRouter, KindSnapshot, KindImage, KindServer}

// Orphan is one resource nothing uses: it costs quota (and often money)
// and is usually left over from something deleted.
type Orphan struct {
	Kind string
	ID   string
	Name string
	// Why says what makes it an orphan, for a person.
	Why string
	// Age is how old it is (for a stopped server: how long since it last
	// changed); 0 when the cloud does not say.
	Age time.Duration
	// Since is the time Age counts from (zero: unknown).
	Since time.Time
	// Dependents are what deleting it takes along or needs first, each a
	// sentence ("rule of group web admits it as a remote group").
	Dependents []string
}

// Label names the orphan: its name, else its ID.
func (o Orphan) Label() string {
	if strings.TrimSpace(o.Name) != "" {
		return o.Name
	}
	return o.ID
}

// Facts are what the orphan rules look at, as plain values. A source
// missing from Read (it could not be read, or the cloud lacks the
// service) leaves out the kinds judged on it.
type Facts struct {
	// Read names the sources read: the Source constants.
	Read map[Source]bool
	// ProjectID is the current project: only its images are judged.
	ProjectID string

	Servers     []Server
	Volumes     []Volume
	Snapshots   []Snapshot
	FloatingIPs []FloatingIP
	Ports       []Port
	Routers     []Router
	Groups      []Group
	Keypairs    []Keypair
	Images      []Image
	// Networks and Subnets are read for tag policies only.
	Networks []Tagged
	Subnets  []Tagged
}

// Source is one list the facts come from.
type Source string

// The sources.
const (
	SrcServers     Source = "servers"
	SrcVolumes     Source = "volumes"
	SrcSnapshots   Source = "snapshots"
	SrcFloatingIPs Source = "floating IPs"
	SrcPorts       Source = "ports"
	SrcRouters     Source = "routers"
	SrcGroups      Source = "security groups"
	SrcKeypairs    Source = "key pairs"
	SrcImages      Source = "images"
)

// Has reports whether every source was read.
func (f *Facts) Has(srcs ...Source) bool {
	for _, s := range srcs {
		if !f.Read[s] {
			return false
		}
	}
	return true
}

// Server is a server's facts.
type Server struct {
	ID, Name, Status string
	KeyName, ImageID string
	Created, Updated time.Time
	Tags             []string
	Properties       map[string]string
}

// Volume is a volume's facts.
type Volume struct {
	ID, Name, Status string
	Size             int
	Attached         bool
	Created          time.Time
	Properties       map[string]string
}

// Snapshot is a volume snapshot's facts.
type Snapshot struct {
	ID, Name, VolumeID, Status string
	Size                       int
	Created                    time.Time
}

// FloatingIP is a floating IP's facts.
type FloatingIP struct {
	ID, Address, PortID, Description string
	Created                          time.Time
	Tags                             []string
	ProjectID                        string
}

// Port is a port's facts.
type Port struct {
	ID, Name       string
	DeviceOwner    string
	DeviceID       string
	SecurityGroups []string
	Created        time.Time
	Tags           []string
	ProjectID      string
}

// Router is a router's facts. Its interfaces are the ports whose device
// is the router (Facts.Ports), unless Interfaces is set.
type Router struct {
	ID, Name string
	Gateway  bool
	// Interfaces, when not nil, counts the router's interfaces (the
	// overview reads them router by router); nil: count them in Ports.
	Interfaces *int
	Created    time.Time
	Tags       []string
	ProjectID  string
}

// Group is a security group's facts.
type Group struct {
	ID, Name string
	// RemoteGroups are the groups its rules admit as a remote group.
	RemoteGroups []string
	Created      time.Time
	Tags         []string
	ProjectID    string
}

// Keypair is a key pair's facts.
type Keypair struct {
	Name    string
	Created time.Time
}

// Image is an image's facts.
type Image struct {
	ID, Name, Owner, Status string
	Visibility              string
	Protected               bool
	Created                 time.Time
	Tags                    []string
	Properties              map[string]string
}

// OrphanOptions tune what counts as an orphan.
type OrphanOptions struct {
	// OlderThan is the age above which a snapshot or an image (of the
	// project, used by no server) is reported (default 30 days).
	OlderThan time.Duration
	// StoppedFor is how long a server must have been SHUTOFF (since its
	// last change) to be reported (default 30 days).
	StoppedFor time.Duration
	// MinAge hides orphans younger than it, of every kind (default 0:
	// none hidden). A volume made a minute ago by a deployment still
	// running is not yet forgotten.
	MinAge time.Duration
	// Now is the clock (default time.Now).
	Now time.Time
}

// The defaults of OrphanOptions.
const (
	DefaultOlderThan  = 30 * 24 * time.Hour
	DefaultStoppedFor = 30 * 24 * time.Hour
)

func (o *OrphanOptions) fill() {
	if o.OlderThan <= 0 {
		o.OlderThan = DefaultOlderThan
	}
	if o.StoppedFor <= 0 {
		o.StoppedFor = DefaultStoppedFor
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
}

// FindOrphans judges each kind of resource by the rule people use when
// they clean up by hand. It is deterministic: the same facts give the
// same orphans in the same order (by kind in OrphanKinds order, then
// label, then ID).
//
// Which rule judges what:
//   - volume: available and attached to nothing;
//   - floating-ip: bound to no port;
//   - port: no device owner and no device, and no floating IP points at it;
//   - security-group: no port uses it (never "default");
//   - keypair: no server of this project was booted with it;
//   - router: an external gateway and no interface;
//   - volume.snapshot: older than OlderThan;
//   - image: the project's own, not protected, older than OlderThan, and
//     no server boots from it;
//   - server: SHUTOFF and unchanged for longer than StoppedFor.
func FindOrphans(f Facts, opts OrphanOptions) []Orphan {
	opts.fill()
	var out []Orphan
	add := func(o Orphan, since time.Time) {
		if !since.IsZero() {
			o.Since = since
			o.Age = max(opts.Now.Sub(since), 0)
		}
		if opts.MinAge > 0 && o.Age < opts.MinAge {
			return
		}
		out = append(out, o)
	}
	// Servers shut off for long: they hold their flavor's quota, their
	// ports and addresses. Nova does not say when a server stopped; its
	// last change is the nearest it tells.
	if f.Has(SrcServers) {
		for _, s := range f.Servers {
			if strings.EqualFold(s.Status, "SHUTOFF") && !s.Updated.IsZero() && opts.Now.Sub(s.Updated) > opts.StoppedFor {
				add(Orphan{Kind: KindServer, ID: s.ID, Name: s.Name,
					Why: fmt.Sprintf("server SHUTOFF, unchanged for %s", Days(opts.Now.Sub(s.Updated)))}, s.Updated)
			}
		}
	}
	// Volumes: available (not in-use, not in a transition) and attached
	// to nothing.
	if f.Has(SrcVolumes) {
		snaps := map[string]int{}
		for _, s := range f.Snapshots {
			snaps[s.VolumeID]++
		}
		for _, v := range f.Volumes {
			if strings.EqualFold(v.Status, "available") && !v.Attached {
				o := Orphan{Kind: KindVolume, ID: v.ID, Name: v.Name, Why: fmt.Sprintf("unattached volume (%d GiB)", v.Size)}
				if n := snaps[v.ID]; n > 0 {
					o.Dependents = append(o.Dependents, fmt.Sprintf("%d snapshot(s) of it must go first (or with it: --cascade)", n))
				}
				add(o, v.Created)
			}
		}
	}
	// Snapshots older than the threshold.
	if f.Has(SrcSnapshots) {
		for _, s := range f.Snapshots {
			if !s.Created.IsZero() && opts.Now.Sub(s.Created) > opts.OlderThan {
				add(Orphan{Kind: KindSnapshot, ID: s.ID, Name: s.Name,
					Why: fmt.Sprintf("snapshot %s old", Days(opts.Now.Sub(s.Created)))}, s.Created)
			}
		}
	}
	// Ports a floating IP points at are kept on purpose (a virtual IP
	// held by keepalived has no device), so they are no orphans.
	fipPorts := map[string]bool{}
	for _, ip := range f.FloatingIPs {
		if ip.PortID != "" {
			fipPorts[ip.PortID] = true
		}
	}
	// Floating IPs bound to no port.
	if f.Has(SrcFloatingIPs) {
		for _, ip := range f.FloatingIPs {
			if ip.PortID == "" {
				add(Orphan{Kind: KindFloatingIP, ID: ip.ID, Name: ip.Address, Why: "floating IP bound to no port"}, ip.Created)
			}
		}
	}
	// Ports with no device owner: made by hand and never attached. Ports
	// Neutron owns (DHCP, router interfaces) always have an owner.
	if f.Has(SrcPorts) {
		for _, p := range f.Ports {
			kept := f.Has(SrcFloatingIPs) && fipPorts[p.ID]
			if strings.TrimSpace(p.DeviceOwner) == "" && strings.TrimSpace(p.DeviceID) == "" && !kept {
				add(Orphan{Kind: KindPort, ID: p.ID, Name: p.Name, Why: "port attached to no device"}, p.Created)
			}
		}
	}
	// Routers with an external gateway and no interface: they hold an
	// external address and route nothing.
	if f.Has(SrcRouters) {
		ifaces := map[string]int{}
		for _, p := range f.Ports {
			if strings.HasPrefix(p.DeviceOwner, "network:router_interface") {
				ifaces[p.DeviceID]++
			}
		}
		for _, r := range f.Routers {
			if !r.Gateway {
				continue
			}
			n := ifaces[r.ID]
			switch {
			case r.Interfaces != nil:
				n = *r.Interfaces
			case !f.Has(SrcPorts):
				continue
			}
			if n == 0 {
				add(Orphan{Kind: KindRouter, ID: r.ID, Name: r.Name, Why: "router with a gateway and no interface",
					Dependents: []string{"its external gateway is cleared first (router.unset --external-gateway)"}}, r.Created)
			}
		}
	}
	// Security groups no port uses; "default" is Neutron's and comes back
	// when deleted, so it is never reported.
	if f.Has(SrcGroups, SrcPorts) {
		used := map[string]bool{}
		for _, p := range f.Ports {
			for _, id := range p.SecurityGroups {
				used[strings.TrimSpace(id)] = true
			}
		}
		names := map[string]string{}
		for _, g := range f.Groups {
			names[g.ID] = g.Label()
		}
		for _, g := range f.Groups {
			if g.Name == "default" || used[g.ID] {
				continue
			}
			o := Orphan{Kind: KindSecurityGroup, ID: g.ID, Name: g.Name, Why: "security group no port uses"}
			var refs []string
			for _, other := range f.Groups {
				if other.ID != g.ID && slices.Contains(other.RemoteGroups, g.ID) {
					refs = append(refs, names[other.ID])
				}
			}
			if len(refs) > 0 {
				sort.Strings(refs)
				o.Dependents = append(o.Dependents, fmt.Sprintf("rules of group %s admit it as a remote group; Neutron deletes those rules with it", strings.Join(refs, ", ")))
			}
			add(o, g.Created)
		}
	}
	// Key pairs no server of this project was booted with. Key pairs
	// belong to the user, not the project: a server in another project
	// may still use one, which the why says.
	if f.Has(SrcKeypairs, SrcServers) {
		used := map[string]bool{}
		for _, s := range f.Servers {
			used[s.KeyName] = true
		}
		for _, k := range f.Keypairs {
			if !used[k.Name] {
				add(Orphan{Kind: KindKeypair, ID: k.Name, Name: k.Name, Why: "key pair no server of this project uses"}, k.Created)
			}
		}
	}
	// Images of this project older than the threshold that no server
	// boots from; public images and others' are not ours to judge, and a
	// protected image was kept on purpose.
	if f.Has(SrcImages, SrcServers) && f.ProjectID != "" {
		used := map[string]bool{}
		for _, s := range f.Servers {
			used[s.ImageID] = true
		}
		for _, im := range f.Images {
			if im.Owner != f.ProjectID || im.Protected || used[im.ID] || im.Created.IsZero() || opts.Now.Sub(im.Created) <= opts.OlderThan {
				continue
			}
			add(Orphan{Kind: KindImage, ID: im.ID, Name: im.Name,
				Why: fmt.Sprintf("image %s old that no server boots from", Days(opts.Now.Sub(im.Created)))}, im.Created)
		}
	}
	SortOrphans(out)
	return out
}

// Label names the group for a person.
func (g Group) Label() string {
	if g.Name != "" {
		return g.Name
	}
	return g.ID
}

// SortOrphans puts orphans in report order: by kind, then label, then ID.
func SortOrphans(out []Orphan) {
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Kind != b.Kind {
			return KindOrder(a.Kind) < KindOrder(b.Kind)
		}
		if a.Label() != b.Label() {
			return a.Label() < b.Label()
		}
		return a.ID < b.ID
	})
}

// KindOrder is a kind's place in OrphanKinds (unknown kinds last).
func KindOrder(k string) int {
	if i := slices.Index(OrphanKinds, k); i >= 0 {
		return i
	}
	return len(OrphanKinds)
}

// Days writes an age in whole days ("45 days"), or hours under two days,
// or minutes under two hours.
func Days(d time.Duration) string {
	switch {
	case d < 2*time.Hour:
		return fmt.Sprintf("%d minutes", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d hours", int(d.Hours()))
	}
	return fmt.Sprintf("%d days", int(d.Hours()/24))
}

// Age writes an age short, for a table column: "45d", "7h", "12m"; "-"
// when unknown.
func Age(o Orphan) string {
	if o.Since.IsZero() {
		return "-"
	}
	d := o.Age
	switch {
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	}
	return fmt.Sprintf("%dd", int(d.Hours()/24))
}

// ParseTime reads the time formats OpenStack APIs use: RFC 3339, and
// Nova's, Cinder's and Neutron's zone-less forms (UTC).
func ParseTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999", "2006-01-02T15:04:05", "2006-01-02 15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// ParseAge reads a threshold: a whole number and a unit — "30d", "2w",
// "12h", "90m" — or several ("1d12h"). The error says what is accepted.
func ParseAge(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("an age is a number and a unit (30d, 2w, 12h, 90m)")
	}
	var total time.Duration
	rest := s
	for rest != "" {
		i := 0
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		if i == 0 || i == len(rest) || i > 6 {
			return 0, fmt.Errorf("age %q: write a number and a unit, as 30d, 2w, 12h or 90m", s)
		}
		var n int64
		for _, c := range rest[:i] {
			n = n*10 + int64(c-'0')
		}
		var unit time.Duration
		switch rest[i] {
		case 'w':
			unit = 7 * 24 * time.Hour
		case 'd':
			unit = 24 * time.Hour
		case 'h':
			unit = time.Hour
		case 'm':
			unit = time.Minute
		case 's':
			unit = time.Second
		default:
			return 0, fmt.Errorf("age %q: unknown unit %q (use w, d, h, m or s)", s, rest[i:i+1])
		}
		total += time.Duration(n) * unit
		rest = rest[i+1:]
	}
	return total, nil
}
