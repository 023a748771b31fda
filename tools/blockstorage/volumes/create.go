package volumes

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/blockstorage/v3/availabilityzones"
	cindervolumes "github.com/gophercloud/gophercloud/v2/openstack/blockstorage/v3/volumes"
	"github.com/gophercloud/gophercloud/v2/openstack/image/v2/images"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/blockstorage"
)

// CreateArgs are the arguments of volume.create. At most one of Image,
// Snapshot and Source says what the volume starts from.
type CreateArgs struct {
	Name             string            `json:"name"`
	Size             int               `json:"size,omitempty"`
	Type             string            `json:"type,omitempty"`
	AvailabilityZone string            `json:"availability_zone,omitempty"`
	Image            string            `json:"image,omitempty"`
	Snapshot         string            `json:"snapshot,omitempty"`
	Source           string            `json:"source,omitempty"`
	Description      string            `json:"description,omitempty"`
	Properties       map[string]string `json:"properties,omitempty"`
}

// DeleteArgs are the arguments of volume.delete.
type DeleteArgs struct {
	Volume  string `json:"volume"`
	Cascade bool   `json:"cascade,omitempty"`
}

const gib = 1 << 30

func createTool() tools.Tool {
	return tools.ChangeTool(tools.ChangeSpec[CreateArgs]{
		Name:     "volume.create",
		Effect:   tools.Change,
		Service:  blockstorage.Service,
		Produces: []string{"id", "name"},
		Check:    checkCreate,
		Preview:  previewCreate,
		Run:      runCreate,
		Undo: func(args CreateArgs, res *tools.Result) *tools.Call {
			id := tools.CreatedID(res, args.Name)
			return &tools.Call{Tool: "volume.delete", Args: tools.JSON(DeleteArgs{Volume: id}), Why: "undo creating the volume"}
		},
	})
}

// origin is what a new volume starts from, as Check found it.
type origin struct {
	what    string // "image cirros", "" for a blank volume
	minSize int    // GiB it needs at least
	why     string // "the image's virtual size", for the size sentences
	typ     string // the volume type it brings along ("" when none)
}

// sources names the origins given, for the refusal of more than one.
func (a CreateArgs) sources() []string {
	var out []string
	if a.Image != "" {
		out = append(out, "--image "+a.Image)
	}
	if a.Snapshot != "" {
		out = append(out, "--snapshot "+a.Snapshot)
	}
	if a.Source != "" {
		out = append(out, "--source "+a.Source)
	}
	return out
}

// ceilGiB rounds a byte count up to whole GiB.
func ceilGiB(bytes float64) int {
	n := int(bytes / gib)
	if float64(n)*gib < bytes {
		n++
	}
	return n
}

// findImage finds one image by ID or exact name, through Glance
// directly: the image tools belong to another service, and a volume
// needs only the image's ID, status and sizes.
func findImage(ctx context.Context, env *tools.Env, nameOrID string) (*images.Image, error) {
	c, err := env.Clients.ServiceClient(ctx, "image")
	if err != nil {
		return nil, fmt.Errorf("image service: %w", err)
	}
	if tools.IsUUID(nameOrID) {
		img, err := images.Get(ctx, c, nameOrID).Extract()
		if err == nil {
			return img, nil
		}
		if !gophercloud.ResponseCodeIs(err, 404) {
			return nil, fmt.Errorf("find image %s: %w", nameOrID, err)
		}
	}
	pages, err := images.List(c, images.ListOpts{Name: nameOrID}).AllPages(ctx)
	if err != nil {
		return nil, fmt.Errorf("find image %s: %w", nameOrID, err)
	}
	all, err := images.ExtractImages(pages)
	if err != nil {
		return nil, fmt.Errorf("find image %s: %w", nameOrID, err)
	}
	cands := make([]tools.Candidate, 0, len(all))
	for _, img := range all {
		cands = append(cands, tools.Candidate{ID: img.ID, Name: img.Name})
	}
	pick, err := tools.Pick("image", nameOrID, cands)
	if err != nil {
		return nil, err
	}
	for i := range all {
		if all[i].ID == pick.ID {
			return &all[i], nil
		}
	}
	return nil, &tools.NotFoundError{Kind: "image", Name: nameOrID}
}

