package cli

import (
	"fmt"
	"strings"
)

// Completion scripts are written from the flag and subcommand tables
// (flagdefs.go), so every flag --help lists is also completed. Values that
// depend on the machine (cloud names, slash commands) are asked of
// `ostui __complete` when the person presses Tab.

// completionShells are the shells `ostui completion` writes for.
var completionShells = map[string]func() string{
	"bash": bashCompletion,
	"zsh":  zshCompletion,
	"fish": fishCompletion,
}

// allSpellings lists every way to type a global flag: "-c", "-h", "--help".
func allSpellings(flags []flagDef) []string {
	var out []string
	for _, f := range flags {
		if f.short != "" {
			out = append(out, "-"+f.short)
		}
		out = append(out, f.spelling())
	}
	return out
}

func subcommandNames() []string {
	var out []string
	for _, s := range subcommands {
		out = append(out, s.name)
	}
	return out
}

// bashValues is a bash statement filling COMPREPLY for a value kind.
func bashValues(values string) string {
	switch values {
	case "":
		return "return" // a value nobody can guess: offer nothing
	case "@clouds":
		return `COMPREPLY=($(compgen -W "$(ostui __complete clouds 2>/dev/null)" -- "$cur"))`
	case "@slash":
		return `COMPREPLY=($(compgen -W "$(ostui __complete slash "$cur" 2>/dev/null)" -- "$cur"))`
	case "@formats":
		return `COMPREPLY=($(compgen -W "$(ostui __complete formats 2>/dev/null)" -- "$cur"))`
	case "@files":
		return `COMPREPLY=($(compgen -f -- "$cur"))`
	}
	return fmt.Sprintf(`COMPREPLY=($(compgen -W %q -- "$cur"))`, values)
}

// bashPrevCases completes the value of the flag just typed.
func bashPrevCases(b *strings.Builder, indent string, flags []flagDef) {
	for _, f := range flags {
		if f.arg == "" {
			continue
		}
		fmt.Fprintf(b, "%s%s) %s; return ;;\n", indent, f.spelling(), bashValues(f.values))
	}
}

func bashCompletion() string {
	var b strings.Builder
	b.WriteString(`# bash completion for ostui; load with: source <(ostui completion bash)
_ostui() {
  local cur prev sub i
  cur="${COMP_WORDS[COMP_CWORD]}"
  prev="${COMP_WORDS[COMP_CWORD-1]}"
  sub=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "${COMP_WORDS[i]}" in
`)
	fmt.Fprintf(&b, "      %s) sub=\"${COMP_WORDS[i]}\"; break ;;\n", strings.Join(subcommandNames(), "|"))
	b.WriteString("    esac\n  done\n  case \"$sub\" in\n")
	for _, s := range subcommands {
		fmt.Fprintf(&b, "    %s)\n", s.name)
		if len(s.flags) > 0 {
			b.WriteString("      case \"$prev\" in\n")
			bashPrevCases(&b, "        ", s.flags)
			b.WriteString("      esac\n")
			fmt.Fprintf(&b, "      if [[ \"$cur\" == -* ]]; then COMPREPLY=($(compgen -W %q -- \"$cur\")); return; fi\n", strings.Join(allSpellings(s.flags), " "))
		}
		if s.values != "" {
			b.WriteString("      " + bashValues(s.values) + "\n")
		}
		b.WriteString("      return ;;\n")
	}
	b.WriteString("  esac\n  case \"$prev\" in\n")
	bashPrevCases(&b, "    ", globalFlags)
	b.WriteString("  esac\n")
	fmt.Fprintf(&b, "  if [[ \"$cur\" == -* ]]; then\n    COMPREPLY=($(compgen -W %q -- \"$cur\"))\n    return\n  fi\n", strings.Join(allSpellings(globalFlags), " "))
	fmt.Fprintf(&b, "  COMPREPLY=($(compgen -W %q -- \"$cur\"))\n}\ncomplete -F _ostui ostui\n", strings.Join(subcommandNames(), " "))
	return b.String()
}

// zshText makes help text safe inside a single-quoted _arguments spec.
func zshText(s string) string {
	return strings.NewReplacer(`'`, `'\''`, `[`, `\[`, `]`, `\]`, `:`, `\:`).Replace(s)
}

