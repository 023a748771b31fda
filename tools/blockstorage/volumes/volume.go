package volumes

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/blockstorage"
)

// Kind is what findings and targets call a volume.
const Kind = "volume"

// Label is how findings name a volume: its name, or its ID when it has
// none.
func (v *Volume) Label() string {
	if v.Name != "" {
		return v.Name
	}
	return v.ID
}

// Target is the volume as a step's target.
func (v *Volume) Target() tools.Target {
	return tools.Target{Kind: Kind, ID: v.ID, Name: v.Name}
}

// State sums up what a change to the volume depends on; the gate checks
// it again right before the step runs.
func (v *Volume) State() string {
	ids := make([]string, 0, len(v.Attachments))
	for _, a := range v.Attachments {
		ids = append(ids, a.ServerID)
	}
	return fmt.Sprintf("volume status=%s size=%d type=%s attached=%s", v.Status, v.Size, v.VolumeType, strings.Join(ids, ","))
}

// Describe is the one-line Info of a volume a step acts on.
func (v *Volume) Describe() string {
	return fmt.Sprintf("volume %s is %s (%d GiB, type %s)", v.Label(), v.Status, v.Size, v.VolumeType)
}

// AttachedTo names the servers the volume is attached to, with devices:
// "server web-1 on /dev/vdb".
func (v *Volume) AttachedTo(ctx context.Context, env *tools.Env) string {
	out := make([]string, 0, len(v.Attachments))
	for _, a := range v.Attachments {
		out = append(out, fmt.Sprintf("server %s on %s", blockstorage.ServerName(ctx, env, a.ServerID, false), a.Device))
	}
	if len(out) == 0 {
		return "no server Cinder reports"
	}
	return strings.Join(out, ", ")
}

// DetachCommand is the command that frees the volume from its server:
// "/volume detach data web-1", or with SERVER to fill in when it is
// attached to several.
func (v *Volume) DetachCommand(ctx context.Context, env *tools.Env) string {
	server := "SERVER"
	if len(v.Attachments) == 1 {
		server = blockstorage.ServerName(ctx, env, v.Attachments[0].ServerID, false)
	}
	return fmt.Sprintf("/volume detach %s %s", v.Label(), server)
}

// Rule is a verb's rule on a volume's status.
type Rule struct {
	// Verb completes "… can be VERB only when …": "extended".
	Verb string
	// From are the statuses the verb starts from.
	From []string
}

// Allows returns the verb's refusal of the volume as it is, or an Info
// describing it. An attached volume is named with its servers, since
// detaching is what most often frees it.
func (v *Volume) Allows(ctx context.Context, env *tools.Env, r Rule) tools.Finding {
	if slices.Contains(r.From, v.Status) {
		return tools.Finding{Level: tools.Info, Text: v.Describe()}
	}
	what := fmt.Sprintf("volume %s is %s", v.Label(), v.Status)
	if v.Status == "in-use" {
		what += ", attached to " + v.AttachedTo(ctx, env)
	}
	hint := ""
	switch {
	case v.Status == "in-use" && !slices.Contains(r.From, "in-use"):
		hint = "; detach it first with " + v.DetachCommand(ctx, env)
	case strings.HasSuffix(v.Status, "ing"):
		hint = "; wait until it settles (/volume show " + v.Label() + ")"
	case strings.HasPrefix(v.Status, "error"):
		hint = "; a volume in error needs an administrator (reset its state) or can only be deleted"
	}
	return tools.Finding{Level: tools.Block, Text: fmt.Sprintf("%s; it can be %s only when it is %s%s", what, r.Verb, strings.Join(r.From, " or "), hint)}
}

// settled are the statuses a change to a volume ends in.
var settled = []string{"available", "in-use"}

// volumeFail are the statuses that end a wait on a volume in failure.
var volumeFail = []string{"error", "error_extending", "error_restoring", "error_managing"}

// awaitVolume waits until the volume is available (or in-use when it is
// attached).
func awaitVolume(id, name string, until ...string) *tools.Await {
	if len(until) == 0 {
		until = settled
	}
	return blockstorage.Await("volume", id, name, until, volumeFail)
}

// current reads the volume a preview is about: the one Check fetched, or
// a fresh read (a dry run without a preflight).
func current(ctx context.Context, env *tools.Env, chk *tools.Check, id string) (*Volume, error) {
	if v, ok := tools.FetchedAs[*Volume](chk); ok && v.ID == id {
		return v, nil
	}
	if tools.IsRef(id) {
		return &Volume{ID: id, Name: id}, nil
	}
	return Resolve(ctx, env, id)
}

// blockf appends a Block finding.
func blockf(chk *tools.Check, format string, a ...any) {
	chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block, Text: fmt.Sprintf(format, a...)})
}

// warnf appends a Warn finding.
func warnf(chk *tools.Check, format string, a ...any) {
	chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Warn, Text: fmt.Sprintf(format, a...)})
}

// infof appends an Info finding.
func infof(chk *tools.Check, format string, a ...any) {
	chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Info, Text: fmt.Sprintf(format, a...)})
}

// plural is "1 snapshot", "2 snapshots".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
