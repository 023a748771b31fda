// Package overview gathers what /overview shows about a project: quota
// against usage, resources counted by status, orphans, recent instance
// actions (failures first) with the fault of servers in ERROR, and when
// the login runs out. It is data, not UI: the overview view, the text
// version of /overview and /orphans read it the same way.
//
// Every read goes through a Reader (the session engine's read path, so
// the gate validates it and nothing here holds a cloud client). Panels
// load in parallel and stand alone: one whose service is missing or
// answers 403 says so, and the others still fill in. Reads several panels
// share (the server list) are made once.
package overview

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/kriscelmer/os-tui/agent/gate"
	"github.com/kriscelmer/os-tui/tools"
)

// Reader runs one read tool with arguments (nil: none) and returns its
// result. In the shell it is the engine's Read.
type Reader func(ctx context.Context, tool string, args map[string]any) (*tools.Result, error)

// ID names a panel.
type ID string

// The panels, in the order they are shown.
const (
	QuotaCompute ID = "quota-compute"
	QuotaNetwork ID = "quota-network"
	QuotaVolume  ID = "quota-volume"
	Status       ID = "status"
	Orphans      ID = "orphans"
	Actions      ID = "actions"
	Auth         ID = "auth"
)

// Spec is what a panel is before it loads: its ID, its title and the
// catalog services it needs.
type Spec struct {
	ID    ID
	Title string
	// Services are catalog types; any one present is enough.
	Services []string
}

// Specs lists the panels in display order.
func Specs() []Spec {
	return []Spec{
		{QuotaCompute, "Compute quota", []string{"compute"}},
		{QuotaNetwork, "Network quota", []string{"network"}},
		{QuotaVolume, "Volume quota", volumeServices},
		{Status, "Resources by status", nil},
		{Orphans, "Orphans", nil},
		{Actions, "Recent instance actions", []string{"compute"}},
		{Auth, "Login", []string{"identity"}},
	}
}

// volumeServices are the catalog types Cinder registers under.
var volumeServices = []string{"volumev3", "block-storage", "volume", "volumev2"}

// State is where a panel is.
type State int

// Panel states.
const (
	Loading State = iota
	Ready
	// Missing: the cloud has no such service (in this region).
	Missing
	// Forbidden: the service answered 403 (policy refuses this user).
	Forbidden
	// Failed: any other error (timeout, 5xx).
	Failed
)

func (s State) String() string {
	return [...]string{"loading", "ready", "missing", "forbidden", "failed"}[s]
}

// Panel is one panel's content once loaded.
type Panel struct {
	Spec
	State State
	// Err is why the panel is not Ready, as a sentence.
	Err string
	// Notes are parts left out (a list that could not be read), each a
	// sentence.
	Notes []string
	// One of these is set, by panel.
	Quota   []Bar
	Counts  []Count
	Orphans []Orphan
	Actions []Action
	Faults  []Fault
	Login   *Login
	// Took is how long the panel took to load.
	Took time.Duration
}

// Bar is one quota line: in use against the limit.
type Bar struct {
	Resource string
	// Type is the volume type of a per-type line ("lvmdriver-1"); "" for
	// the project-wide ones.
	Type   string
	InUse  int
	Limit  int // -1: unlimited
	Reserv int
}

// Unlimited reports a line with no limit.
func (b Bar) Unlimited() bool { return b.Limit < 0 }

// Percent is in use over limit, 0 to 100 (more when over quota); 0 for
// unlimited lines, 100 for a limit of 0 with something in use.
func (b Bar) Percent() float64 {
	switch {
	case b.Limit < 0:
		return 0
	case b.Limit == 0:
		if b.InUse > 0 {
			return 100
		}
		return 0
	}
	return 100 * float64(b.InUse) / float64(b.Limit)
}

// Level grades a bar as the views colour it.
type Level int

// Levels: OK up to 75 %, Warn above 75 %, Critical above 90 %.
const (
	OK Level = iota
	Warn
	Critical
)

