package orphans

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/reports"
)

// CleanArgs choose the orphans to delete: by ID (or name), or all (of
// --kind, when given); the thresholds are the report's.
type CleanArgs struct {
	IDs []string `json:"ids,omitempty"`
	All bool     `json:"all,omitempty"`
	Args
}

func cleanTool() tools.Tool {
	return tools.ChangeTool(tools.ChangeSpec[CleanArgs]{
		Name: "orphans.clean", Effect: tools.Destroy, Service: Service,
		Expand: expandClean,
		// The gate always expands the clean-up into its delete steps;
		// these answer only a step whose arguments refer to an earlier
		// step, which the wizard cannot plan from.
		Check: func(context.Context, *tools.Env, CleanArgs) (*tools.Check, error) {
			return &tools.Check{Findings: []tools.Finding{{Level: tools.Block,
				Text: "the clean-up is planned from the orphans found when it is reviewed: name them directly (IDs, --kind or --all), not through another step"}}}, nil
		},
		Preview: func(context.Context, *tools.Env, CleanArgs, *tools.Check) (*tools.Preview, error) {
			return &tools.Preview{}, nil
		},
		Run: func(context.Context, *tools.Env, CleanArgs) (*tools.Result, error) {
			return nil, fmt.Errorf("a clean-up runs as the plan of its delete steps")
		},
	})
}

// NothingSelectedError says a clean-up was given nothing to delete; an
// interactive shell answers it with a choice of the orphans.
type NothingSelectedError struct{}

func (*NothingSelectedError) Error() string {
	return "nothing selected to clean: name the orphans' IDs or names (see /orphans), or give --all (with --kind KIND: every orphan of that kind)"
}

// expandClean finds the orphans again (the cloud may have changed since
// the report), picks those the arguments name, and plans their deletion.
func expandClean(ctx context.Context, env *tools.Env, a CleanArgs) ([]tools.Step, error) {
	// --kind narrows a choice, it is not one: deleting every orphan of a
	// kind takes --all as well, said on purpose.
	if len(a.IDs) == 0 && !a.All {
		return nil, &NothingSelectedError{}
	}
	found, _, err := find(ctx, env, a.Args, now())
	if err != nil {
		return nil, err
	}
	picked, err := Select(found, a.IDs)
	if err != nil {
		return nil, err
	}
	if len(picked) == 0 {
		what := "no orphans"
		if len(a.Kind) > 0 {
			what = "no orphans of kind " + strings.Join(a.Kind, ", ")
		}
		return nil, fmt.Errorf("%s to clean: nothing to do", what)
	}
	facts := snapshotsOf(ctx, env, picked)
	return Plan(picked, facts), nil
}

