package alarms

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/telemetry"
)

// CreateArgs are the arguments of alarm.create: a threshold on one
// metric of one resource (Aodh's gnocchi_resources_threshold).
type CreateArgs struct {
	Name                    string   `json:"name"`
	Type                    string   `json:"type,omitempty"`
	Resource                string   `json:"resource"`
	ResourceType            string   `json:"resource_type,omitempty"`
	Metric                  string   `json:"metric"`
	Threshold               float64  `json:"threshold"`
	ComparisonOperator      string   `json:"comparison_operator,omitempty"`
	AggregationMethod       string   `json:"aggregation_method,omitempty"`
	Granularity             int      `json:"granularity,omitempty"`
	EvaluationPeriods       int      `json:"evaluation_periods,omitempty"`
	AlarmActions            []string `json:"alarm_actions,omitempty"`
	OKActions               []string `json:"ok_actions,omitempty"`
	InsufficientDataActions []string `json:"insufficient_data_actions,omitempty"`
	Severity                string   `json:"severity,omitempty"`
	Description             string   `json:"description,omitempty"`
	RepeatActions           bool     `json:"repeat_actions,omitempty"`
}

func createTool() tools.Tool {
	return tools.ChangeTool(tools.ChangeSpec[CreateArgs]{
		Name:     "alarm.create",
		Effect:   tools.Change,
		Service:  telemetry.AlarmingService,
		Produces: []string{"id", "name"},
		Check:    checkCreate,
		Preview:  previewCreate,
		Run:      runCreate,
		Undo: func(_ CreateArgs, res *tools.Result) *tools.Call {
			id := tools.CreatedID(res, "")
			if id == "" {
				return nil
			}
			return &tools.Call{Tool: "alarm.delete", Args: tools.JSON(AlarmArgs{Alarm: id}), Why: "delete the alarm just created"}
		},
	})
}

// alarm builds the request body from resolved arguments.
func alarm(args CreateArgs) *telemetry.Alarm {
	return &telemetry.Alarm{
		Name:                    args.Name,
		Type:                    telemetry.ThresholdType,
		Description:             args.Description,
		Severity:                args.Severity,
		RepeatActions:           args.RepeatActions,
		AlarmActions:            args.AlarmActions,
		OKActions:               args.OKActions,
		InsufficientDataActions: args.InsufficientDataActions,
		Threshold: &telemetry.ThresholdRule{
			Metric:             args.Metric,
			ResourceID:         args.Resource,
			ResourceType:       args.ResourceType,
			Threshold:          args.Threshold,
			ComparisonOperator: args.ComparisonOperator,
			AggregationMethod:  args.AggregationMethod,
			Granularity:        args.Granularity,
			EvaluationPeriods:  args.EvaluationPeriods,
		},
	}
}

