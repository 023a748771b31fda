package routers

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/layer3/routers"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/ports"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/network"
	"github.com/kriscelmer/os-tui/tools/network/subnets"
)

// SubnetArgs are the arguments of router.add.subnet and
// router.remove.subnet.
type SubnetArgs struct {
	Router string `json:"router"`
	Subnet string `json:"subnet"`
}

// PortArgs are the arguments of router.add.port and router.remove.port.
type PortArgs struct {
	Router string `json:"router"`
	Port   string `json:"port"`
}

func interfaceTools() []tools.Tool {
	routerOf := subject(func(a SubnetArgs) string { return a.Router })
	routerOfPort := subject(func(a PortArgs) string { return a.Router })
	return []tools.Tool{
		tools.ChangeTool(tools.ChangeSpec[SubnetArgs]{
			Name:     "router.add.subnet",
			Effect:   tools.Change,
			Service:  network.Service,
			Produces: []string{"router", "subnet", "port"},
			Subject:  routerOf,
			Check:    checkAddSubnet,
			Preview:  previewAddSubnet,
			Run:      runAddSubnet,
			Undo: func(args SubnetArgs, res *tools.Result) *tools.Call {
				return &tools.Call{Tool: "router.remove.subnet", Args: tools.JSON(args), Why: "undo adding the interface on the subnet"}
			},
		}),
		tools.ChangeTool(tools.ChangeSpec[SubnetArgs]{
			Name:     "router.remove.subnet",
			Effect:   tools.Change,
			Service:  network.Service,
			Produces: []string{"router", "subnet", "port"},
			Subject:  routerOf,
			Check:    checkRemoveSubnet,
			Preview:  previewRemoveSubnet,
			Run:      runRemoveSubnet,
			Undo: func(args SubnetArgs, res *tools.Result) *tools.Call {
				return &tools.Call{Tool: "router.add.subnet", Args: tools.JSON(args), Why: "undo removing the interface: attach the subnet again at its gateway IP"}
			},
		}),
		tools.ChangeTool(tools.ChangeSpec[PortArgs]{
			Name:     "router.add.port",
			Effect:   tools.Change,
			Service:  network.Service,
			Produces: []string{"router", "port", "subnet"},
			Subject:  routerOfPort,
			Check:    checkAddPort,
			Preview:  previewAddPort,
			Run:      runAddPort,
			Undo: func(args PortArgs, res *tools.Result) *tools.Call {
				return &tools.Call{Tool: "router.remove.port", Args: tools.JSON(args),
					Why: "undo adding the port as an interface (Neutron deletes the port when the interface is removed)"}
			},
		}),
		tools.ChangeTool(tools.ChangeSpec[PortArgs]{
			Name:     "router.remove.port",
			Effect:   tools.Change,
			Service:  network.Service,
			Produces: []string{"router", "port", "subnet"},
			Subject:  routerOfPort,
			Check:    checkRemovePort,
			Preview:  previewRemovePort,
			Run:      runRemovePort,
			Undo: func(args PortArgs, res *tools.Result) *tools.Call {
				// Neutron deletes the port: it cannot come back. Only an
				// interface on the subnet's gateway IP can be made again,
				// by subnet.
				if res == nil || res.Outputs[atGatewayKey] != "true" || res.Outputs["subnet"] == "" {
					return nil
				}
				return &tools.Call{Tool: "router.add.subnet", Args: tools.JSON(SubnetArgs{Router: args.Router, Subnet: res.Outputs["subnet"]}),
					Why: "undo removing the interface: attach its subnet again at the gateway IP (a new port)"}
			},
		}),
	}
}

// atGatewayKey is the output of router.remove.port that says the removed
// interface sat on its subnet's gateway IP, so adding the subnet back
// makes the same interface again.
const atGatewayKey = "at_gateway_ip"

