// Package images holds the image tools (list, show, create, set,
// deactivate, reactivate, delete) and the image lookups other tools need: Resolve for a name or ID, Name for showing an
// image's name beside its ID.
package images

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/image/v2/images"
	"github.com/gophercloud/gophercloud/v2/pagination"

	"github.com/kriscelmer/os-tui/tools"
)

// Kind is the resource kind of images in Names, Lookups and errors.
const Kind = "image"

// Tools returns the image tools.
func Tools() []tools.Tool {
	return append([]tools.Tool{
		tools.ReadTool("image.list", "image", list),
		tools.ReadTool("image.show", "image", show),
	}, changeTools()...)
}

// ListArgs are the arguments of image.list.
type ListArgs struct {
	Name       string `json:"name,omitempty"`
	Status     string `json:"status,omitempty"`
	Visibility string `json:"visibility,omitempty"`
	Tag        string `json:"tag,omitempty"`
	Limit      int    `json:"limit,omitempty"`
}

// ShowArgs are the arguments of image.show.
type ShowArgs struct {
	Image string `json:"image,omitempty"`
}

// image is one image as Glance returns it. Pointers keep a JSON null
// apart from an empty value: openstack prints None for a queued image's
// size and checksum, not 0 or "".
type image struct {
	ID              string   `json:"id"`
	Name            *string  `json:"name"`
	Status          string   `json:"status"`
	DiskFormat      *string  `json:"disk_format"`
	ContainerFormat *string  `json:"container_format"`
	Size            *int64   `json:"size"`
	Checksum        *string  `json:"checksum"`
	Visibility      string   `json:"visibility"`
	Protected       bool     `json:"protected"`
	Owner           string   `json:"owner"`
	Tags            []string `json:"tags"`
}

func (i image) name() string {
	if i.Name == nil {
		return ""
	}
	return *i.Name
}

// eachImage pages through every image matching opts, handing each to fn
// both decoded and as Glance's full map, stopping early once fn reports
// true.
func eachImage(ctx context.Context, client *gophercloud.ServiceClient, opts images.ListOpts, fn func(img image, raw map[string]any) (stop bool)) error {
	return images.List(client, opts).EachPage(ctx, func(_ context.Context, page pagination.Page) (bool, error) {
		var body struct {
			Images []json.RawMessage `json:"images"`
		}
		if err := page.(images.ImagePage).ExtractInto(&body); err != nil {
			return false, err
		}
		for _, b := range body.Images {
			var img image
			var raw map[string]any
			if err := json.Unmarshal(b, &img); err != nil {
				return false, err
			}
			if err := json.Unmarshal(b, &raw); err != nil {
				return false, err
			}
			if fn(img, raw) {
				return false, nil
			}
		}
		return true, nil
	})
}

// eachImagePage pages through every image matching opts, handing fn one
// whole Glance page at a time (the export's streamed image.list); it
// stops at the first error.
func eachImagePage(ctx context.Context, client *gophercloud.ServiceClient, opts images.ListOpts, fn func(imgs []image) error) error {
	return images.List(client, opts).EachPage(ctx, func(_ context.Context, page pagination.Page) (bool, error) {
		var body struct {
			Images []image `json:"images"`
		}
		if err := page.(images.ImagePage).ExtractInto(&body); err != nil {
			return false, err
		}
		return true, fn(body.Images)
	})
}

