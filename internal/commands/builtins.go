// Package commands holds the shell's own slash commands (those that are
// not tools) and what is generated from the registry for every command:
// help text, tab completion and the closest commands to a plain-language
// request when no model is configured.
package commands

// Builtin is a shell command that is not a tool.
type Builtin struct {
	Name    string
	Usage   string
	Summary string
}

// Builtins lists the shell's own commands, in help order.
var Builtins = []Builtin{
	{Name: "help", Usage: "/help [COMMAND]", Summary: "Show commands, or the arguments of one command"},
	{Name: "cloud", Usage: "/cloud [NAME]", Summary: "Show the current cloud, or switch to another from clouds.yaml"},
	{Name: "project", Usage: "/project [NAME]", Summary: "Show the current project, or switch to another project in this cloud"},
	{Name: "region", Usage: "/region [NAME]", Summary: "Show the current region, or switch to another region"},
	{Name: "mode", Usage: "/mode [ask|plan|paranoid]", Summary: "Show or set what may happen without asking (ask: read-only)"},
	{Name: "audit", Usage: "/audit [N]", Summary: "Show the last N entries of the audit log (changes made, by whom, how approved)"},
	{Name: "ask", Usage: "/ask [QUESTION]", Summary: "Ask the model; it may only read (alone: stay in ask mode)"},
	{Name: "plan", Usage: "/plan [REQUEST]", Summary: "Let the model propose changes as plans for your approval (the default)"},
	{Name: "compose", Usage: "/compose [REQUEST]", Summary: "Have the model write a recipe or Heat template to a file, validated, not run"},
	{Name: "advise", Usage: "/advise [TOPIC]", Summary: "Findings from reads: ERROR servers and why, orphans, open security groups, quota pressure"},
	{Name: "model", Usage: "/model [NAME]", Summary: "Show the model in use and what this session has cost, or switch to another model"},
	{Name: "cost", Usage: "/cost", Summary: "Show tokens used by the last turn and the session"},
	{Name: "save", Usage: "/save [TITLE]", Summary: "Save this conversation (redacted; sessions also save after every turn)"},
	{Name: "resume", Usage: "/resume [ID|latest]", Summary: "List saved conversations, or continue one"},
	{Name: "compact", Usage: "/compact", Summary: "Replace the conversation so far with the model's summary of it"},
	{Name: "clear", Usage: "/clear", Summary: "Clear the screen"},
	{Name: "quit", Usage: "/quit", Summary: "Leave the shell (also /exit or Ctrl-D)"},
	{Name: "exit", Usage: "/exit", Summary: ""},
}

// BuiltinNames returns the names of every built-in, for the router.
func BuiltinNames() []string {
	out := make([]string, 0, len(Builtins))
	for _, b := range Builtins {
		out = append(out, b.Name)
	}
	return out
}
