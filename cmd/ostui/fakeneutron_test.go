package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"sync"
)

// fakeNeutron is a small stateful Neutron for the cloud "netlab" of the
// transcripts: networks, subnets, routers (with gateways and interfaces),
// ports, security groups and rules, floating IPs. Lists filter on any
// field given as a query parameter, as Neutron does; creates fill the
// defaults Neutron fills. It holds the seed described in seedNetlab, so a
// transcript can build a VPC, diagnose a server and take it apart.
//
// A router whose name starts with "boom", or a security group whose name
// starts with "late", fails to be created (500), so a transcript can
// watch a plan fail part-way, early or late, and its undo run.
type fakeNeutron struct {
	mu  sync.Mutex
	seq int
	// res holds each collection ("networks") as objects in creation order.
	res map[string][]map[string]any
}

// collections maps a URL collection to the key of one object in a body.
var collections = map[string]string{
	"networks": "network", "subnets": "subnet", "routers": "router", "ports": "port",
	"floatingips": "floatingip", "security-groups": "security_group", "security-group-rules": "security_group_rule",
	"rbac-policies": "rbac_policy",
}

const netlabProject = "p-demo"

// The seed's IDs, UUID-shaped as Neutron's are.
const (
	netlabPublic        = "eeeeeeee-0000-4000-8000-000000000001"
	netlabPublicSubnet  = "eeeeeeee-0000-4000-8000-000000000002"
	netlabPrivate       = "eeeeeeee-0000-4000-8000-000000000003"
	netlabPrivateSubnet = "eeeeeeee-0000-4000-8000-000000000004"
	netlabRouter        = "eeeeeeee-0000-4000-8000-000000000005"
	netlabDefaultGroup  = "eeeeeeee-0000-4000-8000-000000000006"
	netlabWebPort       = "eeeeeeee-0000-4000-8000-000000000007"
)

func newFakeNeutron() *fakeNeutron {
	n := &fakeNeutron{res: map[string][]map[string]any{}}
	n.seedNetlab()
	return n
}

// seedNetlab: an external network "public" (172.24.4.0/24); "private"
// (10.0.0.0/24) joined to it by router1; the default security group
// (members only, egress all); server web-1's port on private (10.0.0.5)
// in the default group, with no floating IP.
func (n *fakeNeutron) seedNetlab() {
	n.add("networks", map[string]any{"id": netlabPublic, "name": "public", "router:external": true, "project_id": "admin"})
	n.add("subnets", map[string]any{"id": netlabPublicSubnet, "name": "public-subnet", "network_id": netlabPublic, "cidr": "172.24.4.0/24", "ip_version": 4.0})
	n.add("networks", map[string]any{"id": netlabPrivate, "name": "private"})
	n.add("subnets", map[string]any{"id": netlabPrivateSubnet, "name": "private-subnet", "network_id": netlabPrivate, "cidr": "10.0.0.0/24", "ip_version": 4.0})
	n.add("routers", map[string]any{"id": netlabRouter, "name": "router1", "external_gateway_info": map[string]any{"network_id": netlabPublic}})
	n.interfaceOn(netlabRouter, netlabPrivateSubnet)
	n.add("security-groups", map[string]any{"id": netlabDefaultGroup, "name": "default", "description": "Default security group"})
	n.add("security-group-rules", map[string]any{"security_group_id": netlabDefaultGroup, "direction": "ingress", "ethertype": "IPv4", "remote_group_id": netlabDefaultGroup})
	n.add("ports", map[string]any{"id": netlabWebPort, "network_id": netlabPrivate, "device_id": "11111111-1111-4111-8111-111111111111",
		"device_owner": "compute:nova", "status": "ACTIVE", "security_groups": []any{netlabDefaultGroup},
		"fixed_ips": []any{map[string]any{"subnet_id": netlabPrivateSubnet, "ip_address": "10.0.0.5"}}})
}

// id is a new UUID-shaped ID: tools look a UUID up by ID, anything else
// by name.
func (n *fakeNeutron) id() string {
	n.seq++
	return fmt.Sprintf("%08x-0000-4000-8000-%012x", n.seq, n.seq)
}

