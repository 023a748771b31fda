// Package orphans holds /orphans, the report of resources nothing uses
// (unattached volumes, floating IPs without a port, ports without a
// device, unused security groups and key pairs, routers with a gateway
// and no interface, old snapshots and images, servers shut off for long),
// and /orphans clean, the wizard that turns a choice of them into one
// plan of the delete tools: each step previewed with what it takes along,
// approved, run and audited like any other.
//
// The rules are the reports kernel's (reports.FindOrphans), shared with
// the overview's panel; this package reads the facts and builds the plan.
package orphans

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/reports"
)

// Service is the catalog service the tools are offered under. The
// report spans compute, network, block storage and image, and leaves out
// (with a note) what the cloud lacks; identity is in every catalog, so
// the report is never refused whole for want of one service.
const Service = "identity"

// Tools returns /orphans and /orphans clean.
func Tools() []tools.Tool {
	return []tools.Tool{
		tools.ReadTool("orphans", Service, list),
		cleanTool(),
	}
}

// Args select and tune the report; clean takes the same, so the plan is
// made of what the report showed.
type Args struct {
	Kind       []string `json:"kind,omitempty"`
	OlderThan  string   `json:"older_than,omitempty"`
	StoppedFor string   `json:"stopped_for,omitempty"`
	MinAge     string   `json:"min_age,omitempty"`
}

// options reads the thresholds; the schema has checked their shape, the
// error is for what it cannot (an absurd number).
func (a Args) options(now time.Time) (reports.OrphanOptions, error) {
	o := reports.OrphanOptions{Now: now}
	for _, t := range []struct {
		flag, val string
		dst       *time.Duration
	}{{"--older-than", a.OlderThan, &o.OlderThan}, {"--stopped-for", a.StoppedFor, &o.StoppedFor}, {"--min-age", a.MinAge, &o.MinAge}} {
		if t.val == "" {
			continue
		}
		d, err := reports.ParseAge(t.val)
		if err != nil {
			return o, fmt.Errorf("%s: %w", t.flag, err)
		}
		*t.dst = d
	}
	return o, nil
}

// find reads the cloud and returns the orphans of the kinds asked for,
// with notes on what could not be checked.
func find(ctx context.Context, env *tools.Env, a Args, now time.Time) ([]reports.Orphan, []string, error) {
	opts, err := a.options(now)
	if err != nil {
		return nil, nil, err
	}
	facts, notes, err := reports.ReadFacts(ctx, env, reports.OrphanSources)
	if err != nil {
		return nil, notes, err
	}
	all := reports.FindOrphans(facts, opts)
	if len(a.Kind) == 0 {
		return all, notes, nil
	}
	var out []reports.Orphan
	for _, o := range all {
		if slices.Contains(a.Kind, o.Kind) {
			out = append(out, o)
		}
	}
	return out, notes, nil
}

// now is the clock; tests replace it.
var now = time.Now

func list(ctx context.Context, env *tools.Env, a Args) (*tools.Result, error) {
	found, notes, err := find(ctx, env, a, now())
	if err != nil {
		return nil, err
	}
	return Result(found, notes), nil
}

// Result is the report as a list: kind, ID, name, age and why, with when
// the age counts from and what deleting it takes along for --long.
func Result(found []reports.Orphan, notes []string) *tools.Result {
	l := &tools.List{Columns: []tools.Column{
		{Name: "Kind"}, {Name: "ID"}, {Name: "Name"}, {Name: "Age"}, {Name: "Why"},
		{Name: "Since", Long: true, Kind: tools.Time}, {Name: "Dependents", Long: true},
	}}
	for _, o := range found {
		var since any
		if !o.Since.IsZero() {
			since = o.Since.UTC().Format(time.RFC3339)
		}
		l.Rows = append(l.Rows, []any{o.Kind, o.ID, o.Name, reports.Age(o), o.Why, since, o.Dependents})
	}
	msg := fmt.Sprintf("%d orphan(s)", len(found))
	if len(found) == 0 {
		msg = "no orphans found"
	}
	if len(found) > 0 {
		msg += "; /orphans clean [IDs…] makes a plan to delete them"
	}
	if len(notes) > 0 {
		msg += "\nnote: " + strings.Join(notes, "\nnote: ")
	}
	return &tools.Result{List: l, Message: msg}
}
