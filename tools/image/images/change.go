package images

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/servers"
	"github.com/gophercloud/gophercloud/v2/openstack/image/v2/imagedata"
	"github.com/gophercloud/gophercloud/v2/openstack/image/v2/images"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/quota"
)

// changeTools are the image tools that change the cloud.
func changeTools() []tools.Tool {
	return []tools.Tool{
		tools.ChangeTool(tools.ChangeSpec[CreateArgs]{
			Name:   "image.create",
			Effect: tools.Change, Service: "image", Produces: []string{"id", "name"},
			Check: checkCreate, Preview: previewCreate, Run: runCreate, Interruptible: true,
			Undo: func(_ CreateArgs, res *tools.Result) *tools.Call {
				if res == nil || res.Outputs["id"] == "" {
					return nil
				}
				return &tools.Call{Tool: "image.delete", Args: tools.JSON(ImageArgs{Image: res.Outputs["id"]}), Why: "undo creating the image"}
			},
		}),
		tools.ChangeTool(tools.ChangeSpec[SetArgs]{
			Name:   "image.set",
			Effect: tools.Change, Service: "image", Produces: []string{"id", "name"},
			Check: checkSet, Preview: previewSet, Run: runSet,
			Undo: func(_ SetArgs, res *tools.Result) *tools.Call {
				if res == nil || res.Outputs[previousKey] == "" {
					return nil
				}
				return &tools.Call{Tool: "image.set", Args: json.RawMessage(res.Outputs[previousKey]), Why: "undo: set the image's old values back"}
			},
		}),
		statusAction{verb: "deactivate", from: "active", to: "deactivated", inverse: "reactivate"}.tool(),
		statusAction{verb: "reactivate", from: "deactivated", to: "active", inverse: "deactivate"}.tool(),
		tools.ChangeTool(tools.ChangeSpec[ImageArgs]{
			Name:   "image.delete",
			Effect: tools.Destroy, Service: "image", Produces: []string{"id"},
			Check: checkDelete, Preview: previewDelete, Run: runDelete,
		}),
	}
}

// CreateArgs are the arguments of image.create.
type CreateArgs struct {
	Name            string            `json:"name"`
	File            string            `json:"file"`
	DiskFormat      string            `json:"disk_format,omitempty"`
	ContainerFormat string            `json:"container_format,omitempty"`
	Visibility      string            `json:"visibility,omitempty"`
	MinDisk         int               `json:"min_disk,omitempty"`
	MinRAM          int               `json:"min_ram,omitempty"`
	Property        map[string]string `json:"property,omitempty"`
	Protected       bool              `json:"protected,omitempty"`
}

// SetArgs are the arguments of image.set. Pointers tell "not given" from
// a zero value (--min-disk 0, --no-protected).
type SetArgs struct {
	Image          string            `json:"image"`
	Name           *string           `json:"name,omitempty"`
	Visibility     string            `json:"visibility,omitempty"`
	MinDisk        *int              `json:"min_disk,omitempty"`
	MinRAM         *int              `json:"min_ram,omitempty"`
	Property       map[string]string `json:"property,omitempty"`
	RemoveProperty []string          `json:"remove_property,omitempty"`
	Protected      *bool             `json:"protected,omitempty"`
}

// ImageArgs are the arguments of the tools that take only an image.
type ImageArgs struct {
	Image string `json:"image"`
}

// previousKey is the output of image.set that holds the old values, as
// image.set arguments, for its undo.
const previousKey = "previous"

func imageClient(ctx context.Context, env *tools.Env) (*gophercloud.ServiceClient, error) {
	c, err := env.Clients.ServiceClient(ctx, "image")
	if err != nil {
		return nil, fmt.Errorf("image service: %w", err)
	}
	return c, nil
}

func str(raw map[string]any, key string) string {
	s, _ := raw[key].(string)
	return s
}

func num(raw map[string]any, key string) int {
	f, _ := raw[key].(float64)
	return int(f)
}