// zshSpec is one _arguments spec for a flag.
func zshSpec(f flagDef) string {
	action := ""
	if f.arg != "" {
		action = ":" + strings.ToLower(zshText(f.arg)) + ":"
		switch f.values {
		case "":
		case "@clouds":
			action += "->clouds"
		case "@slash":
			action += "->slash"
		case "@formats":
			action += "->formats"
		case "@files":
			action += "_files"
		default:
			action += "(" + f.values + ")"
		}
	}
	if f.short != "" {
		return fmt.Sprintf("'(-%s %s)'{-%s,%s}'[%s]%s'", f.short, f.spelling(), f.short, f.spelling(), zshText(f.help), action)
	}
	return fmt.Sprintf("'%s[%s]%s'", f.spelling(), zshText(f.help), action)
}

func zshCompletion() string {
	var b strings.Builder
	b.WriteString(`#compdef ostui
# zsh completion for ostui; load with: source <(ostui completion zsh)
_ostui() {
  local curcontext="$curcontext" state line
  typeset -A opt_args
  _arguments -C \
`)
	for _, f := range globalFlags {
		b.WriteString("    " + zshSpec(f) + " \\\n")
	}
	var subs []string
	for _, s := range subcommands {
		subs = append(subs, s.name+`\:"`+zshText(strings.ReplaceAll(s.help, `"`, `'`))+`"`)
	}
	fmt.Fprintf(&b, "    '1::subcommand:((%s))' \\\n", strings.Join(subs, " "))
	b.WriteString(`    '*::arg:->args'
  case $state in
    clouds) compadd -- ${(f)"$(ostui __complete clouds 2>/dev/null)"} ;;
    slash) compadd -- ${(f)"$(ostui __complete slash 2>/dev/null)"} ;;
    formats) compadd -- ${(f)"$(ostui __complete formats 2>/dev/null)"} ;;
    args)
      case $line[1] in
`)
	for _, s := range subcommands {
		var specs []string
		for _, f := range s.flags {
			specs = append(specs, zshSpec(f))
		}
		switch s.values {
		case "":
		case "@files":
			specs = append(specs, "'1:file:_files'")
		default:
			specs = append(specs, "'1:"+s.name+":("+s.values+")'")
		}
		if len(specs) == 0 {
			continue
		}
		fmt.Fprintf(&b, "        %s) _arguments %s ;;\n", s.name, strings.Join(specs, " "))
	}
	b.WriteString("      esac ;;\n  esac\n}\ncompdef _ostui ostui\n")
	return b.String()
}

// fishText makes help text safe inside fish single quotes.
func fishText(s string) string {
	return strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s)
}

// fishLine is one `complete` line for a flag, under condition cond.
func fishLine(cond string, f flagDef) string {
	var b strings.Builder
	b.WriteString("complete -c ostui")
	if cond != "" {
		b.WriteString(" -n '" + cond + "'")
	}
	if f.short != "" {
		b.WriteString(" -s " + f.short)
	}
	if len(f.name) == 1 {
		b.WriteString(" -s " + f.name)
	} else {
		b.WriteString(" -l " + f.name)
	}
	// -x takes a value and offers no file names; files only where a file
	// is the value (-r -F, below).
	switch {
	case f.arg == "":
	case f.values == "@files":
		b.WriteString(" -r")
	default:
		b.WriteString(" -x")
	}
	b.WriteString(" -d '" + fishText(f.help) + "'")
	switch f.values {
	case "":
	case "@clouds":
		b.WriteString(" -a '(ostui __complete clouds 2>/dev/null)'")
	case "@slash":
		b.WriteString(" -a '(ostui __complete slash (commandline -ct) 2>/dev/null)'")
	case "@formats":
		b.WriteString(" -a '(ostui __complete formats 2>/dev/null)'")
	case "@files":
		b.WriteString(" -F")
	default:
		b.WriteString(" -a '" + fishText(f.values) + "'")
	}
	return b.String() + "\n"
}

func fishCompletion() string {
	var b strings.Builder
	b.WriteString("# fish completion for ostui; load with: ostui completion fish | source\ncomplete -c ostui -f\n")
	for _, f := range globalFlags {
		b.WriteString(fishLine("__fish_use_subcommand", f))
	}
	for _, s := range subcommands {
		fmt.Fprintf(&b, "complete -c ostui -n '__fish_use_subcommand' -a %s -d '%s'\n", s.name, fishText(s.help))
		in := "__fish_seen_subcommand_from " + s.name
		for _, f := range s.flags {
			b.WriteString(fishLine(in, f))
		}
		switch s.values {
		case "":
		case "@files":
			fmt.Fprintf(&b, "complete -c ostui -n '%s' -F\n", in)
		default:
			fmt.Fprintf(&b, "complete -c ostui -n '%s' -a '%s'\n", in, fishText(s.values))
		}
	}
	return b.String()
}
