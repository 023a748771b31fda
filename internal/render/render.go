package render

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/kriscelmer/os-tui/internal/iostreams"
	"github.com/kriscelmer/os-tui/tools"
)

// Render writes res to ios.Out in the format opts ask for.
//
// Text results are written as they are (with a trailing newline); in json
// and yaml they become a string so the output still parses. Message is
// written after the data: to Out for the table format, to ErrOut for
// machine formats (json, yaml, csv, value) so a script reading Out gets
// nothing but data.
//
// Whatever goes to a terminal is made safe first (termtext): a console
// log or a name can hold escape sequences the cloud put there. A pipe or
// a file gets the data as it is, byte for byte.
func Render(ios *iostreams.IOStreams, res *tools.Result, opts Options) error {
	if res == nil {
		return errors.New("render: nil result")
	}
	f, err := format(opts)
	if err != nil {
		return err
	}
	if opts.Mask != nil {
		res = masked(res, opts.Mask)
	}
	switch {
	case res.List != nil:
		err = renderList(ios, res.List, f, opts)
	case res.Record != nil:
		err = renderRecord(ios, res.Record, f, opts)
	case res.Text != "" || res.Message == "":
		err = renderText(stdout(ios), res.Text, f)
	}
	if err != nil {
		return err
	}
	return writeMessage(ios, res, f)
}

func writeMessage(ios *iostreams.IOStreams, res *tools.Result, f string) error {
	if res.Message == "" {
		return nil
	}
	w := stdout(ios)
	if f != FormatTable {
		w = terminalSafe(ios.ErrOut, ios.IsStderrTTY())
	}
	if _, err := io.WriteString(w, withNewline(res.Message)); err != nil {
		return fmt.Errorf("write message: %w", err)
	}
	return nil
}

func renderText(w io.Writer, text, f string) error {
	var err error
	switch f {
	case FormatJSON:
		err = writeJSON(w, text)
	case FormatYAML:
		err = writeYAML(w, text)
	default:
		if text == "" {
			return nil
		}
		_, err = io.WriteString(w, withNewline(text))
	}
	if err != nil {
		return fmt.Errorf("write text: %w", err)
	}
	return nil
}

func withNewline(s string) string {
	if strings.HasSuffix(s, "\n") {
		return s
	}
	return s + "\n"
}

func renderList(ios *iostreams.IOStreams, l *tools.List, f string, opts Options) error {
	v, err := makeView(l, opts)
	if err != nil {
		return err
	}
	out := stdout(ios)
	switch f {
	case FormatJSON:
		err = writeJSON(out, listObjects(v))
	case FormatYAML:
		err = writeYAML(out, listObjects(v))
	case FormatCSV:
		err = writeListCSV(out, v, opts.NoHeaders)
	case FormatValue:
		err = writeListValue(out, v)
	default:
		err = writeListTable(ios, v, opts.NoHeaders)
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", f, err)
	}
	return nil
}

func renderRecord(ios *iostreams.IOStreams, r *tools.Record, f string, opts Options) error {
	fields, err := pickFields(r, opts)
	if err != nil {
		return err
	}
	out := stdout(ios)
	switch f {
	case FormatJSON:
		err = writeJSON(out, recordObject(fields))
	case FormatYAML:
		err = writeYAML(out, recordObject(fields))
	case FormatCSV:
		err = writeRecordCSV(out, fields, opts.NoHeaders)
	case FormatValue:
		err = writeRecordValue(out, fields)
	default:
		err = writeRecordTable(ios, fields, opts.NoHeaders)
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", f, err)
	}
	return nil
}

// pickFields applies -c to a record: the named fields, in the order given.
func pickFields(r *tools.Record, opts Options) ([]tools.Field, error) {
	if len(opts.Columns) == 0 {
		return r.Fields, nil
	}
	names := make([]string, len(r.Fields))
	for i, f := range r.Fields {
		names[i] = f.Name
	}
	var out []tools.Field
	seen := map[int]bool{}
	for _, want := range opts.Columns {
		i := findName(names, want)
		if i < 0 {
			return nil, fmt.Errorf("unknown column %q; columns are: %s", want, strings.Join(names, ", "))
		}
		if !seen[i] {
			seen[i] = true
			out = append(out, r.Fields[i])
		}
	}
	return out, nil
}

// writeListTable prints a list as a table. An empty list still prints its
// header, so the reader sees what would have been listed; on a terminal a
// faint "(no items)" line follows so the empty box is not mistaken for a
// rendering fault.
func writeListTable(ios *iostreams.IOStreams, v *view, noHeaders bool) error {
	if len(v.rows) == 0 && noHeaders {
		return nil
	}
	t := &table{
		headers: make([]string, len(v.cols)),
		rows:    make([][]string, len(v.rows)),
		right:   make([]bool, len(v.cols)),
	}
	statusCol := make([]bool, len(v.cols))
	t.status = func(_, c int) bool { return statusCol[c] }
	if ios.IsStdoutTTY() {
		t.maxLines = maxListCellLines
	}
	for i, c := range v.cols {
		t.headers[i] = sanitize(c.Name)
		statusCol[i] = c.Kind == tools.Status
	}
	for r, row := range v.rows {
		cells := make([]string, len(v.cols))
		for i := range v.cols {
			val := v.cell(row, i)
			cells[i] = sanitize(cellText(val, ", "))
			// Like the openstack CLI, a column is right-aligned when its
			// first row holds a number.
			if r == 0 {
				_, t.right[i] = number(val)
			}
		}
		t.rows[r] = cells
	}
	if err := t.write(ios.Out, ios, noHeaders); err != nil {
		return err
	}
	if len(v.rows) == 0 && ios.IsStdoutTTY() {
		_, err := io.WriteString(ios.Out, ios.ColorScheme().Faint("(no items)")+"\n")
		return err
	}
	return nil
}

// writeRecordTable prints a record as the openstack CLI's two-column
// "Field | Value" table. Lists put one item per line here: a show has room
// to be tall, and one item per line is easier to read than a long line.
func writeRecordTable(ios *iostreams.IOStreams, fields []tools.Field, noHeaders bool) error {
	t := &table{
		headers: []string{"Field", "Value"},
		rows:    make([][]string, len(fields)),
		right:   []bool{false, false},
	}
	statusRow := make([]bool, len(fields))
	t.status = func(r, c int) bool { return c == 1 && statusRow[r] }
	for i, f := range fields {
		t.rows[i] = []string{sanitize(f.Name), sanitize(cellText(f.Value, "\n"))}
		statusRow[i] = f.Kind == tools.Status
	}
	return t.write(ios.Out, ios, noHeaders)
}