func imageTarget(raw map[string]any) tools.Target {
	return tools.Target{Kind: Kind, ID: str(raw, "id"), Name: str(raw, "name")}
}

// label names an image in findings: by name, or by ID when it has none.
func label(raw map[string]any) string {
	if n := str(raw, "name"); n != "" {
		return n
	}
	return str(raw, "id")
}

// --- image.create ---

// diskFormats maps file extensions to Glance disk formats.
var diskFormats = map[string]string{
	".qcow2": "qcow2", ".qcow": "qcow2", ".raw": "raw", ".img": "raw", ".iso": "iso",
	".vmdk": "vmdk", ".vdi": "vdi", ".vhd": "vhd", ".vhdx": "vhdx", ".ploop": "ploop",
}

// qcow2Magic starts every qcow2 file.
var qcow2Magic = []byte{'Q', 'F', 'I', 0xfb}

func expandHome(p string) (string, error) {
	if p == "~" || strings.HasPrefix(p, "~/") {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("find the home directory for %s: %w", p, err)
		}
		p = filepath.Join(home, strings.TrimPrefix(p, "~"))
	}
	return filepath.Abs(p)
}

// fileInfo checks that path is a readable regular file and returns its
// size and first bytes; problem is a sentence for a Block finding.
func fileInfo(path string) (size int64, head []byte, problem string) {
	f, err := os.Open(path)
	if err != nil {
		if os.IsNotExist(err) {
			return 0, nil, path + " does not exist"
		}
		return 0, nil, fmt.Sprintf("cannot read %s: %v", path, err)
	}
	defer func() { _ = f.Close() }() // opened for reading only
	fi, err := f.Stat()
	if err != nil {
		return 0, nil, fmt.Sprintf("cannot read %s: %v", path, err)
	}
	if !fi.Mode().IsRegular() {
		return 0, nil, path + " is not a regular file"
	}
	head = make([]byte, 4)
	n, _ := io.ReadFull(f, head)
	return fi.Size(), head[:n], ""
}

func checkCreate(ctx context.Context, env *tools.Env, args CreateArgs) (*tools.Check, error) {
	path, err := expandHome(args.File)
	if err != nil {
		return nil, err
	}
	args.File = path
	chk := &tools.Check{Targets: []tools.Target{{Kind: Kind, Name: args.Name}}}
	size, head, problem := fileInfo(path)
	if problem != "" {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block, Text: problem})
	} else {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Info, Text: fmt.Sprintf("%s is %s to upload", path, humanBytes(size))})
		if size == 0 {
			chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Warn, Text: path + " is empty; the image will have no data"})
		}
	}
	if args.DiskFormat == "" {
		if f, ok := diskFormats[strings.ToLower(filepath.Ext(path))]; ok {
			args.DiskFormat = f
		} else {
			args.DiskFormat = "raw"
			chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Warn,
				Text: fmt.Sprintf("the extension of %s says nothing of its format; assuming raw (give --disk-format otherwise)", filepath.Base(path))})
		}
	}
	if len(head) == 4 && string(head) == string(qcow2Magic) && args.DiskFormat != "qcow2" {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Warn,
			Text: fmt.Sprintf("%s is a qcow2 file but the disk format is %s; servers booted from it will not start", filepath.Base(path), args.DiskFormat)})
	}
	if args.ContainerFormat == "" {
		args.ContainerFormat = "bare"
	}
	if args.Visibility == "" {
		args.Visibility = "private"
	}
	chk.Resolved = tools.JSON(args)
	chk.State = fmt.Sprintf("file size=%d", size)

	client, err := imageClient(ctx, env)
	if err != nil {
		return nil, err
	}
	var same []string
	err = eachImage(ctx, client, images.ListOpts{Name: args.Name}, func(img image, _ map[string]any) bool {
		same = append(same, img.ID)
		return false
	})
	if err != nil {
		return nil, fmt.Errorf("look for images named %s: %w", args.Name, err)
	}
	if len(same) > 0 {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Warn,
			Text: fmt.Sprintf("%d image(s) named %s already exist (%s); names will be ambiguous, use IDs", len(same), args.Name, strings.Join(same, ", "))})
	}
	imageQuota(ctx, env, size, chk)
	return chk, nil
}

