package cli

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/kriscelmer/os-tui/agent/gate"
	"github.com/kriscelmer/os-tui/agent/plan"
	"github.com/kriscelmer/os-tui/tools"
)

// reviewMarkdown writes a reviewed plan as markdown: each step with its
// effect badge and why, the preflight findings, the exact requests of
// the dry-run, what is created, deleted (with dependents) or modified,
// its undo, and the quota the plan uses. On a terminal it is rendered
// with glamour; elsewhere it is printed as it is, which reads fine.
func reviewMarkdown(r *gate.Review, plain bool) string {
	mdEscape, bold, code, heading := mdEscapeText, "**", "`", "## "
	if plain {
		// Off a terminal the text is read as it is: no markup to escape.
		mdEscape, bold, code, heading = controlEscape, "", "", ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%sPlan: %s\n\n", heading, mdEscape(r.Plan.Goal))
	for i, s := range r.Steps {
		fmt.Fprintf(&b, "%d. %s%s%s %s[%s]%s %s", i+1, bold, s.Tool.Slash(), bold, code, badge(s.Tool.Effect), code, mdEscape(stepSubject(&s)))
		if s.Step.Why != "" {
			fmt.Fprintf(&b, " — %s", mdEscape(s.Step.Why))
		}
		b.WriteString("\n")
		if s.Err != nil {
			fmt.Fprintf(&b, "   - ✗ %s\n", mdEscape(firstLine(s.Err.Error())))
		}
		if s.Check != nil {
			for _, f := range s.Check.Findings {
				fmt.Fprintf(&b, "   - %s %s\n", levelMark(f.Level), mdEscape(f.Text))
			}
		}
		if s.Preview != nil {
			for _, req := range s.Preview.Requests {
				fmt.Fprintf(&b, "   - %s%s %s%s", code, req.Method, req.URL, code)
				if req.Body != nil {
					body := compactJSON(req.Body)
					if r.Plan.Origin != plan.OriginModel {
						// A person's own command: its body holds nothing they
						// did not type. A model's plan is shown whole.
						body = truncate(body, 600)
					}
					fmt.Fprintf(&b, " %s%s%s", code, body, code)
				}
				b.WriteString("\n")
			}
			for _, c := range s.Preview.Creates {
				fmt.Fprintf(&b, "   - creates %s\n", mdEscape(c))
			}
			for _, d := range s.Preview.Deletes {
				name := d.Name
				if name == "" {
					name = d.ID
				}
				fate := d.Fate
				if fate == "" {
					fate = "deleted"
				}
				fmt.Fprintf(&b, "   - %s %s → %s", d.Kind, mdEscape(name), mdEscape(fate))
				b.WriteString("\n")
			}
			for _, c := range s.Preview.Changes {
				fmt.Fprintf(&b, "   - %s: %s → %s\n", c.Field, mdEscape(fmt.Sprint(orNone(c.From))), mdEscape(fmt.Sprint(orNone(c.To))))
			}
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
		fmt.Fprintf(&b, "\n%sQuota%s\n\n", bold, bold)
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

func stepSubject(s *gate.StepReview) string {
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
	_ = json.Unmarshal(s.Step.Args, &args)
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

func badge(e tools.Effect) string { return e.String() }

func levelMark(l tools.Level) string {
	switch l {
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

// controlEscape keeps cloud-supplied text (names, messages) from acting
// as terminal control sequences.
func controlEscape(s string) string { return escape(s, "") }

// mdEscapeText also keeps it from being read as markdown.
func mdEscapeText(s string) string { return escape(s, "\\`*_[]<>#|") }

func escape(s, special string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, "\\x%02x", r)
		case strings.ContainsRune(special, r):
			b.WriteRune('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
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
