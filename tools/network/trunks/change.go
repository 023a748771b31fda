package trunks

// The trunk change tools: trunk.create, trunk.add.subport,
// trunk.remove.subport and trunk.delete. Each preflight starts by asking
// for the trunk extension; without it the step is blocked with
// ErrNoTrunk's sentence and nothing else is asked of the cloud.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/trunks"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/blockstorage"
	"github.com/kriscelmer/os-tui/tools/network"
	"github.com/kriscelmer/os-tui/tools/network/ports"
)

// noTrunkState marks the preflight of a cloud without trunks, so the dry
// run asks nothing either.
const noTrunkState = "no trunk extension"

// previousKey is the output of trunk.remove.subport that holds the
// removed subports, for the undo that adds them back.
const previousKey = "previous"

// SubportArg is one subport asked for: the openstack CLI's --subport
// "port=PORT,segmentation-type=vlan,segmentation-id=ID", or the object
// {"port": …, "segmentation_type": …, "segmentation_id": …}.
type SubportArg struct {
	Port             string `json:"port"`
	SegmentationType string `json:"segmentation_type,omitempty"`
	SegmentationID   int    `json:"segmentation_id,omitempty"`
	problem          string
}

// UnmarshalJSON reads either form.
func (s *SubportArg) UnmarshalJSON(b []byte) error {
	var spec string
	if json.Unmarshal(b, &spec) == nil {
		kv, err := network.KeyValues("--subport", spec, "port", "segmentation-type", "segmentation-id")
		if err != nil {
			*s = SubportArg{problem: err.Error()}
			return nil //nolint:nilerr // kept as the argument's problem, which the preflight reports in a sentence
		}
		*s = SubportArg{Port: kv["port"], SegmentationType: kv["segmentation-type"]}
		if id := kv["segmentation-id"]; id != "" {
			n, err := strconv.Atoi(id)
			if err != nil {
				s.problem = fmt.Sprintf("--subport segmentation-id must be a number, not %q", id)
			}
			s.SegmentationID = n
		}
		if s.Port == "" && s.problem == "" {
			s.problem = fmt.Sprintf("--subport needs port=PORT (got %q)", spec)
		}
		return nil
	}
	var o struct {
		Port             string `json:"port"`
		SegmentationType string `json:"segmentation_type"`
		SegmentationID   int    `json:"segmentation_id"`
	}
	if err := json.Unmarshal(b, &o); err != nil {
		return fmt.Errorf("a subport: %w", err)
	}
	*s = SubportArg{Port: o.Port, SegmentationType: o.SegmentationType, SegmentationID: o.SegmentationID}
	return nil
}

// CreateArgs are the arguments of trunk.create.
type CreateArgs struct {
	Name         string       `json:"name"`
	ParentPort   string       `json:"parent_port"`
	Subports     []SubportArg `json:"subports,omitempty"`
	Description  string       `json:"description,omitempty"`
	AdminStateUp *bool        `json:"admin_state_up,omitempty"`
}

// AddArgs are the arguments of trunk.add.subport.
type AddArgs struct {
	Trunk    string       `json:"trunk"`
	Subports []SubportArg `json:"subports"`
}

// RemoveArgs are the arguments of trunk.remove.subport: the ports to take
// off the trunk.
type RemoveArgs struct {
	Trunk    string   `json:"trunk"`
	Subports []string `json:"subports"`
}

// DeleteArgs are the arguments of trunk.delete.
type DeleteArgs struct {
	Trunk string `json:"trunk"`
}