// imageQuota adds Glance's own quotas where the cloud reports them
// (unified limits, GET /v2/info/usage); a cloud without them has no line,
// and one that cannot say is left to refuse the upload itself.
func imageQuota(ctx context.Context, env *tools.Env, size int64, chk *tools.Check) {
	mib := int((size + 1<<20 - 1) >> 20)
	full := func(what string) func(u tools.QuotaUse) string {
		return func(u tools.QuotaUse) string {
			return fmt.Sprintf("the image quota is full: %d of %d %s used, this needs %d more", u.InUse, u.Limit, what, u.Delta)
		}
	}
	_ = quota.Preflight(ctx, env, chk, "",
		quota.Need{Service: "image", Resource: "image_count_total", Delta: 1, Full: full("images")},
		quota.Need{Service: "image", Resource: "image_size_total", Delta: mib, Full: full("MiB of images")})
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB (%d bytes)", float64(n)/(1<<30), n)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB (%d bytes)", float64(n)/(1<<20), n)
	}
	return fmt.Sprintf("%d bytes", n)
}

func createOpts(args CreateArgs) images.CreateOpts {
	vis := images.ImageVisibility(args.Visibility)
	opts := images.CreateOpts{
		Name: args.Name, DiskFormat: args.DiskFormat, ContainerFormat: args.ContainerFormat,
		MinDisk: args.MinDisk, MinRAM: args.MinRAM, Properties: args.Property,
	}
	if args.Visibility != "" {
		opts.Visibility = &vis
	}
	if args.Protected {
		opts.Protected = &args.Protected
	}
	return opts
}

func previewCreate(ctx context.Context, env *tools.Env, args CreateArgs, chk *tools.Check) (*tools.Preview, error) {
	client, err := imageClient(ctx, env)
	if err != nil {
		return nil, err
	}
	body, err := createOpts(args).ToImageCreateMap()
	if err != nil {
		return nil, err
	}
	size, _, _ := fileInfo(args.File)
	return &tools.Preview{
		Requests: []tools.Request{
			{Method: "POST", URL: client.ServiceURL("images"), Body: body},
			{Method: "PUT", URL: client.ServiceURL("images", "{id}", "file"), Body: fmt.Sprintf("%d bytes from %s", size, args.File)},
		},
		Creates: []string{fmt.Sprintf("image %s (%s/%s, %s, %s)", args.Name, args.DiskFormat, args.ContainerFormat, args.Visibility, humanBytes(size))},
	}, nil
}

// progressReader reports how much of an upload has been read.
type progressReader struct {
	r           io.Reader
	done, total int64
	report      tools.Progress
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	if n > 0 {
		p.done += int64(n)
		p.report.Bytes(p.done, p.total)
	}
	return n, err
}

