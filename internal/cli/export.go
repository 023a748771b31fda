package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/kriscelmer/os-tui/internal/export"
	"github.com/kriscelmer/os-tui/internal/termtext"
	"github.com/kriscelmer/os-tui/tools"
)

const exportUsage = `usage: ostui export [--all-projects] [--resources TYPE,...] [-f csv|json|yaml] [-o PATH]
       /export ... (the same, in the shell)

Writes every resource the project has, one row per resource, for every type
ostui can list (ostui export --list-types names them).

  -f, --format csv|json|yaml  json (the default): JSON Lines, one
                              {"type": T, "row": {...}} a line; yaml: one
                              document a row; csv: one table (Type, ID,
                              Name, Status, Project, Fields as JSON), or
                              with one type, that type's own columns
  -o, --output PATH           a file (default: standard output); with csv
                              and several types, a directory gets one
                              TYPE.csv each with its own columns, and a
                              name ending in .csv the one table
  --resources TYPE,...        only these types (server, volume, port, ...;
                              plurals and dashes work: servers, volume-backup)
  --all-projects              every project's servers, volumes, snapshots
                              and backups (admin only)
  --list-types                list the types and those left out, then stop

Files are written 0600. Progress goes to standard error on a terminal; a
type the cloud refuses (403, a service it lacks) is reported and the rest go
on; the exit status is 1 if any type failed.`

// exportOptions are /export's parsed arguments.
type exportOptions struct {
	format      string
	output      string
	resources   []string
	allProjects bool
	listTypes   bool
	help        bool
}

// parseExport reads /export's arguments.
func parseExport(args []string) (*exportOptions, error) {
	o := &exportOptions{}
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&o.format, "f", "json", "")
	fs.StringVar(&o.format, "format", "json", "")
	fs.StringVar(&o.output, "o", "", "")
	fs.StringVar(&o.output, "output", "", "")
	fs.Func("resources", "", func(v string) error {
		for _, r := range strings.Split(v, ",") {
			if r = strings.TrimSpace(r); r != "" {
				o.resources = append(o.resources, r)
			}
		}
		return nil
	})
	fs.BoolVar(&o.allProjects, "all-projects", false, "")
	fs.BoolVar(&o.listTypes, "list-types", false, "")
	fs.BoolVar(&o.help, "help", false, "")
	fs.BoolVar(&o.help, "h", false, "")
	if err := fs.Parse(args); err != nil {
		return nil, &usageError{msg: "export: " + err.Error() + "\n" + exportUsage}
	}
	if fs.NArg() > 0 {
		return nil, &usageError{msg: fmt.Sprintf("export: unexpected %q (types go in --resources)\n%s", fs.Arg(0), exportUsage)}
	}
	if !slices.Contains([]string{"csv", "json", "jsonl", "yaml", "yml"}, o.format) {
		return nil, &usageError{msg: fmt.Sprintf("export: no format %q; choose csv, json (JSON Lines) or yaml", o.format)}
	}
	return o, nil
}

// exportCommand writes the project's inventory: /export, ostui export.
func (s *Shell) exportCommand(ctx context.Context, args []string) error {
	o, err := parseExport(args)
	if err != nil {
		return err
	}
	if o.help {
		fmt.Fprintln(s.IO.Out, exportUsage)
		return nil
	}
	all, left := export.Types(s.Registry)
	if o.listTypes {
		for _, t := range all {
			note := ""
			if t.AllProjects {
				note = "  (--all-projects)"
			}
			fmt.Fprintf(s.IO.Out, "%s%s\n", t.Name, note)
		}
		for _, l := range left {
			fmt.Fprintf(s.IO.Out, "left out: %s %s\n", l.Tool, l.Why)
		}
		return nil
	}
	types, err := export.Select(all, o.resources)
	if err != nil {
		return &usageError{msg: "export: " + err.Error()}
	}
	read := engineReader(s.engine)
	if o.allProjects {
		if err := s.checkAdmin(ctx, read); err != nil {
			return err
		}
	}
	w, closeOut, err := s.exportWriter(o, len(types))
	if err != nil {
		return err
	}
	progress := s.exportProgress()
	start := time.Now()
	outcomes, runErr := export.Run(ctx, export.FromReader(export.Reader(read)), w, export.Options{
		Types: types, Asked: len(o.resources) > 0, AllProjects: o.allProjects, Progress: progress.show,
	})
	progress.clear()
	if err := w.Close(); err != nil && runErr == nil {
		runErr = fmt.Errorf("write the export: %w", err)
	}
	if err := closeOut(); err != nil && runErr == nil {
		runErr = fmt.Errorf("write the export: %w", err)
	}
	if runErr != nil {
		return runErr
	}
	return s.exportSummary(outcomes, time.Since(start))
}

