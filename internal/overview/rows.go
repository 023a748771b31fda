package overview

import (
	"fmt"
	"strings"

	"github.com/kriscelmer/os-tui/tools"
)

// rows reads a list by column name, so the overview depends on the
// columns a list tool prints (its contract with people), not on its
// position order.
type rows struct {
	l   *tools.List
	idx map[string]int
}

func newRows(l *tools.List) rows {
	r := rows{l: l, idx: map[string]int{}}
	if l != nil {
		for i, c := range l.Columns {
			r.idx[c.Name] = i
		}
	}
	return r
}

func (r rows) has(col string) bool { _, ok := r.idx[col]; return ok }

func (r rows) len() int {
	if r.l == nil {
		return 0
	}
	return len(r.l.Rows)
}

func (r rows) each(f func(row []any)) {
	if r.l == nil {
		return
	}
	for _, row := range r.l.Rows {
		f(row)
	}
}

func (r rows) value(row []any, col string) any {
	i, ok := r.idx[col]
	if !ok || i >= len(row) {
		return nil
	}
	return row[i]
}

func (r rows) str(row []any, col string) string {
	switch v := r.value(row, col).(type) {
	case nil:
		return ""
	case string:
		return v
	case fmt.Stringer:
		return v.String()
	default:
		return fmt.Sprint(v)
	}
}

func (r rows) int(row []any, col string) (int, bool) {
	switch v := r.value(row, col).(type) {
	case int:
		return v, true
	case int64:
		return int(v), true
	case float64:
		return int(v), true
	}
	return 0, false
}

func (r rows) strs(row []any, col string) []string {
	switch v := r.value(row, col).(type) {
	case []string:
		return v
	case []any:
		out := make([]string, 0, len(v))
		for _, x := range v {
			if x != nil {
				out = append(out, fmt.Sprint(x))
			}
		}
		return out
	case string:
		if strings.TrimSpace(v) == "" {
			return nil
		}
		return strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' })
	}
	return nil
}
