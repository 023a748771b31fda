package volumes

import (
	"context"
	"errors"
	"fmt"

	"github.com/gophercloud/gophercloud/v2"
	cindervolumes "github.com/gophercloud/gophercloud/v2/openstack/blockstorage/v3/volumes"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/blockstorage"
)

// RetypeArgs are the arguments of volume.retype.
type RetypeArgs struct {
	Volume          string `json:"volume"`
	Type            string `json:"type"`
	MigrationPolicy string `json:"migration_policy,omitempty"`
}

func retypeTool() tools.Tool {
	return tools.ChangeTool(tools.ChangeSpec[RetypeArgs]{
		Name:     "volume.retype",
		Effect:   tools.Change,
		Service:  blockstorage.Service,
		Produces: []string{"id", "name", "old_type"},
		Subject:  func(a RetypeArgs) (string, string) { return Kind, a.Volume },
		Check: func(ctx context.Context, env *tools.Env, args RetypeArgs) (*tools.Check, error) {
			v, err := Resolve(ctx, env, args.Volume)
			if err != nil {
				return nil, err
			}
			if args.MigrationPolicy == "" {
				args.MigrationPolicy = "never"
			}
			chk := &tools.Check{Targets: []tools.Target{v.Target()}, State: v.State(), Fetched: v}
			name, err := checkRetype(ctx, env, v, args.Type, args.MigrationPolicy, chk)
			if err != nil {
				return nil, err
			}
			chk.Resolved = tools.JSON(RetypeArgs{Volume: v.ID, Type: name, MigrationPolicy: args.MigrationPolicy})
			return chk, nil
		},
		Preview: func(ctx context.Context, env *tools.Env, args RetypeArgs, chk *tools.Check) (*tools.Preview, error) {
			v, err := current(ctx, env, chk, args.Volume)
			if err != nil {
				return nil, err
			}
			pv := &tools.Preview{}
			return pv, previewRetype(ctx, env, v, args.Type, args.MigrationPolicy, pv)
		},
		Run: func(ctx context.Context, env *tools.Env, args RetypeArgs) (*tools.Result, error) {
			v, err := Resolve(ctx, env, args.Volume)
			if err != nil {
				return nil, err
			}
			ids, err := retype(ctx, env, v, args.Type, args.MigrationPolicy)
			if err != nil {
				return nil, err
			}
			return &tools.Result{
				Message:    fmt.Sprintf("volume %s changing type from %s to %s (migration policy %s)", v.Label(), v.VolumeType, args.Type, policy(args.MigrationPolicy)),
				Outputs:    map[string]string{"id": v.ID, "name": v.Name, "old_type": v.VolumeType},
				RequestIDs: ids,
				Await:      awaitRetype(v, args.Type),
			}, nil
		},
		Undo: func(args RetypeArgs, res *tools.Result) *tools.Call {
			if res == nil || res.Outputs["old_type"] == "" {
				return &tools.Call{Tool: "volume.retype", Args: tools.JSON(RetypeArgs{Volume: args.Volume, Type: args.Type}), Why: "undo the retype"}
			}
			return &tools.Call{Tool: "volume.retype",
				Args: tools.JSON(RetypeArgs{Volume: res.Outputs["id"], Type: res.Outputs["old_type"], MigrationPolicy: args.MigrationPolicy}),
				Why:  "undo the retype: back to type " + res.Outputs["old_type"]}
		},
	})
}

func policy(p string) string {
	if p == "" {
		return "never"
	}
	return p
}

// retypeFrom are the statuses Cinder retypes a volume in.
var retypeFrom = []string{"available", "in-use"}