// Level grades the bar: above 90 % critical, above 75 % a warning.
func (b Bar) Level() Level {
	switch p := b.Percent(); {
	case p > 90:
		return Critical
	case p > 75:
		return Warn
	}
	return OK
}

// Count is how many resources of a kind are in each status.
type Count struct {
	Kind     string // "servers", "volumes", …
	Total    int
	ByStatus []StatusCount
	// Err says why the kind could not be counted ("" when it could).
	Err string
}

// StatusCount is one status and how many have it.
type StatusCount struct {
	Status string
	N      int
}

// Action is one instance action of a server.
type Action struct {
	Server, ServerID string
	Action           string
	Start            time.Time
	StartText        string
	RequestID        string
	// Message is Nova's message for a failed action ("Error").
	Message string
}

// Failed reports an action Nova marked with a message (its failures).
func (a Action) Failed() bool { return a.Message != "" }

// Fault is the fault Nova recorded for a server in ERROR.
type Fault struct {
	Server, ServerID string
	Code             int
	Message          string
	Created          string
}

// Login says when the session's credentials run out.
type Login struct {
	User, Project string
	// TokenExpires is when the token expires (zero: unknown).
	TokenExpires time.Time
	// AppCredentials are the user's application credentials with an
	// expiry; Known is false when they could not be listed.
	AppCredentials []AppCredential
	AppKnown       bool
	AppNote        string
}

// AppCredential is one application credential and its expiry.
type AppCredential struct {
	ID, Name string
	Expires  time.Time // zero: never
}

// Options tune a load.
type Options struct {
	// Now is the clock (tests fix it).
	Now func() time.Time
	// MaxServers bounds the servers whose actions are read (default 10).
	MaxServers int
	// MaxRouters bounds the routers whose ports are read (default 50).
	MaxRouters int
	// Parallel bounds concurrent per-resource reads within a panel (default 4).
	Parallel int
	// MaxActions bounds the actions shown (default 10).
	MaxActions int
	// SnapshotAge is the orphan threshold for snapshots.
	SnapshotAge time.Duration
}

// Overview loads panels for one project through one Reader, sharing the
// reads the panels have in common.
type Overview struct {
	read Reader
	opts Options
	memo sync.Map // key → *call

	statMu sync.Mutex
	stats  []ReadStat
}

// ReadStat is one read the overview made and how long it took.
type ReadStat struct {
	Tool string
	Args string
	Took time.Duration
	Err  bool
}

type call struct {
	once sync.Once
	res  *tools.Result
	err  error
}

// New makes an Overview that reads through read.
func New(read Reader, opts Options) *Overview {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MaxServers <= 0 {
		opts.MaxServers = 10
	}
	if opts.MaxRouters <= 0 {
		opts.MaxRouters = 50
	}
	if opts.Parallel <= 0 {
		opts.Parallel = 4
	}
	if opts.MaxActions <= 0 {
		opts.MaxActions = 10
	}
	return &Overview{read: read, opts: opts}
}

// get reads once per tool and arguments, however many panels ask.
func (o *Overview) get(ctx context.Context, tool string, args map[string]any) (*tools.Result, error) {
	key := tool
	if args != nil {
		b, _ := json.Marshal(args)
		key += " " + string(b)
	}
	v, _ := o.memo.LoadOrStore(key, &call{})
	c := v.(*call)
	c.once.Do(func() {
		start := time.Now()
		c.res, c.err = o.read(ctx, tool, args)
		took := time.Since(start)
		o.statMu.Lock()
		o.stats = append(o.stats, ReadStat{Tool: tool, Args: strings.TrimPrefix(key, tool+" "), Took: took, Err: c.err != nil})
		o.statMu.Unlock()
	})
	return c.res, c.err
}

func (o *Overview) list(ctx context.Context, tool string, args map[string]any) (*tools.List, error) {
	res, err := o.get(ctx, tool, args)
	if err != nil {
		return nil, err
	}
	if res == nil || res.List == nil {
		return nil, fmt.Errorf("%s returned no list", tool)
	}
	return res.List, nil
}

