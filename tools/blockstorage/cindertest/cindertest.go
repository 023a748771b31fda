// Package cindertest is a fake Cinder for the block storage tools' unit
// tests, on toolstest's fake cloud: volumes, snapshots, backups, types,
// quota usage and the service list held as JSON objects, served with the
// filters Cinder applies (name, volume_id, status), and every write
// recorded. Its routes are optional stubs: a test asserts on findings
// and on the writes, not on which reads a tool made.
package cindertest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/toolstest"
)

// Object is one Cinder resource as its JSON object.
type Object = map[string]any

// Write is one request that would change the cloud.
type Write struct {
	Method, Path string
	// Microversion is the OpenStack-API-Version header it carried.
	Microversion string
	Body         any
}

// Cinder is the fake.
type Cinder struct {
	t  testing.TB
	FC *toolstest.Cloud

	mu        sync.Mutex
	volumes   []Object
	snapshots []Object
	backups   []Object
	types     []Object
	quota     map[string][2]int // resource → in use, limit
	// servicesStatus answers GET /os-services: 200 with services, or 403.
	servicesStatus int
	services       []Object
	writes         []Write
	// Answers are canned bodies for write routes ("POST /volumes").
	answers map[string]string
}

// Prefix is where the fake serves the block storage API.
const Prefix = toolstest.VolumePrefix

// New returns a fake Cinder on fc with the default type __DEFAULT__, no
// other resources, generous quotas and a running backup service.
func New(t testing.TB, fc *toolstest.Cloud) *Cinder {
	c := &Cinder{t: t, FC: fc, quota: map[string][2]int{}, servicesStatus: http.StatusOK, answers: map[string]string{},
		services: []Object{{"binary": "cinder-backup", "host": "devcloud", "zone": "nova", "status": "enabled", "state": "up"}}}
	c.AddType(Object{"id": "type-default", "name": "__DEFAULT__", "is_public": true, "extra_specs": Object{}})
	for _, r := range []string{"volumes", "gigabytes", "snapshots", "backups", "backup_gigabytes"} {
		c.quota[r] = [2]int{0, 1000}
	}
	c.quota["per_volume_gigabytes"] = [2]int{0, -1}
	fc.Optional("GET", toolstest.IdentityPrefix+"/auth/tokens", http.StatusOK, `{"token": {"expires_at": "2030-01-01T12:00:00Z",
	 "user": {"id": "u1", "name": "demo", "domain": {"name": "Default"}}, "project": {"id": "p1", "name": "demo", "domain": {"name": "Default"}}, "roles": []}}`)
	c.read("/volumes/detail", "volumes", func() []Object { return c.volumes })
	c.read("/snapshots/detail", "snapshots", func() []Object { return c.snapshots })
	c.read("/backups/detail", "backups", func() []Object { return c.backups })
	c.read("/types", "volume_types", func() []Object { return c.types })
	fc.OptionalFunc("GET", Prefix+"/os-quota-sets/p1", c.serveQuota)
	fc.OptionalFunc("GET", Prefix+"/os-services", c.serveServices)
	fc.OptionalFunc("GET", Prefix+"/os-availability-zone", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, Object{"availabilityZoneInfo": []Object{{"zoneName": "nova", "zoneState": Object{"available": true}}}})
	})
	fc.OptionalFunc("GET", Prefix+"/types/default", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, Object{"volume_type": c.types[0]})
	})
	for _, route := range []string{"POST /volumes", "POST /snapshots", "POST /backups"} {
		c.write(route)
	}
	return c
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Openstack-Request-Id", "req-fake")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// read serves a list route with Cinder's exact-match filters.
func (c *Cinder) read(path, key string, all func() []Object) {
	c.FC.OptionalFunc("GET", Prefix+path, func(w http.ResponseWriter, r *http.Request) {
		c.mu.Lock()
		defer c.mu.Unlock()
		out := []Object{}
		q := r.URL.Query()
		for _, o := range all() {
			keep := true
			for _, f := range []string{"name", "volume_id", "status"} {
				if want := q.Get(f); want != "" && fmt.Sprint(o[f]) != want {
					keep = false
				}
			}
			if keep {
				out = append(out, o)
			}
		}
		writeJSON(w, http.StatusOK, Object{key: out})
	})
}

func (c *Cinder) serveQuota(w http.ResponseWriter, _ *http.Request) {
	c.mu.Lock()
	defer c.mu.Unlock()
	set := Object{"id": "p1"}
	for r, u := range c.quota {
		set[r] = Object{"in_use": u[0], "limit": u[1], "reserved": 0, "allocated": 0}
	}
	writeJSON(w, http.StatusOK, Object{"quota_set": set})
}

