package secgroups

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/security/rules"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/network"
	quotas "github.com/kriscelmer/os-tui/tools/quota"
)

// ruleKind names a rule in a review.
const ruleKind = "security group rule"

// RuleCreateArgs are the arguments of security-group.rule.create.
type RuleCreateArgs struct {
	Group       string `json:"group"`
	Direction   string `json:"direction,omitempty"`
	EtherType   string `json:"ethertype,omitempty"`
	Protocol    string `json:"protocol,omitempty"`
	DstPort     string `json:"dst_port,omitempty"`
	ICMPType    *int   `json:"icmp_type,omitempty"`
	ICMPCode    *int   `json:"icmp_code,omitempty"`
	RemoteIP    string `json:"remote_ip,omitempty"`
	RemoteGroup string `json:"remote_group,omitempty"`
	Description string `json:"description,omitempty"`
	Force       bool   `json:"force,omitempty"`
}

// RuleDeleteArgs are the arguments of security-group.rule.delete.
type RuleDeleteArgs struct {
	Rule string `json:"rule"`
}

func ruleTools() []tools.Tool {
	return []tools.Tool{
		tools.ChangeTool(tools.ChangeSpec[RuleCreateArgs]{
			Name:     "security-group.rule.create",
			Effect:   tools.Change,
			Service:  network.Service,
			Produces: []string{"id"},
			// No Subject: a rule for a group an earlier step creates is
			// still held to the guardrails at review, which Check applies
			// to the arguments alone.
			Check:   checkRuleCreate,
			Preview: previewRuleCreate,
			Run:     runRuleCreate,
			Undo: func(_ RuleCreateArgs, res *tools.Result) *tools.Call {
				var id string
				if res != nil {
					id = res.Outputs["id"]
				}
				return &tools.Call{Tool: "security-group.rule.delete", Args: tools.JSON(RuleDeleteArgs{Rule: id}), Why: "undo creating the rule"}
			},
		}),
		tools.ChangeTool(tools.ChangeSpec[RuleDeleteArgs]{
			Name:     "security-group.rule.delete",
			Effect:   tools.Destroy,
			Service:  network.Service,
			Produces: []string{"id"},
			Subject:  func(a RuleDeleteArgs) (string, string) { return ruleKind, a.Rule },
			Check:    checkRuleDelete,
			Preview:  previewRuleDelete,
			Run:      runRuleDelete,
			Undo: func(_ RuleDeleteArgs, res *tools.Result) *tools.Call {
				switch {
				case res == nil || len(res.Outputs) == 0:
					// Under review: the rule is read when the step runs.
					return &tools.Call{Tool: "security-group.rule.create", Args: tools.JSON(RuleCreateArgs{}), Why: "undo: create the rule again"}
				case res.Outputs[previousKey] == "":
					return nil
				}
				var r Rule
				if err := json.Unmarshal([]byte(res.Outputs[previousKey]), &r); err != nil || r.SecurityGroupID == "" || r.Direction == "" {
					return nil
				}
				args, ok := RuleArgs(r)
				if !ok {
					return nil
				}
				return &tools.Call{Tool: "security-group.rule.create", Args: tools.JSON(args), Why: "undo: create the deleted rule again (" + r.String() + ")"}
			},
		}),
	}
}

// RuleArgs are the security-group.rule.create arguments that make rule r
// again, and whether they can (a rule naming a remote address group
// cannot be written with them). A rule the guardrails would refuse is
// forced: it is being restored, and the review still shows it in red.
func RuleArgs(r Rule) (RuleCreateArgs, bool) {
	if r.RemoteAddressGroupID != nil && *r.RemoteAddressGroupID != "" {
		return RuleCreateArgs{}, false
	}
	a := RuleCreateArgs{Group: r.SecurityGroupID, Direction: r.Direction, EtherType: r.EtherType, Protocol: "any", Description: r.Description}
	if r.Protocol != nil && *r.Protocol != "" {
		a.Protocol = *r.Protocol
	}
	if icmpProtocol(normalProtocol(&a.Protocol)) {
		a.ICMPType, a.ICMPCode = r.PortRangeMin, r.PortRangeMax
	} else if r.PortRangeMin != nil || r.PortRangeMax != nil {
		lo, hi := 1, 65535
		if r.PortRangeMin != nil {
			lo = *r.PortRangeMin
		}
		if r.PortRangeMax != nil {
			hi = *r.PortRangeMax
		}
		a.DstPort = fmt.Sprintf("%d:%d", lo, hi)
	}
	if r.RemoteIPPrefix != nil {
		a.RemoteIP = *r.RemoteIPPrefix
	}
	if r.RemoteGroupID != nil {
		a.RemoteGroup = *r.RemoteGroupID
	}
	a.Force = len(Exposure(r)) > 0
	return a, true
}

