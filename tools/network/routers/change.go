package routers

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/layer3/routers"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/network"
	"github.com/kriscelmer/os-tui/tools/quota"
)

// CreateArgs are the arguments of router.create.
type CreateArgs struct {
	Name            string `json:"name"`
	Description     string `json:"description,omitempty"`
	ExternalGateway string `json:"external_gateway,omitempty"`
	EnableSNAT      *bool  `json:"enable_snat,omitempty"`
	AdminStateUp    *bool  `json:"admin_state_up,omitempty"`
	Distributed     *bool  `json:"distributed,omitempty"`
	HA              *bool  `json:"ha,omitempty"`
}

// SetArgs are the arguments of router.set. Pointers tell "not given" from
// a value (--description "" clears it). EnableSNAT alone keeps the
// gateway's network; the preflight fills ExternalGateway with it.
type SetArgs struct {
	Router          string  `json:"router"`
	Name            *string `json:"name,omitempty"`
	Description     *string `json:"description,omitempty"`
	AdminStateUp    *bool   `json:"admin_state_up,omitempty"`
	ExternalGateway string  `json:"external_gateway,omitempty"`
	EnableSNAT      *bool   `json:"enable_snat,omitempty"`
}

// UnsetArgs are the arguments of router.unset.
type UnsetArgs struct {
	Router          string `json:"router"`
	ExternalGateway bool   `json:"external_gateway,omitempty"`
}

// DeleteArgs are the arguments of router.delete. Cascade removes the
// router's interfaces first, in the same step.
type DeleteArgs struct {
	Router  string `json:"router"`
	Cascade bool   `json:"cascade,omitempty"`
}

// previous is what router.set and router.unset changed, in the form
// their undo needs: the fields to set back, or that the router had no
// gateway before (which only router.unset can restore).
type previous struct {
	Set          *SetArgs `json:"set,omitempty"`
	UnsetGateway bool     `json:"unset_gateway,omitempty"`
}

func subject[T any](router func(T) string) func(T) (string, string) {
	return func(a T) (string, string) { return Kind, router(a) }
}

func changeTools() []tools.Tool {
	return []tools.Tool{
		tools.ChangeTool(tools.ChangeSpec[CreateArgs]{
			Name:     "router.create",
			Effect:   tools.Change,
			Service:  network.Service,
			Produces: []string{"id", "name"},
			Check:    checkCreate,
			Preview:  previewCreate,
			Run:      runCreate,
			Undo: func(args CreateArgs, res *tools.Result) *tools.Call {
				router := tools.CreatedID(res, args.Name)
				return &tools.Call{Tool: "router.delete", Args: tools.JSON(DeleteArgs{Router: router}), Why: "undo creating router " + args.Name}
			},
		}),
		tools.ChangeTool(tools.ChangeSpec[SetArgs]{
			Name:     "router.set",
			Effect:   tools.Change,
			Service:  network.Service,
			Produces: []string{"id", "name", previousKey},
			Subject:  subject(func(a SetArgs) string { return a.Router }),
			Check:    checkSet,
			Preview:  previewSet,
			Run:      runSet,
			Undo:     func(_ SetArgs, res *tools.Result) *tools.Call { return undoPrevious(res) },
		}),
		tools.ChangeTool(tools.ChangeSpec[UnsetArgs]{
			Name:     "router.unset",
			Effect:   tools.Change,
			Service:  network.Service,
			Produces: []string{"id", "name", previousKey},
			Subject:  subject(func(a UnsetArgs) string { return a.Router }),
			Check:    checkUnset,
			Preview:  previewUnset,
			Run:      runUnset,
			Undo:     func(_ UnsetArgs, res *tools.Result) *tools.Call { return undoPrevious(res) },
		}),
		tools.ChangeTool(tools.ChangeSpec[DeleteArgs]{
			Name:     "router.delete",
			Effect:   tools.Destroy,
			Service:  network.Service,
			Produces: []string{"id"},
			Subject:  subject(func(a DeleteArgs) string { return a.Router }),
			Check:    checkDelete,
			Preview:  previewDelete,
			Run:      runDelete,
		}),
	}
}