func runCreate(ctx context.Context, env *tools.Env, args CreateArgs) (*tools.Result, error) {
	client, err := imageClient(ctx, env)
	if err != nil {
		return nil, err
	}
	path, err := expandHome(args.File)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	defer func() { _ = f.Close() }() // opened for reading only
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	cr := images.Create(ctx, client, createOpts(args))
	img, err := cr.Extract()
	if err != nil {
		return nil, fmt.Errorf("create image %s: %w", args.Name, err)
	}
	ids := tools.HeaderRequestIDs(cr.Header)
	report := env.Report()
	report.Status(fmt.Sprintf("uploading %s to image %s", filepath.Base(path), args.Name))
	report.Bytes(0, fi.Size())
	up := imagedata.Upload(ctx, client, img.ID, &progressReader{r: f, total: fi.Size(), report: report})
	ids = append(ids, tools.HeaderRequestIDs(up.Header)...)
	if up.Err != nil {
		// A queued image without data is of no use to anyone; take it
		// back rather than leave it for the person to find.
		// The upload's own context may be cancelled (Ctrl-C) or expired:
		// the clean-up gets its own, short one.
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		d := images.Delete(cctx, client, img.ID)
		cancel()
		ids = append(ids, tools.HeaderRequestIDs(d.Header)...)
		msg := "it was deleted again"
		if d.Err != nil {
			msg = fmt.Sprintf("deleting it failed too (%v); remove it with /image delete %s", d.Err, img.ID)
		}
		return &tools.Result{RequestIDs: ids}, fmt.Errorf("upload %s to image %s: %w (%s)", path, img.ID, up.Err, msg)
	}
	env.Lookups.Forget(Kind)
	env.Names.Remember(Kind, args.Name)
	return &tools.Result{
		Message:    fmt.Sprintf("image %s (%s) created; %s uploaded", args.Name, img.ID, humanBytes(fi.Size())),
		Outputs:    map[string]string{"id": img.ID, "name": args.Name},
		RequestIDs: ids,
		Await: &tools.Await{
			Kind: Kind, ID: img.ID, Name: args.Name,
			Until: []string{"active"},
			Fail:  []string{"killed", "deleted"},
			Poll:  pollImage(img.ID),
		},
	}, nil
}

func pollImage(id string) func(ctx context.Context, env *tools.Env) (string, error) {
	return func(ctx context.Context, env *tools.Env) (string, error) {
		client, err := imageClient(ctx, env)
		if err != nil {
			return "", err
		}
		img, err := images.Get(ctx, client, id).Extract()
		if err != nil {
			if gophercloud.ResponseCodeIs(err, http.StatusNotFound) {
				return "", &tools.NotFoundError{Kind: Kind, Name: id}
			}
			return "", err
		}
		return string(img.Status), nil
	}
}

// --- image.set ---

// plan works out the JSON patch that turns the image raw into what args
// ask for, the changes it makes, and the arguments that set it back.
func plan(raw map[string]any, args SetArgs) (images.UpdateOpts, []tools.FieldChange, SetArgs) {
	var ops images.UpdateOpts
	var changes []tools.FieldChange
	prev := SetArgs{Image: str(raw, "id")}
	if args.Name != nil && *args.Name != str(raw, "name") {
		old := str(raw, "name")
		ops = append(ops, images.ReplaceImageName{NewName: *args.Name})
		changes = append(changes, tools.FieldChange{Field: "name", From: old, To: *args.Name})
		prev.Name = &old
	}
	if args.Visibility != "" && args.Visibility != str(raw, "visibility") {
		ops = append(ops, images.UpdateVisibility{Visibility: images.ImageVisibility(args.Visibility)})
		changes = append(changes, tools.FieldChange{Field: "visibility", From: str(raw, "visibility"), To: args.Visibility})
		prev.Visibility = str(raw, "visibility")
	}
	if args.MinDisk != nil && *args.MinDisk != num(raw, "min_disk") {
		old := num(raw, "min_disk")
		ops = append(ops, images.ReplaceImageMinDisk{NewMinDisk: *args.MinDisk})
		changes = append(changes, tools.FieldChange{Field: "min_disk", From: old, To: *args.MinDisk})
		prev.MinDisk = &old
	}
	if args.MinRAM != nil && *args.MinRAM != num(raw, "min_ram") {
		old := num(raw, "min_ram")
		ops = append(ops, images.ReplaceImageMinRam{NewMinRam: *args.MinRAM})
		changes = append(changes, tools.FieldChange{Field: "min_ram", From: old, To: *args.MinRAM})
		prev.MinRAM = &old
	}
	if old, _ := raw["protected"].(bool); args.Protected != nil && *args.Protected != old {
		ops = append(ops, images.ReplaceImageProtected{NewProtected: *args.Protected})
		changes = append(changes, tools.FieldChange{Field: "protected", From: old, To: *args.Protected})
		prev.Protected = &old
	}
	keys := make([]string, 0, len(args.Property))
	for k := range args.Property {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := args.Property[k]
		cur, has := raw[k]
		switch {
		case has && text(cur) == v:
			continue
		case has:
			ops = append(ops, images.UpdateImageProperty{Op: images.ReplaceOp, Name: k, Value: v})
			changes = append(changes, tools.FieldChange{Field: "property " + k, From: text(cur), To: v})
			if prev.Property == nil {
				prev.Property = map[string]string{}
			}
			prev.Property[k] = text(cur)
		default:
			ops = append(ops, images.UpdateImageProperty{Op: images.AddOp, Name: k, Value: v})
			changes = append(changes, tools.FieldChange{Field: "property " + k, From: nil, To: v})
			prev.RemoveProperty = append(prev.RemoveProperty, k)
		}
	}
	for _, k := range args.RemoveProperty {
		cur, has := raw[k]
		if !has {
			continue
		}
		ops = append(ops, images.UpdateImageProperty{Op: images.RemoveOp, Name: k})
		changes = append(changes, tools.FieldChange{Field: "property " + k, From: text(cur), To: nil})
		if prev.Property == nil {
			prev.Property = map[string]string{}
		}
		prev.Property[k] = text(cur)
	}
	return ops, changes, prev
}