// protocolList is what Neutron takes as a rule's protocol by name.
var protocolList = []string{"ah", "dccp", "egp", "esp", "gre", "hopopt", "icmp", "igmp", "ipip", "ipv6-encap", "ipv6-frag", "ipv6-icmp", "icmpv6", "ipv6-nonxt", "ipv6-opts", "ipv6-route", "ospf", "pgm", "rsvp", "sctp", "tcp", "udp", "udplite", "vrrp"}

func icmpProtocol(p string) bool { return p == "icmp" || p == "ipv6-icmp" }

// parsePorts reads "22", "8000:8080" or "8000-8080".
func parsePorts(s string) (lo, hi int, problem string) {
	a, b, ranged := strings.Cut(s, ":")
	if !ranged {
		a, b, ranged = strings.Cut(s, "-")
	}
	if !ranged {
		b = a
	}
	lo, err1 := strconv.Atoi(strings.TrimSpace(a))
	hi, err2 := strconv.Atoi(strings.TrimSpace(b))
	switch {
	case err1 != nil || err2 != nil:
		return 0, 0, fmt.Sprintf("--dst-port %s is not a port or range; write 22 or 8000:8080", s)
	case lo < 1 || hi > 65535 || hi < 1 || lo > 65535:
		return 0, 0, fmt.Sprintf("--dst-port %s is outside 1-65535", s)
	case lo > hi:
		return 0, 0, fmt.Sprintf("port range %s starts after it ends; write it low to high: %d:%d", s, hi, lo)
	}
	return lo, hi, ""
}

