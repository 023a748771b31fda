// Package volumetypes holds the volume type tools: list and show. The
// type itself and its lookup are the kernel's (tools/blockstorage),
// since creating and retyping a volume resolve types too.
package volumetypes

import (
	"context"
	"strconv"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/blockstorage"
	"github.com/kriscelmer/os-tui/tools/blockstorage/volumes"
	"github.com/kriscelmer/os-tui/tools/network"
)

// names is the completion kind of volume types.
const names = "volume.type"

// Tools returns the volume type tools.
func Tools() []tools.Tool {
	return []tools.Tool{
		tools.ReadTool("volume.type.list", blockstorage.Service, list),
		tools.ReadTool("volume.type.show", blockstorage.Service, show),
	}
}

// ListArgs are the arguments of volume.type.list (none).
type ListArgs struct{}

// ShowArgs are the arguments of volume.type.show.
type ShowArgs struct {
	Type string `json:"type"`
}

func specs(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

func list(ctx context.Context, env *tools.Env, _ ListArgs) (*tools.Result, error) {
	all, err := volumes.Types(ctx, env)
	if err != nil {
		return nil, err
	}
	def, err := volumes.DefaultType(ctx, env)
	if err != nil {
		def = ""
	}
	out := &tools.List{Columns: []tools.Column{
		{Name: "ID"}, {Name: "Name"}, {Name: "Is Public"},
		{Name: "Default", Long: true},
		{Name: "Description", Long: true},
		{Name: "Properties", Long: true},
	}}
	for _, t := range all {
		out.Rows = append(out.Rows, []any{t.ID, t.Name, t.IsPublic, def != "" && t.Name == def, t.Description, specs(t.ExtraSpecs)})
	}
	env.Names.Listed(names, true, network.Names(all, func(t volumes.VolumeType) string { return t.Name })...)
	return &tools.Result{List: out}, nil
}

func show(ctx context.Context, env *tools.Env, args ShowArgs) (*tools.Result, error) {
	all, err := volumes.Types(ctx, env)
	if err != nil {
		return nil, err
	}
	t, err := volumes.FindType(all, args.Type)
	if err != nil {
		return nil, err
	}
	env.Names.Remember(names, t.Name)
	lo, hi := t.SizeRange()
	fields := []tools.Field{
		{Name: "description", Value: t.Description},
		{Name: "id", Value: t.ID},
		{Name: "is_public", Value: t.IsPublic},
		{Name: "name", Value: t.Name},
		{Name: "properties", Value: specs(t.ExtraSpecs)},
		{Name: "qos_specs_id", Value: network.Opt(t.QoSSpecsID)},
	}
	if lo > 0 || hi > 0 {
		fields = append(fields, tools.Field{Name: "size_range_gib", Value: sizeRange(lo, hi)})
	}
	return &tools.Result{Record: &tools.Record{Fields: fields}}, nil
}

func sizeRange(lo, hi int) string {
	switch {
	case hi == 0:
		return strconv.Itoa(lo) + "-"
	case lo == 0:
		return "1-" + strconv.Itoa(hi)
	}
	return strconv.Itoa(lo) + "-" + strconv.Itoa(hi)
}