// resolvePort finds one port by ID or exact name.
func resolvePort(ctx context.Context, c *gophercloud.ServiceClient, nameOrID string) (*network.UsedPort, error) {
	return network.Finder[network.UsedPort]{
		Kind: "port",
		Get: func(ctx context.Context, id string) (*network.UsedPort, error) {
			return network.GetOne[network.UsedPort](ports.Get(ctx, c, id).Result, "port")
		},
		ByName: func(ctx context.Context, name string) ([]network.UsedPort, error) {
			return network.PortsOf(ctx, c, ports.ListOpts{Name: name})
		},
		Candidate: func(p network.UsedPort) tools.Candidate { return tools.Candidate{ID: p.ID, Name: p.Name} },
	}.Find(ctx, nameOrID)
}

// ifaceState is what an interface preflight learnt for its preview.
type ifaceState struct {
	router *Router
	subnet *subnets.Subnet
	port   *network.UsedPort
}

// ifaceCheck starts an interface preflight: the router (an earlier
// step's output never reaches here: Subject turns that into a note).
func ifaceCheck(ctx context.Context, env *tools.Env, routerArg string) (*tools.Check, *Router, *gophercloud.ServiceClient, error) {
	client, err := network.Client(ctx, env)
	if err != nil {
		return nil, nil, nil, err
	}
	r, err := Resolve(ctx, env, routerArg)
	if err != nil {
		return nil, nil, nil, err
	}
	return &tools.Check{Targets: []tools.Target{target(r)}}, r, client, nil
}

// blockers adds what keeps an interface on the subnets in place: floating
// IPs routed to addresses in them through the router, and static routes
// whose next hop lies in them. Neutron refuses the removal for either.
func blockers(ctx context.Context, env *tools.Env, c *gophercloud.ServiceClient, chk *tools.Check, r *Router, subs []*subnets.Subnet) error {
	fips, err := floatingIPsVia(ctx, c, r.ID)
	if err != nil {
		return err
	}
	var need []routedIP
	for _, f := range fips {
		for _, s := range subs {
			if inCIDR(f.fixed(), s.CIDR) {
				need = append(need, f)
				break
			}
		}
	}
	if len(need) > 0 {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block,
			Text: fipRefusal(ctx, env, c, need, r, "remove the interface")})
	}
	for _, rt := range r.Routes {
		for _, s := range subs {
			if inCIDR(rt.NextHop, s.CIDR) {
				chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block,
					Text: fmt.Sprintf("static route %s via %s goes through this interface, and Neutron refuses to remove an interface a route needs: remove the route first (openstack router remove route --route destination=%s,gateway=%s %s)",
						rt.Destination, rt.NextHop, rt.Destination, rt.NextHop, r.ID)})
			}
		}
	}
	return nil
}

// interfacesNote lists a router's interfaces for a refusal: "it has
// interfaces on A, B" or "it has no interfaces".
func interfacesNote(ctx context.Context, book *subnetBook, a *attached) string {
	subs := interfaceList(ctx, book, a)
	if len(subs) == 0 {
		return "it has no interfaces"
	}
	return "it has interfaces on " + strings.Join(subs, ", ")
}

// --- router.add.subnet ---

