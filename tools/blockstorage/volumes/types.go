package volumes

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/blockstorage/v3/volumetypes"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/blockstorage"
	"github.com/kriscelmer/os-tui/tools/network"
)

// VolumeType is a cinder volume type.
type VolumeType struct {
	ID          string            `json:"id"`
	Name        string            `json:"name"`
	Description string            `json:"description"`
	IsPublic    bool              `json:"is_public"`
	ExtraSpecs  map[string]string `json:"extra_specs"`
	QoSSpecsID  *string           `json:"qos_specs_id"`
}

// Types lists the volume types this user may use, by name.
func Types(ctx context.Context, env *tools.Env) ([]VolumeType, error) {
	c, err := blockstorage.Client(ctx, env)
	if err != nil {
		return nil, err
	}
	all, err := network.ListAll[VolumeType](ctx, volumetypes.List(c, volumetypes.ListOpts{}), "volume_types")
	if err != nil {
		return nil, fmt.Errorf("list volume types: %w", err)
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].Name < all[j].Name })
	return all, nil
}

// FindType finds a volume type by ID or exact name among all. A type
// that is not there is a *TypeError that lists the types there are, so
// the refusal says what would work.
func FindType(all []VolumeType, nameOrID string) (*VolumeType, error) {
	cands := make([]tools.Candidate, 0, len(all))
	for _, t := range all {
		cands = append(cands, tools.Candidate{ID: t.ID, Name: t.Name})
	}
	c, err := tools.Pick("volume type", nameOrID, cands)
	if err != nil {
		if _, missing := err.(*tools.NotFoundError); missing {
			return nil, &TypeError{Name: nameOrID, Types: all}
		}
		return nil, err
	}
	for i := range all {
		if all[i].ID == c.ID {
			return &all[i], nil
		}
	}
	return nil, &TypeError{Name: nameOrID, Types: all}
}

// TypeError is a volume type that does not exist.
type TypeError struct {
	Name  string
	Types []VolumeType
}

func (e *TypeError) Error() string {
	names := make([]string, 0, len(e.Types))
	for _, t := range e.Types {
		names = append(names, t.Name)
	}
	if len(names) == 0 {
		return fmt.Sprintf("there is no volume type %s, and this cloud offers none to this project; leave out --type", e.Name)
	}
	return fmt.Sprintf("there is no volume type %s; this cloud's types are: %s (see /volume type list)", e.Name, strings.Join(names, ", "))
}

// DefaultType returns the name of the type a volume gets when none is
// named, or "" when the cloud cannot say (an API before 3.62, or a
// policy that hides it). Per-type quotas need it.
func DefaultType(ctx context.Context, env *tools.Env) (string, error) {
	ok, _, err := blockstorage.Supports(ctx, env, blockstorage.DefaultTypeMicroversion)
	if err != nil || !ok {
		return "", err
	}
	c, err := blockstorage.ClientAt(ctx, env, blockstorage.DefaultTypeMicroversion)
	if err != nil {
		return "", err
	}
	var body struct {
		Type VolumeType `json:"volume_type"`
	}
	if _, err := c.Get(ctx, c.ServiceURL("types", "default"), &body, nil); err != nil { //nolint:bodyclose // closed by gophercloud
		if gophercloud.ResponseCodeIs(err, 403) || gophercloud.ResponseCodeIs(err, 404) {
			return "", nil
		}
		return "", fmt.Errorf("read the default volume type: %w", err)
	}
	return body.Type.Name, nil
}

// SizeRange returns the sizes a type allows, from its extra specs
// provisioning:min_vol_size and provisioning:max_vol_size (0 when not
// set, or not visible to this user: Cinder shows a type's extra specs to
// administrators only).
func (t *VolumeType) SizeRange() (lo, hi int) {
	lo, _ = strconv.Atoi(t.ExtraSpecs["provisioning:min_vol_size"])
	hi, _ = strconv.Atoi(t.ExtraSpecs["provisioning:max_vol_size"])
	return lo, hi
}

// SizeFinding is the Block for a size the type does not allow, or nil.
func (t *VolumeType) SizeFinding(size int) *tools.Finding {
	lo, hi := t.SizeRange()
	switch {
	case lo > 0 && size < lo:
		return &tools.Finding{Level: tools.Block, Text: fmt.Sprintf("volume type %s makes volumes of at least %d GiB; give --size %d or more, or another --type", t.Name, lo, lo)}
	case hi > 0 && size > hi:
		return &tools.Finding{Level: tools.Block, Text: fmt.Sprintf("volume type %s makes volumes of at most %d GiB; give --size %d or less, or another --type", t.Name, hi, hi)}
	}
	return nil
}
