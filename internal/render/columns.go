package render

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/kriscelmer/os-tui/tools"
)

// view is a List narrowed to the columns to show, with rows in output
// order. Rows are not copied: idx maps shown columns to source columns.
type view struct {
	cols []tools.Column
	idx  []int
	rows [][]any
}

func (v *view) cell(row []any, i int) any {
	j := v.idx[i]
	if j < len(row) {
		return row[j]
	}
	return nil
}

// makeView applies -c, --long and --sort to a list.
func makeView(l *tools.List, opts Options) (*view, error) {
	idx, err := pickColumns(l.Columns, opts)
	if err != nil {
		return nil, err
	}
	v := &view{idx: idx, rows: l.Rows}
	for _, j := range idx {
		v.cols = append(v.cols, l.Columns[j])
	}
	if len(opts.Sort) > 0 {
		rows, err := sortRows(l, opts.Sort)
		if err != nil {
			return nil, err
		}
		v.rows = rows
	}
	return v, nil
}

// pickColumns returns the indexes of the columns to show.
func pickColumns(cols []tools.Column, opts Options) ([]int, error) {
	if len(opts.Columns) == 0 {
		var idx []int
		for i, c := range cols {
			if !c.Long || opts.Long {
				idx = append(idx, i)
			}
		}
		return idx, nil
	}
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
	}
	var idx []int
	for _, want := range opts.Columns {
		i := findName(names, want)
		if i < 0 {
			return nil, fmt.Errorf("unknown column %q; columns are: %s", want, strings.Join(names, ", "))
		}
		// -c ID -c id would otherwise print the column twice.
		if !slices.Contains(idx, i) {
			idx = append(idx, i)
		}
	}
	return idx, nil
}

// findName matches exactly first, then case-insensitively, so a list that
// has both "name" and "Name" still lets the user pick either.
func findName(names []string, want string) int {
	if i := slices.Index(names, want); i >= 0 {
		return i
	}
	for i, n := range names {
		if strings.EqualFold(n, want) {
			return i
		}
	}
	return -1
}

type sortKey struct {
	name string
	desc bool
}

func parseSortKey(s string) (sortKey, error) {
	name, dir, hasDir := strings.Cut(s, ":")
	name = strings.TrimSpace(name)
	if name == "" {
		return sortKey{}, fmt.Errorf("invalid sort key %q: want COLUMN or COLUMN:asc|desc", s)
	}
	k := sortKey{name: name}
	if hasDir {
		switch strings.ToLower(strings.TrimSpace(dir)) {
		case "asc":
		case "desc":
			k.desc = true
		default:
			return sortKey{}, fmt.Errorf("invalid sort direction %q in %q: want asc or desc", dir, s)
		}
	}
	return k, nil
}

// sortRows returns the rows of l sorted by keys, leaving l untouched. Any
// column may be a sort key, including long columns that are not shown.
func sortRows(l *tools.List, keys []string) ([][]any, error) {
	names := make([]string, len(l.Columns))
	for i, c := range l.Columns {
		names[i] = c.Name
	}
	type resolved struct {
		col  int
		desc bool
	}
	var rk []resolved
	for _, s := range keys {
		k, err := parseSortKey(s)
		if err != nil {
			return nil, err
		}
		i := findName(names, k.name)
		if i < 0 {
			return nil, fmt.Errorf("cannot sort by unknown column %q; columns are: %s", k.name, strings.Join(names, ", "))
		}
		rk = append(rk, resolved{i, k.desc})
	}
	rows := slices.Clone(l.Rows)
	slices.SortStableFunc(rows, func(a, b []any) int {
		for _, k := range rk {
			c := compareValues(at(a, k.col), at(b, k.col))
			if k.desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return 0
	})
	return rows, nil
}

func at(row []any, i int) any {
	if i < len(row) {
		return row[i]
	}
	return nil
}

// compareValues orders numbers numerically and everything else by its
// table text, case-insensitively (the sort is stable, so rows differing
// only in case keep their order). Empty values sort first, numbers before
// text, so a column mixing both still sorts predictably.
func compareValues(a, b any) int {
	if a == nil || b == nil {
		return cmp.Compare(rankNil(a), rankNil(b))
	}
	fa, aNum := number(a)
	fb, bNum := number(b)
	switch {
	case aNum && bNum:
		return cmp.Compare(fa, fb)
	case aNum:
		return -1
	case bNum:
		return 1
	}
	return cmp.Compare(strings.ToLower(cellText(a, ", ")), strings.ToLower(cellText(b, ", ")))
}

func rankNil(v any) int {
	if v == nil {
		return 0
	}
	return 1
}

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case int:
		return float64(n), true
	case int8:
		return float64(n), true
	case int16:
		return float64(n), true
	case int32:
		return float64(n), true
	case int64:
		return float64(n), true
	case uint:
		return float64(n), true
	case uint8:
		return float64(n), true
	case uint16:
		return float64(n), true
	case uint32:
		return float64(n), true
	case uint64:
		return float64(n), true
	case float32:
		return float64(n), true
	case float64:
		return n, true
	}
	return 0, false
}

// CompareValues orders two cells as --sort does: numbers numerically,
// the rest by their text, case-insensitively, empty values first.
func CompareValues(a, b any) int { return compareValues(a, b) }