func checkCreate(ctx context.Context, env *tools.Env, args CreateArgs) (*tools.Check, error) {
	c, err := telemetry.AlarmClient(ctx, env)
	if err != nil {
		return nil, err
	}
	chk := &tools.Check{}
	block := func(format string, a ...any) (*tools.Check, error) {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block, Text: fmt.Sprintf(format, a...)})
		return chk, nil
	}
	if args.Type != "" && args.Type != telemetry.ThresholdType {
		return block("ostui creates %s alarms (a threshold on a resource's metric), not %s", telemetry.ThresholdType, args.Type)
	}
	args.Type = telemetry.ThresholdType
	existing, err := c.Find(ctx, args.Name)
	var nf *tools.NotFoundError
	switch {
	case err == nil:
		return block("alarm %s already exists (%s, %s); choose another name or delete it first", existing.Name, existing.ID, existing.State)
	case errors.As(err, &nf):
	default:
		var amb *tools.AmbiguousError
		if !errors.As(err, &amb) {
			return nil, err
		}
		return block("%d alarms are already named %s; choose another name", len(amb.Candidates), args.Name)
	}
	r, err := telemetry.ResolveResource(ctx, env, args.Resource)
	if err != nil {
		return block("%s", err.Error())
	}
	args.Resource = r.ID
	chk.Targets = append(chk.Targets, tools.Target{Kind: "server", ID: r.ID, Name: r.Name})
	b, err := telemetry.Detect(ctx, env)
	if errors.Is(err, telemetry.ErrNoMetrics) {
		return block("a %s alarm watches a Gnocchi metric, and %s", telemetry.ThresholdType, err.Error())
	}
	if err != nil {
		return nil, err
	}
	g, ok := b.(*telemetry.Gnocchi)
	if !ok {
		return block("a %s alarm watches a Gnocchi metric; this cloud's metrics service is %s", telemetry.ThresholdType, b.Name())
	}
	ms, err := g.Metrics(ctx, r.ID)
	var nr *telemetry.NoResourceError
	if errors.As(err, &nr) {
		nr.Resource = r.Label
		return block("%s; the alarm would never leave insufficient data", nr.Error())
	}
	if err != nil {
		return nil, err
	}
	var m *telemetry.Metric
	for i := range ms {
		if ms[i].Name == args.Metric {
			m = &ms[i]
		}
	}
	if m == nil {
		return block("%s", (&telemetry.UnknownMetricError{Resource: r.Label, Metric: args.Metric, Known: telemetry.Names(ms)}).Error())
	}
	if args.ResourceType == "" {
		if args.ResourceType, err = g.ResourceType(ctx, r.ID); err != nil {
			return nil, err
		}
	}
	if args.AggregationMethod == "" {
		args.AggregationMethod = "mean"
	}
	if len(m.Aggregations) > 0 && !slices.Contains(m.Aggregations, args.AggregationMethod) {
		return block("metric %s keeps the aggregations %s (archive policy %s), not %s", m.Name, joinActions(m.Aggregations), m.ArchivePolicy, args.AggregationMethod)
	}
	if args.Granularity == 0 && len(m.Granularities) > 0 {
		// Aodh's own default (60 s) is not in every archive policy; the
		// finest the policy keeps is what the alarm can read.
		args.Granularity = int(m.Granularities[0])
	}
	if len(m.Granularities) > 0 && !slices.Contains(m.Granularities, float64(args.Granularity)) {
		grans := make([]string, len(m.Granularities))
		for i, g := range m.Granularities {
			grans[i] = strconv.FormatFloat(g, 'f', -1, 64)
		}
		return block("metric %s keeps measures every %s seconds (archive policy %s), not every %d", m.Name, joinActions(grans), m.ArchivePolicy, args.Granularity)
	}
	if args.EvaluationPeriods == 0 {
		args.EvaluationPeriods = 1
	}
	if args.ComparisonOperator == "" {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Warn,
			Text: "no --comparison-operator: Aodh compares with eq (equal), which a measured value rarely hits exactly; say gt, ge, lt or le"})
	}
	if f, err := adminOnlyActions(ctx, env, args); err != nil {
		return nil, err
	} else if f != "" {
		return block("%s", f)
	}
	if len(args.AlarmActions)+len(args.OKActions)+len(args.InsufficientDataActions) == 0 {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Info,
			Text: "no actions: the alarm changes state and records it in its history, and notifies nobody"})
	}
	chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Info,
		Text: fmt.Sprintf("alarm when the %s (%s)", describe(alarm(args).Threshold), r.Label)})
	chk.Resolved = tools.JSON(args)
	return chk, nil
}

