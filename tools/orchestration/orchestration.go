// Package orchestration is the Heat kernel the stack tools share: the
// client, one stack lookup, the template and environment files a person
// names (read and checked locally, then by Heat's own validate), the
// update diff and the protection rule. The tools live in its
// subpackages, one per Heat resource as gophercloud keeps them: stacks,
// stackresources, stackevents and stacktemplates.
package orchestration

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/gophercloud/gophercloud/v2"

	"github.com/kriscelmer/os-tui/tools"
)

// Kind is the resource kind of stacks in Names and errors.
const Kind = "stack"

// Service is the catalog type of Heat.
const Service = "orchestration"

// Client returns a Heat client.
func Client(ctx context.Context, env *tools.Env) (*gophercloud.ServiceClient, error) {
	return env.Clients.ServiceClient(ctx, Service)
}

// Output is one stack output as Heat's GET returns it.
type Output struct {
	Key         string `json:"output_key"`
	Value       any    `json:"output_value"`
	Description string `json:"description"`
	Error       string `json:"output_error,omitempty"`
}

// Stack is a stack as Heat's GET /stacks/{name}/{id} returns it.
type Stack struct {
	ID              string            `json:"id"`
	Name            string            `json:"stack_name"`
	Description     string            `json:"description"`
	Status          string            `json:"stack_status"`
	StatusReason    string            `json:"stack_status_reason"`
	CreationTime    string            `json:"creation_time"`
	UpdatedTime     string            `json:"updated_time"`
	DeletionTime    string            `json:"deletion_time"`
	DisableRollback bool              `json:"disable_rollback"`
	TimeoutMins     *int              `json:"timeout_mins"`
	Parameters      map[string]string `json:"parameters"`
	Outputs         []Output          `json:"outputs"`
	Tags            []string          `json:"tags"`
	Parent          string            `json:"parent"`
	Owner           string            `json:"stack_owner"`
	ProjectID       string            `json:"project"`
}

// Action is the part of a status before the underscore ("UPDATE" of
// "UPDATE_FAILED").
func (s *Stack) Action() string { a, _, _ := strings.Cut(s.Status, "_"); return a }

// Failed reports a stack whose last action failed.
func (s *Stack) Failed() bool { return strings.HasSuffix(s.Status, "_FAILED") }

// InProgress reports a stack Heat is still working on; Heat refuses
// another action on it until it settles.
func (s *Stack) InProgress() bool { return strings.HasSuffix(s.Status, "_IN_PROGRESS") }

// UserParameters are the stack's parameters without Heat's pseudo
// parameters (OS::stack_id, OS::project_id, OS::stack_name).
func (s *Stack) UserParameters() map[string]string {
	out := map[string]string{}
	for k, v := range s.Parameters {
		if !strings.HasPrefix(k, "OS::") {
			out[k] = v
		}
	}
	return out
}

// Lookup is the start of most stack tools: the orchestration client and
// the stack named or identified by ref.
func Lookup(ctx context.Context, env *tools.Env, ref string) (*gophercloud.ServiceClient, *Stack, error) {
	c, err := Client(ctx, env)
	if err != nil {
		return nil, nil, err
	}
	s, err := Find(ctx, c, ref)
	if err != nil {
		return nil, nil, err
	}
	return c, s, nil
}

// Find returns the stack with the given name or ID. Heat answers both at
// /stacks/{name_or_id} (with a redirect to /stacks/{name}/{id}), so names
// are unique per project and there is nothing ambiguous to report.
func Find(ctx context.Context, c *gophercloud.ServiceClient, nameOrID string) (*Stack, error) {
	if strings.ContainsAny(nameOrID, "/?#") || nameOrID == "" {
		return nil, &tools.NotFoundError{Kind: Kind, Name: nameOrID}
	}
	var body struct {
		Stack *Stack `json:"stack"`
	}
	_, err := c.Get(ctx, c.ServiceURL("stacks", nameOrID), &body, nil) //nolint:bodyclose // closed by gophercloud
	if err != nil {
		if gophercloud.ResponseCodeIs(err, http.StatusNotFound) {
			return nil, &tools.NotFoundError{Kind: Kind, Name: nameOrID}
		}
		return nil, fmt.Errorf("get stack %s: %w", nameOrID, Explain(err))
	}
	if body.Stack == nil {
		return nil, fmt.Errorf("get stack %s: Heat answered without a stack", nameOrID)
	}
	return body.Stack, nil
}

// URL is the canonical URL of a stack: /stacks/{name}/{id}.
func URL(c *gophercloud.ServiceClient, s *Stack, parts ...string) string {
	return c.ServiceURL(append([]string{"stacks", s.Name, s.ID}, parts...)...)
}

// heatError is the body Heat answers a refused request with.
type heatError struct {
	Error struct {
		Type    string `json:"type"`
		Message string `json:"message"`
	} `json:"error"`
}

// HeatMessage returns Heat's own sentence from an error answer ("The
// Parameter (flavor) was not provided.") and its type, or "" when err is
// not an answer from Heat.
func HeatMessage(err error) (msg, typ string) {
	var ue gophercloud.ErrUnexpectedResponseCode
	if !errors.As(err, &ue) {
		return "", ""
	}
	var he heatError
	if jsonErr := json.Unmarshal(ue.Body, &he); jsonErr != nil || he.Error.Message == "" {
		return "", ""
	}
	return strings.TrimSpace(he.Error.Message), he.Error.Type
}

// Explain turns an error answer from Heat into its own sentence, keeping
// the status code; other errors come back as they are.
func Explain(err error) error {
	msg, typ := HeatMessage(err)
	if msg == "" {
		return err
	}
	var ue gophercloud.ErrUnexpectedResponseCode
	errors.As(err, &ue)
	if typ != "" {
		return fmt.Errorf("Heat refused (%d %s): %s", ue.Actual, typ, msg) //nolint:staticcheck // Heat is a name
	}
	return fmt.Errorf("Heat refused (%d): %s", ue.Actual, msg) //nolint:staticcheck // Heat is a name
}

// NotEnabledError says the cloud's Heat has an optional feature
// (abandon, adopt) switched off.
type NotEnabledError struct {
	Feature string // "abandon", "adopt"
	Option  string // "enable_stack_abandon"
}

func (e *NotEnabledError) Error() string {
	return fmt.Sprintf("this cloud's Heat does not enable stack %s (its operator has not set %s = true in heat.conf); nothing was changed", e.Feature, e.Option)
}

// NotSupported maps Heat's "Stack Abandon is not supported." answer to
// a NotEnabledError, and returns nil for any other error.
func NotSupported(err error, feature, option string) error {
	msg, typ := HeatMessage(err)
	if typ == "NotSupported" || strings.Contains(strings.ToLower(msg), "not supported") {
		return &NotEnabledError{Feature: feature, Option: option}
	}
	return nil
}

// SortedKeys returns a map's keys in order, for stable output.
func SortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