func list(ctx context.Context, env *tools.Env, args ListArgs) (*tools.Result, error) {
	client, err := env.Clients.ServiceClient(ctx, "image")
	if err != nil {
		return nil, err
	}
	// openstack image list sorts by name (its --sort default); asking
	// Glance for that order keeps paging and --limit consistent with it.
	opts := images.ListOpts{
		Name:       args.Name,
		Status:     images.ImageStatus(args.Status),
		Visibility: images.ImageVisibility(args.Visibility),
		Sort:       "name:asc",
	}
	if args.Tag != "" {
		opts.Tags = []string{args.Tag}
	}
	if args.Limit > 0 {
		opts.Limit = args.Limit
	}
	out := &tools.List{Columns: []tools.Column{
		{Name: "ID"}, {Name: "Name"},
		{Name: "Disk Format", Long: true}, {Name: "Container Format", Long: true},
		{Name: "Size", Long: true}, {Name: "Checksum", Long: true},
		{Name: "Status", Kind: tools.Status},
		{Name: "Visibility", Long: true}, {Name: "Protected", Long: true},
		{Name: "Project", Long: true}, {Name: "Tags", Long: true},
	}}
	row := func(img image) []any {
		tags := img.Tags
		if tags == nil {
			tags = []string{}
		}
		return []any{
			img.ID, strOrNil(img.Name), strOrNil(img.DiskFormat), strOrNil(img.ContainerFormat),
			intOrNil(img.Size), strOrNil(img.Checksum), img.Status,
			img.Visibility, img.Protected, img.Owner, tags,
		}
	}
	// A caller reading every image without keeping them (the export)
	// gets each of Glance's pages as it arrives, already in name order
	// (Glance sorts), and nothing is gathered. A limit stops inside a
	// page, so it is kept by gathering, as before; the names are not
	// remembered either, as that would gather them.
	if sink := tools.PageSinkOf(ctx); sink != nil && args.Limit == 0 {
		err = eachImagePage(ctx, client, opts, func(imgs []image) error {
			rows := make([][]any, len(imgs))
			for i := range imgs {
				rows[i] = row(imgs[i])
			}
			return sink(out.Columns, rows)
		})
		if err != nil {
			return nil, fmt.Errorf("list images: %w", err)
		}
		return &tools.Result{List: out}, nil
	}
	var names []string
	err = eachImage(ctx, client, opts, func(img image, _ map[string]any) bool {
		out.Rows = append(out.Rows, row(img))
		names = append(names, img.name())
		return args.Limit > 0 && len(out.Rows) >= args.Limit
	})
	if err != nil {
		return nil, fmt.Errorf("list images: %w", err)
	}
	unfiltered := args.Name == "" && args.Status == "" && args.Visibility == "" && args.Tag == "" && args.Limit == 0
	env.Names.Listed(Kind, unfiltered, names...)
	return &tools.Result{List: out}, nil
}

func strOrNil(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}

func intOrNil(n *int64) any {
	if n == nil {
		return nil
	}
	return int(*n)
}

// Resolve finds one image by ID or exact name and returns its full Glance
// representation (every field, including custom properties).
func Resolve(ctx context.Context, env *tools.Env, nameOrID string) (map[string]any, error) {
	client, err := env.Clients.ServiceClient(ctx, "image")
	if err != nil {
		return nil, err
	}
	if tools.IsUUID(nameOrID) {
		raw, err := get(ctx, client, nameOrID)
		if err == nil {
			return raw, nil
		}
		if !gophercloud.ResponseCodeIs(err, 404) {
			return nil, fmt.Errorf("find image %s: %w", nameOrID, err)
		}
	}
	// Glance's name filter is an exact match, so every result is a
	// candidate, and a list entry holds every field a GET would.
	var cands []tools.Candidate
	found := map[string]map[string]any{}
	err = eachImage(ctx, client, images.ListOpts{Name: nameOrID}, func(img image, raw map[string]any) bool {
		cands = append(cands, tools.Candidate{ID: img.ID, Name: img.name()})
		found[img.ID] = raw
		return false
	})
	if err != nil {
		return nil, fmt.Errorf("find image %s: %w", nameOrID, err)
	}
	c, err := tools.Pick(Kind, nameOrID, cands)
	if err != nil {
		return nil, err
	}
	return found[c.ID], nil
}

