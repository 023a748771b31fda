package render

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/internal/iostreams"
	"github.com/kriscelmer/os-tui/tools"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from current output")

// term describes the pretend output stream of a golden case.
type term struct {
	tty   bool
	color bool
	width int
}

var (
	pipe     = term{width: 80}
	tty80    = term{tty: true, width: 80}
	tty40    = term{tty: true, width: 40}
	tty200   = term{tty: true, width: 200}
	color80  = term{tty: true, color: true, width: 80}
	color200 = term{tty: true, color: true, width: 200}
)

func TestGolden(t *testing.T) {
	servers := &tools.Result{List: serverList()}
	volumes := &tools.Result{List: volumeList()}
	record := &tools.Result{Record: serverRecord()}
	empty := &tools.Result{List: &tools.List{Columns: serverList().Columns}}
	withMsg := &tools.Result{List: volumeList(), Message: "4 volumes"}

	tests := []struct {
		name string
		res  *tools.Result
		opts Options
		term term
	}{
		{"table_pipe", servers, Options{}, pipe},
		{"table_pipe_narrow", servers, Options{}, term{width: 40}},
		{"table_tty40", servers, Options{}, tty40},
		{"table_tty80", servers, Options{}, tty80},
		{"table_tty200", servers, Options{}, tty200},
		{"table_tty80_long", servers, Options{Long: true}, tty80},
		{"table_tty200_long", servers, Options{Long: true}, tty200},
		{"table_color80", servers, Options{}, color80},
		{"table_color200_long", servers, Options{Long: true}, color200},
		{"table_columns", servers, Options{Columns: []string{"name", "CREATED", "id"}}, pipe},
		{"table_no_headers", volumes, Options{NoHeaders: true}, pipe},
		{"table_numbers", volumes, Options{}, tty80},
		{"table_sort_name", volumes, Options{Sort: []string{"Name"}}, pipe},
		{"table_sort_size_desc", volumes, Options{Sort: []string{"Size:desc"}}, pipe},
		{"table_sort_two_keys", volumes, Options{Sort: []string{"Bootable", "Size:desc"}}, pipe},
		{"table_message", withMsg, Options{}, pipe},
		{"empty_pipe", empty, Options{}, pipe},
		{"empty_tty", empty, Options{}, color80},
		{"empty_json", empty, Options{Format: "json"}, pipe},
		{"empty_yaml", empty, Options{Format: "yaml"}, pipe},
		{"empty_csv", empty, Options{Format: "csv"}, pipe},
		{"empty_value", empty, Options{Format: "value"}, pipe},
		{"json", servers, Options{Format: "json", Long: true}, tty80},
		{"json_columns", servers, Options{Format: "json", Columns: []string{"Name", "Networks"}}, pipe},
		{"json_message", withMsg, Options{Format: "json"}, pipe},
		{"yaml", servers, Options{Format: "yaml", Long: true}, pipe},
		{"csv", servers, Options{Format: "csv", Long: true}, pipe},
		{"csv_sorted", volumes, Options{Format: "csv", Sort: []string{"name:desc"}}, pipe},
		{"value", servers, Options{Format: "value"}, tty80},
		{"value_columns", servers, Options{Format: "value", Columns: []string{"ID", "Status"}}, pipe},
		{"record_pipe", record, Options{}, pipe},
		{"record_tty40", record, Options{}, tty40},
		{"record_color80", record, Options{}, color80},
		{"record_columns", record, Options{Columns: []string{"Status", "id"}, Sort: []string{"ignored"}}, pipe},
		{"record_json", record, Options{Format: "json"}, pipe},
		{"record_yaml", record, Options{Format: "yaml"}, pipe},
		{"record_csv", record, Options{Format: "csv"}, pipe},
		{"record_value", record, Options{Format: "value"}, pipe},
		{"text", &tools.Result{Text: "Server web-1 deleted.", Message: "1 deleted"}, Options{}, tty80},
		{"text_json", &tools.Result{Text: "line one\nline two\n"}, Options{Format: "json"}, pipe},
		{"message_only", &tools.Result{Message: "Nothing to do."}, Options{Format: "json"}, pipe},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, out, errOut := iostreams.Test()
			ios.SetStdoutTTY(tt.term.tty)
			ios.SetColorEnabled(tt.term.color)
			ios.SetWidth(tt.term.width)
			if err := Render(ios, tt.res, tt.opts); err != nil {
				t.Fatalf("Render: %v", err)
			}
			got := out.String()
			if errOut.Len() > 0 {
				got += "-- stderr --\n" + errOut.String()
			}
			checkGolden(t, tt.name, visibleEscapes(got))
		})
	}
}

// visibleEscapes shows ESC as \e so colour codes are readable in golden
// files and in diffs.
func visibleEscapes(s string) string { return strings.ReplaceAll(s, "\x1b", `\e`) }

func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatalf("update golden: %v", err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run with -update to create it): %v", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}