// normalRule turns the arguments into the rule they ask for, with every
// default filled in the way Neutron would fill it, and the findings that
// the arguments alone give (no cloud needed). args comes back resolved
// except for the group names, which Check looks up.
func normalRule(args RuleCreateArgs) (RuleCreateArgs, Rule, []tools.Finding) {
	var fs []tools.Finding
	block := func(format string, a ...any) {
		fs = append(fs, tools.Finding{Level: tools.Block, Text: fmt.Sprintf(format, a...)})
	}
	info := func(format string, a ...any) {
		fs = append(fs, tools.Finding{Level: tools.Info, Text: fmt.Sprintf(format, a...)})
	}
	if args.Direction == "" {
		args.Direction = "ingress"
	}
	args.Protocol = strings.ToLower(strings.TrimSpace(args.Protocol))
	switch {
	case args.Protocol == "" && args.DstPort != "":
		args.Protocol = "tcp"
		info("protocol tcp, as a port was given without --protocol")
	case args.Protocol == "" && (args.ICMPType != nil || args.ICMPCode != nil):
		args.Protocol = "icmp"
	case args.Protocol == "":
		args.Protocol = "any"
	}
	proto := normalProtocol(&args.Protocol)
	if n, err := strconv.Atoi(args.Protocol); err == nil {
		if n < 0 || n > 255 {
			block("protocol %d is not an IP protocol number (0-255)", n)
		}
	} else if args.Protocol != "any" && !slices.Contains(protocolList, args.Protocol) {
		block("unknown protocol %s; use tcp, udp, icmp, any, another of %s, or a number 0-255", args.Protocol, strings.Join(protocolList, ", "))
	}

	if args.RemoteIP != "" && args.RemoteGroup != "" {
		block("give either --remote-ip or --remote-group, not both: a rule admits one kind of remote")
	}
	family := ""
	if args.RemoteIP != "" {
		p, err := netip.ParsePrefix(strings.TrimSpace(args.RemoteIP))
		if err != nil {
			if a, aerr := netip.ParseAddr(strings.TrimSpace(args.RemoteIP)); aerr == nil {
				p, err = a.Prefix(a.BitLen())
			}
		}
		if err != nil {
			block("--remote-ip %s is not an address or CIDR; write it like 10.0.0.0/8 or 2001:db8::/32", args.RemoteIP)
		} else {
			canon := p.Masked().String()
			if canon != args.RemoteIP && p.Bits() != p.Addr().BitLen() {
				info("--remote-ip %s is the network %s", args.RemoteIP, canon)
			}
			args.RemoteIP = canon
			family = "IPv4"
			if p.Addr().Is6() {
				family = "IPv6"
			}
		}
	}
	switch {
	case args.EtherType == "" && family != "":
		args.EtherType = family
	case args.EtherType == "" && proto == "ipv6-icmp":
		args.EtherType = "IPv6"
	case args.EtherType == "":
		args.EtherType = "IPv4"
	case family != "" && args.EtherType != family:
		block("--ethertype %s does not match --remote-ip %s, an %s prefix; leave out --ethertype or give an %s prefix", args.EtherType, args.RemoteIP, family, args.EtherType)
	}
	if proto == "ipv6-icmp" && args.EtherType == "IPv4" {
		block("protocol %s is for IPv6; use icmp for IPv4 or --ethertype IPv6", args.Protocol)
	}
	if proto == "icmp" && args.EtherType == "IPv6" {
		info("for IPv6, Neutron treats icmp as ipv6-icmp")
	}

	rule := Rule{Direction: args.Direction, EtherType: args.EtherType, Description: args.Description}
	if args.Protocol != "any" {
		p := args.Protocol
		rule.Protocol = &p
	}
	if args.RemoteIP != "" {
		ip := args.RemoteIP
		rule.RemoteIPPrefix = &ip
	}
	if args.RemoteGroup != "" {
		g := args.RemoteGroup
		rule.RemoteGroupID = &g
	}
	if args.DstPort != "" {
		if !PortProtocol(proto) {
			block("ports apply to tcp, udp, sctp, dccp and udplite, not %s; leave out --dst-port (for icmp use --icmp-type and --icmp-code)", args.Protocol)
		} else if lo, hi, problem := parsePorts(args.DstPort); problem != "" {
			block("%s", problem)
		} else {
			args.DstPort = fmt.Sprintf("%d:%d", lo, hi)
			rule.PortRangeMin, rule.PortRangeMax = &lo, &hi
		}
	}
	if args.ICMPType != nil || args.ICMPCode != nil {
		switch {
		case !icmpProtocol(proto):
			block("--icmp-type and --icmp-code apply to icmp and ipv6-icmp only, not %s", args.Protocol)
		case args.ICMPType == nil:
			block("--icmp-code needs --icmp-type")
		case *args.ICMPType < 0 || *args.ICMPType > 255 || args.ICMPCode != nil && (*args.ICMPCode < 0 || *args.ICMPCode > 255):
			block("ICMP type and code are 0-255")
		default:
			rule.PortRangeMin, rule.PortRangeMax = args.ICMPType, args.ICMPCode
		}
	}
	return args, rule, fs
}

// guardrails turns the rule's exposure into findings: each Risk blocks
// unless forced, and stays in the plan as a Danger when it is.
func guardrails(rule Rule, force bool) []tools.Finding {
	var fs []tools.Finding
	for _, r := range Exposure(rule) {
		if force {
			fs = append(fs, tools.Finding{Level: tools.Danger,
				Text: fmt.Sprintf("%s (%s %s) open to the whole internet (%s), forced: %s", r.Service, r.Protocol, r.Port, r.Remote, r.Why)})
			continue
		}
		fix := "allow only the addresses that need it (--remote-ip 203.0.113.0/24) or a group (--remote-group GROUP)"
		switch r.Service {
		case "all ports":
			fix = "name the protocol and ports a service uses (--protocol tcp --dst-port 443), or limit --remote-ip"
		case "wide port range":
			fix = "open only the ports a service listens on, or limit --remote-ip"
		}
		fs = append(fs, tools.Finding{Level: tools.Block,
			Text: fmt.Sprintf("refused: this rule opens %s (%s %s) to the whole internet (%s) — %s. Instead %s; or add --force if it must be open", r.Service, r.Protocol, r.Port, r.Remote, r.Why, fix)})
	}
	return fs
}

