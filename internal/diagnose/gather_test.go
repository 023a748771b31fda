package diagnose

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/kriscelmer/os-tui/internal/netstate"
	"github.com/kriscelmer/os-tui/tools"
)

// fakeReads answers read tools from canned results, keyed by the tool and
// its arguments as JSON ("port.list {\"server\":\"…\"}"), and fails the
// test on a read nobody expected.
type fakeReads struct {
	mu      sync.Mutex
	t       *testing.T
	results map[string]*tools.Result
	calls   []string
}

func (f *fakeReads) read(_ context.Context, tool string, args map[string]any) (*tools.Result, error) {
	key := tool
	if len(args) > 0 {
		b, _ := json.Marshal(args)
		key += " " + string(b)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, key)
	if res, ok := f.results[key]; ok {
		if res == nil {
			return nil, &tools.NotFoundError{Kind: "server", Name: fmt.Sprint(args["server"])}
		}
		return res, nil
	}
	f.t.Errorf("unexpected read %s", key)
	return nil, fmt.Errorf("unexpected read %s", key)
}

func list(cols []string, rows ...[]any) *tools.Result {
	l := &tools.List{}
	for _, c := range cols {
		l.Columns = append(l.Columns, tools.Column{Name: c})
	}
	l.Rows = rows
	return &tools.Result{List: l}
}

func rec(fields map[string]any) *tools.Result {
	r := &tools.Record{}
	for k, v := range fields {
		r.Fields = append(r.Fields, tools.Field{Name: k, Value: v})
	}
	return &tools.Result{Record: r}
}

var portCols = []string{"ID", "Name", "MAC Address", "Fixed IP Addresses", "Status", "Security Groups", "Device Owner", "Tags"}

func fixed(ip, subnet string) []string {
	return []string{fmt.Sprintf("ip_address='%s', subnet_id='%s'", ip, subnet)}
}

func cannedCloud() map[string]*tools.Result {
	return map[string]*tools.Result{
		`server.show {"server":"web-1"}`: rec(map[string]any{"id": srvID, "name": "web-1", "status": "ACTIVE", "OS-EXT-STS:task_state": nil}),
		`port.list {"server":"` + srvID + `"}`: list(portCols,
			[]any{portID, "", "fa:16:3e:00:00:01", fixed("10.77.0.12", subnetID), "ACTIVE", []string{sgID}, "compute:nova", []string{}}),
		`port.show {"port":"` + portID + `"}`: rec(map[string]any{
			"id": portID, "name": "", "status": "ACTIVE", "network_id": netID, "device_id": srvID, "device_owner": "compute:nova",
			"admin_state_up": true, "port_security_enabled": true, "security_group_ids": []string{sgID}, "fixed_ips": fixed("10.77.0.12", subnetID),
		}),
		"security-group.list": list([]string{"ID", "Name", "Description", "Project", "Tags"},
			[]any{sgID, "vpc-sg", "", "p", []string{}}, []any{defID, "default", "", "p", []string{}}),
		"security-group.rule.list": list([]string{"ID", "IP Protocol", "Ethertype", "IP Range", "Port Range", "Direction", "Remote Security Group", "Remote Address Group", "Description", "Security Group"},
			[]any{"r-icmp", "icmp", "IPv4", "0.0.0.0/0", "", "ingress", nil, nil, "", sgID},
			[]any{"r-eg", nil, "IPv4", "0.0.0.0/0", "", "egress", nil, nil, "", sgID},
			[]any{"r-ssh-other", "tcp", "IPv4", "0.0.0.0/0", "22:22", "ingress", nil, nil, "", defID}),
		"network.list": list([]string{"ID", "Name", "Status", "Project", "State", "Shared", "Subnets", "Network Type", "Router Type", "Availability Zones", "Tags"},
			[]any{netID, "vpc-net", "ACTIVE", "p", true, false, []string{subnetID}, nil, false, []string{}, []string{}},
			[]any{extID, "public", "ACTIVE", "admin", true, false, []string{}, nil, true, []string{}, []string{}}),
		"subnet.list": list([]string{"ID", "Name", "Network", "Subnet", "Project", "DHCP", "Name Servers", "Allocation Pools", "Host Routes", "IP Version", "Gateway"},
			[]any{subnetID, "vpc-subnet", netID, "10.77.0.0/24", "p", true, []string{}, "", "", 4, "10.77.0.1"}),
		"router.list": list([]string{"ID", "Name", "Status", "State", "Project", "External gateway info"},
			[]any{routerID, "vpc-router", "ACTIVE", true, "p", `{"network_id": "` + extID + `", "enable_snat": true, "external_fixed_ips": [{"subnet_id": "s", "ip_address": "203.0.113.9"}]}`}),
		"floating-ip.list": list([]string{"ID", "Floating IP Address", "Fixed IP Address", "Port", "Floating Network", "Project", "Router", "Status"},
			[]any{"fip-1", "203.0.113.50", nil, nil, extID, "p", nil, "DOWN"}),
		`port.list {"network":"` + netID + `"}`: list(portCols,
			[]any{portID, "", "m", fixed("10.77.0.12", subnetID), "ACTIVE", []string{sgID}, "compute:nova", []string{}},
			[]any{ifaceID, "", "m", fixed("10.77.0.1", subnetID), "DOWN", []string{}, "network:router_interface", []string{}},
			[]any{"dhcp", "", "m", fixed("10.77.0.2", subnetID), "ACTIVE", []string{}, "network:dhcp", []string{}}),
		`port.show {"port":"` + ifaceID + `"}`: rec(map[string]any{
			"id": ifaceID, "status": "DOWN", "network_id": netID, "device_id": routerID, "device_owner": "network:router_interface",
			"admin_state_up": true, "fixed_ips": fixed("10.77.0.1", subnetID), "security_group_ids": []string{},
		}),
	}
}

