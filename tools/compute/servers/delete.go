package servers

import (
	"context"
	"fmt"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/servers"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/layer3/floatingips"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/ports"

	"github.com/kriscelmer/os-tui/tools"
)

// DeleteArgs are the arguments of server.delete.
type DeleteArgs struct {
	Server string `json:"server"`
}

// Fates of what goes with a deleted server.
const (
	fateDeleted    = "deleted"
	fateVolumeKept = "detached, kept"
	fateVolumeGone = "deleted with the server"
	fatePort       = "deleted if Nova created it, else detached"
	fateFloatingIP = "disassociated, kept"
)

// Catalog types of the services a delete's preview asks.
const (
	volumeService  = "volumev3"
	networkService = "network"
)

func deleteTool() tools.Tool {
	return tools.ChangeTool(tools.ChangeSpec[DeleteArgs]{
		Name:     "server.delete",
		Effect:   tools.Destroy,
		Service:  "compute",
		Produces: []string{"id"},
		Subject:  func(a DeleteArgs) (string, string) { return subject(a.Server) },
		Check:    deleteCheck,
		Preview:  deletePreview,
		Run:      deleteRun,
	})
}

// deleteCheck resolves the server and refuses a locked one, as Nova
// would. Nova deletes a server in any state, even mid-task.
func deleteCheck(ctx context.Context, env *tools.Env, args DeleteArgs) (*tools.Check, error) {
	s, err := Get(ctx, env, args.Server)
	if err != nil {
		return nil, err
	}
	chk := &tools.Check{
		Targets:  []tools.Target{s.Target()},
		Resolved: tools.JSON(DeleteArgs{Server: s.ID}),
		State:    fmt.Sprintf("status=%s task=%s locked=%t volumes=%d", s.Status, s.TaskState, s.Locked, len(s.Volumes)),
		Fetched:  s,
	}
	desc := s.Describe()
	if s.TaskState != "" {
		desc += fmt.Sprintf(" (%s)", s.TaskState)
	}
	chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Info, Text: desc})
	if s.Locked {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block, Text: s.LockedText()})
	}
	return chk, nil
}

// deletePreview lists what goes with the server: its volumes (kept or
// deleted, as each attachment says), its ports (Nova deletes the ones it
// created for the server and only detaches the ones it was given, and
// the API does not say which is which) and the floating IPs on them.
func deletePreview(ctx context.Context, env *tools.Env, args DeleteArgs, chk *tools.Check) (*tools.Preview, error) {
	c, err := Client(ctx, env)
	if err != nil {
		return nil, err
	}
	t := chk.Targets[0]
	pv := &tools.Preview{
		Requests: []tools.Request{{Method: "DELETE", URL: c.ServiceURL("servers", t.ID)}},
		Deletes:  []tools.Dependent{{Kind: "server", ID: t.ID, Name: t.Name, Fate: fateDeleted}},
	}
	if tools.IsRef(t.ID) {
		return pv, nil
	}
	s, ok := tools.FetchedAs[*Server](chk)
	if !ok || s.ID != t.ID {
		if s, err = Get(ctx, env, t.ID); err != nil {
			return nil, err
		}
	}
	caps, err := env.Clients.Capabilities(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the service catalog: %w", err)
	}
	for _, v := range s.Volumes {
		fate := fateVolumeKept
		if v.DeleteOnTermination {
			fate = fateVolumeGone
		}
		pv.Deletes = append(pv.Deletes, tools.Dependent{Kind: "volume", ID: v.ID, Name: volumeName(ctx, env, caps.Has(volumeService), v.ID), Fate: fate})
	}
	if !caps.Has(networkService) {
		return pv, nil
	}
	deps, err := networkDependents(ctx, env, s.ID)
	if err != nil {
		return nil, err
	}
	pv.Deletes = append(pv.Deletes, deps...)
	return pv, nil
}

