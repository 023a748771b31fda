package overview

import (
	"fmt"
	"strings"
	"time"

	"github.com/kriscelmer/os-tui/internal/termtext"
)

// BarText draws a quota bar of width cells: "#" for used, "." for free
// ("[#####.....]"); unlimited lines draw no bar.
func BarText(b Bar, width int) string {
	if width < 3 || b.Unlimited() {
		return strings.Repeat(" ", max(width, 0))
	}
	inner := width - 2
	filled := int(b.Percent()/100*float64(inner) + 0.5)
	filled = min(max(filled, 0), inner)
	if filled == 0 && b.InUse > 0 {
		filled = 1 // something is used: show it
	}
	return "[" + strings.Repeat("#", filled) + strings.Repeat(".", inner-filled) + "]"
}

// Usage is a bar's numbers: "3 of 10 (30%)", or "3 (no limit)".
func Usage(b Bar) string {
	if b.Unlimited() {
		return fmt.Sprintf("%d (no limit)", b.InUse)
	}
	return fmt.Sprintf("%d of %d (%.0f%%)", b.InUse, b.Limit, b.Percent())
}

// LevelText marks a bar's level in text: "", "above 75%", "above 90%".
func LevelText(l Level) string {
	switch l {
	case Critical:
		return "above 90%"
	case Warn:
		return "above 75%"
	}
	return ""
}

// Left writes how long until t ("7h58m", "3 days", "expired").
func Left(t, now time.Time) string {
	d := t.Sub(now)
	switch {
	case d <= 0:
		return "expired"
	case d >= 48*time.Hour:
		return fmt.Sprintf("%d days", int(d.Hours()/24))
	}
	d = d.Round(time.Minute)
	return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
}

// Lines are a panel's body as plain lines (no title), cloud text escaped
// for a terminal. Views draw the same lines with colour; the text version
// of /overview prints them under each title.
func Lines(p Panel, now time.Time) []string {
	switch p.State {
	case Loading:
		return []string{"loading…"}
	case Missing, Forbidden, Failed:
		return []string{termtext.Safe(p.Err)}
	}
	var out []string
	switch {
	case p.ID == QuotaCompute || p.ID == QuotaNetwork || p.ID == QuotaVolume:
		w := 0
		for _, b := range p.Quota {
			w = max(w, len(quotaName(b)))
		}
		for _, b := range p.Quota {
			line := fmt.Sprintf("%-*s %s %s", w, termtext.Safe(quotaName(b)), BarText(b, 22), Usage(b))
			if l := LevelText(b.Level()); l != "" {
				line += "  " + l
			}
			out = append(out, line)
		}
		if len(out) == 0 {
			out = append(out, "no quotas reported")
		}
	case p.ID == Status:
		for _, c := range p.Counts {
			if c.Err != "" {
				out = append(out, fmt.Sprintf("%-13s %s", c.Kind, termtext.Safe(c.Err)))
				continue
			}
			var parts []string
			for _, s := range c.ByStatus {
				parts = append(parts, fmt.Sprintf("%d %s", s.N, termtext.Safe(s.Status)))
			}
			line := fmt.Sprintf("%-13s %d", c.Kind, c.Total)
			if len(parts) > 0 {
				line += ": " + strings.Join(parts, ", ")
			}
			out = append(out, line)
		}
	case p.ID == Orphans:
		if len(p.Orphans) == 0 {
			out = append(out, "none found")
		}
		for _, o := range p.Orphans {
			out = append(out, fmt.Sprintf("%-15s %s  %s", o.Kind, termtext.Safe(o.Label()), termtext.Safe(o.Why)))
		}
	case p.ID == Actions:
		for _, f := range p.Faults {
			out = append(out, fmt.Sprintf("ERROR %s: %s", termtext.Safe(orName(f.Server, f.ServerID)), termtext.Safe(faultText(f))))
		}
		if len(p.Actions) == 0 {
			out = append(out, "no recent actions")
		}
		for _, a := range p.Actions {
			line := fmt.Sprintf("%s  %-10s %s", termtext.Safe(a.StartText), termtext.Safe(a.Action), termtext.Safe(orName(a.Server, a.ServerID)))
			if a.Failed() {
				line += "  FAILED: " + termtext.Safe(a.Message)
			}
			out = append(out, line)
		}
	case p.ID == Auth && p.Login != nil:
		l := p.Login
		if !l.TokenExpires.IsZero() {
			out = append(out, fmt.Sprintf("token expires %s (in %s)", l.TokenExpires.UTC().Format(time.RFC3339), Left(l.TokenExpires, now)))
		}
		switch {
		case !l.AppKnown:
			out = append(out, termtext.Safe(l.AppNote))
		case len(l.AppCredentials) == 0:
			out = append(out, "no application credentials")
		}
		for _, c := range l.AppCredentials {
			when := "never expires"
			if !c.Expires.IsZero() {
				when = "expires " + c.Expires.UTC().Format(time.RFC3339) + " (in " + Left(c.Expires, now) + ")"
			}
			out = append(out, fmt.Sprintf("application credential %s %s", termtext.Safe(orName(c.Name, c.ID)), when))
		}
	}
	for _, n := range p.Notes {
		out = append(out, "note: "+termtext.Safe(n))
	}
	return out
}

func quotaName(b Bar) string {
	if b.Type != "" {
		return b.Resource + " (" + b.Type + ")"
	}
	return b.Resource
}

func orName(name, id string) string {
	if strings.TrimSpace(name) != "" {
		return name
	}
	return id
}

func faultText(f Fault) string {
	s := f.Message
	if s == "" {
		s = "no fault recorded"
	}
	if f.Code != 0 {
		s = fmt.Sprintf("%s (code %d)", s, f.Code)
	}
	return s
}

// Text is the overview as plain text: each panel's title and its lines.
func Text(panels []Panel, now time.Time) string {
	var b strings.Builder
	for i, p := range panels {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(p.Title)
		b.WriteByte('\n')
		for _, l := range Lines(p, now) {
			b.WriteString("  ")
			b.WriteString(l)
			b.WriteByte('\n')
		}
	}
	return b.String()
}