// get returns one image as a generic map: Glance puts custom properties
// beside the standard fields, and openstack shows them all.
func get(ctx context.Context, client *gophercloud.ServiceClient, id string) (map[string]any, error) {
	var raw map[string]any
	if err := images.Get(ctx, client, id).ExtractInto(&raw); err != nil {
		return nil, err
	}
	if raw == nil {
		return nil, errors.New("empty response")
	}
	return raw, nil
}

// Name returns the name of the image with the given ID, from one image
// list per session (env.Lookups) rather than one GET per caller. An image
// that does not exist (deleted, or not visible) has the name "".
func Name(ctx context.Context, env *tools.Env, id string) (string, error) {
	return env.Lookups.Name(ctx, Kind, id, names(env))
}

// Prefetch starts loading image names in the background, so a caller that
// will need them (server list) does not wait for Glance after Nova.
func Prefetch(ctx context.Context, env *tools.Env) {
	env.Lookups.Prefetch(ctx, Kind, names(env))
}

func names(env *tools.Env) tools.FetchFunc {
	return func(ctx context.Context) (map[string]string, error) {
		client, err := env.Clients.ServiceClient(ctx, "image")
		if err != nil {
			return nil, err
		}
		m := map[string]string{}
		err = eachImage(ctx, client, images.ListOpts{}, func(img image, _ map[string]any) bool {
			m[img.ID] = img.name()
			return false
		})
		if err != nil {
			return nil, fmt.Errorf("list images: %w", err)
		}
		return m, nil
	}
}

// standardFields are the image fields openstack image show prints on
// their own; every other field is folded into "properties".
var standardFields = map[string]bool{
	"status": true, "name": true, "container_format": true, "created_at": true,
	"size": true, "disk_format": true, "updated_at": true, "visibility": true,
	"min_disk": true, "protected": true, "id": true, "file": true,
	"checksum": true, "owner": true, "virtual_size": true, "min_ram": true,
	"schema": true,
}

func show(ctx context.Context, env *tools.Env, args ShowArgs) (*tools.Result, error) {
	raw, err := Resolve(ctx, env, args.Image)
	if err != nil {
		return nil, err
	}
	return &tools.Result{Record: Record(raw)}, nil
}

// Record lays out an image the way openstack image show does: standard
// fields by name, tags as a list, everything else under properties.
// Fields that are null are left out, as openstack leaves them out.
func Record(raw map[string]any) *tools.Record {
	props := map[string]any{}
	tags := []string{}
	var fields []tools.Field
	for k, v := range raw {
		switch {
		case k == "self":
			// A link to the image itself; openstack drops it too.
		case k == "tags":
			if list, ok := v.([]any); ok {
				for _, t := range list {
					tags = append(tags, fmt.Sprint(t))
				}
			}
		case standardFields[k]:
			if v != nil {
				fields = append(fields, tools.Field{Name: k, Value: scalar(v), Kind: kindOf(k)})
			}
		default:
			if v != nil {
				props[k] = scalar(v)
			}
		}
	}
	fields = append(fields, tools.Field{Name: "tags", Value: tags})
	if len(props) > 0 {
		fields = append(fields, tools.Field{Name: "properties", Value: props})
	}
	sort.Slice(fields, func(i, j int) bool { return fields[i].Name < fields[j].Name })
	return &tools.Record{Fields: fields}
}

func kindOf(field string) tools.Kind {
	switch field {
	case "status":
		return tools.Status
	case "created_at", "updated_at":
		return tools.Time
	}
	return tools.Plain
}

// scalar turns a decoded JSON value into one a renderer takes: whole
// numbers become int (sizes are bytes, never fractions).
func scalar(v any) any {
	switch x := v.(type) {
	case float64:
		if x == float64(int(x)) {
			return int(x)
		}
		return x
	case string, bool:
		return x
	}
	return text(v)
}

// text renders a property value as one string: strings as they are,
// anything else as compact JSON.
func text(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