func checkSet(ctx context.Context, env *tools.Env, args SetArgs) (*tools.Check, error) {
	raw, err := Resolve(ctx, env, args.Image)
	if err != nil {
		return nil, err
	}
	args.Image = str(raw, "id")
	chk := &tools.Check{Targets: []tools.Target{imageTarget(raw)}, Resolved: tools.JSON(args), State: "updated_at=" + str(raw, "updated_at"), Fetched: raw}
	for k := range args.Property {
		if standardFields[k] || k == "tags" || k == "self" {
			chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block,
				Text: fmt.Sprintf("%s is a standard image field, not a property; use its own option (or none: Glance sets it)", k)})
		}
	}
	for _, k := range args.RemoveProperty {
		if _, has := raw[k]; !has {
			chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Warn, Text: fmt.Sprintf("image %s has no property %s to remove", label(raw), k)})
		}
	}
	if ops, _, _ := plan(raw, args); len(ops) == 0 {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Warn, Text: fmt.Sprintf("image %s already has these values; nothing changes", label(raw))})
	}
	return chk, nil
}

func previewSet(ctx context.Context, env *tools.Env, args SetArgs, chk *tools.Check) (*tools.Preview, error) {
	client, err := imageClient(ctx, env)
	if err != nil {
		return nil, err
	}
	// The image as the preflight read it; a dry run without one reads it.
	raw, ok := tools.FetchedAs[map[string]any](chk)
	if !ok || str(raw, "id") != args.Image {
		if raw, err = get(ctx, client, args.Image); err != nil {
			return nil, fmt.Errorf("get image %s: %w", args.Image, err)
		}
	}
	ops, changes, _ := plan(raw, args)
	body, err := ops.ToImageUpdateMap()
	if err != nil {
		return nil, err
	}
	return &tools.Preview{
		Requests: []tools.Request{{Method: "PATCH", URL: client.ServiceURL("images", args.Image), Body: body}},
		Changes:  changes,
	}, nil
}

