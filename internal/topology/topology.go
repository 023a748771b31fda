// Package topology builds a picture of a project's network from the rows
// of the network, subnet, router, port, floating IP and server lists, and
// writes it as text for a terminal, Mermaid or Graphviz DOT. It does no
// I/O of its own: the lists come in as tools.Result lists, and a list
// that is missing (nil: the service is absent, or refused the read) only
// leaves its part out.
package topology

import (
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/kriscelmer/os-tui/tools"
)

// Input holds the lists the graph is built from. Any of them may be nil.
type Input struct {
	Networks    *tools.List // network.list
	Subnets     *tools.List // subnet.list
	Routers     *tools.List // router.list (its long columns: External gateway info)
	FloatingIPs *tools.List // floating-ip.list
	Servers     *tools.List // server.list
	// RouterPorts are each router's ports (port.list --router ID), by
	// router ID: the ports whose device owner is network:router_interface*
	// are its interfaces.
	RouterPorts map[string]*tools.List
}

// Graph is the topology: networks, the routers joining them, the servers
// on them and the floating IPs bound to servers.
type Graph struct {
	Networks []*Network
	Routers  []*Router
	Servers  []*Server
	// Unplaced are servers with no address on any network.
	Unplaced []*Server
}

// Network is one network with its subnets.
type Network struct {
	ID, Name string
	External bool
	Subnets  []Subnet
	// Unbound are the floating IPs of this (external) network bound to no port.
	Unbound []string
	// Bound are its floating IPs bound to a port of no server shown
	// ("203.0.113.7 → 10.0.0.5"): a load balancer's, or the server list
	// could not be read.
	Bound []string
	key   string
}

// Subnet is one subnet of a network.
type Subnet struct {
	ID, Name, CIDR string
}

// Router is one router: its external gateway and its interfaces.
type Router struct {
	ID, Name   string
	Gateway    *Link
	Interfaces []Link
}

// Link attaches a router or a server to a network with its addresses.
type Link struct {
	Network *Network
	IPs     []string
	// Floating are the floating IPs bound to IPs of this link.
	Floating []string
}

// Server is one server and its addresses.
type Server struct {
	ID, Name, Status string
	Links            []Link
}

// Label is how a network is named: its name, else its ID.
func (n *Network) Label() string { return orID(n.Name, n.ID) }

// Label is how a router is named.
func (r *Router) Label() string { return orID(r.Name, r.ID) }

// Label is how a server is named.
func (s *Server) Label() string { return orID(s.Name, s.ID) }

func orID(name, id string) string {
	if name != "" {
		return name
	}
	return id
}

// fixedIP matches the port list's "ip_address='…', subnet_id='…'".
// Compiled on first use (the shell's start-up budget).
var fixedIP = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`ip_address='([^']*)', subnet_id='([^']*)'`)
})

// builder keeps the indexes used while building a graph.
type builder struct {
	g        *Graph
	byKey    map[string]*Network
	byName   map[string][]*Network
	subnetOf map[string]*Network // subnet ID → network
}

// network returns the network with this ID, making a placeholder for one
// the network list did not show.
func (b *builder) network(id, name string) *Network {
	key := "id:" + id
	if id == "" {
		key = "name:" + name
	}
	if n, ok := b.byKey[key]; ok {
		return n
	}
	n := &Network{ID: id, Name: name, key: key}
	b.byKey[key] = n
	b.byName[name] = append(b.byName[name], n)
	b.g.Networks = append(b.g.Networks, n)
	return n
}

// named finds a network by name (servers name their networks), making a
// placeholder when none or several have it.
func (b *builder) named(name string) *Network {
	if ns := b.byName[name]; len(ns) == 1 {
		return ns[0]
	}
	return b.network("", name)
}

