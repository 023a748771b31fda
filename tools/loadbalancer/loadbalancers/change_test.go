package loadbalancers

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/loadbalancer/lbtest"
	"github.com/kriscelmer/os-tui/tools/toolstest"
)

const (
	subnetID  = "5b000000-0000-4000-8000-000000000001"
	networkID = "5a000000-0000-4000-8000-000000000001"
	serverID  = "5c000000-0000-4000-8000-000000000001"
)

const subnetJSON = `{"id": "` + subnetID + `", "name": "private-subnet", "cidr": "10.0.0.0/24", "network_id": "` + networkID + `"}`

// stubSubnet answers lookups of private-subnet by name.
func stubSubnet(c *toolstest.Cloud) {
	c.OptionalFunc("GET", toolstest.NetworkPrefix+"/subnets", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if n := r.URL.Query().Get("name"); n != "" && n != "private-subnet" {
			_, _ = w.Write([]byte(`{"subnets": []}`))
			return
		}
		_, _ = w.Write([]byte(`{"subnets": [` + subnetJSON + `]}`))
	})
}

func check(t *testing.T, env *tools.Env, name string, args any) *tools.Check {
	t.Helper()
	tl := toolstest.Tool(t, Tools(), name)
	chk, err := tl.Check(context.Background(), env, tools.JSON(args))
	if err != nil {
		t.Fatal(err)
	}
	return chk
}

func findings(chk *tools.Check) string {
	var out []string
	for _, f := range chk.Findings {
		out = append(out, f.Level.String()+": "+f.Text)
	}
	return strings.Join(out, "\n")
}

func TestCreateCheck(t *testing.T) {
	tests := []struct {
		name    string
		args    map[string]any
		blocked bool
		want    string
	}{
		{"subnet by name", map[string]any{"name": "web", "subnet": "private-subnet"}, false, "the VIP is allocated on subnet private-subnet (10.0.0.0/24)"},
		{"unknown subnet", map[string]any{"name": "web", "subnet": "nope"}, true, `no subnet named or with ID "nope"`},
		{"VIP outside the range", map[string]any{"name": "web", "subnet": "private-subnet", "vip_address": "10.9.0.5"}, true, "10.9.0.5 is not in subnet private-subnet's range 10.0.0.0/24"},
		{"name taken", map[string]any{"name": "taken", "subnet": "private-subnet"}, false, "a load balancer named taken already exists"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := lbtest.New(t)
			stubSubnet(f.Cloud)
			f.LB("taken", subnetID, networkID)
			chk := check(t, f.Cloud.Env(), "loadbalancer.create", tt.args)
			if chk.Blocked() != tt.blocked || !strings.Contains(findings(chk), tt.want) {
				t.Errorf("blocked=%t findings:\n%s\nwant %q", chk.Blocked(), findings(chk), tt.want)
			}
			if !tt.blocked && !strings.Contains(string(chk.Resolved), subnetID) {
				t.Errorf("resolved %s does not name the subnet by ID", chk.Resolved)
			}
		})
	}
}

func TestCreateRunPreviewUndo(t *testing.T) {
	f := lbtest.New(t)
	stubSubnet(f.Cloud)
	env := f.Cloud.Env()
	tl := toolstest.Tool(t, Tools(), "loadbalancer.create")
	args := tools.JSON(map[string]any{"name": "web", "subnet": subnetID})
	p, err := tl.Preview(context.Background(), env, args, &tools.Check{})
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := json.Marshal(p.Requests[0].Body); p.Requests[0].Method != "POST" || !strings.HasSuffix(p.Requests[0].URL, "/v2.0/lbaas/loadbalancers") ||
		string(b) != `{"loadbalancer":{"name":"web","vip_subnet_id":"`+subnetID+`"}}` {
		t.Errorf("preview %+v %s", p.Requests[0], b)
	}
	res, err := tl.Run(context.Background(), env, args)
	if err != nil {
		t.Fatal(err)
	}
	if res.Await == nil || res.Outputs["id"] == "" {
		t.Fatalf("result %+v", res)
	}
	if st, err := res.Await.Poll(context.Background(), env); err != nil || st != "PENDING_CREATE" {
		t.Errorf("first poll %q %v", st, err)
	}
	if st, _ := res.Await.Poll(context.Background(), env); st != "ACTIVE" {
		t.Errorf("second poll %q, want ACTIVE", st)
	}
	undo := tl.Undo(args, res)
	if undo == nil || undo.Tool != "loadbalancer.delete" || !strings.Contains(string(undo.Args), `"cascade":true`) {
		t.Errorf("undo %+v", undo)
	}
}