func changeTools() []tools.Tool {
	return []tools.Tool{
		tools.ChangeTool(tools.ChangeSpec[CreateArgs]{
			Name: "trunk.create", Effect: tools.Change, Service: network.Service,
			Produces: []string{"id", "name"},
			Check:    checkCreate, Preview: previewCreate, Run: runCreate,
			Undo: func(args CreateArgs, res *tools.Result) *tools.Call {
				id := tools.CreatedID(res, args.Name)
				return &tools.Call{Tool: "trunk.delete", Args: tools.JSON(DeleteArgs{Trunk: id}), Why: "undo creating the trunk"}
			},
		}),
		tools.ChangeTool(tools.ChangeSpec[AddArgs]{
			Name: "trunk.add.subport", Effect: tools.Change, Service: network.Service,
			Produces: []string{"id", "name"},
			Subject:  func(a AddArgs) (string, string) { return Kind, a.Trunk },
			Check:    checkAdd, Preview: previewAdd, Run: runAdd,
			Undo: func(args AddArgs, res *tools.Result) *tools.Call {
				r := RemoveArgs{Trunk: args.Trunk}
				if res != nil && res.Outputs["id"] != "" {
					r.Trunk = res.Outputs["id"]
				}
				for _, s := range args.Subports {
					if s.Port != "" {
						r.Subports = append(r.Subports, s.Port)
					}
				}
				if len(r.Subports) == 0 {
					return nil
				}
				return &tools.Call{Tool: "trunk.remove.subport", Args: tools.JSON(r), Why: "undo adding the subports"}
			},
		}),
		tools.ChangeTool(tools.ChangeSpec[RemoveArgs]{
			Name: "trunk.remove.subport", Effect: tools.Change, Service: network.Service,
			Produces: []string{"id", "name"},
			Subject:  func(a RemoveArgs) (string, string) { return Kind, a.Trunk },
			Check:    checkRemove, Preview: previewRemove, Run: runRemove,
			Undo: func(args RemoveArgs, res *tools.Result) *tools.Call {
				call := &tools.Call{Tool: "trunk.add.subport", Args: tools.JSON(AddArgs{Trunk: args.Trunk}), Why: "undo: put the subports back with their segmentation"}
				if res == nil || res.Outputs[previousKey] == "" {
					return call
				}
				var subs []SubportArg
				if err := json.Unmarshal([]byte(res.Outputs[previousKey]), &subs); err != nil || len(subs) == 0 {
					return nil
				}
				a := AddArgs{Trunk: args.Trunk, Subports: subs}
				if res.Outputs["id"] != "" {
					a.Trunk = res.Outputs["id"]
				}
				call.Args = tools.JSON(a)
				return call
			},
		}),
		tools.ChangeTool(tools.ChangeSpec[DeleteArgs]{
			Name: "trunk.delete", Effect: tools.Destroy, Service: network.Service,
			Produces: []string{"id"},
			Subject:  func(a DeleteArgs) (string, string) { return Kind, a.Trunk },
			Check:    checkDelete, Preview: previewDelete, Run: runDelete,
		}),
	}
}

func block(chk *tools.Check, format string, a ...any) {
	chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block, Text: fmt.Sprintf(format, a...)})
}

func warn(chk *tools.Check, format string, a ...any) {
	chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Warn, Text: fmt.Sprintf(format, a...)})
}

// gate is the preflight's first question. It returns a blocked check
// (and nothing else is asked) when the cloud has no trunks.
func gate(ctx context.Context, env *tools.Env, targets ...tools.Target) (*tools.Check, bool, error) {
	ok, err := Supported(ctx, env)
	if err != nil {
		return nil, false, err
	}
	if ok {
		return nil, true, nil
	}
	chk := &tools.Check{Targets: targets, State: noTrunkState}
	block(chk, "%s", ErrNoTrunk.Error())
	return chk, false, nil
}

func noTrunk(chk *tools.Check) bool { return chk != nil && chk.State == noTrunkState }

func portLabel(p *ports.Port) string {
	if p.Name != "" {
		return p.Name
	}
	return p.ID
}

