// Package loadbalancer is the kernel the load balancer (Octavia) tools
// share: the client, finding each kind of object by name or ID, the load
// balancer an object belongs to, and the rules of Octavia's provisioning
// states. Octavia accepts one change at a time per load balancer: while
// it is PENDING_* every other change is refused with 409, so each tool
// waits for the load balancer to settle before it writes (Settle) and
// has the executor wait for it to be ACTIVE again after (Await).
//
// The tools live in one package per resource below this one:
// loadbalancers (with the wizard and the status tree), listeners, pools,
// members (with the rolling rotation), monitors and l7policies (with
// their rules).
package loadbalancer

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/loadbalancer/v2/l7policies"
	"github.com/gophercloud/gophercloud/v2/openstack/loadbalancer/v2/listeners"
	"github.com/gophercloud/gophercloud/v2/openstack/loadbalancer/v2/loadbalancers"
	"github.com/gophercloud/gophercloud/v2/openstack/loadbalancer/v2/monitors"
	"github.com/gophercloud/gophercloud/v2/openstack/loadbalancer/v2/pools"
	"github.com/gophercloud/gophercloud/v2/pagination"

	"github.com/kriscelmer/os-tui/tools"
)

// Service is the catalog type every load balancer tool needs.
const Service = "load-balancer"

// Kinds of objects, in findings, errors and env.Names.
const (
	KindLB       = "loadbalancer"
	KindListener = "loadbalancer.listener"
	KindPool     = "loadbalancer.pool"
	KindMember   = "loadbalancer.member"
	KindMonitor  = "loadbalancer.healthmonitor"
	KindPolicy   = "loadbalancer.policy"
	KindRule     = "loadbalancer.rule"
)

// SettleTimeout bounds how long a tool waits for a load balancer to leave
// a PENDING_* state before it writes.
var SettleTimeout = 5 * time.Minute

// SettlePoll is how often Settle asks; tests make it short.
var SettlePoll = 2 * time.Second

// Client returns the load-balancer service client.
func Client(ctx context.Context, env *tools.Env) (*gophercloud.ServiceClient, error) {
	c, err := env.Clients.ServiceClient(ctx, Service)
	if err != nil {
		return nil, fmt.Errorf("load-balancer service: %w", err)
	}
	if c.ResourceBase == "" {
		// The catalog endpoint is unversioned; gophercloud's
		// NewLoadBalancerV2 puts the resources under v2.0/.
		c.ResourceBase = strings.TrimSuffix(c.Endpoint, "/") + "/v2.0/"
	}
	return c, nil
}

// find returns the one object whose ID or name is nameOrID: the ID
// first, then an exact name among those list returns.
func find[T any](ctx context.Context, kind, nameOrID string, get func(string) (*T, error), list func() ([]T, error), cand func(T) tools.Candidate) (*T, error) {
	if tools.IsUUID(nameOrID) {
		v, err := get(nameOrID)
		if err == nil {
			return v, nil
		}
		if !gophercloud.ResponseCodeIs(err, 404) {
			return nil, fmt.Errorf("get %s %s: %w", kind, nameOrID, err)
		}
	}
	all, err := list()
	if err != nil {
		return nil, fmt.Errorf("find %s %s: %w", kind, nameOrID, err)
	}
	cands := make([]tools.Candidate, 0, len(all))
	for _, v := range all {
		cands = append(cands, cand(v))
	}
	c, err := tools.Pick(kind, nameOrID, cands)
	if err != nil {
		return nil, err
	}
	for i := range all {
		if cand(all[i]).ID == c.ID {
			return &all[i], nil
		}
	}
	return nil, &tools.NotFoundError{Kind: kind, Name: nameOrID}
}

// All fetches every page of a list and decodes it.
func All[T any](ctx context.Context, pager pagination.Pager, extract func(pagination.Page) ([]T, error)) ([]T, error) {
	page, err := pager.AllPages(ctx)
	if err != nil {
		return nil, err
	}
	return extract(page)
}

