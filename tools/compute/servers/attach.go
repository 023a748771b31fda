// Package attach holds the tools that add things to a server and take
// them away again: a volume, a floating IP, a security group. Each "add"
// is undone by its "remove" and the other way round, so a plan that fails
// half-way can be rolled back step by step.
package attach

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/ports"

	"github.com/kriscelmer/os-tui/tools"
	serverreads "github.com/kriscelmer/os-tui/tools/compute/servers"
	"github.com/kriscelmer/os-tui/tools/network"
	portreads "github.com/kriscelmer/os-tui/tools/network/ports"
)

// Tools returns the attach tools.
func Tools() []tools.Tool {
	return []tools.Tool{
		addVolume(), removeVolume(),
		addFloatingIP(), removeFloatingIP(),
		addSecurityGroup(), removeSecurityGroup(),
	}
}

// server is what the checks read of a server (at serverreads.Microversion).
type server struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Status       string `json:"status"`
	TaskState    string `json:"OS-EXT-STS:task_state"`
	Locked       bool   `json:"locked"`
	LockedReason string `json:"locked_reason"`
	Zone         string `json:"OS-EXT-AZ:availability_zone"`
	ProjectID    string `json:"tenant_id"`
}

func findServer(ctx context.Context, env *tools.Env, nameOrID string) (*server, error) {
	var s server
	if err := serverreads.Find(ctx, env, nameOrID, &s); err != nil {
		return nil, err
	}
	return &s, nil
}

func (s *server) target() tools.Target {
	return tools.Target{Kind: "server", ID: s.ID, Name: s.Name}
}

// state sums up what every attach step depends on of the server.
func (s *server) state() string {
	return fmt.Sprintf("server status=%s task=%s locked=%t", s.Status, s.TaskState, s.Locked)
}

// busy returns the findings that stop any change to the server: a task
// in flight, a lock, a status outside allowed (nil allows any).
func (s *server) busy(verb string, allowed []string) []tools.Finding {
	var out []tools.Finding
	switch {
	case s.TaskState != "":
		out = append(out, tools.Finding{Level: tools.Block,
			Text: fmt.Sprintf("server %s is %s and busy (%s); wait until the task finishes", s.Name, s.Status, s.TaskState)})
	case allowed != nil && !slices.Contains(allowed, s.Status):
		out = append(out, tools.Finding{Level: tools.Block,
			Text: fmt.Sprintf("server %s is %s; %s needs it to be %s", s.Name, s.Status, verb, strings.Join(allowed, " or "))})
	}
	if s.Locked {
		msg := fmt.Sprintf("server %s is locked", s.Name)
		if s.LockedReason != "" {
			msg += fmt.Sprintf(" (%q)", s.LockedReason)
		}
		out = append(out, tools.Finding{Level: tools.Block, Text: msg + "; unlock it first with /server unlock " + s.Name})
	}
	return out
}

// serverPorts lists the ports of a server: floating IPs and security
// groups live on them, not on the server.
func serverPorts(ctx context.Context, env *tools.Env, serverID string) ([]portreads.Port, error) {
	client, err := network.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	all, err := network.ListAll[portreads.Port](ctx, ports.List(client, ports.ListOpts{DeviceID: serverID}), "ports")
	if err != nil {
		return nil, fmt.Errorf("list the ports of server %s: %w", serverID, err)
	}
	return all, nil
}

// serverName names a server for a finding, falling back to its ID when
// it cannot be read (another project's server, say).
func serverName(ctx context.Context, env *tools.Env, id string) string {
	s, err := findServer(ctx, env, id)
	if err != nil || s.Name == "" {
		return id
	}
	return s.Name
}

// refNote is the finding for an argument that names an earlier step's
// output: it cannot be looked up before that step runs.
func refNote(kind, value string) tools.Finding {
	return tools.Finding{Level: tools.Info, Text: fmt.Sprintf("the %s is %s, made by an earlier step; it is checked when that step has run", kind, value)}
}

func computeClient(ctx context.Context, env *tools.Env) (*gophercloud.ServiceClient, error) {
	c, err := env.Clients.ServiceClient(ctx, "compute")
	if err != nil {
		return nil, fmt.Errorf("compute service: %w", err)
	}
	c.Microversion = serverreads.Microversion
	return c, nil
}
