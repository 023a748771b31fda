package servers

import (
	"context"
	"fmt"
	"strings"

	"github.com/gophercloud/gophercloud/v2"
	cindervolumes "github.com/gophercloud/gophercloud/v2/openstack/blockstorage/v3/volumes"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/volumeattach"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/blockstorage"
	"github.com/kriscelmer/os-tui/tools/blockstorage/volumes"
)

// VolumeArgs are the arguments of server.add.volume and server.remove.volume
// (which has no device).
type VolumeArgs struct {
	Server string `json:"server"`
	Volume string `json:"volume"`
	Device string `json:"device,omitempty"`
}

// RemoveVolumeArgs are the arguments of server.remove.volume.
type RemoveVolumeArgs struct {
	Server string `json:"server"`
	Volume string `json:"volume"`
}

// attachStates are the server statuses the attach tools allow. Nova
// accepts a few more (paused, suspended, shelved); these two are the ones
// people mean, and the others are better resumed first.
var attachStates = []string{"ACTIVE", "SHUTOFF"}

func addVolume() tools.Tool {
	return tools.ChangeTool(tools.ChangeSpec[VolumeArgs]{
		Name:     "server.add.volume",
		Effect:   tools.Change,
		Service:  "compute",
		Produces: []string{"server", "volume", "device"},
		Check:    checkAddVolume,
		Preview:  previewAddVolume,
		Run:      runAddVolume,
		Undo: func(args VolumeArgs, _ *tools.Result) *tools.Call {
			return &tools.Call{Tool: "server.remove.volume", Args: tools.JSON(RemoveVolumeArgs{Server: args.Server, Volume: args.Volume}), Why: "undo attaching the volume"}
		},
	})
}

func removeVolume() tools.Tool {
	return tools.ChangeTool(tools.ChangeSpec[RemoveVolumeArgs]{
		Name:     "server.remove.volume",
		Effect:   tools.Change,
		Service:  "compute",
		Produces: []string{"server", "volume"},
		Check:    checkRemoveVolume,
		Preview:  previewRemoveVolume,
		Run:      runRemoveVolume,
		Undo: func(args RemoveVolumeArgs, res *tools.Result) *tools.Call {
			a := VolumeArgs{Server: args.Server, Volume: args.Volume}
			if res != nil {
				a.Device = res.Outputs["device"]
			}
			return &tools.Call{Tool: "server.add.volume", Args: tools.JSON(a), Why: "undo detaching the volume"}
		},
	})
}

func volumeState(v *volumes.Volume) string {
	ids := make([]string, 0, len(v.Attachments))
	for _, a := range v.Attachments {
		ids = append(ids, a.ServerID)
	}
	return fmt.Sprintf("volume status=%s attached=%s", v.Status, strings.Join(ids, ","))
}

func volumeTarget(v *volumes.Volume) tools.Target {
	return tools.Target{Kind: "volume", ID: v.ID, Name: v.Name}
}

func volumeLabel(v *volumes.Volume) string {
	if v.Name != "" {
		return v.Name
	}
	return v.ID
}