// Select picks the orphans that ids name, by ID, name or (floating IPs)
// address; no ids picks them all. An id that names none, or names two,
// is an error that says what to do.
func Select(found []reports.Orphan, ids []string) ([]reports.Orphan, error) {
	if len(ids) == 0 {
		return found, nil
	}
	var out []reports.Orphan
	seen := map[string]bool{}
	var missing []string
	for _, id := range ids {
		var hits []reports.Orphan
		for _, o := range found {
			if o.ID == id {
				hits = []reports.Orphan{o}
				break
			}
			if o.Name == id {
				hits = append(hits, o)
			}
		}
		switch len(hits) {
		case 0:
			missing = append(missing, id)
		case 1:
			if !seen[hits[0].Kind+"/"+hits[0].ID] {
				seen[hits[0].Kind+"/"+hits[0].ID] = true
				out = append(out, hits[0])
			}
		default:
			var cands []string
			for _, h := range hits {
				cands = append(cands, h.Kind+" "+h.ID)
			}
			return nil, fmt.Errorf("%q names %d orphans (%s): give the ID", id, len(hits), strings.Join(cands, ", "))
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%s: not among the orphans now (in use, younger than the thresholds, of another kind than --kind, or gone); /orphans lists them", strings.Join(missing, ", "))
	}
	reports.SortOrphans(out)
	return out, nil
}

// snapshotsOf maps each picked volume to its snapshots, so the plan can
// delete a volume with the snapshots picked with it. Read failures leave
// the map empty: volume.delete's own preflight then says what blocks.
func snapshotsOf(ctx context.Context, env *tools.Env, picked []reports.Orphan) map[string][]string {
	out := map[string][]string{}
	if !slices.ContainsFunc(picked, func(o reports.Orphan) bool { return o.Kind == reports.KindVolume }) {
		return out
	}
	f, _, err := reports.ReadFacts(ctx, env, []reports.Source{reports.SrcSnapshots})
	if err != nil {
		return out
	}
	for _, s := range f.Snapshots {
		out[s.VolumeID] = append(out[s.VolumeID], s.ID)
	}
	return out
}

// deleteOrder is the order the plan deletes in: servers first (they hold
// ports and volumes), snapshots before their volumes, addresses before
// ports, routers before the groups and keys nothing needs.
var deleteOrder = []string{reports.KindServer, reports.KindSnapshot, reports.KindVolume, reports.KindFloatingIP, reports.KindPort,
	reports.KindRouter, reports.KindSecurityGroup, reports.KindKeypair, reports.KindImage}

// Plan turns the picked orphans into delete steps of the registry's
// tools. A router's gateway is cleared before it goes (the way /vpc
// delete takes a router apart, so the review shows the address released);
// a volume whose snapshots are all picked too is deleted with them
// (--cascade), since Cinder refuses a volume that has snapshots and the
// preflight reviews every step before any runs. snapshots maps volume IDs
// to their snapshots' IDs.
func Plan(picked []reports.Orphan, snapshots map[string][]string) []tools.Step {
	pickedIDs := map[string]bool{}
	for _, o := range picked {
		pickedIDs[o.Kind+"/"+o.ID] = true
	}
	// Volumes whose every snapshot is picked take them along.
	cascade := map[string]bool{}
	withVolume := map[string]bool{}
	for _, o := range picked {
		if o.Kind != reports.KindVolume || len(snapshots[o.ID]) == 0 {
			continue
		}
		all := true
		for _, s := range snapshots[o.ID] {
			all = all && pickedIDs[reports.KindSnapshot+"/"+s]
		}
		if all {
			cascade[o.ID] = true
			for _, s := range snapshots[o.ID] {
				withVolume[s] = true
			}
		}
	}
	ordered := append([]reports.Orphan(nil), picked...)
	sort.SliceStable(ordered, func(i, j int) bool {
		return slices.Index(deleteOrder, ordered[i].Kind) < slices.Index(deleteOrder, ordered[j].Kind)
	})
	var steps []tools.Step
	n := map[string]int{}
	for _, o := range ordered {
		if o.Kind == reports.KindSnapshot && withVolume[o.ID] {
			continue
		}
		n[o.Kind]++
		id := fmt.Sprintf("%s-%d", strings.ReplaceAll(o.Kind, ".", "-"), n[o.Kind])
		why := "orphan: " + o.Why
		if !o.Since.IsZero() {
			why += " (" + reports.Days(o.Age) + " old)"
		}
		switch o.Kind {
		case reports.KindServer:
			steps = append(steps, step(id, "server.delete", map[string]any{"server": o.ID}, why))
		case reports.KindVolume:
			args := map[string]any{"volume": o.ID}
			if cascade[o.ID] {
				args["cascade"] = true
				why += ", with its snapshots"
			}
			steps = append(steps, step(id, "volume.delete", args, why))
		case reports.KindSnapshot:
			steps = append(steps, step(id, "volume.snapshot.delete", map[string]any{"snapshot": o.ID}, why))
		case reports.KindFloatingIP:
			steps = append(steps, step(id, "floating-ip.delete", map[string]any{"floating_ip": o.ID}, why))
		case reports.KindPort:
			steps = append(steps, step(id, "port.delete", map[string]any{"port": o.ID}, why))
		case reports.KindRouter:
			steps = append(steps,
				step(id+"-gw", "router.unset", map[string]any{"router": o.ID, "external_gateway": true}, "release the external address of orphan router "+o.Label()+" first"),
				step(id, "router.delete", map[string]any{"router": o.ID}, why))
		case reports.KindSecurityGroup:
			steps = append(steps, step(id, "security-group.delete", map[string]any{"group": o.ID}, why))
		case reports.KindKeypair:
			steps = append(steps, step(id, "keypair.delete", map[string]any{"keypair": o.ID}, why))
		case reports.KindImage:
			steps = append(steps, step(id, "image.delete", map[string]any{"image": o.ID}, why))
		}
	}
	return steps
}

func step(id, tool string, args map[string]any, why string) tools.Step {
	return tools.Step{ID: id, Tool: tool, Args: tools.JSON(args), Why: why}
}