// undoPrevious is the undo of router.set and router.unset: the call that
// sets back what the "previous" output recorded.
func undoPrevious(res *tools.Result) *tools.Call {
	if res == nil || res.Outputs[previousKey] == "" {
		return nil
	}
	prev, err := tools.Decode[previous](tools.Args(res.Outputs[previousKey]))
	if err != nil {
		return nil
	}
	switch {
	case prev.UnsetGateway:
		why := "undo: take the external gateway off again (the router had none)"
		if prev.Set != nil {
			why += "; the other fields the step changed stay as they are: set them back with /router set"
		}
		return &tools.Call{Tool: "router.unset", Args: tools.JSON(UnsetArgs{Router: res.Outputs["id"], ExternalGateway: true}), Why: why}
	case prev.Set != nil && prev.Set.Router != "":
		why := "undo: set the router's previous values back"
		if prev.Set.ExternalGateway != "" {
			why += " (the gateway gets a new address on its network)"
		}
		return &tools.Call{Tool: "router.set", Args: tools.JSON(prev.Set), Why: why}
	}
	return nil
}

// --- router.create ---

// createOpts is gophercloud's CreateOpts with the l3-ha extension's "ha",
// which gophercloud's lacks.
type createOpts struct {
	routers.CreateOpts
	HA *bool
}

// ToRouterCreateMap implements routers.CreateOptsBuilder.
func (o createOpts) ToRouterCreateMap() (map[string]any, error) {
	b, err := o.CreateOpts.ToRouterCreateMap()
	if err != nil {
		return nil, err
	}
	if o.HA != nil {
		if r, ok := b["router"].(map[string]any); ok {
			r["ha"] = *o.HA
		}
	}
	return b, nil
}

func newCreateOpts(args CreateArgs) createOpts {
	o := createOpts{CreateOpts: routers.CreateOpts{
		Name:         args.Name,
		Description:  args.Description,
		AdminStateUp: args.AdminStateUp,
		Distributed:  args.Distributed,
	}, HA: args.HA}
	if args.ExternalGateway != "" {
		o.GatewayInfo = &routers.GatewayInfo{NetworkID: args.ExternalGateway, EnableSNAT: args.EnableSNAT}
	}
	return o
}

// createAdminFlags are the admin-only flags a create uses.
func createAdminFlags(args CreateArgs) []string {
	var out []string
	if args.HA != nil {
		out = append(out, "--ha")
	}
	if args.Distributed != nil {
		out = append(out, "--distributed")
	}
	if args.EnableSNAT != nil {
		out = append(out, "--enable-snat/--disable-snat")
	}
	return out
}

// createState is what checkCreate learnt for previewCreate.
type createState struct {
	gatewayName string
}

func checkCreate(ctx context.Context, env *tools.Env, args CreateArgs) (*tools.Check, error) {
	client, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	chk := &tools.Check{Targets: []tools.Target{{Kind: Kind, Name: args.Name}}}
	resolved := args
	st := &createState{}
	same, err := network.ListAll[Router](ctx, routers.List(client, routers.ListOpts{Name: args.Name}), "routers")
	if err != nil {
		return nil, fmt.Errorf("list routers named %s: %w", args.Name, err)
	}
	if len(same) > 0 {
		// Neutron allows it; every later command naming the router would
		// then need its ID.
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Warn,
			Text: fmt.Sprintf("a router named %s already exists (%s); Neutron allows a second one, but commands will then need the ID instead of the name — choose another name unless you mean it", args.Name, same[0].ID)})
	}
	switch {
	case args.ExternalGateway == "" && args.EnableSNAT != nil:
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block,
			Text: "--enable-snat and --disable-snat choose how the external gateway translates addresses, and there is none: give --external-gateway NET too"})
	case tools.IsRef(args.ExternalGateway):
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Info,
			Text: fmt.Sprintf("the gateway network %s comes from an earlier step; it must be external", args.ExternalGateway)})
	case args.ExternalGateway != "":
		n, err := externalNetwork(ctx, env, args.ExternalGateway, chk)
		if err != nil {
			return nil, err
		}
		if n != nil {
			resolved.ExternalGateway = n.ID
			st.gatewayName = n.Name
			snat := "translating its subnets' outgoing traffic to that address (SNAT)"
			if args.EnableSNAT != nil && !*args.EnableSNAT {
				snat = "without address translation (SNAT off): its subnets' addresses must be routable outside"
			}
			chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Info,
				Text: fmt.Sprintf("the router gets an address on external network %s, %s", n.Name, snat)})
		}
	default:
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Info,
			Text: "the router has no external gateway: its subnets reach each other but not outside (add one later with /router set ROUTER --external-gateway NET)"})
	}
	if err := adminFlags(ctx, client, chk, createAdminFlags(args)); err != nil {
		return nil, err
	}
	if err := quota.Preflight(ctx, env, chk, "", quota.Need{Service: network.Service, Resource: "router", Delta: 1,
		Full: func(u tools.QuotaUse) string {
			return fmt.Sprintf("the router quota is full (%d of %d); delete an unused router with /router delete or ask for more quota", u.InUse, u.Limit)
		}}); err != nil {
		return nil, err
	}
	chk.Resolved = tools.JSON(resolved)
	chk.Fetched = st
	return chk, nil
}

