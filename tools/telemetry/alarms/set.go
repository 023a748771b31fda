package alarms

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/telemetry"
)

// SetArgs are the arguments of alarm.set: the fields to change; the rest
// stay as they are.
type SetArgs struct {
	Alarm              string   `json:"alarm"`
	Name               string   `json:"name,omitempty"`
	Description        *string  `json:"description,omitempty"`
	Threshold          *float64 `json:"threshold,omitempty"`
	ComparisonOperator string   `json:"comparison_operator,omitempty"`
	AggregationMethod  string   `json:"aggregation_method,omitempty"`
	Granularity        int      `json:"granularity,omitempty"`
	EvaluationPeriods  int      `json:"evaluation_periods,omitempty"`
	Severity           string   `json:"severity,omitempty"`
	Enabled            *bool    `json:"enabled,omitempty"`
	RepeatActions      *bool    `json:"repeat_actions,omitempty"`
	// The action lists are pointers so that an empty list (which clears
	// the actions: an undo may need it) differs from none given.
	AlarmActions            *[]string `json:"alarm_actions,omitempty"`
	OKActions               *[]string `json:"ok_actions,omitempty"`
	InsufficientDataActions *[]string `json:"insufficient_data_actions,omitempty"`
}

// actions returns the list of a pointer field, nil when not given.
func actions(p *[]string) []string {
	if p == nil {
		return nil
	}
	return *p
}

func setTool() tools.Tool {
	return tools.ChangeTool(tools.ChangeSpec[SetArgs]{
		Name:     "alarm.set",
		Effect:   tools.Change,
		Service:  telemetry.AlarmingService,
		Produces: []string{"id", "previous"},
		Subject:  func(a SetArgs) (string, string) { return Kind, a.Alarm },
		Check:    checkSet,
		Preview:  previewSet,
		Run:      runSet,
		Undo: func(args SetArgs, res *tools.Result) *tools.Call {
			if res == nil || res.Outputs["previous"] == "" {
				return nil
			}
			// Outputs is what Run recorded; anything that does not read
			// as alarm.set's own arguments is no undo.
			prev, err := tools.Decode[SetArgs](tools.Args(res.Outputs["previous"]))
			if err != nil {
				return nil
			}
			prev.Alarm = args.Alarm
			return &tools.Call{Tool: "alarm.set", Args: tools.JSON(prev), Why: "put the alarm's fields back"}
		},
	})
}

// previous is the undo of changes: the fields as they were, as
// alarm.set's arguments.
func previous(changes []tools.FieldChange) string {
	m := map[string]any{}
	for _, c := range changes {
		m[c.Field] = c.From
	}
	b, err := json.Marshal(m)
	if err != nil {
		return ""
	}
	// Only what decodes as alarm.set's arguments is kept (a field Aodh
	// answered with null, say, is not).
	if _, err := tools.Decode[SetArgs](b); err != nil {
		return ""
	}
	return string(b)
}

// edits lists the changes args make to raw (an alarm as Aodh answers
// it), and applies them to it. A rule field is refused on an alarm whose
// rule has none.
func edits(raw map[string]any, args SetArgs) ([]tools.FieldChange, error) {
	var out []tools.FieldChange
	set := func(m map[string]any, field, key string, v any) {
		if fmt.Sprint(m[key]) == fmt.Sprint(v) {
			return
		}
		out = append(out, tools.FieldChange{Field: field, From: m[key], To: v})
		m[key] = v
	}
	if args.Name != "" {
		set(raw, "name", "name", args.Name)
	}
	if args.Description != nil {
		set(raw, "description", "description", *args.Description)
	}
	if args.Severity != "" {
		set(raw, "severity", "severity", args.Severity)
	}
	if args.Enabled != nil {
		set(raw, "enabled", "enabled", *args.Enabled)
	}
	if args.RepeatActions != nil {
		set(raw, "repeat_actions", "repeat_actions", *args.RepeatActions)
	}
	for _, a := range []struct {
		key  string
		list *[]string
	}{{"alarm_actions", args.AlarmActions}, {"ok_actions", args.OKActions}, {"insufficient_data_actions", args.InsufficientDataActions}} {
		if a.list != nil {
			set(raw, a.key, a.key, toAny(*a.list))
		}
	}
	ruleArgs := map[string]any{}
	if args.Threshold != nil {
		ruleArgs["threshold"] = *args.Threshold
	}
	if args.ComparisonOperator != "" {
		ruleArgs["comparison_operator"] = args.ComparisonOperator
	}
	if args.AggregationMethod != "" {
		ruleArgs["aggregation_method"] = args.AggregationMethod
	}
	if args.Granularity != 0 {
		ruleArgs["granularity"] = float64(args.Granularity)
	}
	if args.EvaluationPeriods != 0 {
		ruleArgs["evaluation_periods"] = float64(args.EvaluationPeriods)
	}
	if len(ruleArgs) == 0 {
		return out, nil
	}
	typ, _ := raw["type"].(string)
	rule, _ := raw[typ+"_rule"].(map[string]any)
	for _, k := range slices.Sorted(maps.Keys(ruleArgs)) {
		if _, has := rule[k]; !has {
			return nil, fmt.Errorf("alarm %v (type %s) has no %s in its rule", raw["name"], typ, k)
		}
		set(rule, k, k, ruleArgs[k])
	}
	return out, nil
}