func checkAddSubnet(ctx context.Context, env *tools.Env, args SubnetArgs) (*tools.Check, error) {
	chk, r, client, err := ifaceCheck(ctx, env, args.Router)
	if err != nil {
		return nil, err
	}
	args.Router = r.ID
	chk.Resolved = tools.JSON(args)
	if tools.IsRef(args.Subnet) {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Info, Text: fmt.Sprintf("subnet %s comes from an earlier step", args.Subnet)})
		return chk, nil
	}
	s, err := subnets.Resolve(ctx, env, args.Subnet)
	if err != nil {
		return nil, err
	}
	args.Subnet = s.ID
	chk.Resolved = tools.JSON(args)
	chk.Targets = append(chk.Targets, tools.Target{Kind: "subnet", ID: s.ID, Name: s.Name})
	chk.Fetched = &ifaceState{router: r, subnet: s}
	a, err := portsOf(ctx, client, r.ID)
	if err != nil {
		return nil, err
	}
	chk.State = a.state()
	on, err := network.PortsOf(ctx, client, ports.ListOpts{FixedIPs: []ports.FixedIPOpts{{SubnetID: s.ID}}})
	if err != nil {
		return nil, err
	}
	gateway := ""
	if s.GatewayIP != nil {
		gateway = *s.GatewayIP
	}
	for _, p := range on {
		switch {
		case IsInterface(p.DeviceOwner) && p.DeviceID == r.ID:
			chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block,
				Text: fmt.Sprintf("subnet %s is already attached to router %s (interface %s, %s); nothing to add", subnetLabel(s), r.label(), addresses(p), p.ID)})
		case IsInterface(p.DeviceOwner):
			other := p.DeviceID
			if o, err := getRouter(ctx, client, p.DeviceID); err == nil {
				other = o.label()
			}
			chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block,
				Text: fmt.Sprintf("subnet %s is already attached to router %s (interface %s), and an interface added by subnet takes the gateway IP, which that one holds: remove it there first (/router remove subnet %s %s), or give router %s its own address on the subnet with a port (/router add port %s PORT)",
					subnetLabel(s), other, addresses(p), other, subnetLabel(s), r.label(), r.label())})
		case gateway != "" && holds(p, s.ID, gateway):
			chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block,
				Text: fmt.Sprintf("the gateway IP %s of subnet %s is taken by %s, and an interface added by subnet needs it: free that address, or create a port with another address on the subnet and add it with /router add port %s PORT",
					gateway, subnetLabel(s), p.Label(), r.label())})
		}
	}
	if gateway == "" {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block,
			Text: fmt.Sprintf("subnet %s has no gateway IP, and an interface added by subnet takes it: give the subnet one (openstack subnet set --gateway IP %s), or add a port on it with /router add port %s PORT", subnetLabel(s), s.ID, r.label())})
	}
	over, err := overlapping(ctx, newSubnetBook(client), r, a, s)
	if err != nil {
		return nil, err
	}
	for _, o := range over {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block, Text: o})
	}
	if !chk.Blocked() {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Info,
			Text: fmt.Sprintf("router %s gets an interface on subnet %s (%s) at its gateway IP %s", r.label(), subnetLabel(s), s.CIDR, gateway)})
	}
	return chk, nil
}

// holds reports whether port p has address ip on subnet.
func holds(p network.UsedPort, subnet, ip string) bool {
	for _, f := range p.FixedIPs {
		if f.SubnetID == subnet && f.IPAddress == ip {
			return true
		}
	}
	return false
}

func addBySubnet(subnetID string) routers.AddInterfaceOpts {
	return routers.AddInterfaceOpts{SubnetID: subnetID}
}

func previewAddSubnet(ctx context.Context, env *tools.Env, args SubnetArgs, chk *tools.Check) (*tools.Preview, error) {
	client, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	body, err := addBySubnet(args.Subnet).ToRouterAddInterfaceMap()
	if err != nil {
		return nil, err
	}
	what := fmt.Sprintf("interface of router %s on subnet %s", args.Router, args.Subnet)
	if st, ok := tools.FetchedAs[*ifaceState](chk); ok && st.subnet != nil {
		what = fmt.Sprintf("interface of router %s on subnet %s (%s)", st.router.label(), subnetLabel(st.subnet), st.subnet.CIDR)
		if st.subnet.GatewayIP != nil {
			what += " at " + *st.subnet.GatewayIP
		}
	}
	return &tools.Preview{
		Requests: []tools.Request{{Method: "PUT", URL: client.ServiceURL("routers", args.Router, "add_router_interface"), Body: body}},
		Creates:  []string{what + ": a new port on the subnet's network"},
	}, nil
}

