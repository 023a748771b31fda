package browse

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/kriscelmer/os-tui/internal/render"
	"github.com/kriscelmer/os-tui/tools"
)

// relation is where Enter leads from a row: another list, narrowed by
// the list tool's own arguments or, when it has none for this, by match.
type relation struct {
	label string // "ports", "network"
	noun  string // the list's noun
	args  map[string]any
	match func(row rowText) bool
	// detail: the relation needs the resource's show record (a port's
	// network ID is not a list column).
	detail bool
}

// subject is the row Enter was pressed on.
type subject struct {
	id, name string
	row      rowText
	rec      *tools.Record // the show record, when read
}

// field reads a show record's field as text ("" when absent).
func (s subject) field(name string) string {
	if s.rec == nil {
		return ""
	}
	return render.CellText(s.rec.Get(name))
}

// strs collects every string inside a record field (a list of maps of
// names, a list of IDs).
func (s subject) strs(name string) []string {
	if s.rec == nil {
		return nil
	}
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case string:
			out = append(out, x)
		case []string:
			out = append(out, x...)
		case []any:
			for _, e := range x {
				walk(e)
			}
		case map[string]any:
			for _, e := range x {
				walk(e)
			}
		case map[string]string:
			for _, e := range x {
				out = append(out, e)
			}
		case []map[string]string:
			for _, m := range x {
				for _, e := range m {
					out = append(out, e)
				}
			}
		}
	}
	walk(s.rec.Get(name))
	return out
}

func columnIs(col string, want ...string) func(rowText) bool {
	return func(r rowText) bool { return slices.Contains(want, r(col)) }
}

