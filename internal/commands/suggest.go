package commands

import (
	"sort"
	"strings"

	"github.com/kriscelmer/os-tui/tools"
)

// synonyms map everyday words to the nouns and verbs of tool names.
var synonyms = map[string]string{
	"servers": "server", "vm": "server", "vms": "server", "instance": "server", "instances": "server", "machine": "server", "machines": "server",
	"images": "image", "flavors": "flavor", "size": "flavor", "sizes": "flavor",
	"networks": "network", "net": "network", "nets": "network", "subnets": "subnet",
	"routers": "router", "ports": "port", "volumes": "volume", "disk": "volume", "disks": "volume",
	"snapshots": "snapshot", "keypairs": "keypair", "key": "keypair", "keys": "keypair", "ssh": "keypair",
	"floating": "floating-ip", "fip": "floating-ip", "fips": "floating-ip", "ip": "floating-ip", "ips": "floating-ip",
	"security": "security-group", "firewall": "security-group", "rules": "rule", "groups": "security-group",
	"quotas": "quota", "usage": "quota", "limit": "limits", "services": "catalog", "endpoints": "catalog",
	"who": "whoami", "user": "whoami", "token": "whoami",
	"log": "console-log", "logs": "console-log", "console": "console-log", "history": "events", "actions": "events",
	"why": "show", "details": "show", "describe": "show", "status": "list", "which": "list", "all": "list", "what": "list", "error": "list",
	"delete": "delete", "remove": "delete", "stop": "stop", "start": "start", "reboot": "reboot", "restart": "reboot",
	"create": "create", "launch": "create", "boot": "create", "new": "create",
}

// Suggest returns up to n slash commands whose names share the most words
// with a plain-language request, for the offline note.
func Suggest(reg *tools.Registry, text string, n int) []string {
	nouns := map[string]bool{}
	for _, n := range reg.Nouns() {
		nouns[n] = true
	}
	words := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-'
	}) {
		words[w] = true
		if s, ok := synonyms[w]; ok {
			words[s] = true
		}
		// A plural noun asks about many: "my flavors" wants a list.
		if singular := strings.TrimSuffix(w, "s"); singular != w && nouns[singular] {
			words[singular] = true
			words["list"] = true
		}
	}
	type scored struct {
		t     *tools.Tool
		score int
	}
	// When the request names a resource, only that resource's commands
	// are worth suggesting: "which servers are in ERROR" is not about
	// flavors, however many verbs it shares with /flavor list.
	nounNamed := false
	for _, t := range reg.Tools() {
		if words[strings.Split(t.Name, ".")[0]] {
			nounNamed = true
			break
		}
	}
	var all []scored
	for _, t := range reg.Tools() {
		parts := strings.Split(t.Name, ".")
		if nounNamed && !words[parts[0]] {
			continue
		}
		score := 0
		for i, p := range parts {
			if words[p] {
				// The noun counts most: "servers in ERROR" is about servers.
				if i == 0 {
					score += 3
				} else {
					score += 2
				}
			} else if i > 0 {
				// Words the request did not mention make a command less likely.
				score--
			}
		}
		if score <= 0 {
			continue
		}
		all = append(all, scored{t, score})
	}
	sort.SliceStable(all, func(i, j int) bool {
		if all[i].score != all[j].score {
			return all[i].score > all[j].score
		}
		return all[i].t.Name < all[j].t.Name
	})
	var out []string
	for i := 0; i < len(all) && i < n; i++ {
		out = append(out, shortUsage(all[i].t))
	}
	return out
}