// FindLB finds a load balancer by name or ID.
func FindLB(ctx context.Context, c *gophercloud.ServiceClient, nameOrID string) (*loadbalancers.LoadBalancer, error) {
	return find(ctx, KindLB, nameOrID,
		func(id string) (*loadbalancers.LoadBalancer, error) { return loadbalancers.Get(ctx, c, id).Extract() },
		func() ([]loadbalancers.LoadBalancer, error) {
			return All(ctx, loadbalancers.List(c, loadbalancers.ListOpts{Name: nameOrID}), loadbalancers.ExtractLoadBalancers)
		},
		func(v loadbalancers.LoadBalancer) tools.Candidate { return tools.Candidate{ID: v.ID, Name: v.Name} })
}

// FindListener finds a listener by name or ID.
func FindListener(ctx context.Context, c *gophercloud.ServiceClient, nameOrID string) (*listeners.Listener, error) {
	return find(ctx, KindListener, nameOrID,
		func(id string) (*listeners.Listener, error) { return listeners.Get(ctx, c, id).Extract() },
		func() ([]listeners.Listener, error) {
			return All(ctx, listeners.List(c, listeners.ListOpts{Name: nameOrID}), listeners.ExtractListeners)
		},
		func(v listeners.Listener) tools.Candidate { return tools.Candidate{ID: v.ID, Name: v.Name} })
}

// FindPool finds a pool by name or ID.
func FindPool(ctx context.Context, c *gophercloud.ServiceClient, nameOrID string) (*pools.Pool, error) {
	return find(ctx, KindPool, nameOrID,
		func(id string) (*pools.Pool, error) { return pools.Get(ctx, c, id).Extract() },
		func() ([]pools.Pool, error) {
			return All(ctx, pools.List(c, pools.ListOpts{Name: nameOrID}), pools.ExtractPools)
		},
		func(v pools.Pool) tools.Candidate { return tools.Candidate{ID: v.ID, Name: v.Name} })
}

// FindMember finds a pool's member by ID, name or address (a member
// made without a name is known by its address).
func FindMember(ctx context.Context, c *gophercloud.ServiceClient, poolID, ref string) (*pools.Member, error) {
	all, err := All(ctx, pools.ListMembers(c, poolID, pools.ListMembersOpts{}), pools.ExtractMembers)
	if err != nil {
		return nil, fmt.Errorf("list the members of pool %s: %w", poolID, err)
	}
	var cands []tools.Candidate
	for _, m := range all {
		name := m.Name
		if name != ref && m.Address == ref {
			name = m.Address
		}
		cands = append(cands, tools.Candidate{ID: m.ID, Name: name})
	}
	got, err := tools.Pick(KindMember, ref, cands)
	if err != nil {
		return nil, err
	}
	for i := range all {
		if all[i].ID == got.ID {
			return &all[i], nil
		}
	}
	return nil, &tools.NotFoundError{Kind: KindMember, Name: ref}
}

// Members lists a pool's members.
func Members(ctx context.Context, c *gophercloud.ServiceClient, poolID string) ([]pools.Member, error) {
	all, err := All(ctx, pools.ListMembers(c, poolID, pools.ListMembersOpts{}), pools.ExtractMembers)
	if err != nil {
		return nil, fmt.Errorf("list the members of pool %s: %w", poolID, err)
	}
	return all, nil
}

// FindMonitor finds a health monitor by name or ID.
func FindMonitor(ctx context.Context, c *gophercloud.ServiceClient, nameOrID string) (*monitors.Monitor, error) {
	return find(ctx, KindMonitor, nameOrID,
		func(id string) (*monitors.Monitor, error) { return monitors.Get(ctx, c, id).Extract() },
		func() ([]monitors.Monitor, error) {
			return All(ctx, monitors.List(c, monitors.ListOpts{Name: nameOrID}), monitors.ExtractMonitors)
		},
		func(v monitors.Monitor) tools.Candidate { return tools.Candidate{ID: v.ID, Name: v.Name} })
}