// The patterns relations read cells with, compiled on first use (start-up
// allocates nothing for views).
var (
	subnetIDs   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`subnet_id='([^']+)'`) })
	ipAddresses = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(\d{1,3}(?:\.\d{1,3}){3}|[0-9a-fA-F]*:[0-9a-fA-F:]+)`)
	})
	attachedTo = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`Attached to (.+?) on `) })
)

// networkNames reads "net1=10.0.0.5, 172.24.4.9; net2=…" (the servers
// list's Networks column) as network names and addresses.
func networkNames(cell string) (names, ips []string) {
	for _, part := range strings.FieldsFunc(cell, func(r rune) bool { return r == ';' || r == '\n' }) {
		name, addrs, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			continue
		}
		names = append(names, name)
		ips = append(ips, ipAddresses().FindAllString(addrs, -1)...)
	}
	return names, ips
}

// relationsOf lists where Enter leads from s, a row of noun. The list
// tools named must exist in the registry (checked by the caller).
func relationsOf(noun string, s subject, resources []*Resource) []relation {
	var out []relation
	switch noun {
	case "server":
		names, ips := networkNames(s.row("Networks"))
		out = append(out,
			relation{label: "ports", noun: "port", args: map[string]any{"server": s.id}},
			relation{label: "networks", noun: "network", match: columnIs("Name", names...)},
			relation{label: "volumes", noun: "volume", match: func(r rowText) bool {
				return slices.ContainsFunc(attachedTo().FindAllStringSubmatch(r("Attached to"), -1), func(m []string) bool {
					return m[1] == s.name || m[1] == s.id
				})
			}},
			relation{label: "floating IPs", noun: "floating-ip", match: columnIs("Fixed IP Address", ips...)},
			relation{label: "security groups", noun: "security-group", detail: true, match: func(r rowText) bool {
				groups := s.strs("security_groups")
				return slices.Contains(groups, r("Name")) || slices.Contains(groups, r("ID"))
			}},
		)
	case "port":
		out = append(out,
			relation{label: "network", noun: "network", detail: true, match: func(r rowText) bool { return r("ID") == s.field("network_id") }},
			relation{label: "subnets", noun: "subnet", match: func(r rowText) bool {
				return slices.ContainsFunc(subnetIDs().FindAllStringSubmatch(s.row("Fixed IP Addresses"), -1), func(m []string) bool { return m[1] == r("ID") })
			}},
			relation{label: "security groups", noun: "security-group", detail: true, match: func(r rowText) bool {
				return slices.Contains(s.strs("security_group_ids"), r("ID"))
			}},
			relation{label: "floating IPs", noun: "floating-ip", match: columnIs("Port", s.id)},
		)
		owner := s.row("Device Owner")
		switch {
		case strings.HasPrefix(owner, "compute:"):
			out = append(out, relation{label: "server", noun: "server", detail: true, match: func(r rowText) bool { return r("ID") == s.field("device_id") }})
		case strings.HasPrefix(owner, "network:router"):
			out = append(out, relation{label: "router", noun: "router", detail: true, match: func(r rowText) bool { return r("ID") == s.field("device_id") }})
		}
	case "network":
		out = append(out,
			relation{label: "subnets", noun: "subnet", args: map[string]any{"network": s.id}},
			relation{label: "ports", noun: "port", args: map[string]any{"network": s.id}},
		)
	case "subnet":
		out = append(out,
			relation{label: "network", noun: "network", match: columnIs("ID", s.row("Network"))},
			relation{label: "ports", noun: "port", match: func(r rowText) bool {
				return strings.Contains(r("Fixed IP Addresses"), "subnet_id='"+s.id+"'")
			}},
		)
	case "router":
		out = append(out, relation{label: "interfaces", noun: "port", args: map[string]any{"router": s.id}})
		var gw struct {
			NetworkID string `json:"network_id"`
		}
		if json.Unmarshal([]byte(s.row("External gateway info")), &gw) == nil && gw.NetworkID != "" {
			out = append(out, relation{label: "external network", noun: "network", match: columnIs("ID", gw.NetworkID)})
		}
	case "volume":
		var servers []string
		for _, m := range attachedTo().FindAllStringSubmatch(s.row("Attached to"), -1) {
			servers = append(servers, m[1])
		}
		if len(servers) > 0 {
			out = append(out, relation{label: "server", noun: "server", match: func(r rowText) bool {
				return slices.Contains(servers, r("Name")) || slices.Contains(servers, r("ID"))
			}})
		}
		out = append(out,
			relation{label: "snapshots", noun: "volume.snapshot", args: map[string]any{"volume": s.id}},
			relation{label: "backups", noun: "volume.backup", args: map[string]any{"volume": s.id}},
		)
	case "floating-ip":
		if port := s.row("Port"); port != "" {
			out = append(out, relation{label: "port", noun: "port", match: columnIs("ID", port)})
		}
		out = append(out, relation{label: "network", noun: "network", match: columnIs("ID", s.row("Floating Network"))})
	case "image":
		out = append(out, relation{label: "servers", noun: "server", args: map[string]any{"image": s.id}})
	case "flavor":
		out = append(out, relation{label: "servers", noun: "server", args: map[string]any{"flavor": s.id}})
	case "keypair":
		out = append(out, relation{label: "servers", noun: "server", match: columnIs("Key Name", s.name)})
	}
	// Any list tool whose required argument is this kind (objects of a
	// container, rules of a group, events of a server, a stack's
	// resources) is a relation too, so new resources join in.
	for _, r := range resources {
		if r.Noun == noun || slices.ContainsFunc(out, func(x relation) bool { return x.noun == r.Noun && x.args != nil }) {
			continue
		}
		for _, p := range r.List.Spec.Props {
			if p.Resource != noun || (!p.Required && !slices.Contains(r.List.Spec.Positional, p.Name)) {
				continue
			}
			val := s.id
			if noun == "container" || s.id == "" {
				val = s.name
			}
			out = append(out, relation{label: strings.ReplaceAll(plural(strings.TrimPrefix(r.Noun, noun+".")), ".", " "), noun: r.Noun, args: map[string]any{p.Name: val}})
			break
		}
	}
	// Only lists this registry has.
	return slices.DeleteFunc(out, func(x relation) bool {
		return !slices.ContainsFunc(resources, func(r *Resource) bool { return r.Noun == x.noun })
	})
}
