package servers

import (
	"context"
	"fmt"
	"strings"

	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/layer3/floatingips"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/network"
	fipreads "github.com/kriscelmer/os-tui/tools/network/floatingips"
	"github.com/kriscelmer/os-tui/tools/network/networks"
	portreads "github.com/kriscelmer/os-tui/tools/network/ports"
	"github.com/kriscelmer/os-tui/tools/quota"
)

// FloatingIPArgs are the arguments of server.add.floating-ip. Exactly one
// of Address (an existing floating IP) and Network (an external network
// to allocate a new one from) is set; the schema says so.
type FloatingIPArgs struct {
	Server       string `json:"server"`
	Address      string `json:"address,omitempty"`
	Network      string `json:"network,omitempty"`
	FixedAddress string `json:"fixed_address,omitempty"`
}

// RemoveFloatingIPArgs are the arguments of server.remove.floating-ip.
type RemoveFloatingIPArgs struct {
	Server  string `json:"server"`
	Address string `json:"address"`
}

func addFloatingIP() tools.Tool {
	return tools.ChangeTool(tools.ChangeSpec[FloatingIPArgs]{
		Name:     "server.add.floating-ip",
		Effect:   tools.Change,
		Service:  "network",
		Produces: []string{"address", "id", "server", "fixed_address"},
		Check:    checkAddFloatingIP,
		Preview:  previewAddFloatingIP,
		Run:      runAddFloatingIP,
		Undo: func(args FloatingIPArgs, res *tools.Result) *tools.Call {
			addr := args.Address
			why := "undo adding the floating IP"
			if res != nil && res.Outputs["address"] != "" {
				addr = res.Outputs["address"]
			}
			if args.Network != "" {
				why += " (the new floating IP stays allocated to the project; release it with /floating-ip delete " + addr + ")"
			}
			return &tools.Call{Tool: "server.remove.floating-ip", Args: tools.JSON(RemoveFloatingIPArgs{Server: args.Server, Address: addr}), Why: why}
		},
	})
}

func removeFloatingIP() tools.Tool {
	return tools.ChangeTool(tools.ChangeSpec[RemoveFloatingIPArgs]{
		Name:     "server.remove.floating-ip",
		Effect:   tools.Change,
		Service:  "network",
		Produces: []string{"address", "id", "server", "fixed_address"},
		Check:    checkRemoveFloatingIP,
		Preview:  previewRemoveFloatingIP,
		Run:      runRemoveFloatingIP,
		Undo: func(args RemoveFloatingIPArgs, res *tools.Result) *tools.Call {
			a := FloatingIPArgs{Server: args.Server, Address: args.Address}
			if res != nil {
				a.FixedAddress = res.Outputs["fixed_address"]
			}
			return &tools.Call{Tool: "server.add.floating-ip", Args: tools.JSON(a), Why: "undo removing the floating IP"}
		},
	})
}

// findFloatingIP finds a floating IP by ID or address.
func findFloatingIP(ctx context.Context, env *tools.Env, idOrAddress string) (*fipreads.FloatingIP, error) {
	client, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	return network.Finder[fipreads.FloatingIP]{
		Kind: "floating IP",
		Get: func(ctx context.Context, id string) (*fipreads.FloatingIP, error) {
			return network.GetOne[fipreads.FloatingIP](floatingips.Get(ctx, client, id).Result, "floatingip")
		},
		ByName: func(ctx context.Context, addr string) ([]fipreads.FloatingIP, error) {
			return network.ListAll[fipreads.FloatingIP](ctx, floatingips.List(client, floatingips.ListOpts{FloatingIP: addr}), "floatingips")
		},
		Candidate: func(f fipreads.FloatingIP) tools.Candidate { return tools.Candidate{ID: f.ID, Name: f.FloatingIP} },
	}.Find(ctx, idOrAddress)
}

// choosePort picks the server port a floating IP goes to: the one with
// the fixed address asked for, or else the first port with an IPv4
// address (floating IPs are IPv4).
func choosePort(all []portreads.Port, fixed string) (port *portreads.Port, ip string) {
	for i := range all {
		for _, f := range all[i].FixedIPs {
			if fixed != "" && f.IPAddress == fixed {
				return &all[i], f.IPAddress
			}
			if fixed == "" && !strings.Contains(f.IPAddress, ":") {
				return &all[i], f.IPAddress
			}
		}
	}
	return nil, ""
}