func previewCreate(ctx context.Context, env *tools.Env, args CreateArgs, chk *tools.Check) (*tools.Preview, error) {
	c, err := telemetry.AlarmClient(ctx, env)
	if err != nil {
		return nil, err
	}
	if chk.Blocked() {
		// Nothing was resolved: a request built from the arguments as
		// typed would show a body Run never sends.
		return &tools.Preview{}, nil
	}
	a := alarm(args)
	on := args.Resource
	if chk != nil && len(chk.Targets) > 0 && chk.Targets[0].Name != "" {
		on = "server " + chk.Targets[0].Name
	}
	return &tools.Preview{
		Requests: []tools.Request{{Method: "POST", URL: c.AlarmsURL(""), Body: a}},
		Creates:  []string{fmt.Sprintf("alarm %s (%s on %s)", args.Name, describe(a.Threshold), on)},
	}, nil
}

func runCreate(ctx context.Context, env *tools.Env, args CreateArgs) (*tools.Result, error) {
	c, err := telemetry.AlarmClient(ctx, env)
	if err != nil {
		return nil, err
	}
	a, ids, err := c.Create(ctx, alarm(args))
	if err != nil {
		return &tools.Result{RequestIDs: ids}, err
	}
	env.Names.Remember(Kind, a.Name)
	return &tools.Result{
		Record:     record(a),
		Outputs:    map[string]string{"id": a.ID, "name": a.Name},
		Message:    fmt.Sprintf("alarm %s created; it reads %s until Aodh's evaluator has looked at it", a.Name, a.State),
		RequestIDs: ids,
	}, nil
}

func deleteTool() tools.Tool {
	return tools.ChangeTool(tools.ChangeSpec[AlarmArgs]{
		Name:     "alarm.delete",
		Effect:   tools.Destroy,
		Service:  telemetry.AlarmingService,
		Produces: []string{"id"},
		Subject:  func(a AlarmArgs) (string, string) { return Kind, a.Alarm },
		Check: func(ctx context.Context, env *tools.Env, args AlarmArgs) (*tools.Check, error) {
			_, a, err := lookup(ctx, env, args.Alarm)
			if err != nil {
				return nil, err
			}
			text := fmt.Sprintf("alarm %s is %s", a.Name, a.State)
			if d := describe(a.Threshold); d != "" {
				text += " (" + d + ")"
			}
			return &tools.Check{
				Targets:  []tools.Target{target(a)},
				Findings: []tools.Finding{{Level: tools.Info, Text: text}},
				Resolved: tools.JSON(AlarmArgs{Alarm: a.ID}),
				State:    a.ID,
				Fetched:  a,
			}, nil
		},
		Preview: func(ctx context.Context, env *tools.Env, args AlarmArgs, chk *tools.Check) (*tools.Preview, error) {
			c, err := telemetry.AlarmClient(ctx, env)
			if err != nil {
				return nil, err
			}
			p := &tools.Preview{Requests: []tools.Request{{Method: "DELETE", URL: c.AlarmURL(args.Alarm)}}}
			name := args.Alarm
			if a, ok := tools.FetchedAs[*telemetry.Alarm](chk); ok {
				name = a.Name
			}
			p.Deletes = []tools.Dependent{{Kind: Kind, ID: args.Alarm, Name: name, Fate: "deleted, with its history"}}
			return p, nil
		},
		Run: func(ctx context.Context, env *tools.Env, args AlarmArgs) (*tools.Result, error) {
			c, err := telemetry.AlarmClient(ctx, env)
			if err != nil {
				return nil, err
			}
			ids, err := c.Delete(ctx, args.Alarm)
			if err != nil {
				return &tools.Result{RequestIDs: ids}, err
			}
			env.Lookups.Forget(Kind)
			return &tools.Result{Message: "alarm " + args.Alarm + " deleted", Outputs: map[string]string{"id": args.Alarm}, RequestIDs: ids}, nil
		},
	})
}

// adminOnly are the action schemes Aodh takes from admins only: it
// refuses them from anyone else with a 401 that reads like a bad token.
var adminOnly = []string{"log://", "test://"}