// imageOrigin checks an image a volume is made from: active, and how
// big a volume it needs (its virtual size, its size, its min_disk).
func imageOrigin(ctx context.Context, env *tools.Env, nameOrID string, chk *tools.Check, resolved *CreateArgs) (origin, error) {
	img, err := findImage(ctx, env, nameOrID)
	if err != nil {
		return origin{}, err
	}
	name := img.Name
	if name == "" {
		name = img.ID
	}
	resolved.Image = img.ID
	o := origin{what: "image " + name}
	if img.Status != images.ImageStatusActive {
		blockf(chk, "image %s is %s; only an active image can fill a volume", name, img.Status)
	}
	for _, f := range []struct {
		gib int
		why string
	}{
		{ceilGiB(float64(img.VirtualSize)), "the image's virtual size"},
		{ceilGiB(float64(img.SizeBytes)), "the image's size"},
		{img.MinDiskGigabytes, "the image's min_disk"},
	} {
		if f.gib > o.minSize {
			o.minSize, o.why = f.gib, f.why
		}
	}
	if o.minSize == 0 {
		o.minSize, o.why = 1, "the smallest volume"
	}
	return o, nil
}

func checkCreate(ctx context.Context, env *tools.Env, args CreateArgs) (*tools.Check, error) {
	chk := &tools.Check{Targets: []tools.Target{{Kind: Kind, Name: args.Name}}}
	if src := args.sources(); len(src) > 1 {
		blockf(chk, "a volume starts from one thing: give only one of --image, --snapshot and --source (got %s)", strings.Join(src, ", "))
		return chk, nil
	}
	resolved := args
	var o origin
	switch {
	case tools.IsRef(args.Image) || tools.IsRef(args.Snapshot) || tools.IsRef(args.Source):
		infof(chk, "the volume starts from %s, made by an earlier step; it is checked when that step has run", strings.Join(args.sources(), ""))
	case args.Image != "":
		var err error
		if o, err = imageOrigin(ctx, env, args.Image, chk, &resolved); err != nil {
			return nil, err
		}
	case args.Snapshot != "":
		s, err := FindSnapshot(ctx, env, args.Snapshot)
		if err != nil {
			return nil, err
		}
		resolved.Snapshot = s.ID
		o = origin{what: "snapshot " + s.Label(), minSize: s.Size, why: "the snapshot's size"}
		// Cinder gives the new volume the type of the snapshot's volume;
		// that volume may be gone, and then the type is unknown here.
		if src, err := Resolve(ctx, env, s.VolumeID); err == nil {
			o.typ = src.VolumeType
		}
		if s.Status != "available" {
			blockf(chk, "snapshot %s is %s; a volume can be made only from an available snapshot", s.Label(), s.Status)
		}
	case args.Source != "":
		v, err := Resolve(ctx, env, args.Source)
		if err != nil {
			return nil, err
		}
		resolved.Source = v.ID
		o = origin{what: "volume " + v.Label(), minSize: v.Size, why: "the source volume's size", typ: v.VolumeType}
		if v.Status != "available" && v.Status != "in-use" {
			blockf(chk, "volume %s is %s; a volume can be cloned only when it is available or in-use", v.Label(), v.Status)
		}
	}
	switch {
	case args.Size == 0 && o.minSize == 0:
		blockf(chk, "an empty volume needs a size: give --size N (in GiB)")
	case args.Size == 0:
		resolved.Size = o.minSize
		infof(chk, "the volume is %d GiB, %s; give --size for a bigger one", o.minSize, o.why)
	case args.Size < o.minSize:
		blockf(chk, "a volume from %s needs at least %d GiB (%s); give --size %d or more", o.what, o.minSize, o.why, o.minSize)
	}
	quotaType := o.typ
	if args.Type != "" {
		all, err := Types(ctx, env)
		if err != nil {
			return nil, err
		}
		t, err := FindType(all, args.Type)
		var te *TypeError
		switch {
		case errors.As(err, &te):
			blockf(chk, "%s", te.Error())
		case err != nil:
			return nil, err
		default:
			resolved.Type, quotaType = t.Name, t.Name
			if f := t.SizeFinding(resolved.Size); f != nil {
				chk.Findings = append(chk.Findings, *f)
			}
		}
	} else if quotaType == "" {
		name, err := DefaultType(ctx, env)
		if err != nil {
			return nil, err
		}
		quotaType = name
	}
	if args.AvailabilityZone != "" {
		if err := checkZone(ctx, env, args.AvailabilityZone, chk); err != nil {
			return nil, err
		}
	}
	if same, err := All(ctx, env, cindervolumes.ListOpts{Name: args.Name}); err != nil {
		return nil, err
	} else if len(same) > 0 {
		warnf(chk, "a volume named %s already exists (%s); Cinder allows it, but then the name no longer finds one volume and commands need the ID", args.Name, same[0].ID)
	}
	chk.Resolved = tools.JSON(resolved)
	chk.Fetched = &o
	if resolved.Size > 0 {
		if err := Preflight(ctx, env, chk, Need{Volumes: 1, Gigabytes: resolved.Size, Type: quotaType, PerVolume: resolved.Size}); err != nil {
			return nil, err
		}
	}
	return chk, nil
}