func fixedAddresses(all []portreads.Port) string {
	var out []string
	for _, p := range all {
		for _, f := range p.FixedIPs {
			out = append(out, f.IPAddress)
		}
	}
	if len(out) == 0 {
		return "none"
	}
	return strings.Join(out, ", ")
}

// fipPlace says where a floating IP is associated, in words.
func fipPlace(ctx context.Context, env *tools.Env, f *fipreads.FloatingIP) string {
	if f.PortID == nil || *f.PortID == "" {
		return "nothing"
	}
	where := "port " + *f.PortID
	if p, err := portreads.Resolve(ctx, env, *f.PortID); err == nil && p.DeviceID != "" && strings.HasPrefix(p.DeviceOwner, "compute:") {
		where = "server " + serverName(ctx, env, p.DeviceID)
	}
	if f.FixedIP != nil && *f.FixedIP != "" {
		where += " (" + *f.FixedIP + ")"
	}
	return where
}

func checkAddFloatingIP(ctx context.Context, env *tools.Env, args FloatingIPArgs) (*tools.Check, error) {
	chk := &tools.Check{}
	resolved := args
	var port *portreads.Port
	s, err := attachServer(ctx, env, chk, args.Server, Rule{Verb: "adding a floating IP"})
	if err != nil {
		return nil, err
	}
	if s != nil {
		resolved.Server = s.ID
		all, err := serverPorts(ctx, env, s.ID)
		if err != nil {
			return nil, err
		}
		var ip string
		port, ip = choosePort(all, args.FixedAddress)
		switch {
		case len(all) == 0:
			chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block,
				Text: fmt.Sprintf("server %s has no port; attach it to a network first", s.Name)})
		case port == nil && args.FixedAddress != "":
			chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block,
				Text: fmt.Sprintf("server %s has no port with fixed address %s (it has %s)", s.Name, args.FixedAddress, fixedAddresses(all))})
		case port == nil:
			chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block,
				Text: fmt.Sprintf("server %s has no IPv4 address for a floating IP to map to (it has %s)", s.Name, fixedAddresses(all))})
		default:
			resolved.FixedAddress = ip
			chk.State += " port=" + port.ID
			if len(all) > 1 && args.FixedAddress == "" {
				chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Warn,
					Text: fmt.Sprintf("server %s has %d ports; the floating IP goes to %s (choose another with --fixed-address)", s.Name, len(all), ip)})
			}
		}
	}

	switch {
	case args.Address != "":
		f, err := findFloatingIP(ctx, env, args.Address)
		if err != nil {
			return nil, err
		}
		resolved.Address = f.ID
		chk.Targets = append(chk.Targets, tools.Target{Kind: "floating IP", ID: f.ID, Name: f.FloatingIP})
		chk.State += fmt.Sprintf(" fip port=%s", portOf(f))
		switch {
		case f.PortID == nil || *f.PortID == "":
			chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Info, Text: fmt.Sprintf("floating IP %s is free", f.FloatingIP)})
		case port != nil && *f.PortID == port.ID:
			chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Warn,
				Text: fmt.Sprintf("floating IP %s is already on server %s; nothing changes", f.FloatingIP, s.Name)})
		default:
			name := args.Server
			if s != nil {
				name = s.Name
			}
			chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block,
				Text: fmt.Sprintf("floating IP %s is already associated with %s; remove it there first (/server remove floating-ip) or use another address", f.FloatingIP, fipPlace(ctx, env, f)) +
					fmt.Sprintf(" before adding it to %s", name)})
		}
	case args.Network != "":
		n, err := networks.Resolve(ctx, env, args.Network)
		if err != nil {
			return nil, err
		}
		resolved.Network = n.ID
		chk.Targets = append(chk.Targets, tools.Target{Kind: "network", ID: n.ID, Name: n.Name})
		if !n.External {
			chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block,
				Text: fmt.Sprintf("network %s is not external; floating IPs come from an external network (see /network list --external)", n.Name)})
		} else {
			chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Info,
				Text: fmt.Sprintf("a new floating IP will be allocated from network %s", n.Name)})
		}
		if s != nil && n.External {
			floatingIPQuota(ctx, env, chk, s.ProjectID)
		}
	default:
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block, Text: "give either --address (an existing floating IP) or --network (an external network to allocate one from)"})
	}
	chk.State = strings.TrimSpace(chk.State)
	chk.Resolved = tools.JSON(resolved)
	return chk, nil
}