// names returns a router's and a subnet's names for a result message,
// falling back to the IDs: the change is done, so a failed read only
// makes the message plainer.
func names(ctx context.Context, c *gophercloud.ServiceClient, routerID, subnetID string) (string, string) {
	rn, sn := routerID, subnetID
	if r, err := getRouter(ctx, c, routerID); err == nil {
		rn = r.label()
	}
	if subnetID != "" {
		sn = newSubnetBook(c).label(ctx, subnetID)
	}
	return rn, sn
}

func runAddSubnet(ctx context.Context, env *tools.Env, args SubnetArgs) (*tools.Result, error) {
	client, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	res := routers.AddInterface(ctx, client, args.Router, addBySubnet(args.Subnet))
	ids := tools.HeaderRequestIDs(res.Header)
	info, err := res.Extract()
	if err != nil {
		return &tools.Result{RequestIDs: ids}, fmt.Errorf("add subnet %s to router %s: %w", args.Subnet, args.Router, err)
	}
	rn, sn := names(ctx, client, args.Router, args.Subnet)
	return &tools.Result{
		Message:    fmt.Sprintf("router %s has an interface on subnet %s now (port %s)", rn, sn, info.PortID),
		Outputs:    map[string]string{"router": args.Router, "subnet": info.SubnetID, "port": info.PortID},
		RequestIDs: ids,
	}, nil
}

// --- router.remove.subnet ---

func checkRemoveSubnet(ctx context.Context, env *tools.Env, args SubnetArgs) (*tools.Check, error) {
	chk, r, client, err := ifaceCheck(ctx, env, args.Router)
	if err != nil {
		return nil, err
	}
	args.Router = r.ID
	chk.Resolved = tools.JSON(args)
	if tools.IsRef(args.Subnet) {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Info, Text: fmt.Sprintf("subnet %s comes from an earlier step", args.Subnet)})
		return chk, nil
	}
	s, err := subnets.Resolve(ctx, env, args.Subnet)
	if err != nil {
		return nil, err
	}
	args.Subnet = s.ID
	chk.Resolved = tools.JSON(args)
	chk.Targets = append(chk.Targets, tools.Target{Kind: "subnet", ID: s.ID, Name: s.Name})
	a, err := portsOf(ctx, client, r.ID)
	if err != nil {
		return nil, err
	}
	chk.State = a.state()
	on := a.on(s.ID)
	if len(on) == 0 {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block,
			Text: fmt.Sprintf("router %s has no interface on subnet %s; %s", r.label(), subnetLabel(s), interfacesNote(ctx, newSubnetBook(client), a))})
		return chk, nil
	}
	chk.Fetched = &ifaceState{router: r, subnet: s, port: &on[0]}
	if err := blockers(ctx, env, client, chk, r, []*subnets.Subnet{s}); err != nil {
		return nil, err
	}
	gateway := ""
	if s.GatewayIP != nil {
		gateway = *s.GatewayIP
	}
	if !holds(on[0], s.ID, gateway) {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Warn,
			Text: fmt.Sprintf("the interface on subnet %s is port %s at %s, not at the gateway IP: Neutron deletes that port, and an undo attaches the subnet at its gateway IP instead", subnetLabel(s), on[0].ID, addresses(on[0]))})
	}
	if !chk.Blocked() {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Info,
			Text: fmt.Sprintf("servers on subnet %s lose their route through router %s", subnetLabel(s), r.label())})
	}
	return chk, nil
}

func removeBySubnet(subnetID string) routers.RemoveInterfaceOpts {
	return routers.RemoveInterfaceOpts{SubnetID: subnetID}
}

