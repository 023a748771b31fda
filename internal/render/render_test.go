package render

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/internal/iostreams"
	"github.com/kriscelmer/os-tui/tools"
)

func TestRenderErrors(t *testing.T) {
	list := &tools.Result{List: volumeList()}
	record := &tools.Result{Record: serverRecord()}
	tests := []struct {
		name string
		res  *tools.Result
		opts Options
		want string
	}{
		{"unknown format", list, Options{Format: "xml"},
			`unknown output format "xml"; formats are: table, json, yaml, csv, value`},
		{"unknown column", list, Options{Columns: []string{"ID", "Owner"}},
			`unknown column "Owner"; columns are: ID, Name, Status, Size, Bootable`},
		{"unknown sort column", list, Options{Sort: []string{"Age"}},
			`cannot sort by unknown column "Age"; columns are: ID, Name, Status, Size, Bootable`},
		{"bad sort direction", list, Options{Sort: []string{"Name:up"}},
			`invalid sort direction "up" in "Name:up": want asc or desc`},
		{"empty sort key", list, Options{Sort: []string{":desc"}},
			`invalid sort key ":desc": want COLUMN or COLUMN:asc|desc`},
		{"unknown record field", record, Options{Columns: []string{"flavor"}},
			`unknown column "flavor"; columns are: id, name, status, addresses, properties, locked, progress, fault, description, created`},
		{"nil result", nil, Options{}, "render: nil result"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, out, _ := iostreams.Test()
			err := Render(ios, tt.res, tt.opts)
			if err == nil {
				t.Fatalf("Render succeeded, want error %q", tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("error = %q, want %q", err, tt.want)
			}
			if out.Len() != 0 {
				t.Errorf("nothing should be written on error, got %q", out)
			}
		})
	}
}

func TestValidateOptions(t *testing.T) {
	for _, f := range append(Formats(), "", "JSON", " yaml ") {
		if err := ValidateOptions(Options{Format: f}); err != nil {
			t.Errorf("ValidateOptions(%q) = %v, want nil", f, err)
		}
	}
	if err := ValidateOptions(Options{Format: "xml"}); err == nil {
		t.Error("ValidateOptions accepted format xml")
	}
	if err := ValidateOptions(Options{Sort: []string{"Name:sideways"}}); err == nil {
		t.Error("ValidateOptions accepted sort direction sideways")
	}
	if err := ValidateOptions(Options{Sort: []string{"Name", "Size:DESC"}}); err != nil {
		t.Errorf("ValidateOptions rejected good sort keys: %v", err)
	}
}

// Whatever the width, every line of a fitted table must be valid UTF-8 and
// as wide as the others, and must fit the terminal whenever the terminal
// can hold every column at its narrowest.
func TestTableFitsEveryWidth(t *testing.T) {
	// 9 columns need 3*9+1 cells of borders and 2 cells each of text.
	const narrowest = 3*9 + 1 + 2*9
	for _, res := range []*tools.Result{{List: serverList()}, {Record: serverRecord()}} {
		for width := 10; width <= 220; width++ {
			ios, _, out, _ := iostreams.Test()
			ios.SetStdoutTTY(true)
			ios.SetWidth(width)
			if err := Render(ios, res, Options{Long: true}); err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
			first := textWidth(lines[0])
			for _, line := range lines {
				if !utf8.ValidString(line) {
					t.Fatalf("width %d: invalid UTF-8 in %q", width, line)
				}
				if w := textWidth(line); w > width && width >= narrowest || w != first {
					t.Fatalf("width %d: line is %d cells (first line %d):\n%s", width, w, first, out)
				}
			}
		}
	}
}

func TestPipedTableIsNeverCut(t *testing.T) {
	ios, _, out, _ := iostreams.Test()
	ios.SetWidth(20)
	if err := Render(ios, &tools.Result{List: serverList()}, Options{Long: true}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"0b1a6c0e-6e5f-4c55-9d38-1d2c4b7a9f01", "private=10.0.0.5, public=203.0.113.7", "env='prod', role='web'"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("piped table lost %q", want)
		}
	}
	if strings.Contains(out.String(), "…") {
		t.Error("piped table must not truncate")
	}
}

func TestSortDoesNotMutateInput(t *testing.T) {
	l := volumeList()
	before := cellText(l.Rows[0][1], "")
	ios, _, _, _ := iostreams.Test()
	if err := Render(ios, &tools.Result{List: l}, Options{Sort: []string{"Name:desc"}}); err != nil {
		t.Fatal(err)
	}
	if got := cellText(l.Rows[0][1], ""); got != before {
		t.Errorf("input rows were reordered: first row is %q, was %q", got, before)
	}
}