// checkAdmin refuses --all-projects to a person without the admin role
// before anything is read: Nova answers them 403 and Cinder quietly
// lists their own project, and neither says what went wrong.
func (s *Shell) checkAdmin(ctx context.Context, read func(context.Context, string, map[string]any) (*tools.Result, error)) error {
	res, err := read(ctx, "whoami", nil)
	if err != nil {
		return fmt.Errorf("--all-projects: read your roles: %w", err)
	}
	if res == nil || res.Record == nil {
		return errors.New("--all-projects: whoami returned no record")
	}
	roles, _ := res.Record.Get("roles").([]string)
	if slices.Contains(roles, "admin") {
		return nil
	}
	user, _ := res.Record.Get("user").(string)
	project, _ := res.Record.Get("project").(string)
	have := "no roles"
	if len(roles) > 0 {
		have = "roles " + strings.Join(roles, ", ")
	}
	return fmt.Errorf("--all-projects needs the admin role: %s has %s in project %s; without --all-projects the export covers project %s",
		termtext.Safe(user), termtext.Safe(have), termtext.Safe(project), termtext.Safe(project))
}

// exportWriter opens the output: standard output, a file, or (CSV of
// several types, or -o naming a directory) a directory.
func (s *Shell) exportWriter(o *exportOptions, ntypes int) (export.Writer, func() error, error) {
	format := o.format
	none := func() error { return nil }
	// Several types in one CSV stream (standard output, or a file named
	// .csv) share one table: the inventory's columns.
	if format == "csv" && ntypes > 1 && (o.output == "" || strings.HasSuffix(strings.ToLower(o.output), ".csv")) {
		format = "inventory-csv"
	}
	if o.output == "" {
		w, err := export.New(format, s.IO.Out, "", s.IO.IsStdoutTTY())
		return w, none, err
	}
	if format == "csv" {
		if fi, err := os.Stat(o.output); ntypes > 1 || (err == nil && fi.IsDir()) {
			w, err := export.New(format, nil, o.output, false)
			return w, none, err
		}
	}
	f, err := os.OpenFile(o.output, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, export.FileMode)
	if err != nil {
		return nil, nil, fmt.Errorf("open the output: %w", err)
	}
	w, err := export.New(format, f, "", false)
	if err != nil {
		_ = f.Close()
		return nil, nil, err
	}
	return w, f.Close, nil
}

// exportSummary says on standard error what was written and what failed;
// any failure makes the command fail, after the rest was written.
func (s *Shell) exportSummary(outcomes []export.Outcome, took time.Duration) error {
	rows, failed := 0, 0
	var skipped []string
	for _, o := range outcomes {
		rows += o.Rows
		switch {
		case o.Failed():
			failed++
			fmt.Fprintf(s.IO.ErrOut, "export: %s failed: %s\n", o.Type.Name, termtext.Safe(o.Why))
		case o.State == export.Missing:
			skipped = append(skipped, o.Type.Name)
		}
	}
	line := fmt.Sprintf("export: %s of %s in %s", exportCount(rows, "row"), exportCount(len(outcomes)-failed-len(skipped), "type"), took.Round(time.Millisecond))
	if len(skipped) > 0 {
		line += fmt.Sprintf("; skipped, not offered by this cloud: %s", strings.Join(skipped, ", "))
	}
	if failed > 0 {
		line += fmt.Sprintf("; %d failed", failed)
	}
	// A pipe gets the summary only when something went wrong: a script
	// reads the data and the exit status.
	if failed > 0 || s.IO.IsStderrTTY() {
		fmt.Fprintln(s.IO.ErrOut, line)
	}
	if failed > 0 {
		return &silentError{code: ExitError}
	}
	return nil
}

// exportCount is "1 row", "3 rows".
func exportCount(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// exportProgress is the counter on standard error ("export: 3/27 server,
// 1204 rows"), one line redrawn, and only on a terminal.
type exportProgress struct {
	out   io.Writer
	shown bool
	last  time.Time
}

func (s *Shell) exportProgress() *exportProgress {
	if !s.IO.IsStderrTTY() {
		return &exportProgress{}
	}
	return &exportProgress{out: s.IO.ErrOut}
}

func (p *exportProgress) show(pr export.Progress) {
	if p.out == nil {
		return
	}
	// Ten redraws a second are plenty, and cheaper than one a page.
	if now := time.Now(); p.shown && now.Sub(p.last) < 100*time.Millisecond {
		return
	} else {
		p.last = now
	}
	fmt.Fprintf(p.out, "\r\x1b[Kexport: %d/%d %s, %d rows", pr.Index, pr.Total, pr.Type.Name, pr.Rows)
	p.shown = true
}

func (p *exportProgress) clear() {
	if p.shown {
		fmt.Fprint(p.out, "\r\x1b[K")
	}
}

// exportLine is `ostui export ARGS` as the shell's /export line, each
// word quoted so the router splits it back exactly.
func exportLine(args []string) string {
	var b strings.Builder
	b.WriteString("/export")
	for _, a := range args {
		b.WriteString(" '")
		b.WriteString(strings.ReplaceAll(a, "'", `'\''`))
		b.WriteString("'")
	}
	return b.String()
}
