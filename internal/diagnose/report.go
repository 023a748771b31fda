package diagnose

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/kriscelmer/os-tui/agent/plan"
	"github.com/kriscelmer/os-tui/internal/termtext"
)

// Plan is the one plan of every fix, or nil when nothing failed or no
// tool can mend what did. keep says which steps may go in (the shell
// passes the registry's validation, so a fix whose tool this build lacks
// is left to its hint); nil keeps every step.
func (r *Report) Plan(goal string, keep func(Step) bool) *plan.Plan {
	var steps []plan.Step
	dropped := map[string]bool{}
	for _, s := range r.Steps() {
		if keep != nil && !keep(s) || refersTo(s, dropped) {
			dropped[s.ID] = true
			continue
		}
		b, err := json.Marshal(s.Args)
		if err != nil {
			dropped[s.ID] = true
			continue
		}
		steps = append(steps, plan.Step{ID: s.ID, Tool: s.Tool, Args: b, Why: s.Why})
	}
	if len(steps) == 0 {
		return nil
	}
	return &plan.Plan{ID: plan.NewID(), Goal: goal, Origin: plan.OriginSlash, Steps: steps}
}

// refersTo reports whether a step uses the output of a dropped one.
func refersTo(s Step, dropped map[string]bool) bool {
	b, _ := json.Marshal(s.Args)
	for id := range dropped {
		if strings.Contains(string(b), "${"+id+".") {
			return true
		}
	}
	return false
}

// Document is the report as data, for -f json and the model.
type Document struct {
	Server   string       `json:"server"`
	ServerID string       `json:"server_id"`
	Traffic  string       `json:"traffic"`
	Protocol string       `json:"protocol"`
	Port     int          `json:"port,omitempty"`
	From     string       `json:"from"`
	PortID   string       `json:"port_id,omitempty"`
	Address  string       `json:"address,omitempty"`
	Floating string       `json:"floating_ip,omitempty"`
	Failed   int          `json:"failed"`
	Findings []DocFinding `json:"findings"`
	Fix      []Step       `json:"fix"`
	Plan     *plan.Plan   `json:"plan,omitempty"`
}

// DocFinding is one finding as data.
type DocFinding struct {
	Check  string `json:"check"`
	Status string `json:"status"`
	Text   string `json:"text"`
	Fix    []Step `json:"fix,omitempty"`
	Hint   string `json:"hint,omitempty"`
}

// Document returns the report as data; p is the fix plan (nil: none).
func (r *Report) Document(p *plan.Plan) Document {
	doc := Document{
		Server: r.Server.Label(), ServerID: r.Server.ID, Traffic: r.Query.Traffic(),
		Protocol: r.Query.Protocol, Port: r.Query.Port, From: r.Query.From,
		Address: r.Address, Floating: r.Floating, Failed: r.Failed(), Fix: r.Steps(), Plan: p,
		Findings: []DocFinding{},
	}
	if doc.From == "" {
		doc.From = "anywhere"
	}
	if doc.Fix == nil {
		doc.Fix = []Step{}
	}
	if r.Port != nil {
		doc.PortID = r.Port.ID
	}
	for _, f := range r.Findings {
		doc.Findings = append(doc.Findings, DocFinding{Check: f.Check, Status: f.Status.String(), Text: f.Text, Fix: f.Fix, Hint: f.Hint})
	}
	return doc
}

// Summary is the verdict in one sentence.
func (r *Report) Summary() string {
	switch n := r.Failed(); n {
	case 0:
		warns := 0
		for _, f := range r.Findings {
			if f.Status == Warn {
				warns++
			}
		}
		if warns > 0 {
			return fmt.Sprintf("nothing on the path stops %s (%d to look at)", r.Query.Traffic(), warns)
		}
		return "nothing on the path stops " + r.Query.Traffic()
	case 1:
		return "1 link of the path stops " + r.Query.Traffic()
	default:
		return fmt.Sprintf("%d links of the path stop %s", n, r.Query.Traffic())
	}
}

// WriteText prints the report for a person: one line per finding with
// its mark, and the hint under a failed one. Cloud text is escaped.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Path of %s to server %s", r.Query.Traffic(), termtext.Safe(r.Server.Label()))
	if r.Address != "" {
		fmt.Fprintf(&b, " (%s", termtext.Safe(r.Address))
		if r.Floating != "" {
			fmt.Fprintf(&b, ", floating %s", termtext.Safe(r.Floating))
		}
		b.WriteString(")")
	}
	b.WriteString(":\n")
	width := 0
	for _, f := range r.Findings {
		width = max(width, len(f.Check))
	}
	for _, f := range r.Findings {
		fmt.Fprintf(&b, "  %s %-*s  %s\n", f.Status.Mark(), width, f.Check, termtext.Safe(f.Text))
		if f.Status == Fail && f.Hint != "" {
			fmt.Fprintf(&b, "    %-*s  fix: %s\n", width, "", termtext.Safe(f.Hint))
		}
	}
	b.WriteString(r.Summary() + "\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// ForModel is the report as the model is given it: compact JSON of the
// findings and the fix steps (the cloud's names inside are data).
func (r *Report) ForModel() string {
	doc := r.Document(nil)
	b, err := json.Marshal(struct {
		Server   string       `json:"server"`
		Traffic  string       `json:"traffic"`
		Address  string       `json:"address,omitempty"`
		Floating string       `json:"floating_ip,omitempty"`
		Verdict  string       `json:"verdict"`
		Findings []DocFinding `json:"findings"`
	}{doc.Server, doc.Traffic, doc.Address, doc.Floating, r.Summary(), doc.Findings})
	if err != nil {
		return r.Summary()
	}
	return string(b)
}
