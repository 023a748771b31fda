package planner

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/kriscelmer/os-tui/internal/secrets"
	"github.com/kriscelmer/os-tui/tools"
)

// DefaultBudget is the characters of one read result the model sees when
// the caller gives no budget.
const DefaultBudget = 6000

// Fence returns what the model sees of a read tool's result: a list's
// short columns (ID, Name and Status always), a record's fields without
// secrets, or redacted text; cut to budget characters (head and tail kept,
// with a note saying how many lines were left out); and wrapped in a
// <tool_result> fence that marks it as data. Text from the cloud cannot
// close or open a fence: such tags inside the data are escaped.
func Fence(tool string, res *tools.Result, budget int) string {
	if budget <= 0 {
		budget = DefaultBudget
	}
	body := escapeFence(render(res))
	body = truncate(body, budget)
	return `<tool_result tool="` + attr(tool) + `">` + "\n" + body + "\n</tool_result>"
}

// Status is the structured result the model gets for a call that was
// denied, invalid, blocked, failed or done without data to show:
// {"status":"denied","retryable":false,"errors":[...]}. Errors are
// redacted, since they may quote what the cloud said.
func Status(status string, retryable bool, errs []string) string {
	v := struct {
		Status    string   `json:"status"`
		Retryable bool     `json:"retryable"`
		Errors    []string `json:"errors,omitempty"`
	}{Status: status, Retryable: retryable}
	for _, e := range errs {
		v.Errors = append(v.Errors, secrets.RedactString(e))
	}
	b, err := encodeJSON(v)
	if err != nil {
		// A struct of strings always encodes; keep the answer well-formed anyway.
		return `{"status":"failed","retryable":false}`
	}
	return string(b)
}

// render turns a result into lines of text, secrets removed.
func render(res *tools.Result) string {
	if res == nil {
		return "(no result)"
	}
	var b strings.Builder
	if res.Message != "" {
		b.WriteString(cell(res.Message) + "\n")
	}
	switch {
	case res.List != nil:
		renderList(&b, res.List)
	case res.Record != nil:
		renderRecord(&b, res.Record)
	default:
		b.WriteString(secrets.RedactString(res.Text))
	}
	return strings.TrimRight(b.String(), "\n")
}

// alwaysShown are list columns the model gets even when they are long:
// without them it cannot name what it is talking about.
var alwaysShown = map[string]bool{"id": true, "name": true, "status": true}

// renderList writes a header and one tab-separated line per row. Long
// columns stay out: the model can ask for a resource's details with a
// show tool, and every column costs tokens on every row.
func renderList(b *strings.Builder, l *tools.List) {
	var cols []int
	var header []string
	for i, c := range l.Columns {
		if deniedField(c.Name) || (c.Long && !alwaysShown[strings.ToLower(c.Name)]) {
			continue
		}
		cols = append(cols, i)
		header = append(header, cell(c.Name))
	}
	b.WriteString(strings.Join(header, "\t") + "\n")
	if len(l.Rows) == 0 {
		b.WriteString("(no rows)\n")
		return
	}
	row := make([]string, len(cols))
	for _, r := range l.Rows {
		for j, i := range cols {
			row[j] = ""
			if i < len(r) {
				row[j] = cell(value(r[i]))
			}
		}
		b.WriteString(strings.Join(row, "\t") + "\n")
	}
	fmt.Fprintf(b, "(%d rows)\n", len(l.Rows))
}

// renderRecord writes one "name: value" line per field that is not secret.
func renderRecord(b *strings.Builder, r *tools.Record) {
	for _, f := range r.Fields {
		if deniedField(f.Name) {
			continue
		}
		b.WriteString(cell(f.Name) + ": " + cell(value(f.Value)) + "\n")
	}
}

// deniedField reports fields whose values never reach the model:
// passwords, tokens, private keys, temp-URL keys and user data, also
// under a namespace prefix ("OS-EXT-SRV-ATTR:user_data") or written with
// spaces ("Private Key").
func deniedField(name string) bool {
	n := strings.ReplaceAll(name, " ", "_")
	if i := strings.LastIndex(n, ":"); i >= 0 {
		if secrets.IsSecretKey(n[i+1:]) {
			return true
		}
	}
	return secrets.IsSecretKey(n)
}

// value formats one list or record value. Maps and other structures go
// through secrets.Redact, which hides secret keys at any depth (server
// metadata may hold a "db_password").
func value(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return redactText(x)
	case []string:
		parts := make([]string, len(x))
		for i, s := range x {
			parts[i] = redactText(s)
		}
		return strings.Join(parts, ",")
	case bool, int, int64, float64, json.Number:
		return fmt.Sprint(x)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return secrets.Placeholder
	}
	return string(secrets.Redact(b))
}

// redactText redacts a string value; one that is a JSON document is
// redacted by key as well (a volume's metadata blob, a fault's details).
func redactText(s string) string {
	t := strings.TrimSpace(s)
	if t != "" && (t[0] == '{' || t[0] == '[') && json.Valid([]byte(t)) {
		return string(secrets.Redact(json.RawMessage(t)))
	}
	return secrets.RedactString(s)
}

// cell makes a value one line: a name with a newline in it must not be
// able to start a line of its own that looks like something else.
func cell(s string) string {
	s = secrets.RedactString(s)
	return strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return ' '
		}
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s)
}

// fenceTag matches anything that reads as a fence tag, opening or
// closing, however spaced or cased.
var fenceTag = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?i)<(\s*/?\s*tool_result)`) })

// escapeFence defuses fence tags inside data.
func escapeFence(s string) string {
	return fenceTag().ReplaceAllString(s, "&lt;$1")
}

// attr makes a tool name safe inside the fence's attribute.
func attr(s string) string {
	return strings.NewReplacer(`"`, "&quot;", "<", "&lt;", ">", "&gt;", "\n", " ").Replace(s)
}

// omittedNote is the line left where lines were cut out.
const omittedNote = "[... %d lines omitted; narrow your query (filters, -c columns) to see them ...]"

// truncate cuts s to about budget characters, keeping whole lines from
// the head and the tail (a list's header and a console log's last words
// both matter) and saying how many lines were left out. A single line
// longer than a quarter of the budget is cut first, so one huge line
// cannot crowd out every other.
func truncate(s string, budget int) string {
	if utf8.RuneCountInString(s) <= budget {
		return s
	}
	lines := strings.Split(s, "\n")
	maxLine := max(budget/4, 80)
	for i, l := range lines {
		if n := utf8.RuneCountInString(l); n > maxLine {
			lines[i] = string([]rune(l)[:maxLine]) + fmt.Sprintf(" [... %d characters cut]", n-maxLine)
		}
	}
	room := budget - len(omittedNote) - 8
	headRoom, tailRoom := room/2, room-room/2
	var head, tail []string
	used := 0
	for _, l := range lines {
		n := utf8.RuneCountInString(l) + 1
		if used+n > headRoom {
			break
		}
		head = append(head, l)
		used += n
	}
	used = 0
	for i := len(lines) - 1; i >= len(head); i-- {
		n := utf8.RuneCountInString(lines[i]) + 1
		if used+n > tailRoom {
			break
		}
		tail = append(tail, lines[i])
		used += n
	}
	omitted := len(lines) - len(head) - len(tail)
	if omitted == 0 {
		// Cutting long lines was enough.
		return strings.Join(lines, "\n")
	}
	slices.Reverse(tail)
	out := append(head, fmt.Sprintf(omittedNote, omitted))
	return strings.Join(append(out, tail...), "\n")
}
