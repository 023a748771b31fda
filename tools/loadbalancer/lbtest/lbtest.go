// Package lbtest is a fake Octavia and Barbican for the load balancer
// tools' unit tests: a small in-memory implementation of the calls the
// tools make (load balancers, listeners, pools, members, monitors, L7
// policies; secrets and containers), served next to a toolstest.Cloud
// that stubs Neutron and Nova. Objects change state the way Octavia's do:
// a write puts the load balancer in PENDING_UPDATE and the next read
// finds it ACTIVE again, so Settle and the executor's waits are exercised.
package lbtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kriscelmer/os-tui/internal/cloud"
	lb "github.com/kriscelmer/os-tui/tools/loadbalancer"
	"github.com/kriscelmer/os-tui/tools/toolstest"
)

// Obj is one fake object: its JSON fields.
type Obj map[string]any

// Fake is the fake Octavia and Barbican.
type Fake struct {
	t      testing.TB
	Server *httptest.Server
	Cloud  *toolstest.Cloud

	mu   sync.Mutex
	seq  int
	objs map[string]map[string]Obj // kind → id → object
	// Bodies are the request bodies received, in order, as "METHOD path body".
	Bodies []string
	// Fail makes the next request whose "METHOD path" has this prefix fail with 500.
	Fail string
}

// New starts the fake, registers its services in a new toolstest.Cloud
// and makes the kernel's waits fast.
func New(t testing.TB) *Fake {
	t.Helper()
	f := &Fake{t: t, objs: map[string]map[string]Obj{}}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Server.Close)
	f.Cloud = toolstest.New(t)
	f.Cloud.Caps.Services["load-balancer"] = cloud.Service{Type: "load-balancer", Name: "octavia", Endpoint: f.Server.URL + "/lb/", Region: "RegionOne"}
	f.Cloud.Caps.Services["key-manager"] = cloud.Service{Type: "key-manager", Name: "barbican", Endpoint: f.Server.URL + "/km/", Region: "RegionOne"}
	old, oldPoll := lb.SettleTimeout, lb.SettlePoll
	lb.SettleTimeout, lb.SettlePoll = 2*time.Second, time.Millisecond
	t.Cleanup(func() { lb.SettleTimeout, lb.SettlePoll = old, oldPoll })
	return f
}

// ID makes a UUID-shaped ID.
func (f *Fake) ID() string {
	f.seq++
	return fmt.Sprintf("0c%06d-0000-4000-8000-000000000000", f.seq)
}

// Put stores an object of a kind ("loadbalancers", "listeners", "pools",
// "members", "healthmonitors", "l7policies", "rules", "secrets",
// "containers"), filling id when missing, and returns its ID.
func (f *Fake) Put(kind string, o Obj) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.putLocked(kind, o)
}

func (f *Fake) putLocked(kind string, o Obj) string {
	id, _ := o["id"].(string)
	if id == "" {
		id = f.ID()
		o["id"] = id
	}
	if f.objs[kind] == nil {
		f.objs[kind] = map[string]Obj{}
	}
	for k, v := range map[string]any{"provisioning_status": "ACTIVE", "operating_status": "ONLINE", "admin_state_up": true, "name": ""} {
		if _, ok := o[k]; !ok && kind != "secrets" && kind != "containers" {
			o[k] = v
		}
	}
	f.objs[kind][id] = o
	return id
}

// Get returns a stored object (nil when none).
func (f *Fake) Get(kind, id string) Obj {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.objs[kind][id]
}

// All returns the objects of a kind, by ID.
func (f *Fake) All(kind string) []Obj {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Obj
	for _, o := range f.objs[kind] {
		out = append(out, o)
	}
	sort.Slice(out, func(i, j int) bool { return out[i]["id"].(string) < out[j]["id"].(string) })
	return out
}

// LB stores an ACTIVE load balancer on a VIP subnet and network.
func (f *Fake) LB(name, subnet, network string) string {
	return f.Put("loadbalancers", Obj{"name": name, "vip_subnet_id": subnet, "vip_network_id": network, "vip_address": "10.0.0.100", "operating_status": "OFFLINE"})
}

// Listener stores a listener on a load balancer.
func (f *Fake) Listener(lbID, name, protocol string, port int) string {
	return f.Put("listeners", Obj{"name": name, "protocol": protocol, "protocol_port": port, "loadbalancers": []any{Obj{"id": lbID}}, "default_pool_id": ""})
}