// checkSubports resolves the subports asked for and applies Neutron's
// rules: a port other than the parent, on no other trunk, and a
// segmentation ID unique in the trunk. taken are the trunk's current
// subports (none for a new trunk).
func checkSubports(ctx context.Context, env *tools.Env, chk *tools.Check, parent string, want []SubportArg, taken []SubPort) ([]SubportArg, error) {
	usedIDs := map[int]string{}
	for _, s := range taken {
		usedIDs[s.SegmentationID] = s.PortID
	}
	var out []SubportArg
	seen := map[string]bool{}
	for _, s := range want {
		if s.problem != "" {
			block(chk, "%s", s.problem)
			continue
		}
		p, err := ports.Resolve(ctx, env, s.Port)
		if err != nil {
			return nil, err
		}
		s.Port = p.ID
		if s.SegmentationType == "" {
			s.SegmentationType = "vlan"
		}
		switch {
		case p.ID == parent:
			block(chk, "port %s is the trunk's parent port; a subport must be another port", portLabel(p))
		case seen[p.ID]:
			block(chk, "port %s is given twice", portLabel(p))
		case p.DeviceOwner == "trunk:subport":
			block(chk, "port %s is already a subport of trunk %s; take it off there first (/trunk remove subport %s --subport %s)", portLabel(p), p.DeviceID, p.DeviceID, portLabel(p))
		case len(p.TrunkDetails) > 0 && string(p.TrunkDetails) != "null":
			block(chk, "port %s is the parent port of another trunk", portLabel(p))
		case p.DeviceOwner != "":
			block(chk, "port %s is used by %s %s; a subport must be a free port", portLabel(p), p.DeviceOwner, p.DeviceID)
		case s.SegmentationType == "vlan" && (s.SegmentationID < 1 || s.SegmentationID > 4094):
			block(chk, "subport %s needs segmentation-id=1..4094 for a VLAN (--subport port=%s,segmentation-type=vlan,segmentation-id=100)", portLabel(p), portLabel(p))
		case s.SegmentationType == "vlan" && usedIDs[s.SegmentationID] != "":
			block(chk, "VLAN %d is already used on this trunk by port %s; choose another segmentation-id", s.SegmentationID, usedIDs[s.SegmentationID])
		}
		seen[p.ID] = true
		if s.SegmentationType == "vlan" && usedIDs[s.SegmentationID] == "" {
			usedIDs[s.SegmentationID] = portLabel(p)
		}
		out = append(out, SubportArg{Port: s.Port, SegmentationType: s.SegmentationType, SegmentationID: s.SegmentationID})
	}
	return out, nil
}

func subportsOf(all []SubportArg) []trunks.Subport {
	out := make([]trunks.Subport, 0, len(all))
	for _, s := range all {
		out = append(out, trunks.Subport{PortID: s.Port, SegmentationType: s.SegmentationType, SegmentationID: s.SegmentationID})
	}
	return out
}

// --- trunk.create ---

func checkCreate(ctx context.Context, env *tools.Env, args CreateArgs) (*tools.Check, error) {
	if chk, ok, err := gate(ctx, env, tools.Target{Kind: Kind, Name: args.Name}); !ok || err != nil {
		return chk, err
	}
	p, err := ports.Resolve(ctx, env, args.ParentPort)
	if err != nil {
		return nil, err
	}
	chk := &tools.Check{Targets: []tools.Target{{Kind: Kind, Name: args.Name}, {Kind: "port", ID: p.ID, Name: p.Name}}}
	resolved := args
	resolved.ParentPort = p.ID
	switch {
	case len(p.TrunkDetails) > 0 && string(p.TrunkDetails) != "null":
		block(chk, "port %s is already the parent port of a trunk; a port carries one trunk", portLabel(p))
	case p.DeviceOwner == "trunk:subport":
		block(chk, "port %s is a subport of trunk %s; the parent must be another port", portLabel(p), p.DeviceID)
	}
	if resolved.Subports, err = checkSubports(ctx, env, chk, p.ID, args.Subports, nil); err != nil {
		return nil, err
	}
	c, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	same, err := network.ListAll[Trunk](ctx, trunks.List(c, trunks.ListOpts{Name: args.Name}), "trunks")
	if err != nil {
		return nil, fmt.Errorf("list trunks: %w", err)
	}
	if len(same) > 0 {
		warn(chk, "a trunk named %s exists already (%s); the name will need an ID to tell them apart", args.Name, same[0].ID)
	}
	chk.Resolved = tools.JSON(resolved)
	chk.State = "parent=" + p.ID
	return chk, nil
}