func runSet(ctx context.Context, env *tools.Env, args SetArgs) (*tools.Result, error) {
	client, err := imageClient(ctx, env)
	if err != nil {
		return nil, err
	}
	// The image is read again right before the patch: the undo must hold
	// the values it had at this moment, not at preflight.
	raw, err := get(ctx, client, args.Image)
	if err != nil {
		return nil, fmt.Errorf("get image %s: %w", args.Image, err)
	}
	ops, changes, prev := plan(raw, args)
	if len(ops) == 0 {
		return &tools.Result{Message: fmt.Sprintf("image %s already has these values", label(raw)), Outputs: map[string]string{"id": args.Image, "name": str(raw, "name")}}, nil
	}
	r := images.Update(ctx, client, args.Image, ops)
	img, err := r.Extract()
	if err != nil {
		return nil, fmt.Errorf("update image %s: %w", label(raw), err)
	}
	env.Lookups.Forget(Kind)
	fields := make([]string, 0, len(changes))
	for _, c := range changes {
		fields = append(fields, c.Field)
	}
	return &tools.Result{
		Message:    fmt.Sprintf("image %s updated: %s", img.Name, strings.Join(fields, ", ")),
		Outputs:    map[string]string{"id": img.ID, "name": img.Name, previousKey: string(tools.JSON(prev))},
		RequestIDs: tools.HeaderRequestIDs(r.Header),
	}, nil
}

// --- image.deactivate, image.reactivate ---

type statusAction struct {
	verb, from, to, inverse string
}

func (a statusAction) tool() tools.Tool {
	return tools.ChangeTool(tools.ChangeSpec[ImageArgs]{
		Name:   "image." + a.verb,
		Effect: tools.Change, Service: "image", Produces: []string{"id"},
		Check: a.check, Preview: a.preview, Run: a.run,
		Undo: func(args ImageArgs, _ *tools.Result) *tools.Call {
			return &tools.Call{Tool: "image." + a.inverse, Args: tools.JSON(args), Why: "undo " + a.verb}
		},
	})
}

func (a statusAction) check(ctx context.Context, env *tools.Env, args ImageArgs) (*tools.Check, error) {
	raw, err := Resolve(ctx, env, args.Image)
	if err != nil {
		return nil, err
	}
	status := str(raw, "status")
	chk := &tools.Check{
		Targets:  []tools.Target{imageTarget(raw)},
		Resolved: tools.JSON(ImageArgs{Image: str(raw, "id")}),
		State:    "status=" + status,
	}
	if status != a.from {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block,
			Text: fmt.Sprintf("image %s is %s; %s needs it to be %s", label(raw), status, a.verb, a.from)})
	} else {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Info, Text: fmt.Sprintf("image %s is %s", label(raw), status)})
	}
	if a.verb == "deactivate" {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Warn,
			Text: "while deactivated, only admins can download the image or boot servers from it; running servers are not affected"})
	}
	return chk, nil
}

func (a statusAction) preview(ctx context.Context, env *tools.Env, args ImageArgs, chk *tools.Check) (*tools.Preview, error) {
	id := args.Image
	if chk != nil && len(chk.Targets) > 0 {
		id = chk.Targets[0].ID
	}
	client, err := imageClient(ctx, env)
	if err != nil {
		return nil, err
	}
	return &tools.Preview{
		Requests: []tools.Request{{Method: "POST", URL: client.ServiceURL("images", id, "actions", a.verb)}},
		Changes:  []tools.FieldChange{{Field: "status", From: a.from, To: a.to}},
	}, nil
}

func (a statusAction) run(ctx context.Context, env *tools.Env, args ImageArgs) (*tools.Result, error) {
	client, err := imageClient(ctx, env)
	if err != nil {
		return nil, err
	}
	resp, err := client.Post(ctx, client.ServiceURL("images", args.Image, "actions", a.verb), nil, nil, &gophercloud.RequestOpts{OkCodes: []int{204}}) //nolint:bodyclose // closed by gophercloud
	if err != nil {
		return nil, fmt.Errorf("%s image %s: %w", a.verb, args.Image, err)
	}
	var h http.Header
	if resp != nil {
		h = resp.Header
	}
	return &tools.Result{
		Message:    fmt.Sprintf("image %s %sd", args.Image, a.verb),
		Outputs:    map[string]string{"id": args.Image},
		RequestIDs: tools.HeaderRequestIDs(h),
	}, nil
}

