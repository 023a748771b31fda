// Package alarms holds Aodh's alarm tools: list, show, history, state,
// and the changes create (a threshold on a Gnocchi metric of a server),
// state set and delete, each through the gate with a preview of the
// exact request.
package alarms

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/telemetry"
)

// Kind is the resource kind of an alarm, for names and targets.
const Kind = "alarm"

// Tools returns the alarm tools.
func Tools() []tools.Tool {
	return []tools.Tool{
		tools.ReadTool("alarm.list", telemetry.AlarmingService, list),
		tools.ReadTool("alarm.show", telemetry.AlarmingService, show),
		tools.ReadTool("alarm.history", telemetry.AlarmingService, history),
		tools.ReadTool("alarm.state.show", telemetry.AlarmingService, stateShow),
		createTool(), setTool(), deleteTool(), stateSetTool(),
	}
}

// ListArgs are the arguments of alarm.list.
type ListArgs struct {
	State string `json:"state,omitempty"`
}

// AlarmArgs name one alarm.
type AlarmArgs struct {
	Alarm string `json:"alarm"`
}

func list(ctx context.Context, env *tools.Env, args ListArgs) (*tools.Result, error) {
	c, err := telemetry.AlarmClient(ctx, env)
	if err != nil {
		return nil, err
	}
	all, err := c.List(ctx)
	if err != nil {
		return nil, err
	}
	// The openstack CLI's columns (alarm list -f json).
	out := &tools.List{Columns: []tools.Column{
		{Name: "alarm_id"}, {Name: "type"}, {Name: "name"}, {Name: "state", Kind: tools.Status},
		{Name: "severity"}, {Name: "enabled"},
	}}
	var names []string
	for _, a := range all {
		if args.State != "" && a.State != args.State {
			continue
		}
		out.Rows = append(out.Rows, []any{a.ID, a.Type, a.Name, a.State, a.Severity, a.Enabled != nil && *a.Enabled})
		names = append(names, a.Name)
	}
	env.Names.Remember(Kind, names...)
	return &tools.Result{List: out}, nil
}

// record lays an alarm out as the openstack CLI's alarm show does: the
// rule's fields beside the alarm's own.
func record(a *telemetry.Alarm) *tools.Record {
	enabled := a.Enabled != nil && *a.Enabled
	f := []tools.Field{
		{Name: "alarm_id", Value: a.ID},
		{Name: "name", Value: a.Name},
		{Name: "type", Value: a.Type},
		{Name: "state", Value: a.State, Kind: tools.Status},
		{Name: "state_reason", Value: a.StateReason},
		{Name: "severity", Value: a.Severity},
		{Name: "enabled", Value: enabled},
		{Name: "description", Value: a.Description},
	}
	if r := a.Threshold; r != nil {
		f = append(f,
			tools.Field{Name: "metric", Value: r.Metric},
			tools.Field{Name: "resource_id", Value: r.ResourceID},
			tools.Field{Name: "resource_type", Value: r.ResourceType},
			tools.Field{Name: "comparison_operator", Value: r.ComparisonOperator},
			tools.Field{Name: "threshold", Value: r.Threshold},
			tools.Field{Name: "aggregation_method", Value: r.AggregationMethod},
			tools.Field{Name: "granularity", Value: r.Granularity},
			tools.Field{Name: "evaluation_periods", Value: r.EvaluationPeriods},
		)
	} else {
		keys := make([]string, 0, len(a.Rules))
		for k := range a.Rules {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			f = append(f, tools.Field{Name: k, Value: string(a.Rules[k])})
		}
	}
	f = append(f,
		tools.Field{Name: "alarm_actions", Value: a.AlarmActions},
		tools.Field{Name: "ok_actions", Value: a.OKActions},
		tools.Field{Name: "insufficient_data_actions", Value: a.InsufficientDataActions},
		tools.Field{Name: "repeat_actions", Value: a.RepeatActions},
		tools.Field{Name: "state_timestamp", Value: a.StateTimestamp, Kind: tools.Time},
		tools.Field{Name: "timestamp", Value: a.Timestamp, Kind: tools.Time},
		tools.Field{Name: "project_id", Value: a.ProjectID},
		tools.Field{Name: "user_id", Value: a.UserID},
	)
	return &tools.Record{Fields: f}
}