func createOpts(args CreateArgs) trunks.CreateOpts {
	return trunks.CreateOpts{PortID: args.ParentPort, Name: args.Name, Description: args.Description, AdminStateUp: args.AdminStateUp, Subports: subportsOf(args.Subports)}
}

func previewCreate(ctx context.Context, env *tools.Env, args CreateArgs, chk *tools.Check) (*tools.Preview, error) {
	if noTrunk(chk) {
		return &tools.Preview{}, nil
	}
	c, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	body, err := createOpts(args).ToTrunkCreateMap()
	if err != nil {
		return nil, err
	}
	return &tools.Preview{
		Requests: []tools.Request{{Method: "POST", URL: c.ServiceURL("trunks"), Body: body}},
		Creates:  []string{fmt.Sprintf("trunk %s on parent port %s with %d subport(s)", args.Name, args.ParentPort, len(args.Subports))},
	}, nil
}

func runCreate(ctx context.Context, env *tools.Env, args CreateArgs) (*tools.Result, error) {
	c, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	r := trunks.Create(ctx, c, createOpts(args))
	t, err := network.GetOne[Trunk](r.Result, "trunk")
	if err != nil {
		return &tools.Result{RequestIDs: tools.HeaderRequestIDs(r.Header)}, fmt.Errorf("create trunk %s: %w", args.Name, err)
	}
	env.Names.Remember(Kind, t.Name)
	return &tools.Result{
		Message:    fmt.Sprintf("trunk %s created on port %s with %d subport(s)", t.label(), t.PortID, len(t.SubPorts)),
		Outputs:    map[string]string{"id": t.ID, "name": t.Name},
		RequestIDs: tools.HeaderRequestIDs(r.Header),
	}, nil
}

// --- trunk.add.subport and trunk.remove.subport ---

func trunkTarget(t *Trunk) tools.Target { return tools.Target{Kind: Kind, ID: t.ID, Name: t.Name} }

func trunkState(t *Trunk) string {
	var subs []string
	for _, s := range t.SubPorts {
		subs = append(subs, fmt.Sprintf("%s:%s:%d", s.PortID, s.SegmentationType, s.SegmentationID))
	}
	slices.Sort(subs)
	return fmt.Sprintf("status=%s subports=%s", t.Status, strings.Join(subs, ","))
}

func checkAdd(ctx context.Context, env *tools.Env, args AddArgs) (*tools.Check, error) {
	if chk, ok, err := gate(ctx, env, tools.Target{Kind: Kind, Name: args.Trunk}); !ok || err != nil {
		return chk, err
	}
	t, err := Resolve(ctx, env, args.Trunk)
	if err != nil {
		return nil, err
	}
	chk := &tools.Check{Targets: []tools.Target{trunkTarget(t)}, State: trunkState(t), Fetched: t}
	resolved := AddArgs{Trunk: t.ID}
	if resolved.Subports, err = checkSubports(ctx, env, chk, t.PortID, args.Subports, t.SubPorts); err != nil {
		return nil, err
	}
	chk.Resolved = tools.JSON(resolved)
	return chk, nil
}

func previewAdd(ctx context.Context, env *tools.Env, args AddArgs, chk *tools.Check) (*tools.Preview, error) {
	if noTrunk(chk) {
		return &tools.Preview{}, nil
	}
	c, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	body, err := trunks.AddSubportsOpts{Subports: subportsOf(args.Subports)}.ToTrunkAddSubportsMap()
	if err != nil {
		return nil, err
	}
	var added []string
	for _, s := range args.Subports {
		added = append(added, fmt.Sprintf("%s (%s %d)", s.Port, s.SegmentationType, s.SegmentationID))
	}
	return &tools.Preview{
		Requests: []tools.Request{{Method: "PUT", URL: c.ServiceURL("trunks", args.Trunk, "add_subports"), Body: body}},
		Changes:  []tools.FieldChange{{Field: "sub_ports", From: "", To: "+" + strings.Join(added, ", +")}},
	}, nil
}

