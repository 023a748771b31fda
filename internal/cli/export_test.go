package cli

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kriscelmer/os-tui/agent/router"
	"github.com/kriscelmer/os-tui/internal/export"
	"github.com/kriscelmer/os-tui/internal/iostreams"
	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/toolset"
)

func TestParseExport(t *testing.T) {
	tests := []struct {
		args    []string
		want    exportOptions
		wantErr string
	}{
		{args: nil, want: exportOptions{format: "json"}},
		{args: []string{"-f", "csv", "-o", "inv"}, want: exportOptions{format: "csv", output: "inv"}},
		{args: []string{"--format=yaml", "--output", "all.yaml", "--all-projects"}, want: exportOptions{format: "yaml", output: "all.yaml", allProjects: true}},
		{args: []string{"--resources", "server, volume", "--resources=port"}, want: exportOptions{format: "json", resources: []string{"server", "volume", "port"}}},
		{args: []string{"--list-types"}, want: exportOptions{format: "json", listTypes: true}},
		{args: []string{"-h"}, want: exportOptions{format: "json", help: true}},
		{args: []string{"-f", "xml"}, wantErr: `export: no format "xml"; choose csv, json (JSON Lines) or yaml`},
		{args: []string{"servers"}, wantErr: `export: unexpected "servers" (types go in --resources)`},
		{args: []string{"--nope"}, wantErr: "export: flag provided but not defined: -nope"},
		{args: []string{"-o"}, wantErr: "export: flag needs an argument: -o"},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			got, err := parseExport(tc.args)
			if tc.wantErr != "" {
				var ue *usageError
				if !errors.As(err, &ue) || !strings.HasPrefix(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want a usage error starting %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, *got, cmp.AllowUnexported(exportOptions{})); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

// `ostui export ARGS` becomes a /export line the router splits back into
// the same words, quotes and spaces included.
func TestExportLineRoundTrips(t *testing.T) {
	reg, err := toolset.Registry()
	if err != nil {
		t.Fatal(err)
	}
	r := router.New(reg, BuiltinNames())
	for _, args := range [][]string{
		nil,
		{"-f", "csv", "-o", "my inventory"},
		{"--resources", "server,volume", "-o", "it's here"},
		{"-o", `a"b\c`},
	} {
		in, err := r.Route(exportLine(args))
		if err != nil {
			t.Fatalf("%q: %v", args, err)
		}
		b, ok := in.(router.Builtin)
		if !ok || b.Name != "export" {
			t.Fatalf("%q routed to %#v", args, in)
		}
		if d := cmp.Diff(append([]string{}, args...), append([]string{}, b.Args...)); d != "" {
			t.Errorf("%q (-want +got):\n%s", args, d)
		}
	}
}

func TestCheckAdmin(t *testing.T) {
	whoami := func(roles []string) func(context.Context, string, map[string]any) (*tools.Result, error) {
		return func(_ context.Context, tool string, _ map[string]any) (*tools.Result, error) {
			if tool != "whoami" {
				t.Fatalf("read %s", tool)
			}
			return &tools.Result{Record: &tools.Record{Fields: []tools.Field{
				{Name: "user", Value: "alice"}, {Name: "project", Value: "demo"}, {Name: "roles", Value: roles},
			}}}, nil
		}
	}
	s := &Shell{}
	if err := s.checkAdmin(t.Context(), whoami([]string{"admin", "member"})); err != nil {
		t.Errorf("admin refused: %v", err)
	}
	err := s.checkAdmin(t.Context(), whoami([]string{"member", "reader"}))
	want := "--all-projects needs the admin role: alice has roles member, reader in project demo; without --all-projects the export covers project demo"
	if err == nil || err.Error() != want {
		t.Errorf("err = %v, want %q", err, want)
	}
	if err := s.checkAdmin(t.Context(), whoami(nil)); err == nil || !strings.Contains(err.Error(), "alice has no roles") {
		t.Errorf("no roles: %v", err)
	}
}

func TestExportSummary(t *testing.T) {
	ok := export.Outcome{Type: export.Type{Name: "server"}, Rows: 3}
	missing := export.Outcome{Type: export.Type{Name: "trunk"}, State: export.Missing, Why: "no trunk extension"}
	forbidden := export.Outcome{Type: export.Type{Name: "network"}, Rows: 0, State: export.Forbidden, Why: "not allowed (403)"}
	tests := []struct {
		name     string
		tty      bool
		outcomes []export.Outcome
		wantErr  bool
		wantOut  string
	}{
		{"piped, all done: nothing said", false, []export.Outcome{ok, missing}, false, ""},
		{"terminal: the count and the skipped", true, []export.Outcome{ok, missing}, false, "export: 3 rows of 1 type in 2s; skipped, not offered by this cloud: trunk\n"},
		{"a failure is said even piped, and fails", false, []export.Outcome{ok, forbidden}, true,
			"export: network failed: not allowed (403)\nexport: 3 rows of 1 type in 2s; 1 failed\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ios, _, _, errOut := iostreams.Test()
			ios.SetStderrTTY(tc.tty)
			s := &Shell{IO: ios}
			err := s.exportSummary(tc.outcomes, 2e9)
			if (err != nil) != tc.wantErr || err != nil && ExitCode(err) != ExitError {
				t.Errorf("err = %v (exit %d), want error %v", err, ExitCode(err), tc.wantErr)
			}
			if d := cmp.Diff(tc.wantOut, errOut.String()); d != "" {
				t.Errorf("stderr (-want +got):\n%s", d)
			}
		})
	}
}

// The counter is drawn on a terminal only, redrawn on one line, and
// cleared at the end; piped, standard error stays empty.
func TestExportProgress(t *testing.T) {
	for _, tty := range []bool{false, true} {
		ios, _, _, errOut := iostreams.Test()
		ios.SetStderrTTY(tty)
		s := &Shell{IO: ios}
		p := s.exportProgress()
		p.show(export.Progress{Index: 1, Total: 3, Type: export.Type{Name: "server"}, Rows: 0})
		p.clear()
		got := errOut.String()
		switch {
		case !tty && got != "":
			t.Errorf("piped: stderr = %q, want nothing", got)
		case tty && got != "\r\x1b[Kexport: 1/3 server, 0 rows\r\x1b[K":
			t.Errorf("terminal: stderr = %q", got)
		}
	}
}