func (c *Cinder) serveServices(w http.ResponseWriter, _ *http.Request) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.servicesStatus != http.StatusOK {
		writeJSON(w, c.servicesStatus, Object{"forbidden": Object{"code": c.servicesStatus, "message": "Policy doesn't allow volume_extension:services:index to be performed."}})
		return
	}
	writeJSON(w, http.StatusOK, Object{"services": c.services})
}

// write records a write route and answers with its canned body (or
// 202 and an empty object).
func (c *Cinder) write(route string) {
	var method, path string
	_, _ = fmt.Sscanf(route, "%s %s", &method, &path)
	c.FC.OptionalFunc(method, Prefix+path, func(w http.ResponseWriter, r *http.Request) {
		var body any
		if b, _ := io.ReadAll(r.Body); len(b) > 0 {
			_ = json.Unmarshal(b, &body)
		}
		c.mu.Lock()
		c.writes = append(c.writes, Write{Method: method, Path: path, Microversion: r.Header.Get("OpenStack-API-Version"), Body: body})
		answer, ok := c.answers[route]
		c.mu.Unlock()
		// Cinder answers 202 to creates, actions and deletes, 200 to an
		// update and to metadata changes.
		status := http.StatusAccepted
		if method == "PUT" || strings.Contains(path, "/metadata") {
			status = http.StatusOK
		}
		if ok && answer != "" {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("X-Openstack-Request-Id", "req-fake")
			w.WriteHeader(status)
			_, _ = io.WriteString(w, answer)
			return
		}
		if status == http.StatusAccepted && method == "DELETE" || strings.HasSuffix(path, "/action") {
			w.Header().Set("X-Openstack-Request-Id", "req-fake")
			w.WriteHeader(status)
			return
		}
		writeJSON(w, status, Object{})
	})
}

// Answer sets the body a write route answers with ("POST /volumes").
func (c *Cinder) Answer(route, body string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.answers[route] = body
}

// object registers the routes of one resource: GET, and the writes on it.
func (c *Cinder) object(collection, key string, o Object, writes ...string) {
	id := fmt.Sprint(o["id"])
	c.FC.OptionalFunc("GET", Prefix+"/"+collection+"/"+id, func(w http.ResponseWriter, _ *http.Request) {
		c.mu.Lock()
		defer c.mu.Unlock()
		writeJSON(w, http.StatusOK, Object{key: o})
	})
	for _, route := range writes {
		c.write(fmt.Sprintf(route, id))
	}
}

// AddVolume adds a volume (its JSON object, with at least "id").
func (c *Cinder) AddVolume(v Object) {
	defaults(v, Object{"status": "available", "size": 1, "volume_type": "__DEFAULT__", "bootable": "false", "attachments": []Object{}, "metadata": Object{}, "availability_zone": "nova"})
	c.mu.Lock()
	c.volumes = append(c.volumes, v)
	c.mu.Unlock()
	c.object("volumes", "volume", v, "POST /volumes/%s/action", "DELETE /volumes/%s", "PUT /volumes/%s", "POST /volumes/%s/metadata")
	if md, ok := v["metadata"].(Object); ok {
		keys := make([]string, 0, len(md))
		for k := range md {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			c.write(fmt.Sprintf("DELETE /volumes/%s/metadata/%s", v["id"], k))
		}
	}
}

// AddSnapshot adds a snapshot.
func (c *Cinder) AddSnapshot(s Object) {
	defaults(s, Object{"status": "available", "size": 1, "metadata": Object{}})
	c.mu.Lock()
	c.snapshots = append(c.snapshots, s)
	c.mu.Unlock()
	c.object("snapshots", "snapshot", s, "DELETE /snapshots/%s")
}

// AddBackup adds a backup.
func (c *Cinder) AddBackup(b Object) {
	defaults(b, Object{"status": "available", "size": 1, "is_incremental": false, "has_dependent_backups": false})
	c.mu.Lock()
	c.backups = append(c.backups, b)
	c.mu.Unlock()
	c.object("backups", "backup", b, "DELETE /backups/%s", "POST /backups/%s/restore")
}

// AddType adds a volume type.
func (c *Cinder) AddType(t Object) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.types = append(c.types, t)
}

// Quota sets one quota line.
func (c *Cinder) Quota(resource string, inUse, limit int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.quota[resource] = [2]int{inUse, limit}
}

// Services sets what the service list answers: its status (403 for a
// user who may not read it) and its cinder-backup entries.
func (c *Cinder) Services(status int, backups ...Object) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.servicesStatus, c.services = status, backups
}

// Writes returns every write the fake received, in order.
func (c *Cinder) Writes() []Write {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Write(nil), c.writes...)
}

func defaults(o, d Object) {
	for k, v := range d {
		if _, ok := o[k]; !ok {
			o[k] = v
		}
	}
}

// Findings returns a check's findings of one level, for assertions.
func Findings(findings []tools.Finding, level tools.Level) []string {
	var out []string
	for _, f := range findings {
		if f.Level == level {
			out = append(out, f.Text)
		}
	}
	return out
}
