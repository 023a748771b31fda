package mcpserver

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kriscelmer/os-tui/agent/session"
	"github.com/kriscelmer/os-tui/internal/iostreams"
	"github.com/kriscelmer/os-tui/internal/render"
	"github.com/kriscelmer/os-tui/internal/secrets"
	"github.com/kriscelmer/os-tui/tools"
)

// Statuses of a result, the words ostui's own model reads.
const (
	statusOK      = session.StatusOK
	statusDenied  = session.StatusDenied
	statusInvalid = session.StatusInvalid
	statusBlocked = session.StatusBlocked
	statusFailed  = session.StatusFailed
)

// status is the structured result of a call that did not answer with
// data: {"status":"invalid","retryable":true,"errors":[...]}.
type status struct {
	Status    string   `json:"status"`
	Retryable bool     `json:"retryable"`
	Errors    []string `json:"errors,omitempty"`
}

// statusResult is a failed call as a tool result (isError), never a
// protocol error: the client's model reads it and can correct itself.
// Errors are redacted, since they may quote what the cloud said.
func statusResult(st string, retryable bool, errs ...string) *mcp.CallToolResult {
	v := status{Status: st, Retryable: retryable}
	for _, e := range errs {
		v.Errors = append(v.Errors, secrets.RedactString(e))
	}
	return jsonResult(v, st != statusOK)
}

// jsonResult is v as structured content and as its JSON text (clients
// that read only text get the same).
func jsonResult(v any, isError bool) *mcp.CallToolResult {
	b, err := encode(v)
	if err != nil {
		// Every value passed here encodes; stay well-formed anyway.
		return &mcp.CallToolResult{IsError: true, Content: []mcp.Content{&mcp.TextContent{Text: `{"status":"failed","retryable":false}`}}}
	}
	var structured map[string]any
	if err := json.Unmarshal(b, &structured); err != nil {
		structured = nil
	}
	return &mcp.CallToolResult{IsError: isError, Content: []mcp.Content{&mcp.TextContent{Text: string(b)}}, StructuredContent: structured}
}

// readData is a read's result as a client gets it: one of Rows (a list,
// as `ostui -f json` prints it), Record (a show) or Text, and the
// tool's one-line Message. Omitted says how many rows did not fit the
// budget, and Note what to do about it.
type readData struct {
	Rows    *[]json.RawMessage `json:"rows,omitempty"`
	Record  json.RawMessage    `json:"record,omitempty"`
	Text    *string            `json:"text,omitempty"`
	Message string             `json:"message,omitempty"`
	Omitted int                `json:"omitted_rows,omitempty"`
	Note    string             `json:"note,omitempty"`
}

// readResult shapes a read's result for a client: secrets left out and
// redacted as for ostui's own model (session.Redacted), columns and
// values as `ostui -f json` prints them (the openstack CLI's shape),
// and cut to about budget characters — whole rows, so what is sent is
// still valid JSON, with a note saying how to narrow the query.
func readResult(res *tools.Result, budget int) *mcp.CallToolResult {
	r := session.Redacted(res)
	if r == nil {
		r = &tools.Result{}
	}
	data := readData{Message: r.Message}
	switch {
	case r.List != nil:
		rows, err := machineJSON(&tools.Result{List: r.List})
		if err != nil {
			return statusResult(statusFailed, false, err.Error())
		}
		var all []json.RawMessage
		if err := json.Unmarshal(rows, &all); err != nil {
			return statusResult(statusFailed, false, "encode rows: "+err.Error())
		}
		kept := []json.RawMessage{}
		used := 0
		for i, row := range all {
			var c bytes.Buffer
			if err := json.Compact(&c, row); err != nil {
				return statusResult(statusFailed, false, "encode rows: "+err.Error())
			}
			if used+c.Len()+1 > budget {
				data.Omitted = len(all) - i
				data.Note = fmt.Sprintf("%d of %d rows are shown; narrow the query (filters) to see the rest", i, len(all))
				break
			}
			kept = append(kept, c.Bytes())
			used += c.Len() + 1
		}
		data.Rows = &kept
	case r.Record != nil:
		cut := &tools.Record{}
		for _, f := range r.Record.Fields {
			if s, ok := f.Value.(string); ok {
				f.Value = session.Truncate(s, max(budget/4, 200))
			}
			cut.Fields = append(cut.Fields, f)
		}
		rec, err := machineJSON(&tools.Result{Record: cut})
		if err != nil {
			return statusResult(statusFailed, false, err.Error())
		}
		data.Record = rec
	default:
		text := session.Truncate(r.Text, budget)
		data.Text = &text
	}
	return jsonResult(data, false)
}

// machineJSON renders a result as `ostui -f json` does, so a client sees
// the columns and values a script would.
func machineJSON(res *tools.Result) (json.RawMessage, error) {
	ios, _, out, _ := iostreams.Test()
	if err := render.Render(ios, res, render.Options{Format: render.FormatJSON}); err != nil {
		return nil, fmt.Errorf("render result: %w", err)
	}
	return json.RawMessage(bytes.TrimSpace(out.Bytes())), nil
}

// encode writes v as compact JSON without HTML escaping ("<redacted>"
// stays readable).
func encode(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return []byte(strings.TrimSuffix(b.String(), "\n")), nil
}