func previewCreate(ctx context.Context, env *tools.Env, args CreateArgs, chk *tools.Check) (*tools.Preview, error) {
	client, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	body, err := newCreateOpts(args).ToRouterCreateMap()
	if err != nil {
		return nil, err
	}
	what := "router " + args.Name
	if args.ExternalGateway != "" {
		gw := args.ExternalGateway
		if st, ok := tools.FetchedAs[*createState](chk); ok && st.gatewayName != "" {
			gw = st.gatewayName
		}
		what += ", with a gateway on network " + gw
		if args.EnableSNAT != nil && !*args.EnableSNAT {
			what += " (SNAT off)"
		}
	}
	return &tools.Preview{
		Requests: []tools.Request{{Method: "POST", URL: client.ServiceURL("routers"), Body: body}},
		Creates:  []string{what},
	}, nil
}

func runCreate(ctx context.Context, env *tools.Env, args CreateArgs) (*tools.Result, error) {
	client, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	r := routers.Create(ctx, client, newCreateOpts(args))
	ids := tools.HeaderRequestIDs(r.Header)
	rt, err := network.GetOne[Router](r.Result, "router")
	if err != nil {
		if ae := refused(err, "create router "+args.Name, createAdminFlags(args)); ae != nil {
			return &tools.Result{RequestIDs: ids}, ae
		}
		return &tools.Result{RequestIDs: ids}, fmt.Errorf("create router %s: %w", args.Name, err)
	}
	env.Names.Remember(Kind, rt.Name)
	msg := fmt.Sprintf("router %s created (%s)", rt.label(), rt.ID)
	if gw := rt.ExternalGateway(); gw != nil && len(gw.ExternalFixedIPs) > 0 {
		msg += "; its gateway address is " + gw.ExternalFixedIPs[0].IPAddress
	}
	return &tools.Result{
		Message:    msg,
		Outputs:    map[string]string{"id": rt.ID, "name": rt.Name},
		RequestIDs: ids,
	}, nil
}

// --- router.set ---

// gatewayOf returns a router's gateway network and SNAT setting ("" and
// nil without a gateway).
func gatewayOf(r *Router) (string, *bool) {
	gw := r.ExternalGateway()
	if gw == nil {
		return "", nil
	}
	return gw.NetworkID, gw.EnableSNAT
}

