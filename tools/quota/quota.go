// Package quota holds the quota tool (limits and usage of a project
// across compute, network and block storage) and the quota preflight
// every create tool calls (Preflight): one reading of usage, one rule for
// what overflows, one sentence.
package quota

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/gophercloud/gophercloud/v2"
	cinderquotas "github.com/gophercloud/gophercloud/v2/openstack/blockstorage/v3/quotasets"
	novaquotas "github.com/gophercloud/gophercloud/v2/openstack/compute/v2/quotasets"
	neutronquotas "github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/quotas"

	"github.com/kriscelmer/os-tui/tools"
)

// Tools returns the quota tool.
func Tools() []tools.Tool {
	return []tools.Tool{
		tools.ReadTool("quota.show", "identity", show),
	}
}

// ShowArgs are the arguments of quota.show.
type ShowArgs struct {
	Project string `json:"project,omitempty"`
	// Service narrows the report to one service ("compute", "network",
	// "volume"), so a caller can read the three at once and a refusal by
	// one does not hide the others (the overview's quota panels).
	Service string `json:"service,omitempty"`
}

// Usage is one resource's quota line.
type Usage struct {
	Resource string
	Service  string
	InUse    int
	Reserved int
	Limit    int
}

// source is one service's usage endpoint.
type source struct {
	service string // catalog type
	label   string // the column value: "compute", "network", "volume"
	key     string // the body's top-level key
	first   []string
	fetch   func(ctx context.Context, c *gophercloud.ServiceClient, project string) gophercloud.Result
	// read replaces fetch for a service whose report is not a quota set.
	read func(ctx context.Context, c *gophercloud.ServiceClient) (map[string]line, error)
}

// sources lists the services in the order they are shown; within each,
// the resources people ask about come first, the rest alphabetically.
var sources = []source{
	{
		service: "compute", label: "compute", key: "quota_set",
		first: []string{"instances", "cores", "ram", "key_pairs", "server_groups", "server_group_members", "metadata_items"},
		fetch: func(ctx context.Context, c *gophercloud.ServiceClient, p string) gophercloud.Result {
			return novaquotas.GetDetail(ctx, c, p).Result
		},
	},
	{
		service: "network", label: "network", key: "quota",
		first: []string{"network", "subnet", "port", "router", "floatingip", "security_group", "security_group_rule"},
		fetch: func(ctx context.Context, c *gophercloud.ServiceClient, p string) gophercloud.Result {
			return neutronquotas.GetDetail(ctx, c, p).Result
		},
	},
	{
		service: "volumev3", label: "volume", key: "quota_set",
		first: []string{"volumes", "gigabytes", "snapshots", "backups", "backup_gigabytes", "groups", "per_volume_gigabytes"},
		fetch: func(ctx context.Context, c *gophercloud.ServiceClient, p string) gophercloud.Result {
			return cinderquotas.GetUsage(ctx, c, p).Result
		},
	},
}

// line is one resource in any of the three bodies: nova and cinder say
// in_use, neutron says used.
type line struct {
	InUse    *int `json:"in_use"`
	Used     *int `json:"used"`
	Reserved int  `json:"reserved"`
	Limit    *int `json:"limit"`
}

func (l line) inUse() int {
	switch {
	case l.InUse != nil:
		return *l.InUse
	case l.Used != nil:
		return *l.Used
	}
	return 0
}

// decode reads the usage lines of one service's body. Entries that are not
// usage lines (the project "id") are skipped.
func decode(body any, key string) (map[string]line, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	var top map[string]map[string]json.RawMessage
	if err := json.Unmarshal(b, &top); err != nil {
		return nil, err
	}
	out := map[string]line{}
	for name, raw := range top[key] {
		var l line
		if json.Unmarshal(raw, &l) != nil || l.Limit == nil {
			continue
		}
		out[name] = l
	}
	return out, nil
}

// order puts the listed names first (when present), then the rest sorted.
func order(lines map[string]line, first []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, n := range first {
		if _, ok := lines[n]; ok {
			out = append(out, n)
			seen[n] = true
		}
	}
	var rest []string
	for n := range lines {
		if !seen[n] {
			rest = append(rest, n)
		}
	}
	sort.Strings(rest)
	return append(out, rest...)
}

// Project returns the given project or, when empty, the current one.
func Project(ctx context.Context, env *tools.Env, project string) (string, error) {
	if project != "" {
		return project, nil
	}
	id, err := tools.CurrentIdentity(ctx, env)
	if err != nil {
		return "", err
	}
	if id.ProjectID == "" {
		return "", fmt.Errorf("the session is not scoped to a project; name one with --project")
	}
	return id.ProjectID, nil
}

// All returns every quota line of a project, skipping services the
// catalog does not have.
func All(ctx context.Context, env *tools.Env, project string) ([]Usage, error) {
	return of(ctx, env, project, "")
}

// of returns the quota lines of one service (by its label), or of every
// service when label is empty.
func of(ctx context.Context, env *tools.Env, project, label string) ([]Usage, error) {
	caps, err := env.Clients.Capabilities(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the service catalog: %w", err)
	}
	var out []Usage
	for _, src := range sources {
		if label != "" && src.label != label {
			continue
		}
		if !caps.Has(src.service) {
			if label != "" {
				return nil, fmt.Errorf("this cloud's catalog has no %s service (%s) in this region", src.label, src.service)
			}
			continue
		}
		lines, err := src.lines(ctx, env, project)
		if err != nil {
			return nil, err
		}
		for _, name := range order(lines, src.first) {
			l := lines[name]
			out = append(out, Usage{Resource: name, Service: src.label, InUse: l.inUse(), Reserved: l.Reserved, Limit: *l.Limit})
		}
	}
	return out, nil
}

func show(ctx context.Context, env *tools.Env, args ShowArgs) (*tools.Result, error) {
	project, err := Project(ctx, env, args.Project)
	if err != nil {
		return nil, err
	}
	all, err := of(ctx, env, project, args.Service)
	if err != nil {
		return nil, err
	}
	out := &tools.List{Columns: []tools.Column{
		{Name: "Resource"}, {Name: "Service"}, {Name: "In Use"}, {Name: "Reserved"}, {Name: "Limit"},
	}}
	for _, u := range all {
		out.Rows = append(out.Rows, []any{u.Resource, u.Service, u.InUse, u.Reserved, u.Limit})
	}
	return &tools.Result{List: out, Message: "Quotas of project " + project + " (a limit of -1 means unlimited)"}, nil
}