func TestDelete(t *testing.T) {
	f := lbtest.New(t)
	env := f.Cloud.Env()
	id := f.LB("web", subnetID, networkID)
	l := f.Listener(id, "web-listener", "HTTP", 80)
	p := f.Pool(id, l, "web-pool")
	f.Member(p, "web-1", "10.0.0.5", 80, "NO_MONITOR")
	empty := f.LB("empty", subnetID, networkID)

	tests := []struct {
		name    string
		args    map[string]any
		blocked bool
		want    string
		deletes []string
	}{
		{"without cascade", map[string]any{"loadbalancer": "web"}, true, "still has 1 listener, 1 pool, 1 member, and Octavia deletes only an empty one: add --cascade", nil},
		{"cascade", map[string]any{"loadbalancer": "web", "cascade": true}, false, "--cascade deletes 1 listener, 1 pool, 1 member",
			[]string{"loadbalancer web", "listener web-listener (HTTP 80)", "pool web-pool (HTTP, ROUND_ROBIN)", "member 10.0.0.5:80"}},
		{"empty", map[string]any{"loadbalancer": "empty"}, false, "", []string{"loadbalancer empty"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			chk := check(t, env, "loadbalancer.delete", tt.args)
			if chk.Blocked() != tt.blocked || !strings.Contains(findings(chk), tt.want) {
				t.Fatalf("blocked=%t findings:\n%s\nwant %q", chk.Blocked(), findings(chk), tt.want)
			}
			if tt.blocked {
				return
			}
			tl := toolstest.Tool(t, Tools(), "loadbalancer.delete")
			p, err := tl.Preview(context.Background(), env, chk.Resolved, chk)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, d := range p.Deletes {
				got = append(got, d.Kind+" "+d.Name)
			}
			if strings.Join(got, "; ") != strings.Join(tt.deletes, "; ") {
				t.Errorf("deletes %q, want %q", got, tt.deletes)
			}
		})
	}
	tl := toolstest.Tool(t, Tools(), "loadbalancer.delete")
	res, err := tl.Run(context.Background(), env, tools.JSON(map[string]any{"loadbalancer": id, "cascade": true}))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(f.Bodies[len(f.Bodies)-1], "DELETE /lb/v2.0/lbaas/loadbalancers/"+id) || res.Await == nil || !res.Await.Gone {
		t.Errorf("run %+v; last request %s", res, f.Bodies[len(f.Bodies)-1])
	}
	_ = empty
}

func TestSetUndo(t *testing.T) {
	f := lbtest.New(t)
	env := f.Cloud.Env()
	id := f.LB("web", subnetID, networkID)
	tl := toolstest.Tool(t, Tools(), "loadbalancer.set")
	chk := check(t, env, "loadbalancer.set", map[string]any{"loadbalancer": "web", "name": "www"})
	p, err := tl.Preview(context.Background(), env, chk.Resolved, chk)
	if err != nil || len(p.Changes) != 1 || p.Changes[0].From != "web" || p.Changes[0].To != "www" {
		t.Fatalf("preview %+v %v", p, err)
	}
	res, err := tl.Run(context.Background(), env, chk.Resolved)
	if err != nil {
		t.Fatal(err)
	}
	undo := tl.Undo(chk.Resolved, res)
	if undo == nil || string(undo.Args) != `{"loadbalancer":"`+id+`","name":"web"}` {
		t.Errorf("undo %+v", undo)
	}
}