// Pool stores a pool of a load balancer (and listener, when given).
func (f *Fake) Pool(lbID, listenerID, name string) string {
	p := Obj{"name": name, "protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN", "loadbalancers": []any{Obj{"id": lbID}}, "listeners": []any{}, "healthmonitor_id": ""}
	if listenerID != "" {
		p["listeners"] = []any{Obj{"id": listenerID}}
	}
	id := f.Put("pools", p)
	if listenerID != "" {
		f.Get("listeners", listenerID)["default_pool_id"] = id
	}
	return id
}

// Member stores a member of a pool.
func (f *Fake) Member(poolID, name, address string, port int, status string) string {
	return f.Put("members", Obj{"pool_id": poolID, "name": name, "address": address, "protocol_port": port, "weight": 1, "operating_status": status, "subnet_id": ""})
}

func (f *Fake) reply(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Openstack-Request-Id", "req-fake")
	w.WriteHeader(status)
	if v != nil {
		_ = json.NewEncoder(w).Encode(v)
	}
}

// touch puts a load balancer in PENDING_UPDATE: the next read of it
// finds it ACTIVE again.
func (f *Fake) touch(lbID string) {
	if o := f.objs["loadbalancers"][lbID]; o != nil {
		o["provisioning_status"] = "PENDING_UPDATE"
	}
}

func lbOf(o Obj) string {
	if ls, ok := o["loadbalancers"].([]any); ok && len(ls) > 0 {
		switch v := ls[0].(type) {
		case Obj:
			return v["id"].(string)
		case map[string]any:
			return v["id"].(string)
		}
	}
	return ""
}

var singular = map[string]string{"loadbalancers": "loadbalancer", "listeners": "listener", "pools": "pool", "members": "member",
	"healthmonitors": "healthmonitor", "l7policies": "l7policy", "rules": "rule"}

func (f *Fake) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	body, _ := io.ReadAll(r.Body)
	f.Bodies = append(f.Bodies, r.Method+" "+r.URL.Path+" "+string(body))
	if f.Fail != "" && strings.HasPrefix(r.Method+" "+r.URL.Path, f.Fail) {
		f.Fail = ""
		f.reply(w, 500, Obj{"faultstring": "injected failure"})
		return
	}
	var in map[string]any
	_ = json.Unmarshal(body, &in)
	path := strings.TrimPrefix(r.URL.Path, "/lb/v2.0/lbaas/")
	if strings.HasPrefix(r.URL.Path, "/km/v1/") {
		f.barbican(w, r, strings.TrimPrefix(r.URL.Path, "/km/v1/"), in)
		return
	}
	parts := strings.Split(strings.Trim(path, "/"), "/")
	kind := parts[0]
	switch {
	case kind == "pools" && len(parts) >= 3 && parts[2] == "members":
		f.sub(w, r, "members", "pool_id", parts[1], parts[3:], in, f.objs["pools"][parts[1]])
	case kind == "l7policies" && len(parts) >= 3 && parts[2] == "rules":
		f.sub(w, r, "rules", "l7policy_id", parts[1], parts[3:], in, f.objs["l7policies"][parts[1]])
	case len(parts) == 1:
		f.collection(w, r, kind, in)
	case len(parts) == 3 && parts[2] == "status":
		f.status(w, parts[1])
	default:
		f.item(w, r, kind, parts[1], in)
	}
}

// filter keeps the objects matching the query's known filters.
func filter(objs map[string]Obj, r *http.Request) []Obj {
	var out []Obj
	for _, o := range objs {
		ok := true
		for k, vs := range r.URL.Query() {
			switch k {
			case "name", "listener_id", "pool_id", "provisioning_status":
				if fmt.Sprint(o[k]) != vs[0] {
					ok = false
				}
			case "loadbalancer_id":
				if lbOf(o) != vs[0] {
					ok = false
				}
			}
		}
		if ok {
			out = append(out, o)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i]["id"].(string) < out[j]["id"].(string) })
	return out
}

