package members

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gophercloud/gophercloud/v2/openstack/loadbalancer/v2/loadbalancers"
	"github.com/gophercloud/gophercloud/v2/openstack/loadbalancer/v2/pools"

	"github.com/kriscelmer/os-tui/tools"
	lb "github.com/kriscelmer/os-tui/tools/loadbalancer"
)

// DrainArgs are the arguments of loadbalancer.member.drain.
type DrainArgs struct {
	Pool   string `json:"pool"`
	Member string `json:"member"`
	Wait   string `json:"wait,omitempty"`
}

// UndrainArgs are the arguments of loadbalancer.member.undrain.
type UndrainArgs struct {
	Pool    string `json:"pool"`
	Member  string `json:"member"`
	Weight  int    `json:"weight,omitempty"`
	Timeout string `json:"timeout,omitempty"`
	Force   bool   `json:"force,omitempty"`
}

// ParseWait reads 30s, 2m or a number of seconds.
func ParseWait(s string, def time.Duration) time.Duration {
	if s == "" {
		return def
	}
	unit := time.Second
	switch {
	case strings.HasSuffix(s, "m"):
		unit, s = time.Minute, strings.TrimSuffix(s, "m")
	case strings.HasSuffix(s, "s"):
		s = strings.TrimSuffix(s, "s")
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return def
	}
	return time.Duration(n) * unit
}

// Health is what "healthy" means for a member after an update.
//
// ONLINE is healthy: a health monitor checked it. NO_MONITOR is counted
// healthy too, because then Octavia reports no health at all: the pool
// has no monitor, or the provider does not run monitors (the devcloud's
// noop amphora driver leaves every member NO_MONITOR even under a
// monitor). The member's provisioning must be ACTIVE, and the update
// step itself (a server action) has already waited for its server to be
// ACTIVE. ERROR and OFFLINE are unhealthy; DRAINING (weight 0 is not
// draining, admin state down is) is not yet healthy.
func Health(m *pools.Member) (healthy bool, why string) {
	switch {
	case m.ProvisioningStatus != "ACTIVE":
		return false, "its provisioning is " + m.ProvisioningStatus
	case m.OperatingStatus == "ONLINE":
		return true, "ONLINE: its health monitor passes"
	case m.OperatingStatus == "NO_MONITOR":
		return true, "NO_MONITOR: Octavia reports no health for it (no monitor, or a provider that runs none), so ACTIVE counts as healthy"
	}
	return false, "its operating status is " + m.OperatingStatus
}

func drainTool() tools.Tool {
	return tools.ChangeTool(tools.ChangeSpec[DrainArgs]{
		Name: "loadbalancer.member.drain", Effect: tools.Change, Service: lb.Service, Produces: []string{"id", "weight"},
		Check: func(ctx context.Context, env *tools.Env, args DrainArgs) (*tools.Check, error) {
			c, err := lb.Client(ctx, env)
			if err != nil {
				return nil, err
			}
			p, m, chk, err := findBoth(ctx, c, args.Pool, args.Member)
			if err != nil {
				return nil, err
			}
			chk.Findings = append(chk.Findings, lb.Info("after the weight is 0, connections get %s to finish", ParseWait(args.Wait, 30*time.Second)))
			if m.Weight == 0 {
				chk.Findings = append(chk.Findings, lb.Info("member %s already has weight 0", memberName(*m)))
			}
			args.Pool, args.Member = p.ID, m.ID
			chk.Resolved = tools.JSON(args)
			return chk, nil
		},
		Preview: func(ctx context.Context, env *tools.Env, args DrainArgs, chk *tools.Check) (*tools.Preview, error) {
			c, err := lb.Client(ctx, env)
			if err != nil {
				return nil, err
			}
			zero := 0
			body, _ := pools.UpdateMemberOpts{Weight: &zero}.ToMemberUpdateMap()
			p := &tools.Preview{Requests: []tools.Request{{Method: "PUT", URL: c.ServiceURL("lbaas", "pools", args.Pool, "members", args.Member), Body: body}}}
			if m, ok := tools.FetchedAs[*pools.Member](chk); ok {
				p.Changes = []tools.FieldChange{{Field: "weight", From: m.Weight, To: 0}}
			}
			return p, nil
		},
		Run: runDrain,
		Undo: func(a DrainArgs, res *tools.Result) *tools.Call {
			w := 1
			if res != nil {
				if n, err := strconv.Atoi(res.Outputs["weight"]); err == nil && n > 0 {
					w = n
				}
			}
			return &tools.Call{Tool: "loadbalancer.member.undrain", Args: tools.JSON(UndrainArgs{Pool: a.Pool, Member: a.Member, Weight: w}),
				Why: "put member " + a.Member + " back in rotation once it is healthy"}
		},
	})
}

