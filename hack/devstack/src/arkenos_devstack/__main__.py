"""`make dev`: the platform as local processes, no Docker. Prints where everything is; Ctrl-C
(or SIGTERM) stops everything, last started first. ``--keep`` keeps the directory (logs)."""

from __future__ import annotations

import argparse
import shutil
import signal
import sys
import tempfile
import threading
from pathlib import Path

from arkenos_devstack.components import default_components
from arkenos_devstack.process import StartupError
from arkenos_devstack.stack import Stack
from arkenos_devstack.tools import ToolBuildError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="arkenos-dev", description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the stack's directory")
    args = parser.parse_args(argv)
    base_dir = Path(tempfile.mkdtemp(prefix="arkenos-dev-"))
    base_dir.chmod(0o755)  # PostgreSQL runs as its own user under it; secrets are 0600 files
    stack = Stack(base_dir, default_components())
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    try:
        stack.start()
        print(stack.describe())
        print("Ctrl-C stops everything.")
        while not stopping.wait(timeout=1.0):
            pass
    except KeyboardInterrupt:
        pass
    except (StartupError, ToolBuildError, RuntimeError) as error:
        print(f"error: {error}", file=sys.stderr)
        args.keep = True
        return 1
    finally:
        stack.stop()
        if args.keep:
            print(f"kept {base_dir}", file=sys.stderr)
        else:
            shutil.rmtree(base_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