func runAdd(ctx context.Context, env *tools.Env, args AddArgs) (*tools.Result, error) {
	c, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	r := trunks.AddSubports(ctx, c, args.Trunk, trunks.AddSubportsOpts{Subports: subportsOf(args.Subports)})
	var t Trunk
	if err := r.ExtractInto(&t); err != nil {
		return &tools.Result{RequestIDs: tools.HeaderRequestIDs(r.Header)}, fmt.Errorf("add subports to trunk %s: %w", args.Trunk, err)
	}
	return &tools.Result{
		Message:    fmt.Sprintf("%d subport(s) added to trunk %s; it has %d", len(args.Subports), t.label(), len(t.SubPorts)),
		Outputs:    map[string]string{"id": t.ID, "name": t.Name},
		RequestIDs: tools.HeaderRequestIDs(r.Header),
	}, nil
}

func checkRemove(ctx context.Context, env *tools.Env, args RemoveArgs) (*tools.Check, error) {
	if chk, ok, err := gate(ctx, env, tools.Target{Kind: Kind, Name: args.Trunk}); !ok || err != nil {
		return chk, err
	}
	t, err := Resolve(ctx, env, args.Trunk)
	if err != nil {
		return nil, err
	}
	chk := &tools.Check{Targets: []tools.Target{trunkTarget(t)}, State: trunkState(t), Fetched: t}
	resolved := RemoveArgs{Trunk: t.ID}
	var have []string
	for _, s := range t.SubPorts {
		have = append(have, s.PortID)
	}
	for _, ref := range args.Subports {
		id := ref
		if !slices.Contains(have, ref) {
			p, err := ports.Resolve(ctx, env, ref)
			if err != nil {
				return nil, err
			}
			id = p.ID
		}
		if !slices.Contains(have, id) {
			sub := "it has none"
			if len(have) > 0 {
				sub = "its subports are " + strings.Join(have, ", ")
			}
			block(chk, "port %s is not a subport of trunk %s; %s", ref, t.label(), sub)
			continue
		}
		resolved.Subports = append(resolved.Subports, id)
	}
	if len(resolved.Subports) == 0 {
		resolved.Subports = args.Subports
	}
	chk.Resolved = tools.JSON(resolved)
	return chk, nil
}

func previewRemove(ctx context.Context, env *tools.Env, args RemoveArgs, chk *tools.Check) (*tools.Preview, error) {
	if noTrunk(chk) {
		return &tools.Preview{}, nil
	}
	c, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	body, err := removeOpts(args).ToTrunkRemoveSubportsMap()
	if err != nil {
		return nil, err
	}
	return &tools.Preview{
		Requests: []tools.Request{{Method: "PUT", URL: c.ServiceURL("trunks", args.Trunk, "remove_subports"), Body: body}},
		Changes:  []tools.FieldChange{{Field: "sub_ports", From: "-" + strings.Join(args.Subports, ", -"), To: "(ports kept)"}},
	}, nil
}

func removeOpts(args RemoveArgs) trunks.RemoveSubportsOpts {
	opts := trunks.RemoveSubportsOpts{}
	for _, id := range args.Subports {
		opts.Subports = append(opts.Subports, trunks.RemoveSubport{PortID: id})
	}
	return opts
}