func checkAddVolume(ctx context.Context, env *tools.Env, args VolumeArgs) (*tools.Check, error) {
	chk := &tools.Check{}
	resolved := args
	s, err := attachServer(ctx, env, chk, args.Server, Rule{Verb: "attaching a volume", From: attachStates})
	if err != nil {
		return nil, err
	}
	if s != nil {
		resolved.Server = s.ID
	}
	if tools.IsRef(args.Volume) {
		chk.Targets = append(chk.Targets, tools.Target{Kind: "volume", ID: args.Volume})
		chk.Findings = append(chk.Findings, refNote("volume", args.Volume))
		chk.Resolved = tools.JSON(resolved)
		return chk, nil
	}
	v, err := volumes.Resolve(ctx, env, args.Volume)
	if err != nil {
		return nil, err
	}
	resolved.Volume = v.ID
	chk.Resolved = tools.JSON(resolved)
	chk.Targets = append(chk.Targets, volumeTarget(v))
	chk.State = strings.TrimSpace(chk.State + " " + volumeState(v))
	name := volumeLabel(v)
	for _, a := range v.Attachments {
		if s != nil && a.ServerID == s.ID {
			chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block,
				Text: fmt.Sprintf("volume %s is already attached to server %s on %s", name, s.Name, a.Device)})
			return chk, nil
		}
	}
	switch {
	case v.Status == "available":
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Info, Text: fmt.Sprintf("volume %s (%d GiB) is available", name, v.Size)})
	case v.Status == "in-use" && v.Multiattach:
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Warn,
			Text: fmt.Sprintf("volume %s is multi-attach and already in use by %s; the servers must coordinate their writes", name, attachedNames(ctx, env, v))})
	case v.Status == "in-use":
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block,
			Text: fmt.Sprintf("volume %s is in-use, attached to %s; detach it first with /server remove volume", name, attachedNames(ctx, env, v))})
	default:
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block,
			Text: fmt.Sprintf("volume %s is %s; only an available volume can be attached", name, v.Status)})
	}
	if s != nil && s.Zone != "" && v.AvailabilityZone != "" && s.Zone != v.AvailabilityZone {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Warn,
			Text: fmt.Sprintf("volume %s is in availability zone %s but server %s is in %s; Nova refuses this unless the cloud allows cross-zone attachment", name, v.AvailabilityZone, s.Name, s.Zone)})
	}
	return chk, nil
}

// attachedNames names the servers a volume is attached to.
func attachedNames(ctx context.Context, env *tools.Env, v *volumes.Volume) string {
	names := make([]string, 0, len(v.Attachments))
	for _, a := range v.Attachments {
		names = append(names, "server "+blockstorage.ServerName(ctx, env, a.ServerID, false))
	}
	if len(names) == 0 {
		return "no server Cinder reports"
	}
	return strings.Join(names, ", ")
}

func attachOpts(args VolumeArgs) volumeattach.CreateOpts {
	return volumeattach.CreateOpts{VolumeID: args.Volume, Device: args.Device}
}

func previewAddVolume(ctx context.Context, env *tools.Env, args VolumeArgs, chk *tools.Check) (*tools.Preview, error) {
	c, err := Client(ctx, env)
	if err != nil {
		return nil, err
	}
	body, err := attachOpts(args).ToVolumeAttachmentCreateMap()
	if err != nil {
		return nil, err
	}
	return &tools.Preview{
		Requests: []tools.Request{{Method: "POST", URL: c.ServiceURL("servers", args.Server, "os-volume_attachments"), Body: body}},
		Changes:  []tools.FieldChange{{Field: "volume status", From: "available", To: "in-use"}},
	}, nil
}

func runAddVolume(ctx context.Context, env *tools.Env, args VolumeArgs) (*tools.Result, error) {
	c, err := Client(ctx, env)
	if err != nil {
		return nil, err
	}
	r := volumeattach.Create(ctx, c, args.Server, attachOpts(args))
	att, err := r.Extract()
	if err != nil {
		return nil, fmt.Errorf("attach volume %s to server %s: %w", args.Volume, args.Server, err)
	}
	env.Lookups.Forget("volume")
	return &tools.Result{
		Message:    fmt.Sprintf("volume %s attaching to server %s on %s", args.Volume, args.Server, att.Device),
		Outputs:    map[string]string{"server": args.Server, "volume": args.Volume, "device": att.Device},
		RequestIDs: tools.HeaderRequestIDs(r.Header),
		Await: &tools.Await{
			Kind: "volume", ID: args.Volume,
			Until: []string{"in-use"},
			Fail:  []string{"error", "error_attaching"},
			Poll:  pollVolume(args.Volume),
		},
	}, nil
}