// FindPolicy finds an L7 policy by name or ID.
func FindPolicy(ctx context.Context, c *gophercloud.ServiceClient, nameOrID string) (*l7policies.L7Policy, error) {
	return find(ctx, KindPolicy, nameOrID,
		func(id string) (*l7policies.L7Policy, error) { return l7policies.Get(ctx, c, id).Extract() },
		func() ([]l7policies.L7Policy, error) {
			return All(ctx, l7policies.List(c, l7policies.ListOpts{Name: nameOrID}), l7policies.ExtractL7Policies)
		},
		func(v l7policies.L7Policy) tools.Candidate { return tools.Candidate{ID: v.ID, Name: v.Name} })
}

// Label is "name (id)", or the ID alone for an object without a name.
func Label(name, id string) string {
	if name == "" {
		return id
	}
	return name
}

// Named is "NAME " for a name given, "" without one, to go before a
// description in a preview line ("listener web (HTTP on port 80)").
func Named(name string) string {
	if name == "" {
		return ""
	}
	return name + " "
}

// LBOfPool returns the load balancer a pool belongs to.
func LBOfPool(p *pools.Pool) string {
	if len(p.Loadbalancers) > 0 {
		return p.Loadbalancers[0].ID
	}
	return ""
}

// LBOfListener returns the load balancer a listener belongs to.
func LBOfListener(l *listeners.Listener) string {
	if len(l.Loadbalancers) > 0 {
		return l.Loadbalancers[0].ID
	}
	return ""
}

// Pending reports whether a provisioning status is one of Octavia's
// PENDING_* states, during which the load balancer takes no change.
func Pending(status string) bool { return strings.HasPrefix(status, "PENDING_") }

// StateFindings says what a load balancer's provisioning state means for
// a change to it or to anything on it: ERROR blocks (Octavia refuses
// changes to a load balancer in ERROR), PENDING_* is waited out.
func StateFindings(lb *loadbalancers.LoadBalancer) []tools.Finding {
	name := Label(lb.Name, lb.ID)
	switch {
	case lb.ProvisioningStatus == "ERROR":
		return []tools.Finding{{Level: tools.Block, Text: fmt.Sprintf("load balancer %s is in ERROR and Octavia takes no change to it; delete it with /loadbalancer delete %s --cascade, or ask the operator to fail it over", name, name)}}
	case Pending(lb.ProvisioningStatus):
		return []tools.Finding{{Level: tools.Info, Text: fmt.Sprintf("load balancer %s is %s; the step waits for it to settle before it writes", name, lb.ProvisioningStatus)}}
	}
	return nil
}

// ParentFindings reads the load balancer an object hangs from and returns
// what its state means for a change (StateFindings) and the state itself,
// for the Check's record. One that cannot be read adds nothing: the
// object's own lookup already answered, and the write reports the rest.
func ParentFindings(ctx context.Context, c *gophercloud.ServiceClient, lbID string) ([]tools.Finding, string) {
	v, err := loadbalancers.Get(ctx, c, lbID).Extract()
	if err != nil {
		return nil, ""
	}
	return StateFindings(v), v.ProvisioningStatus
}

