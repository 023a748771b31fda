package cli

import (
	"fmt"
	"strings"

	"github.com/kriscelmer/os-tui/internal/commands"
	"github.com/kriscelmer/os-tui/internal/config"
	"github.com/kriscelmer/os-tui/internal/iostreams"
	"github.com/kriscelmer/os-tui/tools/toolset"
)

func subcommand(ios *iostreams.IOStreams, o *options, getenv func(string) string) error {
	switch o.args[0] {
	case "completion":
		if len(o.args) != 2 {
			return &usageError{msg: "usage: ostui completion bash|zsh|fish"}
		}
		script, ok := completionScripts[o.args[1]]
		if !ok {
			return &usageError{msg: fmt.Sprintf("ostui: no completion for shell %q; choose bash, zsh or fish", o.args[1])}
		}
		fmt.Fprint(ios.Out, script)
		return nil
	case "version":
		fmt.Fprintln(ios.Out, versionLine())
		return nil
	case "__complete":
		return complete(ios, o.args[1:], getenv)
	}
	return &usageError{msg: fmt.Sprintf("ostui: unknown command %q\nRun 'ostui --help' for usage; inside the shell or with -c, commands start with a slash: ostui -c '/%s'", o.args[0], strings.Join(o.args, " "))}
}

// complete serves shell completion scripts: `__complete clouds` lists cloud
// names; `__complete slash WORD...` completes a slash command.
func complete(ios *iostreams.IOStreams, args []string, getenv func(string) string) error {
	if len(args) == 0 {
		return &usageError{msg: "usage: ostui __complete clouds|slash WORDS..."}
	}
	var out []string
	switch args[0] {
	case "clouds":
		out, _ = config.Names(getenv)
	case "formats":
		out = commands.Formats
	case "slash":
		reg, err := toolset.Registry()
		if err != nil {
			return err
		}
		words := args[1:]
		if len(words) > 0 {
			words[0] = strings.TrimPrefix(words[0], "/")
		}
		c := &commands.Completer{Registry: reg}
		out = c.Words(words)
		if len(words) <= 1 {
			for i := range out {
				out[i] = "/" + out[i]
			}
		}
	}
	for _, s := range out {
		fmt.Fprintln(ios.Out, strings.TrimSpace(s))
	}
	return nil
}

var completionScripts = map[string]string{
	"bash": `# bash completion for ostui; load with: source <(ostui completion bash)
_ostui() {
  local cur prev
  cur="${COMP_WORDS[COMP_CWORD]}"
  prev="${COMP_WORDS[COMP_CWORD-1]}"
  case "$prev" in
    --os-cloud) COMPREPLY=($(compgen -W "$(ostui __complete clouds 2>/dev/null)" -- "$cur")); return ;;
    --os-interface) COMPREPLY=($(compgen -W "public internal admin" -- "$cur")); return ;;
    --os-cacert) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    completion) COMPREPLY=($(compgen -W "bash zsh fish" -- "$cur")); return ;;
    -c) COMPREPLY=($(compgen -W "$(ostui __complete slash "$cur" 2>/dev/null)" -- "$cur")); return ;;
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "-c --os-cloud --os-region-name --os-auth-url --os-username --os-password --os-project-name --os-project-id --os-user-domain-name --os-project-domain-name --os-interface --os-cacert --insecure --offline --debug --timeout --version --help" -- "$cur"))
    return
  fi
  COMPREPLY=($(compgen -W "completion" -- "$cur"))
}
complete -F _ostui ostui
`,
	"zsh": `#compdef ostui
# zsh completion for ostui; load with: source <(ostui completion zsh)
_ostui() {
  _arguments \
    '-c[run one command and exit]:command:->slash' \
    '--os-cloud[cloud from clouds.yaml]:cloud:->clouds' \
    '--os-region-name[region]:region:' \
    '--os-auth-url[Keystone URL]:url:' \
    '--os-username[user name]:user:' \
    '--os-password[password]:password:' \
    '--os-project-name[project]:project:' \
    '--os-project-id[project ID]:project:' \
    '--os-user-domain-name[user domain]:domain:' \
    '--os-project-domain-name[project domain]:domain:' \
    '--os-interface[endpoint interface]:interface:(public internal admin)' \
    '--os-cacert[CA bundle]:file:_files' \
    '--insecure[do not verify TLS]' \
    '--offline[never call a model]' \
    '--debug[log API calls]' \
    '--timeout[API timeout]:duration:' \
    '--version[print the version]' \
    '--help[show help]' \
    '1::subcommand:(completion)' \
    '2::shell:(bash zsh fish)'
  case $state in
    clouds) compadd -- ${(f)"$(ostui __complete clouds 2>/dev/null)"} ;;
    slash) compadd -- ${(f)"$(ostui __complete slash 2>/dev/null)"} ;;
  esac
}
compdef _ostui ostui
`,
	"fish": `# fish completion for ostui; load with: ostui completion fish | source
complete -c ostui -f
complete -c ostui -s c -r -d 'run one command and exit' -a '(ostui __complete slash (commandline -ct) 2>/dev/null)'
complete -c ostui -l os-cloud -r -d 'cloud from clouds.yaml' -a '(ostui __complete clouds 2>/dev/null)'
complete -c ostui -l os-region-name -r -d 'region'
complete -c ostui -l os-auth-url -r -d 'Keystone URL'
complete -c ostui -l os-username -r -d 'user name'
complete -c ostui -l os-password -r -d 'password'
complete -c ostui -l os-project-name -r -d 'project'
complete -c ostui -l os-project-id -r -d 'project ID'
complete -c ostui -l os-user-domain-name -r -d 'user domain'
complete -c ostui -l os-project-domain-name -r -d 'project domain'
complete -c ostui -l os-interface -r -d 'endpoint interface' -a 'public internal admin'
complete -c ostui -l os-cacert -r -F -d 'CA bundle'
complete -c ostui -l insecure -d 'do not verify TLS'
complete -c ostui -l offline -d 'never call a model'
complete -c ostui -l debug -d 'log API calls'
complete -c ostui -l timeout -r -d 'API timeout'
complete -c ostui -l version -d 'print the version'
complete -c ostui -l help -d 'show help'
complete -c ostui -n '__fish_use_subcommand' -a completion -d 'print a completion script'
complete -c ostui -n '__fish_seen_subcommand_from completion' -a 'bash zsh fish'
`,
}