// floatingIPQuota adds the project's floating IP quota use. A cloud whose
// Neutron lacks quota details (or refuses them) gets no quota line: the
// create itself will still fail cleanly if the quota is full.
func floatingIPQuota(ctx context.Context, env *tools.Env, chk *tools.Check, project string) {
	if project == "" {
		return
	}
	err := quota.Preflight(ctx, env, chk, project, quota.Need{Service: "network", Resource: "floatingip", Delta: 1,
		Full: func(u tools.QuotaUse) string {
			return fmt.Sprintf("the floating IP quota is full (%d of %d used); release one with /floating-ip delete or use --address with a free one", u.InUse, u.Limit)
		}})
	if err != nil {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Info, Text: "the floating IP quota could not be read; it is checked when the IP is allocated"})
	}
}

func portOf(f *fipreads.FloatingIP) string {
	if f.PortID == nil {
		return ""
	}
	return *f.PortID
}

// resolvePort finds the port of a server that holds the fixed address.
func resolvePort(ctx context.Context, env *tools.Env, serverID, fixed string) (*portreads.Port, string, error) {
	all, err := serverPorts(ctx, env, serverID)
	if err != nil {
		return nil, "", err
	}
	p, ip := choosePort(all, fixed)
	if p == nil {
		if fixed != "" {
			return nil, "", fmt.Errorf("server %s has no port with fixed address %s", serverID, fixed)
		}
		return nil, "", fmt.Errorf("server %s has no port with an IPv4 address", serverID)
	}
	return p, ip, nil
}

// The portless previews say which port is meant when the server comes
// from an earlier step and its port is not known yet.
const laterPort = "{port of the server}"

func previewAddFloatingIP(ctx context.Context, env *tools.Env, args FloatingIPArgs, chk *tools.Check) (*tools.Preview, error) {
	client, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	portID := laterPort
	if !tools.IsRef(args.Server) {
		p, ip, err := resolvePort(ctx, env, args.Server, args.FixedAddress)
		if err != nil {
			return nil, err
		}
		portID, args.FixedAddress = p.ID, ip
	}
	if args.Network != "" {
		// One POST that allocates and associates: if Neutron cannot map
		// the address to the port (no router to the external network),
		// nothing is left allocated.
		body, err := fipCreateOpts(args, portID).ToFloatingIPCreateMap()
		if err != nil {
			return nil, err
		}
		return &tools.Preview{
			Requests: []tools.Request{{Method: "POST", URL: client.ServiceURL("floatingips"), Body: body}},
			Creates:  []string{fmt.Sprintf("floating IP from network %s, on port %s", args.Network, portID)},
			Changes:  []tools.FieldChange{{Field: "floating IP port", From: nil, To: portID}},
		}, nil
	}
	body, err := fipUpdateOpts(portID, args.FixedAddress).ToFloatingIPUpdateMap()
	if err != nil {
		return nil, err
	}
	return &tools.Preview{
		Requests: []tools.Request{{Method: "PUT", URL: client.ServiceURL("floatingips", args.Address), Body: body}},
		Changes:  []tools.FieldChange{{Field: "floating IP port", From: nil, To: portID}},
	}, nil
}

func fipCreateOpts(args FloatingIPArgs, portID string) floatingips.CreateOpts {
	return floatingips.CreateOpts{FloatingNetworkID: args.Network, PortID: portID, FixedIP: args.FixedAddress}
}

func fipUpdateOpts(portID, fixed string) floatingips.UpdateOpts {
	return floatingips.UpdateOpts{PortID: &portID, FixedIP: fixed}
}

