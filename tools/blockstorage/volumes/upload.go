package volumes

import (
	"context"
	"fmt"

	cindervolumes "github.com/gophercloud/gophercloud/v2/openstack/blockstorage/v3/volumes"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/blockstorage"
	"github.com/kriscelmer/os-tui/tools/quota"
)

// UploadArgs are the arguments of volume.upload-image.
type UploadArgs struct {
	Volume          string `json:"volume"`
	ImageName       string `json:"image_name"`
	DiskFormat      string `json:"disk_format,omitempty"`
	ContainerFormat string `json:"container_format,omitempty"`
	Force           bool   `json:"force,omitempty"`
}

// imageDeleteArgs are image.delete's arguments, for the undo.
type imageDeleteArgs struct {
	Image string `json:"image"`
}

func uploadTool() tools.Tool {
	return tools.ChangeTool(tools.ChangeSpec[UploadArgs]{
		Name:     "volume.upload-image",
		Effect:   tools.Change,
		Service:  blockstorage.Service,
		Produces: []string{"id", "name", "image_id"},
		Subject:  func(a UploadArgs) (string, string) { return Kind, a.Volume },
		Check:    checkUpload,
		Preview:  previewUpload,
		Run:      runUpload,
		Undo: func(args UploadArgs, res *tools.Result) *tools.Call {
			img := args.ImageName
			if res != nil && res.Outputs["image_id"] != "" {
				img = res.Outputs["image_id"]
			}
			return &tools.Call{Tool: "image.delete", Args: tools.JSON(imageDeleteArgs{Image: img}), Why: "undo uploading the volume: delete the image"}
		},
	})
}

func checkUpload(ctx context.Context, env *tools.Env, args UploadArgs) (*tools.Check, error) {
	v, err := Resolve(ctx, env, args.Volume)
	if err != nil {
		return nil, err
	}
	resolved := args
	resolved.Volume = v.ID
	if resolved.DiskFormat == "" {
		resolved.DiskFormat = "raw"
	}
	if resolved.ContainerFormat == "" {
		resolved.ContainerFormat = "bare"
	}
	chk := &tools.Check{Targets: []tools.Target{v.Target(), {Kind: "image", Name: args.ImageName}}, State: v.State(), Fetched: v, Resolved: tools.JSON(resolved)}
	switch {
	case v.Status == "in-use" && !args.Force:
		blockf(chk, "volume %s is in use, attached to %s; an image of a disk in use may be inconsistent: detach it first, or give --force to upload it anyway (the cloud may refuse that)", v.Label(), v.AttachedTo(ctx, env))
	case v.Status == "in-use":
		warnf(chk, "volume %s is attached to %s; the image is what the disk holds mid-use, which may be inconsistent", v.Label(), v.AttachedTo(ctx, env))
	default:
		chk.Findings = append(chk.Findings, v.Allows(ctx, env, Rule{Verb: "uploaded to an image", From: []string{"available"}}))
	}
	infof(chk, "Cinder writes all %d GiB of the volume into image %s as %s; the volume stays uploading until it is done", v.Size, args.ImageName, resolved.DiskFormat)
	// Glance's own quota on image count, where the cloud has one; it is a
	// nicety here (Cinder makes the image), so an unreadable one is noted.
	if err := quota.Preflight(ctx, env, chk, "", quota.Need{Service: "image", Resource: "image_count_total", Delta: 1}); err != nil {
		infof(chk, "image quota not checked: %v", err)
	}
	return chk, nil
}

func uploadOpts(args UploadArgs) cindervolumes.UploadImageOpts {
	return cindervolumes.UploadImageOpts{ImageName: args.ImageName, DiskFormat: args.DiskFormat, ContainerFormat: args.ContainerFormat, Force: args.Force}
}

func previewUpload(ctx context.Context, env *tools.Env, args UploadArgs, chk *tools.Check) (*tools.Preview, error) {
	c, err := blockstorage.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	body, err := uploadOpts(args).ToVolumeUploadImageMap()
	if err != nil {
		return nil, err
	}
	return &tools.Preview{
		Requests: []tools.Request{{Method: "POST", URL: c.ServiceURL("volumes", args.Volume, "action"), Body: body}},
		Creates:  []string{fmt.Sprintf("image %s (%s/%s) from volume %s", args.ImageName, args.DiskFormat, args.ContainerFormat, args.Volume)},
	}, nil
}

func runUpload(ctx context.Context, env *tools.Env, args UploadArgs) (*tools.Result, error) {
	v, err := Resolve(ctx, env, args.Volume)
	if err != nil {
		return nil, err
	}
	c, err := blockstorage.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	r := cindervolumes.UploadImage(ctx, c, v.ID, uploadOpts(args))
	img, err := r.Extract()
	if err != nil {
		return nil, fmt.Errorf("upload volume %s to image %s: %w", v.Label(), args.ImageName, err)
	}
	env.Names.Remember("image", args.ImageName)
	env.Lookups.Forget("image")
	return &tools.Result{
		Message:    fmt.Sprintf("volume %s uploading to image %s (%s)", v.Label(), args.ImageName, img.ImageID),
		Outputs:    map[string]string{"id": v.ID, "name": v.Name, "image_id": img.ImageID},
		RequestIDs: tools.HeaderRequestIDs(r.Header),
		// The volume is "uploading" until Cinder has written the image;
		// then it is as it was.
		Await: awaitVolume(v.ID, v.Name, v.Status),
	}, nil
}
