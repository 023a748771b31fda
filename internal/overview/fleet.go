package overview

import (
	"context"
	"fmt"
	"net/netip"
	"sort"
	"strings"
	"sync"

	"github.com/kriscelmer/os-tui/tools"
)

// Scope is one place a session can work in: a cloud from clouds.yaml,
// a project in it and a region.
type Scope struct {
	Cloud     string
	Project   string // name, else ID
	ProjectID string
	Region    string
}

// String writes a scope as the prompt does: "cloud:project@region".
func (s Scope) String() string {
	out := s.Cloud
	if s.Project != "" {
		out += ":" + s.Project
	}
	if s.Region != "" {
		out += "@" + s.Region
	}
	return out
}

// Target is a scope and the read path into it (an engine of its own).
type Target struct {
	Scope
	Read Reader
	// Err is why the scope cannot be read at all (its cloud's
	// configuration does not load); Read is nil then.
	Err error
}

// Fullness is how full a scope's quotas are.
type Fullness struct {
	Scope
	// Worst is the fullest limited quota line; Service names its service.
	Worst   Bar
	Service string
	// Bars are every limited line read, fullest first.
	Bars  []Bar
	State State
	Err   string
	// Notes name the services whose quotas could not be read.
	Notes []string
}

// Percent is the fullest line's use, the sort key of the fleet overview.
func (f Fullness) Percent() float64 { return f.Worst.Percent() }

// forEach runs f for every index below n, at most parallel at a time.
func forEach(n, parallel int, f func(i int)) {
	if parallel <= 0 {
		parallel = 8
	}
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			f(i)
		}()
	}
	wg.Wait()
}

// Fleet reads the quotas of every target (the three services of each
// read at once, at most parallel reads in flight) and returns the scopes
// fullest first; scopes that could not be read come last.
func Fleet(ctx context.Context, targets []Target, parallel int) []Fullness {
	services := []string{"compute", "network", "volume"}
	out := make([]Fullness, len(targets))
	type job struct{ t, s int }
	var jobs []job
	for i, t := range targets {
		out[i] = Fullness{Scope: t.Scope, State: Ready}
		if t.Err != nil || t.Read == nil {
			out[i].State, out[i].Err = Classify(orNoRead(t.Err))
			continue
		}
		for s := range services {
			jobs = append(jobs, job{i, s})
		}
	}
	errs := make([][]error, len(targets))
	for i := range errs {
		errs[i] = make([]error, len(services))
	}
	bars := make([][][]Bar, len(targets))
	for i := range bars {
		bars[i] = make([][]Bar, len(services))
	}
	forEach(len(jobs), parallel, func(k int) {
		j := jobs[k]
		o := New(targets[j.t].Read, Options{})
		bars[j.t][j.s], errs[j.t][j.s] = o.quota(ctx, services[j.s])
	})
	for i := range targets {
		if out[i].Err != "" {
			continue
		}
		if err := allFailed(errs[i]); err != nil {
			out[i].State, out[i].Err = Classify(err)
			continue
		}
		for s, svc := range services {
			if errs[i][s] != nil {
				_, why := Classify(errs[i][s])
				out[i].Notes = append(out[i].Notes, svc+": "+why)
				continue
			}
			for _, b := range bars[i][s] {
				if b.Unlimited() {
					continue
				}
				out[i].Bars = append(out[i].Bars, b)
				if b.Percent() > out[i].Worst.Percent() || out[i].Service == "" {
					out[i].Worst, out[i].Service = b, svc
				}
			}
		}
		sort.SliceStable(out[i].Bars, func(a, b int) bool { return out[i].Bars[a].Percent() > out[i].Bars[b].Percent() })
	}
	sort.SliceStable(out, func(a, b int) bool {
		x, y := out[a], out[b]
		if (x.State == Ready) != (y.State == Ready) {
			return x.State == Ready
		}
		if x.Percent() != y.Percent() {
			return x.Percent() > y.Percent()
		}
		return x.String() < y.String()
	})
	return out
}

func orNoRead(err error) error {
	if err != nil {
		return err
	}
	return fmt.Errorf("no way to read this scope")
}

// Hit is one resource a search found.
type Hit struct {
	Scope
	Kind string // "server", "port", …
	ID   string
	Name string
	// Match says what matched: "name", "ID", "IP 10.0.0.5", "in 10.0.0.0/24".
	Match string
	// Status is the resource's status, when its list has one.
	Status string
}

// searched are the lists a search reads, with the columns it looks in.
var searched = []struct {
	kind, tool string
	names      []string // columns matched as text (name, description)
	ips        []string // columns whose addresses are matched exactly
	cidr       string   // a column holding a CIDR the address may fall in
}{
	{kind: "server", tool: "server.list", names: []string{"Name"}, ips: []string{"Networks"}},
	{kind: "port", tool: "port.list", names: []string{"Name", "MAC Address"}, ips: []string{"Fixed IP Addresses"}},
	{kind: "floating-ip", tool: "floating-ip.list", names: []string{"Description"}, ips: []string{"Floating IP Address", "Fixed IP Address"}},
	{kind: "volume", tool: "volume.list", names: []string{"Name"}},
	{kind: "network", tool: "network.list", names: []string{"Name"}},
	{kind: "subnet", tool: "subnet.list", names: []string{"Name"}, cidr: "Subnet"},
	{kind: "router", tool: "router.list", names: []string{"Name"}, ips: []string{"External gateway info"}},
	{kind: "security-group", tool: "security-group.list", names: []string{"Name"}},
}

// SearchKinds are the kinds Search looks through, in order.
func SearchKinds() []string {
	out := make([]string, len(searched))
	for i, s := range searched {
		out[i] = s.kind
	}
	return out
}