// Settle waits while the load balancer is PENDING_*, reporting progress,
// so that the write that follows is not refused with 409. It returns the
// load balancer as last read; ERROR is an error.
func Settle(ctx context.Context, env *tools.Env, c *gophercloud.ServiceClient, lbID string) (*loadbalancers.LoadBalancer, error) {
	start := time.Now()
	for {
		lb, err := loadbalancers.Get(ctx, c, lbID).Extract()
		if err != nil {
			if gophercloud.ResponseCodeIs(err, 404) {
				return nil, &tools.NotFoundError{Kind: KindLB, Name: lbID}
			}
			return nil, fmt.Errorf("get load balancer %s: %w", lbID, err)
		}
		switch {
		case lb.ProvisioningStatus == "ERROR":
			return lb, fmt.Errorf("load balancer %s is in ERROR; Octavia takes no change to it", Label(lb.Name, lb.ID))
		case !Pending(lb.ProvisioningStatus):
			return lb, nil
		case time.Since(start) > SettleTimeout:
			return lb, fmt.Errorf("load balancer %s is still %s after %s; try again when /loadbalancer show %s says ACTIVE",
				Label(lb.Name, lb.ID), lb.ProvisioningStatus, time.Since(start).Round(time.Second), Label(lb.Name, lb.ID))
		}
		env.Report().Status(fmt.Sprintf("load balancer %s is %s; waiting (%s)", Label(lb.Name, lb.ID), lb.ProvisioningStatus, time.Since(start).Round(time.Second)))
		t := time.NewTimer(SettlePoll)
		select {
		case <-ctx.Done():
			t.Stop()
			return lb, ctx.Err()
		case <-t.C:
		}
	}
}

// AwaitLB asks the executor to wait until the load balancer is ACTIVE
// again after a change to it or to an object on it.
func AwaitLB(c *gophercloud.ServiceClient, lbID, name string) *tools.Await {
	return &tools.Await{
		Kind: KindLB, ID: lbID, Name: Label(name, lbID),
		Until: []string{"ACTIVE"}, Fail: []string{"ERROR"},
		Poll: func(ctx context.Context, _ *tools.Env) (string, error) {
			lb, err := loadbalancers.Get(ctx, c, lbID).Extract()
			if err != nil {
				if gophercloud.ResponseCodeIs(err, 404) {
					return "", &tools.NotFoundError{Kind: KindLB, Name: lbID}
				}
				return "", err
			}
			return lb.ProvisioningStatus, nil
		},
	}
}

// AwaitGone asks the executor to wait until get reports 404, while the
// load balancer (or object) is being deleted.
func AwaitGone(kind, id, name string, get func(ctx context.Context) (string, error)) *tools.Await {
	return &tools.Await{
		Kind: kind, ID: id, Name: Label(name, id), Gone: true, Fail: []string{"ERROR"},
		Poll: func(ctx context.Context, _ *tools.Env) (string, error) {
			st, err := get(ctx)
			if err != nil && gophercloud.ResponseCodeIs(err, 404) {
				return "", &tools.NotFoundError{Kind: kind, Name: id}
			}
			return st, err
		},
	}
}

// NotFound turns a 404 into a *tools.NotFoundError.
func NotFound(err error, kind, name string) error {
	if err != nil && gophercloud.ResponseCodeIs(err, 404) {
		return &tools.NotFoundError{Kind: kind, Name: name}
	}
	return err
}

// LookupFinding turns a failed lookup into a blocking sentence when the
// name is the person's to fix (not found, ambiguous); other errors are
// the preflight's own.
func LookupFinding(err error) (tools.Finding, error) {
	var nf *tools.NotFoundError
	var amb *tools.AmbiguousError
	if errors.As(err, &nf) || errors.As(err, &amb) {
		return tools.Finding{Level: tools.Block, Text: err.Error()}, nil
	}
	return tools.Finding{}, err
}

// Info, Warn and Block build findings.
func Info(format string, a ...any) tools.Finding {
	return tools.Finding{Level: tools.Info, Text: fmt.Sprintf(format, a...)}
}

// Warn builds a warning.
func Warn(format string, a ...any) tools.Finding {
	return tools.Finding{Level: tools.Warn, Text: fmt.Sprintf(format, a...)}
}

// Block builds a blocking finding.
func Block(format string, a ...any) tools.Finding {
	return tools.Finding{Level: tools.Block, Text: fmt.Sprintf(format, a...)}
}