// checkRetype applies Cinder's rules for giving v the type typ, and
// returns the type's name. A retype that has to move the volume to
// another backend is a migration: it copies every byte, and the plan
// says so.
func checkRetype(ctx context.Context, env *tools.Env, v *Volume, typ, migration string, chk *tools.Check) (string, error) {
	all, err := Types(ctx, env)
	if err != nil {
		return "", err
	}
	t, err := FindType(all, typ)
	var te *TypeError
	switch {
	case errors.As(err, &te):
		blockf(chk, "%s", te.Error())
		return typ, nil
	case err != nil:
		return "", err
	}
	if t.Name == v.VolumeType || t.ID == v.VolumeType {
		blockf(chk, "volume %s is already of type %s; nothing to change (see /volume type list for the others)", v.Label(), t.Name)
		return t.Name, nil
	}
	f := v.Allows(ctx, env, Rule{Verb: "retyped", From: retypeFrom})
	chk.Findings = append(chk.Findings, f)
	if f.Level == tools.Block {
		return t.Name, nil
	}
	if f := t.SizeFinding(v.Size); f != nil {
		chk.Findings = append(chk.Findings, *f)
	}
	if migration == "on-demand" {
		warnf(chk, "if type %s lives on another backend, Cinder migrates volume %s: it copies all %d GiB of data, which takes a while and loads both backends%s",
			t.Name, v.Label(), v.Size, map[bool]string{true: ", and the attached server's disk goes through the copy", false: ""}[v.Status == "in-use"])
	} else {
		infof(chk, "migration policy never: if type %s needs another backend, Cinder refuses the retype and the volume keeps type %s (give --migration-policy on-demand to let it copy the data)", t.Name, v.VolumeType)
	}
	// The volume's size moves from its old type's quota to the new one's.
	if err := Preflight(ctx, env, chk, Need{Volumes: 1, Gigabytes: v.Size, Type: t.Name, TypeOnly: true}); err != nil {
		return "", err
	}
	return t.Name, nil
}

func retypeOpts(typ, migration string) cindervolumes.ChangeTypeOpts {
	return cindervolumes.ChangeTypeOpts{NewType: typ, MigrationPolicy: cindervolumes.MigrationPolicy(policy(migration))}
}

func previewRetype(ctx context.Context, env *tools.Env, v *Volume, typ, migration string, pv *tools.Preview) error {
	c, err := blockstorage.Client(ctx, env)
	if err != nil {
		return err
	}
	body, err := retypeOpts(typ, migration).ToVolumeChangeTypeMap()
	if err != nil {
		return err
	}
	pv.Requests = append(pv.Requests, tools.Request{Method: "POST", URL: c.ServiceURL("volumes", v.ID, "action"), Body: body})
	pv.Changes = append(pv.Changes, tools.FieldChange{Field: "type", From: v.VolumeType, To: typ})
	return nil
}

func retype(ctx context.Context, env *tools.Env, v *Volume, typ, migration string) ([]string, error) {
	c, err := blockstorage.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	r := cindervolumes.ChangeType(ctx, c, v.ID, retypeOpts(typ, migration))
	if r.Err != nil {
		return nil, fmt.Errorf("change the type of volume %s to %s: %w", v.Label(), typ, r.Err)
	}
	return tools.HeaderRequestIDs(r.Header), nil
}

// awaitRetype waits until the volume has settled with the new type.
// Cinder marks the volume retyping before it answers, and one it then
// cannot retype (no backend for the type under migration policy never)
// settles again with the old type and a message for the user: a settled
// status with another type is the failure.
func awaitRetype(v *Volume, typ string) *tools.Await {
	aw := awaitVolume(v.ID, v.Name, v.Status)
	aw.Poll = func(ctx context.Context, env *tools.Env) (string, error) {
		c, err := blockstorage.Client(ctx, env)
		if err != nil {
			return "", err
		}
		var body struct {
			Volume struct {
				Status     string `json:"status"`
				VolumeType string `json:"volume_type"`
			} `json:"volume"`
		}
		if _, err := c.Get(ctx, c.ServiceURL("volumes", v.ID), &body, nil); err != nil { //nolint:bodyclose // closed by gophercloud
			if gophercloud.ResponseCodeIs(err, 404) {
				return "", &tools.NotFoundError{Kind: Kind, Name: v.ID}
			}
			return "", err
		}
		got := body.Volume
		if (got.Status == "available" || got.Status == "in-use") && got.VolumeType != typ {
			return fmt.Sprintf("error: Cinder did not retype it, its type is still %s (with migration policy never a type on another backend is refused; see /volume show %s)", got.VolumeType, v.Label()), nil
		}
		return got.Status, nil
	}
	return aw
}