// --- image.delete ---

// bootedFrom lists the servers booted from an image; nil when the cloud
// has no compute service to ask.
func bootedFrom(ctx context.Context, env *tools.Env, id string) ([]servers.Server, error) {
	caps, err := env.Clients.Capabilities(ctx)
	if err != nil || !caps.Has("compute") {
		return nil, err
	}
	c, err := env.Clients.ServiceClient(ctx, "compute")
	if err != nil {
		return nil, err
	}
	pages, err := servers.ListSimple(c, servers.ListOpts{Image: id}).AllPages(ctx)
	if err != nil {
		return nil, fmt.Errorf("list servers booted from image %s: %w", id, err)
	}
	return servers.ExtractServers(pages)
}

func checkDelete(ctx context.Context, env *tools.Env, args ImageArgs) (*tools.Check, error) {
	raw, err := Resolve(ctx, env, args.Image)
	if err != nil {
		return nil, err
	}
	id := str(raw, "id")
	chk := &tools.Check{
		Targets:  []tools.Target{imageTarget(raw)},
		Resolved: tools.JSON(ImageArgs{Image: id}),
	}
	protected, _ := raw["protected"].(bool)
	if protected {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Block,
			Text: fmt.Sprintf("image %s is protected; unprotect it first with /image set %s --no-protected", label(raw), label(raw))})
	}
	users, err := bootedFrom(ctx, env, id)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(users))
	for _, s := range users {
		names = append(names, s.Name)
	}
	sort.Strings(names)
	if len(users) > 0 {
		chk.Findings = append(chk.Findings, tools.Finding{Level: tools.Warn,
			Text: fmt.Sprintf("%d server(s) were booted from image %s: %s; they keep running, but rebuilding them will need another image", len(users), label(raw), strings.Join(names, ", "))})
	}
	chk.State = fmt.Sprintf("status=%s protected=%t servers=%d", str(raw, "status"), protected, len(users))
	return chk, nil
}

func previewDelete(ctx context.Context, env *tools.Env, args ImageArgs, chk *tools.Check) (*tools.Preview, error) {
	client, err := imageClient(ctx, env)
	if err != nil {
		return nil, err
	}
	target := tools.Target{Kind: Kind, ID: args.Image}
	if chk != nil && len(chk.Targets) > 0 {
		target = chk.Targets[0]
	}
	pv := &tools.Preview{
		Requests: []tools.Request{{Method: "DELETE", URL: client.ServiceURL("images", target.ID)}},
		Deletes:  []tools.Dependent{{Kind: Kind, ID: target.ID, Name: target.Name, Fate: "deleted with its data"}},
	}
	users, err := bootedFrom(ctx, env, target.ID)
	if err != nil {
		return nil, err
	}
	for _, s := range users {
		pv.Deletes = append(pv.Deletes, tools.Dependent{Kind: "server", ID: s.ID, Name: s.Name, Fate: "keeps running; a rebuild needs another image"})
	}
	return pv, nil
}

func runDelete(ctx context.Context, env *tools.Env, args ImageArgs) (*tools.Result, error) {
	client, err := imageClient(ctx, env)
	if err != nil {
		return nil, err
	}
	r := images.Delete(ctx, client, args.Image)
	if r.Err != nil {
		if gophercloud.ResponseCodeIs(r.Err, http.StatusNotFound) {
			return nil, &tools.NotFoundError{Kind: Kind, Name: args.Image}
		}
		return nil, fmt.Errorf("delete image %s: %w", args.Image, r.Err)
	}
	env.Lookups.Forget(Kind)
	return &tools.Result{
		Message:    fmt.Sprintf("image %s deleted", args.Image),
		Outputs:    map[string]string{"id": args.Image},
		RequestIDs: tools.HeaderRequestIDs(r.Header),
	}, nil
}
