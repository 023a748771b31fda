package cli

// usageText is `ostui --help`. A golden test keeps it in step with the flags.
const usageText = `ostui — a chat-first shell for OpenStack

Usage:
  ostui [flags]                      open the interactive shell
  ostui [flags] -c COMMAND           run one command and exit, e.g. -c '/server list -f json'
  COMMANDS | ostui [flags]           run commands read from standard input, one per line
  ostui run RECIPE.yaml [--param K=V] [--yes] [--check]
                                     run a saved plan through the gate
  ostui completion bash|zsh|fish     print a shell completion script
  ostui --version                    print the version

Inside the shell, type /help for every command, or /help COMMAND for one.

Cloud flags (beat OS_* variables, which beat clouds.yaml):
  --os-cloud NAME                a cloud from clouds.yaml (else $OS_CLOUD)
  --os-region-name NAME          region
  --os-auth-url URL              Keystone URL
  --os-username NAME             user name
  --os-password PASSWORD         password (prefer secure.yaml or $OS_PASSWORD)
  --os-project-name NAME         project to scope to
  --os-project-id ID             project ID to scope to
  --os-user-domain-name NAME     the user's domain
  --os-project-domain-name NAME  the project's domain
  --os-interface NAME            endpoint interface: public, internal or admin
  --os-cacert FILE               CA bundle to trust for TLS
  --insecure                     do not verify TLS certificates (unsafe)

Other flags:
  -c COMMAND                     run one command and exit
  --yes                          approve the -c command's plan once its preflight passes
  --read-only                    refuse anything that would change the cloud (mode ask)
  --offline                      never call a language model
  --resume ID|latest             continue a saved conversation with the model
  --debug                        log each API call (method, URL, status, time, request ID) to stderr
  --timeout DURATION             give up on an API call after this long (default 30s)
  --version                      print the version
  -h, --help                     show this help

Configuration: clouds.yaml and secure.yaml are read from $OS_CLIENT_CONFIG_FILE,
./, ~/.config/openstack/ and /etc/openstack/ (see docs/configuration.md).

Exit codes: 0 success, 1 error, 2 wrong usage.
`