// setChanges compares the router with what args ask for (gateway network
// already resolved to an ID): the update to send, the fields it changes,
// and what sets them back.
func setChanges(r *Router, args SetArgs) (routers.UpdateOpts, []tools.FieldChange, previous) {
	var opts routers.UpdateOpts
	var changes []tools.FieldChange
	back := SetArgs{Router: r.ID}
	var prev previous
	touched := false
	if args.Name != nil && *args.Name != r.Name {
		opts.Name = *args.Name
		changes = append(changes, tools.FieldChange{Field: "name", From: r.Name, To: *args.Name})
		old := r.Name
		back.Name, touched = &old, true
	}
	if args.Description != nil && *args.Description != r.Description {
		d := *args.Description
		opts.Description = &d
		changes = append(changes, tools.FieldChange{Field: "description", From: r.Description, To: d})
		old := r.Description
		back.Description, touched = &old, true
	}
	if args.AdminStateUp != nil && *args.AdminStateUp != r.AdminStateUp {
		up := *args.AdminStateUp
		opts.AdminStateUp = &up
		changes = append(changes, tools.FieldChange{Field: "admin_state_up", From: r.AdminStateUp, To: up})
		old := r.AdminStateUp
		back.AdminStateUp, touched = &old, true
	}
	curNet, curSNAT := gatewayOf(r)
	if args.ExternalGateway != "" {
		netChanges := args.ExternalGateway != curNet
		snatChanges := args.EnableSNAT != nil && (curSNAT == nil || *curSNAT != *args.EnableSNAT)
		if netChanges || snatChanges {
			opts.GatewayInfo = &routers.GatewayInfo{NetworkID: args.ExternalGateway, EnableSNAT: args.EnableSNAT}
			if netChanges {
				changes = append(changes, tools.FieldChange{Field: "external_gateway", From: network.Opt(nonEmpty(curNet)), To: args.ExternalGateway})
			}
			if snatChanges {
				changes = append(changes, tools.FieldChange{Field: "enable_snat", From: network.Opt(curSNAT), To: *args.EnableSNAT})
			}
			if curNet == "" {
				prev.UnsetGateway = true
			} else {
				back.ExternalGateway = curNet
				// SNAT is set back only when it was off or the step
				// changed it: setting it at all is for admins, and a new
				// gateway has it on anyway.
				if curSNAT != nil && (!*curSNAT || args.EnableSNAT != nil) {
					old := *curSNAT
					back.EnableSNAT = &old
				}
				touched = true
			}
		}
	}
	if touched {
		prev.Set = &back
	}
	return opts, changes, prev
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// setState is what checkSet learnt for previewSet: the router, and the
// names of the gateway networks by ID.
type setState struct {
	router   *Router
	networks map[string]string
}

// network names a gateway network for the diff; anything else (none)
// stays as it is.
func (s *setState) network(v any) any {
	if id, ok := v.(string); ok && s.networks[id] != "" {
		return s.networks[id]
	}
	return v
}

func checkSet(ctx context.Context, env *tools.Env, args SetArgs) (*tools.Check, error) {
	client, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	r, err := Resolve(ctx, env, args.Router)
	if err != nil {
		return nil, err
	}
	args.Router = r.ID
	st := &setState{router: r, networks: map[string]string{}}
	chk := &tools.Check{Targets: []tools.Target{target(r)}, Fetched: st}
	curNet, curSNAT := gatewayOf(r)
	chk.State = fmt.Sprintf("name=%q description=%q admin_state_up=%t gateway=%s snat=%v", r.Name, r.Description, r.AdminStateUp, curNet, network.Opt(curSNAT))
	if args.Name == nil && args.Description == nil && args.AdminStateUp == nil && args.ExternalGateway == "" && args.EnableSNAT == nil {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block,
			Text: "nothing to change: give --name, --description, --enable/--disable, --external-gateway or --enable-snat/--disable-snat"})
		return chk, nil
	}
	switch {
	case tools.IsRef(args.ExternalGateway):
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Info,
			Text: fmt.Sprintf("the gateway network %s comes from an earlier step; it must be external", args.ExternalGateway)})
	case args.ExternalGateway != "":
		n, err := externalNetwork(ctx, env, args.ExternalGateway, chk)
		if err != nil {
			return nil, err
		}
		if n != nil {
			args.ExternalGateway = n.ID
			st.networks[n.ID] = n.Name
			if curNet != "" && curNet != n.ID {
				st.networks[curNet] = networkLabel(ctx, env, curNet)
			}
		}
	case args.EnableSNAT != nil && curNet == "":
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block,
			Text: fmt.Sprintf("router %s has no external gateway, and --enable-snat/--disable-snat applies to one: give --external-gateway NET too", r.label())})
	case args.EnableSNAT != nil:
		// SNAT is a field of the gateway: the request names its network.
		args.ExternalGateway = curNet
	}
	moving := curNet != "" && args.ExternalGateway != "" && !tools.IsRef(args.ExternalGateway) && args.ExternalGateway != curNet
	if moving || (curNet != "" && tools.IsRef(args.ExternalGateway)) {
		fips, err := floatingIPsVia(ctx, client, r.ID)
		if err != nil {
			return nil, err
		}
		if len(fips) > 0 {
			chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block,
				Text: fipRefusal(ctx, env, client, fips, r, "move its gateway to another network")})
		} else if moving {
			chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Info,
				Text: fmt.Sprintf("the gateway moves from network %s to %s: the router's external address changes", st.networks[curNet], st.networks[args.ExternalGateway])})
		}
		if curSNAT != nil && !*curSNAT && args.EnableSNAT == nil {
			chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Warn,
				Text: "SNAT is off on the current gateway, and Neutron turns it on for a new one: add --disable-snat to keep it off"})
		}
	}
	if args.EnableSNAT != nil {
		if err := adminFlags(ctx, client, chk, []string{"--enable-snat/--disable-snat"}); err != nil {
			return nil, err
		}
	}
	if args.AdminStateUp != nil && !*args.AdminStateUp && r.AdminStateUp {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Warn,
			Text: fmt.Sprintf("a router that is down forwards nothing: servers behind %s lose their way out and their floating IPs stop answering until it is enabled again", r.label())})
	}
	if args.Name != nil && *args.Name != r.Name {
		same, err := network.ListAll[Router](ctx, routers.List(client, routers.ListOpts{Name: *args.Name}), "routers")
		if err != nil {
			return nil, fmt.Errorf("list routers named %s: %w", *args.Name, err)
		}
		if len(same) > 0 {
			chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Warn,
				Text: fmt.Sprintf("a router named %s already exists (%s); Neutron allows two, but commands will then need the ID", *args.Name, same[0].ID)})
		}
	}
	if !tools.IsRef(args.ExternalGateway) {
		if _, changes, _ := setChanges(r, args); len(changes) == 0 && !chk.Blocked() {
			chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Warn, Text: fmt.Sprintf("router %s already has these values; nothing changes", r.label())})
		}
	}
	chk.Resolved = tools.JSON(args)
	return chk, nil
}

