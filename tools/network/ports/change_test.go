package ports

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

func TestCreateCheck(t *testing.T) {
	tests := []struct {
		name     string
		args     string
		quota    [2]int
		block    string
		warn     string
		resolved string
	}{
		{name: "address from the network's subnet",
			args:     `{"name": "vip", "network": "app", "fixed_ips": ["subnet=app-sub,ip-address=10.0.0.50"], "security_groups": ["web"]}`,
			quota:    [2]int{3, 10},
			resolved: `{"name":"vip","network":"` + netID + `","fixed_ips":[{"subnet":"` + subID + `","ip_address":"10.0.0.50"}],"security_groups":["` + webSG + `"]}`},
		{name: "the subnet found from the address, as an object",
			args:     `{"network": "app", "fixed_ips": [{"ip_address": "10.0.0.50"}]}`,
			quota:    [2]int{3, 10},
			resolved: `{"network":"` + netID + `","fixed_ips":[{"subnet":"` + subID + `","ip_address":"10.0.0.50"}]}`},
		{name: "address outside the subnet", args: `{"network": "app", "fixed_ips": ["subnet=app-sub,ip-address=10.1.0.5"]}`, quota: [2]int{3, 10},
			block: "10.1.0.5 is outside subnet app-sub (10.0.0.0/24); choose an address in 10.0.0.0/24 (its allocation pool is 10.0.0.2-10.0.0.254)"},
		{name: "address in no subnet", args: `{"network": "app", "fixed_ips": ["ip-address=192.168.1.1"]}`, quota: [2]int{3, 10},
			block: "no subnet of network app contains 192.168.1.1; its subnets are app-sub (10.0.0.0/24)"},
		{name: "address in use", args: `{"network": "app", "fixed_ips": ["ip-address=10.0.0.5"]}`, quota: [2]int{3, 10},
			block: "10.0.0.5 is already used by port " + usedID + " (web-port) of server web-1; choose another address, or give --fixed-ip subnet=app-sub alone"},
		{name: "subnet of another network", args: `{"network": "app", "fixed_ips": ["subnet=db-sub,ip-address=10.9.0.5"]}`, quota: [2]int{3, 10},
			block: "subnet db-sub (10.9.0.0/24) is on network db, not on app; a port on app takes an address from app-sub (10.0.0.0/24)"},
		{name: "a spec the CLI would not take", args: `{"network": "app", "fixed_ips": ["10.0.0.9"]}`, quota: [2]int{3, 10},
			block: `--fixed-ip takes subnet=SUBNET,ip-address=IP_ADDRESS (comma-separated), not "10.0.0.9"`},
		{name: "gateway address", args: `{"network": "app", "fixed_ips": ["ip-address=10.0.0.1"]}`, quota: [2]int{3, 10},
			warn: "10.0.0.1 is the gateway address of subnet app-sub"},
		{name: "security groups without port security", args: `{"network": "app", "security_groups": ["web"], "port_security_enabled": false}`, quota: [2]int{3, 10},
			block: "a port with port security disabled cannot have security groups"},
		{name: "pairs without port security", args: `{"network": "app", "allowed_address_pairs": ["ip-address=10.0.0.99"], "port_security_enabled": false, "no_security_group": true}`, quota: [2]int{3, 10},
			block: "allowed address pairs need port security"},
		{name: "a bad pair", args: `{"network": "app", "allowed_address_pairs": ["ip-address=vip"]}`, quota: [2]int{3, 10},
			block: "vip is neither an IP address nor a CIDR"},
		{name: "MAC in use", args: `{"network": "app", "mac_address": "FA:16:3E:00:00:05"}`, quota: [2]int{3, 10},
			block: "MAC address fa:16:3e:00:00:05 is already used on network app by port " + usedID},
		{name: "name taken", args: `{"name": "web-port", "network": "app"}`, quota: [2]int{3, 10},
			warn: "1 port(s) named web-port exist already"},
		{name: "quota full", args: `{"network": "app"}`, quota: [2]int{10, 10},
			block: "the port quota is full (10 of 10); delete a port you no longer need"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := toolstest.New(t)
			stubNetwork(fc)
			stubPorts(fc)
			stubServers(fc)
			fc.Optional("GET", toolstest.NetworkPrefix+"/security-groups", http.StatusOK, `{"security_groups": [{"id": "`+webSG+`", "name": "web"}]}`)
			stubQuota(fc, "port", tt.quota[0], tt.quota[1])
			chk, err := toolstest.Tool(t, Tools(), "port.create").Check(cloud.WithReadOnly(t.Context()), fc.Env(), json.RawMessage(tt.args))
			if err != nil {
				t.Fatal(err)
			}
			wantFinding(t, chk, tools.Block, tt.block)
			wantFinding(t, chk, tools.Warn, tt.warn)
			if tt.resolved != "" && string(chk.Resolved) != tt.resolved {
				t.Errorf("resolved = %s\nwant       %s", chk.Resolved, tt.resolved)
			}
			if diff := cmp.Diff([]tools.QuotaUse{{Service: "network", Resource: "port", InUse: tt.quota[0], Limit: tt.quota[1], Delta: 1}}, chk.Quota); diff != "" {
				t.Errorf("quota (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCreatePreviewRunUndo(t *testing.T) {
	fc := toolstest.New(t)
	const wantBody = `{"port":{"allowed_address_pairs":[{"ip_address":"10.0.0.99"}],"fixed_ips":[{"ip_address":"10.0.0.50","subnet_id":"` + subID + `"}],"name":"vip","network_id":"` + netID + `","port_security_enabled":true,"security_groups":[]}}`
	fc.HandleFunc("POST", toolstest.NetworkPrefix+"/ports", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if string(b) != wantBody {
			t.Errorf("body = %s\nwant   %s", b, wantBody)
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Openstack-Request-Id", "req-port")
		w.WriteHeader(http.StatusCreated)
		fmt.Fprint(w, `{"port": {"id": "`+portID+`", "name": "vip", "network_id": "`+netID+`", "fixed_ips": [{"subnet_id": "`+subID+`", "ip_address": "10.0.0.50"}]}}`)
	})
	fc.Handle("GET", toolstest.NetworkPrefix+"/networks/"+netID, http.StatusOK, `{"network": `+appNet+`}`)
	tl := toolstest.Tool(t, Tools(), "port.create")
	args := json.RawMessage(`{"name":"vip","network":"` + netID + `","fixed_ips":[{"subnet":"` + subID + `","ip_address":"10.0.0.50"}],"no_security_group":true,"port_security_enabled":true,"allowed_address_pairs":[{"ip_address":"10.0.0.99"}]}`)
	chk := &tools.Check{Targets: []tools.Target{{Kind: "port", Name: "vip"}, {Kind: "network", ID: netID, Name: "app"}}, Resolved: args}
	pv, err := tl.Preview(cloud.WithReadOnly(t.Context()), fc.Env(), args, chk)
	if err != nil {
		t.Fatal(err)
	}
	var want any
	_ = json.Unmarshal([]byte(wantBody), &want)
	if diff := cmp.Diff([]tools.Request{{Method: "POST", URL: fc.Server.URL + toolstest.NetworkPrefix + "/ports", Body: want}}, pv.Requests); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"port vip on network app with 10.0.0.50"}, pv.Creates); diff != "" {
		t.Errorf("creates (-want +got):\n%s", diff)
	}
	res, err := tl.Run(t.Context(), fc.Env(), args)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]string{"id": portID, "name": "vip"}, res.Outputs); diff != "" {
		t.Errorf("outputs (-want +got):\n%s", diff)
	}
	if res.Message != "port vip created on network app with 10.0.0.50" || res.RequestIDs[0] != "req-port" {
		t.Errorf("result = %+v", res)
	}
	undo := tl.Undo(args, res)
	if undo == nil || undo.Tool != "port.delete" || string(undo.Args) != `{"port":"`+portID+`"}` {
		t.Errorf("undo = %+v", undo)
	}
}