func show(ctx context.Context, env *tools.Env, args AlarmArgs) (*tools.Result, error) {
	_, a, err := find(ctx, env, args.Alarm)
	if err != nil {
		return nil, err
	}
	env.Names.Remember(Kind, a.Name)
	return &tools.Result{Record: record(a)}, nil
}

func history(ctx context.Context, env *tools.Env, args AlarmArgs) (*tools.Result, error) {
	c, a, err := find(ctx, env, args.Alarm)
	if err != nil {
		return nil, err
	}
	changes, err := c.History(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	// The openstack CLI's columns (alarm-history show -f json).
	out := &tools.List{Columns: []tools.Column{
		{Name: "timestamp", Kind: tools.Time}, {Name: "type"}, {Name: "detail"}, {Name: "event_id", Long: true},
	}}
	for _, ch := range changes {
		out.Rows = append(out.Rows, []any{ch.Timestamp, ch.Type, detail(ch), ch.EventID})
	}
	return &tools.Result{List: out}, nil
}

// detail sums a history entry up: a state transition's detail is JSON
// ({"state": "alarm", "transition_reason": "..."}), read as a sentence.
func detail(ch telemetry.Change) string {
	var d struct {
		State  string `json:"state"`
		Reason string `json:"transition_reason"`
	}
	if ch.Type == "state transition" && json.Unmarshal([]byte(ch.Detail), &d) == nil && d.State != "" {
		if d.Reason != "" {
			return d.State + ": " + d.Reason
		}
		return d.State
	}
	// A creation's detail is the whole alarm; its rule says what matters.
	var created struct {
		Type string                   `json:"type"`
		Rule *telemetry.ThresholdRule `json:"rule"`
	}
	if ch.Type == "creation" && json.Unmarshal([]byte(ch.Detail), &created) == nil && created.Rule != nil && created.Type == telemetry.ThresholdType {
		return "created: " + describe(created.Rule)
	}
	return ch.Detail
}

func stateShow(ctx context.Context, env *tools.Env, args AlarmArgs) (*tools.Result, error) {
	c, a, err := find(ctx, env, args.Alarm)
	if err != nil {
		return nil, err
	}
	s, err := c.State(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	return &tools.Result{Record: &tools.Record{Fields: []tools.Field{{Name: "state", Value: s, Kind: tools.Status}}}}, nil
}

// lookup resolves the alarm a change names, for its Check.
func lookup(ctx context.Context, env *tools.Env, nameOrID string) (*telemetry.Aodh, *telemetry.Alarm, error) {
	c, err := telemetry.AlarmClient(ctx, env)
	if err != nil {
		return nil, nil, err
	}
	a, err := c.Find(ctx, nameOrID)
	if err != nil {
		return nil, nil, err
	}
	return c, a, nil
}

func target(a *telemetry.Alarm) tools.Target {
	return tools.Target{Kind: Kind, ID: a.ID, Name: a.Name}
}

// describe is the alarm's rule in one line, for findings and reviews.
func describe(r *telemetry.ThresholdRule) string {
	if r == nil {
		return ""
	}
	op := map[string]string{"lt": "<", "le": "≤", "eq": "=", "ne": "≠", "ge": "≥", "gt": ">"}[r.ComparisonOperator]
	if op == "" {
		op = "="
	}
	return fmt.Sprintf("%s of %s %s %s over %d × %d s", r.AggregationMethod, r.Metric, op,
		telemetry.FormatValue(r.Threshold), max(r.EvaluationPeriods, 1), r.Granularity)
}

// joinActions is a list of action URLs for a finding.
func joinActions(xs []string) string { return strings.Join(xs, ", ") }

// find is the start of every read of one alarm: Aodh's client and the
// alarm named (by name or ID).
func find(ctx context.Context, env *tools.Env, alarm string) (*telemetry.Aodh, *telemetry.Alarm, error) {
	c, err := telemetry.AlarmClient(ctx, env)
	if err != nil {
		return nil, nil, err
	}
	a, err := c.Find(ctx, alarm)
	if err != nil {
		return nil, nil, err
	}
	return c, a, nil
}
