package members

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2/openstack/loadbalancer/v2/pools"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/loadbalancer/lbtest"
	"github.com/kriscelmer/os-tui/tools/toolstest"
)

// The fake network: the VIP on subnet vip (10.0.0.0/24, network net-a);
// subnet routed (10.1.0.0/24, network net-b) joined to vip by router r1;
// subnet island (10.2.0.0/24, network net-c) joined to nothing.
const (
	vipSubnet    = "5b000000-0000-4000-8000-000000000001"
	routedSubnet = "5b000000-0000-4000-8000-000000000002"
	islandSubnet = "5b000000-0000-4000-8000-000000000003"
	serverA      = "5c000000-0000-4000-8000-00000000000a"
	serverB      = "5c000000-0000-4000-8000-00000000000b"
)

func fakeNetwork(c *toolstest.Cloud) {
	subnets := `{"subnets": [
		{"id": "` + vipSubnet + `", "name": "vip", "cidr": "10.0.0.0/24", "network_id": "net-a"},
		{"id": "` + routedSubnet + `", "name": "routed", "cidr": "10.1.0.0/24", "network_id": "net-b"},
		{"id": "` + islandSubnet + `", "name": "island", "cidr": "10.2.0.0/24", "network_id": "net-c"}]}`
	c.OptionalFunc("GET", toolstest.NetworkPrefix+"/subnets", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if n := r.URL.Query().Get("name"); n != "" {
			for _, s := range []struct{ name, id, cidr, net string }{{"vip", vipSubnet, "10.0.0.0/24", "net-a"}, {"routed", routedSubnet, "10.1.0.0/24", "net-b"}, {"island", islandSubnet, "10.2.0.0/24", "net-c"}} {
				if s.name == n {
					_, _ = w.Write([]byte(`{"subnets": [{"id": "` + s.id + `", "name": "` + s.name + `", "cidr": "` + s.cidr + `", "network_id": "` + s.net + `"}]}`))
					return
				}
			}
			_, _ = w.Write([]byte(`{"subnets": []}`))
			return
		}
		_, _ = w.Write([]byte(subnets))
	})
	c.OptionalFunc("GET", toolstest.NetworkPrefix+"/ports", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		q := r.URL.Query()
		switch {
		case q.Get("device_owner") == "network:router_interface":
			_, _ = w.Write([]byte(`{"ports": [
				{"id": "i1", "device_id": "r1", "device_owner": "network:router_interface", "fixed_ips": [{"subnet_id": "` + vipSubnet + `", "ip_address": "10.0.0.1"}]},
				{"id": "i2", "device_id": "r1", "device_owner": "network:router_interface", "fixed_ips": [{"subnet_id": "` + routedSubnet + `", "ip_address": "10.1.0.1"}]}]}`))
		case strings.Contains(r.URL.RawQuery, "10.0.0.5"):
			_, _ = w.Write([]byte(`{"ports": [{"id": "pa", "device_id": "` + serverA + `", "device_owner": "compute:nova", "fixed_ips": [{"subnet_id": "` + vipSubnet + `", "ip_address": "10.0.0.5"}]}]}`))
		case strings.Contains(r.URL.RawQuery, "10.0.0.6"):
			_, _ = w.Write([]byte(`{"ports": [{"id": "pb", "device_id": "` + serverB + `", "device_owner": "compute:nova", "fixed_ips": [{"subnet_id": "` + vipSubnet + `", "ip_address": "10.0.0.6"}]}]}`))
		default:
			_, _ = w.Write([]byte(`{"ports": []}`))
		}
	})
}

func findings(chk *tools.Check) string {
	var out []string
	for _, f := range chk.Findings {
		out = append(out, f.Level.String()+": "+f.Text)
	}
	return strings.Join(out, "\n")
}

func TestCreateReach(t *testing.T) {
	tests := []struct {
		name    string
		args    map[string]any
		blocked bool
		want    string
	}{
		{"on the VIP network", map[string]any{"pool": "web-pool", "address": "10.0.0.7", "protocol_port": 80}, false, ""},
		{"routed to the VIP network", map[string]any{"pool": "web-pool", "address": "10.1.0.7", "protocol_port": 80}, false, "reaches 10.1.0.7 through router r1"},
		{"on an island", map[string]any{"pool": "web-pool", "address": "10.2.0.7", "protocol_port": 80}, true,
			"member address 10.2.0.7 is on subnet island, which load balancer web cannot reach: it is not on the VIP's network and no router joins them; give --subnet-id island"},
		{"on no subnet", map[string]any{"pool": "web-pool", "address": "192.0.2.10", "protocol_port": 80}, true,
			"member address 192.0.2.10 is on none of the subnets this project can see"},
		{"the island, plugged in", map[string]any{"pool": "web-pool", "address": "10.2.0.7", "protocol_port": 80, "subnet": "island"}, false,
			"the load balancer reaches 10.2.0.7 on subnet island, which it joins"},
		{"subnet and address disagree", map[string]any{"pool": "web-pool", "address": "10.0.0.7", "protocol_port": 80, "subnet": "island"}, true,
			"member address 10.0.0.7 is not on subnet island (10.2.0.0/24)"},
		{"already a member", map[string]any{"pool": "web-pool", "address": "10.0.0.5", "protocol_port": 80}, true,
			"10.0.0.5:80 is already member"},
		{"pool from an earlier step", map[string]any{"pool": "${pool.id}", "address": "10.0.0.7", "protocol_port": 80}, false, "comes from an earlier step"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := lbtest.New(t)
			fakeNetwork(f.Cloud)
			id := f.LB("web", vipSubnet, "net-a")
			p := f.Pool(id, "", "web-pool")
			f.Member(p, "web-1", "10.0.0.5", 80, "NO_MONITOR")
			tl := toolstest.Tool(t, Tools(), "loadbalancer.member.create")
			chk, err := tl.Check(context.Background(), f.Cloud.Env(), tools.JSON(tt.args))
			if err != nil {
				t.Fatal(err)
			}
			if chk.Blocked() != tt.blocked || !strings.Contains(findings(chk), tt.want) {
				t.Errorf("blocked=%t findings:\n%s\nwant %q", chk.Blocked(), findings(chk), tt.want)
			}
		})
	}
}

