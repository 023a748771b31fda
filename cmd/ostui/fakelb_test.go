package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
)

// fakeLB is the fake cloud's Octavia and Barbican for project "lblab"
// ($LBLAB_YAML): load balancer "web" (ACTIVE, no listeners) takes new
// listeners, and Barbican stores secrets and containers. Its requests'
// bodies are kept in bodies, so a script can check where a secret went.
type fakeLB struct {
	mu        sync.Mutex
	listeners []map[string]any
	bodies    []string
	n         int
}

const fakeLBID = "0b000000-0000-4000-8000-0000000000aa"

func (f *fakeLB) serve(w http.ResponseWriter, r *http.Request, path, base string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	body, _ := io.ReadAll(r.Body)
	f.bodies = append(f.bodies, string(body))
	lb := fmt.Sprintf(`{"id": %q, "name": "web", "provisioning_status": "ACTIVE", "operating_status": "ONLINE", "vip_subnet_id": "s", "vip_network_id": "n"}`, fakeLBID)
	switch {
	case path == "/lblab-lb" || path == "/lblab-km":
		fmt.Fprint(w, `{"versions": [{"id": "v2.0", "status": "CURRENT"}]}`)
	case path == "/lblab-lb/v2.0/lbaas/loadbalancers":
		fmt.Fprintf(w, `{"loadbalancers": [%s]}`, lb)
	case path == "/lblab-lb/v2.0/lbaas/loadbalancers/"+fakeLBID:
		fmt.Fprintf(w, `{"loadbalancer": %s}`, lb)
	case path == "/lblab-lb/v2.0/lbaas/listeners" && r.Method == http.MethodGet:
		b, _ := json.Marshal(map[string]any{"listeners": f.listeners})
		_, _ = w.Write(b)
	case path == "/lblab-lb/v2.0/lbaas/listeners" && r.Method == http.MethodPost:
		var in struct {
			Listener map[string]any `json:"listener"`
		}
		_ = json.Unmarshal(body, &in)
		f.n++
		l := in.Listener
		l["id"] = fmt.Sprintf("0b000000-0000-4000-8000-%012d", f.n)
		l["loadbalancers"] = []any{map[string]any{"id": fakeLBID}}
		l["provisioning_status"] = "ACTIVE"
		f.listeners = append(f.listeners, l)
		w.WriteHeader(http.StatusCreated)
		b, _ := json.Marshal(map[string]any{"listener": l})
		_, _ = w.Write(b)
	case (path == "/lblab-km/v1/secrets" || path == "/lblab-km/v1/containers") && r.Method == http.MethodPost:
		f.n++
		kind := strings.TrimPrefix(path, "/lblab-km/v1/")
		ref := fmt.Sprintf("%s/lblab-km/v1/%s/0b000000-0000-4000-8000-%012d", base, kind, f.n)
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{%q: %q}`, strings.TrimSuffix(kind, "s")+"_ref", ref)
	default:
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprintf(w, `{"faultstring": "fake Octavia has no %s %s"}`, r.Method, path)
	}
}
