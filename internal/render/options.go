// Package render turns a tools.Result into text for a person or a script,
// following the output conventions of the openstack CLI: -f table|json|
// yaml|csv|value, -c to pick columns, --sort and --long.
//
// Output shape by stream:
//   - On a terminal, tables are fitted to the terminal width (widest
//     columns shrink first, text wraps, a cell longer than a few lines ends
//     in "…") and status cells are coloured when colour is enabled.
//   - When stdout is not a terminal, tables keep the same shape but are
//     never wrapped or truncated, so nothing is lost when output is piped.
//   - Machine formats (json, yaml, csv, value) ignore the terminal.
package render

import (
	"fmt"
	"strings"
)

// Output formats accepted in Options.Format.
const (
	FormatTable = "table"
	FormatJSON  = "json"
	FormatYAML  = "yaml"
	FormatCSV   = "csv"
	FormatValue = "value"
)

// Options say how a Result is rendered; they mirror the openstack CLI's
// output flags.
type Options struct {
	// Format is one of Formats(); empty means table.
	Format string
	// Columns picks columns (lists) or fields (records) by name,
	// case-insensitively, in the order given (-c, repeatable). Picking a
	// long column shows it even without Long.
	Columns []string
	// Sort orders list rows by columns: "Name" or "Name:asc" ascending,
	// "Name:desc" descending; the first entry is the primary key.
	// Records ignore it.
	Sort []string
	// Long shows columns marked Long.
	Long bool
	// NoHeaders drops the header row from table and csv output.
	NoHeaders bool
	// Mask, when set, hides values before they are laid out (privacy
	// mode); nil shows them as they are.
	Mask Mask
}

// Formats lists the accepted output formats, for help and completion.
func Formats() []string {
	return []string{FormatTable, FormatJSON, FormatYAML, FormatCSV, FormatValue}
}

// ValidateOptions checks what can be checked without a Result: the format
// name and the shape of sort keys. Column names are checked by Render,
// which knows the columns.
func ValidateOptions(opts Options) error {
	if _, err := format(opts); err != nil {
		return err
	}
	for _, s := range opts.Sort {
		if _, err := parseSortKey(s); err != nil {
			return err
		}
	}
	return nil
}

// format returns the normalised output format of opts.
func format(opts Options) (string, error) {
	f := strings.ToLower(strings.TrimSpace(opts.Format))
	if f == "" {
		return FormatTable, nil
	}
	for _, ok := range Formats() {
		if f == ok {
			return f, nil
		}
	}
	return "", fmt.Errorf("unknown output format %q; formats are: %s", opts.Format, strings.Join(Formats(), ", "))
}