func previewRemoveSubnet(ctx context.Context, env *tools.Env, args SubnetArgs, chk *tools.Check) (*tools.Preview, error) {
	client, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	body, err := removeBySubnet(args.Subnet).ToRouterRemoveInterfaceMap()
	if err != nil {
		return nil, err
	}
	pv := &tools.Preview{Requests: []tools.Request{{Method: "PUT", URL: client.ServiceURL("routers", args.Router, "remove_router_interface"), Body: body}}}
	if st, ok := tools.FetchedAs[*ifaceState](chk); ok && st.port != nil {
		pv.Deletes = []tools.Dependent{{Kind: "port", ID: st.port.ID, Name: st.port.Name,
			Fate: fmt.Sprintf("interface of router %s on subnet %s (%s): deleted", st.router.label(), subnetLabel(st.subnet), addresses(*st.port))}}
	}
	return pv, nil
}

func runRemoveSubnet(ctx context.Context, env *tools.Env, args SubnetArgs) (*tools.Result, error) {
	client, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	rn, sn := names(ctx, client, args.Router, args.Subnet)
	res := routers.RemoveInterface(ctx, client, args.Router, removeBySubnet(args.Subnet))
	ids := tools.HeaderRequestIDs(res.Header)
	info, err := res.Extract()
	if err != nil {
		if gophercloud.ResponseCodeIs(err, http.StatusConflict) {
			err = fmt.Errorf("%w (a floating IP or route came to need the interface since the preflight; run /router remove subnet again to see which)", err)
		}
		return &tools.Result{RequestIDs: ids}, fmt.Errorf("remove subnet %s from router %s: %w", sn, rn, err)
	}
	return &tools.Result{
		Message:    fmt.Sprintf("router %s has no interface on subnet %s any more", rn, sn),
		Outputs:    map[string]string{"router": args.Router, "subnet": args.Subnet, "port": info.PortID},
		RequestIDs: ids,
	}, nil
}

// --- router.add.port ---

// portCheck is the start of both port checks: the router and the port
// resolved, the port a target. A nil port (and no error) means the port
// comes from an earlier step, which the check says; nothing more can be
// looked at before it exists.
func portCheck(ctx context.Context, env *tools.Env, args PortArgs) (*tools.Check, *Router, *network.UsedPort, *gophercloud.ServiceClient, error) {
	chk, r, client, err := ifaceCheck(ctx, env, args.Router)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	args.Router = r.ID
	chk.Resolved = tools.JSON(args)
	if tools.IsRef(args.Port) {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Info, Text: fmt.Sprintf("port %s comes from an earlier step", args.Port)})
		return chk, r, nil, client, nil
	}
	p, err := resolvePort(ctx, client, args.Port)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	args.Port = p.ID
	chk.Resolved = tools.JSON(args)
	chk.Targets = append(chk.Targets, tools.Target{Kind: "port", ID: p.ID, Name: p.Name})
	return chk, r, p, client, nil
}

