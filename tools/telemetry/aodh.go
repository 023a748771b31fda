package telemetry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/gophercloud/gophercloud/v2"

	"github.com/kriscelmer/os-tui/tools"
)

// Aodh is a client of the alarming service's v2 API.
type Aodh struct {
	Client *gophercloud.ServiceClient
}

// ThresholdRule is the rule of a gnocchi_resources_threshold alarm: a
// resource's metric compared with a threshold over evaluation periods.
type ThresholdRule struct {
	Metric             string  `json:"metric"`
	ResourceID         string  `json:"resource_id"`
	ResourceType       string  `json:"resource_type"`
	Threshold          float64 `json:"threshold"`
	ComparisonOperator string  `json:"comparison_operator,omitempty"`
	AggregationMethod  string  `json:"aggregation_method"`
	Granularity        int     `json:"granularity,omitempty"`
	EvaluationPeriods  int     `json:"evaluation_periods,omitempty"`
}

// ThresholdType is the alarm type ostui creates.
const ThresholdType = "gnocchi_resources_threshold"

// Alarm is an Aodh alarm. Rules of types ostui does not create are kept
// raw in Rules (by their field name) for show.
type Alarm struct {
	ID                      string         `json:"alarm_id,omitempty"`
	Name                    string         `json:"name"`
	Type                    string         `json:"type"`
	Description             string         `json:"description,omitempty"`
	State                   string         `json:"state,omitempty"`
	StateReason             string         `json:"state_reason,omitempty"`
	Severity                string         `json:"severity,omitempty"`
	Enabled                 *bool          `json:"enabled,omitempty"`
	RepeatActions           bool           `json:"repeat_actions,omitempty"`
	AlarmActions            []string       `json:"alarm_actions,omitempty"`
	OKActions               []string       `json:"ok_actions,omitempty"`
	InsufficientDataActions []string       `json:"insufficient_data_actions,omitempty"`
	Threshold               *ThresholdRule `json:"gnocchi_resources_threshold_rule,omitempty"`
	StateTimestamp          string         `json:"state_timestamp,omitempty"`
	Timestamp               string         `json:"timestamp,omitempty"`
	ProjectID               string         `json:"project_id,omitempty"`
	UserID                  string         `json:"user_id,omitempty"`

	Rules map[string]json.RawMessage `json:"-"`
}

// UnmarshalJSON keeps every *_rule field of the answer in Rules.
func (a *Alarm) UnmarshalJSON(b []byte) error {
	type plain Alarm
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(b, &all); err != nil {
		return err
	}
	*a = Alarm(p)
	for k, v := range all {
		if strings.HasSuffix(k, "_rule") && string(v) != "null" {
			if a.Rules == nil {
				a.Rules = map[string]json.RawMessage{}
			}
			a.Rules[k] = v
		}
	}
	return nil
}

// AlarmsURL is the list request, with an optional name filter.
func (c *Aodh) AlarmsURL(name string) string {
	u := c.Client.ServiceURL("alarms")
	if name != "" {
		u += "?" + url.Values{"q.field": {"name"}, "q.op": {"eq"}, "q.value": {name}}.Encode()
	}
	return u
}

// AlarmURL is an alarm's own URL (show, delete).
func (c *Aodh) AlarmURL(id string) string { return c.Client.ServiceURL("alarms", escape(id)) }