// Stats are the reads made so far, slowest first.
func (o *Overview) Stats() []ReadStat {
	o.statMu.Lock()
	out := append([]ReadStat(nil), o.stats...)
	o.statMu.Unlock()
	sort.SliceStable(out, func(i, j int) bool { return out[i].Took > out[j].Took })
	return out
}

// Warm makes the first read alone (the service catalog), so the session
// authenticates once before the panels read in parallel. Its error is
// the answer when nothing can be read at all (no cloud).
func (o *Overview) Warm(ctx context.Context) error {
	_, err := o.get(ctx, "catalog", nil)
	return err
}

// services are the catalog types the cloud has; nil when unknown.
func (o *Overview) services(ctx context.Context) map[string]bool {
	l, err := o.list(ctx, "catalog", nil)
	if err != nil {
		return nil
	}
	out := map[string]bool{}
	r := tools.RowsOf(l)
	r.Each(func(row []any) { out[r.Str(row, "Type")] = true })
	return out
}

// Load loads one panel. It never returns an error: a panel that cannot
// load says why in its State and Err.
func (o *Overview) Load(ctx context.Context, id ID) Panel {
	start := time.Now()
	var spec Spec
	for _, s := range Specs() {
		if s.ID == id {
			spec = s
		}
	}
	p := Panel{Spec: spec, State: Ready}
	if len(spec.Services) > 0 {
		if have := o.services(ctx); have != nil && !anyOf(have, spec.Services) {
			p.State, p.Err = Missing, fmt.Sprintf("this cloud has no %s service in this region", spec.Services[0])
			p.Took = time.Since(start)
			return p
		}
	}
	var err error
	switch id {
	case QuotaCompute:
		p.Quota, err = o.quota(ctx, "compute")
	case QuotaNetwork:
		p.Quota, err = o.quota(ctx, "network")
	case QuotaVolume:
		p.Quota, err = o.quota(ctx, "volume")
	case Status:
		p.Counts, err = o.counts(ctx)
	case Orphans:
		p.Orphans, p.Notes, err = o.orphans(ctx)
	case Actions:
		p.Actions, p.Faults, p.Notes, err = o.actions(ctx)
	case Auth:
		p.Login, err = o.login(ctx)
	default:
		err = fmt.Errorf("no panel %q", id)
	}
	if err != nil {
		p.State, p.Err = Classify(err)
	}
	p.Took = time.Since(start)
	return p
}

// LoadAll loads every panel in parallel after Warm, handing each to done
// as it is ready (from the panel's goroutine), and returns them in order.
func (o *Overview) LoadAll(ctx context.Context, done func(Panel)) []Panel {
	specs := Specs()
	out := make([]Panel, len(specs))
	if err := o.Warm(ctx); err != nil {
		st, msg := Classify(err)
		for i, s := range specs {
			out[i] = Panel{Spec: s, State: st, Err: msg}
			if done != nil {
				done(out[i])
			}
		}
		return out
	}
	var wg sync.WaitGroup
	for i, s := range specs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = o.Load(ctx, s.ID)
			if done != nil {
				done(out[i])
			}
		}()
	}
	wg.Wait()
	return out
}

func anyOf(have map[string]bool, want []string) bool {
	for _, w := range want {
		if have[w] {
			return true
		}
	}
	return false
}

// Classify turns a read's error into a panel state and a sentence.
func Classify(err error) (State, string) {
	var sm *gate.ServiceMissingError
	switch {
	case errors.As(err, &sm):
		return Missing, fmt.Sprintf("this cloud has no %s service in this region", tools.ServiceLabel(sm.Service))
	case statusCode(err) == 403:
		return Forbidden, "not allowed: the cloud's policy refuses this user (403)"
	case errors.Is(err, context.Canceled):
		return Failed, "cancelled"
	}
	first, _, _ := strings.Cut(err.Error(), "\n")
	return Failed, first
}