// adminOnlyActions returns a sentence when a person without the admin
// role names a log:// or test:// action.
func adminOnlyActions(ctx context.Context, env *tools.Env, args CreateArgs) (string, error) {
	var found string
	for _, list := range [][]string{args.AlarmActions, args.OKActions, args.InsufficientDataActions} {
		for _, a := range list {
			for _, p := range adminOnly {
				if strings.HasPrefix(a, p) {
					found = a
				}
			}
		}
	}
	if found == "" {
		return "", nil
	}
	who, err := tools.CurrentIdentity(ctx, env)
	if err != nil {
		return "", err
	}
	if slices.Contains(who.Roles, "admin") {
		return "", nil
	}
	return fmt.Sprintf("Aodh takes %s actions from admins only, and %s has no admin role here; use an http:// or https:// URL, or leave the actions out", found, who.UserName), nil
}

// States are the states of an Aodh alarm.
var States = []string{"ok", "alarm", "insufficient data"}

// StateArgs are the arguments of alarm.state.set.
type StateArgs struct {
	Alarm string `json:"alarm"`
	State string `json:"state"`
}

func stateSetTool() tools.Tool {
	return tools.ChangeTool(tools.ChangeSpec[StateArgs]{
		Name:     "alarm.state.set",
		Effect:   tools.Change,
		Service:  telemetry.AlarmingService,
		Produces: []string{"id", "previous"},
		Subject:  func(a StateArgs) (string, string) { return Kind, a.Alarm },
		Check: func(ctx context.Context, env *tools.Env, args StateArgs) (*tools.Check, error) {
			_, a, err := lookup(ctx, env, args.Alarm)
			if err != nil {
				return nil, err
			}
			chk := &tools.Check{Targets: []tools.Target{target(a)}, State: a.State, Fetched: a,
				Resolved: tools.JSON(StateArgs{Alarm: a.ID, State: args.State})}
			if a.State == args.State {
				chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Info, Text: fmt.Sprintf("alarm %s is already %s; setting it again records a transition", a.Name, a.State)})
			}
			chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Info,
				Text: "Aodh's evaluator sets the state again at its next evaluation, from the metric"})
			return chk, nil
		},
		Preview: func(ctx context.Context, env *tools.Env, args StateArgs, chk *tools.Check) (*tools.Preview, error) {
			c, err := telemetry.AlarmClient(ctx, env)
			if err != nil {
				return nil, err
			}
			p := &tools.Preview{Requests: []tools.Request{{Method: "PUT", URL: c.StateURL(args.Alarm), Body: args.State}}}
			from := ""
			if a, ok := tools.FetchedAs[*telemetry.Alarm](chk); ok {
				from = a.State
			}
			p.Changes = []tools.FieldChange{{Field: "state", From: from, To: args.State}}
			return p, nil
		},
		Run: func(ctx context.Context, env *tools.Env, args StateArgs) (*tools.Result, error) {
			c, err := telemetry.AlarmClient(ctx, env)
			if err != nil {
				return nil, err
			}
			prev, err := c.State(ctx, args.Alarm)
			if err != nil {
				return nil, err
			}
			ids, err := c.SetState(ctx, args.Alarm, args.State)
			if err != nil {
				return &tools.Result{RequestIDs: ids}, err
			}
			return &tools.Result{Message: fmt.Sprintf("alarm %s: %s → %s", args.Alarm, prev, args.State),
				Outputs: map[string]string{"id": args.Alarm, "previous": prev}, RequestIDs: ids}, nil
		},
		Undo: func(args StateArgs, res *tools.Result) *tools.Call {
			// Only a state Aodh knows goes back: Outputs is whatever Run
			// recorded, and an undo must pass the schema like any call.
			if res == nil || !slices.Contains(States, res.Outputs["previous"]) {
				return nil
			}
			return &tools.Call{Tool: "alarm.state.set", Args: tools.JSON(StateArgs{Alarm: args.Alarm, State: res.Outputs["previous"]}), Why: "put the alarm's state back"}
		},
	})
}
