package servers

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/instanceactions"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/servers"

	"github.com/kriscelmer/os-tui/tools"
)

func consoleLog(ctx context.Context, env *tools.Env, args ConsoleLogArgs) (*tools.Result, error) {
	c, err := Client(ctx, env)
	if err != nil {
		return nil, err
	}
	raw, err := find(ctx, c, args.Server)
	if err != nil {
		return nil, err
	}
	id, _ := raw["id"].(string)
	out, err := servers.ShowConsoleOutput(ctx, c, id, servers.ShowConsoleOutputOpts{Length: args.Lines}).Extract()
	if err != nil {
		return nil, fmt.Errorf("console log of server %s: %w", args.Server, err)
	}
	// openstack ends the log with a newline so the prompt starts on its own line.
	if out != "" && out[len(out)-1] != '\n' {
		out += "\n"
	}
	return &tools.Result{Text: out}, nil
}

// serverID returns the ID of a server for the event tools. Like
// openstack, it accepts the UUID of a server that no longer exists:
// Nova keeps the actions of deleted servers.
func serverID(ctx context.Context, c *gophercloud.ServiceClient, nameOrID string) (string, error) {
	if tools.IsUUID(nameOrID) {
		// An ID is used as it is, with no GET first: the actions call
		// answers 404 for an unknown one, and the overview reads the
		// actions of many servers at once.
		return nameOrID, nil
	}
	raw, err := find(ctx, c, nameOrID)
	if err != nil {
		var nf *tools.NotFoundError
		if errors.As(err, &nf) && tools.IsUUID(nameOrID) {
			return nameOrID, nil
		}
		return "", err
	}
	id, _ := raw["id"].(string)
	return id, nil
}

// action is one instance action as Nova sends it. Times stay strings so
// they print exactly as openstack prints them.
type action struct {
	RequestID    string  `json:"request_id"`
	InstanceUUID string  `json:"instance_uuid"`
	Action       string  `json:"action"`
	StartTime    string  `json:"start_time"`
	Message      *string `json:"message"`
	ProjectID    string  `json:"project_id"`
	UserID       string  `json:"user_id"`
}

func events(ctx context.Context, env *tools.Env, args EventsArgs) (*tools.Result, error) {
	c, err := Client(ctx, env)
	if err != nil {
		return nil, err
	}
	id, err := serverID(ctx, c, args.Server)
	if err != nil {
		return nil, err
	}
	pages, err := instanceactions.List(c, id, nil).AllPages(ctx)
	if err != nil {
		return nil, fmt.Errorf("list events of server %s: %w", args.Server, err)
	}
	var acts []action
	if err := instanceactions.ExtractInstanceActionsInto(pages, &acts); err != nil {
		return nil, fmt.Errorf("list events of server %s: %w", args.Server, err)
	}
	out := &tools.List{Columns: []tools.Column{
		{Name: "Request ID"}, {Name: "Server ID"}, {Name: "Action"}, {Name: "Start Time"},
		{Name: "Message", Long: true}, {Name: "Project ID", Long: true}, {Name: "User ID", Long: true},
	}}
	for _, a := range acts {
		var msg any
		if a.Message != nil {
			msg = *a.Message
		}
		out.Rows = append(out.Rows, []any{a.RequestID, a.InstanceUUID, a.Action, a.StartTime, msg, a.ProjectID, a.UserID})
	}
	return &tools.Result{List: out}, nil
}

func eventShow(ctx context.Context, env *tools.Env, args EventShowArgs) (*tools.Result, error) {
	c, err := Client(ctx, env)
	if err != nil {
		return nil, err
	}
	id, err := serverID(ctx, c, args.Server)
	if err != nil {
		return nil, err
	}
	var body struct {
		Action map[string]any `json:"instanceAction"`
	}
	if err := instanceactions.Get(ctx, c, id, args.RequestID).Result.ExtractInto(&body); err != nil {
		if gophercloud.ResponseCodeIs(err, 404) {
			return nil, fmt.Errorf("server %s has no event with request ID %q", args.Server, args.RequestID)
		}
		return nil, fmt.Errorf("show event %s of server %s: %w", args.RequestID, args.Server, err)
	}
	var fields []tools.Field
	for k, v := range body.Action {
		// Nova's action times carry no zone, so they are not marked as
		// tools.Time (RFC 3339); they print exactly as Nova sends them.
		fields = append(fields, tools.Field{Name: k, Value: plain(v)})
	}
	sort.Slice(fields, func(i, j int) bool { return fields[i].Name < fields[j].Name })
	return &tools.Result{Record: &tools.Record{Fields: fields}}, nil
}