// sameRule reports whether two rules admit the same traffic the way
// Neutron's duplicate check sees it: protocol numbers equal their names,
// no remote equals the world prefix, 1-65535 equals no ports, and
// prefixes compare as networks.
func sameRule(a, b Rule) bool {
	if a.Direction != b.Direction || a.EtherType != b.EtherType {
		return false
	}
	pa, pb := normalProtocol(a.Protocol), normalProtocol(b.Protocol)
	if pa == "icmp" && a.EtherType == "IPv6" {
		pa = "ipv6-icmp"
	}
	if pb == "icmp" && b.EtherType == "IPv6" {
		pb = "ipv6-icmp"
	}
	if pa != pb {
		return false
	}
	if canonPorts(pa, a) != canonPorts(pb, b) {
		return false
	}
	if deref(a.RemoteGroupID) != deref(b.RemoteGroupID) || deref(a.RemoteAddressGroupID) != deref(b.RemoteAddressGroupID) {
		return false
	}
	return canonRemote(a) == canonRemote(b)
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func canonPorts(proto string, r Rule) string {
	lo, hi, all := portSpan(proto, r.PortRangeMin, r.PortRangeMax)
	if all {
		return "all"
	}
	if icmpProtocol(proto) {
		return fmt.Sprintf("%v/%v", optInt(r.PortRangeMin), optInt(r.PortRangeMax))
	}
	return fmt.Sprintf("%d-%d", lo, hi)
}

func optInt(p *int) any {
	if p == nil {
		return "-"
	}
	return *p
}

func canonRemote(r Rule) string {
	if deref(r.RemoteGroupID) != "" || deref(r.RemoteAddressGroupID) != "" {
		return ""
	}
	s := deref(r.RemoteIPPrefix)
	if s == "" || IsWorld(s) {
		return "world"
	}
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked().String()
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return a.String()
	}
	return s
}

func checkRuleCreate(ctx context.Context, env *tools.Env, args RuleCreateArgs) (*tools.Check, error) {
	args, rule, findings := normalRule(args)
	chk := &tools.Check{Findings: findings}
	var group *Group
	if tools.IsRef(args.Group) {
		chk.Targets = []tools.Target{{Kind: targetKind, ID: args.Group, Name: args.Group}}
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Info, Text: fmt.Sprintf("security group %s comes from an earlier step", args.Group)})
	} else {
		g, err := Resolve(ctx, env, args.Group)
		if err != nil {
			return nil, err
		}
		group = g
		args.Group = g.ID
		chk.Targets = []tools.Target{groupTarget(g)}
	}
	shown := rule
	if args.RemoteGroup != "" && !tools.IsRef(args.RemoteGroup) {
		label := args.RemoteGroup
		if group != nil && (args.RemoteGroup == group.ID || args.RemoteGroup == group.Name) {
			args.RemoteGroup, label = group.ID, "itself"
		} else {
			rg, err := Resolve(ctx, env, args.RemoteGroup)
			if err != nil {
				return nil, err
			}
			args.RemoteGroup, label = rg.ID, rg.label()
		}
		id := args.RemoteGroup
		rule.RemoteGroupID = &id
		shown.RemoteGroupID = &label
	}
	rule.SecurityGroupID = args.Group
	chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Info, Text: "the rule: " + shown.String()})
	// A malformed rule (a bad port range, say) is judged once it is
	// fixed: judged now, it would read as the rule it is not.
	wellFormed := !chk.Blocked()
	if wellFormed {
		chk.Findings = append(chk.Findings, guardrails(rule, args.Force)...)
	}
	if group != nil && wellFormed {
		for _, r := range group.Rules {
			if sameRule(r, rule) {
				chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block,
					Text: fmt.Sprintf("security group %s already has this rule: %s (%s); Neutron would refuse a copy — nothing to add", group.label(), r.ID, r.String())})
				break
			}
		}
	}
	if err := quotas.Preflight(ctx, env, chk, "", quotas.Need{Service: "network", Resource: "security_group_rule", Delta: 1,
		Full: func(u tools.QuotaUse) string {
			return fmt.Sprintf("the security group rule quota is full (%d of %d); delete rules nothing needs (/security-group rule delete) or ask for more quota", u.InUse, u.Limit)
		}}); err != nil {
		return nil, err
	}
	chk.Resolved = tools.JSON(args)
	chk.Fetched = group
	return chk, nil
}

