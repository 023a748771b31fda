package subnets

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/internal/cloud"
	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/toolstest"
)

// routerPorts are router r1's interfaces on web-sub and db-sub.
var routerPorts = []string{
	port("r1-web", "network:router_interface", "r1", webNetID, webSubID, "10.1.0.1"),
	port("r1-db", "network:router_interface", "r1", dbNetID, dbSubID, "10.2.0.1"),
}

func TestCreateCheck(t *testing.T) {
	tests := []struct {
		name     string
		args     string
		ports    []string
		network  string
		used     int
		resolved string
		blocks   []string
		warns    []string
		infos    []string
	}{
		{name: "fine", args: `{"name": "s", "network": "web", "subnet_range": "10.1.1.0/24", "allocation_pools": ["start=10.1.1.10,end=10.1.1.20"]}`,
			resolved: `{"name":"s","network":"` + webNetID + `","subnet_range":"10.1.1.0/24","ip_version":4,"gateway":"auto","allocation_pools":["10.1.1.10-10.1.1.20"]}`},
		{name: "overlaps its own network", args: `{"name": "s", "network": "web", "subnet_range": "10.1.0.128/25"}`,
			blocks: []string{"10.1.0.128/25 overlaps subnet web-sub (10.1.0.0/24) on the same network, and Neutron refuses overlapping subnets on one network; choose a range outside it (10.1.1.0/25 is free)"}},
		{name: "overlaps a subnet its router connects", args: `{"name": "s", "network": "web", "subnet_range": "10.2.0.0/25"}`, ports: routerPorts,
			warns: []string{"10.2.0.0/25 overlaps subnet db-sub (10.2.0.0/24), which router r1 connects with this network: the router cannot take the new subnet as an interface"}},
		{name: "overlaps another network's subnet", args: `{"name": "s", "network": "web", "subnet_range": "10.2.0.0/16"}`,
			warns: []string{"10.2.0.0/16 overlaps subnet db-sub (10.2.0.0/24) of another network; no router can connect the two"}},
		{name: "gateway outside", args: `{"name": "s", "network": "web", "subnet_range": "10.1.1.0/24", "gateway": "10.1.2.1"}`,
			blocks: []string{"gateway 10.1.2.1 is outside 10.1.1.0/24; give an address inside it (for example 10.1.1.1), auto, or none"}},
		{name: "automatic gateway in a pool", args: `{"name": "s", "network": "web", "subnet_range": "10.1.1.0/24", "allocation_pools": ["10.1.1.1-10.1.1.9"]}`,
			blocks: []string{"the automatic gateway 10.1.1.1 lies inside the allocation pools"}},
		{name: "pools outside and overlapping", args: `{"name": "s", "network": "web", "subnet_range": "10.1.1.0/24", "gateway": "none", "allocation_pools": ["10.1.1.10-10.1.1.30", "10.1.1.20-10.1.1.40", "10.1.2.1-10.1.2.9"]}`,
			blocks: []string{"allocation pools 10.1.1.10-10.1.1.30 and 10.1.1.20-10.1.1.40 overlap", "allocation pool 10.1.2.1-10.1.2.9 is not inside 10.1.1.0/24"}},
		{name: "invalid range", args: `{"name": "s", "network": "web", "subnet_range": "10.1.1/24"}`,
			blocks: []string{`"10.1.1/24" is not a subnet range; write one like 10.0.0.0/24 or fd00:1::/64`}},
		{name: "version against the range", args: `{"name": "s", "network": "web", "subnet_range": "fd00:1::/64", "ip_version": 4}`,
			blocks: []string{"fd00:1::/64 is an IPv6 range but --ip-version is 4"}},
		{name: "IPv6 on a small MTU", args: `{"name": "s", "network": "db", "subnet_range": "fd00:1::/64"}`,
			blocks: []string{"network db has an MTU of 1200 and IPv6 needs 1280 or more; raise it first (/network set db --mtu 1280)"}},
		{name: "slaac off /64", args: `{"name": "s", "network": "web", "subnet_range": "fd00:1::/56", "ipv6_address_mode": "slaac"}`,
			blocks: []string{"slaac addressing needs a /64 range (EUI-64), and fd00:1::/56 is a /56"}},
		{name: "not the owner", args: `{"name": "s", "network": "web", "subnet_range": "10.1.1.0/24"}`, network: strings.Replace(webNet, `"project_id": "p1"`, `"project_id": "p9"`, 1),
			blocks: []string{"network web belongs to project p9, not yours; only its owner or an admin can add subnets to it, even when it is shared"}},
		{name: "network from an earlier step", args: `{"name": "s", "network": "${net.id}", "subnet_range": "10.1.0.0/24", "dhcp": false}`,
			warns: []string{"10.1.0.0/24 overlaps subnet web-sub (10.1.0.0/24) of another network"},
			infos: []string{"network ${net.id} comes from an earlier step", "without DHCP"}},
		{name: "quota full", args: `{"name": "s", "network": "web", "subnet_range": "10.1.1.0/24"}`, used: 10,
			blocks: []string{"the subnet quota is full (10 of 10)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := newNeutron(t)
			n.ports, n.used = tt.ports, tt.used
			if tt.network != "" {
				n.networks = []string{tt.network}
			}
			chk, err := toolstest.Tool(t, Tools(), "subnet.create").Check(cloud.WithReadOnly(t.Context()), n.fc.Env(), json.RawMessage(tt.args))
			if err != nil {
				t.Fatal(err)
			}
			assertTexts(t, "blocks", findings(chk, tools.Block), tt.blocks)
			assertTexts(t, "warnings", findings(chk, tools.Warn), tt.warns)
			if tt.infos != nil {
				assertTexts(t, "infos", findings(chk, tools.Info), tt.infos)
			}
			if tt.resolved != "" && string(chk.Resolved) != tt.resolved {
				t.Errorf("resolved = %s\nwant       %s", chk.Resolved, tt.resolved)
			}
		})
	}
}

