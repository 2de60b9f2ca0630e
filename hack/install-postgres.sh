#!/usr/bin/env bash
# Installs the PostgreSQL server binaries the test suite starts its throwaway server from.
# Idempotent: does nothing when some version's initdb is already under /usr/lib/postgresql.
set -euo pipefail

if compgen -G "/usr/lib/postgresql/*/bin/initdb" > /dev/null; then
  echo "PostgreSQL is already installed: $(compgen -G "/usr/lib/postgresql/*/bin/initdb" | sort -V | tail -n 1)"
  exit 0
fi

sudo=()
if [[ "$(id -u)" -ne 0 ]]; then
  sudo=(sudo)
fi

"${sudo[@]}" apt-get update
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql
echo "Installed: $(compgen -G "/usr/lib/postgresql/*/bin/initdb" | sort -V | tail -n 1)"
