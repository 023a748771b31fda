package cli

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/kriscelmer/os-tui/agent/gate"
	"github.com/kriscelmer/os-tui/agent/router"
	"github.com/kriscelmer/os-tui/internal/audit"
	"github.com/kriscelmer/os-tui/internal/commands"
	"github.com/kriscelmer/os-tui/internal/render"
	"github.com/kriscelmer/os-tui/tools"
)

// builtinCommand is one shell command that is not a tool: what help and
// completion say of it and what it does, in one place.
type builtinCommand struct {
	commands.Builtin
	run func(s *Shell, ctx context.Context, args []string) (quit bool, err error)
}

// done adapts a command that never ends the shell.
func done(f func(s *Shell, ctx context.Context, args []string) error) func(*Shell, context.Context, []string) (bool, error) {
	return func(s *Shell, ctx context.Context, args []string) (bool, error) { return false, f(s, ctx, args) }
}

// modelMode makes /ask, /plan, /compose and /advise: with text, one turn
// in that mode; alone, that mode for the turns that follow.
func modelMode(mode string) func(*Shell, context.Context, []string) (bool, error) {
	return done(func(s *Shell, ctx context.Context, args []string) error {
		return s.modelCommand(ctx, mode, strings.Join(args, " "))
	})
}

// builtins lists the shell's own commands, in help order. (A function,
// not a variable: /help's own entry refers back to the list.)
func builtins() []builtinCommand {
	return []builtinCommand{
		{commands.Builtin{Name: "help", Usage: "/help [COMMAND]", Summary: "Show commands, or the arguments of one command"},
			done(func(s *Shell, ctx context.Context, args []string) error { return s.help(ctx, strings.Join(args, " ")) })},
		{commands.Builtin{Name: "cloud", Usage: "/cloud [NAME]", Summary: "Show the current cloud, or switch to another from clouds.yaml"},
			done(func(s *Shell, _ context.Context, args []string) error { return s.switchCloud(args) })},
		{commands.Builtin{Name: "project", Usage: "/project [NAME]", Summary: "Show the current project, or switch to another project in this cloud"},
			done(func(s *Shell, _ context.Context, args []string) error { return s.switchScope(args, "project") })},
		{commands.Builtin{Name: "region", Usage: "/region [NAME]", Summary: "Show the current region, or switch to another region"},
			done(func(s *Shell, _ context.Context, args []string) error { return s.switchScope(args, "region") })},
		{commands.Builtin{Name: "mode", Usage: "/mode [" + modeNames() + "]", Summary: "Show or set what may happen without asking (ask: read-only; paranoid: ask before a read's data goes to the model)"},
			done(func(s *Shell, _ context.Context, args []string) error { return s.setMode(args) })},
		{commands.Builtin{Name: "audit", Usage: "/audit [N] [--long] [-f FORMAT]", Summary: "Show the last N entries of the audit log (changes made, by whom, from where, how approved)"},
			done(func(s *Shell, _ context.Context, args []string) error { return s.showAudit(args) })},
		{commands.Builtin{Name: "ask", Usage: "/ask [QUESTION]", Summary: "Ask the model; it may only read (alone: stay in ask mode)"}, modelMode("ask")},
		{commands.Builtin{Name: "plan", Usage: "/plan [REQUEST]", Summary: "Let the model propose changes as plans for your approval (the default)"}, modelMode("plan")},
		{commands.Builtin{Name: "compose", Usage: "/compose [REQUEST]", Summary: "Have the model write a recipe or Heat template to a file, validated, not run"}, modelMode("compose")},
		{commands.Builtin{Name: "advise", Usage: "/advise [TOPIC]", Summary: "Findings from reads: ERROR servers and why, orphans, open security groups, quota pressure (reads only)"},
			done(func(s *Shell, ctx context.Context, args []string) error { return s.adviseCommand(ctx, args) })},
		{commands.Builtin{Name: "model", Usage: "/model [NAME]", Summary: "Show the model in use and what this session has cost, or switch to another model"},
			done(func(s *Shell, _ context.Context, args []string) error {
				if len(args) == 1 {
					return s.switchModel(args[0])
				}
				return s.describeModel()
			})},
		{commands.Builtin{Name: "profile", Usage: "/profile [NAME]", Summary: "List the profiles in ostui's config (the current one marked), or switch the session's cloud and model to another"},
			done(func(s *Shell, ctx context.Context, args []string) error { return s.profileCommand(ctx, args) })},
		{commands.Builtin{Name: "login", Usage: "/login [PROVIDER] [flags]", Summary: "Log in to a model provider or a cloud (as ostui login; the key is asked hidden) and use the profile it writes"},
			done(func(s *Shell, ctx context.Context, args []string) error { return s.loginCommand(ctx, args) })},
		{commands.Builtin{Name: "cost", Usage: "/cost", Summary: "Show tokens used by the last turn and the session"},
			done(func(s *Shell, _ context.Context, _ []string) error { return s.describeCost() })},
		{commands.Builtin{Name: "save", Usage: "/save [TITLE]", Summary: "Save this conversation (redacted; sessions also save after every turn)"},
			done(func(s *Shell, _ context.Context, args []string) error { return s.saveCommand(args) })},
		{commands.Builtin{Name: "resume", Usage: "/resume [ID|latest]", Summary: "List saved conversations, or continue one"},
			done(func(s *Shell, _ context.Context, args []string) error { return s.resumeCommand(args) })},
		{commands.Builtin{Name: "compact", Usage: "/compact", Summary: "Replace the conversation so far with the model's summary of it"},
			done(func(s *Shell, ctx context.Context, _ []string) error { return s.compact(ctx) })},
		{commands.Builtin{Name: "overview", Usage: "/overview [--all] [--text]", Summary: "The project at a glance: quotas, counts by status, orphans, failed actions, login expiry (--all: every cloud, project and region)"},
			done(func(s *Shell, ctx context.Context, args []string) error { return s.overviewCommand(ctx, args) })},
		{commands.Builtin{Name: "search", Usage: "/search TEXT", Summary: "Find servers, ports, floating IPs, volumes, networks, subnets, routers and security groups by name, ID or IP in every cloud, project and region"},
			done(func(s *Shell, ctx context.Context, args []string) error { return s.searchCommand(ctx, args) })},
		{commands.Builtin{Name: "export", Usage: "/export [--all-projects] [--resources TYPE,...] [-f csv|json|yaml] [-o PATH]", Summary: "Write every resource of the project, one row each, for every type ostui lists (CSV per type, JSON Lines or YAML)"},
			done(func(s *Shell, ctx context.Context, args []string) error { return s.exportCommand(ctx, args) })},
		{commands.Builtin{Name: "browse", Usage: "/browse [RESOURCE]", Summary: "Browse servers, volumes, ports, networks, … full-screen: filter, sort, follow relations with Enter, act on keys (each change reviewed)"},
			done(func(s *Shell, ctx context.Context, args []string) error { return s.browseCommand(ctx, args) })},
		{commands.Builtin{Name: "view", Usage: "/view", Summary: "Reopen the last full-screen view (browser, overview) where you left it"},
			done(func(s *Shell, ctx context.Context, args []string) error { return s.viewCommand(ctx, args) })},
		{commands.Builtin{Name: "topology", Usage: "/topology [--format text|mermaid|dot] [--view]", Summary: "Draw the networks, subnets, routers, servers and floating IPs (text, Mermaid or DOT to paste into a viewer, or a view to walk)"},
			done(func(s *Shell, ctx context.Context, args []string) error { return s.topologyCommand(ctx, args) })},
		{commands.Builtin{Name: "security", Usage: "/security audit | /security group templates|diff|apply …", Summary: "Audit security groups for ports open to the world; compare a group with a template, or make it match one"},
			done(func(s *Shell, ctx context.Context, args []string) error { return s.securityCommand(ctx, args) })},
		{commands.Builtin{Name: "vpc", Usage: "/vpc create NAME --cidr CIDR [--external NET] [--dns IP,…] [--ssh-from CIDR] | /vpc delete NAME", Summary: "Build a private network reachable from outside (network, subnet, router with gateway, security group) in one plan, or take it apart"},
			done(func(s *Shell, ctx context.Context, args []string) error { return s.vpcCommand(ctx, args) })},
		{commands.Builtin{Name: "diagnose", Usage: "/diagnose SERVER [--port PORT] [--protocol tcp|udp|icmp] [--from CIDR] [-f json]", Summary: "Check why traffic cannot reach a server (state, port, security groups, floating IP, router, gateway) and offer the fix as a plan"},
			done(func(s *Shell, ctx context.Context, args []string) error { return s.diagnoseCommand(ctx, args) })},
		{commands.Builtin{Name: "save-recipe", Usage: "/save-recipe NAME [--dir DIR] [--no-commit]", Summary: "Save the last plan (run or reviewed) as a recipe: your values become parameters, each step gets a holds check; committed to the recipe folder's git"},
			done(func(s *Shell, ctx context.Context, args []string) error { return s.saveRecipeCommand(ctx, args) })},
		{commands.Builtin{Name: "recipe", Usage: "/recipe list | show NAME | run NAME [--param K=V] | commit [-m MSG] | branch [NAME] | diff [REV [REV]] [NAME] | log [NAME]", Summary: "Saved recipes under git: list, show, replay (steps already done are skipped), commit, branch, diff (text and plans), log"},
			done(func(s *Shell, ctx context.Context, args []string) error { return s.recipeCommand(ctx, args) })},
		{commands.Builtin{Name: "clear", Usage: "/clear", Summary: "Clear the screen"},
			done(func(s *Shell, _ context.Context, _ []string) error {
				if s.IO.IsStdoutTTY() {
					fmt.Fprint(s.IO.Out, "\x1b[H\x1b[2J")
				}
				return nil
			})},
		{commands.Builtin{Name: "quit", Usage: "/quit", Summary: "Leave the shell (also /exit or Ctrl-D)"},
			func(*Shell, context.Context, []string) (bool, error) { return true, nil }},
		{commands.Builtin{Name: "exit", Usage: "/exit"},
			func(*Shell, context.Context, []string) (bool, error) { return true, nil }},
	}
}

// BuiltinNames lists the shell's own commands, for the router.
func BuiltinNames() []string { return commands.Names(builtinHelp()) }

// builtinHelp is what help and completion say of the built-ins.
func builtinHelp() []commands.Builtin {
	list := builtins()
	out := make([]commands.Builtin, len(list))
	for i, b := range list {
		out[i] = b.Builtin
	}
	return out
}

// builtin runs one of the shell's own commands.
func (s *Shell) builtin(ctx context.Context, b router.Builtin) (bool, error) {
	for _, c := range builtins() {
		if c.Name == b.Name {
			return c.run(s, ctx, b.Args)
		}
	}
	return false, fmt.Errorf("unknown command /%s", b.Name)
}

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
	if err := s.engine.SetMode(m); err != nil {
		return err
	}
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
	if err := render.Render(s.IO, &tools.Result{List: list}, s.screen(opts)); err != nil {
		return err
	}
	if skipped > 0 {
		fmt.Fprintf(s.IO.ErrOut, "(%d damaged line(s) skipped, e.g. the last line of a killed session)\n", skipped)
	}
	return nil
}