func TestCreatePreviewRunUndo(t *testing.T) {
	fc := toolstest.New(t)
	const newID = "5b000000-0000-4000-8000-0000000000ff"
	want := `{"subnet":{"network_id":"` + webNetID + `","cidr":"10.1.1.0/24","name":"s","ip_version":4,"gateway_ip":null,
	 "enable_dhcp":false,"dns_nameservers":["1.1.1.1"],"allocation_pools":[{"start":"10.1.1.10","end":"10.1.1.20"}],
	 "host_routes":[{"destination":"192.168.0.0/16","nexthop":"10.1.1.254"}]}}`
	fc.HandleFunc("POST", toolstest.NetworkPrefix+"/subnets", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if diff := cmp.Diff(jsonOf(t, want), jsonOf(t, string(b))); diff != "" {
			t.Errorf("body (-want +got):\n%s", diff)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"subnet": {"id": %q, "name": "s", "cidr": "10.1.1.0/24", "gateway_ip": null}}`, newID)
	})
	tl := toolstest.Tool(t, Tools(), "subnet.create")
	args := json.RawMessage(`{"name": "s", "network": "` + webNetID + `", "subnet_range": "10.1.1.0/24", "ip_version": 4, "gateway": "none", "dhcp": false,
	 "dns_nameservers": ["1.1.1.1"], "allocation_pools": ["10.1.1.10-10.1.1.20"], "host_routes": ["destination=192.168.0.0/16,gateway=10.1.1.254"]}`)
	chk := &tools.Check{Targets: []tools.Target{{Kind: "network", ID: webNetID, Name: "web"}}}
	pv, err := tl.Preview(cloud.WithReadOnly(t.Context()), fc.Env(), args, chk)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(pv.Requests[0].Body)
	if diff := cmp.Diff(jsonOf(t, want), jsonOf(t, string(got))); diff != "" {
		t.Errorf("preview body (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"subnet s 10.1.1.0/24 on network web, no gateway"}, pv.Creates); diff != "" {
		t.Errorf("creates (-want +got):\n%s", diff)
	}
	res, err := tl.Run(t.Context(), fc.Env(), args)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]string{"id": newID, "name": "s", "cidr": "10.1.1.0/24"}, res.Outputs); diff != "" {
		t.Errorf("outputs (-want +got):\n%s", diff)
	}
	if undo := tl.Undo(args, res); undo == nil || undo.Tool != "subnet.delete" || string(undo.Args) != `{"subnet":"`+newID+`"}` {
		t.Errorf("undo = %+v", undo)
	}
}

func TestSetCheck(t *testing.T) {
	tests := []struct {
		name   string
		args   string
		ports  []string
		blocks []string
		warns  []string
	}{
		{name: "rename", args: `{"subnet": "web-sub", "name": "front"}`},
		{name: "nothing changes", args: `{"subnet": "web-sub", "dns_nameservers": ["8.8.8.8"]}`, warns: []string{"subnet web-sub already has these values; nothing changes"}},
		{name: "gateway under a router", args: `{"subnet": "web-sub", "gateway": "10.1.0.254", "clear_allocation_pools": true, "allocation_pools": ["10.1.0.2-10.1.0.200"]}`, ports: routerPorts,
			blocks: []string{"router r1 has its interface on the current gateway 10.1.0.1, and Neutron refuses to move the gateway under it; remove the interface (openstack router remove subnet r1 web-sub), change the gateway, then add it back"}},
		{name: "gateway on a taken address", args: `{"subnet": "web-sub", "gateway": "10.1.0.254", "clear_allocation_pools": true, "allocation_pools": ["10.1.0.2-10.1.0.200"]}`,
			ports:  []string{port("p-vm", "compute:nova", "vm1", webNetID, webSubID, "10.1.0.254")},
			blocks: []string{"port p-vm already holds 10.1.0.254; choose a free address for the gateway"}},
		{name: "gateway inside the pool", args: `{"subnet": "web-sub", "gateway": "10.1.0.50"}`,
			blocks: []string{"gateway 10.1.0.50 lies inside allocation pool 10.1.0.2-10.1.0.254"}},
		{name: "pool outside", args: `{"subnet": "web-sub", "clear_allocation_pools": true, "allocation_pools": ["10.9.0.2-10.9.0.9"]}`,
			blocks: []string{"allocation pool 10.9.0.2-10.9.0.9 is not inside 10.1.0.0/24"}},
		{name: "bad DNS server", args: `{"subnet": "web-sub", "dns_nameservers": ["dns.example"]}`, blocks: []string{`DNS server "dns.example" is not an IP address`}},
		{name: "DHCP off", args: `{"subnet": "web-sub", "dhcp": false}`, warns: []string{"without DHCP"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := newNeutron(t)
			n.ports = tt.ports
			chk, err := toolstest.Tool(t, Tools(), "subnet.set").Check(cloud.WithReadOnly(t.Context()), n.fc.Env(), json.RawMessage(tt.args))
			if err != nil {
				t.Fatal(err)
			}
			assertTexts(t, "blocks", findings(chk, tools.Block), tt.blocks)
			assertTexts(t, "warnings", findings(chk, tools.Warn), tt.warns)
		})
	}
}

func TestSetPreviewRunUndo(t *testing.T) {
	n := newNeutron(t)
	want := `{"subnet":{"name":"front","dns_nameservers":["8.8.8.8","1.1.1.1"],"allocation_pools":[],
	 "host_routes":[{"destination":"192.168.0.0/16","nexthop":"10.1.0.254"}],"gateway_ip":null}}`
	n.fc.HandleFunc("PUT", toolstest.NetworkPrefix+"/subnets/"+webSubID, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if diff := cmp.Diff(jsonOf(t, want), jsonOf(t, string(b))); diff != "" {
			t.Errorf("body (-want +got):\n%s", diff)
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"subnet": {"id": "`+webSubID+`", "name": "front"}}`)
	})
	n.fc.Handle("PUT", toolstest.NetworkPrefix+"/subnets/"+webSubID+"/tags", http.StatusOK, `{"tags": ["t"]}`)
	tl := toolstest.Tool(t, Tools(), "subnet.set")
	args := json.RawMessage(`{"subnet": "web-sub", "name": "front", "gateway": "none", "dns_nameservers": ["1.1.1.1"], "clear_allocation_pools": true,
	 "host_routes": ["destination=192.168.0.0/16,nexthop=10.1.0.254"], "tag": ["t"]}`)
	chk, err := tl.Check(cloud.WithReadOnly(t.Context()), n.fc.Env(), args)
	if err != nil {
		t.Fatal(err)
	}
	if chk.Blocked() {
		t.Fatalf("blocked: %q", findings(chk, tools.Block))
	}
	pv, err := tl.Preview(cloud.WithReadOnly(t.Context()), n.fc.Env(), chk.Resolved, chk)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(pv.Requests[0].Body)
	if diff := cmp.Diff(jsonOf(t, want), jsonOf(t, string(got))); diff != "" {
		t.Errorf("preview body (-want +got):\n%s", diff)
	}
	var fields []string
	for _, c := range pv.Changes {
		fields = append(fields, c.Field)
	}
	if diff := cmp.Diff([]string{"name", "gateway_ip", "dns_nameservers", "allocation_pools", "host_routes", "tags"}, fields); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
	res, err := tl.Run(t.Context(), n.fc.Env(), chk.Resolved)
	if err != nil {
		t.Fatal(err)
	}
	undo := tl.Undo(args, res)
	wantUndo := `{"subnet":"` + webSubID + `","name":"web-sub","gateway":"10.1.0.1","dns_nameservers":["8.8.8.8"],"clear_dns_nameservers":true,` +
		`"allocation_pools":["10.1.0.2-10.1.0.254"],"clear_allocation_pools":true,"clear_host_routes":true,"clear_tags":true}`
	if undo == nil || undo.Tool != "subnet.set" || string(undo.Args) != wantUndo {
		t.Errorf("undo = %+v\nwant %s", undo, wantUndo)
	}
}

