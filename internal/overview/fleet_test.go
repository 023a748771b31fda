package overview

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/tools"
)

// addrs stands for servers.Addresses: a named map with a String method.
type addrs map[string][]string

func (a addrs) String() string {
	var parts []string
	for k, v := range a {
		parts = append(parts, k+"="+strings.Join(v, ", "))
	}
	return strings.Join(parts, "; ")
}

func TestFleet(t *testing.T) {
	full := project()
	empty := project()
	quota := []string{"Resource", "Service", "In Use", "Reserved", "Limit"}
	empty.results[`quota.show {"service":"compute"}`] = &tools.Result{List: list(quota, []any{"instances", "compute", 1, 0, 10})}
	empty.errs[`quota.show {"service":"volume"}`] = forbidden()
	refused := project()
	for _, s := range []string{"compute", "network", "volume"} {
		refused.errs[`quota.show {"service":"`+s+`"}`] = forbidden()
	}
	targets := []Target{
		{Scope: Scope{Cloud: "a", Project: "quiet", Region: "r1"}, Read: empty.read},
		{Scope: Scope{Cloud: "b", Project: "broken"}, Err: errors.New("cloud b: no auth_url")},
		{Scope: Scope{Cloud: "a", Project: "busy", Region: "r1"}, Read: full.read},
		{Scope: Scope{Cloud: "c", Project: "shut"}, Read: refused.read},
	}
	got := Fleet(t.Context(), targets, 2)
	var rows []string
	for _, f := range got {
		line := f.String() + " " + f.State.String()
		if f.State == Ready {
			line += " " + f.Service + "/" + f.Worst.Resource
		}
		if len(f.Notes) > 0 {
			line += " (" + strings.Join(f.Notes, "; ") + ")"
		}
		rows = append(rows, line)
	}
	want := []string{
		"a:busy@r1 ready compute/cores",
		"a:quiet@r1 ready compute/instances (volume: not allowed: the cloud's policy refuses this user (403))",
		"b:broken failed",
		"c:shut forbidden",
	}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("fleet (-want +got):\n%s", diff)
	}
}

func TestSearchScopeDown(t *testing.T) {
	down := &fakeCloud{calls: map[string]int{}, errs: map[string]error{}, results: map[string]*tools.Result{}}
	targets := []Target{{Scope: Scope{Cloud: "down"}, Read: down.read}, {Scope: Scope{Cloud: "gone"}, Err: errors.New("no such cloud")}}
	_, notes := Search(t.Context(), targets, "web", 2)
	want := []string{`gone: no such cloud`, `down: not searched: unknown tool "server.list"`}
	if diff := cmp.Diff(want, notes); diff != "" {
		t.Errorf("notes (-want +got):\n%s", diff)
	}
}

func TestSearch(t *testing.T) {
	f := project()
	cols := func(c ...string) []string { return c }
	f.results["server.list"] = &tools.Result{List: list(cols("ID", "Name", "Status", "Networks"),
		[]any{srvA, "web", "ACTIVE", addrs{"private": {"10.0.0.15", "203.0.113.7"}}},
		[]any{srvB, "db", "ACTIVE", addrs{"private": {"10.0.0.1"}}})}
	f.results["port.list"] = &tools.Result{List: list(cols("ID", "Name", "MAC Address", "Fixed IP Addresses"),
		[]any{"port-1", "", "fa:16:3e:00:00:01", []string{"ip_address='10.0.0.1', subnet_id='s'"}})}
	f.results["subnet.list"] = &tools.Result{List: list(cols("ID", "Name", "Network", "Subnet"),
		[]any{"sub-1", "private-subnet", "n1", "10.0.0.0/24"})}
	f.results["volume.list"] = &tools.Result{List: list(cols("ID", "Name", "Status"), []any{"aaaa1111", "web-data", "available"})}
	f.errs["router.list"] = forbidden()
	other := project()
	other.results["server.list"] = &tools.Result{List: list(cols("ID", "Name", "Status", "Networks"),
		[]any{"x1", "web-eu", "ACTIVE", addrs{}})}
	targets := []Target{
		{Scope: Scope{Cloud: "one", Project: "demo"}, Read: f.read},
		{Scope: Scope{Cloud: "two", Project: "eu"}, Read: other.read},
	}
	tests := []struct {
		query string
		want  []string
	}{
		{"10.0.0.1", []string{"one:demo server db IP 10.0.0.1", "one:demo port port-1 IP 10.0.0.1", "one:demo subnet private-subnet in 10.0.0.0/24"}},
		{"203.0.113.7", []string{"one:demo server web IP 203.0.113.7"}},
		{"WEB", []string{"one:demo server web name", "one:demo volume web-data name", "one:demo security-group web name", "two:eu server web-eu name", "two:eu security-group web name"}},
		{"aaaa", []string{"one:demo volume web-data ID"}},
		{"fa:16:3e:00:00:01", []string{"one:demo port port-1 mac address"}},
		{"nothing-like-it", nil},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			hits, notes := Search(t.Context(), targets, tt.query, 3)
			var got []string
			for _, h := range hits {
				label := h.Name
				if label == "" {
					label = h.ID
				}
				got = append(got, h.String()+" "+h.Kind+" "+label+" "+h.Match)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("hits (-want +got):\n%s", diff)
			}
			if len(notes) != 2 || !strings.Contains(notes[0], "one:demo: router.list: not allowed") {
				t.Errorf("notes = %q, want the refused router lists", notes)
			}
		})
	}
}