func checkAddPort(ctx context.Context, env *tools.Env, args PortArgs) (*tools.Check, error) {
	chk, r, p, client, err := portCheck(ctx, env, args)
	if err != nil || p == nil {
		return chk, err
	}
	chk.Fetched = &ifaceState{router: r, port: p}
	chk.State = fmt.Sprintf("port device=%s owner=%s", p.DeviceID, p.DeviceOwner)
	switch {
	case p.DeviceID == r.ID && IsInterface(p.DeviceOwner):
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block,
			Text: fmt.Sprintf("%s is already an interface of router %s; nothing to add", p.Label(), r.label())})
		return chk, nil
	case p.DeviceID != "" || p.DeviceOwner != "":
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block,
			Text: fmt.Sprintf("%s cannot become an interface of router %s while it is in use: %s", p.Label(), r.label(), p.InUse())})
		return chk, nil
	case len(p.FixedIPs) == 0:
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block,
			Text: fmt.Sprintf("%s has no fixed IP, and a router interface needs an address: give it one (openstack port set --fixed-ip subnet=SUBNET %s)", p.Label(), p.ID)})
		return chk, nil
	}
	v4 := 0
	for _, ip := range p.FixedIPs {
		if !strings.Contains(ip.IPAddress, ":") {
			v4++
		}
	}
	if v4 > 1 {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block,
			Text: fmt.Sprintf("%s has %d IPv4 addresses (%s), and Neutron takes a router port with one IPv4 address only: remove the others (openstack port unset --fixed-ip …) or use another port", p.Label(), v4, addresses(*p))})
	}
	a, err := portsOf(ctx, client, r.ID)
	if err != nil {
		return nil, err
	}
	chk.State += " " + a.state()
	book := newSubnetBook(client)
	for _, ip := range p.FixedIPs {
		if on := a.on(ip.SubnetID); len(on) > 0 {
			chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block,
				Text: fmt.Sprintf("router %s already has an interface on subnet %s (%s), and Neutron refuses a second one on the same subnet", r.label(), book.label(ctx, ip.SubnetID), addresses(on[0]))})
			continue
		}
		s, err := book.get(ctx, ip.SubnetID)
		if err != nil {
			return nil, err
		}
		if s == nil {
			continue
		}
		over, err := overlapping(ctx, book, r, a, s)
		if err != nil {
			return nil, err
		}
		for _, o := range over {
			chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block, Text: o})
		}
	}
	if !chk.Blocked() {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Info,
			Text: fmt.Sprintf("router %s gets an interface at %s through %s", r.label(), addresses(*p), p.Label())})
	}
	return chk, nil
}

func addByPort(portID string) routers.AddInterfaceOpts {
	return routers.AddInterfaceOpts{PortID: portID}
}

func previewAddPort(ctx context.Context, env *tools.Env, args PortArgs, chk *tools.Check) (*tools.Preview, error) {
	client, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	body, err := addByPort(args.Port).ToRouterAddInterfaceMap()
	if err != nil {
		return nil, err
	}
	return &tools.Preview{
		Requests: []tools.Request{{Method: "PUT", URL: client.ServiceURL("routers", args.Router, "add_router_interface"), Body: body}},
		Changes: []tools.FieldChange{
			{Field: "port device_owner", From: "", To: "network:router_interface"},
			{Field: "port device_id", From: "", To: args.Router},
		},
	}, nil
}

func runAddPort(ctx context.Context, env *tools.Env, args PortArgs) (*tools.Result, error) {
	client, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	res := routers.AddInterface(ctx, client, args.Router, addByPort(args.Port))
	ids := tools.HeaderRequestIDs(res.Header)
	info, err := res.Extract()
	if err != nil {
		return &tools.Result{RequestIDs: ids}, fmt.Errorf("add port %s to router %s: %w", args.Port, args.Router, err)
	}
	rn, sn := names(ctx, client, args.Router, info.SubnetID)
	return &tools.Result{
		Message:    fmt.Sprintf("router %s has an interface through port %s now (subnet %s)", rn, info.PortID, sn),
		Outputs:    map[string]string{"router": args.Router, "port": info.PortID, "subnet": info.SubnetID},
		RequestIDs: ids,
	}, nil
}

// --- router.remove.port ---

