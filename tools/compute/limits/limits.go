// Package limits holds the limits tool: the project's absolute compute
// limits and usage, as openstack limits show --absolute prints them.
package limits

import (
	"context"
	"fmt"
	"sort"

	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/limits"

	"github.com/kriscelmer/os-tui/tools"
)

// Microversion is the compute API microversion the tool asks for. From
// 2.36 Nova stops reporting its deprecated nova-network quotas (floating
// IPs, security groups), whose numbers disagree with Neutron's real ones,
// and from 2.57 the personality (injected file) limits that no longer do
// anything; asking for a newer version keeps only limits that apply.
const Microversion = "2.79"

// Tools returns the limits tool.
func Tools() []tools.Tool {
	return []tools.Tool{
		tools.ReadTool("limits", "compute", show),
	}
}

// Args are the arguments of limits.
type Args struct {
	ProjectID string `json:"project_id,omitempty"`
}

// order is the order Nova builds its absolute limits in (quota resources,
// then usage), so rows appear as openstack prints them. Names Nova sends
// that are not here follow, sorted.
var order = []string{
	"maxTotalInstances", "maxTotalCores", "maxTotalRAMSize",
	"maxServerMeta", "maxImageMeta", "maxPersonality", "maxPersonalitySize",
	"maxTotalKeypairs", "maxServerGroups", "maxServerGroupMembers",
	"maxTotalFloatingIps", "maxSecurityGroups", "maxSecurityGroupRules",
	"totalRAMUsed", "totalCoresUsed", "totalInstancesUsed",
	"totalFloatingIpsUsed", "totalSecurityGroupsUsed", "totalServerGroupsUsed",
}

func show(ctx context.Context, env *tools.Env, args Args) (*tools.Result, error) {
	c, err := env.Clients.ServiceClient(ctx, "compute")
	if err != nil {
		return nil, err
	}
	c.Microversion = Microversion
	// A map rather than gophercloud's Absolute struct: the struct would
	// print 0 for limits this microversion no longer reports.
	var body struct {
		Limits struct {
			Absolute map[string]any `json:"absolute"`
		} `json:"limits"`
	}
	if err := limits.Get(ctx, c, limits.GetOpts{TenantID: args.ProjectID}).ExtractInto(&body); err != nil {
		return nil, fmt.Errorf("get compute limits: %w", err)
	}
	abs := body.Limits.Absolute
	rank := map[string]int{}
	for i, name := range order {
		rank[name] = i + 1
	}
	names := make([]string, 0, len(abs))
	for name := range abs {
		names = append(names, name)
	}
	sort.Slice(names, func(i, j int) bool {
		ri, rj := rank[names[i]], rank[names[j]]
		switch {
		case ri > 0 && rj > 0:
			return ri < rj
		case ri > 0 || rj > 0:
			return ri > 0
		}
		return names[i] < names[j]
	})
	out := &tools.List{Columns: []tools.Column{{Name: "Name"}, {Name: "Value"}}}
	for _, name := range names {
		v := abs[name]
		// -1 means unlimited; it is printed as Nova sends it, like openstack.
		if f, ok := v.(float64); ok && f == float64(int(f)) {
			v = int(f)
		}
		out.Rows = append(out.Rows, []any{name, v})
	}
	return &tools.Result{List: out}, nil
}
