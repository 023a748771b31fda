package servers

// The tools that add things to a server and take them away again: a
// volume, a floating IP, a security group. Each "add" is undone by its
// "remove" and the other way round, so a plan that fails half-way can be
// rolled back step by step.

import (
	"context"
	"fmt"

	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/ports"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/network"
	portreads "github.com/kriscelmer/os-tui/tools/network/ports"
)

// attachTools returns the attach tools.
func attachTools() []tools.Tool {
	return []tools.Tool{
		addVolume(), removeVolume(),
		addFloatingIP(), removeFloatingIP(),
		addSecurityGroup(), removeSecurityGroup(),
	}
}

// attachState sums up what every attach step depends on of the server.
func attachState(s *Server) string { return "server " + s.State() }

// attachServer resolves the server of an attach step into chk: its
// target, its state and what r refuses of it. A server made by an
// earlier step is noted instead and comes back nil: the step's other
// arguments can still be checked, and the gate checks the server again
// once the reference has a value.
func attachServer(ctx context.Context, env *tools.Env, chk *tools.Check, nameOrID string, r Rule) (*Server, error) {
	if tools.IsRef(nameOrID) {
		chk.Targets = append(chk.Targets, tools.Target{Kind: Kind, ID: nameOrID})
		chk.Findings = append(chk.Findings, refNote(Kind, nameOrID))
		return nil, nil
	}
	s, err := Get(ctx, env, nameOrID)
	if err != nil {
		return nil, err
	}
	chk.Targets = append(chk.Targets, s.Target())
	chk.State = attachState(s)
	chk.Findings = append(chk.Findings, s.Refusals(r)...)
	return s, nil
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
	s, err := Get(ctx, env, id)
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
