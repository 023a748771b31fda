package servers

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path"
	"strings"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/servers"
	"github.com/gophercloud/gophercloud/v2/openstack/image/v2/images"

	"github.com/kriscelmer/os-tui/tools"
)

// SnapshotArgs are the arguments of server.snapshot.
type SnapshotArgs struct {
	Server   string            `json:"server"`
	Name     string            `json:"name"`
	Metadata map[string]string `json:"metadata,omitempty"`
}

func snapshotTool() tools.Tool {
	return tools.ChangeTool(tools.ChangeSpec[SnapshotArgs]{
		Name:     "server.snapshot",
		Effect:   tools.Change,
		Service:  "compute",
		Produces: []string{"id", "name"},
		Check:    checkSnapshot,
		Preview:  previewSnapshot,
		Run:      runSnapshot,
		Undo: func(args SnapshotArgs, res *tools.Result) *tools.Call {
			if res == nil || res.Outputs["id"] == "" {
				return nil
			}
			return &tools.Call{Tool: "image.delete", Args: tools.JSON(map[string]string{"image": res.Outputs["id"]}), Why: "undo snapshot " + args.Name}
		},
	})
}

// snapshotStates are the statuses Nova takes a snapshot from.
var snapshotStates = []string{"ACTIVE", "SHUTOFF", "PAUSED", "SUSPENDED"}

func checkSnapshot(ctx context.Context, env *tools.Env, args SnapshotArgs) (*tools.Check, error) {
	s, err := Get(ctx, env, args.Server)
	if err != nil {
		return nil, err
	}
	chk := &tools.Check{
		Targets:  []tools.Target{{Kind: "server", ID: s.ID, Name: s.Name}},
		Findings: s.Allows(Rule{Verb: "snapshot", From: snapshotStates}),
		Resolved: tools.JSON(SnapshotArgs{Server: s.ID, Name: args.Name, Metadata: args.Metadata}),
		State:    bodyState(s),
	}
	if s.ImageID() == "" {
		chk.Findings = append(chk.Findings, info("server %s boots from a volume: the image records volume snapshots, which Cinder keeps", s.Name))
	}
	return chk, nil
}

func snapshotOpts(a SnapshotArgs) servers.CreateImageOpts {
	return servers.CreateImageOpts{Name: a.Name, Metadata: a.Metadata}
}

func previewSnapshot(ctx context.Context, env *tools.Env, args SnapshotArgs, chk *tools.Check) (*tools.Preview, error) {
	c, err := Client(ctx, env)
	if err != nil {
		return nil, err
	}
	body, err := snapshotOpts(args).ToServerCreateImageMap()
	if err != nil {
		return nil, err
	}
	srv := target(chk, "server", args.Server)
	return &tools.Preview{
		Requests: []tools.Request{{Method: "POST", URL: c.ServiceURL("servers", srv.ID, "action"), Body: body}},
		Creates:  []string{fmt.Sprintf("image %s (snapshot of server %s)", args.Name, srv.Name)},
	}, nil
}

func runSnapshot(ctx context.Context, env *tools.Env, args SnapshotArgs) (*tools.Result, error) {
	c, err := Client(ctx, env)
	if err != nil {
		return nil, err
	}
	body, err := snapshotOpts(args).ToServerCreateImageMap()
	if err != nil {
		return nil, err
	}
	// From microversion 2.45 the image ID is in the body; before, only
	// in the Location header. Both are read, whichever the cloud sent.
	// Before 2.45 the body is empty, so it is read here rather than
	// decoded by gophercloud (which fails on an empty body).
	resp, err := c.Post(ctx, c.ServiceURL("servers", args.Server, "action"), body, nil, &gophercloud.RequestOpts{OkCodes: []int{202}, KeepResponseBody: true}) //nolint:bodyclose // closed below on both paths
	ids := tools.RequestIDs(resp, err)
	if err != nil {
		if resp != nil && resp.Body != nil {
			_ = resp.Body.Close()
		}
		return &tools.Result{RequestIDs: ids}, fmt.Errorf("snapshot server %s: %w", args.Server, err)
	}
	id := imageIDFromBody(resp)
	if id == "" {
		id = imageIDFromLocation(resp.Header)
	}
	if id == "" {
		return &tools.Result{RequestIDs: ids}, fmt.Errorf("snapshot server %s: Nova accepted it but named no image", args.Server)
	}
	env.Lookups.Forget("image")
	return &tools.Result{
		Message:    fmt.Sprintf("image %s (%s) is being saved from server %s", args.Name, id, args.Server),
		Outputs:    map[string]string{"id": id, "name": args.Name},
		RequestIDs: ids,
		Await: &tools.Await{
			Kind: "image", ID: id, Name: args.Name,
			Until: []string{"active"},
			Fail:  []string{"killed", "deleted"},
			Poll:  pollImage(id),
		},
	}, nil
}

// imageIDFromBody reads {"image_id": ...} from a response body, if any,
// and closes it.
func imageIDFromBody(resp *http.Response) string {
	defer func() { _ = resp.Body.Close() }() // read-only body; its close cannot lose data
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	if err != nil || len(b) == 0 {
		return ""
	}
	var out struct {
		ImageID string `json:"image_id"`
	}
	if json.Unmarshal(b, &out) != nil {
		return ""
	}
	return out.ImageID
}

// imageIDFromLocation reads the image ID from the Location header Nova
// sends before microversion 2.45 (".../images/{id}").
func imageIDFromLocation(h http.Header) string {
	loc := strings.TrimSuffix(h.Get("Location"), "/")
	if loc == "" {
		return ""
	}
	return path.Base(loc)
}

// pollImage returns the image's Glance status ("queued", "saving",
// "active", ...).
func pollImage(id string) func(ctx context.Context, env *tools.Env) (string, error) {
	return func(ctx context.Context, env *tools.Env) (string, error) {
		c, err := env.Clients.ServiceClient(ctx, "image")
		if err != nil {
			return "", err
		}
		img, err := images.Get(ctx, c, id).Extract()
		if err != nil {
			if gophercloud.ResponseCodeIs(err, http.StatusNotFound) {
				return "", &tools.NotFoundError{Kind: "image", Name: id}
			}
			return "", err
		}
		return string(img.Status), nil
	}
}