// statusCode is the HTTP status an error carries (gophercloud's errors
// say it through GetStatusCode), 0 when none: the overview needs no cloud
// client to tell a refusal from a failure.
func statusCode(err error) int {
	var sc interface{ GetStatusCode() int }
	if errors.As(err, &sc) {
		return sc.GetStatusCode()
	}
	return 0
}

// quota reads one service's quota and turns it into bars; Cinder's
// per-type lines ("gigabytes_lvmdriver-1") become bars with a Type.
func (o *Overview) quota(ctx context.Context, service string) ([]Bar, error) {
	l, err := o.list(ctx, "quota.show", map[string]any{"service": service})
	if err != nil {
		return nil, err
	}
	r := tools.RowsOf(l)
	var out []Bar
	r.Each(func(row []any) {
		b := Bar{Resource: r.Str(row, "Resource")}
		b.InUse, _ = r.Int(row, "In Use")
		b.Limit, _ = r.Int(row, "Limit")
		b.Reserv, _ = r.Int(row, "Reserved")
		if service == "volume" {
			for _, prefix := range []string{"volumes_", "gigabytes_", "snapshots_"} {
				if t, ok := strings.CutPrefix(b.Resource, prefix); ok {
					b.Resource, b.Type = strings.TrimSuffix(prefix, "_"), t
				}
			}
		}
		out = append(out, b)
	})
	// Project-wide lines first, then per type, by type.
	sort.SliceStable(out, func(i, j int) bool {
		if (out[i].Type == "") != (out[j].Type == "") {
			return out[i].Type == ""
		}
		return out[i].Type < out[j].Type
	})
	return out, nil
}

// counted are the kinds counted by status, with their list tool.
var counted = []struct{ kind, tool, status string }{
	{"servers", "server.list", "Status"},
	{"volumes", "volume.list", "Status"},
	{"floating IPs", "floating-ip.list", "Status"},
	{"ports", "port.list", "Status"},
	{"routers", "router.list", "Status"},
	{"networks", "network.list", "Status"},
}

// counts reads each kind's list in parallel and counts it by status. A
// kind that cannot be read carries its own error; the panel fails only
// when none can be read.
func (o *Overview) counts(ctx context.Context) ([]Count, error) {
	out := make([]Count, len(counted))
	errs := make([]error, len(counted))
	var wg sync.WaitGroup
	for i, c := range counted {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i].Kind = c.kind
			l, err := o.list(ctx, c.tool, nil)
			if err != nil {
				errs[i] = err
				_, out[i].Err = Classify(err)
				return
			}
			r := tools.RowsOf(l)
			by := map[string]int{}
			r.Each(func(row []any) {
				s := r.Str(row, c.status)
				if s == "" {
					s = "(none)"
				}
				by[s]++
			})
			out[i].Total = r.Len()
			for s, n := range by {
				out[i].ByStatus = append(out[i].ByStatus, StatusCount{s, n})
			}
			sort.Slice(out[i].ByStatus, func(a, b int) bool {
				x, y := out[i].ByStatus[a], out[i].ByStatus[b]
				if x.N != y.N {
					return x.N > y.N
				}
				return x.Status < y.Status
			})
		}()
	}
	wg.Wait()
	return out, allFailed(errs)
}