// checkZone blocks an availability zone the block storage service does
// not have, naming those it has.
func checkZone(ctx context.Context, env *tools.Env, zone string, chk *tools.Check) error {
	c, err := blockstorage.Client(ctx, env)
	if err != nil {
		return err
	}
	pages, err := availabilityzones.List(c).AllPages(ctx)
	if err != nil {
		return fmt.Errorf("list block storage availability zones: %w", err)
	}
	zones, err := availabilityzones.ExtractAvailabilityZones(pages)
	if err != nil {
		return fmt.Errorf("list block storage availability zones: %w", err)
	}
	var names []string
	for _, z := range zones {
		if z.ZoneName == zone {
			if !z.ZoneState.Available {
				blockf(chk, "availability zone %s is not available now; choose another or leave out --availability-zone", zone)
			}
			return nil
		}
		names = append(names, z.ZoneName)
	}
	blockf(chk, "block storage has no availability zone %s; its zones are: %s", zone, strings.Join(names, ", "))
	return nil
}

func createOpts(args CreateArgs) cindervolumes.CreateOpts {
	return cindervolumes.CreateOpts{
		Name: args.Name, Size: args.Size, VolumeType: args.Type, AvailabilityZone: args.AvailabilityZone,
		ImageID: args.Image, SnapshotID: args.Snapshot, SourceVolID: args.Source,
		Description: args.Description, Metadata: args.Properties,
	}
}

func previewCreate(ctx context.Context, env *tools.Env, args CreateArgs, chk *tools.Check) (*tools.Preview, error) {
	c, err := blockstorage.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	body, err := createOpts(args).ToVolumeCreateMap()
	if err != nil {
		return nil, err
	}
	what := fmt.Sprintf("volume %s (%d GiB", args.Name, args.Size)
	if args.Type != "" {
		what += ", type " + args.Type
	}
	what += ")"
	if o, ok := tools.FetchedAs[*origin](chk); ok && o.what != "" {
		what += " from " + o.what
	} else {
		for _, s := range []struct{ kind, id string }{{"image", args.Image}, {"snapshot", args.Snapshot}, {"volume", args.Source}} {
			if s.id != "" {
				what += fmt.Sprintf(" from %s %s", s.kind, s.id)
			}
		}
	}
	return &tools.Preview{
		Requests: []tools.Request{{Method: "POST", URL: c.ServiceURL("volumes"), Body: body}},
		Creates:  []string{what},
	}, nil
}

func runCreate(ctx context.Context, env *tools.Env, args CreateArgs) (*tools.Result, error) {
	c, err := blockstorage.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	r := cindervolumes.Create(ctx, c, createOpts(args), nil)
	v, err := r.Extract()
	if err != nil {
		return nil, fmt.Errorf("create volume %s: %w", args.Name, err)
	}
	env.Names.Remember(Kind, v.Name)
	env.Lookups.Forget(Kind)
	return &tools.Result{
		Message:    fmt.Sprintf("volume %s (%s) creating, %d GiB", v.Name, v.ID, v.Size),
		Outputs:    map[string]string{"id": v.ID, "name": v.Name},
		RequestIDs: tools.HeaderRequestIDs(r.Header),
		// A new volume is never attached: available is the one success.
		Await: awaitVolume(v.ID, v.Name, "available"),
	}, nil
}
