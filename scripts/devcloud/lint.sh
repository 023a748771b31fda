#!/usr/bin/env bash
# scripts/devcloud/lint.sh - static checks of the devcloud scripts: bash -n and shellcheck
# for every shell file, and a byte-compile of every Python shim with Debian's python3.
# Installs the shellcheck apt package when it is missing (needs root).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

if ! command -v shellcheck > /dev/null; then
  echo "installing shellcheck (apt)"
  [ "$(id -u)" = 0 ] || { echo "shellcheck missing; run as root to install it" >&2; exit 1; }
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q shellcheck > /dev/null 2>&1 ||
    { apt-get update -q > /dev/null && apt-get install -y -q shellcheck > /dev/null; }
fi

rc=0
shell_files=(*.sh lib/*.sh)
for f in "${shell_files[@]}"; do
  bash -n "$f" || { echo "bash -n failed: $f"; rc=1; }
done
shellcheck -x "${shell_files[@]}" || rc=1
py_files=(py/*.py)
for f in "${py_files[@]}"; do
  /usr/bin/python3 -c 'import ast, sys; ast.parse(open(sys.argv[1]).read(), sys.argv[1])' "$f" ||
    { echo "python syntax error: $f"; rc=1; }
done
[ $rc = 0 ] && echo "lint OK: ${#shell_files[@]} shell files, ${#py_files[@]} python files"
exit $rc