func toAny(xs []string) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

// fetchedSet is what checkSet read, for the preview.
type fetchedSet struct {
	Raw map[string]any
}

func checkSet(ctx context.Context, env *tools.Env, args SetArgs) (*tools.Check, error) {
	c, a, err := lookup(ctx, env, args.Alarm)
	if err != nil {
		return nil, err
	}
	raw, err := c.Raw(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	chk := &tools.Check{Targets: []tools.Target{target(a)}, State: a.Timestamp, Fetched: fetchedSet{Raw: raw}}
	args.Alarm = a.ID
	chk.Resolved = tools.JSON(args)
	block := func(s string) (*tools.Check, error) {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block, Text: s})
		return chk, nil
	}
	changes, err := edits(cloneJSON(raw), args)
	if err != nil {
		return block(err.Error())
	}
	if len(changes) == 0 {
		return block(fmt.Sprintf("nothing to change: alarm %s already reads so; give --threshold, --comparison-operator, --severity, --enable/--disable, actions, …", a.Name))
	}
	if args.Name != "" && args.Name != a.Name {
		other, err := c.Find(ctx, args.Name)
		if err == nil && other.ID != a.ID {
			return block(fmt.Sprintf("alarm %s already exists (%s); choose another name", other.Name, other.ID))
		}
	}
	if f, err := adminOnlyActions(ctx, env, CreateArgs{AlarmActions: actions(args.AlarmActions), OKActions: actions(args.OKActions), InsufficientDataActions: actions(args.InsufficientDataActions)}); err != nil {
		return nil, err
	} else if f != "" {
		return block(f)
	}
	fields := make([]string, len(changes))
	for i, ch := range changes {
		fields[i] = ch.Field
	}
	chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Info,
		Text: fmt.Sprintf("alarm %s is %s; changes %s", a.Name, a.State, strings.Join(fields, ", "))})
	return chk, nil
}

func previewSet(ctx context.Context, env *tools.Env, args SetArgs, chk *tools.Check) (*tools.Preview, error) {
	c, err := telemetry.AlarmClient(ctx, env)
	if err != nil {
		return nil, err
	}
	f, ok := tools.FetchedAs[fetchedSet](chk)
	if !ok || chk.Blocked() {
		return &tools.Preview{}, nil
	}
	raw := cloneJSON(f.Raw)
	changes, err := edits(raw, args)
	if err != nil {
		return nil, err
	}
	return &tools.Preview{Requests: []tools.Request{{Method: "PUT", URL: c.AlarmURL(args.Alarm), Body: raw}}, Changes: changes}, nil
}

// cloneJSON copies a decoded JSON object, so a preview's edits do not
// touch what Check fetched.
func cloneJSON(m map[string]any) map[string]any {
	b, err := json.Marshal(m)
	if err != nil {
		return m
	}
	var out map[string]any
	if json.Unmarshal(b, &out) != nil {
		return m
	}
	return out
}

func runSet(ctx context.Context, env *tools.Env, args SetArgs) (*tools.Result, error) {
	c, err := telemetry.AlarmClient(ctx, env)
	if err != nil {
		return nil, err
	}
	// Read again: the PUT replaces the alarm whole, so it must carry what
	// the alarm holds now.
	raw, err := c.Raw(ctx, args.Alarm)
	if err != nil {
		return nil, err
	}
	changes, err := edits(raw, args)
	if err != nil {
		return nil, err
	}
	a, ids, err := c.Update(ctx, args.Alarm, raw)
	if err != nil {
		return &tools.Result{RequestIDs: ids}, err
	}
	env.Lookups.Forget(Kind)
	return &tools.Result{Record: record(a), Outputs: map[string]string{"id": a.ID, "previous": previous(changes)}, RequestIDs: ids,
		Message: fmt.Sprintf("alarm %s updated", a.Name)}, nil
}
