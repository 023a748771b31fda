package volumes

import (
	"context"
	"fmt"
	"strings"

	cindervolumes "github.com/gophercloud/gophercloud/v2/openstack/blockstorage/v3/volumes"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/blockstorage"
)

// ExtendArgs are the arguments of volume.extend.
type ExtendArgs struct {
	Volume string `json:"volume"`
	Size   int    `json:"size"`
}

func extendTool() tools.Tool {
	return tools.ChangeTool(tools.ChangeSpec[ExtendArgs]{
		Name:     "volume.extend",
		Effect:   tools.Change,
		Service:  blockstorage.Service,
		Produces: []string{"id", "name"},
		Subject:  func(a ExtendArgs) (string, string) { return Kind, a.Volume },
		Check: func(ctx context.Context, env *tools.Env, args ExtendArgs) (*tools.Check, error) {
			v, err := Resolve(ctx, env, args.Volume)
			if err != nil {
				return nil, err
			}
			chk := &tools.Check{Targets: []tools.Target{v.Target()}, State: v.State(), Fetched: v,
				Resolved: tools.JSON(ExtendArgs{Volume: v.ID, Size: args.Size})}
			if err := checkExtend(ctx, env, v, args.Size, chk); err != nil {
				return nil, err
			}
			return chk, nil
		},
		Preview: func(ctx context.Context, env *tools.Env, args ExtendArgs, chk *tools.Check) (*tools.Preview, error) {
			v, err := current(ctx, env, chk, args.Volume)
			if err != nil {
				return nil, err
			}
			pv := &tools.Preview{}
			return pv, previewExtend(ctx, env, v, args.Size, pv)
		},
		Run: func(ctx context.Context, env *tools.Env, args ExtendArgs) (*tools.Result, error) {
			v, err := Resolve(ctx, env, args.Volume)
			if err != nil {
				return nil, err
			}
			ids, err := extend(ctx, env, v, args.Size)
			if err != nil {
				return nil, err
			}
			return &tools.Result{
				Message:    fmt.Sprintf("volume %s extending from %d to %d GiB", v.Label(), v.Size, args.Size),
				Outputs:    map[string]string{"id": v.ID, "name": v.Name},
				RequestIDs: ids,
				Await:      awaitVolume(v.ID, v.Name, v.Status),
			}, nil
		},
	})
}

// extendFrom are the statuses Cinder extends a volume in: in-use only
// from microversion 3.42, and only where the volume driver can.
var extendFrom = []string{"available", "in-use"}

// checkExtend applies Cinder's rules for growing v to size GiB: bigger
// than now, a status that allows it (attached only from 3.42), room in
// the quota and under the type's and the project's size limits.
func checkExtend(ctx context.Context, env *tools.Env, v *Volume, size int, chk *tools.Check) error {
	if size <= v.Size {
		what := "already"
		if size < v.Size {
			what = "bigger than that already:"
		}
		blockf(chk, "volume %s is %s %d GiB; a volume only grows (Cinder cannot shrink one): give a size above %d, or make a smaller volume from a snapshot of it", v.Label(), what, v.Size, v.Size)
		return nil
	}
	f := v.Allows(ctx, env, Rule{Verb: "extended", From: extendFrom})
	chk.Findings = append(chk.Findings, f)
	if f.Level == tools.Block {
		return nil
	}
	if v.Status == "in-use" {
		block, err := blockstorage.Require(ctx, env, blockstorage.ExtendInUseMicroversion,
			"an attached volume can be extended from %s on; detach it first ("+strings.ReplaceAll(v.DetachCommand(ctx, env), "%", "%%")+")")
		if err != nil {
			return err
		}
		if block != nil {
			chk.Findings = append(chk.Findings, *block)
			return nil
		}
		infof(chk, "volume %s is attached to %s and is extended online; the server sees the new size once its guest rescans the disk", v.Label(), v.AttachedTo(ctx, env))
	}
	if v.VolumeType != "" {
		if all, err := Types(ctx, env); err == nil {
			if t, err := FindType(all, v.VolumeType); err == nil {
				if f := t.SizeFinding(size); f != nil {
					chk.Findings = append(chk.Findings, *f)
				}
			}
		}
	}
	return Preflight(ctx, env, chk, Need{Gigabytes: size - v.Size, Type: v.VolumeType, PerVolume: size})
}

// previewExtend adds the extend request and its change to pv.
func previewExtend(ctx context.Context, env *tools.Env, v *Volume, size int, pv *tools.Preview) error {
	c, err := blockstorage.Client(ctx, env)
	if err != nil {
		return err
	}
	body, err := cindervolumes.ExtendSizeOpts{NewSize: size}.ToVolumeExtendSizeMap()
	if err != nil {
		return err
	}
	pv.Requests = append(pv.Requests, tools.Request{Method: "POST", URL: c.ServiceURL("volumes", v.ID, "action"), Body: body})
	pv.Changes = append(pv.Changes, tools.FieldChange{Field: "size", From: v.Size, To: size})
	return nil
}

// extend sends the extend request, at 3.42 for an attached volume.
func extend(ctx context.Context, env *tools.Env, v *Volume, size int) ([]string, error) {
	c, err := blockstorage.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	if v.Status == "in-use" {
		c.Microversion = blockstorage.ExtendInUseMicroversion
	}
	r := cindervolumes.ExtendSize(ctx, c, v.ID, cindervolumes.ExtendSizeOpts{NewSize: size})
	if r.Err != nil {
		return nil, fmt.Errorf("extend volume %s to %d GiB: %w", v.Label(), size, r.Err)
	}
	return tools.HeaderRequestIDs(r.Header), nil
}