func previewSet(ctx context.Context, env *tools.Env, args SetArgs, chk *tools.Check) (*tools.Preview, error) {
	client, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	url := client.ServiceURL("routers", args.Router)
	if tools.IsRef(args.Router) {
		// The router comes from an earlier step: show the request as
		// asked for, without a diff.
		opts := routers.UpdateOpts{Description: args.Description, AdminStateUp: args.AdminStateUp}
		if args.Name != nil {
			opts.Name = *args.Name
		}
		if args.ExternalGateway != "" {
			opts.GatewayInfo = &routers.GatewayInfo{NetworkID: args.ExternalGateway, EnableSNAT: args.EnableSNAT}
		}
		body, err := opts.ToRouterUpdateMap()
		if err != nil {
			return nil, err
		}
		return &tools.Preview{Requests: []tools.Request{{Method: "PUT", URL: url, Body: body}}}, nil
	}
	st, ok := tools.FetchedAs[*setState](chk)
	if !ok || st.router.ID != args.Router {
		r, err := Resolve(ctx, env, args.Router)
		if err != nil {
			return nil, err
		}
		st = &setState{router: r}
	}
	opts, changes, _ := setChanges(st.router, args)
	for i, c := range changes {
		// The diff names networks as a person knows them.
		if c.Field == "external_gateway" {
			changes[i].From, changes[i].To = st.network(c.From), st.network(c.To)
		}
	}
	pv := &tools.Preview{Changes: changes}
	if len(changes) == 0 {
		return pv, nil
	}
	body, err := opts.ToRouterUpdateMap()
	if err != nil {
		return nil, err
	}
	pv.Requests = []tools.Request{{Method: "PUT", URL: url, Body: body}}
	return pv, nil
}

func runSet(ctx context.Context, env *tools.Env, args SetArgs) (*tools.Result, error) {
	client, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	// Read right before the update: the undo must hold the values the
	// router had at this moment.
	r, err := getRouter(ctx, client, args.Router)
	if err != nil {
		return nil, err
	}
	if args.ExternalGateway == "" && args.EnableSNAT != nil {
		args.ExternalGateway, _ = gatewayOf(r)
	}
	opts, changes, prev := setChanges(r, args)
	if len(changes) == 0 {
		return &tools.Result{Message: fmt.Sprintf("router %s already has these values", r.label()),
			Outputs: map[string]string{"id": r.ID, "name": r.Name}}, nil
	}
	res := routers.Update(ctx, client, r.ID, opts)
	ids := tools.HeaderRequestIDs(res.Header)
	nr, err := network.GetOne[Router](res.Result, "router")
	if err != nil {
		var admin []string
		if args.EnableSNAT != nil {
			admin = []string{"--enable-snat/--disable-snat"}
		}
		if ae := refused(err, "update router "+r.label(), admin); ae != nil {
			return &tools.Result{RequestIDs: ids}, ae
		}
		return &tools.Result{RequestIDs: ids}, fmt.Errorf("update router %s: %w", r.label(), err)
	}
	fields := make([]string, 0, len(changes))
	for _, c := range changes {
		fields = append(fields, c.Field)
	}
	if nr.Name != r.Name {
		env.Names.Remember(Kind, nr.Name)
	}
	return &tools.Result{
		Message:    fmt.Sprintf("router %s updated: %s", nr.label(), strings.Join(fields, ", ")),
		Outputs:    map[string]string{"id": nr.ID, "name": nr.Name, previousKey: string(tools.JSON(prev))},
		RequestIDs: ids,
	}, nil
}

