#!/usr/bin/env bash
# Install uv (the Python workspace manager) from PyPI when it is not on PATH.
set -euo pipefail
if command -v uv >/dev/null 2>&1 || [ -x "$HOME/.local/bin/uv" ]; then
  exit 0
fi
echo "installing uv from PyPI" >&2
python3 -m pip install --quiet --user uv 2>/dev/null || python3 -m pip install --quiet uv
command -v uv >/dev/null 2>&1 || [ -x "$HOME/.local/bin/uv" ] || {
  echo "uv installed but not on PATH; add \$HOME/.local/bin to PATH" >&2
  exit 1
}