// pollVolume reads a volume's status from Cinder: Nova answers an attach
// or detach at once and does the work afterwards, and only the volume's
// status says when it is done.
func pollVolume(id string) func(ctx context.Context, env *tools.Env) (string, error) {
	return func(ctx context.Context, env *tools.Env) (string, error) {
		c, err := blockstorage.Client(ctx, env)
		if err != nil {
			return "", err
		}
		v, err := cindervolumes.Get(ctx, c, id).Extract()
		if err != nil {
			if gophercloud.ResponseCodeIs(err, 404) {
				return "", &tools.NotFoundError{Kind: "volume", Name: id}
			}
			return "", err
		}
		return v.Status, nil
	}
}

func checkRemoveVolume(ctx context.Context, env *tools.Env, args RemoveVolumeArgs) (*tools.Check, error) {
	s, err := Get(ctx, env, args.Server)
	if err != nil {
		return nil, err
	}
	v, err := volumes.Resolve(ctx, env, args.Volume)
	if err != nil {
		return nil, err
	}
	chk := &tools.Check{
		Targets:  []tools.Target{s.Target(), volumeTarget(v)},
		Resolved: tools.JSON(RemoveVolumeArgs{Server: s.ID, Volume: v.ID}),
		State:    attachState(s) + " " + volumeState(v),
	}
	chk.Findings = append(chk.Findings, s.Refusals(Rule{Verb: "detaching a volume"})...)
	name := volumeLabel(v)
	for _, a := range v.Attachments {
		if a.ServerID == s.ID {
			chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Info,
				Text: fmt.Sprintf("volume %s is attached to server %s on %s", name, s.Name, a.Device)})
			return chk, nil
		}
	}
	where := "to no server"
	if len(v.Attachments) > 0 {
		where = "to " + attachedNames(ctx, env, v)
	}
	chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block,
		Text: fmt.Sprintf("volume %s is not attached to server %s (it is %s, attached %s)", name, s.Name, v.Status, where)})
	return chk, nil
}

func previewRemoveVolume(ctx context.Context, env *tools.Env, args RemoveVolumeArgs, chk *tools.Check) (*tools.Preview, error) {
	c, err := Client(ctx, env)
	if err != nil {
		return nil, err
	}
	return &tools.Preview{
		Requests: []tools.Request{{Method: "DELETE", URL: c.ServiceURL("servers", args.Server, "os-volume_attachments", args.Volume)}},
		Changes:  []tools.FieldChange{{Field: "volume status", From: "in-use", To: "available"}},
	}, nil
}

func runRemoveVolume(ctx context.Context, env *tools.Env, args RemoveVolumeArgs) (*tools.Result, error) {
	c, err := Client(ctx, env)
	if err != nil {
		return nil, err
	}
	// The device is read first so that the undo attaches the volume where
	// it was.
	outputs := map[string]string{"server": args.Server, "volume": args.Volume}
	var ids []string
	if g := volumeattach.Get(ctx, c, args.Server, args.Volume); g.Err == nil {
		if att, err := g.Extract(); err == nil {
			outputs["device"] = att.Device
		}
		ids = append(ids, tools.HeaderRequestIDs(g.Header)...)
	}
	r := volumeattach.Delete(ctx, c, args.Server, args.Volume)
	if r.Err != nil {
		return nil, fmt.Errorf("detach volume %s from server %s: %w", args.Volume, args.Server, r.Err)
	}
	env.Lookups.Forget("volume")
	return &tools.Result{
		Message:    fmt.Sprintf("volume %s detaching from server %s", args.Volume, args.Server),
		Outputs:    outputs,
		RequestIDs: append(ids, tools.HeaderRequestIDs(r.Header)...),
		Await: &tools.Await{
			Kind: "volume", ID: args.Volume,
			Until: []string{"available"},
			Fail:  []string{"error", "error_detaching"},
			Poll:  pollVolume(args.Volume),
		},
	}, nil
}