func (f *Fake) collection(w http.ResponseWriter, r *http.Request, kind string, in map[string]any) {
	switch r.Method {
	case http.MethodGet:
		f.reply(w, 200, map[string]any{kind: filter(f.objs[kind], r)})
	case http.MethodPost:
		o := Obj{}
		if m, ok := in[singular[kind]].(map[string]any); ok {
			for k, v := range m {
				o[k] = v
			}
		}
		lbID := ""
		switch kind {
		case "loadbalancers":
			o["provisioning_status"] = "PENDING_CREATE"
			o["vip_address"] = "10.0.0.100"
		case "listeners":
			lbID, _ = o["loadbalancer_id"].(string)
			o["loadbalancers"] = []any{Obj{"id": lbID}}
		case "pools":
			if l, ok := o["listener_id"].(string); ok && f.objs["listeners"][l] != nil {
				lbID = lbOf(f.objs["listeners"][l])
				o["listeners"] = []any{Obj{"id": l}}
			} else {
				lbID, _ = o["loadbalancer_id"].(string)
			}
			o["loadbalancers"] = []any{Obj{"id": lbID}}
		case "healthmonitors":
			pid, _ := o["pool_id"].(string)
			o["pools"] = []any{Obj{"id": pid}}
			if p := f.objs["pools"][pid]; p != nil {
				lbID = lbOf(p)
			}
		case "l7policies":
			lid, _ := o["listener_id"].(string)
			if l := f.objs["listeners"][lid]; l != nil {
				lbID = lbOf(l)
			}
		}
		id := f.putLocked(kind, o)
		switch kind {
		case "pools":
			if l, ok := o["listener_id"].(string); ok && f.objs["listeners"][l] != nil {
				f.objs["listeners"][l]["default_pool_id"] = id
			}
		case "healthmonitors":
			if p := f.objs["pools"][o["pool_id"].(string)]; p != nil {
				p["healthmonitor_id"] = id
			}
		}
		f.touch(lbID)
		f.reply(w, 201, map[string]any{singular[kind]: o})
	}
}

func (f *Fake) item(w http.ResponseWriter, r *http.Request, kind, id string, in map[string]any) {
	o := f.objs[kind][id]
	if o == nil {
		f.reply(w, 404, Obj{"faultstring": kind + " " + id + " not found"})
		return
	}
	switch r.Method {
	case http.MethodGet:
		if kind == "loadbalancers" {
			cur := Obj{}
			for k, v := range o {
				cur[k] = v
			}
			// A pending load balancer settles on the next read.
			switch o["provisioning_status"] {
			case "PENDING_UPDATE", "PENDING_CREATE":
				o["provisioning_status"] = "ACTIVE"
			case "PENDING_DELETE":
				delete(f.objs[kind], id)
			}
			f.reply(w, 200, map[string]any{singular[kind]: cur})
			return
		}
		f.reply(w, 200, map[string]any{singular[kind]: o})
	case http.MethodPut:
		if m, ok := in[singular[kind]].(map[string]any); ok {
			for k, v := range m {
				o[k] = v
			}
		}
		f.touch(f.lbOfAny(kind, o))
		f.reply(w, 200, map[string]any{singular[kind]: o})
	case http.MethodDelete:
		if kind == "loadbalancers" {
			o["provisioning_status"] = "PENDING_DELETE"
		} else {
			f.touch(f.lbOfAny(kind, o))
			delete(f.objs[kind], id)
		}
		f.reply(w, 204, nil)
	}
}

func (f *Fake) lbOfAny(kind string, o Obj) string {
	switch kind {
	case "loadbalancers":
		return o["id"].(string)
	case "healthmonitors":
		if ps, ok := o["pools"].([]any); ok && len(ps) > 0 {
			if p := f.objs["pools"][ps[0].(Obj)["id"].(string)]; p != nil {
				return lbOf(p)
			}
		}
	case "l7policies":
		if l := f.objs["listeners"][fmt.Sprint(o["listener_id"])]; l != nil {
			return lbOf(l)
		}
	}
	return lbOf(o)
}