func runRemove(ctx context.Context, env *tools.Env, args RemoveArgs) (*tools.Result, error) {
	// Read first: the undo puts each subport back with its segmentation.
	before, err := Resolve(ctx, env, args.Trunk)
	if err != nil {
		return nil, err
	}
	var previous []SubportArg
	for _, s := range before.SubPorts {
		if slices.Contains(args.Subports, s.PortID) {
			previous = append(previous, SubportArg{Port: s.PortID, SegmentationType: s.SegmentationType, SegmentationID: s.SegmentationID})
		}
	}
	c, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	r := trunks.RemoveSubports(ctx, c, before.ID, removeOpts(args))
	var t Trunk
	if err := r.ExtractInto(&t); err != nil {
		return &tools.Result{RequestIDs: tools.HeaderRequestIDs(r.Header)}, fmt.Errorf("remove subports from trunk %s: %w", before.label(), err)
	}
	return &tools.Result{
		Message:    fmt.Sprintf("%d subport(s) removed from trunk %s (the ports are kept); it has %d", len(args.Subports), before.label(), len(t.SubPorts)),
		Outputs:    map[string]string{"id": before.ID, "name": before.Name, previousKey: string(tools.JSON(previous))},
		RequestIDs: tools.HeaderRequestIDs(r.Header),
	}, nil
}

// --- trunk.delete ---

func checkDelete(ctx context.Context, env *tools.Env, args DeleteArgs) (*tools.Check, error) {
	if chk, ok, err := gate(ctx, env, tools.Target{Kind: Kind, Name: args.Trunk}); !ok || err != nil {
		return chk, err
	}
	t, err := Resolve(ctx, env, args.Trunk)
	if err != nil {
		return nil, err
	}
	chk := &tools.Check{Targets: []tools.Target{trunkTarget(t)}, State: trunkState(t), Fetched: t, Resolved: tools.JSON(DeleteArgs{Trunk: t.ID})}
	p, err := ports.Resolve(ctx, env, t.PortID)
	if err == nil && strings.HasPrefix(p.DeviceOwner, "compute:") {
		server := blockstorage.ServerName(ctx, env, p.DeviceID, false)
		block(chk, "trunk %s is in use: its parent port %s is plugged into server %s, and Neutron refuses to delete a trunk in use; delete the server first, or detach the port (openstack server remove port %s %s)",
			t.label(), portLabel(p), server, server, p.ID)
	}
	return chk, nil
}

func previewDelete(ctx context.Context, env *tools.Env, args DeleteArgs, chk *tools.Check) (*tools.Preview, error) {
	if noTrunk(chk) {
		return &tools.Preview{}, nil
	}
	t, ok := tools.FetchedAs[*Trunk](chk)
	if !ok || t.ID != args.Trunk {
		var err error
		if t, err = Resolve(ctx, env, args.Trunk); err != nil {
			return nil, err
		}
	}
	c, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	pv := &tools.Preview{
		Requests: []tools.Request{{Method: "DELETE", URL: c.ServiceURL("trunks", t.ID)}},
		Deletes: []tools.Dependent{
			{Kind: Kind, ID: t.ID, Name: t.Name, Fate: "deleted"},
			{Kind: "port", ID: t.PortID, Fate: "parent port, kept"},
		},
	}
	for _, s := range t.SubPorts {
		pv.Deletes = append(pv.Deletes, tools.Dependent{Kind: "port", ID: s.PortID, Fate: fmt.Sprintf("subport (%s %d), released from the trunk and kept", s.SegmentationType, s.SegmentationID)})
	}
	return pv, nil
}

func runDelete(ctx context.Context, env *tools.Env, args DeleteArgs) (*tools.Result, error) {
	c, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	r := trunks.Delete(ctx, c, args.Trunk)
	if r.Err != nil {
		if gophercloud.ResponseCodeIs(r.Err, http.StatusNotFound) {
			return nil, &tools.NotFoundError{Kind: Kind, Name: args.Trunk}
		}
		return &tools.Result{RequestIDs: tools.HeaderRequestIDs(r.Header)}, fmt.Errorf("delete trunk %s: %w", args.Trunk, r.Err)
	}
	return &tools.Result{
		Message:    fmt.Sprintf("trunk %s deleted; its ports are kept", args.Trunk),
		Outputs:    map[string]string{"id": args.Trunk},
		RequestIDs: tools.HeaderRequestIDs(r.Header),
	}, nil
}