func TestGatherAndDiagnose(t *testing.T) {
	f := &fakeReads{t: t, results: cannedCloud()}
	q := query(t, Query{Server: "web-1", Port: 22})
	p, err := Gather(t.Context(), f.read, q)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Ports) != 1 || p.Ports[0].PortSecurity == nil || !*p.Ports[0].PortSecurity || p.Ports[0].NetworkID != netID {
		t.Errorf("ports = %+v", p.Ports)
	}
	if g := p.Groups[sgID]; g.Name != "vpc-sg" || len(g.Rules) != 2 {
		t.Errorf("group = %+v", g)
	}
	if _, ok := p.Groups[defID]; ok {
		t.Error("a group the port is not in was kept")
	}
	if r := p.Routers[0]; r.GatewayNetworkID != extID || len(r.GatewayIPs) != 1 {
		t.Errorf("router = %+v", r)
	}
	if ifs := p.Interfaces[subnetID]; len(ifs) != 1 || ifs[0].DeviceID != routerID {
		t.Errorf("interfaces = %+v", p.Interfaces)
	}
	r := Diagnose(p, q)
	got := statuses(r)
	want := map[string]string{
		CheckServer: "pass", CheckPort: "pass", CheckPortSecurity: "pass", CheckGroups: "fail",
		CheckRouter: "warn", CheckGateway: "pass", CheckFloatingIP: "fail", CheckSubnet: "pass", CheckNetwork: "pass",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %s, want %s", k, got[k], v)
		}
	}
	steps := r.Steps()
	if len(steps) != 2 || steps[0].Tool != "security-group.rule.create" || steps[1].Tool != "floating-ip.create" ||
		steps[1].Args["network"] != extID {
		t.Errorf("steps = %+v", steps)
	}
}

func TestGatherUnknownServer(t *testing.T) {
	canned := cannedCloud()
	canned[`server.show {"server":"ghost"}`] = nil
	f := &fakeReads{t: t, results: canned}
	_, err := Gather(t.Context(), f.read, Query{Server: "ghost"})
	if err == nil || !strings.Contains(err.Error(), "ghost") {
		t.Errorf("err = %v", err)
	}
}

// The readers parse what the read tools print.
func TestNetstateParsesToolOutput(t *testing.T) {
	f := &fakeReads{t: t, results: cannedCloud()}
	nets, err := netstate.Networks(t.Context(), f.read, nil)
	if err != nil || len(nets) != 2 || !nets[1].External || nets[0].External || !nets[0].AdminStateUp {
		t.Errorf("networks = %+v, %v", nets, err)
	}
	subnets, err := netstate.Subnets(t.Context(), f.read, nil)
	if err != nil || len(subnets) != 1 || subnets[0].GatewayIP != "10.77.0.1" || subnets[0].IPVersion != 4 || subnets[0].NetworkID != netID {
		t.Errorf("subnets = %+v, %v", subnets, err)
	}
	fips, err := netstate.FloatingIPs(t.Context(), f.read, nil)
	if err != nil || len(fips) != 1 || fips[0].PortID != "" || fips[0].NetworkID != extID {
		t.Errorf("floating IPs = %+v, %v", fips, err)
	}
}
