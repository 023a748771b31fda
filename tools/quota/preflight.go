package quota

import (
	"context"
	"fmt"

	"github.com/gophercloud/gophercloud/v2"

	"github.com/kriscelmer/os-tui/tools"
)

// Need is what a step draws from one quota.
type Need struct {
	// Service is the catalog type whose quota it is: "compute",
	// "network", "volumev3" or "image".
	Service string
	// Resource is the quota as the service names it: "instances",
	// "port", "gigabytes", "image_count_total", ...
	Resource string
	// Delta is how much more the step uses; zero or less never blocks.
	Delta int
	// Full is the sentence for a quota without room, for tools that say
	// what to do about it; nil gives "ram quota exceeded: 1024 MB in use +
	// ...".
	Full func(u tools.QuotaUse) string
	// Count reads a quota the service's usage report does not count:
	// key pairs belong to a user, and Nova's report counts none. nil
	// reads the service's report.
	Count func(ctx context.Context) (inUse, limit int, err error)
}

// Preflight charges needs against the quotas of project ("" for the
// current one): for each service it reads the usage once, records a
// tools.QuotaUse on chk for every need the cloud reports (usage counts
// what is reserved too) and adds a Block finding for each that would
// overflow. A service missing from the catalog is skipped, since the
// cloud cannot enforce a quota it does not have, and so is a quota the
// service does not report. A usage that cannot be read is an error; a
// tool for which quota is a nicety treats it as a finding.
func Preflight(ctx context.Context, env *tools.Env, chk *tools.Check, project string, needs ...Need) error {
	caps, err := env.Clients.Capabilities(ctx)
	if err != nil {
		return fmt.Errorf("read the service catalog: %w", err)
	}
	reports := map[string]map[string]line{}
	for _, n := range needs {
		if !caps.Has(n.Service) {
			continue
		}
		src, ok := sourceOf(n.Service)
		if !ok {
			return fmt.Errorf("no quota source for service %s", n.Service)
		}
		use := tools.QuotaUse{Service: src.label, Resource: n.Resource, Delta: n.Delta}
		if n.Count != nil {
			if use.InUse, use.Limit, err = n.Count(ctx); err != nil {
				return err
			}
		} else {
			lines, read := reports[n.Service]
			if !read {
				if src.read == nil {
					// Glance's report is the token's; the others name
					// the project.
					if project, err = Project(ctx, env, project); err != nil {
						return err
					}
				}
				if lines, err = src.lines(ctx, env, project); err != nil {
					return err
				}
				reports[n.Service] = lines
			}
			l, ok := lines[n.Resource]
			if !ok {
				continue
			}
			use.InUse, use.Limit = l.inUse()+l.Reserved, *l.Limit
		}
		chk.Quota = append(chk.Quota, use)
		if use.Delta > 0 && use.Limit >= 0 && use.InUse+use.Delta > use.Limit {
			full := n.Full
			if full == nil {
				full = exceeded
			}
			chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block, Text: full(use)})
		}
	}
	return nil
}

// exceeded is the sentence for a full quota, with the numbers.
func exceeded(u tools.QuotaUse) string {
	unit := ""
	switch u.Resource {
	case "ram":
		unit = " MB"
	case "gigabytes":
		unit = " GB"
	}
	return fmt.Sprintf("%s quota exceeded: %d%s in use + %d%s needed > limit %d%s (%d%s free)",
		u.Resource, u.InUse, unit, u.Delta, unit, u.Limit, unit, max(u.Limit-u.InUse, 0), unit)
}

// sourceOf returns the usage report of a service.
func sourceOf(service string) (source, bool) {
	for _, s := range sources {
		if s.service == service {
			return s, true
		}
	}
	if service == imageSource.service {
		return imageSource, true
	}
	return source{}, false
}

// lines reads one service's usage of project.
func (s source) lines(ctx context.Context, env *tools.Env, project string) (map[string]line, error) {
	c, err := env.Clients.ServiceClient(ctx, s.service)
	if err != nil {
		return nil, fmt.Errorf("%s service: %w", s.label, err)
	}
	if s.read != nil {
		return s.read(ctx, c)
	}
	r := s.fetch(ctx, c, project)
	if r.Err != nil {
		return nil, fmt.Errorf("get %s quotas of project %s: %w", s.label, project, r.Err)
	}
	lines, err := decode(r.Body, s.key)
	if err != nil {
		return nil, fmt.Errorf("read %s quotas: %w", s.label, err)
	}
	return lines, nil
}

// imageSource is Glance's own quotas, where the cloud reports them
// (unified limits, GET /v2/info/usage). quota.show leaves them out: they
// are the cloud's, not the project's quota set.
var imageSource = source{service: "image", label: "image", read: func(ctx context.Context, c *gophercloud.ServiceClient) (map[string]line, error) {
	var body struct {
		Usage map[string]struct {
			Limit int `json:"limit"`
			Usage int `json:"usage"`
		} `json:"usage"`
	}
	if _, err := c.Get(ctx, c.ServiceURL("info", "usage"), &body, nil); err != nil { //nolint:bodyclose // closed by gophercloud
		return nil, fmt.Errorf("get image quotas: %w", err)
	}
	out := make(map[string]line, len(body.Usage))
	for k, u := range body.Usage {
		out[k] = line{InUse: &u.Usage, Limit: &u.Limit}
	}
	return out, nil
}}
