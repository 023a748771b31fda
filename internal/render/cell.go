package render

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/kriscelmer/os-tui/internal/termtext"
)

// cellText is the human form of a value, as the openstack CLI prints it in
// tables, csv and value output: nil is empty, bools are True/False, lists
// are joined by sep and maps read key='value', sorted by key.
func cellText(v any, sep string) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		if x {
			return "True"
		}
		return "False"
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case float32:
		return strconv.FormatFloat(float64(x), 'f', -1, 32)
	case []string:
		return strings.Join(x, sep)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = cellText(e, ", ")
		}
		return strings.Join(parts, sep)
	case map[string]string:
		return mapText(x, func(s string) string { return s })
	case map[string]any:
		return mapText(x, func(v any) string { return cellText(v, ", ") })
	case fmt.Stringer:
		return x.String()
	}
	return fmt.Sprint(v)
}

func mapText[V any](m map[string]V, text func(V) string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(k)
		b.WriteString("='")
		b.WriteString(text(m[k]))
		b.WriteString("'")
	}
	return b.String()
}

// sanitize makes text safe to show on a terminal: resource names come from
// the cloud, and a name holding escape sequences could otherwise recolour,
// retitle or scramble the user's terminal (termtext escapes them). Two
// layout rules are the table's own: tabs become a space (they would break
// column alignment) and CRLF becomes LF, so CRLF text wraps like LF text.
func sanitize(s string) string {
	if strings.ContainsAny(s, "\r\t") {
		s = tabsAndCRLF.Replace(s)
	}
	return termtext.SafeMultiline(s)
}

var tabsAndCRLF = strings.NewReplacer("\r\n", "\n", "\t", " ")

// CellText is a value as a table cell shows it (lists joined by ", ",
// maps as key='value'), not yet escaped: views lay out the same text as
// tables do and escape it themselves.
func CellText(v any) string { return cellText(v, ", ") }