func TestCreateRunUndo(t *testing.T) {
	f := lbtest.New(t)
	fakeNetwork(f.Cloud)
	env := f.Cloud.Env()
	id := f.LB("web", vipSubnet, "net-a")
	p := f.Pool(id, "", "web-pool")
	tl := toolstest.Tool(t, Tools(), "loadbalancer.member.create")
	args := tools.JSON(map[string]any{"pool": p, "address": "10.0.0.7", "protocol_port": 80, "name": "web-3"})
	res, err := tl.Run(context.Background(), env, args)
	if err != nil {
		t.Fatal(err)
	}
	undo := tl.Undo(args, res)
	if undo == nil || undo.Tool != "loadbalancer.member.delete" || !strings.Contains(string(undo.Args), res.Outputs["id"]) {
		t.Fatalf("undo %+v", undo)
	}
	del := toolstest.Tool(t, Tools(), "loadbalancer.member.delete")
	if _, err := del.Run(context.Background(), env, undo.Args); err != nil {
		t.Fatal(err)
	}
	if len(f.All("members")) != 0 {
		t.Error("member not removed")
	}
}

func TestHealth(t *testing.T) {
	tests := []struct {
		prov, op string
		healthy  bool
	}{
		{"ACTIVE", "ONLINE", true},
		{"ACTIVE", "NO_MONITOR", true},
		{"ACTIVE", "ERROR", false},
		{"ACTIVE", "OFFLINE", false},
		{"ACTIVE", "DRAINING", false},
		{"PENDING_UPDATE", "ONLINE", false},
	}
	for _, tt := range tests {
		if got, why := Health(&pools.Member{ProvisioningStatus: tt.prov, OperatingStatus: tt.op}); got != tt.healthy || why == "" {
			t.Errorf("%s/%s: healthy=%t (%s), want %t", tt.prov, tt.op, got, why, tt.healthy)
		}
	}
}

func TestDrainUndrain(t *testing.T) {
	old := HealthPoll
	HealthPoll = time.Millisecond
	t.Cleanup(func() { HealthPoll = old })
	f := lbtest.New(t)
	env := f.Cloud.Env()
	id := f.LB("web", vipSubnet, "net-a")
	p := f.Pool(id, "", "web-pool")
	m := f.Member(p, "web-1", "10.0.0.5", 80, "NO_MONITOR")
	f.Get("members", m)["weight"] = 3

	drain := toolstest.Tool(t, Tools(), "loadbalancer.member.drain")
	args := tools.JSON(map[string]any{"pool": "web-pool", "member": "web-1", "wait": "0s"})
	res, err := drain.Run(context.Background(), env, args)
	if err != nil {
		t.Fatal(err)
	}
	if f.Get("members", m)["weight"] != float64(0) || res.Outputs["weight"] != "3" {
		t.Fatalf("weight %v, outputs %v", f.Get("members", m)["weight"], res.Outputs)
	}
	var st string
	for range 5 {
		if st, err = res.Await.Poll(context.Background(), env); err != nil || st == "DRAINED" {
			break
		}
	}
	if st != "DRAINED" {
		t.Fatalf("drain wait ends at %q %v", st, err)
	}
	undo := drain.Undo(args, res)
	if undo == nil || undo.Tool != "loadbalancer.member.undrain" || !strings.Contains(string(undo.Args), `"weight":3`) {
		t.Fatalf("undo %+v", undo)
	}

	undrain := toolstest.Tool(t, Tools(), "loadbalancer.member.undrain")
	// Unhealthy: it stays drained and the error says what to do.
	f.Get("members", m)["operating_status"] = "ERROR"
	_, err = undrain.Run(context.Background(), env, tools.JSON(map[string]any{"pool": "web-pool", "member": "web-1", "weight": 3, "timeout": "0s"}))
	if err == nil || !strings.Contains(err.Error(), "is not healthy after 0s: its operating status is ERROR; it stays drained (weight 0)") ||
		!strings.Contains(err.Error(), "--force") {
		t.Fatalf("err %v", err)
	}
	if f.Get("members", m)["weight"] != float64(0) {
		t.Error("an unhealthy member was put back")
	}
	// Forced, or healthy: the weight comes back.
	if _, err := undrain.Run(context.Background(), env, tools.JSON(map[string]any{"pool": "web-pool", "member": "web-1", "weight": 3, "force": true})); err != nil {
		t.Fatal(err)
	}
	if f.Get("members", m)["weight"] != float64(3) {
		t.Errorf("weight %v after a forced undrain", f.Get("members", m)["weight"])
	}
}

