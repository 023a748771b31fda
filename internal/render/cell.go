package render

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
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
// retitle or scramble the user's terminal. Control characters other than
// newline are shown escaped, tabs become a space (they would break column
// alignment), invalid UTF-8 becomes U+FFFD.
func sanitize(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 && c != '\n' || c == 0x7f || c >= 0x80 {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == utf8.RuneError:
			// An invalid byte decodes as U+FFFD too; print it as such.
			b.WriteRune(utf8.RuneError)
		case r == '\r':
			// Drop CR so CRLF text wraps like LF text.
		case r == '\n':
			b.WriteByte('\n')
		case r == '\t':
			b.WriteByte(' ')
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, "\\x%02x", r)
		case r >= 0x80 && r < 0xa0:
			fmt.Fprintf(&b, "\\u%04x", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