// add stores obj in coll with Neutron's defaults, and what Neutron does
// along with it (a group's egress rules, a subnet in its network's list,
// a gateway's address).
func (n *fakeNeutron) add(coll string, obj map[string]any) map[string]any {
	if obj["id"] == nil {
		obj["id"] = n.id()
	}
	defaults := map[string]any{"project_id": netlabProject, "description": "", "tags": []any{}, "revision_number": 1.0,
		"created_at": "2025-01-01T00:00:00Z", "updated_at": "2025-01-01T00:00:00Z"}
	switch coll {
	case "networks":
		maps(defaults, map[string]any{"name": "", "status": "ACTIVE", "admin_state_up": true, "shared": false, "router:external": false,
			"subnets": []any{}, "mtu": 1450.0, "port_security_enabled": true, "availability_zones": []any{}, "availability_zone_hints": []any{}})
	case "subnets":
		cidr, _ := obj["cidr"].(string)
		p, _ := netip.ParsePrefix(cidr)
		gw := p.Addr().Next().String()
		maps(defaults, map[string]any{"name": "", "enable_dhcp": true, "dns_nameservers": []any{}, "host_routes": []any{},
			"gateway_ip": gw, "allocation_pools": []any{}, "service_types": []any{}, "ip_version": 4.0})
	case "routers":
		maps(defaults, map[string]any{"name": "", "status": "ACTIVE", "admin_state_up": true, "routes": []any{},
			"external_gateway_info": nil, "availability_zones": []any{}, "availability_zone_hints": []any{}})
	case "ports":
		maps(defaults, map[string]any{"name": "", "status": "DOWN", "admin_state_up": true, "mac_address": "fa:16:3e:00:00:01",
			"device_id": "", "device_owner": "", "security_groups": []any{}, "fixed_ips": []any{}, "allowed_address_pairs": []any{},
			"port_security_enabled": true})
	case "security-groups":
		maps(defaults, map[string]any{"name": "", "stateful": true, "security_group_rules": []any{}})
	case "security-group-rules":
		maps(defaults, map[string]any{"direction": "ingress", "ethertype": "IPv4", "protocol": nil, "port_range_min": nil,
			"port_range_max": nil, "remote_ip_prefix": nil, "remote_group_id": nil, "remote_address_group_id": nil})
	case "floatingips":
		maps(defaults, map[string]any{"status": "DOWN", "port_id": nil, "fixed_ip_address": nil, "router_id": nil,
			"floating_ip_address": fmt.Sprintf("172.24.4.%d", 100+n.seq)})
	}
	for k, v := range defaults {
		if _, ok := obj[k]; !ok {
			obj[k] = v
		}
	}
	n.res[coll] = append(n.res[coll], obj)
	switch coll {
	case "subnets":
		if net := n.get("networks", fmt.Sprint(obj["network_id"])); net != nil {
			net["subnets"] = append(net["subnets"].([]any), obj["id"])
		}
	case "security-groups":
		if obj["name"] != "default" {
			for _, et := range []string{"IPv4", "IPv6"} {
				n.add("security-group-rules", map[string]any{"security_group_id": obj["id"], "direction": "egress", "ethertype": et})
			}
		}
	case "routers":
		n.gateway(obj)
	case "floatingips":
		n.bind(obj)
	}
	return obj
}

func maps(dst, src map[string]any) {
	for k, v := range src {
		dst[k] = v
	}
}

// gateway gives a router's gateway an address, as Neutron does.
func (n *fakeNeutron) gateway(r map[string]any) {
	gw, _ := r["external_gateway_info"].(map[string]any)
	if len(gw) == 0 || gw["network_id"] == nil {
		r["external_gateway_info"] = nil
		return
	}
	if gw["enable_snat"] == nil {
		gw["enable_snat"] = true
	}
	n.seq++
	gw["external_fixed_ips"] = []any{map[string]any{"subnet_id": netlabPublicSubnet, "ip_address": fmt.Sprintf("172.24.4.%d", 10+n.seq)}}
}

// bind fills a floating IP's fixed address from its port.
func (n *fakeNeutron) bind(f map[string]any) {
	port := n.get("ports", fmt.Sprint(f["port_id"]))
	if port == nil {
		f["port_id"], f["fixed_ip_address"] = nil, nil
		return
	}
	if ips, _ := port["fixed_ips"].([]any); len(ips) > 0 {
		f["fixed_ip_address"] = ips[0].(map[string]any)["ip_address"]
	}
}

// interfaceOn adds a router interface on a subnet at its gateway address.
func (n *fakeNeutron) interfaceOn(routerID, subnetID string) map[string]any {
	sub := n.get("subnets", subnetID)
	return n.add("ports", map[string]any{"network_id": sub["network_id"], "device_id": routerID, "device_owner": "network:router_interface",
		"fixed_ips": []any{map[string]any{"subnet_id": subnetID, "ip_address": sub["gateway_ip"]}}})
}

func (n *fakeNeutron) get(coll, id string) map[string]any {
	for _, o := range n.res[coll] {
		if o["id"] == id {
			return o
		}
	}
	return nil
}

func (n *fakeNeutron) remove(coll, id string) {
	n.res[coll] = slices.DeleteFunc(n.res[coll], func(o map[string]any) bool { return o["id"] == id })
}

