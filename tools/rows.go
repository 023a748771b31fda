package tools

import (
	"fmt"
	"strings"
)

// Rows reads a List by column name, so that code built on a list tool
// (the overview, the topology) depends on the columns the tool prints —
// its contract with people — and not on their order. A nil List has no
// rows and no columns.
type Rows struct {
	l   *List
	idx map[string]int
}

// RowsOf indexes l's columns by name.
func RowsOf(l *List) Rows {
	r := Rows{l: l, idx: map[string]int{}}
	if l != nil {
		for i, c := range l.Columns {
			r.idx[c.Name] = i
		}
	}
	return r
}

// Has reports whether the list has the column.
func (r Rows) Has(col string) bool { _, ok := r.idx[col]; return ok }

// Len is the number of rows.
func (r Rows) Len() int {
	if r.l == nil {
		return 0
	}
	return len(r.l.Rows)
}

// Each calls f with every row, in order.
func (r Rows) Each(f func(row []any)) {
	if r.l == nil {
		return
	}
	for _, row := range r.l.Rows {
		f(row)
	}
}

// Value is a row's value in the column, or nil without one.
func (r Rows) Value(row []any, col string) any {
	i, ok := r.idx[col]
	if !ok || i >= len(row) {
		return nil
	}
	return row[i]
}

// Str is the value as text ("" for none).
func (r Rows) Str(row []any, col string) string {
	switch v := r.Value(row, col).(type) {
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

// Int is a numeric value as an int; false when the value is not a number.
func (r Rows) Int(row []any, col string) (int, bool) {
	switch v := r.Value(row, col).(type) {
	case int:
		return v, true
	case int64:
		return int(v), true
	case float64:
		return int(v), true
	}
	return 0, false
}

// Strs is a list value as strings; a text value is split at commas and
// spaces.
func (r Rows) Strs(row []any, col string) []string {
	switch v := r.Value(row, col).(type) {
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

// Bool is a boolean value; the text "true" or "True" counts as true.
func (r Rows) Bool(row []any, col string) bool {
	switch v := r.Value(row, col).(type) {
	case bool:
		return v
	case string:
		return v == "true" || v == "True"
	}
	return false
}
