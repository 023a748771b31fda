// Package review writes a reviewed plan for the person who approves it:
// each step with its effect badge and why, the preflight findings, the
// exact requests of the dry-run, what is created, deleted (with
// dependents) or modified, its undo, and the quota the plan uses. Every
// front end shows the same text: the REPL (through glamour on a
// terminal), an MCP client's elicitation, the plan-review view.
package review

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/kriscelmer/os-tui/agent/gate"
	"github.com/kriscelmer/os-tui/agent/plan"
	"github.com/kriscelmer/os-tui/internal/secrets"
	"github.com/kriscelmer/os-tui/internal/termtext"
	"github.com/kriscelmer/os-tui/tools"
)

// bodyLimit is how much of a request body a person's own command shows.
const bodyLimit = 600

// style is how text is marked up: markdown to be rendered, or plain text
// read as it is.
type style struct {
	text          func(string) string
	code          func(string) string
	bold, heading string
}

var (
	markdownStyle = style{text: termtext.Markdown, code: termtext.MarkdownCode, bold: "**", heading: "## "}
	plainStyle    = style{text: termtext.Safe, code: termtext.Safe}
)

// Markdown is the review as markdown, for a renderer such as glamour.
// Cloud-supplied text in it is escaped for both markdown and the terminal.
func Markdown(r *gate.Review) string { return write(r, markdownStyle) }

// Plain is the review as plain text (a pipe, a log, an MCP client's
// elicitation message): no markup, every control character escaped.
func Plain(r *gate.Review) string { return write(r, plainStyle) }

func write(r *gate.Review, st style) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%sPlan: %s\n\n", st.heading, st.text(r.Plan.Goal))
	for i, s := range r.Steps {
		fmt.Fprintf(&b, "%d. %s%s%s %s %s", i+1, st.bold, s.Tool.Slash(), st.bold, st.code("["+Badge(s.Tool.Effect)+"]"), st.text(StepSubject(&s)))
		if s.Step.Why != "" {
			fmt.Fprintf(&b, " — %s", st.text(s.Step.Why))
		}
		b.WriteString("\n")
		if s.Held != nil {
			// Nothing runs for this step: its goal already holds.
			fmt.Fprintf(&b, "   - ✓ %s\n", st.text(s.Held.Text))
			continue
		}
		if s.HoldsNote != "" {
			fmt.Fprintf(&b, "   - ⚠ %s\n", st.text(s.HoldsNote))
		}
		if s.Err != nil {
			fmt.Fprintf(&b, "   - ✗ %s\n", st.text(firstLine(s.Err.Error())))
		}
		if s.Check != nil {
			for _, f := range bySeverity(s.Check.Findings) {
				if f.Level == tools.Danger {
					fmt.Fprintf(&b, "   - %s %sDANGER:%s %s\n", levelMark(f.Level), st.bold, st.bold, st.text(f.Text))
					continue
				}
				fmt.Fprintf(&b, "   - %s %s\n", levelMark(f.Level), st.text(f.Text))
			}
		}
		if s.Preview != nil {
			writePreview(&b, st, r.Plan, s.Preview)
		}
		if s.Tool.Undo != nil {
			if call := s.Tool.Undo(s.Step.Args, &tools.Result{}); call != nil {
				fmt.Fprintf(&b, "   - undo: /%s\n", strings.ReplaceAll(call.Tool, ".", " "))
			}
		} else if s.Tool.Effect != tools.Read {
			b.WriteString("   - no undo\n")
		}
	}
	if len(r.Quota) > 0 {
		fmt.Fprintf(&b, "\n%sQuota%s\n\n", st.bold, st.bold)
		for _, q := range r.Quota {
			limit := fmt.Sprint(q.Limit)
			if q.Limit < 0 {
				limit = "unlimited"
			}
			mark := "✓"
			if q.Limit >= 0 && q.InUse+q.Delta > q.Limit {
				mark = "✗"
			}
			fmt.Fprintf(&b, "- %s %s %s: %d → %d of %s\n", mark, q.Service, q.Resource, q.InUse, q.InUse+q.Delta, limit)
		}
	}
	return b.String()
}

