// Package commands holds what is generated from the registry for every
// command — help text, tab completion and the closest commands to a
// plain-language request when no model is configured — for the tools and
// for the shell's own commands, whose list the front end passes in.
package commands

// Builtin describes a shell command that is not a tool (/help, /cloud,
// /mode, …). The front end that runs built-ins owns their list, with each
// one's code beside its description (internal/cli's builtin table).
type Builtin struct {
	Name    string
	Usage   string
	Summary string
}

// Names returns the names of the built-ins, for the router.
func Names(builtins []Builtin) []string {
	out := make([]string, 0, len(builtins))
	for _, b := range builtins {
		out = append(out, b.Name)
	}
	return out
}