func runAddFloatingIP(ctx context.Context, env *tools.Env, args FloatingIPArgs) (*tools.Result, error) {
	client, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	p, ip, err := resolvePort(ctx, env, args.Server, args.FixedAddress)
	if err != nil {
		return nil, err
	}
	var f *fipreads.FloatingIP
	var ids []string
	if args.Network != "" {
		r := floatingips.Create(ctx, client, fipCreateOpts(FloatingIPArgs{Network: args.Network, FixedAddress: ip}, p.ID))
		if f, err = network.GetOne[fipreads.FloatingIP](r.Result, "floatingip"); err != nil {
			return nil, fmt.Errorf("allocate a floating IP from network %s for server %s: %w", args.Network, args.Server, err)
		}
		ids = tools.HeaderRequestIDs(r.Header)
	} else {
		r := floatingips.Update(ctx, client, args.Address, fipUpdateOpts(p.ID, ip))
		if f, err = network.GetOne[fipreads.FloatingIP](r.Result, "floatingip"); err != nil {
			return nil, fmt.Errorf("associate floating IP %s with server %s: %w", args.Address, args.Server, err)
		}
		ids = tools.HeaderRequestIDs(r.Header)
	}
	return &tools.Result{
		Message:    fmt.Sprintf("floating IP %s now maps to %s on server %s", f.FloatingIP, ip, args.Server),
		Outputs:    map[string]string{"address": f.FloatingIP, "id": f.ID, "server": args.Server, "fixed_address": ip},
		RequestIDs: ids,
	}, nil
}

func checkRemoveFloatingIP(ctx context.Context, env *tools.Env, args RemoveFloatingIPArgs) (*tools.Check, error) {
	s, err := Get(ctx, env, args.Server)
	if err != nil {
		return nil, err
	}
	f, err := findFloatingIP(ctx, env, args.Address)
	if err != nil {
		return nil, err
	}
	chk := &tools.Check{
		Targets:  []tools.Target{s.Target(), {Kind: "floating IP", ID: f.ID, Name: f.FloatingIP}},
		Resolved: tools.JSON(RemoveFloatingIPArgs{Server: s.ID, Address: f.ID}),
		State:    attachState(s) + " fip port=" + portOf(f),
	}
	chk.Findings = append(chk.Findings, s.Refusals(Rule{Verb: "removing a floating IP"})...)
	if f.PortID == nil || *f.PortID == "" {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Warn,
			Text: fmt.Sprintf("floating IP %s is not associated with anything; nothing changes", f.FloatingIP)})
		return chk, nil
	}
	all, err := serverPorts(ctx, env, s.ID)
	if err != nil {
		return nil, err
	}
	for _, p := range all {
		if p.ID == *f.PortID {
			chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Info,
				Text: fmt.Sprintf("floating IP %s is on server %s; it stays allocated to the project after removal", f.FloatingIP, s.Name)})
			return chk, nil
		}
	}
	chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block,
		Text: fmt.Sprintf("floating IP %s is associated with %s, not with server %s", f.FloatingIP, fipPlace(ctx, env, f), s.Name)})
	return chk, nil
}

func previewRemoveFloatingIP(ctx context.Context, env *tools.Env, args RemoveFloatingIPArgs, chk *tools.Check) (*tools.Preview, error) {
	client, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	body, err := fipUpdateOpts("", "").ToFloatingIPUpdateMap()
	if err != nil {
		return nil, err
	}
	pv := &tools.Preview{Requests: []tools.Request{{Method: "PUT", URL: client.ServiceURL("floatingips", args.Address), Body: body}}}
	if f, err := findFloatingIP(ctx, env, args.Address); err == nil && f.PortID != nil {
		pv.Changes = []tools.FieldChange{{Field: "floating IP port", From: *f.PortID, To: nil}}
	}
	return pv, nil
}

func runRemoveFloatingIP(ctx context.Context, env *tools.Env, args RemoveFloatingIPArgs) (*tools.Result, error) {
	client, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	before, err := findFloatingIP(ctx, env, args.Address)
	if err != nil {
		return nil, err
	}
	r := floatingips.Update(ctx, client, before.ID, fipUpdateOpts("", ""))
	if r.Err != nil {
		return nil, fmt.Errorf("remove floating IP %s from server %s: %w", before.FloatingIP, args.Server, r.Err)
	}
	out := map[string]string{"address": before.FloatingIP, "id": before.ID, "server": args.Server}
	if before.FixedIP != nil {
		out["fixed_address"] = *before.FixedIP
	}
	return &tools.Result{
		Message:    fmt.Sprintf("floating IP %s removed from server %s; it stays allocated to the project", before.FloatingIP, args.Server),
		Outputs:    out,
		RequestIDs: tools.HeaderRequestIDs(r.Header),
	}, nil
}
