package stacks

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/orchestration"
	"github.com/kriscelmer/os-tui/tools/quota"
)

// flavorSize is what a flavor draws from the compute quota.
type flavorSize struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	VCPUs int    `json:"vcpus"`
	RAM   int    `json:"ram"`
}

// stackQuota charges what Heat's preview says a create makes against
// the project's quotas: servers (instances, cores, RAM, a port per
// network), networks, subnets, ports, routers, floating IPs, security
// groups and volumes. Nova and Neutron would refuse an overflow half-way
// through the create, leaving a failed stack; the preflight refuses it
// before anything is made. A quota that cannot be read is a warning:
// Heat and the services still enforce their own.
func stackQuota(ctx context.Context, env *tools.Env, chk *tools.Check, res []orchestration.PreviewResource) {
	count := map[[2]string]int{}
	add := func(service, resource string, n int) { count[[2]string{service, resource}] += n }
	var flavors map[string]flavorSize
	for _, r := range res {
		p := r.Properties
		switch r.Type {
		case "OS::Nova::Server":
			add("compute", "instances", 1)
			if name, ok := p["flavor"].(string); ok && name != "" {
				if flavors == nil {
					var err error
					if flavors, err = listFlavors(ctx, env); err != nil {
						chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Warn, Text: "the compute quota is not checked: " + err.Error()})
						flavors = map[string]flavorSize{}
					}
				}
				if f, ok := flavors[name]; ok {
					add("compute", "cores", f.VCPUs)
					add("compute", "ram", f.RAM)
				}
			}
			if nets, ok := p["networks"].([]any); ok {
				for _, n := range nets {
					if m, ok := n.(map[string]any); ok && m["port"] == nil {
						add("network", "port", 1)
					}
				}
			}
		case "OS::Neutron::Net":
			add("network", "network", 1)
		case "OS::Neutron::Subnet":
			add("network", "subnet", 1)
		case "OS::Neutron::Port":
			add("network", "port", 1)
		case "OS::Neutron::Router":
			add("network", "router", 1)
		case "OS::Neutron::FloatingIP":
			add("network", "floatingip", 1)
		case "OS::Neutron::SecurityGroup":
			add("network", "security_group", 1)
		case "OS::Cinder::Volume":
			add("volumev3", "volumes", 1)
			if size, ok := p["size"].(float64); ok {
				add("volumev3", "gigabytes", int(size))
			}
		}
	}
	keys := make([][2]string, 0, len(count))
	for k := range count {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i][0]+keys[i][1] < keys[j][0]+keys[j][1] })
	var needs []quota.Need
	for _, k := range keys {
		if count[k] > 0 {
			needs = append(needs, quota.Need{Service: k[0], Resource: k[1], Delta: count[k], Full: full})
		}
	}
	if len(needs) == 0 {
		return
	}
	if err := quota.Preflight(ctx, env, chk, "", needs...); err != nil {
		if ctx.Err() != nil {
			return
		}
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Warn, Text: "the quota is not checked: " + strings.SplitN(err.Error(), "\n", 2)[0]})
	}
}

// full words an overflow for a stack: the create would fail half-way.
func full(u tools.QuotaUse) string {
	return fmt.Sprintf("the stack needs %d more %s (%s) but the quota has room for %d (%d of %d in use): the create would fail half-way; free some, ask for more quota, or make the stack smaller",
		u.Delta, u.Resource, u.Service, max(u.Limit-u.InUse, 0), u.InUse, u.Limit)
}

// listFlavors maps the flavors the project sees by name and by ID.
func listFlavors(ctx context.Context, env *tools.Env) (map[string]flavorSize, error) {
	c, err := env.Clients.ServiceClient(ctx, "compute")
	if err != nil {
		return nil, err
	}
	var body struct {
		Flavors []flavorSize `json:"flavors"`
	}
	if _, err := c.Get(ctx, c.ServiceURL("flavors", "detail"), &body, nil); err != nil { //nolint:bodyclose // closed by gophercloud
		return nil, fmt.Errorf("list flavors: %w", err)
	}
	out := map[string]flavorSize{}
	for _, f := range body.Flavors {
		out[f.Name] = f
		out[f.ID] = f
	}
	return out, nil
}