// --- router.unset ---

// unsetState is what checkUnset learnt for previewUnset.
type unsetState struct {
	router  *Router
	ports   *attached
	netName string
}

func checkUnset(ctx context.Context, env *tools.Env, args UnsetArgs) (*tools.Check, error) {
	client, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	r, err := Resolve(ctx, env, args.Router)
	if err != nil {
		return nil, err
	}
	curNet, _ := gatewayOf(r)
	chk := &tools.Check{
		Targets:  []tools.Target{target(r)},
		Resolved: tools.JSON(UnsetArgs{Router: r.ID, ExternalGateway: args.ExternalGateway}),
		State:    "gateway=" + curNet,
	}
	if !args.ExternalGateway {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block,
			Text: fmt.Sprintf("nothing to unset: give --external-gateway to take router %s's gateway off", r.label())})
		return chk, nil
	}
	if curNet == "" {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Warn, Text: fmt.Sprintf("router %s has no external gateway; nothing changes", r.label())})
		return chk, nil
	}
	a, err := portsOf(ctx, client, r.ID)
	if err != nil {
		return nil, err
	}
	st := &unsetState{router: r, ports: a, netName: networkLabel(ctx, env, curNet)}
	chk.Fetched = st
	fips, err := floatingIPsVia(ctx, client, r.ID)
	if err != nil {
		return nil, err
	}
	var through []routedIP
	for _, f := range fips {
		if f.NetworkID == curNet {
			through = append(through, f)
		}
	}
	if len(through) > 0 {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block,
			Text: fipRefusal(ctx, env, client, through, r, "remove its gateway")})
		return chk, nil
	}
	text := fmt.Sprintf("router %s leaves network %s: servers behind it can no longer reach outside", r.label(), st.netName)
	if addrs := gatewayAddresses(r); addrs != "" {
		text += ", and its gateway address " + addrs + " is released"
	}
	chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Info, Text: text})
	return chk, nil
}

// unsetOpts is the update that takes a gateway off: an empty
// external_gateway_info, as the openstack CLI sends.
func unsetOpts() routers.UpdateOpts {
	return routers.UpdateOpts{GatewayInfo: &routers.GatewayInfo{}}
}

func previewUnset(ctx context.Context, env *tools.Env, args UnsetArgs, chk *tools.Check) (*tools.Preview, error) {
	client, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	body, err := unsetOpts().ToRouterUpdateMap()
	if err != nil {
		return nil, err
	}
	pv := &tools.Preview{Requests: []tools.Request{{Method: "PUT", URL: client.ServiceURL("routers", args.Router), Body: body}}}
	st, ok := tools.FetchedAs[*unsetState](chk)
	if !ok {
		if tools.IsRef(args.Router) {
			return pv, nil
		}
		r, err := Resolve(ctx, env, args.Router)
		if err != nil {
			return nil, err
		}
		curNet, _ := gatewayOf(r)
		if curNet == "" {
			return &tools.Preview{}, nil
		}
		a, err := portsOf(ctx, client, r.ID)
		if err != nil {
			return nil, err
		}
		st = &unsetState{router: r, ports: a, netName: networkLabel(ctx, env, curNet)}
	}
	pv.Changes = []tools.FieldChange{{Field: "external_gateway", From: st.netName, To: nil}}
	pv.Deletes = []tools.Dependent{gatewayDependent(st.router, st.ports, st.netName, "deleted, its address released")}
	return pv, nil
}