// ruleCreateBody is the request body: gophercloud's builder, plus a port
// or ICMP type of 0, which its omitempty fields cannot carry.
func ruleCreateBody(args RuleCreateArgs) (map[string]any, error) {
	opts := rules.CreateOpts{
		Direction:      rules.RuleDirection(args.Direction),
		EtherType:      rules.RuleEtherType(args.EtherType),
		SecGroupID:     args.Group,
		RemoteIPPrefix: args.RemoteIP,
		RemoteGroupID:  args.RemoteGroup,
		Description:    args.Description,
	}
	if args.Protocol != "any" {
		opts.Protocol = rules.RuleProtocol(args.Protocol)
	}
	var zero []string
	if args.DstPort != "" {
		lo, hi, problem := parsePorts(args.DstPort)
		if problem != "" {
			return nil, fmt.Errorf("%s", problem)
		}
		opts.PortRangeMin, opts.PortRangeMax = lo, hi
	}
	if args.ICMPType != nil {
		opts.PortRangeMin = *args.ICMPType
		if *args.ICMPType == 0 {
			zero = append(zero, "port_range_min")
		}
	}
	if args.ICMPCode != nil {
		opts.PortRangeMax = *args.ICMPCode
		if *args.ICMPCode == 0 {
			zero = append(zero, "port_range_max")
		}
	}
	body, err := opts.ToSecGroupRuleCreateMap()
	if err != nil {
		return nil, err
	}
	if inner, ok := body["security_group_rule"].(map[string]any); ok {
		for _, k := range zero {
			inner[k] = 0
		}
	}
	return body, nil
}

func previewRuleCreate(ctx context.Context, env *tools.Env, args RuleCreateArgs, _ *tools.Check) (*tools.Preview, error) {
	client, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	body, err := ruleCreateBody(args)
	if err != nil {
		return nil, err
	}
	_, rule, _ := normalRule(args)
	if args.RemoteGroup != "" && !tools.IsRef(args.RemoteGroup) {
		label := args.RemoteGroup
		if args.RemoteGroup == args.Group {
			label = "itself"
		} else if g, err := Resolve(ctx, env, args.RemoteGroup); err == nil {
			label = g.label()
		}
		rule.RemoteGroupID = &label
	}
	return &tools.Preview{
		Requests: []tools.Request{{Method: "POST", URL: client.ServiceURL("security-group-rules"), Body: body}},
		Creates:  []string{"rule " + rule.String()},
	}, nil
}

func runRuleCreate(ctx context.Context, env *tools.Env, args RuleCreateArgs) (*tools.Result, error) {
	client, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	body, err := ruleCreateBody(args)
	if err != nil {
		return nil, err
	}
	var out struct {
		Rule Rule `json:"security_group_rule"`
	}
	resp, err := client.Post(ctx, client.ServiceURL("security-group-rules"), body, &out, &gophercloud.RequestOpts{OkCodes: []int{http.StatusCreated}}) //nolint:bodyclose // closed by gophercloud
	ids := tools.RequestIDs(resp, err)
	if err != nil {
		return &tools.Result{RequestIDs: ids}, fmt.Errorf("create rule in security group %s: %w", args.Group, err)
	}
	return &tools.Result{
		Message:    fmt.Sprintf("rule %s created: %s", out.Rule.ID, out.Rule.String()),
		Outputs:    map[string]string{"id": out.Rule.ID},
		RequestIDs: ids,
	}, nil
}

