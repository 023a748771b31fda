package tools

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRows(t *testing.T) {
	l := &List{Columns: []Column{{Name: "ID"}, {Name: "Size"}, {Name: "Tags"}, {Name: "External"}}, Rows: [][]any{
		{"a", 3, []string{"x", "y"}, true},
		{"b", float64(4), "x, y", "True"},
		{"c", nil, []any{"x", nil, 2}, "no"},
		{"d"}, // short row
	}}
	r := RowsOf(l)
	type got struct {
		ID    string
		Size  int
		IsNum bool
		Tags  []string
		Ext   bool
	}
	var rows []got
	r.Each(func(row []any) {
		n, ok := r.Int(row, "Size")
		rows = append(rows, got{r.Str(row, "ID"), n, ok, r.Strs(row, "Tags"), r.Bool(row, "External")})
	})
	want := []got{
		{"a", 3, true, []string{"x", "y"}, true},
		{"b", 4, true, []string{"x", "y"}, true},
		{"c", 0, false, []string{"x", "2"}, false},
		{"d", 0, false, nil, false},
	}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if !r.Has("Tags") || r.Has("Name") || r.Len() != 4 {
		t.Errorf("Has/Len: %v %v %d", r.Has("Tags"), r.Has("Name"), r.Len())
	}
	empty := RowsOf(nil)
	empty.Each(func([]any) { t.Error("a nil list has rows") })
	if empty.Len() != 0 || empty.Has("ID") || empty.Value([]any{"x"}, "ID") != nil {
		t.Error("a nil list reads as empty")
	}
}
