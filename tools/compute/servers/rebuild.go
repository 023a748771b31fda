package servers

import (
	"context"
	"fmt"

	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/servers"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/image/images"
)

// RebuildArgs are the arguments of server.rebuild.
type RebuildArgs struct {
	Server string `json:"server"`
	// Image defaults to the image the server was booted from.
	Image string `json:"image,omitempty"`
	// Name renames the server; empty keeps its name.
	Name string `json:"name,omitempty"`
}

func rebuildTool() tools.Tool {
	return tools.ChangeTool(tools.ChangeSpec[RebuildArgs]{
		Name:     "server.rebuild",
		Effect:   tools.Destroy,
		Service:  "compute",
		Produces: []string{"id"},
		Check:    checkRebuild,
		Preview:  previewRebuild,
		Run:      runRebuild,
	})
}

func checkRebuild(ctx context.Context, env *tools.Env, args RebuildArgs) (*tools.Check, error) {
	s, err := Get(ctx, env, args.Server)
	if err != nil {
		return nil, err
	}
	chk := &tools.Check{
		Targets:  []tools.Target{{Kind: "server", ID: s.ID, Name: s.Name}},
		Findings: s.Allows(Rule{Verb: "rebuild", From: []string{"ACTIVE", "SHUTOFF", "ERROR"}}),
		State:    bodyState(s),
	}
	resolved := RebuildArgs{Server: s.ID, Image: args.Image, Name: args.Name}
	defer func() { chk.Resolved = tools.JSON(resolved) }()
	imageRef := args.Image
	if imageRef == "" {
		imageRef = s.ImageID()
		if imageRef == "" {
			chk.Findings = append(chk.Findings, block("server %s was booted from a volume and has no image to rebuild from; name one with --image", s.Name))
			return chk, nil
		}
	}
	if tools.IsRef(imageRef) {
		resolved.Image = imageRef
		return chk, nil
	}
	img, err := images.Resolve(ctx, env, imageRef)
	if err != nil {
		f, err := lookupFinding(err)
		if err != nil {
			return nil, err
		}
		chk.Findings = append(chk.Findings, f)
		return chk, nil
	}
	id, _ := img["id"].(string)
	name, _ := img["name"].(string)
	status, _ := img["status"].(string)
	resolved.Image = id
	chk.Targets = append(chk.Targets, tools.Target{Kind: "image", ID: id, Name: name})
	chk.State += " image=" + id + "(" + status + ")"
	if status != "active" {
		chk.Findings = append(chk.Findings, block("image %s is %s; a server can be rebuilt only from an active image", name, status))
	}
	if s.ImageID() == "" && args.Image != "" {
		chk.Findings = append(chk.Findings, warn("server %s boots from a volume; Nova rebuilds such a server only from microversion 2.93 and may refuse", s.Name))
	}
	// The server keeps its flavor: the new image must fit it.
	fl := s.Flavor
	if minRAM := num(img["min_ram"]); minRAM > fl.RAM {
		chk.Findings = append(chk.Findings, block("image %s needs at least %d MB of RAM; the server's flavor %s has %d MB", name, minRAM, fl.OriginalName, fl.RAM))
	}
	if minDisk := num(img["min_disk"]); s.ImageID() != "" && fl.Disk > 0 && minDisk > fl.Disk {
		chk.Findings = append(chk.Findings, block("image %s needs a disk of at least %d GB; the server's flavor %s has %d GB", name, minDisk, fl.OriginalName, fl.Disk))
	}
	chk.Findings = append(chk.Findings, warn("rebuilding wipes the root disk of server %s: everything on it is lost", s.Name))
	return chk, nil
}

func rebuildOpts(a RebuildArgs) servers.RebuildOpts {
	return servers.RebuildOpts{ImageRef: a.Image, Name: a.Name}
}

func previewRebuild(ctx context.Context, env *tools.Env, args RebuildArgs, chk *tools.Check) (*tools.Preview, error) {
	c, err := Client(ctx, env)
	if err != nil {
		return nil, err
	}
	body, err := rebuildOpts(args).ToServerRebuildMap()
	if err != nil {
		return nil, err
	}
	srv, img := target(chk, "server", args.Server), target(chk, "image", args.Image)
	changes := []tools.FieldChange{{Field: "root disk", From: "current contents", To: "fresh copy of image " + img.Name}}
	if args.Name != "" && args.Name != srv.Name {
		changes = append(changes, tools.FieldChange{Field: "name", From: srv.Name, To: args.Name})
	}
	return &tools.Preview{
		Requests: []tools.Request{{Method: "POST", URL: c.ServiceURL("servers", srv.ID, "action"), Body: body}},
		Changes:  changes,
	}, nil
}

func runRebuild(ctx context.Context, env *tools.Env, args RebuildArgs) (*tools.Result, error) {
	body, err := rebuildOpts(args).ToServerRebuildMap()
	if err != nil {
		return nil, err
	}
	// The response holds the new admin password; it is not read. A
	// server rebuilt while SHUTOFF stays SHUTOFF; the poll reports the
	// task state until the rebuild is over, so neither status ends the
	// wait early.
	return runAction(ctx, env, args.Server, body, "rebuild server "+args.Server,
		fmt.Sprintf("server %s: rebuild from image %s requested", args.Server, args.Image), "ACTIVE", "SHUTOFF")
}
