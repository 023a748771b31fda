package servers

// The server tools that make or remake a server's body: create, resize
// (with its confirm and revert), rebuild and snapshot. Each has a
// preflight that resolves every name to one ID and stops a plan that Nova
// would refuse (a flavor too small for the image, a quota that would
// overflow, a server in the wrong state), and a dry-run built from
// gophercloud's own request builders.

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/servers"

	"github.com/kriscelmer/os-tui/tools"
)

// launchTools returns the server create, resize, rebuild and snapshot tools.
func launchTools() []tools.Tool {
	return []tools.Tool{
		createTool(),
		resizeTool(),
		resizeConfirmTool(),
		resizeRevertTool(),
		rebuildTool(),
		snapshotTool(),
	}
}

func info(format string, a ...any) tools.Finding {
	return tools.Finding{Level: tools.Info, Text: fmt.Sprintf(format, a...)}
}

func warn(format string, a ...any) tools.Finding {
	return tools.Finding{Level: tools.Warn, Text: fmt.Sprintf(format, a...)}
}

func block(format string, a ...any) tools.Finding {
	return tools.Finding{Level: tools.Block, Text: fmt.Sprintf(format, a...)}
}

// lookupFinding turns a failed name lookup into a blocking sentence. Not
// found and ambiguous names are the person's to fix, so they block the
// plan; anything else (the cloud is down, a permission is missing) is an
// error of the preflight itself.
func lookupFinding(err error) (tools.Finding, error) {
	var nf *tools.NotFoundError
	var amb *tools.AmbiguousError
	switch {
	case errors.As(err, &nf):
		return block("%s", nf.Error()), nil
	case errors.As(err, &amb):
		return block("%s", amb.Error()), nil
	}
	return tools.Finding{}, err
}

// pollServer returns the server's status, with its task state while one
// runs ("RESIZE, resize_migrating"), and with the fault's message when it
// is in ERROR ("ERROR: No valid host was found"), so the person sees why.
func pollServer(id string) func(ctx context.Context, env *tools.Env) (string, error) {
	return func(ctx context.Context, env *tools.Env) (string, error) {
		c, err := Client(ctx, env)
		if err != nil {
			return "", err
		}
		// ExtractInto of a server result decodes what is under "server".
		var s struct {
			Status    string `json:"status"`
			TaskState string `json:"OS-EXT-STS:task_state"`
			Fault     *struct {
				Message string `json:"message"`
			} `json:"fault"`
		}
		if err := servers.Get(ctx, c, id).ExtractInto(&s); err != nil {
			if gophercloud.ResponseCodeIs(err, http.StatusNotFound) {
				return "", &tools.NotFoundError{Kind: "server", Name: id}
			}
			return "", err
		}
		switch {
		case s.Status == "ERROR" && s.Fault != nil && s.Fault.Message != "":
			return "ERROR: " + s.Fault.Message, nil
		case s.Status == "ERROR" && s.TaskState != "":
			// A server rebuilt from ERROR stays ERROR until the rebuild
			// is done; that is progress, not the failure the wait ends on.
			return s.TaskState + " (from ERROR)", nil
		case s.TaskState != "":
			// Not a target status until the task is done.
			return s.Status + ", " + s.TaskState, nil
		}
		return s.Status, nil
	}
}

// runAction posts an action to a server and, once Nova has accepted it,
// returns the Result that says message and waits for the server to reach
// one of the until statuses (ERROR fails the wait). failure opens the
// error when Nova refuses ("resize server web-1").
func runAction(ctx context.Context, env *tools.Env, server string, body map[string]any, failure, message string, until ...string) (*tools.Result, error) {
	ids, err := postAction(ctx, env, server, body)
	if err != nil {
		return &tools.Result{RequestIDs: ids}, fmt.Errorf("%s: %w", failure, err)
	}
	return &tools.Result{
		Message:    message,
		Outputs:    map[string]string{"id": server},
		RequestIDs: ids,
		Await: &tools.Await{
			Kind: "server", ID: server,
			Until: until,
			Fail:  []string{"ERROR"},
			Poll:  pollServer(server),
		},
	}, nil
}

// postAction posts one server action and returns its request IDs.
func postAction(ctx context.Context, env *tools.Env, id string, body map[string]any) ([]string, error) {
	c, err := Client(ctx, env)
	if err != nil {
		return nil, err
	}
	resp, err := c.Post(ctx, c.ServiceURL("servers", id, "action"), body, nil, &gophercloud.RequestOpts{OkCodes: []int{202, 204}}) //nolint:bodyclose // closed by gophercloud
	return tools.RequestIDs(resp, err), err
}

// bodyState fingerprints what the tools that remake a server depend on:
// its state and its flavor.
func bodyState(s *Server) string {
	return s.State() + " flavor=" + s.Flavor.OriginalName
}