func writePreview(b *strings.Builder, st style, p *plan.Plan, pv *tools.Preview) {
	for _, req := range pv.Requests {
		fmt.Fprintf(b, "   - %s", st.code(req.Method+" "+req.URL))
		if req.Body != nil {
			body := compactJSON(req.Body)
			if p.Origin == plan.OriginSlash || p.Origin == plan.OriginRecipe {
				// A person's own command: its body holds nothing they did
				// not type. A plan from a model or an MCP client is shown
				// whole, so nothing can hide past the cut.
				body = truncate(body, bodyLimit)
			}
			fmt.Fprintf(b, " %s", st.code(body))
		}
		b.WriteString("\n")
	}
	for _, c := range pv.Creates {
		fmt.Fprintf(b, "   - creates %s\n", st.text(c))
	}
	for _, d := range pv.Deletes {
		name := d.Name
		if name == "" {
			name = d.ID
		}
		fate := d.Fate
		if fate == "" {
			fate = "deleted"
		}
		fmt.Fprintf(b, "   - %s %s → %s\n", st.text(d.Kind), st.text(name), st.text(fate))
	}
	for _, c := range pv.Changes {
		fmt.Fprintf(b, "   - %s: %s → %s\n", st.text(c.Field), st.text(fmt.Sprint(orNone(c.From))), st.text(fmt.Sprint(orNone(c.To))))
	}
}

// StepSubject names what a step acts on ("server web-1"), or, before its
// targets are known, its arguments. The text is the cloud's and the
// plan's: escape it for where it is shown.
func StepSubject(s *gate.StepReview) string {
	if s.Check != nil && len(s.Check.Targets) > 0 {
		var parts []string
		for _, t := range s.Check.Targets {
			name := t.Name
			if name == "" {
				name = t.ID
			}
			parts = append(parts, t.Kind+" "+name)
		}
		return strings.Join(parts, ", ")
	}
	var args map[string]any
	// Arguments passed schema validation: an object. A secret among them
	// (a temp-URL key) is never printed: the review reaches MCP clients
	// and logs as well as the person who typed it.
	_ = json.Unmarshal(secrets.Redact(s.Step.Args), &args)
	keys := make([]string, 0, len(args))
	for k := range args {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s=%v", k, args[k]))
	}
	return strings.Join(parts, " ")
}

// Badge is a step's effect as the review shows it.
func Badge(e tools.Effect) string { return e.String() }

// DangerBanner is the review's Danger findings again, one line each,
// painted by red (a ColorScheme's Red; identity where colour is off), for
// the end of the review right above the approval prompt: a guardrail the
// person overrode must be the last thing read before saying yes. It is
// "" when there are none. The text is escaped like the review's own.
func DangerBanner(r *gate.Review, red func(string) string) string {
	var b strings.Builder
	for i, s := range r.Steps {
		if s.Check == nil {
			continue
		}
		for _, f := range s.Check.Findings {
			if f.Level == tools.Danger {
				b.WriteString(red(fmt.Sprintf("‼ DANGER (step %d, %s): %s", i+1, s.Tool.Slash(), termtext.Safe(f.Text))))
				b.WriteString("\n")
			}
		}
	}
	return b.String()
}

// bySeverity puts Danger findings first, the rest in the order the tool
// gave them: an overridden guardrail leads its step.
func bySeverity(fs []tools.Finding) []tools.Finding {
	out := make([]tools.Finding, 0, len(fs))
	for _, f := range fs {
		if f.Level == tools.Danger {
			out = append(out, f)
		}
	}
	for _, f := range fs {
		if f.Level != tools.Danger {
			out = append(out, f)
		}
	}
	return out
}

func levelMark(l tools.Level) string {
	switch l {
	case tools.Danger:
		return "‼"
	case tools.Block:
		return "✗"
	case tools.Warn:
		return "!"
	}
	return "✓"
}

func orNone(v any) any {
	if v == nil || v == "" {
		return "(none)"
	}
	return v
}

func firstLine(s string) string {
	first, _, _ := strings.Cut(s, "\n")
	return first
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// compactJSON encodes v without HTML escaping, so placeholders like
// "<40 bytes from FILE>" read as written.
func compactJSON(v any) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return strings.TrimSuffix(b.String(), "\n")
}