// Build makes the graph from the lists in in.
func Build(in Input) *Graph {
	b := &builder{g: &Graph{}, byKey: map[string]*Network{}, byName: map[string][]*Network{}, subnetOf: map[string]*Network{}}
	nets := tools.RowsOf(in.Networks)
	nets.Each(func(row []any) {
		n := b.network(nets.Str(row, "ID"), nets.Str(row, "Name"))
		n.External = nets.Bool(row, "Router Type")
		for _, s := range nets.Strs(row, "Subnets") {
			s = strings.TrimSpace(s)
			b.subnetOf[s] = n
			n.Subnets = append(n.Subnets, Subnet{ID: s})
		}
	})
	subs := tools.RowsOf(in.Subnets)
	subs.Each(func(row []any) {
		id := subs.Str(row, "ID")
		n := b.network(subs.Str(row, "Network"), "")
		b.subnetOf[id] = n
		s := Subnet{ID: id, Name: subs.Str(row, "Name"), CIDR: subs.Str(row, "Subnet")}
		for i := range n.Subnets {
			if n.Subnets[i].ID == id {
				n.Subnets[i] = s
				return
			}
		}
		n.Subnets = append(n.Subnets, s)
	})
	b.routers(in)
	b.servers(in)
	b.floatingIPs(in)
	b.sort()
	return b.g
}

func (b *builder) routers(in Input) {
	rs := tools.RowsOf(in.Routers)
	rs.Each(func(row []any) {
		r := &Router{ID: rs.Str(row, "ID"), Name: rs.Str(row, "Name")}
		if gw := rs.Value(row, "External gateway info"); gw != nil {
			r.Gateway = b.gateway(gw)
		}
		ifaces := map[*Network][]string{}
		var order []*Network
		ports := tools.RowsOf(in.RouterPorts[r.ID])
		ports.Each(func(prow []any) {
			if !strings.HasPrefix(ports.Str(prow, "Device Owner"), "network:router_interface") {
				return
			}
			for _, f := range ports.Strs(prow, "Fixed IP Addresses") {
				m := fixedIP().FindStringSubmatch(f)
				if m == nil {
					continue
				}
				n := b.subnetOf[m[2]]
				if n == nil {
					n = b.network("", "subnet "+m[2])
					b.subnetOf[m[2]] = n
				}
				if _, ok := ifaces[n]; !ok {
					order = append(order, n)
				}
				ifaces[n] = append(ifaces[n], m[1])
			}
		})
		for _, n := range order {
			r.Interfaces = append(r.Interfaces, Link{Network: n, IPs: ifaces[n]})
		}
		b.g.Routers = append(b.g.Routers, r)
	})
}

// gateway reads a router's "External gateway info" (JSON text, or the
// decoded map).
func (b *builder) gateway(v any) *Link {
	var info struct {
		NetworkID string `json:"network_id"`
		IPs       []struct {
			IP string `json:"ip_address"`
		} `json:"external_fixed_ips"`
	}
	var data []byte
	if s, ok := v.(string); ok {
		data = []byte(s)
	} else {
		var err error
		if data, err = json.Marshal(v); err != nil {
			return nil
		}
	}
	if json.Unmarshal(data, &info) != nil || info.NetworkID == "" {
		return nil
	}
	l := &Link{Network: b.network(info.NetworkID, "")}
	for _, ip := range info.IPs {
		l.IPs = append(l.IPs, ip.IP)
	}
	return l
}

// addresses reads a server's Networks column: a map of network name to
// addresses (servers.Addresses, or a decoded JSON map), or openstack's
// text "net=a, b; net2=c".
func addresses(v any) map[string][]string {
	out := map[string][]string{}
	if s, ok := v.(string); ok {
		for _, group := range strings.Split(s, ";") {
			name, ips, ok := strings.Cut(strings.TrimSpace(group), "=")
			if !ok {
				continue
			}
			for _, ip := range strings.Split(ips, ",") {
				if ip = strings.TrimSpace(ip); ip != "" {
					out[name] = append(out[name], ip)
				}
			}
		}
		return out
	}
	rv := reflect.ValueOf(v)
	if !rv.IsValid() || rv.Kind() != reflect.Map || rv.Type().Key().Kind() != reflect.String {
		return out
	}
	iter := rv.MapRange()
	for iter.Next() {
		name := iter.Key().String()
		val := iter.Value()
		for val.Kind() == reflect.Interface && !val.IsNil() {
			val = val.Elem()
		}
		switch val.Kind() {
		case reflect.Slice:
			for i := range val.Len() {
				out[name] = append(out[name], fmt.Sprint(val.Index(i).Interface()))
			}
		case reflect.String:
			out[name] = append(out[name], val.String())
		}
	}
	return out
}