// volumeName is a volume's name, or "" when the block storage API is
// missing or does not answer: a name is a nicety, not a reason to fail.
func volumeName(ctx context.Context, env *tools.Env, haveService bool, id string) string {
	if !haveService {
		return ""
	}
	c, err := env.Clients.ServiceClient(ctx, volumeService)
	if err != nil {
		return ""
	}
	var body struct {
		Volume struct {
			Name string `json:"name"`
		} `json:"volume"`
	}
	if _, err := c.Get(ctx, c.ServiceURL("volumes", id), &body, nil); err != nil { //nolint:bodyclose // closed by gophercloud
		return ""
	}
	return body.Volume.Name
}

// networkDependents lists the server's ports and the floating IPs on them.
func networkDependents(ctx context.Context, env *tools.Env, serverID string) ([]tools.Dependent, error) {
	c, err := env.Clients.ServiceClient(ctx, networkService)
	if err != nil {
		return nil, err
	}
	pages, err := ports.List(c, ports.ListOpts{DeviceID: serverID}).AllPages(ctx)
	if err != nil {
		return nil, fmt.Errorf("list the ports of server %s: %w", serverID, err)
	}
	all, err := ports.ExtractPorts(pages)
	if err != nil {
		return nil, fmt.Errorf("list the ports of server %s: %w", serverID, err)
	}
	var out, fips []tools.Dependent
	for _, p := range all {
		out = append(out, tools.Dependent{Kind: "port", ID: p.ID, Name: portLabel(p), Fate: fatePort})
		pages, err := floatingips.List(c, floatingips.ListOpts{PortID: p.ID}).AllPages(ctx)
		if err != nil {
			return nil, fmt.Errorf("list the floating IPs of port %s: %w", p.ID, err)
		}
		ips, err := floatingips.ExtractFloatingIPs(pages)
		if err != nil {
			return nil, fmt.Errorf("list the floating IPs of port %s: %w", p.ID, err)
		}
		for _, ip := range ips {
			fips = append(fips, tools.Dependent{Kind: "floating-ip", ID: ip.ID, Name: ip.FloatingIP, Fate: fateFloatingIP})
		}
	}
	return append(out, fips...), nil
}

// portLabel names a port by its name, or by its first fixed IP when it
// has none (Nova's ports usually have no name).
func portLabel(p ports.Port) string {
	if p.Name != "" {
		return p.Name
	}
	if len(p.FixedIPs) > 0 {
		return p.FixedIPs[0].IPAddress
	}
	return ""
}

func deleteRun(ctx context.Context, env *tools.Env, args DeleteArgs) (*tools.Result, error) {
	c, err := Client(ctx, env)
	if err != nil {
		return nil, err
	}
	r := servers.Delete(ctx, c, args.Server)
	if r.Err != nil {
		return nil, fmt.Errorf("delete server %s: %w", args.Server, r.Err)
	}
	return &tools.Result{
		Message:    fmt.Sprintf("server %s: delete requested", args.Server),
		Outputs:    map[string]string{"id": args.Server},
		RequestIDs: tools.HeaderRequestIDs(r.Header),
		Await: &tools.Await{
			Kind: "server",
			ID:   args.Server,
			Gone: true,
			Fail: []string{"ERROR"},
			Poll: pollGone(args.Server),
		},
	}, nil
}

// pollGone returns the status of a server being deleted ("ACTIVE,
// deleting") and a *tools.NotFoundError once it is gone.
func pollGone(id string) func(ctx context.Context, env *tools.Env) (string, error) {
	return func(ctx context.Context, env *tools.Env) (string, error) {
		c, err := Client(ctx, env)
		if err != nil {
			return "", err
		}
		s, err := servers.Get(ctx, c, id).Extract()
		if err != nil {
			if gophercloud.ResponseCodeIs(err, 404) {
				return "", &tools.NotFoundError{Kind: "server", Name: id}
			}
			return "", err
		}
		if s.Status == "DELETED" || s.Status == "SOFT_DELETED" {
			// A cloud with soft delete keeps it around for a while;
			// for the person it is gone.
			return "", &tools.NotFoundError{Kind: "server", Name: id}
		}
		if s.TaskState != "" {
			return s.Status + ", " + s.TaskState, nil
		}
		return s.Status, nil
	}
}