// List returns the project's alarms, by name.
func (c *Aodh) List(ctx context.Context) ([]Alarm, error) {
	var out []Alarm
	if err := get(ctx, c.Client, c.AlarmsURL(""), &out); err != nil {
		return nil, fmt.Errorf("list alarms: %w", err)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Get reads one alarm by ID.
func (c *Aodh) Get(ctx context.Context, id string) (*Alarm, error) {
	var a Alarm
	err := get(ctx, c.Client, c.AlarmURL(id), &a)
	if gophercloud.ResponseCodeIs(err, http.StatusNotFound) {
		return nil, &tools.NotFoundError{Kind: "alarm", Name: id}
	}
	if err != nil {
		return nil, fmt.Errorf("show alarm %s: %w", id, err)
	}
	return &a, nil
}

// Find resolves an alarm by ID or name (Aodh names are unique per
// project, but an admin sees several projects).
func (c *Aodh) Find(ctx context.Context, nameOrID string) (*Alarm, error) {
	if tools.IsUUID(nameOrID) {
		a, err := c.Get(ctx, nameOrID)
		if err == nil {
			return a, nil
		}
		var nf *tools.NotFoundError
		if !errors.As(err, &nf) {
			return nil, err
		}
	}
	var byName []Alarm
	if err := get(ctx, c.Client, c.AlarmsURL(nameOrID), &byName); err != nil {
		return nil, fmt.Errorf("find alarm %s: %w", nameOrID, err)
	}
	cands := make([]tools.Candidate, len(byName))
	for i, a := range byName {
		cands[i] = tools.Candidate{ID: a.ID, Name: a.Name}
	}
	picked, err := tools.Pick("alarm", nameOrID, cands)
	if err != nil {
		return nil, err
	}
	for i := range byName {
		if byName[i].ID == picked.ID {
			return &byName[i], nil
		}
	}
	return nil, &tools.NotFoundError{Kind: "alarm", Name: nameOrID}
}

// Create posts an alarm and returns it as Aodh stored it, with the
// request IDs (for the audit log, failed or not).
func (c *Aodh) Create(ctx context.Context, a *Alarm) (*Alarm, []string, error) {
	var out Alarm
	resp, err := c.Client.Post(ctx, c.AlarmsURL(""), a, &out, &gophercloud.RequestOpts{OkCodes: []int{http.StatusCreated, http.StatusOK}}) //nolint:bodyclose // closed by gophercloud
	ids := tools.RequestIDs(resp, err)
	if err != nil {
		return nil, ids, fmt.Errorf("create alarm %s: %w", a.Name, err)
	}
	return &out, ids, nil
}

// Delete removes an alarm and returns the request IDs.
func (c *Aodh) Delete(ctx context.Context, id string) ([]string, error) {
	resp, err := c.Client.Delete(ctx, c.AlarmURL(id), &gophercloud.RequestOpts{OkCodes: []int{http.StatusNoContent, http.StatusOK}}) //nolint:bodyclose // closed by gophercloud
	ids := tools.RequestIDs(resp, err)
	if err != nil {
		return ids, fmt.Errorf("delete alarm %s: %w", id, err)
	}
	return ids, nil
}

// StateURL is where an alarm's state is read and set.
func (c *Aodh) StateURL(id string) string { return c.Client.ServiceURL("alarms", escape(id), "state") }

// State reads an alarm's state.
func (c *Aodh) State(ctx context.Context, id string) (string, error) {
	var s string
	if err := get(ctx, c.Client, c.StateURL(id), &s); err != nil {
		return "", fmt.Errorf("read the state of alarm %s: %w", id, err)
	}
	return s, nil
}

// SetState sets an alarm's state (Aodh takes a bare JSON string) and
// returns the request IDs.
func (c *Aodh) SetState(ctx context.Context, id, state string) ([]string, error) {
	var out string
	resp, err := c.Client.Put(ctx, c.StateURL(id), state, &out, &gophercloud.RequestOpts{OkCodes: []int{http.StatusOK}}) //nolint:bodyclose // closed by gophercloud
	ids := tools.RequestIDs(resp, err)
	if err != nil {
		return ids, fmt.Errorf("set the state of alarm %s: %w", id, err)
	}
	return ids, nil
}

// Change is one entry of an alarm's history.
type Change struct {
	EventID   string `json:"event_id"`
	Type      string `json:"type"`
	Detail    string `json:"detail"`
	Timestamp string `json:"timestamp"`
	UserID    string `json:"user_id"`
	Severity  string `json:"severity"`
}

// History returns an alarm's changes, newest first (as Aodh answers).
func (c *Aodh) History(ctx context.Context, id string) ([]Change, error) {
	var out []Change
	if err := get(ctx, c.Client, c.Client.ServiceURL("alarms", escape(id), "history"), &out); err != nil {
		return nil, fmt.Errorf("read the history of alarm %s: %w", id, err)
	}
	return out, nil
}

// Raw reads an alarm as Aodh answers it, every field kept: an update
// sends the alarm back whole (Aodh's PUT replaces it), so fields ostui
// does not model, such as time constraints, must survive it.
func (c *Aodh) Raw(ctx context.Context, id string) (map[string]any, error) {
	var raw map[string]any
	err := get(ctx, c.Client, c.AlarmURL(id), &raw)
	if gophercloud.ResponseCodeIs(err, http.StatusNotFound) {
		return nil, &tools.NotFoundError{Kind: "alarm", Name: id}
	}
	if err != nil {
		return nil, fmt.Errorf("show alarm %s: %w", id, err)
	}
	return raw, nil
}

// Update replaces an alarm with body (a Raw answer with fields changed)
// and returns it as Aodh stored it, with the request IDs.
func (c *Aodh) Update(ctx context.Context, id string, body map[string]any) (*Alarm, []string, error) {
	var out Alarm
	resp, err := c.Client.Put(ctx, c.AlarmURL(id), body, &out, &gophercloud.RequestOpts{OkCodes: []int{http.StatusOK}}) //nolint:bodyclose // closed by gophercloud
	ids := tools.RequestIDs(resp, err)
	if err != nil {
		return nil, ids, fmt.Errorf("update alarm %s: %w", id, err)
	}
	return &out, ids, nil
}
