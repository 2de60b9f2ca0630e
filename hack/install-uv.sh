#!/usr/bin/env bash
# Make uv (the Python workspace manager) available: the one on PATH if there is one, else a
# private copy from PyPI in .tools/uv (a virtualenv, so it never touches the system Python).
set -euo pipefail
cd "$(dirname "$0")/.."
if command -v uv >/dev/null 2>&1 || [ -x .tools/uv/bin/uv ]; then
  exit 0
fi
echo "installing uv from PyPI into .tools/uv" >&2
if python3 -m venv .tools/uv 2>/dev/null; then
  .tools/uv/bin/pip install --quiet uv
else
  # No venv module (Debian without python3-venv): a user install, allowed past PEP 668.
  rm -rf .tools/uv
  python3 -m pip install --quiet --user uv 2>/dev/null ||
    python3 -m pip install --quiet --user --break-system-packages uv
  mkdir -p .tools/uv/bin
  ln -sf "$(python3 -m site --user-base)/bin/uv" .tools/uv/bin/uv
fi
.tools/uv/bin/uv --version >&2