// sub serves members of a pool and rules of a policy.
func (f *Fake) sub(w http.ResponseWriter, r *http.Request, kind, parentKey, parentID string, rest []string, in map[string]any, parent Obj) {
	if parent == nil {
		f.reply(w, 404, Obj{"faultstring": "parent " + parentID + " not found"})
		return
	}
	lbID := lbOf(parent)
	if kind == "rules" {
		lbID = f.lbOfAny("l7policies", parent)
	}
	if len(rest) == 0 {
		switch r.Method {
		case http.MethodGet:
			var out []Obj
			for _, o := range filter(f.objs[kind], r) {
				if o[parentKey] == parentID {
					out = append(out, o)
				}
			}
			f.reply(w, 200, map[string]any{kind: out})
		case http.MethodPost:
			o := Obj{parentKey: parentID, "weight": 1, "operating_status": "NO_MONITOR"}
			if m, ok := in[singular[kind]].(map[string]any); ok {
				for k, v := range m {
					o[k] = v
				}
			}
			f.putLocked(kind, o)
			f.touch(lbID)
			f.reply(w, 201, map[string]any{singular[kind]: o})
		}
		return
	}
	o := f.objs[kind][rest[0]]
	if o == nil || o[parentKey] != parentID {
		f.reply(w, 404, Obj{"faultstring": kind + " " + rest[0] + " not found"})
		return
	}
	switch r.Method {
	case http.MethodGet:
		f.reply(w, 200, map[string]any{singular[kind]: o})
	case http.MethodPut:
		if m, ok := in[singular[kind]].(map[string]any); ok {
			for k, v := range m {
				o[k] = v
			}
		}
		f.touch(lbID)
		f.reply(w, 200, map[string]any{singular[kind]: o})
	case http.MethodDelete:
		delete(f.objs[kind], rest[0])
		f.touch(lbID)
		f.reply(w, 204, nil)
	}
}

func (f *Fake) status(w http.ResponseWriter, lbID string) {
	v := f.objs["loadbalancers"][lbID]
	if v == nil {
		f.reply(w, 404, Obj{"faultstring": "not found"})
		return
	}
	node := func(o Obj) Obj {
		return Obj{"id": o["id"], "name": o["name"], "provisioning_status": o["provisioning_status"], "operating_status": o["operating_status"]}
	}
	tree := node(v)
	var ls []any
	for _, l := range filter(f.objs["listeners"], &http.Request{URL: &url.URL{}}) {
		if lbOf(l) != lbID {
			continue
		}
		ln := node(l)
		var ps []any
		for _, p := range f.objs["pools"] {
			if p["id"] != l["default_pool_id"] {
				continue
			}
			pn := node(p)
			if hm := f.objs["healthmonitors"][fmt.Sprint(p["healthmonitor_id"])]; hm != nil {
				pn["health_monitor"] = node(hm)
			}
			var ms []any
			for _, m := range filter(f.objs["members"], &http.Request{URL: &url.URL{}}) {
				if m["pool_id"] == p["id"] {
					mn := node(m)
					mn["address"], mn["protocol_port"] = m["address"], m["protocol_port"]
					ms = append(ms, mn)
				}
			}
			pn["members"] = ms
			ps = append(ps, pn)
		}
		ln["pools"] = ps
		ls = append(ls, ln)
	}
	tree["listeners"] = ls
	f.reply(w, 200, Obj{"statuses": Obj{"loadbalancer": tree}})
}

func (f *Fake) barbican(w http.ResponseWriter, r *http.Request, path string, in map[string]any) {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	kind := parts[0]
	ref := f.Server.URL + "/km/v1/" + kind + "/"
	if len(parts) == 1 && r.Method == http.MethodPost {
		id := f.ID()
		o := Obj{"id": id}
		for k, v := range in {
			o[k] = v
		}
		if kind == "secrets" {
			o["secret_ref"] = ref + id
			f.objs[kind] = ensure(f.objs[kind])
			f.objs[kind][id] = o
			f.reply(w, 201, Obj{"secret_ref": ref + id})
			return
		}
		o["container_ref"] = ref + id
		f.objs[kind] = ensure(f.objs[kind])
		f.objs[kind][id] = o
		f.reply(w, 201, Obj{"container_ref": ref + id})
		return
	}
	if len(parts) != 2 {
		f.reply(w, 404, Obj{})
		return
	}
	o := f.objs[kind][parts[1]]
	if o == nil {
		f.reply(w, 404, Obj{"code": 404, "title": "Not Found"})
		return
	}
	switch r.Method {
	case http.MethodGet:
		f.reply(w, 200, o)
	case http.MethodDelete:
		delete(f.objs[kind], parts[1])
		f.reply(w, 204, nil)
	}
}

func ensure(m map[string]Obj) map[string]Obj {
	if m == nil {
		return map[string]Obj{}
	}
	return m
}