func runUnset(ctx context.Context, env *tools.Env, args UnsetArgs) (*tools.Result, error) {
	client, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	r, err := getRouter(ctx, client, args.Router)
	if err != nil {
		return nil, err
	}
	curNet, curSNAT := gatewayOf(r)
	if curNet == "" || !args.ExternalGateway {
		return &tools.Result{Message: fmt.Sprintf("router %s has no external gateway; nothing changed", r.label()),
			Outputs: map[string]string{"id": r.ID, "name": r.Name}}, nil
	}
	res := routers.Update(ctx, client, r.ID, unsetOpts())
	ids := tools.HeaderRequestIDs(res.Header)
	if _, err := network.GetOne[Router](res.Result, "router"); err != nil {
		if gophercloud.ResponseCodeIs(err, http.StatusConflict) {
			err = fmt.Errorf("%w (a floating IP may have been associated through it since the preflight; run /router unset again to see which)", err)
		}
		return &tools.Result{RequestIDs: ids}, fmt.Errorf("take the gateway off router %s: %w", r.label(), err)
	}
	back := SetArgs{Router: r.ID, ExternalGateway: curNet}
	if curSNAT != nil && !*curSNAT {
		off := false
		back.EnableSNAT = &off
	}
	return &tools.Result{
		Message:    fmt.Sprintf("router %s has no external gateway now (it was on network %s)", r.label(), networkLabel(ctx, env, curNet)),
		Outputs:    map[string]string{"id": r.ID, "name": r.Name, previousKey: string(tools.JSON(previous{Set: &back}))},
		RequestIDs: ids,
	}, nil
}

// --- router.delete ---

// deleteState is what checkDelete learnt for previewDelete.
type deleteState struct {
	router *Router
	ports  *attached
	book   *subnetBook
}

// interfaceList names a router's interfaces by subnet: "A, B".
func interfaceList(ctx context.Context, book *subnetBook, a *attached) []string {
	var out []string
	for _, id := range interfaceSubnets(a) {
		out = append(out, book.label(ctx, id))
	}
	return out
}

func checkDelete(ctx context.Context, env *tools.Env, args DeleteArgs) (*tools.Check, error) {
	client, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	r, err := Resolve(ctx, env, args.Router)
	if err != nil {
		return nil, err
	}
	a, err := portsOf(ctx, client, r.ID)
	if err != nil {
		return nil, err
	}
	book := newSubnetBook(client)
	chk := &tools.Check{
		Targets:  []tools.Target{target(r)},
		Resolved: tools.JSON(DeleteArgs{Router: r.ID, Cascade: args.Cascade}),
		State:    a.state(),
		Fetched:  &deleteState{router: r, ports: a, book: book},
	}
	if len(a.interfaces) > 0 {
		subs := interfaceList(ctx, book, a)
		noun := "subnet"
		if len(subs) > 1 {
			noun = "subnets"
		}
		if !args.Cascade {
			chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block,
				Text: fmt.Sprintf("router %s still has interfaces on %s %s, and Neutron refuses to delete a router with interfaces: remove them first with /router remove subnet %s %s, or add --cascade to remove them in the same step",
					r.label(), noun, strings.Join(subs, ", "), r.label(), subs[0])})
		} else {
			fips, err := floatingIPsVia(ctx, client, r.ID)
			if err != nil {
				return nil, err
			}
			if len(fips) > 0 {
				chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block,
					Text: fipRefusal(ctx, env, client, fips, r, "remove its interfaces")})
			}
			if len(r.Routes) > 0 {
				chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block,
					Text: fmt.Sprintf("router %s has %d static route(s) through its interfaces, and Neutron refuses to remove an interface a route needs: clear them first (openstack router set --no-route %s)", r.label(), len(r.Routes), r.ID)})
			}
			chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Warn,
				Text: fmt.Sprintf("--cascade removes the interfaces on %s %s first; Neutron deletes their ports, and servers on those subnets lose their way out", noun, strings.Join(subs, ", "))})
		}
	}
	if curNet, _ := gatewayOf(r); curNet != "" {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Info,
			Text: fmt.Sprintf("its gateway on network %s (%s) is released with it", networkLabel(ctx, env, curNet), gatewayAddresses(r))})
	}
	return chk, nil
}

func removeByPort(portID string) routers.RemoveInterfaceOpts {
	return routers.RemoveInterfaceOpts{PortID: portID}
}