// view is an object as Neutron returns it: a group carries its rules.
func (n *fakeNeutron) view(coll string, o map[string]any) map[string]any {
	if coll != "security-groups" {
		return o
	}
	out := map[string]any{}
	maps(out, o)
	var rules []any
	for _, r := range n.res["security-group-rules"] {
		if r["security_group_id"] == o["id"] {
			rules = append(rules, r)
		}
	}
	out["security_group_rules"] = rules
	return out
}

// matches applies a list's query filters: every parameter must equal the
// field (any of its values, as Neutron reads repeated parameters).
func matches(o map[string]any, q map[string][]string) bool {
	for k, vals := range q {
		switch k {
		case "fields", "limit", "marker", "sort_key", "sort_dir", "page_reverse":
			continue
		case "fixed_ips":
			// fixed_ips=subnet_id=X or fixed_ips=ip_address=Y: every one
			// given must match one of the port's addresses.
			ips, _ := o["fixed_ips"].([]any)
			for _, v := range vals {
				field, want, _ := strings.Cut(v, "=")
				if !slices.ContainsFunc(ips, func(ip any) bool { m, _ := ip.(map[string]any); return fmt.Sprint(m[field]) == want }) {
					return false
				}
			}
			continue
		}
		got := o[k]
		s := fmt.Sprint(got)
		if b, ok := got.(bool); ok {
			s = fmt.Sprint(b)
		}
		if got == nil {
			s = ""
		}
		if !slices.Contains(vals, s) {
			return false
		}
	}
	return true
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func neutronError(w http.ResponseWriter, code int, kind, msg string) {
	writeJSON(w, code, map[string]any{"NeutronError": map[string]any{"type": kind, "message": msg, "detail": ""}})
}

// serve answers one request; path is below the endpoint ("/v2.0/…").
func (n *fakeNeutron) serve(w http.ResponseWriter, r *http.Request, path string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if path == "" || path == "/" {
		fmt.Fprint(w, `{"versions": [{"id": "v2.0", "status": "CURRENT"}]}`)
		return
	}
	rest, ok := strings.CutPrefix(path, "/v2.0/")
	if !ok {
		neutronError(w, http.StatusNotFound, "HTTPNotFound", "no "+path)
		return
	}
	parts := strings.Split(rest, "/")
	switch parts[0] {
	case "extensions":
		known := []string{"router", "external-net", "security-group", "port-security", "standard-attr-description", "standard-attr-tag", "extraroute", "quotas", "quota_details", "stateful-security-group"}
		if len(parts) == 2 {
			if slices.Contains(known, parts[1]) {
				writeJSON(w, http.StatusOK, map[string]any{"extension": map[string]any{"alias": parts[1], "name": parts[1]}})
				return
			}
			neutronError(w, http.StatusNotFound, "ExtensionNotFound", "Extension "+parts[1]+" could not be found.")
			return
		}
		var exts []any
		for _, a := range known {
			exts = append(exts, map[string]any{"alias": a, "name": a})
		}
		writeJSON(w, http.StatusOK, map[string]any{"extensions": exts})
		return
	case "quotas":
		// Generous limits; what is in use is counted from the store.
		used := func(coll string) int { return len(n.res[coll]) }
		q := func(c string, lim int) map[string]any {
			return map[string]any{"used": used(c), "limit": lim, "reserved": 0}
		}
		writeJSON(w, http.StatusOK, map[string]any{"quota": map[string]any{
			"network": q("networks", 100), "subnet": q("subnets", 100), "router": q("routers", 10), "port": q("ports", 500),
			"floatingip": q("floatingips", 50), "security_group": q("security-groups", 10), "security_group_rule": q("security-group-rules", 100),
			"rbac_policy": map[string]any{"used": 0, "limit": 10, "reserved": 0}, "subnetpool": map[string]any{"used": 0, "limit": -1, "reserved": 0},
		}})
		return
	}
	coll := parts[0]
	key, ok := collections[coll]
	if !ok {
		neutronError(w, http.StatusNotFound, "HTTPNotFound", "no "+path)
		return
	}
	var body map[string]any
	if r.Body != nil {
		_ = json.NewDecoder(r.Body).Decode(&body)
	}
	switch {
	case len(parts) == 1 && r.Method == http.MethodGet:
		out := []any{}
		for _, o := range n.res[coll] {
			if matches(o, r.URL.Query()) {
				out = append(out, n.view(coll, o))
			}
		}
		writeJSON(w, http.StatusOK, map[string]any{strings.ReplaceAll(coll, "-", "_"): out})
	case len(parts) == 1 && r.Method == http.MethodPost:
		obj, _ := body[key].(map[string]any)
		if obj == nil {
			neutronError(w, http.StatusBadRequest, "BadRequest", "no "+key+" in the body")
			return
		}
		if name, _ := obj["name"].(string); coll == "routers" && strings.HasPrefix(name, "boom") || coll == "security-groups" && strings.HasPrefix(name, "late") {
			neutronError(w, http.StatusInternalServerError, "HTTPInternalServerError", "Request Failed: internal server error while processing your request.")
			return
		}
		delete(obj, "id")
		if coll == "floatingips" && obj["floating_network_id"] == nil {
			neutronError(w, http.StatusBadRequest, "BadRequest", "floating_network_id is required")
			return
		}
		writeJSON(w, http.StatusCreated, map[string]any{key: n.view(coll, n.add(coll, obj))})
	case len(parts) == 2:
		o := n.get(coll, parts[1])
		if o == nil {
			neutronError(w, http.StatusNotFound, strings.ToUpper(key[:1])+key[1:]+"NotFound", fmt.Sprintf("%s %s could not be found.", key, parts[1]))
			return
		}
		switch r.Method {
		case http.MethodGet:
			writeJSON(w, http.StatusOK, map[string]any{key: n.view(coll, o)})
		case http.MethodPut:
			upd, _ := body[key].(map[string]any)
			maps(o, upd)
			if coll == "routers" {
				if _, ok := upd["external_gateway_info"]; ok {
					n.gateway(o)
				}
			}
			if coll == "floatingips" {
				n.bind(o)
			}
			writeJSON(w, http.StatusOK, map[string]any{key: n.view(coll, o)})
		case http.MethodDelete:
			if msg := n.inUse(coll, o); msg != "" {
				neutronError(w, http.StatusConflict, "InUse", msg)
				return
			}
			n.remove(coll, parts[1])
			switch coll {
			case "subnets":
				if net := n.get("networks", fmt.Sprint(o["network_id"])); net != nil {
					net["subnets"] = slices.DeleteFunc(net["subnets"].([]any), func(x any) bool { return x == o["id"] })
				}
			case "security-groups":
				n.res["security-group-rules"] = slices.DeleteFunc(n.res["security-group-rules"], func(x map[string]any) bool { return x["security_group_id"] == o["id"] })
			}
			w.WriteHeader(http.StatusNoContent)
		}
	case len(parts) == 3 && coll == "routers" && r.Method == http.MethodPut:
		router := n.get(coll, parts[1])
		subnet := fmt.Sprint(body["subnet_id"])
		if router == nil || n.get("subnets", subnet) == nil {
			neutronError(w, http.StatusNotFound, "NotFound", "router or subnet not found")
			return
		}
		switch parts[2] {
		case "add_router_interface":
			p := n.interfaceOn(parts[1], subnet)
			writeJSON(w, http.StatusOK, map[string]any{"id": parts[1], "subnet_id": subnet, "port_id": p["id"], "subnet_ids": []any{subnet}})
		case "remove_router_interface":
			for _, p := range n.res["ports"] {
				if p["device_id"] == parts[1] && onSubnet(p, subnet) {
					n.remove("ports", fmt.Sprint(p["id"]))
					writeJSON(w, http.StatusOK, map[string]any{"id": parts[1], "subnet_id": subnet, "port_id": p["id"]})
					return
				}
			}
			neutronError(w, http.StatusNotFound, "RouterInterfaceNotFoundForSubnet", "Router has no interface on subnet "+subnet)
		default:
			neutronError(w, http.StatusNotFound, "HTTPNotFound", "no "+path)
		}
	default:
		neutronError(w, http.StatusNotFound, "HTTPNotFound", "no "+path)
	}
}

func onSubnet(port map[string]any, subnet string) bool {
	ips, _ := port["fixed_ips"].([]any)
	for _, ip := range ips {
		if m, ok := ip.(map[string]any); ok && m["subnet_id"] == subnet {
			return true
		}
	}
	return false
}

// inUse is Neutron's refusal to delete what something still uses.
func (n *fakeNeutron) inUse(coll string, o map[string]any) string {
	for _, p := range n.res["ports"] {
		switch coll {
		case "networks":
			if p["network_id"] == o["id"] && p["device_owner"] != "network:dhcp" {
				return fmt.Sprintf("Unable to complete operation on network %s. There are one or more ports still in use on the network.", o["id"])
			}
		case "subnets":
			if onSubnet(p, fmt.Sprint(o["id"])) && p["device_owner"] != "network:dhcp" {
				return fmt.Sprintf("Unable to complete operation on subnet %s: One or more ports have an IP allocation from this subnet.", o["id"])
			}
		case "routers":
			if p["device_id"] == o["id"] && p["device_owner"] == "network:router_interface" {
				return fmt.Sprintf("Router %s still has ports", o["id"])
			}
		case "security-groups":
			if sgs, _ := p["security_groups"].([]any); slices.Contains(sgs, o["id"]) {
				return fmt.Sprintf("Security Group %s in use.", o["id"])
			}
		}
	}
	return ""
}