func TestUnset(t *testing.T) {
	n := newNeutron(t)
	n.fc.HandleFunc("PUT", toolstest.NetworkPrefix+"/subnets/"+webSubID, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if diff := cmp.Diff(jsonOf(t, `{"subnet":{"dns_nameservers":[],"gateway_ip":null,"description":""}}`), jsonOf(t, string(b))); diff != "" {
			t.Errorf("body (-want +got):\n%s", diff)
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"subnet": {"id": "`+webSubID+`", "name": "web-sub"}}`)
	})
	tl := toolstest.Tool(t, Tools(), "subnet.unset")
	args := json.RawMessage(`{"subnet": "web-sub", "dns_nameservers": ["8.8.8.8", "9.9.9.9"], "gateway": true, "description": true}`)
	chk, err := tl.Check(cloud.WithReadOnly(t.Context()), n.fc.Env(), args)
	if err != nil {
		t.Fatal(err)
	}
	assertTexts(t, "infos", findings(chk, tools.Info), []string{"subnet web-sub has no DNS server 9.9.9.9"})
	assertTexts(t, "warnings", findings(chk, tools.Warn), []string{"without a gateway"})
	res, err := tl.Run(t.Context(), n.fc.Env(), chk.Resolved)
	if err != nil {
		t.Fatal(err)
	}
	undo := tl.Undo(args, res)
	want := `{"subnet":"` + webSubID + `","description":"front","gateway":"10.1.0.1","dns_nameservers":["8.8.8.8"],"clear_dns_nameservers":true}`
	if undo == nil || string(undo.Args) != want {
		t.Errorf("undo = %+v\nwant %s", undo, want)
	}
}

func TestDelete(t *testing.T) {
	slaac := strings.NewReplacer(`"cidr": "10.1.0.0/24", "ip_version": 4`, `"cidr": "fd00:1::/64", "ip_version": 6`, `"ipv6_address_mode": null`, `"ipv6_address_mode": "slaac"`).Replace(webSub)
	dhcp := port("p-dhcp", "network:dhcp", "d1", webNetID, webSubID, "10.1.0.2")
	vm := port("p-vm", "compute:nova", "vm1", webNetID, webSubID, "10.1.0.9")
	tests := []struct {
		name   string
		subnet string
		ports  []string
		blocks []string
		fates  []string
	}{
		{name: "only DHCP", ports: []string{dhcp}, fates: []string{"10.1.0.0/24, deleted", "holds 10.1.0.2 (Neutron's DHCP service), deleted with the subnet"}},
		{name: "in use", ports: []string{dhcp, routerPorts[0], vm},
			blocks: []string{
				"port p-vm is used by server vm1",
				"subnet web-sub is an interface of router r1; remove it first (openstack router remove subnet r1 " + webSubID + ")",
			},
			fates: []string{"10.1.0.0/24, deleted", "holds 10.1.0.2 (Neutron's DHCP service), deleted with the subnet",
				"holds 10.1.0.9 (server db-1 (vm1)): Neutron refuses the delete until it is freed", "holds 10.1.0.1 (router r1 as an interface): Neutron refuses the delete until it is freed"}},
		{name: "SLAAC addresses go by themselves", subnet: slaac, ports: []string{vm},
			fates: []string{"fd00:1::/64, deleted", "holds 10.1.0.9 (server db-1 (vm1)), which Neutron removes from the port"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := newNeutron(t)
			n.ports = tt.ports
			n.fc.Optional("GET", toolstest.ComputePrefix+"/servers", http.StatusOK, `{"servers": [{"id": "vm1", "name": "db-1"}]}`)
			if tt.subnet != "" {
				n.subnets = []string{tt.subnet}
			}
			tl := toolstest.Tool(t, Tools(), "subnet.delete")
			chk, err := tl.Check(cloud.WithReadOnly(t.Context()), n.fc.Env(), json.RawMessage(`{"subnet": "web-sub"}`))
			if err != nil {
				t.Fatal(err)
			}
			assertTexts(t, "blocks", findings(chk, tools.Block), tt.blocks)
			pv, err := tl.Preview(cloud.WithReadOnly(t.Context()), n.fc.Env(), chk.Resolved, chk)
			if err != nil {
				t.Fatal(err)
			}
			var fates []string
			for _, d := range pv.Deletes {
				fates = append(fates, d.Fate)
			}
			if diff := cmp.Diff(tt.fates, fates); diff != "" {
				t.Errorf("fates (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDeleteRunConflict(t *testing.T) {
	n := newNeutron(t)
	n.fc.Handle("DELETE", toolstest.NetworkPrefix+"/subnets/"+webSubID, http.StatusConflict, `{"NeutronError": {"type": "SubnetInUse"}}`)
	_, err := toolstest.Tool(t, Tools(), "subnet.delete").Run(t.Context(), n.fc.Env(), json.RawMessage(`{"subnet": "`+webSubID+`"}`))
	if err == nil || !strings.Contains(err.Error(), "delete subnet web-sub") || !strings.Contains(err.Error(), "run /subnet delete again") {
		t.Errorf("err = %v", err)
	}
}
