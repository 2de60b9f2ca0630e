"""Imports a custom agent's entrypoint from an artifact in a separate process and prints the
outcome as JSON, so the builder never runs user code in its own interpreter.

Usage: python -m arkenos_agent_runtime.build.probe <artifact-dir> <entrypoint>
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from arkenos_agent_runtime.usercode import UserCodeError, load


def main() -> int:
    artifact_dir, entrypoint = Path(sys.argv[1]), sys.argv[2]
    try:
        load(artifact_dir, entrypoint)
    except UserCodeError as exc:
        sys.stdout.write(json.dumps({"ok": False, "message": str(exc)}) + "\n")
        return 1
    sys.stdout.write(json.dumps({"ok": True}) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
