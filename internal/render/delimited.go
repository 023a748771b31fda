package render

import (
	"io"
	"strings"

	"github.com/kriscelmer/os-tui/tools"
)

// The csv format follows the openstack CLI (Python's csv module with
// QUOTE_NONNUMERIC): a header row, every non-numeric value quoted, quotes
// doubled, numbers and booleans bare.

func writeListCSV(w io.Writer, v *view, noHeaders bool) error {
	var b strings.Builder
	if !noHeaders {
		for i, c := range v.cols {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(csvQuote(c.Name))
		}
		b.WriteByte('\n')
	}
	for _, row := range v.rows {
		for i := range v.cols {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(csvField(v.cell(row, i)))
		}
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeRecordCSV treats a record as a one-row list: field names as the
// header, values as the row.
func writeRecordCSV(w io.Writer, fields []tools.Field, noHeaders bool) error {
	var b strings.Builder
	if !noHeaders {
		for i, f := range fields {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(csvQuote(f.Name))
		}
		b.WriteByte('\n')
	}
	for i, f := range fields {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(csvField(f.Value))
	}
	b.WriteByte('\n')
	_, err := io.WriteString(w, b.String())
	return err
}

func csvField(v any) string {
	if _, ok := number(v); ok {
		return cellText(v, "")
	}
	if _, ok := v.(bool); ok {
		return cellText(v, "")
	}
	return csvQuote(cellText(v, ", "))
}

func csvQuote(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// writeListValue prints each row's values separated by spaces, one row a
// line, for shell loops such as `for id in $(ostui server list -f value -c ID)`.
func writeListValue(w io.Writer, v *view) error {
	var b strings.Builder
	for _, row := range v.rows {
		for i := range v.cols {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(cellText(v.cell(row, i), ", "))
		}
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeRecordValue prints one value a line, in field order, as the
// openstack CLI does for a show.
func writeRecordValue(w io.Writer, fields []tools.Field) error {
	var b strings.Builder
	for _, f := range fields {
		b.WriteString(cellText(f.Value, ", "))
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}
