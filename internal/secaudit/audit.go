// Package secaudit is the security audit: every security group's rules
// weighed by what they open to the whole internet (SSH, RDP, databases,
// all ports, wide ranges: the same list the rule guardrail refuses), with
// the severity lowered for a group no port uses, since nothing is exposed
// through it today.
//
// It reads through a Reader (the engine's read path in the shell) and
// returns findings as data, so the /security audit command, the model's
// /advise and the overview view all show the same findings.
package secaudit

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/kriscelmer/os-tui/tools"
	"github.com/kriscelmer/os-tui/tools/network/secgroups"
)

// Severity ranks a finding: the exposure kernel's grade, one step lower
// for a group no port uses.
type Severity = secgroups.Severity

// Group is one security group with its rules and how many ports use it.
type Group struct {
	ID        string
	Name      string
	ProjectID string
	Rules     []secgroups.Rule
	// Ports is how many ports have the group; meaningful only when
	// PortsKnown (the port list could be read).
	Ports      int
	PortsKnown bool
}

// label names the group for a person: its name, or its ID when unnamed.
func (g Group) label() string {
	if strings.TrimSpace(g.Name) != "" {
		return g.Name
	}
	return g.ID
}

// Finding is one rule of one group that exposes something to the world.
type Finding struct {
	Severity Severity `json:"-"`
	Group    string
	GroupID  string
	Project  string
	RuleID   string
	// Rule reads as "ingress IPv4 tcp 5432 from 0.0.0.0/0".
	Rule string
	// Exposure names what is open: "PostgreSQL (tcp 5432)".
	Exposure string
	// Why says what an attacker could do with it.
	Why string
	// Ports is how many ports use the group (-1: unknown).
	Ports int
	// Note says why the severity is what it is.
	Note string
}