// Search finds resources by name (a case-insensitive part of it), ID (a
// prefix of at least four characters, or the whole ID) or IP address (the
// exact address; a subnet matches when the address is in its CIDR) across
// every kind in SearchKinds in every target, at most parallel list reads
// at a time. Hits come by scope, kind and name; notes name the lists
// that could not be read.
func Search(ctx context.Context, targets []Target, query string, parallel int) ([]Hit, []string) {
	query = strings.TrimSpace(query)
	if query == "" {
		return nil, nil
	}
	q := matcher(query)
	type job struct{ t, k int }
	var jobs []job
	var notes []string
	for i, t := range targets {
		if t.Read == nil {
			_, why := Classify(orNoRead(t.Err))
			notes = append(notes, t.String()+": "+why)
			continue
		}
		for k := range searched {
			jobs = append(jobs, job{i, k})
		}
	}
	found := make([][]Hit, len(jobs))
	failed := make([]string, len(jobs))
	forEach(len(jobs), parallel, func(n int) {
		j := jobs[n]
		t, s := targets[j.t], searched[j.k]
		res, err := t.Read(ctx, s.tool, nil)
		if err != nil {
			_, why := Classify(err)
			failed[n] = fmt.Sprintf("%s: %s: %s", t.String(), s.tool, why)
			return
		}
		if res == nil || res.List == nil {
			return
		}
		found[n] = q.scan(t.Scope, s.kind, res.List, s.names, s.ips, s.cidr)
	})
	var hits []Hit
	// A scope none of whose lists could be read (its login fails) is one
	// note, not one per list.
	failedKinds := map[int]int{}
	for n, j := range jobs {
		if failed[n] != "" {
			failedKinds[j.t]++
		}
	}
	for n, j := range jobs {
		hits = append(hits, found[n]...)
		switch {
		case failed[n] == "":
		case failedKinds[j.t] < len(searched):
			notes = append(notes, failed[n])
		case j.k == 0:
			_, why, _ := strings.Cut(strings.TrimPrefix(failed[n], targets[j.t].String()+": "), ": ")
			notes = append(notes, targets[j.t].String()+": not searched: "+why)
		}
	}
	sort.SliceStable(hits, func(a, b int) bool {
		x, y := hits[a], hits[b]
		if x.String() != y.String() {
			return x.String() < y.String()
		}
		if x.Kind != y.Kind {
			return kindIndex(x.Kind) < kindIndex(y.Kind)
		}
		return x.Name+x.ID < y.Name+y.ID
	})
	return hits, notes
}

func kindIndex(k string) int {
	for i, s := range searched {
		if s.kind == k {
			return i
		}
	}
	return len(searched)
}

type query struct {
	text  string // lower case
	ip    netip.Addr
	isIP  bool
	minID int
}

func matcher(s string) query {
	q := query{text: strings.ToLower(s), minID: 4}
	if a, err := netip.ParseAddr(s); err == nil {
		q.ip, q.isIP = a, true
	}
	return q
}

// scan returns the rows of l that match.
func (q query) scan(sc Scope, kind string, l *tools.List, names, ips []string, cidr string) []Hit {
	r := tools.RowsOf(l)
	var out []Hit
	r.Each(func(row []any) {
		id := r.Str(row, "ID")
		name := r.Str(row, "Name")
		if name == "" {
			name = r.Str(row, "Floating IP Address")
		}
		h := Hit{Scope: sc, Kind: kind, ID: id, Name: name, Status: r.Str(row, "Status")}
		switch {
		case q.isIP:
			for _, c := range ips {
				if containsIP(cellString(r.Value(row, c)), q.ip) {
					h.Match = "IP " + q.ip.String()
				}
			}
			if h.Match == "" && cidr != "" {
				if p, err := netip.ParsePrefix(r.Str(row, cidr)); err == nil && p.Contains(q.ip) {
					h.Match = "in " + p.String()
				}
			}
		case strings.EqualFold(id, q.text) || len(q.text) >= q.minID && strings.HasPrefix(strings.ToLower(id), q.text):
			h.Match = "ID"
		default:
			for _, c := range names {
				if v := r.Str(row, c); v != "" && strings.Contains(strings.ToLower(v), q.text) {
					h.Match = strings.ToLower(c)
					break
				}
			}
		}
		if h.Match != "" {
			out = append(out, h)
		}
	})
	return out
}

// cellString flattens a cell (a string, a list, a map of network name to
// addresses, JSON text) into text whose address tokens can be read.
func cellString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []string:
		return strings.Join(x, " ")
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = cellString(e)
		}
		return strings.Join(parts, " ")
	case map[string][]string:
		var parts []string
		for k, vs := range x {
			parts = append(parts, k, strings.Join(vs, " "))
		}
		return strings.Join(parts, " ")
	case map[string]any:
		var parts []string
		for k, e := range x {
			parts = append(parts, k, cellString(e))
		}
		return strings.Join(parts, " ")
	case fmt.Stringer:
		return x.String()
	}
	return fmt.Sprint(v)
}

// containsIP reports whether text holds ip as a whole address (not
// 10.0.0.15 for 10.0.0.1).
func containsIP(text string, ip netip.Addr) bool {
	fields := strings.FieldsFunc(text, func(r rune) bool {
		return (r < '0' || r > '9') && (r < 'a' || r > 'f') && (r < 'A' || r > 'F') && r != '.' && r != ':'
	})
	for _, f := range fields {
		if a, err := netip.ParseAddr(f); err == nil && a == ip {
			return true
		}
	}
	return false
}