func (b *builder) servers(in Input) {
	ss := tools.RowsOf(in.Servers)
	ss.Each(func(row []any) {
		s := &Server{ID: ss.Str(row, "ID"), Name: ss.Str(row, "Name"), Status: ss.Str(row, "Status")}
		addrs := addresses(ss.Value(row, "Networks"))
		names := make([]string, 0, len(addrs))
		for n := range addrs {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, name := range names {
			s.Links = append(s.Links, Link{Network: b.named(name), IPs: addrs[name]})
		}
		if len(s.Links) == 0 {
			b.g.Unplaced = append(b.g.Unplaced, s)
			return
		}
		b.g.Servers = append(b.g.Servers, s)
	})
}

// floatingIPs binds each floating IP to the server holding its fixed IP,
// or lists it as unbound on its network.
func (b *builder) floatingIPs(in Input) {
	fs := tools.RowsOf(in.FloatingIPs)
	fs.Each(func(row []any) {
		addr := fs.Str(row, "Floating IP Address")
		fixed := fs.Str(row, "Fixed IP Address")
		port := fs.Str(row, "Port")
		if port == "" || fixed == "" {
			n := b.network(fs.Str(row, "Floating Network"), "")
			n.Unbound = append(n.Unbound, addr)
			return
		}
		for _, s := range b.g.Servers {
			for i := range s.Links {
				l := &s.Links[i]
				// Nova lists a floating IP among the server's addresses.
				l.IPs = remove(l.IPs, addr)
				for _, ip := range l.IPs {
					if ip == fixed {
						l.Floating = append(l.Floating, addr)
						return
					}
				}
			}
		}
		n := b.network(fs.Str(row, "Floating Network"), "")
		n.Bound = append(n.Bound, addr+" → "+fixed)
	})
	for _, s := range b.g.Servers {
		for i := range s.Links {
			for _, f := range s.Links[i].Floating {
				for j := range s.Links {
					s.Links[j].IPs = remove(s.Links[j].IPs, f)
				}
			}
		}
	}
}

func remove(list []string, v string) []string {
	out := list[:0]
	for _, x := range list {
		if x != v {
			out = append(out, x)
		}
	}
	return out
}

func (b *builder) sort() {
	g := b.g
	sort.SliceStable(g.Networks, func(i, j int) bool {
		a, c := g.Networks[i], g.Networks[j]
		if a.Label() != c.Label() {
			return a.Label() < c.Label()
		}
		return a.key < c.key
	})
	for _, n := range g.Networks {
		sort.SliceStable(n.Subnets, func(i, j int) bool {
			a, c := n.Subnets[i], n.Subnets[j]
			if a.CIDR != c.CIDR {
				return a.CIDR < c.CIDR
			}
			return a.ID < c.ID
		})
		sort.Strings(n.Unbound)
		sort.Strings(n.Bound)
	}
	sort.SliceStable(g.Routers, func(i, j int) bool {
		return g.Routers[i].Label()+"\x00"+g.Routers[i].ID < g.Routers[j].Label()+"\x00"+g.Routers[j].ID
	})
	servers := func(list []*Server) {
		sort.SliceStable(list, func(i, j int) bool {
			return list[i].Label()+"\x00"+list[i].ID < list[j].Label()+"\x00"+list[j].ID
		})
		for _, s := range list {
			for i := range s.Links {
				sort.Strings(s.Links[i].IPs)
				sort.Strings(s.Links[i].Floating)
			}
		}
	}
	servers(g.Servers)
	servers(g.Unplaced)
	index := map[*Network]int{}
	for i, n := range g.Networks {
		index[n] = i
	}
	for _, r := range g.Routers {
		sort.SliceStable(r.Interfaces, func(i, j int) bool { return index[r.Interfaces[i].Network] < index[r.Interfaces[j].Network] })
		for i := range r.Interfaces {
			sort.Strings(r.Interfaces[i].IPs)
		}
	}
}
