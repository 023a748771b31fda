package servers

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/gophercloud/gophercloud/v2"
	cinderquotas "github.com/gophercloud/gophercloud/v2/openstack/blockstorage/v3/quotasets"
	novaquotas "github.com/gophercloud/gophercloud/v2/openstack/compute/v2/quotasets"
	neutronquotas "github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/quotas"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/quota"
)

// usage is one quota line: nova and cinder say in_use, neutron says used.
type usage struct {
	InUse    *int `json:"in_use"`
	Used     *int `json:"used"`
	Reserved int  `json:"reserved"`
	Limit    *int `json:"limit"`
}

func (u usage) inUse() int {
	switch {
	case u.InUse != nil:
		return *u.InUse
	case u.Used != nil:
		return *u.Used
	}
	return 0
}

// quotaSource reads one service's usage of the current project.
type quotaSource struct {
	service string // catalog type
	label   string // QuotaUse.Service
	key     string // the body's top-level key
	fetch   func(ctx context.Context, c *gophercloud.ServiceClient, project string) gophercloud.Result
}

var (
	computeQuota = quotaSource{service: "compute", label: "compute", key: "quota_set",
		fetch: func(ctx context.Context, c *gophercloud.ServiceClient, p string) gophercloud.Result {
			return novaquotas.GetDetail(ctx, c, p).Result
		}}
	networkQuota = quotaSource{service: "network", label: "network", key: "quota",
		fetch: func(ctx context.Context, c *gophercloud.ServiceClient, p string) gophercloud.Result {
			return neutronquotas.GetDetail(ctx, c, p).Result
		}}
	volumeQuota = quotaSource{service: "volumev3", label: "volume", key: "quota_set",
		fetch: func(ctx context.Context, c *gophercloud.ServiceClient, p string) gophercloud.Result {
			return cinderquotas.GetUsage(ctx, c, p).Result
		}}
)

// quotaCheck collects what a step adds to the project's quotas and
// blocks when any would overflow.
type quotaCheck struct {
	project string
	uses    []tools.QuotaUse
}

// newQuotaCheck finds the current project (from the token).
func newQuotaCheck(ctx context.Context, env *tools.Env) (*quotaCheck, error) {
	p, err := quota.Project(ctx, env, "")
	if err != nil {
		return nil, err
	}
	return &quotaCheck{project: p}, nil
}

// add reads one service's usage and records the deltas for the named
// resources. A service missing from the catalog is skipped: the cloud
// cannot enforce a quota it does not have.
func (q *quotaCheck) add(ctx context.Context, env *tools.Env, src quotaSource, deltas map[string]int, order ...string) error {
	caps, err := env.Clients.Capabilities(ctx)
	if err != nil {
		return fmt.Errorf("read the service catalog: %w", err)
	}
	if !caps.Has(src.service) {
		return nil
	}
	c, err := env.Clients.ServiceClient(ctx, src.service)
	if err != nil {
		return fmt.Errorf("%s service: %w", src.label, err)
	}
	r := src.fetch(ctx, c, q.project)
	if r.Err != nil {
		return fmt.Errorf("read %s quotas of project %s: %w", src.label, q.project, r.Err)
	}
	b, err := json.Marshal(r.Body)
	if err != nil {
		return err
	}
	var top map[string]map[string]json.RawMessage
	if err := json.Unmarshal(b, &top); err != nil {
		return fmt.Errorf("read %s quotas: %w", src.label, err)
	}
	for _, name := range order {
		raw, ok := top[src.key][name]
		if !ok {
			continue
		}
		var u usage
		if json.Unmarshal(raw, &u) != nil || u.Limit == nil {
			continue
		}
		q.uses = append(q.uses, tools.QuotaUse{
			Service: src.label, Resource: name,
			InUse: u.inUse() + u.Reserved, Limit: *u.Limit, Delta: deltas[name],
		})
	}
	return nil
}

// findings blocks every quota the step would overflow, with the numbers.
func (q *quotaCheck) findings() []tools.Finding {
	var out []tools.Finding
	for _, u := range q.uses {
		if u.Delta <= 0 || u.Limit < 0 || u.InUse+u.Delta <= u.Limit {
			continue
		}
		unit := ""
		switch u.Resource {
		case "ram":
			unit = " MB"
		case "gigabytes":
			unit = " GB"
		}
		out = append(out, block("%s quota exceeded: %d%s in use + %d%s needed > limit %d%s (%d%s free)",
			u.Resource, u.InUse, unit, u.Delta, unit, u.Limit, unit, max(u.Limit-u.InUse, 0), unit))
	}
	return out
}