// Grade weighs every group's rules. Findings come most serious first,
// then by group, exposure and rule, so the same cloud reads the same way.
func Grade(groups []Group) []Finding {
	var out []Finding
	for _, g := range groups {
		for _, r := range g.Rules {
			for _, x := range secgroups.Exposure(r) {
				f := Finding{
					Severity: x.Severity, Group: g.label(), GroupID: g.ID, Project: g.ProjectID,
					RuleID: r.ID, Rule: r.String(), Exposure: exposureText(x),
					Why: x.Why, Ports: -1,
				}
				switch {
				case !g.PortsKnown:
					f.Note = "open to the world; which ports use the group is unknown"
				case g.Ports == 0:
					f.Ports = 0
					f.Severity = f.Severity.Lower()
					f.Note = "open to the world, but no port uses the group (severity lowered)"
				default:
					f.Ports = g.Ports
					f.Note = fmt.Sprintf("open to the world on %s", plural(g.Ports, "port"))
				}
				out = append(out, f)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Severity != b.Severity {
			return a.Severity > b.Severity
		}
		if a.Group != b.Group {
			return a.Group < b.Group
		}
		if a.GroupID != b.GroupID {
			return a.GroupID < b.GroupID
		}
		if a.Exposure != b.Exposure {
			return a.Exposure < b.Exposure
		}
		return a.RuleID < b.RuleID
	})
	return out
}

// exposureText names a risk: "SSH (tcp 22)", "all ports (any protocol)".
func exposureText(x secgroups.Risk) string {
	if x.Protocol == "any" {
		return x.Service + " (any protocol)"
	}
	return fmt.Sprintf("%s (%s %s)", x.Service, x.Protocol, x.Port)
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// Report is an audit's outcome: the findings and what was looked at.
type Report struct {
	Findings []Finding
	// Groups and Rules count what was audited.
	Groups, Rules int
	// Skipped names what could not be read (the port list), with why.
	Skipped []string
}

// Summary is one line: "2 findings in 1 of 5 security groups (14 rules)".
func (r *Report) Summary() string {
	if len(r.Findings) == 0 {
		return fmt.Sprintf("no security group opens a risky port to the world (%s, %s audited)",
			plural(r.Groups, "group"), plural(r.Rules, "rule"))
	}
	groups := map[string]bool{}
	for _, f := range r.Findings {
		groups[f.GroupID] = true
	}
	return fmt.Sprintf("%s in %d of %s (%s)", plural(len(r.Findings), "finding"), len(groups),
		plural(r.Groups, "security group"), plural(r.Rules, "rule"))
}

// List is the findings as a table: the columns a person needs by default,
// IDs and the project with --long.
func (r *Report) List() *tools.List {
	l := &tools.List{Columns: []tools.Column{
		{Name: "Severity"}, {Name: "Group"}, {Name: "Exposure"}, {Name: "Rule"}, {Name: "Ports"},
		{Name: "Note", Long: true}, {Name: "Why", Long: true}, {Name: "Rule ID", Long: true}, {Name: "Group ID", Long: true},
		{Name: "Project", Long: true},
	}}
	for _, f := range r.Findings {
		var ports any = f.Ports
		if f.Ports < 0 {
			ports = nil
		}
		l.Rows = append(l.Rows, []any{
			f.Severity.String(), f.Group, f.Exposure, f.Rule, ports, f.Note, f.Why, f.RuleID, f.GroupID, f.Project,
		})
	}
	return l
}

// Result is the report as a read result: the table and the summary.
func (r *Report) Result() *tools.Result {
	return &tools.Result{List: r.List(), Message: r.Summary()}
}

// ForModel is the report with every column shown: a model cannot ask for
// --long, and the rule and group IDs are what its advice must name.
func (r *Report) ForModel() *tools.Result {
	res := r.Result()
	for i := range res.List.Columns {
		res.List.Columns[i].Long = false
	}
	return res
}

// Reader reads one list through a read tool ("security-group.list") with
// the given arguments (nil: none). The shell passes the engine's read
// path, so the audit's reads are the reads any command makes.
type Reader func(ctx context.Context, tool string, args map[string]any) (*tools.List, error)

// Options narrow an audit.
type Options struct {
	// Project is a project ID: only its groups (and ports) are audited.
	// Empty: every group the credentials can see.
	Project string
}

// Audit reads the groups, their rules and the ports and grades them. A port
// list that cannot be read leaves severities unlowered and says so in
// Skipped; groups or rules that cannot be read are an error.
func Audit(ctx context.Context, read Reader, opts Options) (*Report, error) {
	var filter map[string]any
	if opts.Project != "" {
		filter = map[string]any{"project": opts.Project}
	}
	gl, err := read(ctx, "security-group.list", filter)
	if err != nil {
		return nil, fmt.Errorf("read security groups: %w", err)
	}
	rl, err := read(ctx, "security-group.rule.list", nil)
	if err != nil {
		return nil, fmt.Errorf("read security group rules: %w", err)
	}
	rep := &Report{}
	pl, perr := read(ctx, "port.list", filter)
	if perr != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		first, _, _ := strings.Cut(perr.Error(), "\n")
		rep.Skipped = append(rep.Skipped, "port.list: "+first+" (severities are not lowered for unused groups)")
		pl = nil
	}
	groups, err := Groups(gl, rl, pl)
	if err != nil {
		return nil, err
	}
	rep.Groups = len(groups)
	for _, g := range groups {
		rep.Rules += len(g.Rules)
	}
	rep.Findings = Grade(groups)
	return rep, nil
}

// Groups joins the three lists the read tools return: security groups,
// rules (of any groups; those of groups not listed are dropped) and ports
// (nil when they could not be read).
func Groups(groups, rules, ports *tools.List) ([]Group, error) {
	if groups == nil {
		return nil, errors.New("no security group list to audit")
	}
	gcols, err := columns(groups, "ID", "Name", "Project")
	if err != nil {
		return nil, fmt.Errorf("security group list: %w", err)
	}
	var out []Group
	index := map[string]int{}
	for _, row := range groups.Rows {
		g := Group{ID: str(row, gcols[0]), Name: str(row, gcols[1]), ProjectID: str(row, gcols[2]), PortsKnown: ports != nil}
		if g.ID == "" {
			continue
		}
		index[g.ID] = len(out)
		out = append(out, g)
	}
	if rules != nil {
		rs, err := Rules(rules)
		if err != nil {
			return nil, err
		}
		for _, r := range rs {
			if i, ok := index[r.SecurityGroupID]; ok {
				out[i].Rules = append(out[i].Rules, r)
			}
		}
	}
	if ports != nil {
		pcols, err := columns(ports, "Security Groups")
		if err != nil {
			return nil, fmt.Errorf("port list: %w", err)
		}
		for _, row := range ports.Rows {
			for _, id := range strs(row, pcols[0]) {
				if i, ok := index[id]; ok {
					out[i].Ports++
				}
			}
		}
	}
	return out, nil
}

// Rules reads security-group.rule.list's table back into rules.
func Rules(l *tools.List) ([]secgroups.Rule, error) {
	c, err := columns(l, "ID", "IP Protocol", "Ethertype", "IP Range", "Port Range", "Direction",
		"Remote Security Group", "Remote Address Group", "Description", "Security Group")
	if err != nil {
		return nil, fmt.Errorf("security group rule list: %w", err)
	}
	out := make([]secgroups.Rule, 0, len(l.Rows))
	for _, row := range l.Rows {
		r := secgroups.Rule{
			ID: str(row, c[0]), EtherType: str(row, c[2]), Direction: str(row, c[5]),
			Description: str(row, c[8]), SecurityGroupID: str(row, c[9]),
			Protocol: opt(row, c[1]), RemoteGroupID: opt(row, c[6]), RemoteAddressGroupID: opt(row, c[7]),
		}
		if r.RemoteGroupID == nil && r.RemoteAddressGroupID == nil {
			r.RemoteIPPrefix = opt(row, c[3])
		}
		if pr := str(row, c[4]); pr != "" {
			lo, hi, err := ParsePorts(pr)
			if err != nil {
				return nil, fmt.Errorf("rule %s: %w", r.ID, err)
			}
			r.PortRangeMin = &lo
			if hi != nil {
				r.PortRangeMax = hi
			}
		}
		out = append(out, r)
	}
	return out, nil
}

// columns finds the named columns of a list, or says which is missing.
func columns(l *tools.List, names ...string) ([]int, error) {
	out := make([]int, len(names))
	for i, n := range names {
		out[i] = -1
		for j, c := range l.Columns {
			if strings.EqualFold(c.Name, n) {
				out[i] = j
				break
			}
		}
		if out[i] < 0 {
			return nil, fmt.Errorf("no %q column", n)
		}
	}
	return out, nil
}

func cell(row []any, i int) any {
	if i < 0 || i >= len(row) {
		return nil
	}
	return row[i]
}

func str(row []any, i int) string {
	switch v := cell(row, i).(type) {
	case string:
		return v
	case nil:
		return ""
	default:
		return fmt.Sprint(v)
	}
}

func opt(row []any, i int) *string {
	if cell(row, i) == nil {
		return nil
	}
	s := str(row, i)
	if s == "" {
		return nil
	}
	return &s
}

func strs(row []any, i int) []string {
	switch v := cell(row, i).(type) {
	case []string:
		return v
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			out = append(out, fmt.Sprint(e))
		}
		return out
	case string:
		return strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' })
	}
	return nil
}
