package planner

import (
	"encoding/json"

	"github.com/kriscelmer/os-tui/internal/secrets"
	"github.com/kriscelmer/os-tui/tools"
)

// Redacted returns a copy of a read tool's result as it may leave ostui
// for a caller other than the person's own terminal — an MCP client,
// whose model is as untrusted as ostui's own. It applies Fence's rules
// (fields that hold secrets are left out, every value is redacted) but
// keeps values as data, so the caller can encode them as JSON. Outputs,
// request IDs and waits are not copied: a read produces none worth
// sharing.
func Redacted(res *tools.Result) *tools.Result {
	if res == nil {
		return nil
	}
	out := &tools.Result{Message: secrets.RedactString(res.Message), Text: secrets.RedactString(res.Text)}
	if res.List != nil {
		l := &tools.List{Rows: [][]any{}}
		var keep []int
		for i, c := range res.List.Columns {
			if deniedField(c.Name) {
				continue
			}
			keep = append(keep, i)
			l.Columns = append(l.Columns, c)
		}
		for _, r := range res.List.Rows {
			row := make([]any, len(keep))
			for j, i := range keep {
				if i < len(r) {
					row[j] = redactValue(r[i])
				}
			}
			l.Rows = append(l.Rows, row)
		}
		out.List = l
	}
	if res.Record != nil {
		rec := &tools.Record{}
		for _, f := range res.Record.Fields {
			if deniedField(f.Name) {
				continue
			}
			rec.Fields = append(rec.Fields, tools.Field{Name: f.Name, Value: redactValue(f.Value), Kind: f.Kind})
		}
		out.Record = rec
	}
	return out
}

// Truncate cuts s to about budget characters as Fence does: whole lines
// from the head and the tail, and a note saying how many lines were left
// out and how to see them.
func Truncate(s string, budget int) string {
	if budget <= 0 {
		budget = DefaultBudget
	}
	return truncate(s, budget)
}

// redactValue redacts one value and keeps its type where it can: a
// string stays a string, a map of strings loses its secret keys' values
// (server metadata may hold a "db_password"), and any other structure is
// redacted by key at any depth.
func redactValue(v any) any {
	switch x := v.(type) {
	case nil, bool, int, int64, float64, json.Number:
		return x
	case string:
		return redactText(x)
	case []string:
		out := make([]string, len(x))
		for i, s := range x {
			out[i] = redactText(s)
		}
		return out
	case map[string]string:
		out := make(map[string]string, len(x))
		for k, s := range x {
			if deniedField(k) {
				out[k] = secrets.Placeholder
				continue
			}
			out[k] = redactText(s)
		}
		return out
	}
	b, err := json.Marshal(v)
	if err != nil {
		return secrets.Placeholder
	}
	var out any
	if err := json.Unmarshal(secrets.Redact(b), &out); err != nil {
		return secrets.Placeholder
	}
	return out
}
