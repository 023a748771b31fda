package cli

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/kriscelmer/os-tui/agent/gate"
	"github.com/kriscelmer/os-tui/internal/audit"
	"github.com/kriscelmer/os-tui/internal/render"
	"github.com/kriscelmer/os-tui/tools"
)

func (s *Shell) setMode(args []string) error {
	if len(args) == 0 {
		fmt.Fprintf(s.IO.Out, "mode: %s\n", s.engine.Mode())
		if granted := s.engine.Grants().Granted(); len(granted) > 0 {
			fmt.Fprintf(s.IO.Out, "allowed without asking this session: %s\n", strings.Join(granted, ", "))
		}
		return nil
	}
	if len(args) > 1 {
		return &usageError{msg: "usage: /mode [" + modeNames() + "]"}
	}
	m, err := gate.ParseMode(args[0])
	if err != nil {
		return &usageError{msg: err.Error()}
	}
	s.engine.SetMode(m)
	fmt.Fprintf(s.IO.Out, "mode: %s\n", m)
	return nil
}

// modeNames lists the modes for a usage line: "ask|plan|paranoid".
func modeNames() string {
	var names []string
	for _, m := range gate.Modes() {
		names = append(names, string(m))
	}
	return strings.Join(names, "|")
}

// showAudit prints the last entries of the audit log: /audit [N].
func (s *Shell) showAudit(args []string) error {
	limit := 20
	opts := render.Options{}
	usage := &usageError{msg: "usage: /audit [N] [--long] [-f table|json|yaml|csv|value]  (the last N entries, default 20)"}
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "--long":
			opts.Long = true
		case a == "-f" || a == "--format":
			if i+1 >= len(args) {
				return usage
			}
			i++
			opts.Format = args[i]
		case strings.HasPrefix(a, "-f") && len(a) > 2:
			opts.Format = a[2:]
		default:
			n, err := strconv.Atoi(a)
			if err != nil || n <= 0 {
				return usage
			}
			limit = n
		}
	}
	if err := render.ValidateOptions(opts); err != nil {
		return &usageError{msg: err.Error() + "\n" + usage.msg}
	}
	path := audit.DefaultPath(s.Paths.StateDir)
	records, skipped, err := audit.Read(path, limit)
	if err != nil {
		return fmt.Errorf("read the audit log %s: %w", path, err)
	}
	if len(records) == 0 {
		fmt.Fprintf(s.IO.ErrOut, "the audit log (%s) is empty: nothing has been changed from this machine yet\n", path)
		return nil
	}
	list := &tools.List{Columns: []tools.Column{
		{Name: "Time", Kind: tools.Time}, {Name: "Plan", Long: true}, {Name: "Event"}, {Name: "Origin"}, {Name: "Tool"}, {Name: "Targets"},
		{Name: "Result", Kind: tools.Status}, {Name: "Approval"}, {Name: "Duration"},
		{Name: "Request IDs", Long: true}, {Name: "Error", Long: true}, {Name: "Cloud", Long: true}, {Name: "Goal"},
	}}
	for _, r := range records {
		dur := ""
		if r.DurationMS > 0 {
			dur = fmt.Sprintf("%.1fs", float64(r.DurationMS)/1000)
		}
		result := r.Result
		switch {
		case r.Event == audit.EventDenied:
			result = "declined"
		case result == "" && r.Error != "":
			result = "error"
		}
		list.Rows = append(list.Rows, []any{
			r.Time.Local().Format("2006-01-02 15:04:05"), r.PlanID, r.Event, r.Origin, r.Tool, strings.Join(r.Targets, ", "),
			result, r.Approval, dur, strings.Join(r.RequestIDs, ", "), r.Error, r.Cloud, r.Goal,
		})
	}
	if err := render.Render(s.IO, &tools.Result{List: list}, opts); err != nil {
		return err
	}
	if skipped > 0 {
		fmt.Fprintf(s.IO.ErrOut, "(%d damaged line(s) skipped, e.g. the last line of a killed session)\n", skipped)
	}
	return nil
}