// --- security-group.rule.delete ---

func getRule(ctx context.Context, c *gophercloud.ServiceClient, id string) (*Rule, error) {
	r, err := network.GetOne[Rule](rules.Get(ctx, c, id).Result, "security_group_rule")
	if gophercloud.ResponseCodeIs(err, http.StatusNotFound) {
		return nil, &tools.NotFoundError{Kind: ruleKind, Name: id}
	}
	if err != nil {
		return nil, fmt.Errorf("get security group rule %s: %w", id, err)
	}
	return r, nil
}

func checkRuleDelete(ctx context.Context, env *tools.Env, args RuleDeleteArgs) (*tools.Check, error) {
	client, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	r, err := getRule(ctx, client, args.Rule)
	if err != nil {
		return nil, err
	}
	chk := &tools.Check{
		Targets:  []tools.Target{{Kind: ruleKind, ID: r.ID, Name: r.ID}},
		Resolved: tools.JSON(RuleDeleteArgs{Rule: r.ID}),
		State:    r.String(),
		Fetched:  r,
	}
	group := r.SecurityGroupID
	g, err := Resolve(ctx, env, r.SecurityGroupID)
	if err == nil {
		group = g.label()
	}
	chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Info, Text: fmt.Sprintf("rule of security group %s: %s", group, r.String())})
	if g != nil && r.Direction == "egress" {
		left := 0
		for _, o := range g.Rules {
			if o.ID != r.ID && o.Direction == "egress" && o.EtherType == r.EtherType {
				left++
			}
		}
		if left == 0 {
			chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Warn,
				Text: fmt.Sprintf("it is the last %s egress rule of %s: servers in the group can no longer start %s connections of their own (DNS, updates) unless another group allows them", r.EtherType, group, r.EtherType)})
		}
	}
	if _, ok := RuleArgs(*r); !ok {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Warn, Text: "the rule names a remote address group, which the undo cannot re-create"})
	}
	return chk, nil
}

func previewRuleDelete(ctx context.Context, env *tools.Env, args RuleDeleteArgs, chk *tools.Check) (*tools.Preview, error) {
	client, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	r, ok := tools.FetchedAs[*Rule](chk)
	if !ok || r.ID != args.Rule {
		if r, err = getRule(ctx, client, args.Rule); err != nil {
			return nil, err
		}
	}
	return &tools.Preview{
		Requests: []tools.Request{{Method: "DELETE", URL: client.ServiceURL("security-group-rules", r.ID)}},
		Deletes:  []tools.Dependent{{Kind: "rule", ID: r.ID, Name: r.ID, Fate: "deleted: " + r.String()}},
	}, nil
}

func runRuleDelete(ctx context.Context, env *tools.Env, args RuleDeleteArgs) (*tools.Result, error) {
	client, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	// Read right before the delete: the undo re-creates what was there.
	r, err := getRule(ctx, client, args.Rule)
	if err != nil {
		return nil, err
	}
	d := rules.Delete(ctx, client, r.ID)
	ids := tools.HeaderRequestIDs(d.Header)
	if gophercloud.ResponseCodeIs(d.Err, http.StatusNotFound) {
		return &tools.Result{RequestIDs: ids}, &tools.NotFoundError{Kind: ruleKind, Name: r.ID}
	}
	if d.Err != nil {
		return &tools.Result{RequestIDs: ids}, fmt.Errorf("delete security group rule %s: %w", r.ID, d.Err)
	}
	return &tools.Result{
		Message:    fmt.Sprintf("rule %s deleted (%s)", r.ID, r.String()),
		Outputs:    map[string]string{"id": r.ID, previousKey: string(tools.JSON(r))},
		RequestIDs: ids,
	}, nil
}
