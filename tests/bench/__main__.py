"""Run every benchmark module in this package, one process each, and list where figures went."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE.parents[1] / "bench-results"


def main() -> int:
    modules = sorted(p.stem for p in HERE.glob("bench_*.py"))
    if not modules:
        print("no benchmarks yet: add tests/bench/bench_<name>.py")
        return 0
    RESULTS.mkdir(exist_ok=True)
    failed = []
    for module in modules:
        print(f"== {module}", flush=True)
        result = subprocess.run(
            [sys.executable, "-m", f"tests.bench.{module}"], cwd=HERE.parents[1], check=False
        )
        if result.returncode != 0:
            failed.append(module)
    print(f"figures in {RESULTS}")
    if failed:
        print(f"benchmarks that failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