// allFailed returns the first error when every read failed.
func allFailed(errs []error) error {
	for _, e := range errs {
		if e == nil {
			return nil
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return errs[0]
}

// orphans reads the lists the orphan rules need, in parallel, and the
// ports of each router with a gateway.
func (o *Overview) orphans(ctx context.Context) ([]Orphan, []string, error) {
	in, notes, err := o.OrphanInput(ctx)
	if err != nil {
		return nil, notes, err
	}
	return FindOrphans(in, OrphanOptions{SnapshotAge: o.opts.SnapshotAge, Now: o.opts.Now()}), notes, nil
}

// OrphanInput reads what FindOrphans needs through the Reader; a list that
// cannot be read becomes a note and leaves its kind out. It fails only
// when nothing can be read.
func (o *Overview) OrphanInput(ctx context.Context) (OrphanInput, []string, error) {
	type want struct {
		tool, what string
		dst        **tools.List
	}
	var in OrphanInput
	wants := []want{
		{"volume.list", "unattached volumes", &in.Volumes},
		{"floating-ip.list", "floating IPs", &in.FloatingIPs},
		{"port.list", "ports and security groups", &in.Ports},
		{"security-group.list", "security groups", &in.SecurityGroups},
		{"keypair.list", "key pairs", &in.Keypairs},
		{"server.list", "key pairs", &in.Servers},
		{"router.list", "routers", &in.Routers},
		{"volume.snapshot.list", "snapshots", &in.Snapshots},
	}
	errs := make([]error, len(wants))
	var wg sync.WaitGroup
	for i, w := range wants {
		wg.Add(1)
		go func() {
			defer wg.Done()
			*w.dst, errs[i] = o.list(ctx, w.tool, nil)
		}()
	}
	wg.Wait()
	var notes []string
	for i, err := range errs {
		if err != nil {
			_, why := Classify(err)
			notes = append(notes, fmt.Sprintf("%s not checked (%s: %s)", wants[i].what, wants[i].tool, why))
		}
	}
	if err := allFailed(errs); err != nil {
		return in, nil, err
	}
	// Only routers with a gateway can be orphans of this kind. The port
	// list's Device ID ties interfaces to routers in the list already
	// read; without it, each router's ports are read.
	if in.Routers != nil {
		rs := tools.RowsOf(in.Routers)
		var ids []string
		rs.Each(func(row []any) {
			if HasGateway(rs.Value(row, "External gateway info")) {
				ids = append(ids, rs.Str(row, "ID"))
			}
		})
		in.RouterPorts = map[string]*tools.List{}
		if ps := tools.RowsOf(in.Ports); in.Ports != nil && ps.Has("Device ID") {
			for _, id := range ids {
				l := &tools.List{Columns: in.Ports.Columns}
				ps.Each(func(row []any) {
					if ps.Str(row, "Device ID") == id {
						l.Rows = append(l.Rows, row)
					}
				})
				in.RouterPorts[id] = l
			}
			return in, notes, nil
		}
		if len(ids) > o.opts.MaxRouters {
			notes = append(notes, fmt.Sprintf("routers: only the first %d with a gateway were checked", o.opts.MaxRouters))
			ids = ids[:o.opts.MaxRouters]
		}
		var mu sync.Mutex
		o.each(ids, func(id string) {
			l, err := o.list(ctx, "port.list", map[string]any{"router": id})
			if err != nil {
				return
			}
			mu.Lock()
			in.RouterPorts[id] = l
			mu.Unlock()
		})
	}
	return in, notes, nil
}

// each runs f over items, at most Parallel at a time.
func (o *Overview) each(items []string, f func(string)) {
	sem := make(chan struct{}, o.opts.Parallel)
	var wg sync.WaitGroup
	for _, it := range items {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			f(it)
		}()
	}
	wg.Wait()
}

// actions reads the recent actions of the servers in ERROR and of the
// first others (bounded), and the fault of each server in ERROR.
func (o *Overview) actions(ctx context.Context) ([]Action, []Fault, []string, error) {
	l, err := o.list(ctx, "server.list", nil)
	if err != nil {
		return nil, nil, nil, err
	}
	r := tools.RowsOf(l)
	type srv struct{ id, name string }
	var errored, rest []srv
	r.Each(func(row []any) {
		s := srv{r.Str(row, "ID"), r.Str(row, "Name")}
		if r.Str(row, "Status") == "ERROR" {
			errored = append(errored, s)
		} else {
			rest = append(rest, s)
		}
	})
	pick := append(append([]srv(nil), errored...), rest...)
	var notes []string
	if len(pick) > o.opts.MaxServers {
		notes = append(notes, fmt.Sprintf("actions of %d of %d servers (those in ERROR first)", o.opts.MaxServers, len(pick)))
		pick = pick[:o.opts.MaxServers]
	}
	names := map[string]string{}
	ids := make([]string, len(pick))
	for i, s := range pick {
		names[s.id] = s.name
		ids[i] = s.id
	}
	var mu sync.Mutex
	var acts []Action
	var faults []Fault
	failedReads := 0
	o.each(ids, func(id string) {
		al, err := o.list(ctx, "server.events", map[string]any{"server": id})
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			failedReads++
			return
		}
		ar := tools.RowsOf(al)
		ar.Each(func(row []any) {
			a := Action{Server: names[id], ServerID: id, Action: ar.Str(row, "Action"), StartText: ar.Str(row, "Start Time"),
				RequestID: ar.Str(row, "Request ID"), Message: ar.Str(row, "Message")}
			a.Start, _ = parseTime(a.StartText)
			acts = append(acts, a)
		})
	})
	errIDs := make([]string, len(errored))
	for i, s := range errored {
		errIDs[i] = s.id
		names[s.id] = s.name
	}
	o.each(errIDs, func(id string) {
		res, err := o.get(ctx, "server.show", map[string]any{"server": id})
		if err != nil || res == nil || res.Record == nil {
			return
		}
		f := Fault{Server: names[id], ServerID: id}
		for _, fld := range res.Record.Fields {
			if fld.Name == "fault" {
				f.Code, f.Message, f.Created = readFault(fld.Value)
			}
		}
		mu.Lock()
		faults = append(faults, f)
		mu.Unlock()
	})
	if failedReads > 0 {
		notes = append(notes, fmt.Sprintf("the actions of %d server(s) could not be read", failedReads))
	}
	sort.SliceStable(acts, func(i, j int) bool {
		a, b := acts[i], acts[j]
		if a.Failed() != b.Failed() {
			return a.Failed()
		}
		if !a.Start.Equal(b.Start) {
			return a.Start.After(b.Start)
		}
		return a.RequestID < b.RequestID
	})
	if len(acts) > o.opts.MaxActions {
		acts = acts[:o.opts.MaxActions]
	}
	sort.Slice(faults, func(i, j int) bool { return faults[i].Server+faults[i].ServerID < faults[j].Server+faults[j].ServerID })
	return acts, faults, notes, nil
}