func TestSortIsStableAndTyped(t *testing.T) {
	l := &tools.List{
		Columns: []tools.Column{{Name: "n"}, {Name: "tag"}},
		Rows: [][]any{
			{10, "b"}, {9, "B"}, {nil, "a"}, {2.5, "c"}, {"x", "A"}, {10, "a"},
		},
	}
	got := func(keys ...string) []string {
		rows, err := sortRows(l, keys)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range rows {
			out = append(out, cellText(r[0], "")+"/"+cellText(r[1], ""))
		}
		return out
	}
	if diff := cmp.Diff([]string{"/a", "2.5/c", "9/B", "10/b", "10/a", "x/A"}, got("n")); diff != "" {
		t.Errorf("numeric sort (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"/a", "x/A", "10/a", "10/b", "9/B", "2.5/c"}, got("tag")); diff != "" {
		t.Errorf("case-insensitive sort (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"x/A", "10/b", "10/a", "9/B", "2.5/c", "/a"}, got("n:desc")); diff != "" {
		t.Errorf("descending sort (-want +got):\n%s", diff)
	}
}

func TestColumnsAndLong(t *testing.T) {
	cols := serverList().Columns
	names := func(idx []int) []string {
		var out []string
		for _, i := range idx {
			out = append(out, cols[i].Name)
		}
		return out
	}
	tests := []struct {
		opts Options
		want []string
	}{
		{Options{}, []string{"ID", "Name", "Status", "Networks", "Image", "Flavor"}},
		{Options{Long: true}, []string{"ID", "Name", "Status", "Networks", "Image", "Flavor", "Locked", "Properties", "Created"}},
		{Options{Columns: []string{"created", "Name"}}, []string{"Created", "Name"}},
		{Options{Columns: []string{"ID", "id", "Id"}}, []string{"ID"}},
	}
	for _, tt := range tests {
		idx, err := pickColumns(cols, tt.opts)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.want, names(idx)); diff != "" {
			t.Errorf("%+v (-want +got):\n%s", tt.opts, diff)
		}
	}
}

func TestCellText(t *testing.T) {
	tests := []struct {
		in   any
		want string
	}{
		{nil, ""},
		{"ACTIVE", "ACTIVE"},
		{true, "True"},
		{false, "False"},
		{42, "42"},
		{int64(-7), "-7"},
		{1.5, "1.5"},
		{float64(3), "3"},
		{[]string{"a", "b"}, "a, b"},
		{[]string(nil), ""},
		{map[string]string{"b": "2", "a": "1"}, "a='1', b='2'"},
		{map[string]any{"k": []string{"x", "y"}}, "k='x, y'"},
		{[]any{1, "two", nil}, "1, two, "},
		{uint8(5), "5"},
		{fmtStringer("str"), "str"},
	}
	for _, tt := range tests {
		if got := cellText(tt.in, ", "); got != tt.want {
			t.Errorf("cellText(%#v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

type fmtStringer string

func (s fmtStringer) String() string { return string(s) }

func TestSanitize(t *testing.T) {
	tests := map[string]string{
		"plain":                "plain",
		"two\nlines":           "two\nlines",
		"evil\x1b[31mred":      `evil\x1b[31mred`,
		"tab\there":            "tab here",
		"crlf\r\n":             "crlf\n",
		"bell\a":               `bell\x07`,
		"c1\u009bcsi":          `c1\u009bcsi`,
		"bad\xffbyte":          `bad\xffbyte`,
		"raw\x9bcsi":           `raw\x9bcsi`,
		"lone\rcr":             `lone\x0dcr`,
		"rlo\u202eevil":        `rlo\u202eevil`,
		"データ":                  "データ",
		"del\x7f":              `del\x7f`,
		"e\u0301 combining ok": "e\u0301 combining ok",
	}
	for in, want := range tests {
		if got := sanitize(in); got != want {
			t.Errorf("sanitize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestToneOf(t *testing.T) {
	tests := map[string]statusTone{
		"ACTIVE": toneGood, "available": toneGood, "in-use": toneGood, "UP": toneGood, "active": toneGood,
		"ERROR": toneBad, "error": toneBad, "DOWN": toneBad, "killed": toneBad,
		"BUILD_FAILED": toneBad, "error_deleting": toneBad, "ERROR_RESTORING": toneBad,
		"BUILD": toneBusy, "creating": toneBusy, "deleting": toneBusy, "extending": toneBusy,
		"SHUTOFF": toneBusy, "PAUSED": toneBusy, "SUSPENDED": toneBusy,
		"SHELVED": toneBusy, "SHELVED_OFFLOADED": toneBusy, "VERIFY_RESIZE": toneBusy,
		"": toneNone, "UNKNOWN": toneNone, "custom": toneNone,
	}
	for in, want := range tests {
		if got := toneOf(in); got != want {
			t.Errorf("toneOf(%q) = %d, want %d", in, got, want)
		}
	}
}

func TestFitWidths(t *testing.T) {
	tests := []struct {
		name    string
		natural []int
		total   int
		want    []int
	}{
		{"fits", []int{2, 4, 6}, 40, []int{2, 4, 6}},
		{"widest shrinks first", []int{36, 5, 20}, 50, []int{18, 5, 17}},
		{"even cap", []int{30, 30, 30}, 61, []int{17, 17, 17}},
		{"floor at min width", []int{40, 40, 3, 40}, 40, []int{8, 8, 3, 8}},
		{"tight terminal", []int{20, 20, 20, 20, 20, 20}, 40, []int{4, 4, 4, 3, 3, 3}},
		{"overflow beyond tight floor", []int{20, 20, 20, 20, 20, 20, 20, 20, 20, 20}, 20, []int{2, 2, 2, 2, 2, 2, 2, 2, 2, 2}},
		{"no columns", nil, 10, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := fitWidths(tt.natural, tt.total)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("fitWidths(%v, %d) (-want +got):\n%s", tt.natural, tt.total, diff)
			}
		})
	}
}

func TestWrapText(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		width    int
		maxLines int
		want     []string
	}{
		{"fits", "short", 10, 0, []string{"short"}},
		{"words", "the quick brown fox", 10, 0, []string{"the quick", "brown fox"}},
		{"long word", "abcdefghij", 4, 0, []string{"abcd", "efgh", "ij"}},
		{"wide chars", "データベース", 5, 0, []string{"デー", "タベ", "ース"}},
		{"grapheme kept whole", "ééééé", 2, 0, []string{"éé", "éé", "é"}},
		{"emoji zwj", "👩‍💻👩‍💻👩‍💻", 4, 0, []string{"👩‍💻👩‍💻", "👩‍💻"}},
		{"newlines kept", "a\nbb", 5, 0, []string{"a", "bb"}},
		{"capped", "aaaa bbbb cccc dddd", 4, 2, []string{"aaaa", "bbb…"}},
		{"capped short last line", "aa bb cc", 3, 2, []string{"aa", "bb…"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := wrapText(tt.in, tt.width, tt.maxLines)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("wrapText(%q, %d, %d) (-want +got):\n%s", tt.in, tt.width, tt.maxLines, diff)
			}
			for _, l := range got {
				if !utf8.ValidString(l) || textWidth(l) > tt.width {
					t.Errorf("line %q is invalid or wider than %d", l, tt.width)
				}
			}
		})
	}
}

// TestTerminalGetsNoControls: cloud text reaches a terminal escaped in
// every format, and a pipe byte for byte (a script may want the console
// log's colours, or compare names exactly).
func TestTerminalGetsNoControls(t *testing.T) {
	const evil = "log\x1b]0;pwned\a\u009b2J\u202eend"
	const shown = `log\x1b]0;pwned\x07\u009b2J\u202eend`
	list := &tools.List{
		Columns: []tools.Column{{Name: "Name"}},
		Rows:    [][]any{{evil}},
	}
	record := &tools.Record{Fields: []tools.Field{{Name: "name", Value: evil}}}
	tests := []struct {
		name   string
		res    *tools.Result
		format string
	}{
		{"text", &tools.Result{Text: evil}, ""},
		{"text as json", &tools.Result{Text: evil}, FormatJSON},
		{"list csv", &tools.Result{List: list}, FormatCSV},
		{"list value", &tools.Result{List: list}, FormatValue},
		{"list yaml", &tools.Result{List: list}, FormatYAML},
		{"list table", &tools.Result{List: list}, FormatTable},
		{"record value", &tools.Result{Record: record}, FormatValue},
		{"record csv", &tools.Result{Record: record}, FormatCSV},
		{"record table", &tools.Result{Record: record}, FormatTable},
		{"message", &tools.Result{Message: evil}, FormatTable},
		{"message beside json", &tools.Result{Record: record, Message: evil}, FormatJSON},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, out, errOut := iostreams.Test()
			ios.SetStdoutTTY(true)
			ios.SetStderrTTY(true)
			if err := Render(ios, tt.res, Options{Format: tt.format}); err != nil {
				t.Fatal(err)
			}
			all := out.String() + errOut.String()
			if strings.ContainsAny(all, "\x1b\a\u009b\u202e") {
				t.Errorf("a terminal got control characters:\n%q", all)
			}
			if tt.format != FormatJSON && tt.format != FormatYAML && !strings.Contains(all, shown) {
				t.Errorf("output does not show the escaped text %q:\n%q", shown, all)
			}

			ios, _, out, errOut = iostreams.Test()
			if err := Render(ios, tt.res, Options{Format: tt.format}); err != nil {
				t.Fatal(err)
			}
			if tt.format != FormatTable && tt.format != FormatJSON && tt.format != FormatYAML {
				if all := out.String() + errOut.String(); !strings.Contains(all, evil) {
					t.Errorf("a pipe did not get the text byte for byte:\n%q", all)
				}
			}
		})
	}
}