func TestStatusTree(t *testing.T) {
	f := lbtest.New(t)
	id := f.LB("web", subnetID, networkID)
	l := f.Listener(id, "web-listener", "HTTP", 80)
	p := f.Pool(id, l, "web-pool")
	f.Member(p, "", "10.0.0.5", 80, "NO_MONITOR")
	res, err := toolstest.Run(t, f.Cloud.Env(), Tools(), "loadbalancer.status", map[string]any{"loadbalancer": "web"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range res.List.Rows {
		got = append(got, r[0].(string)+" "+r[1].(string)+" "+r[3].(string)+" "+r[4].(string))
	}
	want := []string{"loadbalancer web ACTIVE OFFLINE", "  listener web-listener ACTIVE ONLINE", "    pool web-pool ACTIVE ONLINE", "      member 10.0.0.5:80 ACTIVE NO_MONITOR"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("tree:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestWizardExpands(t *testing.T) {
	f := lbtest.New(t)
	stubSubnet(f.Cloud)
	f.Cloud.Handle("GET", toolstest.ComputePrefix+"/servers/detail", 200, `{"servers": [{"id": "`+serverID+`", "name": "web-1", "status": "ACTIVE"}]}`)
	f.Cloud.Handle("GET", toolstest.NetworkPrefix+"/ports", 200, `{"ports": [{"id": "p1", "device_id": "`+serverID+`", "fixed_ips": [{"subnet_id": "`+subnetID+`", "ip_address": "10.0.0.7"}]}]}`)
	tl := toolstest.Tool(t, Tools(), "loadbalancer.create")
	steps, err := tl.Expand(context.Background(), f.Cloud.Env(), tools.JSON(map[string]any{
		"name": "web", "subnet": "private-subnet", "protocol": "HTTP", "port": 80, "members": []string{"web-1,10.0.0.9"}, "monitor": "HTTP:/health"}))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range steps {
		got = append(got, s.ID+" "+s.Tool+" "+string(s.Args))
	}
	want := []string{
		`lb loadbalancer.create {"name":"web","subnet":"` + subnetID + `"}`,
		`listener loadbalancer.listener.create {"loadbalancer":"${lb.id}","name":"web-listener","protocol":"HTTP","protocol_port":80}`,
		`pool loadbalancer.pool.create {"lb_algorithm":"ROUND_ROBIN","listener":"${listener.id}","name":"web-pool","protocol":"HTTP"}`,
		`member1 loadbalancer.member.create {"address":"10.0.0.7","name":"web-1","pool":"${pool.id}","protocol_port":80,"subnet":"` + subnetID + `"}`,
		`member2 loadbalancer.member.create {"address":"10.0.0.9","pool":"${pool.id}","protocol_port":80,"subnet":"` + subnetID + `"}`,
		`monitor loadbalancer.healthmonitor.create {"delay":5,"max_retries":3,"name":"web-monitor","pool":"${pool.id}","timeout":3,"type":"HTTP","url_path":"/health"}`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("steps:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Without the wizard's arguments the step stands as it is.
	if steps, err := tl.Expand(context.Background(), f.Cloud.Env(), tools.JSON(map[string]any{"name": "web", "subnet": "private-subnet"})); steps != nil || err != nil {
		t.Errorf("plain create expanded to %v %v", steps, err)
	}
}

func TestWizardRefusals(t *testing.T) {
	tests := []struct {
		args map[string]any
		want string
	}{
		{map[string]any{"name": "w", "subnet": "private-subnet", "monitor": "HTTP:health"}, "the path must start with /"},
		{map[string]any{"name": "w", "subnet": "private-subnet", "protocol": "TCP"}, "--port is needed with --protocol TCP"},
		{map[string]any{"name": "w", "subnet": "private-subnet", "monitor": "PING:/x"}, "only HTTP and HTTPS monitors take a path"},
	}
	for _, tt := range tests {
		f := lbtest.New(t)
		tl := toolstest.Tool(t, Tools(), "loadbalancer.create")
		_, err := tl.Expand(context.Background(), f.Cloud.Env(), tools.JSON(tt.args))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: err %v, want %q", tt.args, err, tt.want)
		}
	}
}