func TestRotatePlan(t *testing.T) {
	f := lbtest.New(t)
	fakeNetwork(f.Cloud)
	id := f.LB("web", vipSubnet, "net-a")
	p := f.Pool(id, "", "web-pool")
	f.Member(p, "web-1", "10.0.0.5", 80, "NO_MONITOR")
	f.Member(p, "web-2", "10.0.0.6", 80, "NO_MONITOR")
	tl := toolstest.Tool(t, Tools(), "loadbalancer.rotate")
	ids := func(steps []tools.Step) string {
		var out []string
		for _, s := range steps {
			out = append(out, strings.SplitN(s.ID, "-", 2)[0]+":"+s.Tool)
		}
		return strings.Join(out, " ")
	}
	steps, err := tl.Expand(context.Background(), f.Cloud.Env(), tools.JSON(map[string]any{"pool": "web-pool", "action": "reboot", "drain_wait": "5s"}))
	if err != nil {
		t.Fatal(err)
	}
	want := "drain:loadbalancer.member.drain update:server.reboot undrain:loadbalancer.member.undrain " +
		"drain:loadbalancer.member.drain update:server.reboot undrain:loadbalancer.member.undrain"
	if got := ids(steps); got != want {
		t.Errorf("batch 1:\n%s\nwant\n%s", got, want)
	}
	if !strings.Contains(string(steps[1].Args), serverA) || !strings.Contains(string(steps[4].Args), serverB) || !strings.Contains(string(steps[0].Args), `"wait":"5s"`) {
		t.Errorf("steps %v", steps)
	}
	steps, err = tl.Expand(context.Background(), f.Cloud.Env(), tools.JSON(map[string]any{"pool": "web-pool", "batch": 2, "action": "stop-start"}))
	if err != nil {
		t.Fatal(err)
	}
	want = "drain:loadbalancer.member.drain drain:loadbalancer.member.drain stop:server.stop start:server.start stop:server.stop start:server.start " +
		"undrain:loadbalancer.member.undrain undrain:loadbalancer.member.undrain"
	if got := ids(steps); got != want {
		t.Errorf("batch 2:\n%s\nwant\n%s", got, want)
	}
	if !strings.Contains(string(steps[0].Args), `"wait":"0s"`) {
		t.Errorf("only the batch's last drain waits: %s", steps[0].Args)
	}
	for _, s := range steps {
		if len(s.ID) > 40 {
			t.Errorf("step ID %q is longer than a plan allows", s.ID)
		}
	}

	// A recipe runs for each member, its server filled in.
	recipe := filepath.Join(t.TempDir(), "patch.yaml")
	_ = os.WriteFile(recipe, []byte("goal: patch\nparams:\n  server: {description: the server}\nsteps:\n  - id: stop\n    tool: server.stop\n    args: {server: '${param.server}'}\n  - id: start\n    tool: server.start\n    args: {server: '${param.server}'}\n"), 0o600)
	steps, err = tl.Expand(context.Background(), f.Cloud.Env(), tools.JSON(map[string]any{"pool": "web-pool", "run": recipe}))
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(steps); !strings.Contains(got, "stop:server.stop start:server.start undrain") || !strings.Contains(string(steps[1].Args), serverA) {
		t.Errorf("recipe steps %s %s", got, steps[1].Args)
	}

	// Refusals.
	for _, tt := range []struct {
		args map[string]any
		want string
	}{
		{map[string]any{"pool": "web-pool"}, "give the update step"},
		{map[string]any{"pool": "web-pool", "action": "reboot", "run": recipe}, "give the update step"},
		{map[string]any{"pool": "nope", "action": "reboot"}, `no loadbalancer.pool named`},
	} {
		if _, err := tl.Expand(context.Background(), f.Cloud.Env(), tools.JSON(tt.args)); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: %v, want %q", tt.args, err, tt.want)
		}
	}
	f.Member(p, "", "192.0.2.9", 80, "NO_MONITOR")
	if _, err := tl.Expand(context.Background(), f.Cloud.Env(), tools.JSON(map[string]any{"pool": "web-pool", "action": "reboot"})); err == nil || !strings.Contains(err.Error(), "is no server's address") {
		t.Errorf("a member that is no server: %v", err)
	}
}
