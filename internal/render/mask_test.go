package render

import (
	"strings"
	"testing"

	"github.com/kriscelmer/os-tui/internal/iostreams"
	"github.com/kriscelmer/os-tui/tools"
)

// upper stands in for the privacy masker: it shows which values went
// through the mask and with which column.
func upper(column, text string) string {
	if text == "" {
		return ""
	}
	return column + ":" + strings.ToUpper(text)
}

// TestMask: every value is masked before layout (the table's widths fit
// the masked text), numbers are left alone, lists and maps keep their
// shape in json, and the message is masked too.
func TestMask(t *testing.T) {
	res := &tools.Result{
		List: &tools.List{
			Columns: []tools.Column{{Name: "Name"}, {Name: "Size"}, {Name: "Tags"}},
			Rows:    [][]any{{"web", 10, []string{"a", "b"}}, {"db", nil, map[string]any{"k": "v"}}},
		},
		Message: "two volumes",
	}
	tests := []struct {
		format string
		want   []string
	}{
		{FormatTable, []string{"| Name:WEB |   10 | Tags:A, Tags:B  |", "| Name:DB  |      | Tags:K='Tags:V' |", ":TWO VOLUMES"}},
		{FormatJSON, []string{`"Name": "Name:WEB"`, `"Size": 10`, `"Tags:A"`, `"Tags:K": "Tags:V"`}},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			ios, _, out, errOut := iostreams.Test()
			if err := Render(ios, res, Options{Format: tt.format, Mask: upper}); err != nil {
				t.Fatal(err)
			}
			got := out.String() + errOut.String()
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("output lacks %q:\n%s", w, got)
				}
			}
		})
	}
	if res.List.Rows[0][0] != "web" {
		t.Error("Render changed the caller's result")
	}
}

func TestMaskRecord(t *testing.T) {
	ios, _, out, _ := iostreams.Test()
	res := &tools.Result{Record: &tools.Record{Fields: []tools.Field{{Name: "id", Value: "abc"}, {Name: "locked", Value: true}}}}
	if err := Render(ios, res, Options{Mask: upper}); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"id:ABC", "True"} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
}