// readFault reads server.show's fault field: a map (code, message,
// created) or its text.
func readFault(v any) (code int, msg, created string) {
	switch x := v.(type) {
	case map[string]any:
		if c, ok := x["code"].(float64); ok {
			code = int(c)
		}
		if c, ok := x["code"].(int); ok {
			code = c
		}
		msg, _ = x["message"].(string)
		created, _ = x["created"].(string)
	case string:
		msg = x
	case nil:
	default:
		b, _ := json.Marshal(x)
		var f struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
			Created string `json:"created"`
		}
		if json.Unmarshal(b, &f) == nil {
			return f.Code, f.Message, f.Created
		}
		msg = fmt.Sprint(x)
	}
	return code, msg, created
}

// login reads whoami (token expiry) and, where the registry has it,
// the user's application credentials.
func (o *Overview) login(ctx context.Context) (*Login, error) {
	res, err := o.get(ctx, "whoami", nil)
	if err != nil {
		return nil, err
	}
	l := &Login{}
	if res != nil && res.Record != nil {
		for _, f := range res.Record.Fields {
			s, _ := f.Value.(string)
			switch f.Name {
			case "user":
				l.User = s
			case "project":
				l.Project = s
			case "expires_at":
				l.TokenExpires, _ = time.Parse(time.RFC3339, s)
			}
		}
	}
	al, err := o.list(ctx, "application-credential.list", nil)
	if err != nil {
		_, why := Classify(err)
		l.AppNote = "application credentials not read: " + why
		return l, nil
	}
	l.AppKnown = true
	ar := tools.RowsOf(al)
	ar.Each(func(row []any) {
		c := AppCredential{ID: ar.Str(row, "ID"), Name: ar.Str(row, "Name")}
		c.Expires, _ = parseTime(ar.Str(row, "Expires At"))
		l.AppCredentials = append(l.AppCredentials, c)
	})
	return l, nil
}