func checkRemovePort(ctx context.Context, env *tools.Env, args PortArgs) (*tools.Check, error) {
	chk, r, p, client, err := portCheck(ctx, env, args)
	if err != nil || p == nil {
		return chk, err
	}
	chk.State = fmt.Sprintf("port device=%s owner=%s", p.DeviceID, p.DeviceOwner)
	switch {
	case p.DeviceID == r.ID && p.DeviceOwner == ownerGateway:
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block,
			Text: fmt.Sprintf("%s is router %s's external gateway, not an interface: take it off with /router unset %s --external-gateway", p.Label(), r.label(), r.label())})
		return chk, nil
	case p.DeviceID == r.ID && !IsInterface(p.DeviceOwner):
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block,
			Text: fmt.Sprintf("%s is a %s port that Neutron keeps for router %s itself; it goes when the router does", p.Label(), p.DeviceOwner, r.label())})
		return chk, nil
	case p.DeviceID != r.ID:
		text := fmt.Sprintf("%s is not an interface of router %s", p.Label(), r.label())
		if p.DeviceOwner != "" || p.DeviceID != "" {
			text += "; " + p.InUse()
		}
		a, err := portsOf(ctx, client, r.ID)
		if err != nil {
			return nil, err
		}
		text += "; router " + r.label() + ": " + interfacesNote(ctx, newSubnetBook(client), a)
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block, Text: text})
		return chk, nil
	}
	book := newSubnetBook(client)
	var subs []*subnets.Subnet
	for _, ip := range p.FixedIPs {
		s, err := book.get(ctx, ip.SubnetID)
		if err != nil {
			return nil, err
		}
		if s != nil {
			subs = append(subs, s)
		}
	}
	st := &ifaceState{router: r, port: p}
	if len(subs) > 0 {
		st.subnet = subs[0]
	}
	chk.Fetched = st
	if err := blockers(ctx, env, client, chk, r, subs); err != nil {
		return nil, err
	}
	if !chk.Blocked() {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Warn,
			Text: fmt.Sprintf("Neutron deletes %s (%s) with the interface", p.Label(), addresses(*p))})
	}
	return chk, nil
}

func previewRemovePort(ctx context.Context, env *tools.Env, args PortArgs, chk *tools.Check) (*tools.Preview, error) {
	client, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	body, err := removeByPort(args.Port).ToRouterRemoveInterfaceMap()
	if err != nil {
		return nil, err
	}
	pv := &tools.Preview{Requests: []tools.Request{{Method: "PUT", URL: client.ServiceURL("routers", args.Router, "remove_router_interface"), Body: body}}}
	if st, ok := tools.FetchedAs[*ifaceState](chk); ok && st.port != nil {
		on := ""
		if st.subnet != nil {
			on = " on subnet " + subnetLabel(st.subnet)
		}
		pv.Deletes = []tools.Dependent{{Kind: "port", ID: st.port.ID, Name: st.port.Name,
			Fate: fmt.Sprintf("interface of router %s%s (%s): deleted with the interface", st.router.label(), on, addresses(*st.port))}}
	}
	return pv, nil
}

func runRemovePort(ctx context.Context, env *tools.Env, args PortArgs) (*tools.Result, error) {
	client, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	// Read the port first: it is gone afterwards, and the undo needs to
	// know whether it sat on its subnet's gateway IP.
	p, err := network.GetOne[network.UsedPort](ports.Get(ctx, client, args.Port).Result, "port")
	if err != nil {
		return nil, fmt.Errorf("get port %s: %w", args.Port, err)
	}
	subnet, atGateway := "", false
	if len(p.FixedIPs) == 1 {
		subnet = p.FixedIPs[0].SubnetID
		if s, err := newSubnetBook(client).get(ctx, subnet); err == nil && s != nil && s.GatewayIP != nil {
			atGateway = *s.GatewayIP == p.FixedIPs[0].IPAddress
		}
	}
	rn, _ := names(ctx, client, args.Router, "")
	res := routers.RemoveInterface(ctx, client, args.Router, removeByPort(args.Port))
	ids := tools.HeaderRequestIDs(res.Header)
	if _, err := res.Extract(); err != nil {
		if gophercloud.ResponseCodeIs(err, http.StatusConflict) {
			err = fmt.Errorf("%w (a floating IP or route came to need the interface since the preflight; run /router remove port again to see which)", err)
		}
		return &tools.Result{RequestIDs: ids}, fmt.Errorf("remove port %s from router %s: %w", args.Port, rn, err)
	}
	return &tools.Result{
		Message:    fmt.Sprintf("router %s has no interface through port %s any more; Neutron deleted the port", rn, args.Port),
		Outputs:    map[string]string{"router": args.Router, "port": args.Port, "subnet": subnet, atGatewayKey: fmt.Sprint(atGateway)},
		RequestIDs: ids,
	}, nil
}