// portJSON is port "vip" with the given extra fields.
func portJSON(extra string) string {
	return `{"id": "` + portID + `", "name": "vip", "network_id": "` + netID + `", "mac_address": "fa:16:3e:00:00:09", "admin_state_up": true,
	 "fixed_ips": [{"subnet_id": "` + subID + `", "ip_address": "10.0.0.50"}]` + extra + `}`
}

func TestSetAndUnset(t *testing.T) {
	secured := `, "port_security_enabled": true, "security_groups": ["` + defSG + `"], "allowed_address_pairs": [{"ip_address": "10.0.0.99", "mac_address": "fa:16:3e:00:00:09"}]`
	tests := []struct {
		name     string
		tool     string
		port     string // extra fields of the port
		args     string
		block    string
		warn     string
		body     string // the PUT's body, when the step may run
		previous string
	}{
		{name: "disable port security with groups left", tool: "port.set", port: secured,
			args:  `{"port": "vip", "port_security_enabled": false}`,
			block: "port vip still has security group(s) " + defSG + ", and Neutron refuses to disable port security on a port that has any; remove them in the same step: /port set vip --disable-port-security --no-security-group"},
		{name: "disable port security, groups and pairs cleared", tool: "port.set", port: secured,
			args:     `{"port": "vip", "port_security_enabled": false, "no_security_group": true, "no_allowed_address_pairs": true}`,
			body:     `{"port":{"allowed_address_pairs":[],"port_security_enabled":false,"security_groups":[]}}`,
			previous: `{"port":"` + portID + `","security_groups":["` + defSG + `"],"no_security_group":true,"port_security_enabled":true,"allowed_address_pairs":[{"ip_address":"10.0.0.99","mac_address":"fa:16:3e:00:00:09"}],"no_allowed_address_pairs":true}`},
		{name: "groups need port security", tool: "port.set", port: `, "port_security_enabled": false, "security_groups": []`,
			args:  `{"port": "vip", "security_groups": ["web"]}`,
			block: "security groups need port security, which port vip would have off; add --enable-port-security"},
		{name: "add a group, a pair and an address", tool: "port.set", port: secured,
			args:     `{"port": "vip", "security_groups": ["web"], "allowed_address_pairs": ["ip-address=10.0.0.0/28"], "fixed_ips": ["ip-address=10.0.0.51"], "name": "vip2"}`,
			body:     `{"port":{"allowed_address_pairs":[{"ip_address":"10.0.0.99","mac_address":"fa:16:3e:00:00:09"},{"ip_address":"10.0.0.0/28"}],"fixed_ips":[{"ip_address":"10.0.0.50","subnet_id":"` + subID + `"},{"ip_address":"10.0.0.51","subnet_id":"` + subID + `"}],"name":"vip2","security_groups":["` + defSG + `","` + webSG + `"]}}`,
			previous: `{"port":"` + portID + `","name":"vip","security_groups":["` + defSG + `"],"no_security_group":true,"allowed_address_pairs":[{"ip_address":"10.0.0.99","mac_address":"fa:16:3e:00:00:09"}],"no_allowed_address_pairs":true,"fixed_ips":[{"subnet":"` + subID + `","ip_address":"10.0.0.50"}],"no_fixed_ip":true}`},
		{name: "an address another port has", tool: "port.set", port: secured,
			args:  `{"port": "vip", "fixed_ips": ["ip-address=10.0.0.5"]}`,
			block: "10.0.0.5 is already used by port " + usedID},
		{name: "nothing to change", tool: "port.set", port: secured,
			args: `{"port": "vip", "name": "vip"}`, warn: "nothing changes: port vip already is as asked", body: `{"port":{}}`},
		{name: "unset a group and a pair", tool: "port.unset", port: secured,
			args:     `{"port": "vip", "security_groups": ["default"], "allowed_address_pairs": ["ip-address=10.0.0.99"]}`,
			body:     `{"port":{"allowed_address_pairs":[],"security_groups":[]}}`,
			previous: `{"port":"` + portID + `","security_groups":["` + defSG + `"],"no_security_group":true,"allowed_address_pairs":[{"ip_address":"10.0.0.99","mac_address":"fa:16:3e:00:00:09"}],"no_allowed_address_pairs":true}`},
		{name: "unset what is not there", tool: "port.unset", port: secured,
			args: `{"port": "vip", "security_groups": ["web"], "fixed_ips": ["ip-address=10.0.0.77"]}`,
			warn: "security group web is not on port vip\nport vip has no fixed IP ip-address=10.0.0.77", body: `{"port":{}}`},
		{name: "unset the subnet's addresses", tool: "port.unset", port: secured,
			args:     `{"port": "vip", "fixed_ips": ["subnet=app-sub"]}`,
			body:     `{"port":{"fixed_ips":[]}}`,
			previous: `{"port":"` + portID + `","fixed_ips":[{"subnet":"` + subID + `","ip_address":"10.0.0.50"}],"no_fixed_ip":true}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := toolstest.New(t)
			port := `{"port": ` + portJSON(tt.port) + `}`
			fc.Optional("GET", toolstest.NetworkPrefix+"/ports/"+portID, http.StatusOK, port)
			fc.HandleFunc("GET", toolstest.NetworkPrefix+"/ports", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				q := r.URL.Query()
				switch {
				case q.Get("name") == "vip":
					fmt.Fprint(w, `{"ports": [`+portJSON(tt.port)+`]}`)
				case len(q["fixed_ips"]) > 0 && q["fixed_ips"][0] == "ip_address=10.0.0.5":
					fmt.Fprint(w, `{"ports": [`+usedPort+`]}`)
				default:
					fmt.Fprint(w, `{"ports": []}`)
				}
			})
			stubNetwork(fc)
			stubGroups(fc)
			stubServers(fc)
			if tt.body != "" {
				fc.HandleFunc("PUT", toolstest.NetworkPrefix+"/ports/"+portID, func(w http.ResponseWriter, r *http.Request) {
					b, _ := io.ReadAll(r.Body)
					if string(b) != tt.body {
						t.Errorf("PUT body = %s\nwant       %s", b, tt.body)
					}
					w.Header().Set("Content-Type", "application/json")
					fmt.Fprint(w, port)
				})
			}
			tl := toolstest.Tool(t, Tools(), tt.tool)
			env := fc.Env()
			chk, err := tl.Check(cloud.WithReadOnly(t.Context()), env, json.RawMessage(tt.args))
			if err != nil {
				t.Fatal(err)
			}
			wantFinding(t, chk, tools.Block, tt.block)
			wantFinding(t, chk, tools.Warn, tt.warn)
			if tt.body == "" {
				return
			}
			pv, err := tl.Preview(cloud.WithReadOnly(t.Context()), env, chk.Resolved, chk)
			if err != nil {
				t.Fatal(err)
			}
			var want any
			_ = json.Unmarshal([]byte(tt.body), &want)
			if diff := cmp.Diff(want, pv.Requests[0].Body); diff != "" {
				t.Errorf("preview body (-want +got):\n%s", diff)
			}
			// A recheck with the resolved arguments finds the same state.
			again, err := tl.Check(cloud.WithReadOnly(t.Context()), env, chk.Resolved)
			if err != nil {
				t.Fatal(err)
			}
			if again.State != chk.State || string(again.Resolved) != string(chk.Resolved) {
				t.Errorf("recheck: state %q vs %q, resolved %s vs %s", again.State, chk.State, again.Resolved, chk.Resolved)
			}
			res, err := tl.Run(t.Context(), env, chk.Resolved)
			if err != nil {
				t.Fatal(err)
			}
			undo := tl.Undo(chk.Resolved, res)
			if tt.previous == "" {
				if undo != nil {
					t.Errorf("undo of nothing = %s %s", undo.Tool, undo.Args)
				}
				return
			}
			if undo == nil || undo.Tool != "port.set" || string(undo.Args) != tt.previous {
				t.Errorf("undo = %+v\nwant args %s", undo, tt.previous)
			}
			if err := toolstest.Registry(t, Tools()).Validate("port.set", undo.Args); err != nil {
				t.Errorf("the undo's arguments fail port.set's schema: %v", err)
			}
		})
	}
}

func TestDelete(t *testing.T) {
	tests := []struct {
		name    string
		port    string
		fips    string
		block   string
		info    string
		deletes []tools.Dependent
	}{
		{name: "used by a server", port: `, "device_owner": "compute:nova", "device_id": "` + webServer + `"`, fips: `[]`,
			block: "port " + portID + " (vip) is used by server web-1; delete the server or detach the port first (openstack server remove port web-1 " + portID + ")"},
		{name: "a router interface", port: `, "device_owner": "network:router_interface", "device_id": "r1"`, fips: `[]`,
			block: "is an interface of router r1; remove it first"},
		{name: "a trunk's parent", port: `, "trunk_details": {"trunk_id": "t1", "sub_ports": []}`, fips: `[]`,
			block: "port vip is the parent port of trunk t1; delete the trunk first (/trunk delete t1)"},
		{name: "free, with a floating IP", fips: `[{"id": "f1", "floating_ip_address": "203.0.113.9"}]`,
			info: "floating IP 203.0.113.9 on port vip is disassociated and stays allocated to the project",
			deletes: []tools.Dependent{
				{Kind: "port", ID: portID, Name: "vip", Fate: "deleted with its addresses 10.0.0.50"},
				{Kind: "floating IP", ID: "f1", Name: "203.0.113.9", Fate: "disassociated, stays allocated to the project"},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := toolstest.New(t)
			fc.Handle("GET", toolstest.NetworkPrefix+"/ports/"+portID, http.StatusOK, `{"port": `+portJSON(tt.port)+`}`)
			fc.HandleFunc("GET", toolstest.NetworkPrefix+"/floatingips", func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Query().Get("port_id") != portID {
					t.Errorf("floating IP query = %s", r.URL.RawQuery)
				}
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprintf(w, `{"floatingips": %s}`, tt.fips)
			})
			stubServers(fc)
			tl := toolstest.Tool(t, Tools(), "port.delete")
			env := fc.Env()
			chk, err := tl.Check(cloud.WithReadOnly(t.Context()), env, json.RawMessage(`{"port": "`+portID+`"}`))
			if err != nil {
				t.Fatal(err)
			}
			wantFinding(t, chk, tools.Block, tt.block)
			if tt.info != "" && !strings.Contains(findings(chk, tools.Info), tt.info) {
				t.Errorf("info %q, want %q", findings(chk, tools.Info), tt.info)
			}
			if tt.deletes == nil {
				return
			}
			pv, err := tl.Preview(cloud.WithReadOnly(t.Context()), env, chk.Resolved, chk)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.deletes, pv.Deletes); diff != "" {
				t.Errorf("deletes (-want +got):\n%s", diff)
			}
			fc.Handle("DELETE", toolstest.NetworkPrefix+"/ports/"+portID, http.StatusNoContent, "")
			res, err := tl.Run(t.Context(), env, chk.Resolved)
			if err != nil || res.Outputs["id"] != portID {
				t.Errorf("run: %v, %+v", err, res)
			}
		})
	}
}

func TestDeleteGone(t *testing.T) {
	fc := toolstest.New(t)
	// Gone between the read and the delete.
	fc.Handle("GET", toolstest.NetworkPrefix+"/ports/"+portID, http.StatusOK, `{"port": `+portJSON("")+`}`)
	fc.Handle("DELETE", toolstest.NetworkPrefix+"/ports/"+portID, http.StatusNotFound, `{"NeutronError": {"message": "Port not found"}}`)
	_, err := toolstest.Tool(t, Tools(), "port.delete").Run(t.Context(), fc.Env(), json.RawMessage(`{"port": "`+portID+`"}`))
	var nf *tools.NotFoundError
	if err == nil || !strings.Contains(err.Error(), "vip") || !asNotFound(err, &nf) {
		t.Errorf("err = %v", err)
	}
}

func asNotFound(err error, target **tools.NotFoundError) bool {
	nf, ok := err.(*tools.NotFoundError)
	*target = nf
	return ok
}