func runDrain(ctx context.Context, env *tools.Env, args DrainArgs) (*tools.Result, error) {
	c, err := lb.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	p, v, err := settlePool(ctx, env, c, args.Pool)
	if err != nil {
		return nil, err
	}
	m, err := lb.FindMember(ctx, c, p.ID, args.Member)
	if err != nil {
		return nil, err
	}
	zero := 0
	r := pools.UpdateMember(ctx, c, p.ID, m.ID, pools.UpdateMemberOpts{Weight: &zero})
	if _, err := r.Extract(); err != nil {
		return nil, fmt.Errorf("drain member %s: %w", memberName(*m), err)
	}
	wait := ParseWait(args.Wait, 30*time.Second)
	// The wait is the executor's: first the load balancer applies the
	// weight, then the connections get their time; both show as progress.
	var drainedAt time.Time
	aw := &tools.Await{Kind: lb.KindMember, ID: m.ID, Name: memberName(*m), Until: []string{"DRAINED"}, Fail: []string{"ERROR"},
		Timeout: wait + lb.SettleTimeout,
		Poll: func(ctx context.Context, _ *tools.Env) (string, error) {
			if drainedAt.IsZero() {
				cur, err := loadbalancers.Get(ctx, c, v.ID).Extract()
				if err != nil {
					return "", err
				}
				if cur.ProvisioningStatus != "ACTIVE" {
					return cur.ProvisioningStatus, nil
				}
				drainedAt = time.Now()
			}
			if left := wait - time.Since(drainedAt); left > 0 {
				return fmt.Sprintf("DRAINING:%s left", left.Round(time.Second)), nil
			}
			return "DRAINED", nil
		}}
	return &tools.Result{
		Message: fmt.Sprintf("member %s drained (weight %d → 0), connections given %s", memberName(*m), m.Weight, wait),
		Outputs: map[string]string{"id": m.ID, "weight": strconv.Itoa(m.Weight)}, Await: aw,
		RequestIDs: tools.HeaderRequestIDs(r.Header),
	}, nil
}

func undrainTool() tools.Tool {
	return tools.ChangeTool(tools.ChangeSpec[UndrainArgs]{
		Name: "loadbalancer.member.undrain", Effect: tools.Change, Service: lb.Service, Produces: []string{"id"},
		Check: func(ctx context.Context, env *tools.Env, args UndrainArgs) (*tools.Check, error) {
			c, err := lb.Client(ctx, env)
			if err != nil {
				return nil, err
			}
			p, m, chk, err := findBoth(ctx, c, args.Pool, args.Member)
			if err != nil {
				return nil, err
			}
			// The state a rotation leaves between its steps (weight 0,
			// an update running) is not a change the gate should stop on.
			chk.State = ""
			if args.Force {
				chk.Findings = append(chk.Findings, lb.Warn("--force: the weight is restored even if member %s is not healthy", memberName(*m)))
			} else {
				chk.Findings = append(chk.Findings, lb.Info("member %s goes back in rotation only when healthy (ONLINE, or NO_MONITOR when Octavia reports no health)", memberName(*m)))
			}
			args.Pool, args.Member = p.ID, m.ID
			chk.Resolved = tools.JSON(args)
			return chk, nil
		},
		Preview: func(ctx context.Context, env *tools.Env, args UndrainArgs, _ *tools.Check) (*tools.Preview, error) {
			c, err := lb.Client(ctx, env)
			if err != nil {
				return nil, err
			}
			w := weightOf(args)
			body, _ := pools.UpdateMemberOpts{Weight: &w}.ToMemberUpdateMap()
			return &tools.Preview{
				Requests: []tools.Request{{Method: "GET", URL: c.ServiceURL("lbaas", "pools", args.Pool, "members", args.Member)},
					{Method: "PUT", URL: c.ServiceURL("lbaas", "pools", args.Pool, "members", args.Member), Body: body}},
				Changes: []tools.FieldChange{{Field: "weight", From: 0, To: w}},
			}, nil
		},
		Run: runUndrain,
	})
}

func weightOf(a UndrainArgs) int {
	if a.Weight > 0 {
		return a.Weight
	}
	return 1
}

// HealthPoll is how often undrain reads a member's health.
var HealthPoll = 3 * time.Second

func runUndrain(ctx context.Context, env *tools.Env, args UndrainArgs) (*tools.Result, error) {
	c, err := lb.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	p, err := lb.FindPool(ctx, c, args.Pool)
	if err != nil {
		return nil, err
	}
	timeout := ParseWait(args.Timeout, 2*time.Minute)
	start := time.Now()
	var m *pools.Member
	why := ""
	for {
		if m, err = lb.FindMember(ctx, c, p.ID, args.Member); err != nil {
			return nil, err
		}
		var ok bool
		ok, why = Health(m)
		if ok || args.Force {
			break
		}
		if time.Since(start) > timeout {
			return nil, fmt.Errorf("member %s (%s:%d) is not healthy after %s: %s; it stays drained (weight 0). Look at the back end, then put it back with /loadbalancer member undrain %s %s --force, or run the undo",
				memberName(*m), m.Address, m.ProtocolPort, timeout, why, lb.Label(p.Name, p.ID), memberName(*m))
		}
		env.Report().Status(fmt.Sprintf("member %s: %s; waiting for it to be healthy (%s)", memberName(*m), why, time.Since(start).Round(time.Second)))
		t := time.NewTimer(HealthPoll)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
	}
	v, err := lb.Settle(ctx, env, c, lb.LBOfPool(p))
	if err != nil {
		return nil, err
	}
	w := weightOf(args)
	r := pools.UpdateMember(ctx, c, p.ID, m.ID, pools.UpdateMemberOpts{Weight: &w})
	if _, err := r.Extract(); err != nil {
		return nil, fmt.Errorf("restore the weight of member %s: %w", memberName(*m), err)
	}
	return &tools.Result{
		Message: fmt.Sprintf("member %s is healthy (%s) and back in rotation (weight %d)", memberName(*m), why, w),
		Outputs: map[string]string{"id": m.ID}, Await: lb.AwaitLB(c, v.ID, v.Name), RequestIDs: tools.HeaderRequestIDs(r.Header),
	}, nil
}
