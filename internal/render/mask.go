package render

import (
	"fmt"
	"reflect"

	"github.com/kriscelmer/os-tui/tools"
)

// Mask hides values on screen (privacy mode, internal/privacy): it gets a
// column's (or field's) name and the text of one value and returns what
// to show. "" names text that belongs to no column (a message, a text
// result).
type Mask func(column, text string) string

// masked returns a copy of res with every value passed through mask
// before anything is measured or sorted, so a table's widths fit what is
// shown. Numbers and booleans are left alone (no quota count is a
// secret); lists and maps keep their shape, other values become their
// text.
func masked(res *tools.Result, mask Mask) *tools.Result {
	out := *res
	out.Text = mask("", res.Text)
	out.Message = mask("", res.Message)
	if l := res.List; l != nil {
		ml := *l
		ml.Rows = make([][]any, len(l.Rows))
		for r, row := range l.Rows {
			mr := make([]any, len(row))
			for i, v := range row {
				col := ""
				if i < len(l.Columns) {
					col = l.Columns[i].Name
				}
				mr[i] = maskValue(mask, col, v)
			}
			ml.Rows[r] = mr
		}
		out.List = &ml
	}
	if rec := res.Record; rec != nil {
		mrec := *rec
		mrec.Fields = make([]tools.Field, len(rec.Fields))
		for i, f := range rec.Fields {
			f.Value = maskValue(mask, f.Name, f.Value)
			mrec.Fields[i] = f
		}
		out.Record = &mrec
	}
	return &out
}

func maskValue(mask Mask, col string, v any) any {
	switch x := v.(type) {
	case nil, bool, int, int64, int32, float64, float32, uint, uint64:
		return v
	case string:
		return mask(col, x)
	case []string:
		out := make([]string, len(x))
		for i, s := range x {
			out[i] = mask(col, s)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = maskValue(mask, col, e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[mask(col, k)] = maskValue(mask, col, e)
		}
		return out
	case map[string]string:
		out := make(map[string]string, len(x))
		for k, e := range x {
			out[mask(col, k)] = mask(col, e)
		}
		return out
	case fmt.Stringer:
		return mask(col, x.String())
	}
	if rv := reflect.ValueOf(v); rv.Kind() >= reflect.Int && rv.Kind() <= reflect.Float64 {
		return v
	}
	return mask(col, cellText(v, ", "))
}
