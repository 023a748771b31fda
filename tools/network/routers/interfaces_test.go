package routers

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/internal/cloud"
	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/toolstest"
)

func TestAddSubnetCheck(t *testing.T) {
	// r2's interface on db; a server port that took wide's gateway IP.
	r2OnDB := `{"id": "4d000000-0000-4000-8000-000000000009", "name": "", "device_id": "` + r2ID + `", "device_owner": "network:router_interface",
	 "fixed_ips": [{"subnet_id": "` + dbID + `", "ip_address": "10.0.1.1"}]}`
	squatter := `{"id": "4d000000-0000-4000-8000-000000000008", "name": "squat", "device_id": "` + serverID + `", "device_owner": "compute:nova",
	 "fixed_ips": [{"subnet_id": "` + wideID + `", "ip_address": "10.0.0.1"}]}`
	noGateway := `{"id": "3c000000-0000-4000-8000-000000000004", "name": "flat", "network_id": "` + privateID + `", "cidr": "10.9.0.0/24", "ip_version": 4, "gateway_ip": null}`
	tests := []struct {
		name   string
		router string
		subnet string
		info   []string
		block  []string
	}{
		{name: "free subnet", router: "r1", subnet: "db",
			info: []string{"router r1 gets an interface on subnet db (10.0.1.0/24) at its gateway IP 10.0.1.1"}},
		{name: "already on this router", router: "r1", subnet: "app",
			block: []string{"subnet app is already attached to router r1 (interface 10.0.0.1, " + ifacePort + "); nothing to add"}},
		{name: "on another router", router: "r1", subnet: "db", // r2 holds db below
			block: []string{"subnet db is already attached to router r2 (interface 10.0.1.1), and an interface added by subnet takes the gateway IP, which that one holds: remove it there first (/router remove subnet r2 db), or give router r1 its own address on the subnet with a port (/router add port r1 PORT)"}},
		{name: "gateway IP taken and overlapping", router: "r1", subnet: "wide",
			block: []string{
				"the gateway IP 10.0.0.1 of subnet wide is taken by port 4d000000-0000-4000-8000-000000000008 (squat), and an interface added by subnet needs it",
				"subnet wide (10.0.0.0/16) overlaps subnet app (10.0.0.0/24), already attached to router r1; a router cannot route two overlapping ranges",
			}},
		{name: "no gateway IP", router: "r2", subnet: "flat",
			block: []string{"subnet flat has no gateway IP, and an interface added by subnet takes it: give the subnet one (openstack subnet set --gateway IP 3c000000-0000-4000-8000-000000000004), or add a port on it with /router add port r2 PORT"}},
		{name: "overlapping the gateway's subnet", router: "r1", subnet: "pub-like",
			block: []string{"subnet pub-like (203.0.113.128/25) overlaps subnet public-subnet (203.0.113.0/24), the subnet of router r1's external gateway"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := toolstest.New(t)
			serveList(t, fc, "/routers", "routers", r1JSON, r2JSON)
			serveList(t, fc, "/subnets", "subnets", appJSON, dbJSON, wideJSON, noGateway,
				`{"id": "3c000000-0000-4000-8000-000000000005", "name": "pub-like", "network_id": "`+privateID+`", "cidr": "203.0.113.128/25", "ip_version": 4, "gateway_ip": "203.0.113.129"}`)
			stubSubnets(fc)
			ports := []string{ifaceJSON, vmJSON, squatter}
			if tt.name == "on another router" {
				ports = append(ports, r2OnDB)
				fc.Handle("GET", toolstest.NetworkPrefix+"/routers/"+r2ID, http.StatusOK, `{"router": `+r2JSON+`}`)
			}
			serveList(t, fc, "/ports", "ports", ports...)
			tl := toolstest.Tool(t, Tools(), "router.add.subnet")
			ctx := cloud.WithReadOnly(t.Context())
			args := json.RawMessage(`{"router": "` + tt.router + `", "subnet": "` + tt.subnet + `"}`)
			chk, err := tl.Check(ctx, fc.Env(), args)
			if err != nil {
				t.Fatal(err)
			}
			wantFinding(t, chk, tools.Info, tt.info...)
			wantFinding(t, chk, tools.Block, tt.block...)
			if chk.Blocked() {
				return
			}
			pv, err := tl.Preview(ctx, fc.Env(), chk.Resolved, chk)
			if err != nil {
				t.Fatal(err)
			}
			want := []tools.Request{{Method: "PUT", URL: fc.Server.URL + toolstest.NetworkPrefix + "/routers/" + r1ID + "/add_router_interface",
				Body: map[string]any{"subnet_id": dbID}}}
			if diff := cmp.Diff(want, pv.Requests); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{"interface of router r1 on subnet db (10.0.1.0/24) at 10.0.1.1: a new port on the subnet's network"}, pv.Creates); diff != "" {
				t.Errorf("creates (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAddSubnetRunUndo(t *testing.T) {
	fc := toolstest.New(t)
	fc.HandleFunc("PUT", toolstest.NetworkPrefix+"/routers/"+r1ID+"/add_router_interface", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if string(b) != `{"subnet_id":"`+dbID+`"}` {
			t.Errorf("body = %s", b)
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"subnet_id": "` + dbID + `", "port_id": "` + freePort + `", "id": "` + r1ID + `"}`))
	})
	fc.Handle("GET", toolstest.NetworkPrefix+"/routers/"+r1ID, http.StatusOK, `{"router": `+r1JSON+`}`)
	stubSubnets(fc)
	tl := toolstest.Tool(t, Tools(), "router.add.subnet")
	args := json.RawMessage(`{"router": "` + r1ID + `", "subnet": "` + dbID + `"}`)
	res, err := tl.Run(t.Context(), fc.Env(), args)
	if err != nil {
		t.Fatal(err)
	}
	if res.Message != "router r1 has an interface on subnet db now (port "+freePort+")" {
		t.Errorf("message = %q", res.Message)
	}
	if diff := cmp.Diff(map[string]string{"router": r1ID, "subnet": dbID, "port": freePort}, res.Outputs); diff != "" {
		t.Errorf("outputs (-want +got):\n%s", diff)
	}
	undo := tl.Undo(args, res)
	if undo == nil || undo.Tool != "router.remove.subnet" || string(undo.Args) != `{"router":"`+r1ID+`","subnet":"`+dbID+`"}` {
		t.Errorf("undo = %+v", undo)
	}
}

func TestRemoveSubnetCheck(t *testing.T) {
	routed := strings.Replace(r1JSON, `"routes": []`, `"routes": [{"destination": "192.168.0.0/16", "nexthop": "10.0.0.254"}]`, 1)
	elsewhere := `{"id": "4d000000-0000-4000-8000-000000000007", "name": "", "device_id": "` + r1ID + `", "device_owner": "network:router_interface",
	 "fixed_ips": [{"subnet_id": "` + dbID + `", "ip_address": "10.0.1.9"}]}`
	tests := []struct {
		name    string
		router  string // r1's JSON
		subnet  string
		fips    []string
		ports   []string
		info    []string
		warn    []string
		block   []string
		deletes []tools.Dependent
	}{
		{name: "attached", router: r1JSON, subnet: "app", ports: []string{ifaceJSON},
			info:    []string{"servers on subnet app lose their route through router r1"},
			deletes: []tools.Dependent{{Kind: "port", ID: ifacePort, Fate: "interface of router r1 on subnet app (10.0.0.1): deleted"}}},
		{name: "not attached", router: r1JSON, subnet: "db", ports: []string{ifaceJSON},
			block: []string{"router r1 has no interface on subnet db; it has interfaces on app"}},
		{name: "a floating IP needs it", router: r1JSON, subnet: "app", ports: []string{ifaceJSON}, fips: []string{fipJSON},
			block: []string{"floating IP 203.0.113.20 (→ 10.0.0.5 on server web-1) is routed through router r1, and Neutron refuses to remove the interface while it is associated: disassociate it first (/server remove floating-ip web-1 203.0.113.20)"}},
		{name: "a route needs it", router: routed, subnet: "app", ports: []string{ifaceJSON},
			block: []string{"static route 192.168.0.0/16 via 10.0.0.254 goes through this interface, and Neutron refuses to remove an interface a route needs: remove the route first (openstack router remove route --route destination=192.168.0.0/16,gateway=10.0.0.254 " + r1ID + ")"}},
		{name: "added as a port", router: r1JSON, subnet: "db", ports: []string{ifaceJSON, elsewhere},
			info:    []string{"servers on subnet db lose their route through router r1"},
			warn:    []string{"the interface on subnet db is port 4d000000-0000-4000-8000-000000000007 at 10.0.1.9, not at the gateway IP: Neutron deletes that port, and an undo attaches the subnet at its gateway IP instead"},
			deletes: []tools.Dependent{{Kind: "port", ID: "4d000000-0000-4000-8000-000000000007", Fate: "interface of router r1 on subnet db (10.0.1.9): deleted"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := toolstest.New(t)
			serveList(t, fc, "/routers", "routers", tt.router, r2JSON)
			serveList(t, fc, "/subnets", "subnets", appJSON, dbJSON)
			stubSubnets(fc)
			serveList(t, fc, "/ports", "ports", tt.ports...)
			if len(tt.block) == 0 || tt.fips != nil || strings.Contains(tt.block[0], "static route") {
				serveList(t, fc, "/floatingips", "floatingips", tt.fips...)
			}
			if tt.fips != nil {
				stubServers(fc)
			}
			tl := toolstest.Tool(t, Tools(), "router.remove.subnet")
			ctx := cloud.WithReadOnly(t.Context())
			chk, err := tl.Check(ctx, fc.Env(), json.RawMessage(`{"router": "r1", "subnet": "`+tt.subnet+`"}`))
			if err != nil {
				t.Fatal(err)
			}
			wantFinding(t, chk, tools.Info, tt.info...)
			wantFinding(t, chk, tools.Warn, tt.warn...)
			wantFinding(t, chk, tools.Block, tt.block...)
			if chk.Blocked() {
				return
			}
			pv, err := tl.Preview(ctx, fc.Env(), chk.Resolved, chk)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.deletes, pv.Deletes); diff != "" {
				t.Errorf("deletes (-want +got):\n%s", diff)
			}
			if len(pv.Requests) != 1 || !strings.HasSuffix(pv.Requests[0].URL, "/routers/"+r1ID+"/remove_router_interface") {
				t.Errorf("requests = %+v", pv.Requests)
			}
		})
	}
}

func TestAddPortCheck(t *testing.T) {
	noIP := `{"id": "4d000000-0000-4000-8000-000000000006", "name": "bare", "device_id": "", "device_owner": "", "fixed_ips": []}`
	twoV4 := `{"id": "4d000000-0000-4000-8000-000000000005", "name": "twin", "device_id": "", "device_owner": "",
	 "fixed_ips": [{"subnet_id": "` + dbID + `", "ip_address": "10.0.1.5"}, {"subnet_id": "` + dbID + `", "ip_address": "10.0.1.6"}]}`
	onApp := `{"id": "4d000000-0000-4000-8000-000000000004", "name": "second", "device_id": "", "device_owner": "",
	 "fixed_ips": [{"subnet_id": "` + appID + `", "ip_address": "10.0.0.9"}]}`
	tests := []struct {
		name  string
		port  string
		info  []string
		block []string
	}{
		{name: "a free port", port: "spare",
			info: []string{"router r1 gets an interface at 10.0.1.50 through port " + freePort + " (spare)"}},
		{name: "a server's port", port: vmPort,
			block: []string{"port " + vmPort + " cannot become an interface of router r1 while it is in use: port " + vmPort + " is used by server " + serverID}},
		{name: "already an interface", port: ifacePort,
			block: []string{"port " + ifacePort + " is already an interface of router r1; nothing to add"}},
		{name: "no address", port: "bare",
			block: []string{"port 4d000000-0000-4000-8000-000000000006 (bare) has no fixed IP, and a router interface needs an address"}},
		{name: "two IPv4 addresses", port: "twin",
			block: []string{"port 4d000000-0000-4000-8000-000000000005 (twin) has 2 IPv4 addresses (10.0.1.5, 10.0.1.6), and Neutron takes a router port with one IPv4 address only"}},
		{name: "a subnet the router is on", port: "second",
			block: []string{"router r1 already has an interface on subnet app (10.0.0.1), and Neutron refuses a second one on the same subnet"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := toolstest.New(t)
			serveList(t, fc, "/routers", "routers", r1JSON, r2JSON)
			stubSubnets(fc)
			all := []string{ifaceJSON, freeJSON, vmJSON, noIP, twoV4, onApp}
			for _, p := range all {
				var id struct {
					ID string `json:"id"`
				}
				_ = json.Unmarshal([]byte(p), &id)
				fc.Optional("GET", toolstest.NetworkPrefix+"/ports/"+id.ID, http.StatusOK, `{"port": `+p+`}`)
			}
			// A port named by ID that is refused at once needs no list.
			if !tools.IsUUID(tt.port) {
				serveList(t, fc, "/ports", "ports", all...)
			}
			tl := toolstest.Tool(t, Tools(), "router.add.port")
			ctx := cloud.WithReadOnly(t.Context())
			chk, err := tl.Check(ctx, fc.Env(), json.RawMessage(`{"router": "r1", "port": "`+tt.port+`"}`))
			if err != nil {
				t.Fatal(err)
			}
			wantFinding(t, chk, tools.Info, tt.info...)
			wantFinding(t, chk, tools.Block, tt.block...)
			if chk.Blocked() {
				return
			}
			pv, err := tl.Preview(ctx, fc.Env(), chk.Resolved, chk)
			if err != nil {
				t.Fatal(err)
			}
			want := []tools.Request{{Method: "PUT", URL: fc.Server.URL + toolstest.NetworkPrefix + "/routers/" + r1ID + "/add_router_interface",
				Body: map[string]any{"port_id": freePort}}}
			if diff := cmp.Diff(want, pv.Requests); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRemovePortCheck(t *testing.T) {
	gwPort := `{"id": "4d000000-0000-4000-8000-00000000000a", "name": "", "device_id": "` + r1ID + `", "device_owner": "network:router_gateway",
	 "fixed_ips": [{"subnet_id": "` + pubSubID + `", "ip_address": "203.0.113.7"}]}`
	tests := []struct {
		name  string
		port  string
		warn  []string
		block []string
	}{
		{name: "an interface", port: ifacePort,
			warn: []string{"Neutron deletes port " + ifacePort + " (10.0.0.1) with the interface"}},
		{name: "the gateway", port: "4d000000-0000-4000-8000-00000000000a",
			block: []string{"port 4d000000-0000-4000-8000-00000000000a is router r1's external gateway, not an interface: take it off with /router unset r1 --external-gateway"}},
		{name: "not this router's", port: freePort,
			block: []string{"port " + freePort + " (spare) is not an interface of router r1; router r1: it has interfaces on app"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := toolstest.New(t)
			serveList(t, fc, "/routers", "routers", r1JSON)
			stubSubnets(fc)
			for id, p := range map[string]string{ifacePort: ifaceJSON, freePort: freeJSON, "4d000000-0000-4000-8000-00000000000a": gwPort} {
				fc.Optional("GET", toolstest.NetworkPrefix+"/ports/"+id, http.StatusOK, `{"port": `+p+`}`)
			}
			if tt.port == freePort {
				// Only a refusal lists the router's interfaces.
				serveList(t, fc, "/ports", "ports", ifaceJSON, freeJSON, gwPort)
			}
			if len(tt.block) == 0 {
				serveList(t, fc, "/floatingips", "floatingips")
			}
			chk, err := toolstest.Tool(t, Tools(), "router.remove.port").Check(cloud.WithReadOnly(t.Context()), fc.Env(), json.RawMessage(`{"router": "r1", "port": "`+tt.port+`"}`))
			if err != nil {
				t.Fatal(err)
			}
			wantFinding(t, chk, tools.Warn, tt.warn...)
			wantFinding(t, chk, tools.Block, tt.block...)
		})
	}
}

func TestRemovePortRunUndo(t *testing.T) {
	tests := []struct {
		name     string
		port     string
		portID   string
		undoArgs string // "" for no undo
	}{
		{name: "at the gateway IP", port: ifaceJSON, portID: ifacePort, undoArgs: `{"router":"` + r1ID + `","subnet":"` + appID + `"}`},
		{name: "elsewhere", port: freeJSON, portID: freePort},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := toolstest.New(t)
			fc.Handle("GET", toolstest.NetworkPrefix+"/ports/"+tt.portID, http.StatusOK, `{"port": `+tt.port+`}`)
			fc.Handle("GET", toolstest.NetworkPrefix+"/routers/"+r1ID, http.StatusOK, `{"router": `+r1JSON+`}`)
			stubSubnets(fc)
			fc.HandleFunc("PUT", toolstest.NetworkPrefix+"/routers/"+r1ID+"/remove_router_interface", func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				if string(b) != `{"port_id":"`+tt.portID+`"}` {
					t.Errorf("body = %s", b)
				}
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(`{"port_id": "` + tt.portID + `", "id": "` + r1ID + `"}`))
			})
			tl := toolstest.Tool(t, Tools(), "router.remove.port")
			args := json.RawMessage(`{"router": "` + r1ID + `", "port": "` + tt.portID + `"}`)
			res, err := tl.Run(t.Context(), fc.Env(), args)
			if err != nil {
				t.Fatal(err)
			}
			if res.Message != "router r1 has no interface through port "+tt.portID+" any more; Neutron deleted the port" {
				t.Errorf("message = %q", res.Message)
			}
			undo := tl.Undo(args, res)
			switch {
			case tt.undoArgs == "" && undo != nil:
				t.Errorf("undo = %+v, want none (the port is gone)", undo)
			case tt.undoArgs != "" && (undo == nil || undo.Tool != "router.add.subnet" || string(undo.Args) != tt.undoArgs):
				t.Errorf("undo = %+v, want router.add.subnet %s", undo, tt.undoArgs)
			}
		})
	}
}

func TestAddPortRunUndo(t *testing.T) {
	fc := toolstest.New(t)
	fc.Handle("PUT", toolstest.NetworkPrefix+"/routers/"+r1ID+"/add_router_interface", http.StatusOK,
		`{"subnet_id": "`+dbID+`", "port_id": "`+freePort+`", "id": "`+r1ID+`"}`)
	fc.Handle("GET", toolstest.NetworkPrefix+"/routers/"+r1ID, http.StatusOK, `{"router": `+r1JSON+`}`)
	stubSubnets(fc)
	tl := toolstest.Tool(t, Tools(), "router.add.port")
	args := json.RawMessage(`{"router": "` + r1ID + `", "port": "` + freePort + `"}`)
	res, err := tl.Run(t.Context(), fc.Env(), args)
	if err != nil {
		t.Fatal(err)
	}
	if res.Message != "router r1 has an interface through port "+freePort+" now (subnet db)" {
		t.Errorf("message = %q", res.Message)
	}
	undo := tl.Undo(args, res)
	if undo == nil || undo.Tool != "router.remove.port" || !strings.Contains(undo.Why, "Neutron deletes the port") {
		t.Errorf("undo = %+v", undo)
	}
}

// A subnet or port from an earlier step is not looked up: the router is,
// and the note says the rest waits.
func TestEarlierStepMember(t *testing.T) {
	fc := toolstest.New(t)
	serveList(t, fc, "/routers", "routers", r1JSON)
	ctx := cloud.WithReadOnly(t.Context())
	for _, tc := range []struct{ tool, args, note string }{
		{"router.add.subnet", `{"router": "r1", "subnet": "${s.id}"}`, "subnet ${s.id} comes from an earlier step"},
		{"router.remove.subnet", `{"router": "r1", "subnet": "${s.id}"}`, "subnet ${s.id} comes from an earlier step"},
		{"router.add.port", `{"router": "r1", "port": "${p.id}"}`, "port ${p.id} comes from an earlier step"},
		{"router.remove.port", `{"router": "r1", "port": "${p.id}"}`, "port ${p.id} comes from an earlier step"},
	} {
		chk, err := toolstest.Tool(t, Tools(), tc.tool).Check(ctx, fc.Env(), json.RawMessage(tc.args))
		if err != nil {
			t.Fatalf("%s: %v", tc.tool, err)
		}
		wantFinding(t, chk, tools.Info, tc.note)
		if !strings.Contains(string(chk.Resolved), r1ID) {
			t.Errorf("%s: resolved = %s", tc.tool, chk.Resolved)
		}
	}
}