func previewDelete(ctx context.Context, env *tools.Env, args DeleteArgs, chk *tools.Check) (*tools.Preview, error) {
	client, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	del := tools.Request{Method: "DELETE", URL: client.ServiceURL("routers", args.Router)}
	st, ok := tools.FetchedAs[*deleteState](chk)
	if !ok {
		if tools.IsRef(args.Router) {
			return &tools.Preview{Requests: []tools.Request{del}, Deletes: []tools.Dependent{{Kind: Kind, ID: args.Router, Name: args.Router, Fate: "deleted"}}}, nil
		}
		r, err := Resolve(ctx, env, args.Router)
		if err != nil {
			return nil, err
		}
		a, err := portsOf(ctx, client, r.ID)
		if err != nil {
			return nil, err
		}
		st = &deleteState{router: r, ports: a, book: newSubnetBook(client)}
	}
	r, a := st.router, st.ports
	pv := &tools.Preview{Deletes: []tools.Dependent{{Kind: Kind, ID: r.ID, Name: r.Name, Fate: "deleted"}}}
	for _, p := range a.interfaces {
		var on []string
		for _, ip := range p.FixedIPs {
			on = append(on, st.book.label(ctx, ip.SubnetID))
		}
		fate := fmt.Sprintf("interface on subnet %s (%s): Neutron refuses the delete until it is removed", strings.Join(on, ", "), addresses(p))
		if args.Cascade {
			body, err := removeByPort(p.ID).ToRouterRemoveInterfaceMap()
			if err != nil {
				return nil, err
			}
			pv.Requests = append(pv.Requests, tools.Request{Method: "PUT", URL: client.ServiceURL("routers", r.ID, "remove_router_interface"), Body: body})
			fate = fmt.Sprintf("interface on subnet %s (%s): removed first, its port deleted", strings.Join(on, ", "), addresses(p))
		}
		pv.Deletes = append(pv.Deletes, tools.Dependent{Kind: "port", ID: p.ID, Name: p.Name, Fate: fate})
	}
	if curNet, _ := gatewayOf(r); curNet != "" {
		pv.Deletes = append(pv.Deletes, gatewayDependent(r, a, networkLabel(ctx, env, curNet), "deleted with the router, its address released"))
	}
	pv.Requests = append(pv.Requests, del)
	return pv, nil
}

func runDelete(ctx context.Context, env *tools.Env, args DeleteArgs) (*tools.Result, error) {
	client, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	r, err := getRouter(ctx, client, args.Router)
	if err != nil {
		return nil, err
	}
	var ids []string
	removed := 0
	if args.Cascade {
		a, err := portsOf(ctx, client, r.ID)
		if err != nil {
			return nil, err
		}
		for _, p := range a.interfaces {
			res := routers.RemoveInterface(ctx, client, r.ID, removeByPort(p.ID))
			ids = append(ids, tools.HeaderRequestIDs(res.Header)...)
			if res.Err != nil {
				return &tools.Result{RequestIDs: ids}, fmt.Errorf("remove interface %s (%s) of router %s, after %d removed: %w", p.ID, addresses(p), r.label(), removed, res.Err)
			}
			removed++
		}
	}
	res := routers.Delete(ctx, client, r.ID)
	ids = append(ids, tools.HeaderRequestIDs(res.Header)...)
	switch {
	case gophercloud.ResponseCodeIs(res.Err, http.StatusNotFound):
		return &tools.Result{RequestIDs: ids}, &tools.NotFoundError{Kind: Kind, Name: args.Router}
	case gophercloud.ResponseCodeIs(res.Err, http.StatusConflict):
		return &tools.Result{RequestIDs: ids}, fmt.Errorf("delete router %s: %w (an interface was added since the preflight; run /router delete again to see it)", r.label(), res.Err)
	case res.Err != nil:
		return &tools.Result{RequestIDs: ids}, fmt.Errorf("delete router %s: %w", r.label(), res.Err)
	}
	env.Lookups.Forget(Kind)
	msg := fmt.Sprintf("router %s deleted", r.label())
	if removed > 0 {
		msg = fmt.Sprintf("router %s deleted, after removing %d interface(s)", r.label(), removed)
	}
	return &tools.Result{Message: msg, Outputs: map[string]string{"id": r.ID}, RequestIDs: ids}, nil
}
